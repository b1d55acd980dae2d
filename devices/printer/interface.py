"""The receipt printer as the controller sees it.

Besides printing, a printer tells whether a receipt can be printed *now*
(`can_print()`, driven by the background status poll) so the kiosk can offer
the on-screen alternative before the citizen reaches the receipt step, and a
technician report (`supply_report()`) for the heartbeat. With a journal every
job is recorded before it is sent and marked printed or failed afterwards.
"""
from __future__ import annotations

import dataclasses
import logging
import uuid

from PySide6.QtCore import Signal

from devices.base import Command, Device, DeviceStatus
from kiosk.core.receipt import Receipt

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

    # Paper supplies that still print. "unknown" is not among them: a printer
    # that does not answer is not available (transports without a way back,
    # like a device file, override `_unknown_paper_prints`).
    _PRINTING_PAPER = ("full", "low")
    _unknown_paper_prints = False

    def __init__(self, parent=None, journal=None):
        super().__init__(parent)
        self._paper_status = "unknown"
        self._journal = journal           # ReceiptJournal or None
        self._job_entries: dict[str, str] = {}   # job id -> journal entry id
        self._failed_jobs = 0

    def paper_status(self) -> str:
        with self._lock:
            return self._paper_status

    def can_print(self) -> bool:
        """Whether a receipt would print now, from the last status check (thread-safe, no I/O)."""
        with self._lock:
            status, paper = self._status, self._paper_status
        paper_ok = paper in self._PRINTING_PAPER or (paper == "unknown" and self._unknown_paper_prints)
        return status in (DeviceStatus.ONLINE, DeviceStatus.BUSY) and paper_ok

    def supply_report(self) -> dict:
        """For the heartbeat and the technician screen: no personal data."""
        with self._lock:
            report = {"device": self._status.value, "paper": self._paper_status,
                      "can_print": None, "last_error": self._last_error,
                      "failed_jobs": self._failed_jobs}
        report["can_print"] = self.can_print()
        report["alert"] = self._technician_alert(report)
        return report

    @staticmethod
    def _technician_alert(report: dict) -> str | None:
        """One code for the operations dashboard; the blocking problem first."""
        if report["paper"] in ("out", "jammed"):
            return f"paper_{report['paper']}"
        if not report["can_print"]:
            return f"printer_{report['device']}"    # e.g. printer_userError (cover open), printer_offline
        if report["paper"] == "low":
            return "paper_low"            # keep serving; replace the roll soon
        return None

    def print_receipt(self, receipt: Receipt) -> str:
        """Queue the receipt; returns the job id at once. Jobs do not cancel each other.

        With a journal, the worker stores the receipt (encrypted, a disk write:
        not on the GUI thread) before a byte goes to the printer, so a job that
        never prints is still on record as queued/failed.
        """
        job_id = uuid.uuid4().hex[:12]
        command = Command(f"print {job_id}", PRINT_TIMEOUT_S)
        self._submit(lambda: self._journal_then_print(job_id, receipt, command))
        return job_id

    def _journal_then_print(self, job_id: str, receipt: Receipt, command: Command) -> None:
        if self._journal is not None:
            try:
                entry_id = self._journal.add(receipt)
                with self._lock:
                    self._job_entries[job_id] = entry_id
            except Exception as exc:   # the citizen's receipt matters more than the journal
                log.error("printer: receipt journal write failed: %s", type(exc).__name__)
        self._print_job(job_id, receipt, command)

    def reprint(self, entry_id: str) -> str:
        """Technician reprint of a journal entry, marked "补打 / REPRINT"; returns the new job id.

        KeyError if the entry is unknown (or rotated out); RuntimeError without a journal.
        """
        if self._journal is None:
            raise RuntimeError("this printer keeps no receipt journal")
        # Technician action, not the citizen's GUI path: a small read is fine here.
        receipt = dataclasses.replace(self._journal.receipt(entry_id), reprint=True)
        count = self._journal.count_reprint(entry_id)
        log.info("printer: reprint of journal entry %s (reprint #%d)", entry_id, count)
        job_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._job_entries[job_id] = entry_id
        command = Command(f"reprint {job_id}", PRINT_TIMEOUT_S)
        self._submit(lambda: self._print_job(job_id, receipt, command))
        return job_id

    def journal_entries(self) -> list:
        """The technician list (newest first); empty without a journal."""
        return [] if self._journal is None else self._journal.entries()

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
            self._record(job_id, "failed", failure.reason)
            self.print_failed.emit(job_id, failure.reason)
        except Exception:
            log.exception("printer: job %s crashed", job_id)
            self._record(job_id, "failed", IO_ERROR)
            self.print_failed.emit(job_id, IO_ERROR)
        else:
            log.info("printer: job %s printed", job_id)
            self._record(job_id, "printed", None)
            self.print_done.emit(job_id)

    def _record(self, job_id: str, state: str, reason: str | None) -> None:
        with self._lock:
            if state == "failed":
                self._failed_jobs += 1
            entry_id = self._job_entries.pop(job_id, None)
        if entry_id is None or self._journal is None:
            return
        try:
            self._journal.mark(entry_id, state, reason)
        except Exception as exc:
            log.error("printer: receipt journal update failed: %s", type(exc).__name__)
