"""Identity-by-phone flow: the government app's code on the camera, and app login by QR
(docs/phone-identity.md). The rules are in kiosk.core.session_phone and kiosk.core.phone_identity."""
from __future__ import annotations

import hashlib
import logging

from PySide6.QtCore import QTimer

from kiosk.barcodes import first_text
from kiosk.core import session as s
from kiosk.core.phone_identity import EXCHANGE_ERRORS, identity_from_record, login_poll_outcome
from kiosk.flows.context import UNAVAILABLE, Coordinator, FlowContext
from kiosk.logging_setup import SensitiveNames
from kiosk.qr import qr_png
from kiosk.qr_scan import QrScanner

log = logging.getLogger(__name__)

SLOW_DOWN_STEP_S = 5.0     # RFC 8628 3.5: after slow_down, poll 5 s less often
MIN_POLL_INTERVAL_S = 0.05


def platform_failure_key(exc: Exception, known: dict[str, str]) -> str:
    """A platform call's failure as a session message key: the platform's own code when it names
    one we know, `app_offline` for no answer (the network or platform is down), else `app_failed`."""
    server_code = getattr(exc, "server_code", None)
    if server_code in known:
        return known[server_code]
    if getattr(exc, "status", None) is None or getattr(exc, "retryable", False):
        return "app_offline"
    return "app_failed"


