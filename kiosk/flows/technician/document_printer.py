"""The technician's A4 printer page (issue 15): state and reasons, toner levels, error policy,
a test page (sent even when the printer reports a fault: after loading paper it is what makes
the queue fetch the printer's state again), the last CUPS jobs and the licence print journal.
No personal data: job titles are opaque request ids, the journal holds codes and counts."""
from __future__ import annotations

import datetime as dt
import io
import time

from PySide6.QtCore import QObject

TEST_PAGE_PREFIX = "technician-test-"


def test_page_pdf(kiosk_id: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica-Bold", 28)
    c.drawString(72, 760, "A4 TEST PAGE")
    c.setFont("Helvetica", 14)
    c.drawString(72, 720, f"Kiosk {kiosk_id}  {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
    for i in range(10):
        c.setFillGray(i / 10)
        c.rect(72 + i * 45, 600, 40, 60, fill=1, stroke=0)
    c.setFillGray(0)
    c.rect(36, 36, A4[0] - 72, A4[1] - 72)
    c.showPage()
    c.save()
    return buf.getvalue()


class DocumentPrinterTech(QObject):
    """Owned by TechnicianService; `on_change()` is called after every update on the GUI thread."""

    def __init__(self, controller, jobs, on_change, parent=None):
        super().__init__(parent)
        self.printer = controller.document_printer
        self.journal = controller.certificates.journal
        self.kiosk_id = controller.config.kiosk.id
        self.jobs = jobs
        self.on_change = on_change
        self.test_page = ""
        self.cups_jobs: list = []
        self.prints: list[dict] = []
        self._test_request = ""
        if self.printer is not None:
            self.printer.job_finished.connect(self._on_job_finished)
            self.printer.recent_jobs_ready.connect(self._on_recent_jobs)

    def refresh(self) -> None:
        if self.printer is None:
            return
        self.printer.refresh()
        self.printer.request_recent_jobs(8)
        if self.journal is not None:
            self.jobs.run("a4-journal", lambda: self.journal.last_attempts(8), self._on_prints)

    def print_test_page(self) -> None:
        if self.printer is None:
            self.test_page = "no A4 printer configured"
            self.on_change()
            return
        self._test_request = f"{TEST_PAGE_PREFIX}{int(time.time())}"
        self.test_page = "printing"
        self.jobs.run("a4-test-page", lambda: test_page_pdf(self.kiosk_id),
                      lambda pdf: self.printer.print_document(self._test_request, self._test_request, pdf, 1,
                                                              force=True))
        self.on_change()

    def _on_job_finished(self, request_id: str, outcome) -> None:
        if request_id == self._test_request:
            self.test_page = "printed, pages 1/1" if outcome.ok else \
                f"failed: {outcome.reason} pages {outcome.pages_completed}/{outcome.pages_sent}"
            self.refresh()
            self.on_change()

    def _on_recent_jobs(self, jobs) -> None:
        self.cups_jobs = list(jobs)
        self.on_change()

    def _on_prints(self, prints) -> None:
        self.prints = list(prints)
        self.on_change()

    def text(self) -> str:
        if self.printer is None:
            return "no A4 printer configured ([devices.document_printer] backend = \"none\")"
        report = self.printer.supply_report()
        lines = [f"state: {report['state']}  ready: {report['ready']}  device: {report['device']}",
                 f"reasons: {', '.join(report['reasons']) or 'none'}",
                 f"accepting: {report['accepting']}  error policy: {report['error_policy'] or '-'}",
                 "markers: " + (", ".join(f"{m['name']} {m['level']}%{' LOW' if m['low'] else ''}"
                                          for m in report["markers"]) or "-"),
                 f"test page: {self.test_page or '-'}", "", "last CUPS jobs:"]
        lines += [f"  #{j.job_id} {j.state_name} pages {j.impressions_completed} {j.title}" for j in self.cups_jobs]
        lines += ["", "last licence prints (journal):"]
        lines += [f"  {dt.datetime.fromtimestamp(p['started_at']):%m-%d %H:%M} {p['licence_type']} job {p['job_id']} "
                  f"{p['state']} {p['pages_completed']}/{p['pages_sent']} {p['reason']}" for p in self.prints]
        return "\n".join(lines)
