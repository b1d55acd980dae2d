"""The controller: the only place where the session meets devices, the face
verifier, the outbox and the platform.

Screens call its intent methods (start, choose_service, confirm, ...), which go
straight to the session. The session answers with commands (ReadCard,
VerifyFace, Submit, PrintReceipt, SendRating, ...), which the controller turns
into device calls and background jobs. Results come back as Qt signals into the
GUI thread and are fed to the session as events, tagged with the session token
that started them.

Nothing here blocks the GUI thread: device work runs on each device's worker
thread, face matching in a separate process, outbox writes and HTTP on plain
background threads.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.core import session as s
from kiosk.core.catalog import CatalogError, parse_catalog
from kiosk.config import KioskConfig
from kiosk.core.document_gate import document_problems, warm_up_document_checks
from kiosk.core.face_decision import FaceCheckParams
from kiosk.logging_setup import SensitiveNames
from kiosk.core.pii import mask_id_number, mask_name, mask_phone
from kiosk.qr import qr_png
from kiosk.qr_scan import QrScanner
from offline_cache.catalog_cache import CatalogRejected
from offline_cache.outbox import Submission
from screens.base import KioskView

log = logging.getLogger(__name__)

CATALOG_RETRY_S = 30.0


def session_timeouts(config: KioskConfig) -> s.Timeouts:
    """The session's timeouts from the configuration, with deadlines for the states where the
    citizen waits on the kiosk: past what the controller itself waits, so its answer normally wins."""
    t, p = config.timeouts, config.platform
    request_s = p.connect_timeout_s + p.read_timeout_s        # PlatformClient's overall deadline per call
    return s.Timeouts(t.idle_s, t.countdown_s, t.card_read_s, t.face_s, t.receipt_s,
                      submitting_s=p.submit_wait_s + 20.0,    # + a slow durable commit
                      query_s=request_s + 5.0)


def _query_error_key(exc: Exception) -> str:
    """not_found / token_required (404), offline (no answer), or unavailable (an answer the kiosk
    cannot use). The platform looks progress up by the receipt's QR token only, not by the number."""
    if getattr(exc, "status", None) == 404:
        return "token_required" if getattr(exc, "server_code", None) == "query_token_required" else "not_found"
    if getattr(exc, "code", None) in ("malformed_reply", "reply_too_large", "redirect") \
            or not getattr(exc, "retryable", False):
        return "unavailable"
    return "offline"


