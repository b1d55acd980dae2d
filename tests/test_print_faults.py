"""The network printer driver against the loopback emulator: every fault has a defined outcome.

Outcome per fault = the `print_failed` reason (what the citizen is told: the
receipt screen shows the number + QR instead), `can_print()` (the kiosk offers
the alternative before the receipt step), the technician alert in
`supply_report()` (heartbeat), and the journal entry marked failed (never lost).
"""
from __future__ import annotations

import socket
import time

import cv2
import numpy as np
import pytest

from devices.base import DeviceStatus
from devices.printer import create_printer
from sim.printer.server import PrinterEmulator
from kiosk.config import PrinterSection
from devices.printer.journal import ReceiptJournal
from tests.test_devices_printer import APPLICATION_NUMBER, make_receipt

pytestmark = [pytest.mark.slow, pytest.mark.faults]

QR_TOKEN = f"https://zwfw.example.gov.cn/q/{APPLICATION_NUMBER}"


@pytest.fixture
def emulator():
    emu = PrinterEmulator()
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def journal(tmp_path):
    j = ReceiptJournal(tmp_path / "receipts.sqlite3", tmp_path / "device.key", keep=5)
    yield j
    j.close()


@pytest.fixture
def make_printer(qtbot, journal):
    made = []

    def make(port, **options):
        section = PrinterSection(**{"backend": "network", "host": "127.0.0.1", "port": port, "poll_interval_s": 0,
                                    "status_timeout_s": 0.5, "write_timeout_s": 1.0, "confirm_s": 0.3, **options})
        printer = create_printer(section, journal=journal)
        made.append(printer)
        printer.open()
        qtbot.waitUntil(lambda: printer.status() is not DeviceStatus.STARTING, timeout=5000)
        return printer
    yield make
    for printer in made:
        printer.close()


def print_and_wait(qtbot, printer, receipt=None, timeout_ms=10000):
    """(outcome, reason, seconds): outcome "done" or "failed"."""
    results = []
    printer.print_done.connect(lambda job: results.append(("done", None)))
    printer.print_failed.connect(lambda job, reason: results.append(("failed", reason)))
    started = time.monotonic()
    job_id = printer.print_receipt(receipt or make_receipt())
    returned_after = time.monotonic() - started
    assert job_id and returned_after < 0.2       # never blocks the GUI thread
    qtbot.waitUntil(lambda: bool(results), timeout=timeout_ms)
    return results[0][0], results[0][1], time.monotonic() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthy_printer_prints_and_the_qr_decodes(qtbot, emulator, make_printer, journal):
    printer = make_printer(emulator.port)
    assert printer.can_print() and printer.paper_status() == "full"
    outcome, reason, _ = print_and_wait(qtbot, printer)
    assert outcome == "done"
    job = emulator.wait_for_jobs(1)[0]
    assert job.interrupted is None and job.decode().cut
    assert APPLICATION_NUMBER in job.decode().lines
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(job.render()))
    assert text == QR_TOKEN
    assert [(e.state, e.application_number) for e in journal.entries()] == [("printed", APPLICATION_NUMBER)]
    assert printer.supply_report()["alert"] is None


def test_printer_off_at_start(qtbot, make_printer, journal):
    printer = make_printer(free_port())
    assert printer.status() is DeviceStatus.NO_DEVICE and not printer.can_print()
    assert printer.supply_report()["alert"] == "printer_noDevice"
    outcome, reason, seconds = print_and_wait(qtbot, printer)
    assert (outcome, reason) == ("failed", "offline") and seconds < 5
    assert journal.entries()[0].state == "failed" and journal.entries()[0].reason == "offline"


def test_printer_switched_on_later_is_found_by_the_poll(qtbot, make_printer):
    port = free_port()
    printer = make_printer(port, poll_interval_s=0.2)
    assert not printer.can_print()
    emu = PrinterEmulator(port=port)
    emu.start()
    try:
        qtbot.waitUntil(printer.can_print, timeout=5000)
        assert printer.status() is DeviceStatus.ONLINE
    finally:
        emu.stop()


def test_paper_near_end_keeps_printing_and_alerts(qtbot, emulator, make_printer):
    emulator.set(paper="near_end")
    printer = make_printer(emulator.port)
    assert printer.can_print() and printer.paper_status() == "low"
    assert printer.supply_report()["alert"] == "paper_low"
    assert print_and_wait(qtbot, printer)[0] == "done"


@pytest.mark.parametrize("fault, reason, paper, alert", [
    ({"paper": "out"}, "paper_out", "out", "paper_out"),
    ({"cover_open": True}, "cover_open", "full", "printer_userError"),
    ({"offline": True}, "offline", "full", "printer_offline"),
    ({"jammed": True}, "io_error", "jammed", "paper_jammed"),
])
def test_known_before_the_job_and_nothing_sent(qtbot, emulator, make_printer, journal, fault, reason, paper, alert):
    emulator.set(**fault)
    printer = make_printer(emulator.port)
    assert not printer.can_print()            # the kiosk knows before the receipt step
    assert printer.paper_status() == paper
    assert printer.supply_report()["alert"] == alert
    assert print_and_wait(qtbot, printer)[:2] == ("failed", reason)
    assert emulator.jobs == []                 # not a byte of the receipt went out
    assert journal.entries()[0].state == "failed"


