"""The document printer's one exception hierarchy.

Every failure the driver raises is a `DocumentPrinterError` with a stable `code` (the
technician-facing reason and the key of the citizen's message); nothing from pycups or
the socket layer leaves the driver unwrapped.
"""
from __future__ import annotations


class DocumentPrinterError(Exception):
    """Base class. `code` is a short stable keyword (logged, counted, shown to technicians)."""

    code = "printer_error"

    def __init__(self, detail: str = "", code: str | None = None):
        super().__init__(detail or self.code)
        if code is not None:
            self.code = code
        self.detail = detail


class PrinterUnreachable(DocumentPrinterError):
    """The print server (cupsd) does not answer: stopped, crashed, wrong address."""

    code = "server_unreachable"


class QueueNotFound(DocumentPrinterError):
    """cupsd answers but has no such queue."""

    code = "queue_not_found"


class PrinterNotReady(DocumentPrinterError):
    """The queue is stopped, rejects jobs, or the printer reports a blocking reason (media-empty...).

    `reasons` are the blocking printer-state-reasons keywords without their severity suffix."""

    code = "printer_not_ready"

    def __init__(self, detail: str = "", reasons: tuple[str, ...] = ()):
        super().__init__(detail)
        self.reasons = reasons


class JobSubmitFailed(DocumentPrinterError):
    """The server refused or lost the job while it was being sent."""

    code = "submit_failed"


class JobFailed(DocumentPrinterError):
    """The job ended without every page printed (aborted, canceled at the device, pages short)."""

    code = "job_failed"


class JobTimedOut(DocumentPrinterError):
    """The job was not done by its deadline; the driver cancelled it."""

    code = "job_timeout"
