"""CUPS/IPP transport (pycups against a configured cupsd).

Why pycups: it is libcups, the client every CUPS tool uses, and it can *stream* a document
(Create-Job + Send-Document through `startDocument` / `writeRequestData` / `finishDocument`),
so the kiosk never writes the citizen's document to a file: the bytes go from memory over
the IPP connection. cupsd spools them in its RequestRoot (which the deployment puts on a
tmpfs) and, with `PreserveJobFiles No`, deletes the spool file when the job ends
(docs/certificates.md). Each job also carries `job-cancel-after`, so cupsd itself cancels
a job the kiosk stopped following (crash, power loss).

A connection per call: pycups connections are not thread-safe and cupsd may restart between
calls; opening one on loopback costs well under a millisecond.
"""
from __future__ import annotations

import logging
import threading

import cups

from devices.document_printer.errors import (DocumentPrinterError, JobSubmitFailed, PrinterNotReady,
                                             PrinterUnreachable, QueueNotFound)
from devices.document_printer.interface import (ERROR_POLICIES, Capabilities, DocumentTransport, JobStatus,
                                                Marker, PrinterState, reason_keyword)

log = logging.getLogger(__name__)

PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "printer-state-message", "printer-error-policy", "marker-names", "marker-types",
                      "marker-levels", "marker-low-levels", "marker-high-levels"]
JOB_ATTRIBUTES = ["job-id", "job-state", "job-state-reasons", "job-impressions-completed", "job-name"]
_PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
_GLOBALS_LOCK = threading.Lock()
_IPP_NOT_FOUND = getattr(cups, "IPP_NOT_FOUND", 0x0406)


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


