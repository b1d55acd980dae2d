"""Progress query flow: looking up an application by its receipt's token or number."""
from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

from kiosk.core import session as s
from kiosk.flows.context import UNAVAILABLE, Coordinator, FlowContext
from kiosk.qr_scan import QrScanner

log = logging.getLogger(__name__)


def query_error_key(exc: Exception) -> str:
    """not_found / token_required (404), offline (no answer), or unavailable (an answer the kiosk
    cannot use). The platform looks progress up by the receipt's QR token only, not by the number."""
    if getattr(exc, "status", None) == 404:
        return "token_required" if getattr(exc, "server_code", None) == "query_token_required" else "not_found"
    if getattr(exc, "code", None) in ("malformed_reply", "reply_too_large", "redirect") \
            or not getattr(exc, "retryable", False):
        return "unavailable"
    return "offline"


class QueryFlow(Coordinator):
    """Owns the progress query: the LookupApplication command (the platform is asked on a
    background job; the answer or an error key goes to the session), and the receipt QR
    scan (ScanQr): the QR scanner, camera frames while it scans, its timeout and stop."""

    def __init__(self, ctx: FlowContext, parent=None):
        super().__init__(ctx, parent)
        self._scan_token = 0
        self.qr_scanner = QrScanner(lambda payload: ctx.jobs.post(self._on_qr_decoded, self._scan_token, payload))
        ctx.camera.frame_ready.connect(self._on_frame)

    @property
    def scanning(self) -> bool:
        return self.qr_scanner.active

    def lookup(self, command: s.LookupApplication) -> None:
        def lookup():
            try:
                return self.ctx.platform_client.get_application(command.reference), ""
            except Exception as exc:   # PlatformError (or a bug): never a silent thread death
                error = query_error_key(exc)
                log.info("progress query failed", extra={"error": error,
                                                         "reason": getattr(exc, "reason", type(exc).__name__)})
                return None, error
        self.ctx.jobs.run("progress-query", lookup,
                          lambda answer: self._on_query_done(command.token, *answer, command.reference))

    def _on_query_done(self, token: int, status, error: str, reference: str) -> None:
        self.session.query_answered(token, status, error or None, reference=reference)

    def scan(self, command: s.ScanQr) -> None:
        self._scan_token = command.token
        if self.ctx.camera.status().value in UNAVAILABLE:
            self.session.qr_scanned(command.token, None)
            return
        self.view.camera_image = None
        self.qr_scanner.begin()
        self.ctx.camera.start()
        QTimer.singleShot(int(command.timeout_s * 1000), lambda token=command.token: self._scan_timed_out(token))

    def _scan_timed_out(self, token: int) -> None:
        if token == self._scan_token and self.qr_scanner.active:
            self.stop_scan()
            self.session.qr_scanned(token, None)

    def stop_scan(self) -> None:
        self.qr_scanner.cancel()
        self.ctx.camera.stop()
        self.view.camera_image = None

    def close(self) -> None:
        self.qr_scanner.stop()

    def _on_frame(self, frame) -> None:
        if self.qr_scanner.active:
            self.qr_scanner.offer(frame)

    def _on_qr_decoded(self, token: int, payload) -> None:
        self.stop_scan()
        log.info("receipt QR decoded")   # the payload is an opaque link; not logged anyway
        self.session.qr_scanned(token, payload)
