"""The A4 document printer as a Qt device: its transport runs on the device's worker thread.

    printer = DocumentPrinter(transport)
    printer.state_changed.connect(...)          # PrinterState, after each refresh
    printer.job_finished.connect(...)           # (request_id, JobOutcome)
    printer.print_document(request_id, title, pdf_bytes, pages)

The PDF bytes stay in memory: the transport streams them to cupsd. The outcome is emitted
with the caller's request id, so a reply can never be attributed to another request.
"""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Signal

from devices.base import Command, Device, DeviceStatus
from devices.document_printer.errors import DocumentPrinterError, PrinterNotReady
from devices.document_printer.interface import Capabilities, DocumentTransport, JobOutcome, JobStatus, PrinterState
from devices.document_printer.jobs import follow_job

log = logging.getLogger(__name__)

_USER_FIXABLE = ("media-empty", "media-needed", "media-jam", "door-open", "cover-open", "input-tray-missing")


def device_status(state: PrinterState) -> DeviceStatus:
    if state.state == "unreachable":
        return DeviceStatus.OFFLINE
    if any(r in _USER_FIXABLE for r in state.blocking_reasons):
        return DeviceStatus.USER_ERROR
    if not state.ready:
        return DeviceStatus.HARDWARE_ERROR
    return DeviceStatus.BUSY if state.state == "processing" else DeviceStatus.ONLINE


class DocumentPrinter(Device):
    state_changed = Signal(object)        # PrinterState
    job_finished = Signal(str, object)    # request id, JobOutcome
    recent_jobs_ready = Signal(object)    # list[JobStatus]
    name = "document_printer"

    def __init__(self, transport: DocumentTransport, parent=None):
        super().__init__(parent)
        self.transport = transport
        self._state = PrinterState("unknown")
        self._state_lock = threading.Lock()

    @property
    def capabilities(self) -> Capabilities:
        return self.transport.capabilities

    def state(self) -> PrinterState:
        with self._state_lock:
            return self._state

    def can_print(self) -> bool:
        return self.state().ready

    def supply_report(self) -> dict:
        report = self.state().report()
        report["device"] = self.status().value
        report["last_error"] = self.last_error()
        return report

    # --- commands (return at once) -------------------------------------------

    def refresh(self) -> None:
        self._submit(self._refresh_on_worker)

    def print_document(self, request_id: str, title: str, pdf: bytes, pages: int, *, force: bool = False) -> None:
        """Queue one job; `job_finished(request_id, outcome)` follows. `title` must carry no personal data."""
        deadline = self.transport.job_deadline_s
        command = Command(f"print {request_id}", deadline + 30.0)
        self._submit(lambda: self._print_on_worker(request_id, title, pdf, pages, force, command))

    def request_recent_jobs(self, limit: int = 10) -> None:
        self._submit(lambda: self.recent_jobs_ready.emit(self._recent_on_worker(limit)))

    # --- worker --------------------------------------------------------------

    def _open_on_worker(self) -> None:
        policy = self.transport.error_policy
        try:
            self.transport.configure_queue(policy)
        except DocumentPrinterError as exc:
            log.warning("document printer: queue not configured: %s", exc)
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"configure: {exc.code}")
        self._refresh_on_worker()

    def _refresh_on_worker(self) -> PrinterState:
        state = self.transport.printer_state()
        with self._state_lock:
            self._state = state
        error = None if state.ready else (state.state + ": " + ",".join(state.reasons))
        self._set_status(device_status(state), error)
        self.state_changed.emit(state)
        return state

    def _print_on_worker(self, request_id: str, title: str, pdf: bytes, pages: int, force: bool,
                         command: Command) -> None:
        outcome: JobOutcome
        try:
            job_id = self.transport.submit(title, pdf, force=force)
            del pdf
            self._set_status(DeviceStatus.BUSY)
            outcome = follow_job(self.transport, job_id, pages, self.transport.job_deadline_s,
                                 poll_s=self.transport.poll_s, wait=command.wait)
        except PrinterNotReady as exc:
            outcome = JobOutcome(0, "not-sent", pages, 0, exc.code, 0.0, exc.reasons)
        except DocumentPrinterError as exc:
            outcome = JobOutcome(0, "not-sent", pages, 0, exc.code)
        except Exception as exc:   # a driver bug must still end in an outcome
            log.exception("document printer: job for request %s crashed", request_id)
            outcome = JobOutcome(0, "not-sent", pages, 0, f"crash:{type(exc).__name__}")
        log.info("document printer: request %s job %s %s pages %d/%d %s", request_id, outcome.job_id,
                 outcome.state, outcome.pages_completed, outcome.pages_sent, outcome.reason or "ok")
        try:
            self._refresh_on_worker()
        except Exception:
            log.exception("document printer: state refresh failed")
        self.job_finished.emit(request_id, outcome)

    def _recent_on_worker(self, limit: int) -> list[JobStatus]:
        try:
            return self.transport.recent_jobs(limit)
        except DocumentPrinterError as exc:
            log.warning("document printer: last jobs unavailable: %s", exc.code)
            return []