class CupsTransport(DocumentTransport):
    name = "cups"

    def __init__(self, server: str, queue: str, *, error_policy: str = "abort-job", job_deadline_s: float = 90.0,
                 poll_interval_s: float = 0.25, job_cancel_after_s: int = 300, media: str = "iso_a4_210x297mm",
                 capabilities: Capabilities | None = None, distrust_completed_on_printer_error: bool = True):
        """`server` = "host:port" or the path of cupsd's domain socket; `queue` = the CUPS queue."""
        if not queue:
            raise ValueError("document printer: the CUPS queue name is required")
        if error_policy not in ERROR_POLICIES:
            raise ValueError(f"unknown printer-error-policy {error_policy!r}")
        self.error_policy = error_policy
        self.distrust_completed_on_printer_error = bool(distrust_completed_on_printer_error)
        self.job_deadline_s = float(job_deadline_s)
        self.poll_s = float(poll_interval_s)
        self.server = server
        self.queue = queue
        self.job_cancel_after_s = int(job_cancel_after_s)
        self.media = media
        self.capabilities = capabilities or Capabilities(media=(media,))

    # --- connection --------------------------------------------------------

    def _connect(self) -> cups.Connection:
        host, port = self.server, 631
        if not self.server.startswith("/") and ":" in self.server:
            host, _, port_text = self.server.rpartition(":")
            port = int(port_text)
        try:
            with _GLOBALS_LOCK:
                # libcups builds the job's printer-uri from its process-wide server and port (not from
                # the connection's), and cupsd refuses a Create-Job whose URI names another port.
                cups.setServer(host)
                cups.setPort(port)
                return cups.Connection(host=host, port=port)
        except RuntimeError as exc:      # "failed to connect to server"
            raise PrinterUnreachable(f"cupsd at {self.server}: {exc}") from None

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except cups.IPPError as exc:
            status, message = exc.args if len(exc.args) == 2 else (0, str(exc))
            if status == _IPP_NOT_FOUND:
                raise QueueNotFound(f"{what}: {message}") from None
            if status in (getattr(cups, "IPP_SERVICE_UNAVAILABLE", 0x0502),) or "connect" in str(message).lower():
                raise PrinterUnreachable(f"{what}: {message}") from None
            raise DocumentPrinterError(f"{what}: IPP status {status:#06x} {message}") from None
        except cups.HTTPError as exc:
            raise PrinterUnreachable(f"{what}: HTTP error {exc.args[0] if exc.args else exc}") from None
        except RuntimeError as exc:
            raise PrinterUnreachable(f"{what}: {exc}") from None

    # --- DocumentTransport -------------------------------------------------

    def printer_state(self) -> PrinterState:
        try:
            conn = self._connect()
            attrs = self._call("printer attributes", conn.getPrinterAttributes, self.queue,
                               requested_attributes=PRINTER_ATTRIBUTES)
        except PrinterUnreachable as exc:
            return PrinterState("unreachable", ("offline",), False, message=exc.detail)
        reasons = tuple(reason_keyword(r) for r in _as_tuple(attrs.get("printer-state-reasons")) if r != "none")
        return PrinterState(
            state=_PRINTER_STATES.get(int(attrs.get("printer-state", 5)), "stopped"),
            reasons=tuple(dict.fromkeys(reasons)),
            accepting=bool(attrs.get("printer-is-accepting-jobs", False)),
            markers=_markers(attrs),
            message=str(attrs.get("printer-state-message", "")),
            error_policy=str(attrs.get("printer-error-policy", "")),
        )

    def configure_queue(self, error_policy: str) -> None:
        if error_policy not in ERROR_POLICIES:
            raise ValueError(f"unknown printer-error-policy {error_policy!r}")
        conn = self._connect()
        # CUPS-Add-Modify-Printer would create a missing queue: make sure it exists first.
        self._call("find queue", conn.getPrinterAttributes, self.queue, requested_attributes=["printer-name"])
        self._call("set error policy", conn.setPrinterErrorPolicy, self.queue, error_policy)
        self._call("enable queue", conn.enablePrinter, self.queue)
        self._call("accept jobs", conn.acceptJobs, self.queue)
        log.info("document printer: queue %s configured (printer-error-policy=%s)", self.queue, error_policy)

    def submit(self, title: str, pdf: bytes, *, force: bool = False) -> int:
        state = self.printer_state()
        if state.state == "unreachable":
            raise PrinterUnreachable(state.message)
        if not state.ready and not (force and state.accepting and state.state != "stopped"):
            raise PrinterNotReady(f"queue {self.queue}: {state.state}, reasons {list(state.reasons)}, "
                                  f"accepting={state.accepting}", reasons=state.blocking_reasons)
        conn = self._connect()
        options = {"media": self.media, "job-cancel-after": str(self.job_cancel_after_s)}
        job_id = int(self._call("create job", conn.createJob, self.queue, title, options))
        try:
            self._call("start document", conn.startDocument, self.queue, job_id, title, "application/pdf", 1)
            status = self._call("write document", conn.writeRequestData, pdf, len(pdf))
            if status not in (None, 100, 0):   # HTTP_STATUS_CONTINUE
                raise JobSubmitFailed(f"job {job_id}: HTTP status {status} while sending")
            result = self._call("finish document", conn.finishDocument, self.queue)
            if result not in (None, 0):
                raise JobSubmitFailed(f"job {job_id}: Send-Document status {result:#06x}")
        except DocumentPrinterError as exc:
            self._cancel_quietly(job_id)
            if isinstance(exc, (PrinterUnreachable, JobSubmitFailed)):
                raise
            raise JobSubmitFailed(str(exc)) from None
        return job_id

    def job_status(self, job_id: int) -> JobStatus:
        conn = self._connect()
        attrs = self._call("job attributes", conn.getJobAttributes, job_id, requested_attributes=JOB_ATTRIBUTES)
        return JobStatus(job_id=job_id, state=int(attrs.get("job-state", 0)),
                         impressions_completed=int(attrs.get("job-impressions-completed", 0) or 0),
                         reasons=_as_tuple(attrs.get("job-state-reasons")), title=str(attrs.get("job-name", "")))

    def cancel(self, job_id: int) -> None:
        conn = self._connect()
        try:
            self._call("cancel job", conn.cancelJob, job_id, purge_job=True)
        except DocumentPrinterError as exc:
            if isinstance(exc, PrinterUnreachable):
                raise
            log.info("document printer: cancel of job %d: %s (already ended?)", job_id, exc)

    def _cancel_quietly(self, job_id: int) -> None:
        try:
            self.cancel(job_id)
        except DocumentPrinterError:
            pass

    def recent_jobs(self, limit: int = 10) -> list[JobStatus]:
        conn = self._connect()
        jobs = self._call("list jobs", conn.getJobs, which_jobs="all", my_jobs=False, limit=limit,
                          requested_attributes=JOB_ATTRIBUTES)
        result = [JobStatus(job_id=int(jid), state=int(a.get("job-state", 0)),
                            impressions_completed=int(a.get("job-impressions-completed", 0) or 0),
                            reasons=_as_tuple(a.get("job-state-reasons")), title=str(a.get("job-name", "")))
                  for jid, a in jobs.items()]
        return sorted(result, key=lambda j: j.job_id, reverse=True)[:limit]


def _markers(attrs: dict) -> tuple[Marker, ...]:
    names = _as_tuple(attrs.get("marker-names"))
    kinds = _as_tuple(attrs.get("marker-types"))
    levels = _as_tuple(attrs.get("marker-levels"))
    lows = _as_tuple(attrs.get("marker-low-levels"))
    highs = _as_tuple(attrs.get("marker-high-levels"))
    markers = []
    for i, name in enumerate(names):
        markers.append(Marker(str(name), str(kinds[i]) if i < len(kinds) else "",
                              int(levels[i]) if i < len(levels) else -1,
                              int(lows[i]) if i < len(lows) else 0,
                              int(highs[i]) if i < len(highs) else 100))
    return tuple(markers)
