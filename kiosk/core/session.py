"""The citizen session: an explicit state machine in plain Python (no Qt).

It holds what one citizen's visit needs (chosen service, the identity document,
form values, the outcome) and decides every transition. It never talks to a
device or the network: it emits *commands* (read the card, verify the face,
submit, print, send the rating) that the controller carries out, and it is fed
*events* back (card read, face result, submission saved, ...).

Each session has a `token`. Commands carry it and events must return it, so a
late result from a previous citizen's session (a card read that completes after
a timeout) is ignored instead of leaking into the next session.

Ending a session for any reason (completion, cancel, timeout) calls `_wipe()`,
which drops every reference to personal data.

Every state ends without any input (`tick()`): the citizen-facing ones after the idle
warning, RECEIPT after `receipt_s`, and the ones where the citizen waits on the kiosk
have their own deadline: SUBMITTING after `submitting_s` (a receipt "saved, will be
sent" when the outbox has committed the application, else a "could not confirm" error
with staff help: never a receipt for something not stored, never a silent loss), a
progress query after `query_s`, a QR scan after `card_read_s` plus a grace period.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

from kiosk.core.catalog import CARD_LANGUAGE, Catalog, Service
from kiosk.core.identity import CardType, IdentityDocument


class State(str, Enum):
    IDLE = "idle"                        # attract screen
    CHOOSE_SERVICE = "choose_service"
    SERVICE_INFO = "service_info"        # 一次告知: materials and steps before starting
    IDENTIFY = "identify"                # waiting for / reading the ID card
    MRZ_ENTRY = "mrz_entry"              # passport on the reader: the citizen types the MRZ key data
    VERIFY_FACE = "verify_face"
    FORM = "form"
    CONFIRM = "confirm"
    SUBMITTING = "submitting"
    RECEIPT = "receipt"
    RATE = "rate"
    ERROR = "error"                      # a clear message and a way forward
    QUERY = "query"                      # progress query: type the number or scan the receipt QR
    QUERY_RESULT = "query_result"


class EndReason(str, Enum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


RATING_LEVELS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied")
NEGATIVE_LEVELS = ("dissatisfied", "very_dissatisfied")
MAX_FACE_ATTEMPTS = 3
MAX_MRZ_ATTEMPTS = 3         # wrong passport data this often: staff help (the chip gets no endless guesses)
CARE_MODE_TIME_FACTOR = 2.0   # 适老化: "enough time" -- every citizen-facing timeout doubles in care mode


# --- commands the controller carries out -----------------------------------

@dataclass(frozen=True)
class ReadCard:
    token: int
    timeout_s: float
    # (document number, birth YYMMDD, expiry YYMMDD) the citizen typed for a passport chip (BAC key).
    # Personal data: kept out of repr, used for one read, never stored in the session.
    mrz: tuple[str, str, str] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class VerifyFace:
    token: int
    reference_jpeg: bytes | None
    timeout_s: float
    id_number: str | None = None    # face-only services: whose reference photo the platform holds


@dataclass(frozen=True)
class LookupApplication:
    """Progress query: ask the platform about an application number, query token or UUID."""
    token: int
    reference: str


@dataclass(frozen=True)
class ScanQr:
    """Progress query: decode the receipt's QR code from camera frames (off the GUI thread)."""
    token: int
    timeout_s: float


@dataclass(frozen=True)
class CallStaff:
    """The citizen pressed Help: staff are called to this kiosk."""
    token: int
    state: str


@dataclass(frozen=True)
class CancelDeviceWork:
    token: int


@dataclass(frozen=True)
class Submit:
    token: int
    application_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class PrintReceipt:
    token: int


@dataclass(frozen=True)
class SendRating:
    token: int
    rating_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class SessionEnded:
    token: int
    reason: EndReason


@dataclass(frozen=True)
class Outcome:
    """What the platform (or the outbox) said about the submitted application."""
    application_id: str
    application_number: str | None     # None while queued offline
    queued_offline: bool
    query_token: str | None = None
    expected_completion: dt.date | None = None
    ticket_number: str | None = None   # queue ticket (预约取号)


@dataclass(frozen=True)
class Timeouts:
    idle_s: float = 60.0
    countdown_s: float = 15.0
    card_read_s: float = 30.0
    face_s: float = 25.0
    receipt_s: float = 20.0
    # Waits on the kiosk, not on the citizen (not doubled in care mode):
    submitting_s: float = 30.0   # outbox commit + the platform's answer; the controller waits less
    query_s: float = 30.0        # one progress query at the platform


