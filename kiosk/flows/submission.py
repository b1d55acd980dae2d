"""Submission flow: saving and delivering the application, the receipt, the rating."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from kiosk.core import session as s
from kiosk.flows.context import Coordinator, FlowContext
from kiosk.core.pii import mask_id_number, mask_name, mask_phone
from kiosk.flows.payment import paid_receipt_fields
from kiosk.qr import qr_png
from offline_cache.outbox import Attachment, RowState, Submission

log = logging.getLogger(__name__)


class SubmissionFlow(Coordinator):
    """Owns everything from "Confirm" to the rating: the Submit command (durable outbox
    commit first, then a few seconds for the platform's answer, always ending in one
    outcome for the session), the SMS-receipt decision, the receipt's QR code, building
    and printing the receipt (PrintReceipt) and its print results, and saving the
    rating (SendRating) for the sender. `outbox_changed` wakes a submission waiting for
    its delivery; it is called on the sync worker's thread."""

    def __init__(self, ctx: FlowContext, parent=None):
        super().__init__(ctx, parent)
        self._print_jobs: dict[str, int] = {}
        self._delivery_waiters: dict[str, threading.Event] = {}
        self._waiters_lock = threading.Lock()
        ctx.printer.print_done.connect(self._on_print_done)
        ctx.printer.print_failed.connect(self._on_print_failed)

    # --- the receipt's QR ----------------------------------------------------------

    def receipt_qr_payload(self) -> str | None:
        outcome = self.session.outcome
        return None if outcome is None else self.qr_payload_for(outcome)

    def qr_payload_for(self, outcome) -> str:
        """Progress-query link for the receipt: an opaque token, never personal data."""
        reference = outcome.query_token or outcome.application_id
        return f"{self.ctx.config.platform.url.rstrip('/')}/applications/{reference}"

    def _qr_image(self, outcome) -> bytes | None:
        """The receipt QR as PNG, or None (the receipt still shows the number) if it cannot be made."""
        try:
            return qr_png(self.qr_payload_for(outcome))
        except Exception as exc:
            log.error("receipt QR could not be made", extra={"error": type(exc).__name__})
            return None

    # --- submit ----------------------------------------------------------------------

    def submit(self, command: s.Submit) -> None:
        if command.stored:      # a paid application: the payment step already put it in the outbox
            self.ctx.jobs.run("submit-paid", lambda: self._await_stored(command.token, command.application_id))
            return
        body = command.body
        phone = (body.get("applicant") or {}).get("phone", "")
        if phone and not self.ctx.printer.can_print():
            # No paper receipt possible: ask the platform to text the receipt (number +
            # progress link) to the phone the citizen gave. Decided before saving, so the
            # flag travels with the application even when it is queued offline.
            body = {**body, "sms_receipt": True}
            self.view.receipt_sms_to = mask_phone(phone)
        # Scanned pages travel inside the outbox's encrypted record / spool (offline_cache/spool.py).
        submission = Submission(submission_id=command.application_id, kind="application",
                                body=body, created_at=time.time(),
                                attachments=tuple(Attachment(name, content_type, data)
                                                  for name, content_type, data in command.attachments))
        self.ctx.jobs.run("submit", lambda: self._save_and_deliver(command.token, submission))

    def _save_and_deliver(self, token: int, submission: Submission) -> None:
        """Background: durable commit first; then give the platform a few seconds.

        Always ends in one `_on_submission_done`: whatever goes wrong after the commit (an odd
        stored result, the QR code, a bug) still gives the "saved, will be sent" receipt,
        because the application IS in the outbox and the sender delivers it."""
        post = self.ctx.jobs.post
        try:
            stored = self._store(token, submission)
        except Exception as exc:  # nothing saved: the citizen must not get a receipt
            log.error("application could not be saved", extra={"submission": submission.submission_id,
                                                              "error": type(exc).__name__})
            post(self._on_submission_done, token, None, "not_saved", None)
            return
        try:
            outcome, failure = self._await_delivery(stored)
        except Exception as exc:
            log.error("submission outcome failed; receipt says queued", extra={
                "submission": submission.submission_id, "error": type(exc).__name__})
            outcome, failure = s.Outcome(submission.submission_id, None, queued_offline=True), ""
        post(self._on_submission_done, token, outcome, failure, None if outcome is None else self._qr_image(outcome))

    def _await_stored(self, token: int, application_id: str) -> None:
        """Background: the outbox already holds it (kiosk/payments.py settle); wait for the number."""
        delivered = threading.Event()
        with self._waiters_lock:
            self._delivery_waiters[application_id] = delivered
        entry = self.ctx.outbox.entry(application_id)
        if entry is not None and entry.state in (RowState.DELIVERED, RowState.DEAD):
            delivered.set()
        self.ctx.jobs.post(self.session.submission_stored, token)
        self.ctx.sync_worker.kick()
        submission = Submission(submission_id=application_id, kind="application", body={}, created_at=time.time())
        try:
            outcome, failure = self._await_delivery((submission, delivered))
        except Exception as exc:
            log.error("submission outcome failed; receipt says queued", extra={
                "submission": application_id, "error": type(exc).__name__})
            outcome, failure = s.Outcome(application_id, None, queued_offline=True), ""
        self.ctx.jobs.post(self._on_submission_done, token, outcome, failure,
                           None if outcome is None else self._qr_image(outcome))

    def _store(self, token: int, submission: Submission) -> tuple[Submission, threading.Event]:
        """Durable commit; tells the session (its SUBMITTING deadline then ends in a receipt)."""
        delivered = threading.Event()
        with self._waiters_lock:
            self._delivery_waiters[submission.submission_id] = delivered
        try:
            self.ctx.outbox.enqueue(submission)
        except Exception:
            with self._waiters_lock:
                self._delivery_waiters.pop(submission.submission_id, None)
            raise
        log.info("application saved", extra={"submission": submission.submission_id})
        self.ctx.jobs.post(self.session.submission_stored, token)
        self.ctx.sync_worker.kick()
        return submission, delivered

    def _await_delivery(self, stored: tuple[Submission, threading.Event]) -> tuple[s.Outcome | None, str]:
        """The platform's answer within submit_wait_s, as an Outcome (queued when there is none)."""
        submission, delivered = stored
        delivered.wait(self.ctx.config.platform.submit_wait_s)
        with self._waiters_lock:
            self._delivery_waiters.pop(submission.submission_id, None)
        entry = self.ctx.outbox.entry(submission.submission_id)
        if entry is not None and entry.state == RowState.DEAD:
            return None, "rejected"
        result = (entry.result or {}) if entry is not None and entry.state == RowState.DELIVERED else {}
        expected = result.get("expected_completion")
        outcome = s.Outcome(
            application_id=submission.submission_id,
            application_number=result.get("application_number"),
            queued_offline=not result,
            query_token=result.get("query_token"),
            expected_completion=dt.date.fromisoformat(expected) if expected else None,
            ticket_number=result.get("ticket_number"),
        )
        return outcome, ""

    def outbox_changed(self, entry) -> None:
        """Sync worker's thread: a delivered or dead-lettered application ends its wait."""
        if entry.state in (RowState.DELIVERED, RowState.DEAD):
            with self._waiters_lock:
                waiter = self._delivery_waiters.get(entry.submission_id)
            if waiter is not None:
                waiter.set()

    def _on_submission_done(self, token: int, outcome, failure: str, qr_image) -> None:
        if token == self.session.token:
            self.view.receipt_qr_png = qr_image
        if outcome is None:
            self.session.submission_failed(token, failure)
        else:
            self.session.submission_saved(token, outcome)

    # --- receipt and rating ------------------------------------------------------------

    def print_receipt(self, command: s.PrintReceipt) -> None:
        # Data only; printing happens on the printer's thread.
        from devices.printer.receipt import Receipt
        session, config = self.session, self.ctx.config
        outcome, doc = session.outcome, session.document
        name = doc.name if doc else session.form_values.get("name", "")
        number = doc.id_number if doc else session.form_values.get("id_number", "")
        receipt = Receipt(
            language=session.language,
            kiosk_id=config.kiosk.id,
            kiosk_location=config.kiosk.location,
            service_name=session.service.name(session.language),
            applicant_name_masked=mask_name(name),
            id_number_masked=mask_id_number(number),
            # A queue ticket's big number is the ticket (called out in the hall).
            application_number=(outcome.ticket_number or outcome.application_number
                                or outcome.application_id[:8].upper()),
            qr_payload=self.receipt_qr_payload(),
            submitted_at=dt.datetime.now(),
            expected_completion=outcome.expected_completion,
            materials=tuple(m.get(session.language) or m.get("zh_CN", "") for m in session.service.materials),
            queued_offline=outcome.queued_offline,
            **paid_receipt_fields(session.payment),
        )
        job_id = self.ctx.printer.print_receipt(receipt)
        self._print_jobs[job_id] = command.token

    def _on_print_done(self, job_id: str) -> None:
        token = self._print_jobs.pop(job_id, None)
        if token is not None:
            self.session.receipt_printed(token)

    def _on_print_failed(self, job_id: str, reason: str) -> None:
        log.warning("receipt not printed", extra={"job": job_id, "reason": reason})
        token = self._print_jobs.pop(job_id, None)
        if token is not None:
            self.session.receipt_failed(token, reason)

    def send_rating(self, command: s.SendRating) -> None:
        submission = Submission(submission_id=command.rating_id, kind="rating",
                                body=command.body, created_at=time.time())

        def save():
            try:
                self.ctx.outbox.enqueue(submission)
                self.ctx.sync_worker.kick()
            except Exception as exc:
                log.error("rating could not be saved", extra={"submission": submission.submission_id,
                                                             "error": type(exc).__name__})
        self.ctx.jobs.run("rating", save)

    def session_ended(self, token: int) -> None:
        self.view.receipt_qr_png = None
        self.view.receipt_sms_to = None
        self._print_jobs = {job: t for job, t in self._print_jobs.items() if t != token}
