"""Receipt layout and SimPrinter: real ESC/POS bytes through python-escpos Dummy."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from escpos.printer import Dummy
from PIL import Image

from devices.base import DeviceStatus
from devices.printer import Receipt, SimPrinter, create_printer, render_receipt, render_receipt_preview
from devices.printer.receipt import find_cjk_font, load_font, missing_glyphs
from kiosk.config import PrinterSection

APPLICATION_NUMBER = "GD20261123000001"
QR_STORE = b"\x1d(k"          # GS ( k: native QR code
PARTIAL_CUT = b"\x1dV\x01"


def make_receipt(**changes) -> Receipt:
    receipt = Receipt(
        language="zh_CN", kiosk_id="GD-SZ-FT-0001", kiosk_location="示例市政务服务中心 自助服务区 1 号机",
        service_name="老年人优待证办理", applicant_name_masked="梁**", id_number_masked="4412**********0316",
        application_number=APPLICATION_NUMBER,
        qr_payload=f"https://zwfw.example.gov.cn/q/{APPLICATION_NUMBER}",
        submitted_at=dt.datetime(2026, 11, 23, 10, 15), expected_completion=dt.date(2026, 11, 30),
        materials=("居民身份证", "近期免冠照片一张"))
    return dataclasses.replace(receipt, **changes)


@pytest.fixture
def printers(qtbot):
    made = []
    yield made
    for printer in made:
        printer.close()


def test_sim_printer_prints_number_and_qr(qtbot, printers, tmp_path):
    printer = SimPrinter(output_dir=tmp_path)
    printers.append(printer)
    with qtbot.waitSignal(printer.print_done, timeout=10000) as blocker:
        job_id = printer.print_receipt(make_receipt())
    assert blocker.args == [job_id]
    data = printer.last_job_bytes
    assert data.startswith(b"\x1b@")                          # ESC @ init
    assert APPLICATION_NUMBER.encode() in data                # as printer text
    assert QR_STORE in data and data.count(APPLICATION_NUMBER.encode()) >= 2   # and inside the QR
    assert data.rstrip().endswith(PARTIAL_CUT)
    assert printer.all_bytes == data
    assert (tmp_path / f"receipt-{job_id}.bin").read_bytes() == data
    preview = Image.open(tmp_path / f"receipt-{job_id}.png")
    assert preview.width >= 512 and preview.height > preview.width
    assert printer.paper_status() == "full" and printer.status() == DeviceStatus.ONLINE


def test_rare_name_characters_render(qtbot, printers):
    font = load_font(find_cjk_font(), 26)
    rare_name = "王䶮𠀾"          # U+4DAE (Ext-A) and U+2003E (Ext-B), both outside GBK
    assert missing_glyphs(font, rare_name) == []
    printer = SimPrinter()
    printers.append(printer)
    with qtbot.waitSignal(printer.print_done, timeout=10000):
        printer.print_receipt(make_receipt(applicant_name_masked=rare_name))
    # Chinese goes out as raster images (GS v 0), never as GB18030 text that would print "?".
    assert b"\x1dv0" in printer.last_job_bytes
    assert rare_name.encode("gb18030") not in printer.last_job_bytes


def test_missing_glyph_detection_is_real():
    font = load_font(find_cjk_font(), 26)
    assert missing_glyphs(font, "中A\U000F0001") == ["\U000F0001"]   # a private-use character


@pytest.mark.parametrize("language,title", [("zh_CN", "受理回执"), ("zh_HK", "受理回執"),
                                            ("en", "Application receipt")])
def test_each_language_renders(language, title):
    from devices.printer.receipt import layout_receipt
    receipt = make_receipt(language=language, queued_offline=True, reprint=True)
    blocks = layout_receipt(receipt)
    texts = [getattr(block, "text", "") for block in blocks]
    assert texts[0] == title
    assert any("REPRINT" in text for text in texts)
    assert any("12345" in text for text in texts)
    dummy = Dummy()
    render_receipt(dummy, receipt)
    assert APPLICATION_NUMBER.encode() in dummy.output
    assert render_receipt_preview(receipt).height > 500


def test_offline_variant_says_it_was_saved():
    from devices.printer.receipt import layout_receipt
    texts = [getattr(b, "text", "") for b in layout_receipt(make_receipt(queued_offline=True))]
    assert "已保存，联网后自动提交" in texts
    assert "临时受理号" in texts
    assert "已保存，联网后自动提交" not in [getattr(b, "text", "") for b in layout_receipt(make_receipt())]


def test_paper_low_still_prints(qtbot, printers):
    printer = SimPrinter(scenario="paper_low")
    printers.append(printer)
    with qtbot.waitSignal(printer.paper_status_changed, timeout=5000,
                          check_params_cb=lambda paper: paper == "low"):
        printer.open()
    with qtbot.waitSignal(printer.print_done, timeout=10000):
        printer.print_receipt(make_receipt())


@pytest.mark.parametrize("scenario,reason,status", [
    ("paper_out", "paper_out", DeviceStatus.USER_ERROR),
    ("cover_open", "cover_open", DeviceStatus.USER_ERROR),
    ("offline", "offline", DeviceStatus.OFFLINE),
])
@pytest.mark.faults
def test_faults_fail_the_job(qtbot, printers, scenario, reason, status):
    printer = SimPrinter(scenario=scenario)
    printers.append(printer)
    with qtbot.waitSignal(printer.print_failed, timeout=5000) as blocker:
        job_id = printer.print_receipt(make_receipt())
    assert blocker.args == [job_id, reason]
    assert printer.status() == status
    assert printer.last_job_bytes == b""


def test_factory(tmp_path):
    assert isinstance(create_printer(PrinterSection(backend="sim", scenario="ok"), output_dir=tmp_path), SimPrinter)
    from devices.printer.escpos_printer import NetworkReceiptPrinter, UsbReceiptPrinter
    assert isinstance(create_printer(PrinterSection(backend="network", host="192.0.2.10")), NetworkReceiptPrinter)
    assert isinstance(create_printer(PrinterSection(backend="usb", device="04b8:0e15")), UsbReceiptPrinter)
    with pytest.raises(ValueError, match="host"):
        create_printer(PrinterSection(backend="network"))
    with pytest.raises(ValueError, match="laser"):
        create_printer(PrinterSection(backend="laser"))


def test_network_printer_nobody_listening_fails_offline(qtbot, printers):
    import socket
    with socket.socket() as probe:    # a free port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = create_printer(PrinterSection(backend="network", host="127.0.0.1", port=port))
    printers.append(printer)
    with qtbot.waitSignal(printer.print_failed, timeout=10000) as blocker:
        printer.print_receipt(make_receipt())
    assert blocker.args[1] == "offline"
    assert printer.status() == DeviceStatus.NO_DEVICE


def test_sim_printer_keeps_only_recent_bytes(qtbot, printers, monkeypatch):
    """The simulator's byte capture is bounded (the soak prints thousands of receipts)."""
    import devices.printer.sim as sim
    monkeypatch.setattr(sim, "KEPT_JOBS", 2)
    printer = SimPrinter()
    printers.append(printer)
    jobs = []
    for number in ("GD0001", "GD0002", "GD0003"):
        with qtbot.waitSignal(printer.print_done, timeout=10000):
            printer.print_receipt(make_receipt(application_number=number))
        jobs.append(printer.last_job_bytes)
    kept = printer.all_bytes
    assert kept == jobs[1] + jobs[2]
    assert printer.captured_size == len(kept)
    assert b"GD0002" in kept and b"GD0001" not in kept


