"""ReferencePlatformServer: the FastAPI app under uvicorn in a daemon thread, for tests and the demo.

    server = ReferencePlatformServer(tmp_path / "platform.sqlite3")
    base_url = server.start()          # "http://127.0.0.1:PORT" (port 0 -> a free port)
    ...; server.stop()

After stop(), start() again listens on the same port, so a test can simulate an outage and the
kiosk's configured URL stays valid.
"""
from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import uvicorn

from reference_platform.app import create_app
from reference_platform.config_bundles import ConfigBundles
from reference_platform.catalog import Catalog
from reference_platform.faults import Faults
from reference_platform.licences import LicenceStore
from reference_platform.payments import PaymentDesk
from reference_platform.numbers import beijing_now
from reference_platform.signatures import DEFAULT_WINDOW_S, SignatureVerifier
from reference_platform.store import Store

log = logging.getLogger("reference_platform")


class PlatformServerError(RuntimeError):
    pass


class _ThreadedUvicorn(uvicorn.Server):
    @contextmanager
    def capture_signals(self):
        # Signals belong to the embedding program (Qt demo, pytest); stop() is how this server ends.
        yield

    def install_signal_handlers(self) -> None:  # name used by older uvicorn releases
        pass


class ReferencePlatformServer:
    def __init__(self, db_path: str | Path, host: str = "127.0.0.1", port: int = 0, *,
                 catalog_path: str | Path | None = None, clock: Callable[[], dt.datetime] = beijing_now,
                 signature_keys: dict[str, bytes] | None = None, signature_window_s: float = DEFAULT_WINDOW_S,
                 signature_clock: Callable[[], float] = time.time, tls: dict | None = None,
                 catalog_signing_key=None, reference_photos: dict[str, bytes] | None = None,
                 app_identity=None):
        """`signature_keys` (kiosk id -> HMAC-SM3 key) makes signatures mandatory. `tls` = uvicorn
        ssl options, e.g. {"ssl_certfile": ..., "ssl_keyfile": ..., "ssl_ca_certs": ...,
        "ssl_cert_reqs": ssl.CERT_REQUIRED} for HTTPS with client certificates (mTLS).
        `self.config_bundles.publish(...)` serves signed configuration bundles (needs catalog_signing_key)."""
        self.host = host
        self.port = port               # the real port once started
        self.tls = dict(tls or {})
        self.store = Store(db_path)
        self.faults = Faults()
        self.reference_photos: dict[str, bytes] = reference_photos if reference_photos is not None else {}
        # Identity by phone: people with the government app (id_number -> record), codes, logins.
        from reference_platform.app_identity import AppIdentity
        self.app_identity = app_identity if app_identity is not None else AppIdentity({})
        self.licences = LicenceStore()      # electronic licences (reference_platform/licences.py)
        self.signature_verifier = None
        if signature_keys is not None:
            self.signature_verifier = SignatureVerifier(
                signature_keys, lambda *args: self.store.remember_nonce(*args),
                window_s=signature_window_s, clock=signature_clock)
        self.config_bundles = ConfigBundles(catalog_signing_key)
        catalog = Catalog.load(catalog_path)
        self.payments = PaymentDesk(catalog)     # 统一支付 + provider simulator: tests set its faults
        self.app = create_app(self.store, self.faults, catalog=catalog, clock=clock, payments=self.payments,
                              connection_aborter=lambda: self._abort_client_connection,
                              signature_verifier=self.signature_verifier, catalog_signing_key=catalog_signing_key,
                              reference_photos=self.reference_photos, config_bundles=self.config_bundles,
                              app_identity=self.app_identity, licences=self.licences)
        self._uvicorn: _ThreadedUvicorn | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout_s: float = 10.0) -> str:
        if self.running:
            raise PlatformServerError("reference platform is already running")
        self.store.open()
        sock = self._bind()
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False,  # access lines would carry query tokens
            log_config=None,  # keep the host program's logging setup; just set uvicorn's levels
            http="h11", ws="none", lifespan="off", loop="asyncio",
            server_header=False, timeout_graceful_shutdown=3, **self.tls)
        self._uvicorn = _ThreadedUvicorn(config)
        self._thread = threading.Thread(target=self._uvicorn.run, kwargs={"sockets": [sock]},
                                        name="reference-platform", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._uvicorn.started:
            if not self._thread.is_alive():
                sock.close()
                raise PlatformServerError(f"reference platform on {self.base_url} failed to start (see log)")
            if time.monotonic() > deadline:
                self.stop()
                raise PlatformServerError(f"reference platform on {self.base_url} not started after {timeout_s} s")
            time.sleep(0.01)
        log.info("reference platform listening on %s", self.base_url)
        return self.base_url

    def stop(self, timeout_s: float = 5.0) -> None:
        server, thread = self._uvicorn, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout_s)
            if thread.is_alive():
                server.force_exit = True
                thread.join(2.0)
        self._uvicorn = self._thread = None
        self.store.close()

    def __enter__(self) -> "ReferencePlatformServer":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        """Bind here rather than inside uvicorn: a busy port becomes an exception in the caller's
        thread (not a log line and a dead thread), and port 0 is resolved before start() returns."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
        # IPPROTO_TCP, and a socket made with proto 0 passes 0 on to them. Without NODELAY every
        # keep-alive response waits ~40 ms for the client's delayed ACK (Nagle): 45 ms vs 4 ms per request.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # quick restart on the same port
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise PlatformServerError(f"reference platform cannot listen on {self.host}:{self.port}: {exc}") from exc
        self.port = sock.getsockname()[1]
        return sock

    def _abort_client_connection(self, scope: dict) -> bool:
        """Runs on the server's event loop. Finds the uvicorn connection of this request and aborts it,
        so the client sees a dropped connection and not an HTTP response."""
        client = scope.get("client")
        if self._uvicorn is None or client is None:
            return False
        for connection in list(self._uvicorn.server_state.connections):
            transport = getattr(connection, "transport", None)
            if getattr(connection, "client", None) == tuple(client) and transport is not None:
                transport.abort()
                return True
        return False
