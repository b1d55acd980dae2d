"""In-process document printer: just another transport, for the demo and flow tests.

Jobs "print" at once (pages counted with pyhanko's PDF reader); with an output folder each
printed document is saved as `printed-<job>.pdf` (the demo keeps the PDF it printed there).
Scenarios: `ok`, `paper_out` (the printer reports media-empty: submit refused), `paper_out_mid_job`
(the next job prints one page then aborts, media-empty), `offline` (server unreachable),
`hang` (jobs never finish: the deadline path), `toner_low` (prints; a warning).
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

from devices.document_printer.errors import PrinterNotReady, PrinterUnreachable
from devices.document_printer.interface import (JOB_ABORTED, JOB_CANCELED, JOB_COMPLETED, JOB_PROCESSING,
                                                Capabilities, DocumentTransport, JobStatus, Marker, PrinterState)

SCENARIOS = ("ok", "paper_out", "paper_out_mid_job", "offline", "hang", "toner_low")


def count_pages(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader
    return int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"])


class SimTransport(DocumentTransport):
    name = "sim"
    capabilities = Capabilities()

    def __init__(self, scenario: str = "ok", output_dir: str | Path | None = None, *, job_deadline_s: float = 90.0,
                 poll_interval_s: float = 0.05):
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown document printer scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        self.scenario = scenario
        self.output_dir = Path(output_dir) if output_dir else None
        self.error_policy = ""
        self.job_deadline_s = float(job_deadline_s)
        self.poll_s = float(poll_interval_s)
        self._lock = threading.Lock()
        self._jobs: dict[int, JobStatus] = {}
        self._next_id = 1
        self.printed: list[bytes] = []          # documents that came out whole, in order

    def set_scenario(self, scenario: str) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(scenario)
        with self._lock:
            self.scenario = scenario

    def printer_state(self) -> PrinterState:
        with self._lock:
            scenario = self.scenario
        if scenario == "offline":
            return PrinterState("unreachable", ("offline",), False, message="sim: print server down")
        reasons = {"paper_out": ("media-empty",), "toner_low": ("toner-low",)}.get(scenario, ())
        toner = 5 if scenario == "toner_low" else 80
        return PrinterState("idle", reasons, True, (Marker("Black toner", "toner", toner, 10, 100),),
                            error_policy=self.error_policy)

    def configure_queue(self, error_policy: str) -> None:
        self.error_policy = error_policy

    def submit(self, title: str, pdf: bytes, *, force: bool = False) -> int:
        state = self.printer_state()
        if state.state == "unreachable":
            raise PrinterUnreachable(state.message)
        if state.blocking_reasons and not force:
            raise PrinterNotReady("sim: " + ", ".join(state.blocking_reasons), reasons=state.blocking_reasons)
        pages = count_pages(pdf)
        with self._lock:
            job_id = self._next_id
            self._next_id += 1
            scenario = self.scenario
            if scenario == "hang":
                status = JobStatus(job_id, JOB_PROCESSING, 0, ("job-printing",), title)
            elif scenario == "paper_out_mid_job":
                status = JobStatus(job_id, JOB_ABORTED, min(1, pages - 1), ("job-aborted-by-system",), title)
                self.scenario = "paper_out"
            else:
                status = JobStatus(job_id, JOB_COMPLETED, pages, ("job-completed-successfully",), title)
                self.printed.append(pdf)
            self._jobs[job_id] = status
        if status.state == JOB_COMPLETED and self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            (self.output_dir / f"printed-{job_id}.pdf").write_bytes(pdf)
        return job_id

    def job_status(self, job_id: int) -> JobStatus:
        if self.printer_state().state == "unreachable":
            raise PrinterUnreachable("sim: print server down")
        with self._lock:
            return self._jobs[job_id]

    def cancel(self, job_id: int) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.finished:
                self._jobs[job_id] = JobStatus(job_id, JOB_CANCELED, job.impressions_completed,
                                               ("job-canceled-by-user",), job.title)

    def recent_jobs(self, limit: int = 10) -> list[JobStatus]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.job_id, reverse=True)[:limit]
