"""The receipt printer as the controller sees it."""
from __future__ import annotations

import logging
import uuid

from PySide6.QtCore import Signal

from devices.base import Command, Device
from devices.printer.receipt import Receipt

log = logging.getLogger(__name__)

# Reason codes of `print_failed`.
PAPER_OUT = "paper_out"
COVER_OPEN = "cover_open"
OFFLINE = "offline"
IO_ERROR = "io_error"

PRINT_TIMEOUT_S = 20.0


class PrintFailure(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class ReceiptPrinter(Device):
    paper_status_changed = Signal(str)  # "full" | "low" | "out" | "jammed" | "unknown"
    print_done = Signal(str)            # job id
    print_failed = Signal(str, str)     # job id, reason code: paper_out, cover_open, offline, io_error
    name = "printer"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._paper_status = "unknown"

    def paper_status(self) -> str:
        with self._lock:
            return self._paper_status

    def print_receipt(self, receipt: Receipt) -> str:
        """Queue the receipt; returns the job id at once. Jobs do not cancel each other."""
        job_id = uuid.uuid4().hex[:12]
        command = Command(f"print {job_id}", PRINT_TIMEOUT_S)
        self._submit(lambda: self._print_job(job_id, receipt, command))
        return job_id

    # --- for subclasses ------------------------------------------------------

    def _print_on_worker(self, job_id: str, receipt: Receipt, command: Command) -> None:
        """Print, or raise PrintFailure."""
        raise NotImplementedError

    def _set_paper_status(self, paper: str) -> None:
        with self._lock:
            changed = paper != self._paper_status
            self._paper_status = paper
        if changed:
            log.info("printer: paper %s", paper)
            self.paper_status_changed.emit(paper)

    # -------------------------------------------------------------------------

    def _print_job(self, job_id: str, receipt: Receipt, command: Command) -> None:
        try:
            if command.expired:   # waited in the queue too long; the citizen has moved on
                raise PrintFailure(IO_ERROR, "job expired before printing")
            self._print_on_worker(job_id, receipt, command)
        except PrintFailure as failure:
            log.warning("printer: job %s failed: %s (%s)", job_id, failure.reason, failure.detail)
            self.print_failed.emit(job_id, failure.reason)
        except Exception as exc:
            log.exception("printer: job %s crashed", job_id)
            self.print_failed.emit(job_id, IO_ERROR)
        else:
            log.info("printer: job %s printed", job_id)
            self.print_done.emit(job_id)
