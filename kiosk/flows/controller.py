"""The controller facade: owns the citizen session, the view model and the per-flow
coordinators, and routes the session's commands to them.

Screens call the intents (`controller.intents`, a kiosk.flows.intents.CitizenIntents),
which go straight to the session. The session answers with commands (ReadCard,
VerifyFace, Submit, PrintReceipt, SendRating, ...), which `_execute` hands to the flow
that owns them. Results come back on the GUI thread (Qt signals of the devices, or
`BackgroundJobs.post`) and are fed to the session as events, tagged with the session
token that started them.

Nothing here blocks the GUI thread: device work runs on each device's worker thread,
face matching in a separate process, outbox writes and HTTP on background jobs.
"""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.core import session as s
from kiosk.config import KioskConfig
from kiosk.core.document_gate import warm_up_document_checks
from kiosk.flows.card import CardFlow
from kiosk.flows.certificates import CertificatesFlow
from kiosk.flows.context import FlowContext
from kiosk.flows.device_board import DeviceBoard
from kiosk.flows.documents import DocumentsFlow
from kiosk.flows.face import FaceFlow
from kiosk.flows.intents import SessionIntents
from kiosk import native_memory
from kiosk.flows.jobs import BackgroundJobs
from kiosk.flows.phone_identity import PhoneIdentityFlow
from kiosk.flows.payment import PaymentFlow
from kiosk.flows.platform_link import PlatformLink
from kiosk.flows.query import QueryFlow
from kiosk.flows.submission import SubmissionFlow
from kiosk.flows.view import KioskView
from kiosk.logging_setup import SensitiveNames

log = logging.getLogger(__name__)


def session_timeouts(config: KioskConfig) -> s.Timeouts:
    """The session's timeouts from the configuration, with deadlines for the states where the
    citizen waits on the kiosk: past what the flows themselves wait, so their answer normally wins."""
    t, p = config.timeouts, config.platform
    request_s = p.connect_timeout_s + p.read_timeout_s        # PlatformClient's overall deadline per call
    return s.Timeouts(t.idle_s, t.countdown_s, t.card_read_s, t.face_s, t.receipt_s,
                      submitting_s=p.submit_wait_s + 20.0,    # + a slow durable commit
                      query_s=request_s + 5.0,
                      print_s=config.devices.document_printer.job_deadline_s + 30.0,
                      payment_s=config.payment.qr_timeout_s, payment_settle_s=config.payment.settle_wait_s)


