"""Citizen session, part 2 of 5: `SessionBase`, what every part of the session shares.

The per-session attributes, the constructor and wiring (`on_change`, `on_command`),
the read-only view for screens, `touch()` and the care-mode `effective_timeouts`,
and the internals every transition goes through: `_go`, `_fail`, `_end`,
`_reset_to_idle`, `_wipe`, `_changed`, `_command`, and starting a card read or a
face check. The intents and events live in the mixins (`session_query`,
`session_events`) and in `kiosk.core.session.CitizenSession`, which combines them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from typing import Any, Callable, Self

from kiosk.core.catalog import Catalog, Service
from kiosk.core.identity import IdentityDocument
from kiosk.core.session_types import (
    CARE_MODE_TIME_FACTOR, CancelDeviceWork, EndReason, Outcome, ReadCard, SessionEnded, State, Timeouts,
    VerifyFace, _CitizenData,
)


class SessionBase:
    """State, wiring and internals of a citizen session (see `kiosk.core.session`)."""

    _tokens = itertools.count(1)

    # Per-session state, all set by _reset_to_idle() (at construction and whenever a session ends).
    token: int
    state: State
    language: str
    care_mode: bool
    language_chosen: bool
    help_requested: bool
    face_verified: bool
    query_busy: bool
    query_scanning: bool
    query_error: str | None
    query_result: dict[str, Any] | None
    app_scanning: bool                   # identity by phone: the camera looks for the app's code
    app_busy: bool                       # identity by phone: waiting on the platform
    app_error: str | None                # identity by phone: message key shown on the phone screens
    app_login: dict[str, Any] | None     # app login: user_code, verification_uri_complete, expires_in
    _app_started: float
    service: Service | None
    field_errors: dict[str, str]
    error_key: str | None
    error_retry: Callable[[], None] | None
    face_attempts: int
    mrz_attempts: int
    mrz_error: str | None
    mrz_scanning: bool               # the camera is reading the passport's MRZ
    mrz_from_camera: bool            # the chip read in progress uses a camera-read key
    page_capturing: bool             # a page of a material is being taken
    page_problem: str | None         # why the last page was not taken (guidance key)
    documents_error: str | None      # "documents_missing": a required material has no page
    current_material: str | None     # the material the next page belongs to
    print_status: str | None
    last_end_reason: EndReason | None
    payment: Any                  # kiosk.core.session_payment.PaymentView while paying, else None
    payments_available: bool      # the payment flow: platform reachable and no unresolved payment
    payments_recovering: bool
    _data: _CitizenData
    _query_started: float
    _query_reference: str | None
    _submission_stored: bool
    _pending_application_id: str | None
    _entered_at: float
    _last_activity: float
    _warning_started: float | None

    def __init__(self, *, kiosk_id: str, default_language: str, timeouts: Timeouts,
                 catalog: Catalog | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 today: Callable[[], dt.date] = dt.date.today,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()) -> None:
        self.kiosk_id = kiosk_id
        self.default_language = default_language
        self.timeouts = timeouts
        self.catalog = catalog
        self._clock = clock
        self._today = today
        self._now = now
        self._listeners: list[Callable[[Self], None]] = []
        self._command_handlers: list[Callable[[object], None]] = []
        self._data = _CitizenData()
        # Kept across sessions, set by the payment flow (kiosk/flows/payment.py):
        self.payments_recovering = False    # earlier runs' payments being resolved: no new session yet
        self.payments_available = True      # platform reachable, nothing unresolved: fees can be paid here
        self._reset_to_idle()

    # --- wiring ------------------------------------------------------------

    def on_change(self, listener: Callable[[Self], None]) -> None:
        self._listeners.append(listener)

    def on_command(self, handler: Callable[[object], None]) -> None:
        self._command_handlers.append(handler)

    # --- read-only view for screens ---------------------------------------

    @property
    def document(self) -> IdentityDocument | None:
        return self._data.document

    @property
    def form_values(self) -> dict[str, str]:
        return dict(self._data.form_values)

    @property
    def outcome(self) -> Outcome | None:
        return self._data.outcome

    @property
    def _service(self) -> Service:
        """The chosen service: every state after CHOOSE_SERVICE has one (a bug otherwise)."""
        if self.service is None:
            raise RuntimeError(f"no service chosen in state {self.state.value}")
        return self.service

    @property
    def idle_warning_remaining_s(self) -> float | None:
        """Seconds left on the "Are you still there?" countdown, or None."""
        if self._warning_started is None:
            return None
        return max(0.0, self.effective_timeouts.countdown_s - (self._clock() - self._warning_started))

    # --- shared by every part ---------------------------------------------------

    def touch(self) -> None:
        """Any touch or key press: resets the idle timer, dismisses the warning."""
        self._last_activity = self._clock()
        if self._warning_started is not None:
            self._warning_started = None
            self._changed()

    @property
    def effective_timeouts(self) -> Timeouts:
        """Care mode gives more time at every step (the countdown too)."""
        if not self.care_mode:
            return self.timeouts
        t, k = self.timeouts, CARE_MODE_TIME_FACTOR
        return dataclasses.replace(t, idle_s=t.idle_s * k, countdown_s=t.countdown_s * k,
                                   card_read_s=t.card_read_s * k, face_s=t.face_s * k, receipt_s=t.receipt_s * k,
                                   payment_s=t.payment_s * k)

    # --- internals -------------------------------------------------------------

    def _start_card_read(self, mrz: tuple[str, str, str] | None = None) -> None:
        self._go(State.IDENTIFY)
        self._command(ReadCard(self.token, self.effective_timeouts.card_read_s, mrz))

    def _start_face_check(self) -> None:
        self._go(State.VERIFY_FACE)
        document = self._data.document
        photo = document.photo_jpeg if document else None
        # No chip photo (an identity from the government app): the photo on record for the number.
        id_number = self._data.form_values.get("id_number") if document is None \
            else (document.id_number if photo is None and document.source != "card" else None)
        self._command(VerifyFace(self.token, photo, self.effective_timeouts.face_s, id_number))

    def _back_to_confirm(self) -> None:
        self._go(State.CONFIRM)

    def _fail(self, error_key: str, retry: Callable[[], None] | None) -> None:
        self.error_key = error_key
        self.error_retry = retry
        self._go(State.ERROR)

    def _go(self, state: State) -> None:
        self.state = state
        self._entered_at = self._clock()
        self._last_activity = self._entered_at
        self._warning_started = None
        self._changed()

    def _end(self, reason: EndReason) -> None:
        ended_token = self.token
        self._command(CancelDeviceWork(ended_token))
        self._reset_to_idle()
        self.last_end_reason = reason
        self._command(SessionEnded(ended_token, reason))
        self._changed()

    def _reset_to_idle(self) -> None:
        self._wipe()
        self.token = 0
        self.state = State.IDLE
        self.language = self.default_language
        self.care_mode = False  # accessibility settings reset per session (VVSG 7.1-A)
        self.language_chosen = False
        self.help_requested = False
        self.face_verified = False
        self.query_busy = False
        self.query_scanning = False
        self._query_started = 0.0
        self._query_reference = None
        self._submission_stored = False
        self.query_error = None
        self.query_result = None
        self.app_scanning = False
        self.app_busy = False
        self.app_error = None
        self.app_login = None
        self._app_started = 0.0
        self.service = None
        self.field_errors = {}
        self.error_key = None
        self.error_retry = None
        self.face_attempts = 0
        self.mrz_attempts = 0
        self.mrz_error = None
        # The camera steps (kiosk.core.session_documents):
        self.mrz_scanning = False
        self.mrz_from_camera = False
        self.page_capturing = False
        self.page_problem = None
        self.documents_error = None
        self.current_material = None
        self.print_status = None
        self.last_end_reason = None
        self._pending_application_id = None
        self.payment = None
        self._entered_at = self._last_activity = self._clock()
        self._warning_started = None

    def _wipe(self) -> None:
        self._data.pages.clear()     # scanned pages: drop the references now, not when the GC runs
        self._data = _CitizenData()

    def _changed(self: Self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _command(self, command: object) -> None:
        for handler in list(self._command_handlers):
            handler(command)
