"""No A4 printer at this kiosk (backend "none", the default): certificate services say so.

Not every kiosk has an A4 printer; a configuration written before issue 15 keeps loading and the
"print my certificate" service answers "printer unavailable" instead of failing at start.
"""
from __future__ import annotations

from devices.document_printer.errors import PrinterUnreachable
from devices.document_printer.interface import (Capabilities, DocumentTransport, JobStatus, PrinterState)


class AbsentTransport(DocumentTransport):
    name = "none"
    capabilities = Capabilities(document_formats=(), media=(), reports_impressions=False, can_cancel=False,
                                can_set_error_policy=False)

    def printer_state(self) -> PrinterState:
        return PrinterState("absent", ("offline",), False, message="no A4 printer configured")

    def configure_queue(self, error_policy: str) -> None:
        return None

    def submit(self, title: str, pdf: bytes, *, force: bool = False) -> int:
        raise PrinterUnreachable("no A4 printer configured at this kiosk")

    def job_status(self, job_id: int) -> JobStatus:
        raise PrinterUnreachable("no A4 printer configured at this kiosk")

    def cancel(self, job_id: int) -> None:
        return None

    def recent_jobs(self, limit: int = 10) -> list[JobStatus]:
        return []