def test_sim_printer_keeps_only_recent_files(qtbot, printers, monkeypatch, tmp_path):
    """Its preview and byte files are bounded too: the soak's autopilot looks through them after every
    session on the GUI thread, and 1,800 sessions' worth made a 30-46 ms gap. Files it did not write stay."""
    import devices.printer.sim as sim
    monkeypatch.setattr(sim, "KEPT_JOBS", 2)
    (tmp_path / "receipt-from-before.png").write_bytes(b"not ours")
    printer = SimPrinter(output_dir=tmp_path)
    printers.append(printer)
    job_ids = []
    for number in ("GD0001", "GD0002", "GD0003"):
        with qtbot.waitSignal(printer.print_done, timeout=10000):
            job_ids.append(printer.print_receipt(make_receipt(application_number=number)))
    expected = {f"receipt-{job}{suffix}" for job in job_ids[1:] for suffix in (".png", ".bin")}
    assert {path.name for path in tmp_path.iterdir()} == expected | {"receipt-from-before.png"}
    # The demo's autopilot asks for the last job's files instead of listing the folder.
    assert [path.name for path in printer.last_job_files] == [f"receipt-{job_ids[-1]}.png",
                                                              f"receipt-{job_ids[-1]}.bin"]


def test_receipts_are_drawn_in_the_helper_process_byte_for_byte(tmp_path):
    """devices/printer/render_process.py: the helper draws the same bytes as the printer's own
    thread would, in another process (the GUI thread no longer waits for the interpreter lock)."""
    import os

    from devices.printer import render_process
    from devices.printer.receipt import find_cjk_font
    font = find_cjk_font()
    receipt = make_receipt()
    expected = Dummy()
    render_receipt(expected, receipt, font, 576)
    data, counts = render_process.render_receipt_bytes(receipt, font, 576, preview_path=tmp_path / "r.png")
    assert data == expected.output and counts["image_lines"] > 0
    assert Image.open(tmp_path / "r.png").height > 500
    pid = render_process.helper.executor().submit(os.getpid).result(timeout=30)
    assert pid != os.getpid()


def test_a_dead_receipt_helper_costs_no_receipt(monkeypatch):
    """If the helper does not answer (killed, hung), the receipt is drawn on the calling thread and
    the helper replaced."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from devices.printer import render_process
    from devices.printer.receipt import find_cjk_font

    class Silent:
        def result(self, timeout=None):
            raise FutureTimeout()

    class DeadPool:
        shut = False

        def submit(self, *args, **kwargs):
            return Silent()

        def shutdown(self, **kwargs):
            DeadPool.shut = True
    dead = DeadPool()
    monkeypatch.setattr(render_process.helper, "_pool", dead)
    receipt = make_receipt()
    expected = Dummy()
    render_receipt(expected, receipt, find_cjk_font(), 576)
    data, _counts = render_process.render_receipt_bytes(receipt, find_cjk_font(), 576)
    assert data == expected.output
    assert DeadPool.shut and render_process.helper._pool is not dead


@pytest.mark.faults
def test_a_receipt_helper_killed_with_sigkill_is_replaced(monkeypatch):
    """kill -9 of the helper process: the next receipt still prints, byte for byte (the pool starts
    a new helper, or the receipt is drawn in-process within RENDER_TIMEOUT_S)."""
    import os
    import signal

    from devices.printer import render_process
    from devices.printer.receipt import find_cjk_font
    monkeypatch.setattr(render_process.helper, "timeout_s", 10.0)
    pid = render_process.helper.executor().submit(os.getpid).result(timeout=30)
    os.kill(pid, signal.SIGKILL)
    receipt = make_receipt()
    expected = Dummy()
    render_receipt(expected, receipt, find_cjk_font(), 576)
    data, _counts = render_process.render_receipt_bytes(receipt, find_cjk_font(), 576)
    assert data == expected.output
