"""Technician-mode service: the only code behind the technician screens that calls
devices, the outbox, the platform or the disk.

The screens render `TechnicianState` and call the intent methods here. Every
blocking job (scrypt PIN check, DNS/TLS/HTTP checks, outbox queries, log reading,
exports, face detection for the preview) runs as a kiosk.flows.jobs.BackgroundJobs job
(threads named technician-<job>); results are applied on the GUI thread, then
`changed` is emitted.

Technician mode is only offered while the citizen session is idle, and ends by
itself after `technician.idle_exit_s` without a touch.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk import diagnostics as d
from kiosk.flows.jobs import BackgroundJobs
from kiosk.flows.technician.camera import TechnicianCamera
from kiosk.flows.technician.scanner import TechnicianScanner
from kiosk.flows.technician.document_printer import DocumentPrinterTech
from kiosk.flows.technician.document_camera import TechnicianDocumentCamera
from kiosk.flows.technician.devices import CardTest, count_device_events
from kiosk.flows.technician.state import (
    LOG_LINES_SHOWN,
    TechnicianState,
    read_masked_log,
)
from kiosk.technician_pin import PinGuard, lockout_state_path

log = logging.getLogger(__name__)


class TechnicianService(QObject):
    """Owns technician mode: entry by gesture and PIN (with lockout), the idle exit, and
    every technician action — checks (devices, face worker, outbox, catalog, DNS/TLS/HTTP
    to the platform), card test, camera preview, test print and reprint, outbox status,
    retry and export, log view and export — each run as a named background job whose
    result is applied to `state` on the GUI thread."""

    changed = Signal()
    exit_requested = Signal()             # "Exit kiosk" pressed: main quits the application

    def __init__(self, controller, config, *, log_file: Path | None = None, export_dir: Path | None = None,
                 clock=time.time):
        super().__init__()
        self.controller = controller
        self.config = config
        self.state = TechnicianState()
        tech = config.technician
        self.guard = PinGuard(tech.pin_hash, lockout_state_path(config.data_dir),
                              max_failures=tech.max_failures, lockout_s=tech.lockout_s,
                              lockout_max_s=tech.lockout_max_s, min_length=tech.min_pin_length, clock=clock)
        self.log_file = Path(log_file) if log_file else config.data_dir / "kiosk.log"
        self.export_dir = Path(export_dir) if export_dir else config.data_dir / "exports"
        self.jobs = BackgroundJobs(self, thread_prefix="technician-")
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(tech.idle_exit_s * 1000))
        self._idle.timeout.connect(lambda: self.leave("idle timeout"))
        self.camera = TechnicianCamera(controller.camera, controller.face_verifier, self.jobs,
                                       on_frame=lambda shown: self._apply("camera_frame", shown))
        self.scanner = TechnicianScanner(controller.camera, self.jobs,
                                         on_result=lambda text: self._apply("scanner", text))
        self.document_camera = TechnicianDocumentCamera(
            controller.documents.camera, controller.documents.thresholds, self.jobs,
            on_frame=lambda shown: self._apply("document_frame", shown))
        self._print_job: str | None = None
        self._reprint_job: str | None = None
        self._job_outcomes: dict[str, str] = {}     # last print jobs' outcomes (bounded)
        self._print_signals_connected = False
        self._test_prints = 0
        self._card_test = CardTest(controller.id_reader, self._on_test_card, parent=self)
        count_device_events(controller.id_reader, controller.camera, controller.printer,
                            lambda: self.state.counters)
        # The A4 document printer page (issue 15)
        self.a4 = DocumentPrinterTech(controller, self.jobs, self.changed.emit, parent=self)

    def a4_refresh(self) -> None:
        self.touch()
        self.a4.refresh()

    def a4_test_page(self) -> None:
        self.touch()
        self.a4.print_test_page()

    # --- entering and leaving ---------------------------------------------------

    def request_entry(self) -> None:
        """The hidden gesture was made. Only between citizens, never mid-session."""
        if self.state.mode != "closed" or self.controller.session.state.value != "idle":
            return
        if not self.guard.enabled:
            log.warning("technician gesture but no technician.pin_hash configured")
            return
        self.state.mode = "pin"
        self.state.pin_message = ""
        self.touch()
        self._run("pin_status", self.guard.locked_for_s)   # reads the lockout file: off the GUI thread

    def submit_pin(self, pin: str) -> None:
        if self.state.mode != "pin":
            return
        self.touch()
        self._run("pin", lambda: self.guard.attempt(pin))

    def leave(self, reason: str = "technician") -> None:
        if self.state.mode == "closed":
            return
        self.stop_camera()
        self._idle.stop()
        log.info("technician mode closed", extra={"reason": reason})
        self.state = TechnicianState(counters=self.state.counters)
        self.changed.emit()

    def touch(self) -> None:
        if self.state.mode != "closed":
            self._idle.start()

    def quit_kiosk(self) -> None:
        if self.state.mode == "open":
            log.warning("kiosk application exited from technician mode")
            self.stop_camera()
            self.exit_requested.emit()

    # --- checks -------------------------------------------------------------------

    def run_checks(self) -> None:
        self.touch()
        devices = [self.controller.id_reader, self.controller.camera, self.controller.printer]
        counters = self.state.counters
        config = self.config
        outbox = self.controller.outbox
        client = self.controller.platform_client
        catalog_cache = self.controller.catalog_cache
        heartbeat_body = self.controller.heartbeat_body
        face_verifier = self.controller.face_verifier

        def job():
            body = heartbeat_body()          # reads outbox stats: on this thread, not the GUI's
            report = d.DiagnosticsReport(kiosk_id=config.kiosk.id, software_version=d.software_version())
            report.checks += [d.check_device(dev, counters.get(dev.name)) for dev in devices]
            report.checks.append(d.check_face_verifier(face_verifier))
            report.checks.append(d.check_outbox(outbox))
            report.checks.append(d.check_catalog_cache(catalog_cache))
            report.checks.append(d.check_key_store(config.security.key_store, config.data_dir))
            report.checks.append(d.check_updates(config.update))    # release, trial, last check (docs/updates.md)
            report.checks += d.check_platform_link(config.platform.url, ca_bundle=config.platform.ca_bundle or None,
                                                   timeout_s=config.platform.connect_timeout_s)
            if all(c.ok for c in report.checks if c.name.startswith("platform.")):
                report.checks += d.check_platform_api(client, body)
            return report
        self._run("checks", job)

    def card_test(self) -> None:
        """Reads a card; only masked fields are kept, the document is dropped at once."""
        self.touch()
        self.state.card_test = {"status": "waiting for a card"}
        self._card_test.start(20.0)
        self.changed.emit()

    def _on_test_card(self, result: dict) -> None:
        self.state.card_test = result
        self.changed.emit()

    def start_camera(self) -> None:
        """Preview with face boxes and fps (kiosk.flows.technician.camera)."""
        self.touch()
        self.document_camera.stop()
        self.camera.start()

    def stop_camera(self) -> None:
        self.camera.stop()
        self.scanner.stop()
        self.state.camera_image = None
        self.document_camera.stop()
        self.state.document_image = None

    def start_document_camera(self) -> None:
        """Document camera test: page outline, sharpness / glare / brightness, MRZ reader status."""
        self.touch()
        self.camera.stop()                  # one preview at a time (it may be the same camera)
        self.document_camera.start()

    def stop_document_camera(self) -> None:
        self.document_camera.stop()
        self.state.document_image = None
        self.state.document_text = ""
        self.changed.emit()

    def start_scanner(self) -> None:
        """Barcode-reader test: what the camera shows, decoded (kiosk.flows.technician.scanner)."""
        self.touch()
        self.camera.stop()
        self.state.scanner_text = "waiting for frames"
        self.scanner.start()
        self.changed.emit()

    def test_print(self) -> None:
        from kiosk.core.receipt import Receipt
        self.touch()
        receipt = Receipt(language="en", kiosk_id=self.config.kiosk.id, kiosk_location=self.config.kiosk.location,
                          service_name="TEST PRINT", applicant_name_masked="-", id_number_masked="-",
                          application_number=f"TEST{dt.datetime.now():%H%M%S}-{self._next_test_number()}",
                          qr_payload="TEST", submitted_at=dt.datetime.now(), expected_completion=None,
                          materials=())
        self._connect_print_signals()
        self._print_job = self.controller.printer.print_receipt(receipt)
        self.state.print_test = "printing"
        self.changed.emit()

    def _next_test_number(self) -> int:
        self._test_prints += 1          # tells test prints of the same second apart in the journal
        return self._test_prints

    def _on_print_done(self, job_id: str) -> None:
        self._remember_outcome(job_id, "printed")
        if job_id == self._print_job:
            self.state.print_test = "printed"
            self.changed.emit()
        elif job_id == self._reprint_job:
            self.state.reprint = self.state.reprint.replace("printing", "printed", 1)
            self._refresh_receipts_now()

    def _on_print_failed(self, job_id: str, reason: str) -> None:
        self._remember_outcome(job_id, f"failed: {reason}")
        if job_id == self._print_job:
            self.state.print_test = f"failed: {reason}"
            self.changed.emit()
        elif job_id == self._reprint_job:
            self.state.reprint = f"failed: {reason}"
            self._refresh_receipts_now()

    def _remember_outcome(self, job_id: str, outcome: str) -> None:
        self._job_outcomes[job_id] = outcome
        while len(self._job_outcomes) > 32:       # every receipt passes here once connected
            del self._job_outcomes[next(iter(self._job_outcomes))]

    def refresh_receipts(self) -> None:
        self.touch()
        self._refresh_receipts_now()

    def _refresh_receipts_now(self) -> None:
        printer = self.controller.printer
        self._run("receipts", printer.journal_entries)     # decrypts the journal: off the GUI thread

    def reprint_latest(self) -> None:
        """Reprint the newest failed receipt — the citizen who came back because the paper ran out —
        or, when none failed, the newest receipt. Marked 补打 / REPRINT on paper."""
        self.touch()
        printer = self.controller.printer
        self._connect_print_signals()

        def job():
            entries = printer.journal_entries()
            if not entries:
                raise LookupError("no receipt in the journal")
            entry = next((e for e in entries if e.state == "failed"), entries[0])
            return entry, printer.reprint(entry.entry_id)
        self._run("reprint", job)

    def _connect_print_signals(self) -> None:
        if not self._print_signals_connected:
            printer = self.controller.printer
            printer.print_done.connect(self._on_print_done)
            printer.print_failed.connect(self._on_print_failed)
            self._print_signals_connected = True

    # --- outbox and logs ------------------------------------------------------------

    def refresh_queue(self) -> None:
        from offline_cache import queue_admin
        self.touch()
        self._run("queue", lambda: queue_admin.queue_status(self.controller.outbox))

    def retry_queue(self) -> None:
        from offline_cache import queue_admin
        self.touch()
        outbox, worker = self.controller.outbox, self.controller.sync_worker

        def job():
            revived = queue_admin.retry_dead(outbox)
            worker.kick()
            return revived, queue_admin.queue_status(outbox)
        self._run("retry", job)

    def export_queue(self) -> None:
        from offline_cache import queue_admin
        self.touch()
        target = self.export_dir / f"outbox-{self.config.kiosk.id}-{dt.datetime.now():%Y%m%d-%H%M%S}.jsonl"
        self._run("export_queue", lambda: queue_admin.export_queue(self.controller.outbox, target)[0])

    def refresh_config(self) -> None:
        """The configuration tab: central bundle versions and where each value came from."""
        from kiosk.central_config import explain_text
        self.touch()
        path = self.config.source_path
        if not path:
            self.state.config_text = "no configuration file (built-in defaults)"
            self.changed.emit()
            return
        self._run("config", lambda: explain_text(path, demo=self.config.kiosk.demo))

    def refresh_payments(self) -> None:
        """Payments tab: today's count and sum, pending, last errors (journal read off the GUI thread)."""
        self.touch()
        self._run("payments", self.controller.payment.summary)

    def resolve_payments(self) -> None:
        """Resolve unfinished payments now (as the sweeper does), then refresh the tab."""
        self.touch()
        self._run("payments", self.controller.payment.resolve_now)

    def refresh_logs(self) -> None:
        self.touch()
        self._run("logs", lambda: read_masked_log(self.log_file, LOG_LINES_SHOWN))

    def export_logs(self) -> None:
        self.touch()
        target = self.export_dir / f"kiosk-log-{self.config.kiosk.id}-{dt.datetime.now():%Y%m%d-%H%M%S}.jsonl"

        def job():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(read_masked_log(self.log_file, None)) + "\n", encoding="utf-8")
            return target
        self._run("export_logs", job)

    # --- plumbing ------------------------------------------------------------------

    def _run(self, name: str, job) -> None:
        self.state.busy.add(name)
        self.changed.emit()
        # A failed check is a result for the technician (shown as a message), not a crash.
        apply = functools.partial(self._apply, name)
        self.jobs.run(name, job, on_done=apply, on_error=apply, log_message="technician job failed")

    def _apply(self, name: str, result) -> None:
        self.state.busy.discard(name)
        if self.state.mode == "closed":
            return   # left while the job ran: drop the result
        if isinstance(result, Exception):
            self.state.message = f"{name} failed: {type(result).__name__}: {result}"
        elif name == "pin":
            self._apply_pin(result)
        elif name == "pin_status":
            self.state.pin_locked_for_s = result
            if result > 0:
                self.state.pin_message = f"Locked for another {result / 60:.0f} min"
        elif name == "checks":
            self.state.report = result
        elif name == "camera_frame":
            self.state.camera_image, self.state.camera_fps, self.state.camera_faces = result
        elif name == "scanner":
            self.state.scanner_text = result
        elif name == "document_frame":
            self.state.document_image, self.state.document_text = result
        elif name == "queue":
            self.state.queue = result
        elif name == "receipts":
            self.state.receipts = result
        elif name == "reprint":
            entry, self._reprint_job = result
            # The job may have finished before this result reached the GUI thread.
            outcome = self._job_outcomes.get(self._reprint_job, "printing")
            self.state.reprint = (outcome if outcome.startswith("failed")
                                  else f"{outcome} {entry.application_number}")
            if outcome != "printing":
                self._refresh_receipts_now()
        elif name == "retry":
            revived, self.state.queue = result
            self.state.message = f"{revived} dead-lettered submissions queued again"
        elif name in ("export_queue", "export_logs"):
            self.state.message = f"exported to {result}"
        elif name == "logs":
            self.state.log_lines = result
        elif name == "config":
            self.state.config_text = result
        elif name == "payments":
            self.state.payments = result
        self.changed.emit()

    def _apply_pin(self, attempt) -> None:
        if attempt.accepted:
            log.info("technician mode opened")
            self.state.mode = "open"
            self.state.pin_message = ""
            self.run_checks()
            self.refresh_queue()
            self.refresh_logs()
            self.refresh_config()
            return
        self.state.pin_locked_for_s = attempt.locked_for_s
        if attempt.locked:
            log.warning("technician PIN locked", extra={"failures": attempt.failures})
            self.state.pin_message = f"Locked for {attempt.locked_for_s / 60:.0f} min after {attempt.failures} wrong PINs"
        else:
            log.warning("technician PIN wrong", extra={"failures": attempt.failures})
            self.state.pin_message = f"Wrong PIN ({attempt.remaining_attempts} attempts left)"
