"""An overall deadline for one HTTP call, enforced by shutting its socket down.

requests' `timeout=(connect, read)` bounds each socket operation, not the call: a server
that sends one byte a second never trips the read timeout, and the thread that asked
(submit, progress query, catalog, heartbeat) waits for ever. Here every connection made
through `DeadlineAdapter` reports its socket to the `RequestDeadline` active on the
calling thread; when the deadline passes, a timer shuts those sockets down, the blocked
read returns at once with an error, and the caller sees `expired`.
"""
from __future__ import annotations

import socket
import threading

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_active = threading.local()


class RequestDeadline:
    """`with RequestDeadline(seconds):` around one call on this thread; `expired` afterwards."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> "RequestDeadline":
        _active.deadline = self
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()
        _active.deadline = None
        with self._lock:
            self._sockets.clear()

    def watch(self, sock: socket.socket | None) -> None:
        """Called by the connection in use; a socket watched after expiry is shut down at once."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    """Shut the descriptor down from another thread; the blocked recv() returns. The base-class
    method is used on purpose: SSLSocket.shutdown() would also tear down its TLS state."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass   # already closed


def _watch(sock) -> None:
    deadline = getattr(_active, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args, **kwargs):
        _watch(self.sock)        # a kept-alive connection made during an earlier call
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args, **kwargs):
        _watch(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """HTTPAdapter whose connections report their sockets to the thread's RequestDeadline."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
