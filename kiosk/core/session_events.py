"""Citizen session, part 4 of 5: events from the devices and the platform.

`DeviceEventsMixin` holds what the controller feeds back into the session: the card
read or its failure (and the passport MRZ entry it may ask for), the face result,
the submission stored / saved / failed, the receipt printed or not, and the
submission deadline (`_submission_overdue`, called by `tick()`). Every event carries
the session token; one for an earlier session is ignored.
"""
from __future__ import annotations

import datetime as dt
import re

from kiosk.core.catalog import CARD_LANGUAGE
from kiosk.core.identity import CardType, IdentityDocument
from kiosk.core.session_base import SessionBase
from kiosk.core.session_types import MAX_FACE_ATTEMPTS, MAX_MRZ_ATTEMPTS, Outcome, PrintReceipt, State


class DeviceEventsMixin(SessionBase):
    def _start_licence_list(self) -> None:   # CertificatesMixin (session_certificates.py) implements it
        raise NotImplementedError

    """Device and platform events, and the submission deadline, of `CitizenSession`."""

    def card_read(self, token: int, document: IdentityDocument) -> None:
        if token != self.token or self.state is not State.IDENTIFY:
            return
        self._identity_known(document)

    def _identity_known(self, document: IdentityDocument) -> None:
        """An identity from the card or the government app: eligibility, prefill, then face or form."""
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
                # After a camera read the citizen checks the page and types the details.
                self.mrz_error = "mrz_camera_mismatch" if self.mrz_from_camera else "mrz_mismatch"
                self.mrz_from_camera = False
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
        self.mrz_from_camera = False
        self._start_card_read(mrz=(number, birth, expiry))

    def face_result(self, token: int, matched: bool, reason: str) -> None:
        if token != self.token or self.state is not State.VERIFY_FACE:
            return
        self.touch()
        if matched:
            self.face_verified = True
            if self._service.kind == "licence_print":
                self._start_licence_list()    # kiosk/core/session_certificates.py
                return
            self._go(State.CONFIRM if self._service.identity == "face_only" else State.FORM)
            return
        if reason == "reference_unavailable":
            # The platform holding the photo on record did not answer: not the citizen's failed try.
            self._fail("face_reference_unavailable", retry=self._start_face_check)
            return
        from_app = self._data.document is not None and self._data.document.source != "card"
        if reason == "no_reference_face" and (self._service.identity == "face_only" or from_app):
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

    def _submission_overdue(self) -> None:
        """SUBMITTING ran past its deadline without an outcome from the controller."""
        if self._submission_stored and self._pending_application_id is not None:
            # In the outbox for good: the sender delivers it later. The citizen gets the
            # "saved, will be sent automatically" receipt, as when the platform is offline.
            self.submission_saved(self.token, Outcome(self._pending_application_id, None, queued_offline=True))
        else:
            # Not known to be stored: no receipt, no "try again" (a second copy might be filed).
            self._fail("submit_not_confirmed", retry=None)


def _is_yymmdd(value: str) -> bool:
    """Six digits that name a real calendar day (the century does not matter for that)."""
    if not re.fullmatch(r"[0-9]{6}", value):
        return False
    try:
        dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))   # 2000 is a leap year
    except ValueError:
        return False
    return True