def test_state_change_between_polls_is_caught_right_before_the_job(qtbot, emulator, make_printer):
    printer = make_printer(emulator.port)
    assert printer.can_print()
    emulator.set(cover_open=True)             # no poll since: the pre-job check finds it
    assert print_and_wait(qtbot, printer)[:2] == ("failed", "cover_open")
    assert not printer.can_print()
    emulator.set(cover_open=False)
    printer.poll_now()
    qtbot.waitUntil(printer.can_print, timeout=3000)


def test_connection_dropped_mid_job(qtbot, emulator, make_printer, journal):
    printer = make_printer(emulator.port)
    emulator.set(disconnect_after=3000)
    outcome, reason, seconds = print_and_wait(qtbot, printer)
    assert (outcome, reason) == ("failed", "offline") and seconds < 5
    assert emulator.wait_for_jobs(1)[0].interrupted == "disconnected"
    assert journal.entries()[0].state == "failed"
    assert not printer.can_print()


def test_paper_runs_out_mid_job(qtbot, emulator, make_printer, journal):
    printer = make_printer(emulator.port)
    emulator.set(paper_out_after=3000)
    assert print_and_wait(qtbot, printer)[:2] == ("failed", "paper_out")
    assert emulator.wait_for_jobs(1)[0].interrupted == "paper_out"
    assert printer.paper_status() == "out" and not printer.can_print()
    assert journal.entries()[0].reason == "paper_out"


def test_paper_out_while_printing_the_buffered_job_is_caught_by_the_confirm_watch(qtbot, emulator, make_printer):
    """All bytes accepted, the sensor trips 0.4 s later while the head prints: not "printed"."""
    printer = make_printer(emulator.port, confirm_s=1.5)
    emulator.set(paper_out_after=100, paper_out_delay_s=0.4)
    outcome, reason, seconds = print_and_wait(qtbot, printer)
    assert (outcome, reason) == ("failed", "paper_out") and seconds < 3
    assert emulator.status_queries >= 4 * 3      # before, right after, and while printing


def test_a_clean_job_is_printed_after_the_confirm_window(qtbot, emulator, make_printer):
    printer = make_printer(emulator.port, confirm_s=0.6)
    outcome, _, seconds = print_and_wait(qtbot, printer)
    assert outcome == "done" and 0.6 <= seconds < 3


def test_silent_printer_is_unknown_within_the_timeout(qtbot, emulator, make_printer):
    emulator.set(silent=True)
    started = time.monotonic()
    printer = make_printer(emulator.port)
    assert time.monotonic() - started < 3
    assert printer.status() is DeviceStatus.OFFLINE and printer.paper_status() == "unknown"
    assert not printer.can_print()
    assert "no valid reply to DLE EOT 1" in printer.last_error()
    outcome, reason, seconds = print_and_wait(qtbot, printer)
    assert (outcome, reason) == ("failed", "offline") and seconds < 3


def test_garbage_status_bytes_are_unknown_not_paper_out(qtbot, emulator, make_printer):
    emulator.set(garbage=True)
    printer = make_printer(emulator.port)
    assert printer.paper_status() == "unknown" and not printer.can_print()
    assert "got only ff" in printer.last_error()
    assert print_and_wait(qtbot, printer)[:2] == ("failed", "offline")
    assert emulator.jobs == []


def test_printer_that_stops_reading_mid_job_times_out(qtbot, emulator, make_printer, journal):
    printer = make_printer(emulator.port, write_timeout_s=1.0)
    emulator.set(stop_reading_after=2000)
    outcome, reason, seconds = print_and_wait(qtbot, printer)   # image mode: ~40 KB, buffers fill
    assert (outcome, reason) == ("failed", "offline") and seconds < 6
    assert journal.entries()[0].state == "failed"


def test_rare_name_prints_in_gb18030_mode(qtbot, emulator, make_printer):
    printer = make_printer(emulator.port, text_mode="gb18030")
    assert print_and_wait(qtbot, printer, make_receipt(applicant_name_masked="\U00020BB7*"))[0] == "done"
    decoded = emulator.wait_for_jobs(1)[0].decode()
    assert "办理事项：老年人优待证办理" in decoded.lines
    assert len(decoded.images) == 1           # the applicant line, as a picture
    assert not any("?" in line for line in decoded.lines)


