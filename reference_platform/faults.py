"""Fault injection for tests: an in-process object, deliberately not an HTTP endpoint.

    server.faults.fail_next(2, status=503, retry_after=5)  # next 2 POSTs: 503, nothing done
    server.faults.drop_after_commit_next(1)                # next POST: committed, then connection aborted
    server.faults.delay_s = 1.5                            # every request waits first

`delay_s` on POST /applications and POST /ratings is applied *after* the idempotency key is
claimed, like a slow platform: a retry arriving meanwhile sees 409 (request in progress).
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Callable

from reference_platform.errors import error_response

log = logging.getLogger("reference_platform")

IDEMPOTENT_PATHS = frozenset({"/applications", "/ratings"})

# Given the ASGI scope of a request, closes that request's TCP connection at once; False if it cannot.
ConnectionAborter = Callable[[dict], bool]


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.delay_s: float = 0.0
        self._fail_remaining = 0
        self._fail_status = 503
        self._fail_retry_after: float | None = None
        self._fail_path: str | None = None
        self._drop_remaining = 0
        self._drop_path: str | None = None
        # Counters so tests can assert the fault really fired.
        self.failures_injected = 0
        self.responses_dropped = 0

    def fail_next(self, n: int, status: int = 503, retry_after: float | None = None, path: str | None = None) -> None:
        """The next `n` POSTs (to `path` only, if given) answer `status` without doing any work."""
        with self._lock:
            self._fail_remaining, self._fail_status = n, status
            self._fail_retry_after, self._fail_path = retry_after, path

    def drop_after_commit_next(self, n: int, path: str | None = None) -> None:
        """The next `n` POSTs do their work and commit, then the connection is aborted with no response:
        the lost-response case idempotency keys exist for."""
        with self._lock:
            self._drop_remaining, self._drop_path = n, path

    def reset(self) -> None:
        with self._lock:
            self.delay_s = 0.0
            self._fail_remaining = self._drop_remaining = 0

    # ----- used by the middleware and the submission handlers -----

    def take_failure(self, method: str, path: str) -> tuple[int, float | None] | None:
        with self._lock:
            if method != "POST" or self._fail_remaining <= 0 or self._fail_path not in (None, path):
                return None
            self._fail_remaining -= 1
            self.failures_injected += 1
            return self._fail_status, self._fail_retry_after

    def take_drop(self, method: str, path: str) -> bool:
        with self._lock:
            if method != "POST" or self._drop_remaining <= 0 or self._drop_path not in (None, path):
                return False
            self._drop_remaining -= 1
            return True

    def sleep_if_delayed(self) -> None:
        """Called by submission handlers (worker thread) once the idempotency key is claimed."""
        if self.delay_s > 0:
            time.sleep(self.delay_s)


class FaultInjectionMiddleware:
    """Pure ASGI middleware, outermost, so faults hit before validation like a real outage would."""

    def __init__(self, app, faults: Faults, abort_connection: Callable[[], ConnectionAborter | None]):
        self.app = app
        self.faults = faults
        self._abort_connection = abort_connection  # looked up per request: the server exists after the app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]

        failure = self.faults.take_failure(method, path)
        if failure is not None:
            status, retry_after = failure
            headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else None
            response = error_response(status, "injected_fault", "temporarily unavailable (injected fault)", headers)
            await response(scope, receive, send)
            return

        if self.faults.delay_s > 0 and not (method == "POST" and path in IDEMPOTENT_PATHS):
            await asyncio.sleep(self.faults.delay_s)

        if self.faults.take_drop(method, path):
            await self._run_then_drop(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _run_then_drop(self, scope, receive, send) -> None:
        async def swallow(_message) -> None:  # the response is produced (work committed) but never sent
            return None

        await self.app(scope, receive, swallow)
        self.faults.responses_dropped += 1
        aborter = self._abort_connection()
        if aborter is not None and aborter(scope):
            # Let the event loop run connection_lost() so uvicorn knows the client is gone and does not
            # try to write its own "no response" 500 into the dead socket.
            for _ in range(3):
                await asyncio.sleep(0)
            return
        # Without a server to abort the connection (app used in-process), the next best lost response.
        log.warning("drop_after_commit: cannot abort the connection; answering 500 after the commit instead")
        await error_response(500, "response_lost", "response lost after commit (injected fault)")(scope, receive, send)
