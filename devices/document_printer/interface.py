"""The A4 document printer as the kiosk sees it: capabilities, state, jobs, one transport protocol.

A *transport* talks to one kind of print path (CUPS/IPP: `devices.document_printer.cups`;
an in-process fake: `devices.document_printer.sim`). It is synchronous and thread-agnostic;
the Qt device (`devices.document_printer.device.DocumentPrinter`) runs it on its worker thread.

Vocabulary is IPP's (RFC 8011): printer-state idle/processing/stopped, printer-state-reasons
keywords with -report/-warning/-error suffixes, job-state 3..9, job-impressions-completed.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field

# IPP job-state values (RFC 8011 5.3.7).
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
JOB_STATE_NAMES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped",
                   7: "canceled", 8: "aborted", 9: "completed"}
TERMINAL_JOB_STATES = (JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED)

# printer-state-reasons the kiosk watches (keywords without the -report/-warning/-error suffix).
# Blocking ones stop the "print" button; the others are shown to technicians only.
BLOCKING_REASONS = ("media-empty", "media-needed", "media-jam", "door-open", "cover-open", "offline",
                    "toner-empty", "marker-supply-empty", "paused", "shutdown", "input-tray-missing",
                    "connecting-to-device")
WARNING_REASONS = ("toner-low", "media-low", "marker-supply-low", "marker-waste-almost-full")

# Error policies CUPS offers for a queue (printer-error-policy); see docs/certificates.md.
ERROR_POLICIES = ("abort-job", "retry-job", "retry-current-job", "stop-printer")


def reason_keyword(reason: str) -> str:
    """"media-empty-error" -> "media-empty"; "none" stays "none"."""
    for suffix in ("-report", "-warning", "-error"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


@dataclass(frozen=True)
class Capabilities:
    """What the transport can do, declared once (no probing of driver attributes)."""

    document_formats: tuple[str, ...] = ("application/pdf",)
    media: tuple[str, ...] = ("iso_a4_210x297mm",)
    color: bool = False
    duplex: bool = False
    reports_impressions: bool = True     # job-impressions-completed is live and trustworthy
    can_cancel: bool = True
    can_set_error_policy: bool = True


@dataclass(frozen=True)
class Marker:
    """One supply (toner, drum...) from the CUPS marker-* attributes; level -1 = unknown."""

    name: str
    kind: str
    level: int
    low_level: int = 0
    high_level: int = 100

    @property
    def low(self) -> bool:
        return 0 <= self.level <= self.low_level


@dataclass(frozen=True)
class PrinterState:
    """A snapshot of the queue and the printer behind it. No personal data."""

    state: str                                  # idle | processing | stopped | unreachable
    reasons: tuple[str, ...] = ()               # keywords without severity suffix, "none" dropped
    accepting: bool = False
    markers: tuple[Marker, ...] = ()
    message: str = ""
    error_policy: str = ""

    @property
    def blocking_reasons(self) -> tuple[str, ...]:
        return tuple(r for r in self.reasons if r in BLOCKING_REASONS)

    @property
    def warnings(self) -> tuple[str, ...]:
        low = tuple(f"{m.kind or 'marker'}-low" for m in self.markers if m.low)
        return tuple(r for r in self.reasons if r in WARNING_REASONS) + low

    @property
    def ready(self) -> bool:
        """Print is offered only when the queue accepts, is not stopped and nothing blocks."""
        return self.state in ("idle", "processing") and self.accepting and not self.blocking_reasons

    def report(self) -> dict:
        """For the heartbeat and the technician page."""
        return {"state": self.state, "ready": self.ready, "reasons": list(self.reasons),
                "accepting": self.accepting, "error_policy": self.error_policy, "message": self.message,
                "markers": [{"name": m.name, "type": m.kind, "level": m.level, "low": m.low} for m in self.markers]}


@dataclass(frozen=True)
class JobStatus:
    job_id: int
    state: int
    impressions_completed: int = 0
    reasons: tuple[str, ...] = ()
    title: str = ""

    @property
    def state_name(self) -> str:
        return JOB_STATE_NAMES.get(self.state, str(self.state))

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_JOB_STATES


@dataclass(frozen=True)
class JobOutcome:
    """How a followed job ended. `ok` only when it completed with every page printed."""

    job_id: int
    state: str
    pages_sent: int
    pages_completed: int
    reason: str = ""            # "" when ok; else a DocumentPrinterError code or printer reason
    elapsed_s: float = 0.0
    printer_reasons: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.state == "completed" and self.pages_completed == self.pages_sent and not self.reason


class DocumentTransport(abc.ABC):
    """One print path. Methods block (call them on a worker thread) and raise only
    `devices.document_printer.errors.DocumentPrinterError` subclasses."""

    capabilities: Capabilities = Capabilities()
    name: str = "transport"
    # Job policy, from the [devices.document_printer] settings (constructor arguments).
    error_policy: str = "abort-job"
    job_deadline_s: float = 90.0
    poll_s: float = 0.25
    # A "completed" job is not trusted while the printer reports a blocking reason (jobs._blocking_reasons_now).
    distrust_completed_on_printer_error: bool = False

    @abc.abstractmethod
    def printer_state(self) -> PrinterState:
        """The queue and printer now; `state="unreachable"` instead of raising when the server is down."""

    @abc.abstractmethod
    def configure_queue(self, error_policy: str) -> None:
        """Apply the queue policy (printer-error-policy, accepting, enabled)."""

    @abc.abstractmethod
    def submit(self, title: str, pdf: bytes, *, force: bool = False) -> int:
        """Send one PDF as one job (bytes over the connection; nothing written by the kiosk); the job id.

        Refuses (PrinterNotReady) when the printer reports a blocking reason, unless `force`: the
        technician's test page after a fix, which is also what makes cupsd's ipp backend fetch the
        printer's state again (a reason such as media-empty stays on the queue until a job runs)."""

    @abc.abstractmethod
    def job_status(self, job_id: int) -> JobStatus:
        """The job's state and completed impressions."""

    @abc.abstractmethod
    def cancel(self, job_id: int) -> None:
        """Cancel (and purge) a job; no error when it already ended."""

    @abc.abstractmethod
    def recent_jobs(self, limit: int = 10) -> list[JobStatus]:
        """The last jobs, newest first (technician page); titles carry no personal data."""