class KioskController(QObject, SessionIntents):
    """Owns the session, the view, the background-job helper and the six coordinators
    (card, face, submission, query, platform link, device board); opens and closes the
    devices and the workers. Its intent methods (start, cancel, ...) are the same as
    `intents`, kept for the demo tools and tests; screens get `intents` only."""

    changed = Signal()            # the session or the view changed: the window renders
    preview_changed = Signal()    # only the camera preview changed: the window repaints the preview
    # Staff assistance needed at this kiosk (reason code, e.g. "face_go_to_counter"):
    # for a call-for-help light or the hall's staff system. No personal data.
    staff_help_requested = Signal(str)
    # The kiosk has stood idle `trim_memory_idle_s` after a session: emitted on the GUI thread just
    # before the memory trim; kiosk/app.py connects the GUI collector's full collection to it.
    stood_idle = Signal()

    def __init__(self, config: KioskConfig, *, id_reader, camera, printer, face_verifier,
                 outbox, sync_worker, platform_client, catalog_cache, clock=time.monotonic,
                 document_printer=None, licence_journal=None,
                 document_camera=None, scanner=None, payment_journal=None):
        QObject.__init__(self)
        self.config = config
        self.id_reader, self.camera, self.printer = id_reader, camera, printer
        self.document_camera = document_camera      # None: paper goes under the main camera
        self.face_verifier = face_verifier
        self.outbox, self.sync_worker = outbox, sync_worker
        self.platform_client = platform_client
        self.catalog_cache = catalog_cache
        self.view = KioskView()
        self.session = s.CitizenSession(
            kiosk_id=config.kiosk.id, default_language=config.kiosk.default_language,
            timeouts=session_timeouts(config), clock=clock)
        self.intents = SessionIntents(self.session)
        self.jobs = BackgroundJobs(self)
        ctx = FlowContext(config=config, session=self.session, view=self.view, jobs=self.jobs,
                          changed=self.changed.emit, preview_changed=self.preview_changed.emit,
                          id_reader=id_reader, camera=camera, printer=printer, face_verifier=face_verifier,
                          outbox=outbox, sync_worker=sync_worker, platform_client=platform_client,
                          catalog_cache=catalog_cache, document_camera=document_camera)
        self.board = DeviceBoard(ctx, on_camera_lost=lambda: self.face.camera_lost(), parent=self)
        self.card = CardFlow(ctx, parent=self)
        self.query = QueryFlow(ctx, parent=self)
        self.phone = PhoneIdentityFlow(ctx, parent=self)
        self.face = FaceFlow(ctx, scanning=lambda: self.query.scanning or self.phone.scanning,
                             request_staff_help=self.staff_help_requested.emit, parent=self)
        self.submission = SubmissionFlow(ctx, parent=self)
        self.platform_link = PlatformLink(ctx, parent=self)
        # Electronic licences on A4 (issue 15); without a document printer the service reports it unavailable.
        self.document_printer = document_printer
        self.certificates = CertificatesFlow(ctx, document_printer, licence_journal, parent=self)
        if document_printer is not None:   # state, reasons, toner levels, queue policy: no personal data
            self.platform_link.extra_reports["document_printer"] = document_printer.supply_report
        self.documents = DocumentsFlow(ctx, parent=self)
        self.scanner = scanner
        if payment_journal is None:
            from offline_cache.payments import PaymentJournal
            payment_journal = PaymentJournal(config.payments_path, config.device_key_path)
        self.payment = PaymentFlow(ctx, journal=payment_journal, scanner=scanner, parent=self)
        self.changed.connect(self.payment.update_availability)
        self.session.on_change(lambda _session: self.changed.emit())
        self.session.on_command(self._execute)
        # malloc_trim once the kiosk has stood idle after a session (kiosk.trim_memory_idle_s); a
        # child timer, restarted by each session end and stopped by close(), so a closed kiosk's
        # timer never fires later.
        self._trim_timer = QTimer(self)
        self._trim_timer.setSingleShot(True)
        self._trim_timer.timeout.connect(self._trim_if_still_idle)
        self._tick = QTimer(self)
        self._tick.setInterval(500)
        self._tick.timeout.connect(self.session.tick)

    # --- what tools and tests reach -------------------------------------------------------

    @property
    def qr_scanner(self):
        return self.query.qr_scanner

    @property
    def metrics(self):
        """kiosk.metrics.KioskMetrics when [metrics] port is set (kept by the platform link)."""
        return self.platform_link.metrics

    @metrics.setter
    def metrics(self, metrics) -> None:
        self.platform_link.metrics = metrics

    @property
    def reference_photo_source(self):
        """Face-only services: id_number -> reference JPEG from the platform, or None."""
        return self.face.reference_photo_source

    @reference_photo_source.setter
    def reference_photo_source(self, source) -> None:
        self.face.reference_photo_source = source

    def receipt_qr_payload(self) -> str | None:
        return self.submission.receipt_qr_payload()

    def heartbeat_body(self) -> dict:
        return self.platform_link.heartbeat_body()

    def on_outbox_change(self, entry) -> None:
        """Called by the sync worker's thread after every state change."""
        self.submission.outbox_changed(entry)
        self.platform_link.outbox_changed(entry)

    # --- lifecycle -----------------------------------------------------------------------

    def open(self) -> None:
        """Opens devices, starts the face worker, the sender and the background loops."""
        for device in self._devices():
            device.open()
        if self.document_printer is not None:
            self.document_printer.open()
        if self.scanner is not None:
            self.scanner.open()
        self.payment.start()     # earlier payments resolved before the first session (kiosk/flows/payment.py)
        self.face_verifier.start()
        self.sync_worker.start()
        self._tick.start()
        self.platform_link.start()
        # The GB/T 2260 region table takes ~50 ms to build: build it now, off the GUI
        # thread, not on the first card read (the document checks run on the GUI thread).
        self.jobs.run("document-checks-warm-up", warm_up_document_checks)

    def close(self) -> None:
        self.platform_link.stop()
        self._tick.stop()
        self._trim_timer.stop()
        self.session.cancel()
        self.query.close()
        self.phone.close()
        self.payment.close()
        if self.scanner is not None:
            self.scanner.close()
        self.sync_worker.stop()
        self.face_verifier.shutdown()
        self.documents.close()
        for device in self._devices():
            device.close()
        if self.document_printer is not None:
            self.document_printer.close()

    def _devices(self) -> tuple:
        extra = (self.document_camera,) if self.document_camera is not None else ()
        return (self.id_reader, self.camera, self.printer, *extra)

    # --- session commands ------------------------------------------------------------------

    def _execute(self, command) -> None:
        handler = {
            s.ReadCard: self.card.read_card,
            s.VerifyFace: self.face.verify,
            s.CancelDeviceWork: self._cancel_device_work,
            s.Submit: self.submission.submit,
            s.PrintReceipt: self.submission.print_receipt,
            s.SendRating: self.submission.send_rating,
            s.SessionEnded: self._session_ended,
            s.LookupApplication: self.query.lookup,
            s.ScanQr: self.query.scan,
            s.CallStaff: self.board.call_staff,
            s.ScanAppCode: self.phone.scan,
            s.ExchangeAppCode: self.phone.exchange,
            s.StartAppLogin: self.phone.start_login,
            s.ListLicences: self.certificates.list_licences,
            s.FetchLicence: self.certificates.fetch,
            s.PrintLicence: self.certificates.print_licence,
            s.DiscardLicence: self.certificates.discard,
            s.ScanMrz: self.documents.scan_mrz,
            s.CapturePage: self.documents.capture_page,
            s.StartPayment: self.payment.start_payment,
            s.PayWithCode: self.payment.pay_with_code,
            s.ClosePayment: self.payment.close_payment,
        }[type(command)]
        handler(command)

    def _submit(self, command: s.Submit) -> None:
        self.submission.submit(command)

    def _cancel_device_work(self, command: s.CancelDeviceWork) -> None:
        self.query.stop_scan()
        self.phone.cancel()
        self.documents.cancel()
        self.card.cancel()
        self.face.cancel()

    def _session_ended(self, command: s.SessionEnded) -> None:
        SensitiveNames.clear()
        self.face.session_ended()
        self.phone.session_ended()
        self.documents.session_ended()
        self.submission.session_ended(command.token)
        self.certificates.session_ended(command.token)
        self.payment.session_ended()
        log.info("session ended", extra={"session": command.token, "reason": command.reason.value})
        self.card.session_ended()
        # What the session freed goes back to the system once the kiosk has stood idle a while:
        # malloc_trim holds the allocator's locks while it works, so the GUI thread must not be busy.
        idle_s = self.config.kiosk.trim_memory_idle_s
        if idle_s > 0:
            self._trim_timer.start(round(idle_s * 1000))     # a later session end restarts it

    def _trim_if_still_idle(self) -> None:
        if self.session.state is s.State.IDLE:
            self.stood_idle.emit()          # first what only a full collection frees, then the trim
            self.jobs.run("trim-memory", native_memory.give_back)
