"""Receipt printing over TCP to the loopback ESC/POS emulator.

    .venv/bin/python bench/print.py

* text_mode_ms / image_mode_ms: median time from `print_receipt()` (the GUI
  thread's call) until the emulator has received the job's last command (the
  cut), for the standard receipt in GB18030 text mode and in the default
  text-as-image mode: rendering, connect, the DLE EOT check before the job and
  the transfer. (The confirm watch after the last byte, `confirm_s`, comes on
  top before `print_done`.) The two modes are each other's baseline.
* receipt_bytes: bytes of the standard receipt in the default (image) mode;
  text_mode_bytes the same receipt in GB18030 text mode.
* status_rtt_ms: median round trip of one full status query (DLE EOT 1..4,
  validated) on an open connection; escpos_paper_status_rtt_ms is python-escpos'
  own `paper_status()` (DLE EOT 4 only, unvalidated) on the same connection.
* qr_roundtrip_ok: the QR of both modes' receipts, rendered from the bytes the
  emulator received, decodes with OpenCV to the receipt's token.

Prints one JSON object as its last line.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from qt_setup import apply_qt_workarounds  # noqa: E402

apply_qt_workarounds()
from PySide6.QtCore import QCoreApplication  # noqa: E402

from devices.printer import create_printer  # noqa: E402
from sim.printer.server import PrinterEmulator  # noqa: E402
from devices.printer.escpos_printer import SocketStatusChannel  # noqa: E402
from kiosk.config import PrinterSection  # noqa: E402
from devices.printer.status import query_status  # noqa: E402
from tests.test_devices_printer import make_receipt  # noqa: E402

RUNS = 15
STATUS_RUNS = 200


def time_mode(emulator: PrinterEmulator, text_mode: str) -> tuple[float, int, bool]:
    printer = create_printer(PrinterSection(backend="network", host="127.0.0.1", port=emulator.port,
                                            text_mode=text_mode, poll_interval_s=0, confirm_s=0.1))
    printer.open()
    receipt = make_receipt()
    try:
        deadline = time.monotonic() + 5
        while printer.status().value == "starting" and time.monotonic() < deadline:
            time.sleep(0.01)
        printer.print_receipt(receipt)               # warm-up: fonts, profile, first connection
        emulator.wait_for_jobs(len(emulator.jobs) + 1)
        times = []
        for _ in range(RUNS):
            count = len(emulator.jobs)
            started = time.monotonic()
            printer.print_receipt(receipt)
            job = emulator.wait_for_jobs(count + 1)[-1]
            times.append((job.cut_at - started) * 1000)
        text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(job.render()))
        return statistics.median(times), len(job.data), text == receipt.qr_payload
    finally:
        printer.close()


def status_rtt(emulator: PrinterEmulator) -> tuple[float, float]:
    from escpos.printer import Network
    printer = Network("127.0.0.1", emulator.port, timeout=2)
    printer.open()
    try:
        channel = SocketStatusChannel(printer.device, 2.0)
        ours, theirs = [], []
        for _ in range(STATUS_RUNS):
            started = time.perf_counter()
            state = query_status(channel, 1.0)
            ours.append((time.perf_counter() - started) * 1000)
            assert state.reachable and state.paper == "full", state
            started = time.perf_counter()
            assert printer.paper_status() == 2
            theirs.append((time.perf_counter() - started) * 1000)
        return statistics.median(ours), statistics.median(theirs)
    finally:
        printer.close()


def main() -> None:
    QCoreApplication.instance() or QCoreApplication([])
    with PrinterEmulator() as emulator:
        text_ms, text_bytes, text_qr = time_mode(emulator, "gb18030")
        image_ms, image_bytes, image_qr = time_mode(emulator, "image")
        rtt_ms, escpos_rtt_ms = status_rtt(emulator)
    print(f"text mode (GB18030):  {text_ms:7.1f} ms  {text_bytes:6d} bytes  (median of {RUNS})")
    print(f"image mode (default): {image_ms:7.1f} ms  {image_bytes:6d} bytes  (median of {RUNS})")
    print(f"status DLE EOT 1..4:  {rtt_ms:7.3f} ms; python-escpos paper_status(): {escpos_rtt_ms:.3f} ms")
    print(json.dumps({
        "text_mode_ms": round(text_ms, 1),
        "image_mode_ms": round(image_ms, 1),
        "receipt_bytes": image_bytes,
        "text_mode_bytes": text_bytes,
        "status_rtt_ms": round(rtt_ms, 3),
        "escpos_paper_status_rtt_ms": round(escpos_rtt_ms, 3),
        "qr_roundtrip_ok": bool(text_qr and image_qr),
    }))


if __name__ == "__main__":
    main()
