"""Citizen session, identity by phone: the government app's code (APP_CODE) and app login
(APP_LOGIN), docs/phone-identity.md.

From IDENTIFY (the card reader waiting), a service whose catalog entry lists them
(`Service.phone_identity`) offers two more ways:

* app code: `use_app_code()` shows the consent line and the camera; `scan_app_code()` (the
  citizen agreed) starts the scan; the decoded text is routed by content (a payment code or
  another app's code gets its own message and is never sent); an identity code goes to the
  platform (`ExchangeAppCode`), whose answer is an identity (`app_identity_received`) or a
  failure key (`app_identity_failed`: expired, used, unknown, offline).
* app login: `use_app_login()` starts a device authorisation (`StartAppLogin`); the flow
  reports the QR and user code (`app_login_started`), then the identity or the end of it
  (expired, denied, cancelled, offline).

Either identity then goes the card's way (`_identity_known`: eligibility, prefill, face check
against the photo on record for card_and_face services). `use_id_card()` goes back to the card.
Every event carries the session token; a late answer for an ended session is ignored (the
flow also revokes a login that arrives late). Deadlines: a scan ends after card_read_s plus
a grace period, a platform call after query_s, a login after its expires_in plus the grace.
"""
from __future__ import annotations

from typing import Any

from kiosk.core.identity import IdentityDocument
from kiosk.core.phone_identity import classify_code
from kiosk.core.session_events import DeviceEventsMixin
from kiosk.core.session_types import (
    SCAN_GRACE_S, CancelDeviceWork, ExchangeAppCode, ScanAppCode, StartAppLogin, State,
)

PHONE_STATES = (State.APP_CODE, State.APP_LOGIN)
LOGIN_MAX_WAIT_S = 300.0     # whatever expires_in the platform names, the kiosk waits at most this


class PhoneIdentityMixin(DeviceEventsMixin):
    """Identity by phone intents, events and deadlines of `CitizenSession`."""

    @property
    def identify_options(self) -> tuple[str, ...]:
        """The ways to identify the chosen service offers: "card" and its phone modes."""
        if self.service is None or self.service.identity not in ("card_and_face", "card"):
            return ()
        return ("card", *self.service.phone_identity)

    @property
    def app_login_remaining_s(self) -> float | None:
        """Seconds until the shown login QR expires, or None when none is shown."""
        if self.app_login is None:
            return None
        return max(0.0, self._login_lifetime_s() - (self._clock() - self._app_started))

    # --- intents -----------------------------------------------------------------

    def use_app_code(self) -> None:
        if not self._may_switch_to("app_code"):
            return
        self._stop_identify_work()
        self.app_error = None
        self._go(State.APP_CODE)

    def scan_app_code(self) -> None:
        """The citizen read the consent line and pressed "Agree and scan"."""
        if self.state is not State.APP_CODE or self.app_scanning or self.app_busy:
            return
        self.app_error = None
        self.app_scanning = True
        self._app_started = self._clock()
        self.touch()
        self._command(ScanAppCode(self.token, self.effective_timeouts.card_read_s))
        self._changed()

    def use_app_login(self) -> None:
        if not self._may_switch_to("app_login"):
            return
        self._stop_identify_work()
        self.app_error = None
        self.app_busy = True
        self._app_started = self._clock()
        self._go(State.APP_LOGIN)
        self._command(StartAppLogin(self.token, self._service.id))

    def use_id_card(self) -> None:
        """Back from a phone screen to the card reader."""
        if self.state not in PHONE_STATES:
            return
        self._stop_identify_work()
        self._start_card_read()

    # --- events --------------------------------------------------------------------

    def app_code_scanned(self, token: int, text: str | None) -> None:
        """The decoded code (or None: nothing readable before the scan's timeout)."""
        if token != self.token or self.state is not State.APP_CODE or not self.app_scanning:
            return
        self.app_scanning = False
        self.touch()
        kind = classify_code(text) if text else None
        if kind != "identity":
            self.app_error = {None: "app_code_not_found", "payment": "app_code_is_payment"}.get(
                kind, "app_code_foreign")
            self._changed()
            return
        assert text is not None
        self.app_busy = True
        self._app_started = self._clock()
        self._command(ExchangeAppCode(self.token, text.strip(), self._service.id))
        self._changed()

    def app_login_started(self, token: int, login: dict[str, Any]) -> None:
        """The platform's device authorisation: the QR (verification_uri_complete), user code, expiry."""
        if token != self.token or self.state is not State.APP_LOGIN or not self.app_busy:
            return
        self.app_busy = False
        self.app_login = dict(login)
        self._app_started = self._clock()
        self._changed()

    def app_identity_received(self, token: int, document: IdentityDocument) -> None:
        if token != self.token or self.state not in PHONE_STATES:
            return
        if not (self.app_busy or self.app_login is not None):
            return
        self.app_busy = False
        self.app_login = None
        self.state = State.IDENTIFY      # what the card path expects; _identity_known moves on at once
        self._identity_known(document)

    def app_identity_failed(self, token: int, reason: str) -> None:
        """reason: a message key (app_code_expired, app_code_used, app_code_unknown, app_offline,
        app_login_expired, app_login_denied, app_login_failed)."""
        if token != self.token or self.state not in PHONE_STATES:
            return
        self.app_busy = False
        self.app_scanning = False
        self.app_login = None
        self.app_error = reason
        self.touch()
        self._changed()

    # --- deadlines (called by tick) ----------------------------------------------------

    def _phone_waiting(self, now: float) -> bool:
        """True while the citizen waits on the camera, the platform or the app (no idle warning then);
        ends a wait that ran past its deadline."""
        if self.state not in PHONE_STATES or not (self.app_scanning or self.app_busy or self.app_login):
            return False
        waited = now - self._app_started
        timeouts = self.effective_timeouts
        if self.app_scanning and waited >= timeouts.card_read_s + SCAN_GRACE_S:
            self._command(CancelDeviceWork(self.token))
            self.app_identity_failed(self.token, "app_code_not_found")
        elif self.app_busy and waited >= timeouts.query_s:
            self._command(CancelDeviceWork(self.token))
            self.app_identity_failed(self.token, "app_offline")
        elif self.app_login is not None and waited >= self._login_lifetime_s() + SCAN_GRACE_S:
            self._command(CancelDeviceWork(self.token))
            self.app_identity_failed(self.token, "app_login_expired")
        elif self.app_login is not None:
            self._changed()            # the screen's countdown
        return True

    # --- internals -------------------------------------------------------------------

    def _login_lifetime_s(self) -> float:
        raw = self.app_login.get("expires_in", 0) if self.app_login else 0
        return min(LOGIN_MAX_WAIT_S, float(raw)) if isinstance(raw, (int, float)) else 0.0

    def _may_switch_to(self, mode: str) -> bool:
        return self.state in (State.IDENTIFY, *PHONE_STATES) and mode in self.identify_options

    def _stop_identify_work(self) -> None:
        """The card read, a code scan or a login in progress ends (the flows stop their work)."""
        self.app_scanning = False
        self.app_busy = False
        self.app_login = None
        self._command(CancelDeviceWork(self.token))
