"""The one way flows (and the technician service) work off the GUI thread.

`BackgroundJobs.run(name, job, on_done, on_error)` runs `job()` on a named daemon thread
and calls `on_done(result)` or `on_error(exc)` back on the GUI thread (the thread the
`BackgroundJobs` object lives in). `post(callback, *args)` hands any call from a
background thread (a loop, a listener) to the GUI thread. The running jobs' names are
kept in `running` for the technician page and the logs.

A job never dies silently: an exception is logged with the job's name and passed to
`on_error` (when there is none, the log line is all).
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class BackgroundJobs(QObject):
    """Owns the threads of background jobs and the queued hand-back to the GUI thread."""

    _deliver = Signal(object, object)      # callback, args tuple: queued into the GUI thread

    def __init__(self, parent: QObject | None = None, *, thread_prefix: str = ""):
        super().__init__(parent)
        self.thread_prefix = thread_prefix
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._deliver.connect(self._call)

    @property
    def running(self) -> set[str]:
        """Names of the jobs running now."""
        with self._lock:
            return {name for name, count in self._running.items() if count > 0}

    def post(self, callback: Callable[..., Any], *args) -> None:
        """Calls `callback(*args)` on the GUI thread (directly when already on it). Dropped when
        the kiosk has closed meanwhile (a daemon thread finishing after the QObjects are gone)."""
        try:
            self._deliver.emit(callback, args)
        except RuntimeError as exc:        # "Signal source has been deleted"
            log.debug("result dropped: the kiosk has closed", extra={"error": str(exc)})

    def run(self, name: str, job: Callable[[], Any], on_done: Callable[[Any], Any] | None = None,
            on_error: Callable[[Exception], Any] | None = None, *, log_message: str = "background job failed",
            log_level: int = logging.WARNING) -> threading.Thread:
        """Runs `job()` on a daemon thread named `<prefix><name>`; its result or exception
        comes back to `on_done` / `on_error` on the GUI thread."""
        with self._lock:
            self._running[name] += 1

        def runner() -> None:
            try:
                result = job()
            except Exception as exc:   # a failed job is a result, never a silent thread death
                log.log(log_level, log_message, extra={"job": name, "error": f"{type(exc).__name__}: {exc}"})
                self._finish(name)
                if on_error is not None:
                    self.post(on_error, exc)
                return
            self._finish(name)
            if on_done is not None:
                self.post(on_done, result)
        thread = threading.Thread(target=runner, name=f"{self.thread_prefix}{name}", daemon=True)
        thread.start()
        return thread

    def start_loop(self, name: str, loop: Callable[[], Any]) -> threading.Thread:
        """A long-running loop (catalog, heartbeat) on its own named daemon thread; it reports
        through `post`."""
        return self.run(name, loop, log_message="background loop failed", log_level=logging.ERROR)

    def _finish(self, name: str) -> None:
        with self._lock:
            self._running[name] -= 1
            if self._running[name] <= 0:
                del self._running[name]

    def _call(self, callback, args) -> None:
        # A bound method of this QObject: a queued call into the thread it lives in (the GUI's).
        callback(*args)
