"""A4 document printer (electronic licences, issue 15). `create_document_transport(section)` builds the
configured transport; `DocumentPrinter(transport)` is the Qt device the kiosk uses.

Pieces: interface.py (capabilities, states, transport protocol), errors.py (one hierarchy),
cups.py (CUPS/IPP through pycups), sim.py (in-process), jobs.py (follow a job to its last page),
device.py (worker thread, signals). docs/certificates.md.
"""
from __future__ import annotations

from devices.document_printer.absent import AbsentTransport
from devices.document_printer.cups import CupsTransport
from devices.document_printer.device import DocumentPrinter
from devices.document_printer.interface import DocumentTransport, JobOutcome, PrinterState
from devices.document_printer.sim import SimTransport
from kiosk.settings import DOCUMENT_PRINTER_BACKENDS, DocumentPrinterSection, checked_backend

__all__ = ["AbsentTransport", "CupsTransport", "DocumentPrinter", "DocumentTransport", "JobOutcome", "PrinterState", "SimTransport",
           "create_document_transport"]


def create_document_transport(section: DocumentPrinterSection) -> DocumentTransport:
    """The transport named by `[devices.document_printer]` (keys per backend: DOCUMENT_PRINTER_BACKENDS)."""
    backend = checked_backend(section, DocumentPrinterSection, DOCUMENT_PRINTER_BACKENDS,
                              "create_document_transport", "devices.document_printer")
    if backend == "none":
        return AbsentTransport()
    if backend == "sim":
        return SimTransport(section.scenario, section.output_dir or None, job_deadline_s=section.job_deadline_s,
                            poll_interval_s=section.poll_interval_s)
    return CupsTransport(section.server, section.queue, error_policy=section.error_policy,
                         job_deadline_s=section.job_deadline_s, poll_interval_s=section.poll_interval_s,
                         job_cancel_after_s=section.job_cancel_after_s,
                         distrust_completed_on_printer_error=section.distrust_completed_on_printer_error)
