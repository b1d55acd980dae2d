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

The code is split by concern (each module's docstring says what it holds):
`session_types` (states, constants, commands, Outcome, Timeouts), `session_base`
(`SessionBase`: attributes, wiring, internals), `session_query` (progress query),
`session_events` (device and platform events); this module holds `CitizenSession`
with the remaining user intents and `tick()`, and re-exports the public names.
"""
from __future__ import annotations

import uuid

from kiosk.core.session_base import SessionBase
from kiosk.core.session_certificates import CertificatesMixin
from kiosk.core.session_documents import DocumentsMixin
from kiosk.core.session_events import _is_yymmdd
from kiosk.core.session_payment import PaymentMixin
from kiosk.core.session_phone import PhoneIdentityMixin
from kiosk.core.session_query import QueryFlowMixin, reference_from_qr
from kiosk.core.session_types import (
    CARE_MODE_TIME_FACTOR, MAX_FACE_ATTEMPTS, MAX_MRZ_ATTEMPTS, NEGATIVE_LEVELS, RATING_LEVELS, SCAN_GRACE_S,
    CallStaff, CancelDeviceWork, CapturePage, DiscardLicence, EndReason, ExchangeAppCode, FetchLicence, ListLicences,
    LookupApplication, Outcome, PrintLicence, PrintReceipt, ReadCard, ScanAppCode, ScanMrz, ScannedPage, ScanQr,
    SendRating, SessionEnded, StartAppLogin, State, Submit, Timeouts, VerifyFace, _CitizenData,
)
from kiosk.core.session_types import ClosePayment, PayWithCode, StartPayment

__all__ = [
    "CARE_MODE_TIME_FACTOR", "MAX_FACE_ATTEMPTS", "MAX_MRZ_ATTEMPTS", "NEGATIVE_LEVELS", "RATING_LEVELS",
    "SCAN_GRACE_S", "CallStaff", "CancelDeviceWork", "CapturePage", "CitizenSession", "ClosePayment", "DiscardLicence", "EndReason",
    "ExchangeAppCode", "FetchLicence", "ListLicences", "LookupApplication", "Outcome", "PayWithCode", "PrintLicence", "PrintReceipt",
    "ReadCard", "ScanAppCode", "ScanMrz", "ScannedPage", "ScanQr", "SendRating", "SessionBase", "SessionEnded",
    "StartAppLogin", "StartPayment", "State",
    "Submit", "Timeouts", "VerifyFace", "_CitizenData", "_is_yymmdd", "reference_from_qr",
]


class CitizenSession(CertificatesMixin, QueryFlowMixin, PhoneIdentityMixin, DocumentsMixin, PaymentMixin):
    """One citizen's visit: the user intents and `tick()`; the rest is in the mixins and `SessionBase`."""

    # --- user intents -------------------------------------------------------

    def start(self) -> None:
        # After a crash the kiosk serves again only once earlier payments are resolved (a few seconds).
        if self.state is State.IDLE and not self.payments_recovering:
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

    def call_staff(self) -> None:
        """Help button (every screen): staff are called; the session goes on."""
        self.help_requested = True
        self.touch()
        self._command(CallStaff(self.token, self.state.value))
        self._changed()

    def choose_service(self, service_id: str) -> None:
        if self.state is not State.CHOOSE_SERVICE or self.catalog is None:
            return
        try:
            service = self.catalog.service(service_id)
        except KeyError:
            return
        # A service this kiosk cannot do is shown too: its page says where to go instead
        # (where_to_go), and has no Start button.
        self.service = service
        self._go(State.SERVICE_INFO)

    def begin_service(self) -> None:
        """The citizen read the materials list and pressed "Start"."""
        if self.state is not State.SERVICE_INFO or not self._service.available:
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
        elif self._missing_required_materials():
            self._enter_documents()             # a required scan: the step cannot be skipped
        else:
            self._go(State.CONFIRM)

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
        # Free service: SUBMITTING at once; fee due: PAYMENT first (kiosk/core/session_payment.py).
        self.begin_payment_or_submit(application_id, body, self._take_attachments())

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
        if self.state is State.CONFIRM and any(m.required for m in self._service.scan_materials):
            self._enter_documents()
            return
        if self.state is State.SCAN_DOCUMENTS:
            required = any(m.required for m in self._service.scan_materials)
            self._go(State.FORM if required else State.CONFIRM)
            return
        previous = {
            State.SERVICE_INFO: State.CHOOSE_SERVICE,
            State.CONFIRM: State.FORM,
        }.get(self.state)
        if self.state in (State.CERT_PREVIEW, State.CERT_DONE):
            self.back_to_licences()
            return
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
        if self.state is State.MRZ_ENTRY and self.mrz_scanning:
            self.stop_mrz_scan()             # "Stop" cancels only the camera; typing stays
            return
        if self.state in (State.SUBMITTING, State.CERT_PRINTING):
            return  # being saved / being printed: it cannot be half-cancelled
        if self.state is State.PAYMENT:
            self.cancel_payment()   # the order is closed first; the platform's last word decides
            return
        if self.state is State.RATE:
            self.rate(None)  # leaving the rating screen = no rating, recorded as such
            return
        self._end(EndReason.CANCELLED)

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
        if self.state is State.PAYMENT:
            self._payment_tick(now)   # the payment countdown replaces the idle warning
            return
        if self.state is State.SUBMITTING:
            # The citizen is waiting on us, not the other way round: no idle warning, a deadline.
            if now - self._entered_at >= timeouts.submitting_s:
                self._submission_overdue()
            return
        if self.state is State.CERT_PRINTING or (self.state is State.CERT_LIST and self.certificates is not None
                                                 and self.certificates.licences is None):
            self._licence_overdue(now - self._entered_at)   # waiting on the printer / the platform
            return
        if self.state is State.RECEIPT and now - self._entered_at >= timeouts.receipt_s:
            self.finish_receipt()
            return
        if self.state is State.QUERY and (self.query_busy or self.query_scanning):
            self._query_overdue(now - self._query_started)   # waiting on the platform or the camera
            return
        if self._phone_waiting(now):     # identity by phone: waiting on the camera, platform or app
            return
        if now - self._last_activity >= timeouts.idle_s:
            self._warning_started = now
            self._changed()