class KioskController(QObject):
    changed = Signal()
    # Staff assistance needed at this kiosk (reason code, e.g. "face_go_to_counter"):
    # for a call-for-help light or the hall's staff system. No personal data.
    staff_help_requested = Signal(str)
    # Results from background threads, delivered queued into the GUI thread.
    _submission_done = Signal(int, object, str, object)   # token, Outcome | None, failure reason, QR PNG
    _submission_stored = Signal(int)                  # token: the outbox committed the application
    _catalog_fetched = Signal(object)                 # Catalog
    _platform_reachable = Signal(bool)
    _queue_changed = Signal(int)
    _qr_decoded = Signal(int, object)                 # token, payload
    _query_done = Signal(int, object, str, str)       # token, status dict | None, error key, reference
    _reference_photo = Signal(int, object, float)     # token, JPEG | None, timeout (face-only services)
    _catalog_rejected = Signal(str)                   # technician message

    def __init__(self, config: KioskConfig, *, id_reader, camera, printer, face_verifier,
                 outbox, sync_worker, platform_client, catalog_cache, clock=time.monotonic):
        super().__init__()
        self.config = config
        self.id_reader, self.camera, self.printer = id_reader, camera, printer
        self.face_verifier = face_verifier
        self.outbox, self.sync_worker = outbox, sync_worker
        self.platform_client = platform_client
        self.catalog_cache = catalog_cache
        self.metrics = None             # kiosk.metrics.KioskMetrics when [metrics] port is set
        self.view = KioskView()
        self.session = s.CitizenSession(
            kiosk_id=config.kiosk.id, default_language=config.kiosk.default_language,
            timeouts=session_timeouts(config), clock=clock)
        self.session.on_change(lambda _session: self.changed.emit())
        self.session.on_command(self._execute)
        self._device_token = 0          # session token of the card read / face check in progress
        self._print_jobs: dict[str, int] = {}
        self._delivery_waiters: dict[str, threading.Event] = {}
        self._waiters_lock = threading.Lock()
        self._stopping = threading.Event()
        self._connect_devices()
        self._submission_done.connect(self._on_submission_done)
        self._submission_stored.connect(self._on_submission_stored)   # a bound QObject method: queued
        self._catalog_fetched.connect(self._on_catalog)
        self._platform_reachable.connect(self._on_platform_reachable)
        self._queue_changed.connect(self._on_queue_changed)
        self._qr_decoded.connect(self._on_qr_decoded)
        self._query_done.connect(self._on_query_done)
        self._reference_photo.connect(self._on_reference_photo)
        self._catalog_rejected.connect(self._on_catalog_rejected)
        self._scan_token = 0
        self.qr_scanner = QrScanner(lambda payload: self._qr_decoded.emit(self._scan_token, payload))
        # Face-only services: id_number -> reference JPEG from the platform's
        # records. None = not available here, the citizen is sent to the counter.
        self.reference_photo_source = None
        self._tick = QTimer(self)
        self._tick.setInterval(500)
        self._tick.timeout.connect(self.session.tick)

    # --- lifecycle -----------------------------------------------------------

    def open(self) -> None:
        """Opens devices, starts the face worker, the sender and the background loops."""
        for device in (self.id_reader, self.camera, self.printer):
            device.open()
        self.face_verifier.start()
        self.sync_worker.start()
        self._tick.start()
        threading.Thread(target=self._catalog_loop, name="catalog", daemon=True).start()
        threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True).start()
        # The GB/T 2260 region table takes ~50 ms to build: build it now, off the GUI
        # thread, not on the first card read (the document checks run on the GUI thread).
        threading.Thread(target=warm_up_document_checks, name="document-checks-warm-up", daemon=True).start()

    def close(self) -> None:
        self._stopping.set()
        self._tick.stop()
        self.session.cancel()
        self.qr_scanner.stop()
        self.sync_worker.stop()
        self.face_verifier.shutdown()
        for device in (self.id_reader, self.camera, self.printer):
            device.close()

    # --- intents (called by screens) -------------------------------------------

    def start(self) -> None:
        """The citizen touched the attract screen."""
        self.session.start()

    def touch(self) -> None:
        self.session.touch()

    def set_language(self, language: str) -> None:
        self.session.set_language(language)

    def set_care_mode(self, enabled: bool) -> None:
        self.session.set_care_mode(enabled)

    def choose_service(self, service_id: str) -> None:
        self.session.choose_service(service_id)

    def begin_service(self) -> None:
        self.session.begin_service()

    def set_field(self, field_id: str, value: str) -> None:
        self.session.set_field(field_id, value)

    def submit_form(self) -> None:
        self.session.submit_form()

    def confirm(self) -> None:
        self.session.confirm()

    def finish_receipt(self) -> None:
        self.session.finish_receipt()

    def rate(self, level, reasons=()) -> None:
        self.session.rate(level, tuple(reasons))

    def retry(self) -> None:
        self.session.retry()

    def back(self) -> None:
        self.session.back()

    def cancel(self) -> None:
        self.session.cancel()

    def query_number(self, reference: str) -> None:
        self.session.query_number(reference)

    def submit_mrz(self, document_number: str, birth_yymmdd: str, expiry_yymmdd: str) -> None:
        self.session.submit_mrz(document_number, birth_yymmdd, expiry_yymmdd)

    def scan_receipt_qr(self) -> None:
        self.session.scan_receipt_qr()

    def finish_query(self) -> None:
        self.session.finish_query()

    def call_staff(self) -> None:
        self.session.call_staff()

    def receipt_qr_payload(self) -> str | None:
        outcome = self.session.outcome
        return None if outcome is None else self._qr_payload_for(outcome)

    def _qr_payload_for(self, outcome) -> str:
        """Progress-query link for the receipt: an opaque token, never personal data."""
        reference = outcome.query_token or outcome.application_id
        return f"{self.config.platform.url.rstrip('/')}/applications/{reference}"

    # --- session commands -------------------------------------------------------

    def _execute(self, command) -> None:
        handler = {
            s.ReadCard: self._read_card,
            s.VerifyFace: self._verify_face,
            s.CancelDeviceWork: self._cancel_device_work,
            s.Submit: self._submit,
            s.PrintReceipt: self._print_receipt,
            s.SendRating: self._send_rating,
            s.SessionEnded: self._session_ended,
            s.LookupApplication: self._lookup_application,
            s.ScanQr: self._scan_qr,
            s.CallStaff: self._call_staff,
        }[type(command)]
        handler(command)

    def _read_card(self, command: s.ReadCard) -> None:
        self._device_token = command.token
        if command.mrz is not None:
            # A passport's BAC key, typed by the citizen: handed to the reader for this one read.
            set_mrz_key = getattr(self.id_reader, "set_mrz_key", None)
            try:
                if set_mrz_key is None:
                    raise ValueError("this reader cannot read passports")
                set_mrz_key(*command.mrz)
            except ValueError:
                self.session.card_failed(command.token, "mrz_mismatch")
                return
        self.id_reader.read_card(command.timeout_s)

    def _verify_face(self, command: s.VerifyFace) -> None:
        self._device_token = command.token
        if not command.reference_jpeg and command.id_number and self.reference_photo_source is not None:
            self._fetch_reference_photo(command)
            return
        if not command.reference_jpeg:
            # No decoded chip photo (no WLT decoder configured): the platform's
            # photo for this ID would be used here; until then, go to the counter.
            self.session.face_result(command.token, False, "no_reference_face")
            return
        if self.camera.status().value in ("noDevice", "hardwareError", "offline"):
            self.session.face_result(command.token, False, "camera_unavailable")
            return
        self.view.face_feedback = None
        self.view.face_progress = 0.0
        self.camera.start()
        face = self.config.face
        params = FaceCheckParams(
            face.threshold, liveness=self._liveness_enabled(),
            no_face_timeout_s=face.no_face_timeout_s, challenge_timeout_s=face.challenge_timeout_s,
            turn_delta=face.turn_delta, blink_min_closed_s=face.blink_min_closed_s)
        self.face_verifier.begin(command.reference_jpeg, face.threshold, face.frames_needed,
                                 command.timeout_s, params=params)

    def _liveness_enabled(self) -> bool:
        """face.liveness "auto": on with a real camera, off with the simulator's stills."""
        setting = self.config.face.liveness
        return setting == "on" or (setting == "auto" and self.config.devices.camera.backend != "sim")

    def _fetch_reference_photo(self, command: s.VerifyFace) -> None:
        def fetch():
            try:
                photo = self.reference_photo_source(command.id_number)
            except Exception as exc:
                log.warning("reference photo lookup failed", extra={"error": type(exc).__name__})
                photo = None
            self._reference_photo.emit(command.token, photo, command.timeout_s)
        threading.Thread(target=fetch, name="reference-photo", daemon=True).start()

    def _on_reference_photo(self, token: int, photo, timeout_s: float) -> None:
        if token == self.session.token and self.session.state is s.State.VERIFY_FACE:
            self._verify_face(s.VerifyFace(token, photo, timeout_s))

    # --- progress query ----------------------------------------------------------

    def _lookup_application(self, command: s.LookupApplication) -> None:
        def lookup():
            try:
                status, error = self.platform_client.get_application(command.reference), ""
            except Exception as exc:   # PlatformError (or a bug): never a silent thread death
                status, error = None, _query_error_key(exc)
                log.info("progress query failed", extra={"error": error,
                                                         "reason": getattr(exc, "reason", type(exc).__name__)})
            self._query_done.emit(command.token, status, error, command.reference)
        threading.Thread(target=lookup, name="progress-query", daemon=True).start()

    def _on_query_done(self, token: int, status, error: str, reference: str) -> None:
        self.session.query_answered(token, status, error or None, reference=reference)

    def _scan_qr(self, command: s.ScanQr) -> None:
        self._scan_token = command.token
        if self.camera.status().value in ("noDevice", "hardwareError", "offline"):
            self.session.qr_scanned(command.token, None)
            return
        self.view.camera_image = None
        self.qr_scanner.begin()
        self.camera.start()
        QTimer.singleShot(int(command.timeout_s * 1000), lambda token=command.token: self._scan_timed_out(token))

    def _scan_timed_out(self, token: int) -> None:
        if token == self._scan_token and self.qr_scanner.active:
            self._stop_scan()
            self.session.qr_scanned(token, None)

    def _stop_scan(self) -> None:
        self.qr_scanner.cancel()
        self.camera.stop()
        self.view.camera_image = None

    def _on_qr_decoded(self, token: int, payload) -> None:
        self._stop_scan()
        log.info("receipt QR decoded")   # the payload is an opaque link; not logged anyway
        self.session.qr_scanned(token, payload)

    def _call_staff(self, command: s.CallStaff) -> None:
        # The technician/hall system picks this up from the log and the heartbeat.
        self.view.help_requested_state = command.state
        log.warning("citizen asked for help", extra={"session": command.token, "screen": command.state})

    def _cancel_device_work(self, command: s.CancelDeviceWork) -> None:
        self._stop_scan()
        self.id_reader.cancel()
        self.face_verifier.cancel()
        self.camera.stop()
        self.view.camera_image = None

    def _submit(self, command: s.Submit) -> None:
        body = command.body
        phone = (body.get("applicant") or {}).get("phone", "")
        if phone and not self.printer.can_print():
            # No paper receipt possible: ask the platform to text the receipt (number +
            # progress link) to the phone the citizen gave. Decided before saving, so the
            # flag travels with the application even when it is queued offline.
            body = {**body, "sms_receipt": True}
            self.view.receipt_sms_to = mask_phone(phone)
        submission = Submission(submission_id=command.application_id, kind="application",
                                body=body, created_at=time.time())
        threading.Thread(target=self._save_and_deliver, args=(command.token, submission),
                         name="submit", daemon=True).start()

    def _save_and_deliver(self, token: int, submission: Submission) -> None:
        """Background: durable commit first; then give the platform a few seconds.

        Always ends in one `_submission_done`: whatever goes wrong after the commit (an odd
        stored result, the QR code, a bug) still gives the "saved, will be sent" receipt,
        because the application IS in the outbox and the sender delivers it."""
        try:
            stored = self._store(token, submission)
        except Exception as exc:  # nothing saved: the citizen must not get a receipt
            log.error("application could not be saved", extra={"submission": submission.submission_id,
                                                              "error": type(exc).__name__})
            self._submission_done.emit(token, None, "not_saved", None)
            return
        try:
            outcome, failure = self._await_delivery(stored)
        except Exception as exc:
            log.error("submission outcome failed; receipt says queued", extra={
                "submission": submission.submission_id, "error": type(exc).__name__})
            outcome, failure = s.Outcome(submission.submission_id, None, queued_offline=True), ""
        self._submission_done.emit(token, outcome, failure, None if outcome is None else self._qr_image(outcome))

    def _store(self, token: int, submission: Submission) -> tuple[Submission, threading.Event]:
        """Durable commit; tells the session (its SUBMITTING deadline then ends in a receipt)."""
        delivered = threading.Event()
        with self._waiters_lock:
            self._delivery_waiters[submission.submission_id] = delivered
        try:
            self.outbox.enqueue(submission)
        except Exception:
            with self._waiters_lock:
                self._delivery_waiters.pop(submission.submission_id, None)
            raise
        log.info("application saved", extra={"submission": submission.submission_id})
        self._submission_stored.emit(token)
        self.sync_worker.kick()
        return submission, delivered

    def _await_delivery(self, stored: tuple[Submission, threading.Event]) -> tuple[s.Outcome | None, str]:
        """The platform's answer within submit_wait_s, as an Outcome (queued when there is none)."""
        submission, delivered = stored
        delivered.wait(self.config.platform.submit_wait_s)
        with self._waiters_lock:
            self._delivery_waiters.pop(submission.submission_id, None)
        entry = self.outbox.entry(submission.submission_id)
        if entry is not None and entry.state == "dead":
            return None, "rejected"
        result = (entry.result or {}) if entry is not None and entry.state == "delivered" else {}
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

    def _qr_image(self, outcome) -> bytes | None:
        """The receipt QR as PNG, or None (the receipt still shows the number) if it cannot be made."""
        try:
            return qr_png(self._qr_payload_for(outcome))
        except Exception as exc:
            log.error("receipt QR could not be made", extra={"error": type(exc).__name__})
            return None

    def _on_submission_stored(self, token: int) -> None:
        self.session.submission_stored(token)

    def _on_submission_done(self, token: int, outcome, failure: str, qr_image) -> None:
        if token == self.session.token:
            self.view.receipt_qr_png = qr_image
        if outcome is None:
            self.session.submission_failed(token, failure)
        else:
            self.session.submission_saved(token, outcome)

    def _print_receipt(self, command: s.PrintReceipt) -> None:
        from kiosk.core.receipt import Receipt  # data only; printing happens on the printer's thread
        session = self.session
        outcome, doc = session.outcome, session.document
        name = doc.name if doc else session.form_values.get("name", "")
        number = doc.id_number if doc else session.form_values.get("id_number", "")
        receipt = Receipt(
            language=session.language,
            kiosk_id=self.config.kiosk.id,
            kiosk_location=self.config.kiosk.location,
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
        )
        job_id = self.printer.print_receipt(receipt)
        self._print_jobs[job_id] = command.token

    def _send_rating(self, command: s.SendRating) -> None:
        submission = Submission(submission_id=command.rating_id, kind="rating",
                                body=command.body, created_at=time.time())

        def save():
            try:
                self.outbox.enqueue(submission)
                self.sync_worker.kick()
            except Exception as exc:
                log.error("rating could not be saved", extra={"submission": submission.submission_id,
                                                             "error": type(exc).__name__})
        threading.Thread(target=save, name="rating", daemon=True).start()

    def _session_ended(self, command: s.SessionEnded) -> None:
        SensitiveNames.clear()
        self.view.camera_image = None
        self.view.face_feedback = None
        self.view.receipt_qr_png = None
        self.view.receipt_sms_to = None
        self.view.face_progress = 0.0
        self._print_jobs = {job: token for job, token in self._print_jobs.items() if token != command.token}
        log.info("session ended", extra={"session": command.token, "reason": command.reason.value})
        if self.id_reader.media_status() == "present":
            # A card reader (unlike a motorised one) cannot hand the card back: remind the
            # citizen on the idle screen until the reader reports the card gone.
            self.view.card_left_on_reader = True
            log.info("card left on the reader")
            self.changed.emit()

    def _on_media_status(self, media: str) -> None:
        if media != "present" and self.view.card_left_on_reader:
            self.view.card_left_on_reader = False
            log.info("card taken from the reader")
            self.changed.emit()

    # --- device events -------------------------------------------------------------

    def _connect_devices(self) -> None:
        for device in (self.id_reader, self.camera, self.printer):
            device.status_changed.connect(lambda status, name=device.name: self._on_device_status(name, status))
        self.id_reader.card_read.connect(self._on_card_read)
        self.id_reader.read_failed.connect(self._on_card_failed)
        self.id_reader.media_status_changed.connect(self._on_media_status)
        self.camera.frame_ready.connect(self._on_frame)
        self.camera.preview_ready.connect(self._on_preview)
        self.printer.print_done.connect(self._on_print_done)
        self.printer.print_failed.connect(self._on_print_failed)
        self.printer.paper_status_changed.connect(self._on_paper_status)
        self.face_verifier.models_ready.connect(self._on_face_models_ready)
        self.face_verifier.frame_feedback.connect(self._on_face_feedback)
        self.face_verifier.progress.connect(self._on_face_progress)
        self.face_verifier.finished.connect(self._on_face_finished)

    def _on_device_status(self, name: str, status: str) -> None:
        previous = self.view.device_status.get(name)
        self.view.device_status[name] = status
        if name == "printer":
            self._update_printer_available()
        if previous != status:
            log.info("device status", extra={"device": name, "status": status})
            self.changed.emit()
        if (name == "camera" and status in ("noDevice", "hardwareError", "offline")
                and self.session.state is s.State.VERIFY_FACE):
            # The camera went away mid-check: end it now with a clear message
            # instead of letting the citizen wait for the timeout.
            # The session leaves VERIFY_FACE first, so the "cancelled" result of
            # the check that follows is ignored there.
            self.session.face_result(self._device_token, False, "camera_unavailable")
            self.face_verifier.cancel()
            self.view.camera_image = None

    def _on_card_read(self, document) -> None:
        SensitiveNames.set(document.name)
        log.info("card read", extra={"card": repr(document)})
        problems = document_problems(document)
        if problems:
            # The technician sees which check failed; the citizen is sent to the counter.
            log.warning("card failed document checks", extra={"reasons": problems})
            self.session.card_failed(self._device_token, "invalid_document")
            return
        self.session.card_read(self._device_token, document)

    def _on_card_failed(self, reason: str, detail: str) -> None:
        log.warning("card read failed", extra={"reason": reason, "detail": detail})
        self.session.card_failed(self._device_token, reason)

    def _on_frame(self, frame) -> None:
        if self.qr_scanner.active:
            self.qr_scanner.offer(frame)
            return
        if self.session.state is not s.State.VERIFY_FACE:
            return
        self.face_verifier.offer_frame(frame)

    def _on_preview(self, image) -> None:
        # The camera made this QImage on its own thread (BGR->RGB, mirror, scale):
        # shown while the face is checked and while a receipt QR is aimed at the camera.
        if self.session.state is not s.State.VERIFY_FACE and not self.qr_scanner.active:
            return
        self.view.camera_image = image
        self.changed.emit()

    def _on_face_progress(self, progress: float) -> None:
        self.view.face_progress = progress
        self.changed.emit()

    def _on_face_models_ready(self) -> None:
        self.view.face_models_ready = True
        self.changed.emit()

    def _on_face_feedback(self, feedback: str) -> None:
        if feedback != self.view.face_feedback:
            self.view.face_feedback = feedback
            self.changed.emit()

    def _on_face_finished(self, result) -> None:
        self.camera.stop()
        self.view.camera_image = None
        log.info("face check finished", extra={"matched": result.matched, "reason": result.reason,
                                                "distance": result.best_distance, "frames": result.frames_used})
        self.session.face_result(self._device_token, result.matched, result.reason)
        if self.session.state is s.State.ERROR and self.session.error_key == "face_go_to_counter":
            # Three failed tries: never a fourth; a person comes to help instead.
            log.warning("staff assistance requested", extra={"reason": "face_go_to_counter"})
            self.staff_help_requested.emit("face_go_to_counter")

    def _on_print_done(self, job_id: str) -> None:
        token = self._print_jobs.pop(job_id, None)
        if token is not None:
            self.session.receipt_printed(token)

    def _on_print_failed(self, job_id: str, reason: str) -> None:
        log.warning("receipt not printed", extra={"job": job_id, "reason": reason})
        token = self._print_jobs.pop(job_id, None)
        if token is not None:
            self.session.receipt_failed(token, reason)

    def _on_paper_status(self, status: str) -> None:
        self.view.paper_status = status
        self._update_printer_available()
        self.changed.emit()

    def _update_printer_available(self) -> None:
        """Known before the receipt step: the screens offer the on-screen receipt (+ SMS) instead."""
        starting = self.printer.status().value == "starting"   # not known yet: no notice at boot
        available = None if starting else self.printer.can_print()
        if available != self.view.printer_available:
            self.view.printer_available = available
            log.info("receipt printing", extra={"available": available,
                                                "alert": self.printer.supply_report()["alert"]})
            self.changed.emit()

    # --- outbox and platform (background threads) ------------------------------------

    def on_outbox_change(self, entry) -> None:
        """Called by the sync worker's thread after every state change."""
        if entry.state in ("delivered", "dead"):
            with self._waiters_lock:
                waiter = self._delivery_waiters.get(entry.submission_id)
            if waiter is not None:
                waiter.set()
        if entry.state == "delivered":
            self._platform_reachable.emit(True)
        elif entry.state == "pending" and entry.last_error:
            self._platform_reachable.emit(False)
        self._queue_changed.emit(self.outbox.stats().pending)

    def _on_platform_reachable(self, online: bool) -> None:
        if online != self.view.platform_online:
            self.view.platform_online = online
            log.info("platform link", extra={"online": online})
            self.changed.emit()

    def _on_queue_changed(self, pending: int) -> None:
        if pending != self.view.queue_pending:
            self.view.queue_pending = pending
            self.changed.emit()

    def _catalog_loop(self) -> None:
        # load() re-validates the cached file; an unusable one raises a technician alert.
        cached = self.catalog_cache.load()
        if cached is not None:
            try:
                self._publish_catalog(cached, source="cache")
            except CatalogError:
                pass  # logged and shown to the technician; the platform's copy replaces it below
        while not self._stopping.is_set():
            try:
                raw, signature = self.platform_client.get_catalog_raw()
                self._platform_reachable.emit(True)
                # Parsed, schema-checked and (when configured) signature-verified before it
                # replaces the cached one; otherwise the last good catalog stays.
                catalog = self.catalog_cache.accept(raw, signature)
                self._publish_catalog(catalog, source="platform")
                return
            except CatalogRejected as exc:
                log.error("catalog rejected", extra={"source": "platform", "error": str(exc)})
                self._catalog_rejected.emit(f"platform: {exc}")
            except CatalogError:
                pass  # already logged; keep the cached one and ask again later
            except Exception as exc:
                log.warning("catalog fetch failed", extra={"error": type(exc).__name__})
                self._platform_reachable.emit(False)
            self._stopping.wait(CATALOG_RETRY_S)

    def _publish_catalog(self, raw: dict, source: str) -> None:
        try:
            catalog = parse_catalog(raw)
        except CatalogError as exc:
            log.error("catalog rejected", extra={"source": source, "error": str(exc)})
            self._catalog_rejected.emit(f"{source}: {exc}")
            raise
        self._catalog_fetched.emit(catalog)

    def _on_catalog_rejected(self, message: str) -> None:
        """Shown on the technician page; the citizen keeps the last good catalog."""
        self.view.catalog_error = message
        self.changed.emit()

    def _on_catalog(self, catalog) -> None:
        if self.session.catalog is None or self.session.catalog.version != catalog.version:
            self.session.catalog = catalog
            self.view.catalog_loaded = True
            self.view.catalog_error = None
            log.info("catalog loaded", extra={"version": catalog.version, "services": len(catalog.services)})
            self.changed.emit()

    def heartbeat_body(self) -> dict:
        from kiosk.heartbeat import build_heartbeat
        catalog = self.session.catalog
        body = build_heartbeat(self.config.kiosk.id, self.view.device_status, self.view.paper_status,
                               self.outbox.stats(), catalog_version=catalog.version if catalog else None)
        body["printer"] = self.printer.supply_report()   # paper low/out, cover, failed jobs: technician alert
        body["alerts"] = [alert.code for alert in self.outbox.alerts()]   # e.g. database_quarantined
        return body

    def _heartbeat_loop(self) -> None:
        interval = self.config.heartbeat.interval_s
        while not self._stopping.wait(1.0 if self.view.platform_online is None else interval):
            body = self.heartbeat_body()
            accepted = False
            try:
                self.platform_client.heartbeat(body)
                accepted = True
                self._platform_reachable.emit(True)
            except Exception as exc:
                log.info("heartbeat failed", extra={"error": getattr(exc, "reason", type(exc).__name__)})
                self._platform_reachable.emit(False)
            if self.metrics is not None:   # Prometheus sees the same figures as the platform
                self.metrics.update(body)
                self.metrics.heartbeat_result(accepted)
