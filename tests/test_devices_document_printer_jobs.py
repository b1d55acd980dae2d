"""devices/document_printer/jobs.py: what counts as printed, on a scripted transport (the real
cupsd cases are in tests/test_document_printer_cups.py)."""
from __future__ import annotations

import pytest

from devices.document_printer.errors import PrinterUnreachable
from devices.document_printer.interface import JOB_ABORTED, JOB_COMPLETED, JOB_PROCESSING, JobStatus, PrinterState
from devices.document_printer.jobs import follow_job


class ScriptedTransport:
    """Answers job_status with the scripted states in turn; printer_state with `printer`."""

    def __init__(self, statuses, printer, distrust=True):
        self.statuses = list(statuses)
        self.printer = printer
        self.distrust_completed_on_printer_error = distrust
        self.cancelled = []

    def job_status(self, job_id):
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def printer_state(self):
        if isinstance(self.printer, Exception):
            raise self.printer
        return self.printer

    def cancel(self, job_id):
        self.cancelled.append(job_id)


IDLE = PrinterState("idle", (), accepting=True)
JAMMED = PrinterState("idle", ("media-jam",), accepting=True)


def follow(transport, pages=1):
    return follow_job(transport, 7, pages, 5.0, poll_s=0.0, wait=lambda s: True)


def test_a_completed_job_with_every_page_and_a_quiet_printer_is_printed():
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_COMPLETED, 2)], IDLE), pages=2)
    assert outcome.ok and outcome.reason == "" and outcome.pages_completed == 2


def test_completed_with_pages_missing_is_not_printed_and_says_why():
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_COMPLETED, 1)], IDLE), pages=2)
    assert not outcome.ok and outcome.reason == "pages_short" and outcome.printer_reasons == ()
    empty = PrinterState("idle", ("media-empty",), accepting=True)
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_COMPLETED, 1)], empty, distrust=False), pages=2)
    assert not outcome.ok and outcome.reason == "pages_short" and outcome.printer_reasons == ("media-empty",)


def test_completed_while_the_printer_reports_a_jam_is_not_printed():
    """CUPS's ipp backend can record a job aborted at the printer as completed (see
    jobs._blocking_reasons_now): the jam the printer reports right after decides."""
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_COMPLETED, 1)], JAMMED))
    assert not outcome.ok and outcome.reason == "printer_error_at_end"
    assert outcome.printer_reasons == ("media-jam",) and outcome.state == "completed"


def test_the_workaround_can_be_switched_off():
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_COMPLETED, 1)], JAMMED, distrust=False))
    assert outcome.ok


def test_a_printer_that_cannot_be_asked_afterwards_does_not_undo_a_completed_job():
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_COMPLETED, 1)], PrinterUnreachable("gone")))
    assert outcome.ok


@pytest.mark.parametrize("printer", [JAMMED, IDLE])
def test_an_aborted_job_is_not_printed_and_says_why(printer):
    outcome = follow(ScriptedTransport([JobStatus(7, JOB_PROCESSING), JobStatus(7, JOB_ABORTED, 0)], printer))
    assert not outcome.ok and outcome.reason == "job_aborted"
    assert outcome.printer_reasons == printer.blocking_reasons
