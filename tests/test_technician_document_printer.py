"""The technician's A4 printer page: state, reasons, toner, policy, a test page sent even when the
printer reports a fault, the last jobs and the licence print journal (no personal data)."""
from __future__ import annotations

from types import SimpleNamespace

from devices.document_printer import DocumentPrinter, SimTransport
from kiosk.flows.jobs import BackgroundJobs
from kiosk.flows.technician.document_printer import DocumentPrinterTech
from kiosk.licence_journal import LicenceJournal


def test_state_test_page_and_last_jobs(qtbot, tmp_path):
    transport = SimTransport("paper_out")           # the tray reports empty: citizens cannot print
    printer = DocumentPrinter(transport)
    journal = LicenceJournal(tmp_path / "j.sqlite3")
    journal.open_entitlement("req-1", "household_registration", False)
    journal.start_attempt("req-1", "p-1", 1)
    journal.finish_attempt("p-1", 4, pages_ok=False, pages_completed=0, reason="paper_out")
    controller = SimpleNamespace(document_printer=printer, certificates=SimpleNamespace(journal=journal),
                                 config=SimpleNamespace(kiosk=SimpleNamespace(id="K-1")))
    changes = []
    jobs = BackgroundJobs()
    tech = DocumentPrinterTech(controller, jobs, lambda: changes.append(1))
    printer.open()
    try:
        tech.refresh()
        qtbot.waitUntil(lambda: bool(tech.prints) and "media-empty" in tech.text(), timeout=5000)
        assert "ready: False" in tech.text() and "Black toner 80%" in tech.text()
        assert "household_registration job 4 failed 0/1 paper_out" in tech.text()
        transport.set_scenario("ok")                 # paper loaded
        tech.print_test_page()
        qtbot.waitUntil(lambda: tech.test_page.startswith("printed"), timeout=5000)
        # The status and the job list come back as two answers of the device thread: wait for both.
        qtbot.waitUntil(lambda: "ready: True" in tech.text() and bool(tech.cups_jobs), timeout=5000)
        assert tech.cups_jobs and tech.cups_jobs[0].title.startswith("technician-test-")
        assert len(transport.printed) == 1
    finally:
        printer.close()
        journal.close()