class PhoneIdentityFlow(Coordinator):
    """Owns ScanAppCode (camera frames to its own decoder thread, zxing "qr"), ExchangeAppCode and
    StartAppLogin (platform calls on background jobs, the login polled at the platform's interval).
    Stale answers (a cancelled scan, an ended session) are dropped by a generation counter; a login
    confirmed after its session ended is revoked at once, and every login is revoked when the session
    that received it ends."""

    def __init__(self, ctx: FlowContext, parent=None):
        super().__init__(ctx, parent)
        self._generation = 0          # bumped by cancel(): callbacks of older work are ignored
        self._scan_token = 0
        self._login: dict | None = None   # token, device_code, interval
        self._active_logins: list[str] = []  # login ids received in this session (revoked when it ends)
        self.scanner = QrScanner(lambda text: ctx.jobs.post(self._on_decoded, self._generation, self._scan_token,
                                                              text),
                                 decode=lambda frame: first_text(frame, "qr"), name="app-code-decoder")
        ctx.camera.frame_ready.connect(self._on_frame)

    @property
    def scanning(self) -> bool:
        return self.scanner.active

    # --- app code ------------------------------------------------------------------------

    def scan(self, command: s.ScanAppCode) -> None:
        self._scan_token = command.token
        if self.ctx.camera.status().value in UNAVAILABLE:
            self.session.app_identity_failed(command.token, "app_camera_unavailable")
            return
        self.view.camera_image = None
        self.scanner.begin()
        self.ctx.camera.start()
        generation = self._generation
        QTimer.singleShot(int(command.timeout_s * 1000), lambda: self._scan_timed_out(generation, command.token))

    def _scan_timed_out(self, generation: int, token: int) -> None:
        if generation == self._generation and self.scanner.active:
            self._stop_camera()
            self.session.app_code_scanned(token, None)

    def _on_frame(self, frame) -> None:
        if self.scanner.active:
            self.scanner.offer(frame)

    def _on_decoded(self, generation: int, token: int, text: str) -> None:
        if generation != self._generation:
            return
        self._stop_camera()
        log.info("app code decoded")    # never the code itself: it is a bearer token for 60 s
        self.session.app_code_scanned(token, text)

    def exchange(self, command: s.ExchangeAppCode) -> None:
        generation = self._generation
        # The consent record: which code (by hash: the code itself is a bearer token) for which service.
        log.info("app code consent given", extra={"code_sha256": hashlib.sha256(command.code.encode()).hexdigest()[:16],
                                                  "service": command.service_id})
        self.ctx.jobs.run("app-code-exchange",
                          lambda: self.ctx.platform_client.exchange_app_code(command.code, command.service_id),
                          lambda reply: self._on_identity(generation, command.token, reply, "app_code"),
                          lambda exc: self._on_failed(generation, command.token,
                                                      platform_failure_key(exc, EXCHANGE_ERRORS)))

    # --- app login -----------------------------------------------------------------------

    def start_login(self, command: s.StartAppLogin) -> None:
        generation = self._generation
        def start() -> dict:
            reply = self.ctx.platform_client.start_app_login(command.service_id)
            # The QR is made here, off the GUI thread (kiosk/qr.py: 10-35 ms).
            return {**reply, "qr_png": qr_png(str(reply.get("verification_uri_complete", ""))[:300])}
        self.ctx.jobs.run("app-login-start", start,
                          lambda reply: self._on_login_started(generation, command.token, reply),
                          lambda exc: self._on_failed(generation, command.token, platform_failure_key(exc, {})))

    def _on_login_started(self, generation: int, token: int, reply: dict) -> None:
        if generation != self._generation or token != self.session.token:
            return
        try:
            interval = max(MIN_POLL_INTERVAL_S, float(reply.get("interval", 5)))
            shown = {"user_code": str(reply["user_code"])[:12],
                     "verification_uri_complete": str(reply["verification_uri_complete"])[:300],
                     "expires_in": min(600.0, float(reply["expires_in"]))}
            device_code = str(reply["device_code"])
        except (KeyError, TypeError, ValueError):
            self.session.app_identity_failed(token, "app_failed")
            return
        self._login = {"token": token, "device_code": device_code, "interval": interval}
        self.view.app_login_qr_png = reply.get("qr_png")
        self.session.app_login_started(token, shown)
        self._schedule_poll(generation)

    def _schedule_poll(self, generation: int) -> None:
        if self._login is not None:
            QTimer.singleShot(int(self._login["interval"] * 1000), lambda: self._poll(generation))

    def _poll(self, generation: int) -> None:
        login = self._login
        if generation != self._generation or login is None:
            return
        self.ctx.jobs.run("app-login-poll", lambda: self.ctx.platform_client.poll_app_login(login["device_code"]),
                          lambda reply: self._on_poll_reply(generation, login, reply),
                          lambda exc: self._on_poll_error(generation, login, exc))

    def _on_poll_reply(self, generation: int, login: dict, reply: dict) -> None:
        login_id = str(reply.get("login_id", ""))[:64]
        if generation != self._generation or login["token"] != self.session.token:
            # Confirmed in the app after this session ended or changed its mind: nobody may use it.
            log.info("late app login discarded and revoked")
            if login_id:
                self._revoke([login_id])
            return
        self._login = None
        if login_id:
            self._active_logins.append(login_id)
        self._on_identity(generation, login["token"], reply, "app_login")

    def _on_poll_error(self, generation: int, login: dict, exc: Exception) -> None:
        if generation != self._generation or self._login is not login:
            return
        outcome = login_poll_outcome(getattr(exc, "server_code", None)) if getattr(exc, "status", None) == 400 \
            else platform_failure_key(exc, {})
        if outcome in ("pending", "slow_down"):
            if outcome == "slow_down":
                login["interval"] += SLOW_DOWN_STEP_S
            self._schedule_poll(generation)
            return
        self._login = None
        self._on_failed(generation, login["token"], outcome)

    # --- shared ----------------------------------------------------------------------------

    def _on_identity(self, generation: int, token: int, reply: dict, source: str) -> None:
        if generation != self._generation or token != self.session.token:
            return
        try:
            document = identity_from_record(reply.get("identity"), source, str(reply.get("subject", "")))
        except ValueError as exc:
            log.warning("app identity reply refused", extra={"reason": str(exc)})
            self.session.app_identity_failed(token, "app_failed")
            return
        SensitiveNames.set(document.name)
        log.info("identity from the government app", extra={"card": repr(document), "source": source})
        self.session.app_identity_received(token, document)

    def _on_failed(self, generation: int, token: int, key: str) -> None:
        if generation != self._generation:
            return
        log.info("identity by phone failed", extra={"reason": key})
        self.session.app_identity_failed(token, key)

    def cancel(self) -> None:
        """The session left the phone step (or ended): the scan and the polling stop; answers still on
        their way are dropped (a login among them is revoked)."""
        self._generation += 1
        self._login = None
        self.view.app_login_qr_png = None
        if self.scanner.active:
            self._stop_camera()

    def session_ended(self) -> None:
        """The login ends with the session: revoked at the platform."""
        self.cancel()
        logins, self._active_logins = self._active_logins, []
        if logins:
            self._revoke(logins)

    def close(self) -> None:
        self.scanner.stop()

    def _revoke(self, login_ids: list[str]) -> None:
        def revoke() -> None:
            for login_id in login_ids:
                self.ctx.platform_client.end_app_login(login_id)
        self.ctx.jobs.run("app-login-end", revoke, log_message="app login revocation failed")

    def _stop_camera(self) -> None:
        self.scanner.cancel()
        self.ctx.camera.stop()
        self.view.camera_image = None