SCAN_GRACE_S = 5.0   # the controller stops a QR scan after card_read_s; the session a little later


@dataclass
class _CitizenData:
    """Everything personal in one place, so the wipe cannot miss a field."""
    document: IdentityDocument | None = None
    form_values: dict[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None


class CitizenSession:
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
    service: Service | None
    field_errors: dict[str, str]
    error_key: str | None
    error_retry: Callable[[], None] | None
    face_attempts: int
    mrz_attempts: int
    mrz_error: str | None
    print_status: str | None
    last_end_reason: EndReason | None
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
        self._listeners: list[Callable[[CitizenSession], None]] = []
        self._command_handlers: list[Callable[[object], None]] = []
        self._reset_to_idle()

    # --- wiring ------------------------------------------------------------

    def on_change(self, listener: Callable[["CitizenSession"], None]) -> None:
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

    # --- user intents -------------------------------------------------------

    def touch(self) -> None:
        """Any touch or key press: resets the idle timer, dismisses the warning."""
        self._last_activity = self._clock()
        if self._warning_started is not None:
            self._warning_started = None
            self._changed()

    def start(self) -> None:
        if self.state is State.IDLE:
            self.token = next(self._tokens)
            self._go(State.CHOOSE_SERVICE)

    def set_language(self, language: str) -> None:
        self.language = language
        self.language_chosen = True   # the citizen chose; the card type no longer decides
        self.touch()
        self._changed()

    def set_care_mode(self, enabled: bool) -> None:
        self.care_mode = enabled
        self.touch()
        self._changed()

    @property
    def effective_timeouts(self) -> Timeouts:
        """Care mode gives more time at every step (the countdown too)."""
        if not self.care_mode:
            return self.timeouts
        t, k = self.timeouts, CARE_MODE_TIME_FACTOR
        return dataclasses.replace(t, idle_s=t.idle_s * k, countdown_s=t.countdown_s * k,
                                   card_read_s=t.card_read_s * k, face_s=t.face_s * k, receipt_s=t.receipt_s * k)

    def call_staff(self) -> None:
        """Help button (every screen): staff are called; the session goes on."""
        self.help_requested = True
        self.touch()
        self._command(CallStaff(self.token, self.state.value))
        self._changed()

    def choose_service(self, service_id: str) -> None:
        if self.state is not State.CHOOSE_SERVICE or self.catalog is None:
            return
        service = self.catalog.service(service_id)
        if not service.available:
            return
        self.service = service
        self._go(State.SERVICE_INFO)

    def begin_service(self) -> None:
        """The citizen read the materials list and pressed "Start"."""
        if self.state is not State.SERVICE_INFO:
            return
        if self._service.kind == "progress_query":
            self.query_error = None
            self._go(State.QUERY)
        elif self._service.identity in ("none", "face_only"):
            # Face-only: the citizen types the ID number first (it tells the
            # platform whose reference photo to compare with), then the face.
            self._go(State.FORM)
        else:
            self._start_card_read()

    def set_field(self, field_id: str, value: str) -> None:
        if self.state is not State.FORM:
            return
        form_field = next((f for f in self._service.fields if f.id == field_id), None)
        if form_field is None or form_field.readonly:
            return
        self._data.form_values[field_id] = value
        self.field_errors.pop(field_id, None)
        self._changed()

    def submit_form(self) -> None:
        if self.state is not State.FORM:
            return
        self.field_errors = {}
        for form_field in self._service.fields:
            problem = form_field.validate(self._data.form_values.get(form_field.id, ""))
            if problem:
                self.field_errors[form_field.id] = problem
        if self.field_errors:
            self._changed()
        elif self._service.identity == "face_only" and not self.face_verified:
            self._start_face_check()
        else:
            self._go(State.CONFIRM)

    # --- progress query (办事进度查询) -------------------------------------------------

    def query_number(self, reference: str) -> None:
        """The citizen typed an application number and pressed Search."""
        if self.state is not State.QUERY or self.query_busy:
            return
        reference = (reference or "").strip()
        if re.fullmatch(r"GD[0-9]{14}", reference, re.IGNORECASE):
            reference = reference.upper()     # a typed number; tokens and UUIDs keep their case
        if not reference:
            self.query_error = "query_number_required"
            self._changed()
            return
        self._lookup(reference)

    def scan_receipt_qr(self) -> None:
        if self.state is not State.QUERY or self.query_busy:
            return
        self.query_error = None
        self.query_scanning = True
        self._query_started = self._clock()
        self.touch()
        self._command(ScanQr(self.token, self.effective_timeouts.card_read_s))
        self._changed()

    def qr_scanned(self, token: int, payload: str | None) -> None:
        """Decoded receipt QR (a progress-query link), or None when nothing was found in time."""
        if token != self.token or self.state is not State.QUERY or not self.query_scanning:
            return
        self.query_scanning = False
        reference = reference_from_qr(payload) if payload else None
        if reference is None:
            self.query_error = "query_qr_not_found" if payload is None else "query_qr_not_ours"
            self._changed()
            return
        self._lookup(reference)

    def query_answered(self, token: int, status: dict[str, Any] | None, error: str | None = None,
                       reference: str | None = None) -> None:
        """The platform's answer: the status record, or an error key (not_found, offline).
        With `reference`, an answer to an earlier lookup (one that ran past its deadline) is ignored."""
        if token != self.token or self.state is not State.QUERY or not self.query_busy:
            return
        if reference is not None and reference != self._query_reference:
            return
        self.query_busy = False
        if status is None:
            self.query_error = f"query_{error or 'not_found'}"
            self._changed()
            return
        scope = self._service.query_services
        if scope and status.get("service_id") not in scope:
            self.query_error = "query_other_service"
            self._changed()
            return
        self.query_result = dict(status)
        self._go(State.QUERY_RESULT)

    def finish_query(self) -> None:
        if self.state is State.QUERY_RESULT:
            self._end(EndReason.COMPLETED)

    def _lookup(self, reference: str) -> None:
        self.query_error = None
        self.query_busy = True
        self._query_reference = reference
        self._query_started = self._clock()
        self.touch()
        self._command(LookupApplication(self.token, reference))
        self._changed()

    def confirm(self) -> None:
        """The citizen confirmed the summary: the application is submitted."""
        if self.state is not State.CONFIRM:
            return
        application_id = str(uuid.uuid4())  # the Idempotency-Key, created before any write
        doc = self._data.document
        values = self._data.form_values
        body = {
            "application_id": application_id,
            "service_id": self._service.id,
            "kiosk_id": self.kiosk_id,
            "applicant": {
                "id_number": doc.id_number if doc else values.get("id_number", ""),
                "name": doc.name if doc else values.get("name", ""),
                "address": doc.address if doc else values.get("address", ""),
                "phone": values.get("phone", ""),
                # The number's format depends on the document (a passport's is not GB 11643).
                "document_type": doc.card_type.value if doc else "resident_id",
            },
            "form": dict(values),
            "submitted_at": self._now().isoformat(timespec="seconds"),
            # 跨区通办: which region and department receive it (from the catalog).
            "routing": {"region_code": self._service.region_code, "department": self._service.department_code},
        }
        if self._service.is_bundle:
            body["items"] = list(self._service.items)   # 一件事: one form, one submission, several items
        self._pending_application_id = application_id
        self._submission_stored = False
        self._go(State.SUBMITTING)
        self._command(Submit(self.token, application_id, body))

    def finish_receipt(self) -> None:
        if self.state is State.RECEIPT:
            self._go(State.RATE)

    def rate(self, level: str | None, reasons: tuple[str, ...] = ()) -> None:
        """好差评: a level, or None to skip (recorded as "no rating")."""
        if self.state is not State.RATE or self._data.outcome is None:
            return
        if level is not None and level not in RATING_LEVELS:
            raise ValueError(f"unknown rating level {level!r}")
        rating_id = str(uuid.uuid4())
        body = {
            "rating_id": rating_id,
            "application_id": self._data.outcome.application_id,
            "kiosk_id": self.kiosk_id,
            "level": level,
            "skipped": level is None,
            "reasons": list(reasons) if level in NEGATIVE_LEVELS else [],
            "rated_at": self._now().isoformat(timespec="seconds"),
        }
        self._command(SendRating(self.token, rating_id, body))
        self._end(EndReason.COMPLETED)

    def retry(self) -> None:
        """The way forward offered on the error screen."""
        if self.state is not State.ERROR or self.error_retry is None:
            return
        retry, self.error_retry = self.error_retry, None
        self.error_key = None
        retry()

    def back(self) -> None:
        previous = {
            State.SERVICE_INFO: State.CHOOSE_SERVICE,
            State.CONFIRM: State.FORM,
        }.get(self.state)
        if previous is not None:
            self._go(previous)
        elif self.state is State.CHOOSE_SERVICE:
            self.cancel()

    def cancel(self) -> None:
        if self.state is State.IDLE:
            return
        if self.state is State.QUERY and self.query_scanning:
            self.query_scanning = False    # "Stop scanning" cancels only the scan
            self._command(CancelDeviceWork(self.token))
            self._changed()
            return
        if self.state is State.SUBMITTING:
            return  # the application is being saved; it cannot be half-cancelled
        if self.state is State.RATE:
            self.rate(None)  # leaving the rating screen = no rating, recorded as such
            return
        self._end(EndReason.CANCELLED)

    # --- device / platform events --------------------------------------------

    def card_read(self, token: int, document: IdentityDocument) -> None:
        if token != self.token or self.state is not State.IDENTIFY:
            return
        problem = self._service.eligibility_problem(document, self._today())
        if problem:
            self._fail(problem, retry=None)
            return
        self._data.document = document
        self._data.form_values = self._service.prefilled_values(document)
        card_language = CARD_LANGUAGE.get(document.card_type)
        if card_language and not self.language_chosen:
            # A HK/Macau permit holder reads Traditional Chinese, a foreigner English,
            # unless they already picked a language themselves.
            self.language = card_language
        self.touch()
        if self._service.identity == "card_and_face":
            self._start_face_check()
        else:
            self._go(State.FORM)

    def card_failed(self, token: int, reason: str) -> None:
        if token != self.token or self.state is not State.IDENTIFY:
            return
        if reason == "mrz_required":            # a passport: its chip opens with the printed MRZ data
            self.mrz_error = None
            if not self.language_chosen:        # as after reading one: its holder reads English
                self.language = CARD_LANGUAGE.get(CardType.EMRTD, self.language)
            self._go(State.MRZ_ENTRY)
            return
        if reason == "mrz_mismatch":
            self.mrz_attempts += 1
            if self.mrz_attempts >= MAX_MRZ_ATTEMPTS:
                self._fail("card_mrz_go_to_counter", retry=None)
            else:
                self.mrz_error = "mrz_mismatch"
                self._go(State.MRZ_ENTRY)
            return
        # A card that failed its document checks will fail again: no "Try again".
        retry = None if reason == "invalid_document" else self._start_card_read
        self._fail(f"card_{reason}", retry=retry)

    def submit_mrz(self, document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> None:
        """The citizen typed the passport number and the two dates from the photo page."""
        if self.state is not State.MRZ_ENTRY:
            return
        self.touch()
        number = (document_number or "").strip().upper().replace(" ", "")
        birth, expiry = (birth_yymmdd or "").strip(), (expiry_yymmdd or "").strip()
        problem = (None if re.fullmatch(r"[A-Z0-9]{5,9}", number) else "mrz_document_number") \
            or (None if _is_yymmdd(birth) else "mrz_birth_date") \
            or (None if _is_yymmdd(expiry) else "mrz_expiry_date")
        if problem:
            self.mrz_error = problem
            self._changed()
            return
        self.mrz_error = None
        self._start_card_read(mrz=(number, birth, expiry))

    def face_result(self, token: int, matched: bool, reason: str) -> None:
        if token != self.token or self.state is not State.VERIFY_FACE:
            return
        self.touch()
        if matched:
            self.face_verified = True
            self._go(State.CONFIRM if self._service.identity == "face_only" else State.FORM)
            return
        if reason == "no_reference_face" and self._service.identity == "face_only":
            # Nothing to compare with on the platform: retrying cannot help.
            self._fail("face_no_photo_on_record", retry=None)
            return
        self.face_attempts += 1
        if self.face_attempts >= MAX_FACE_ATTEMPTS:
            # Not a fourth try: a look-alike must not get unlimited attempts,
            # and the genuine holder is served faster at the counter.
            self._fail("face_go_to_counter", retry=None)
        else:
            self._fail(f"face_{reason}", retry=self._start_face_check)

    def submission_stored(self, token: int) -> None:
        """The outbox committed the application durably (the platform may not have answered yet)."""
        if token == self.token and self.state is State.SUBMITTING:
            self._submission_stored = True

    def submission_saved(self, token: int, outcome: Outcome) -> None:
        """The outbox committed the application (and maybe the platform answered)."""
        if token != self.token or self.state is not State.SUBMITTING:
            return
        self._data.outcome = outcome
        if not self._service.receipt.print or self._service.receipt.kind == "none":
            self.print_status = "not_needed"
            self._go(State.RECEIPT)
            return
        self.print_status = "printing"
        self._go(State.RECEIPT)
        self._command(PrintReceipt(self.token))

    def submission_failed(self, token: int, reason: str) -> None:
        """Nothing was saved: no receipt, and the citizen is told so."""
        if token != self.token or self.state is not State.SUBMITTING:
            return
        if reason == "rejected":
            # Saved, but the platform refused it for good (validation): retrying
            # the same data cannot succeed; staff must look at it.
            self._fail("submit_rejected", retry=None)
        else:
            self._fail("submit_not_saved", retry=self._back_to_confirm)

    def receipt_printed(self, token: int) -> None:
        if token == self.token and self.state is State.RECEIPT:
            self.print_status = "printed"
            self._changed()

    def receipt_failed(self, token: int, reason: str) -> None:
        if token == self.token and self.state is State.RECEIPT:
            self.print_status = f"failed:{reason}"  # the screen shows the number + QR instead
            self._changed()

    def tick(self) -> None:
        """Called about once a second by the controller."""
        if self.state is State.IDLE:
            return
        now = self._clock()
        timeouts = self.effective_timeouts
        if self._warning_started is not None:
            if now - self._warning_started >= timeouts.countdown_s:
                if self.state is State.RATE:
                    self.rate(None)
                else:
                    self._end(EndReason.TIMEOUT)
            else:
                self._changed()
            return
        if self.state is State.SUBMITTING:
            # The citizen is waiting on us, not the other way round: no idle warning, a deadline.
            if now - self._entered_at >= timeouts.submitting_s:
                self._submission_overdue()
            return
        if self.state is State.RECEIPT and now - self._entered_at >= timeouts.receipt_s:
            self.finish_receipt()
            return
        if self.state is State.QUERY and (self.query_busy or self.query_scanning):
            self._query_overdue(now - self._query_started)   # waiting on the platform or the camera
            return
        if now - self._last_activity >= timeouts.idle_s:
            self._warning_started = now
            self._changed()

    # --- internals -------------------------------------------------------------

    def _start_card_read(self, mrz: tuple[str, str, str] | None = None) -> None:
        self._go(State.IDENTIFY)
        self._command(ReadCard(self.token, self.effective_timeouts.card_read_s, mrz))

    def _start_face_check(self) -> None:
        self._go(State.VERIFY_FACE)
        photo = self._data.document.photo_jpeg if self._data.document else None
        id_number = None if self._data.document else self._data.form_values.get("id_number")
        self._command(VerifyFace(self.token, photo, self.effective_timeouts.face_s, id_number))

    def _submission_overdue(self) -> None:
        """SUBMITTING ran past its deadline without an outcome from the controller."""
        if self._submission_stored and self._pending_application_id is not None:
            # In the outbox for good: the sender delivers it later. The citizen gets the
            # "saved, will be sent automatically" receipt, as when the platform is offline.
            self.submission_saved(self.token, Outcome(self._pending_application_id, None, queued_offline=True))
        else:
            # Not known to be stored: no receipt, no "try again" (a second copy might be filed).
            self._fail("submit_not_confirmed", retry=None)

    def _query_overdue(self, waited_s: float) -> None:
        timeouts = self.effective_timeouts
        if self.query_busy and waited_s >= timeouts.query_s:
            self.query_busy = False
            self.query_error = "query_offline"
            self._changed()
        elif self.query_scanning and waited_s >= timeouts.card_read_s + SCAN_GRACE_S:
            self.query_scanning = False
            self.query_error = "query_qr_not_found"
            self._command(CancelDeviceWork(self.token))
            self._changed()

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
        self.service = None
        self.field_errors = {}
        self.error_key = None
        self.error_retry = None
        self.face_attempts = 0
        self.mrz_attempts = 0
        self.mrz_error = None
        self.print_status = None
        self.last_end_reason = None
        self._pending_application_id = None
        self._entered_at = self._last_activity = self._clock()
        self._warning_started = None

    def _wipe(self) -> None:
        self._data = _CitizenData()

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _command(self, command: object) -> None:
        for handler in list(self._command_handlers):
            handler(command)


def _is_yymmdd(value: str) -> bool:
    """Six digits that name a real calendar day (the century does not matter for that)."""
    if not re.fullmatch(r"[0-9]{6}", value):
        return False
    try:
        dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))   # 2000 is a leap year
    except ValueError:
        return False
    return True


def reference_from_qr(payload: str) -> str | None:
    """The application reference in a receipt QR: the last path segment of the
    progress-query link (…/applications/<number|token|uuid>), or a bare number."""
    import re
    payload = payload.strip()
    match = re.search(r"/applications/([A-Za-z0-9_-]{8,64})/?$", payload)
    if match:
        return match.group(1)
    if re.fullmatch(r"GD[0-9]{14}", payload):
        return payload
    return None