def test_failed_receipt_is_reprinted_by_the_technician(qtbot, emulator, make_printer, journal):
    printer = make_printer(emulator.port, text_mode="gb18030")
    emulator.set(paper="out")
    assert print_and_wait(qtbot, printer)[:2] == ("failed", "paper_out")
    failed = journal.failed()
    assert len(failed) == 1
    emulator.set(paper="ok")                  # the technician loads a roll
    printer.poll_now()
    qtbot.waitUntil(printer.can_print, timeout=3000)
    results = []
    printer.print_done.connect(results.append)
    printer.reprint(failed[0].entry_id)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    lines = emulator.wait_for_jobs(1)[0].decode().lines
    assert "补打 / REPRINT" in lines and APPLICATION_NUMBER in lines
    entry = journal.entries()[0]
    assert (entry.state, entry.reprints) == ("printed", 1)
    with pytest.raises(KeyError):
        printer.reprint("no-such-entry")


@pytest.fixture
def serial_emulator():
    from sim.printer.pty import SerialPrinterEmulator
    emu = SerialPrinterEmulator()
    emu.start()
    yield emu
    emu.stop()


def test_serial_backend_prints_and_reads_status_over_a_pty(qtbot, serial_emulator, journal):
    """The serial transport for real (pyserial on a pseudo-terminal): status, print, paper out."""
    printer = create_printer(PrinterSection(backend="serial", device=serial_emulator.device, baudrate=115200,
                                            poll_interval_s=0, status_timeout_s=0.5, text_mode="gb18030"),
                             journal=journal)
    printer.open()
    try:
        qtbot.waitUntil(lambda: printer.status() is not DeviceStatus.STARTING, timeout=5000)
        assert printer.can_print() and printer.paper_status() == "full"
        assert print_and_wait(qtbot, printer)[0] == "done"
        lines = serial_emulator.wait_for_jobs(1)[0].decode().lines
        assert APPLICATION_NUMBER in lines and "办理事项：老年人优待证办理" in lines
        serial_emulator.set(paper="out")
        assert print_and_wait(qtbot, printer)[:2] == ("failed", "paper_out")
        assert printer.paper_status() == "out" and len(serial_emulator.jobs) == 1
        serial_emulator.set(paper="ok", silent=True)
        assert print_and_wait(qtbot, printer)[:2] == ("failed", "offline")
    finally:
        printer.close()


def test_file_backend_writes_the_receipt_and_has_no_status(qtbot, tmp_path, journal):
    """/dev/usb/lp0-style device file: write-only, so paper stays unknown but printing is allowed."""
    from sim.printer.escpos_parser import decode_receipt
    device = tmp_path / "lp0"
    device.touch()
    printer = create_printer(PrinterSection(backend="file", device=str(device), poll_interval_s=0), journal=journal)
    printer.open()
    try:
        qtbot.waitUntil(lambda: printer.status() is DeviceStatus.ONLINE, timeout=5000)
        assert printer.paper_status() == "unknown" and printer.can_print()
        assert print_and_wait(qtbot, printer)[0] == "done"
        decoded = decode_receipt(device.read_bytes())
        assert APPLICATION_NUMBER in decoded.lines and decoded.qr_payloads == [QR_TOKEN] and decoded.cut
    finally:
        printer.close()


def test_file_backend_missing_device_is_no_device(qtbot, tmp_path, journal):
    printer = create_printer(PrinterSection(backend="file", device=str(tmp_path / "no-such-dir" / "lp0"),
                                            poll_interval_s=0), journal=journal)
    printer.open()
    try:
        qtbot.waitUntil(lambda: printer.status() is DeviceStatus.NO_DEVICE, timeout=5000)
        assert not printer.can_print() and "cannot connect" in printer.last_error()
        assert print_and_wait(qtbot, printer)[:2] == ("failed", "offline")
    finally:
        printer.close()


def test_cups_backend_without_the_queue_is_no_device(qtbot, journal):
    printer = create_printer(PrinterSection(backend="cups", device="kiosk-receipts-missing", poll_interval_s=0),
                             journal=journal)
    printer.open()
    try:
        qtbot.waitUntil(lambda: printer.status() is DeviceStatus.NO_DEVICE, timeout=5000)
        assert print_and_wait(qtbot, printer)[:2] == ("failed", "offline")
    finally:
        printer.close()
    with pytest.raises(ValueError, match="CUPS queue"):
        create_printer(PrinterSection(backend="cups"))


@pytest.mark.parametrize("profile, width, qr_native", [("TM-T20II", 512, True), ("POS-5890", 384, False)])
def test_printer_profiles_and_paper_widths(qtbot, emulator, make_printer, profile, width, qr_native):
    """80 mm Epson with native QR; 58 mm printer whose profile has no QR support: raster QR, 384 dots."""
    printer = make_printer(emulator.port, profile=profile, paper_width_px=width, qr_native=qr_native)
    assert print_and_wait(qtbot, printer)[0] == "done"
    job = emulator.wait_for_jobs(1)[0]
    decoded = job.decode()
    assert max(image.width for image in decoded.images) <= width
    assert (b"\x1d(k" in job.data) is qr_native
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(job.render(width=max(width, 576))))
    assert text == QR_TOKEN
