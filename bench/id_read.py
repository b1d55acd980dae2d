"""ID-card read time: "card on the reader" -> parsed IdentityDocument.

    .venv/bin/python bench/id_read.py

SAM path: the production driver (SamSerialIdReader on its worker thread, Qt
signals) against the simulator process on a pty with zero simulated delay, so
the figure is the driver's own overhead: three request/response round trips
(find, select, read 1295 bytes), reassembly, checksum, text-block parsing and
the signal back. A real reader adds the wire time (1295 bytes at 115200 baud
= 112 ms) and the SAM's authentication with the card. The same run also times
the bare link (SamLink: the same three commands, no device machinery) as the
floor the driver is compared with.

PC/SC path: `bench/id_read_pcsc.py` (social-security card through pcscd and
vpcd) when present; null otherwise, with the reason on stderr.

Last line: {"sam_median_ms": ..., "sam_p95_ms": ..., "pcsc_median_ms": ...}
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

READS = 300
WARMUP = 10


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def sam_read_times(reads: int) -> tuple[list[float], list[float]]:
    from qt_setup import apply_qt_workarounds
    apply_qt_workarounds()
    from PySide6.QtCore import QCoreApplication, Qt

    from devices.base import DeviceStatus
    from devices.id_reader.photo_decoder import NoWltDecoder
    from devices.id_reader.sam_protocol import split_base_message
    from devices.id_reader.sam_serial import SamLink, SamSerialIdReader
    from sim.id_reader.sam_simulator import SamSimulatorProcess
    from devices.id_reader.text_block import parse_text_block

    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 (signals need an application)
    simulator = SamSimulatorProcess(identity="young", card="resident", scenario="card", delay_s=0.0)
    simulator.start()
    try:
        # Floor: the bare link, same three commands, no worker thread or signals.
        link = SamLink(simulator.path)
        link.open()
        link_times = []
        for index in range(reads + WARMUP):
            started = time.perf_counter()
            link.find_card()
            link.select_card()
            response = link.read_base()
            parse_text_block(split_base_message(response.data).text)
            if index >= WARMUP:
                link_times.append((time.perf_counter() - started) * 1000)
        link.close()

        reader = SamSerialIdReader(simulator.path, photo_decoder=NoWltDecoder())
        done = threading.Event()
        outcome = {}

        def on_card(document):
            outcome["document"] = document
            done.set()

        def on_failed(reason, detail):
            outcome["failed"] = (reason, detail)
            done.set()

        # Direct connections: the clock stops in the worker thread the moment the
        # document is emitted, not when an event loop gets round to it.
        reader.card_read.connect(on_card, Qt.ConnectionType.DirectConnection)
        reader.read_failed.connect(on_failed, Qt.ConnectionType.DirectConnection)
        reader.open()
        deadline = time.monotonic() + 10
        while reader.status() != DeviceStatus.ONLINE:
            if time.monotonic() > deadline:
                raise RuntimeError(f"reader did not come online: {reader.last_error()}")
            time.sleep(0.01)
        driver_times = []
        for index in range(reads + WARMUP):
            done.clear()
            outcome.clear()
            started = time.perf_counter()
            reader.read_card(5.0)
            if not done.wait(10):
                raise RuntimeError("read did not finish")
            elapsed = (time.perf_counter() - started) * 1000
            if "failed" in outcome:
                raise RuntimeError(f"read failed: {outcome['failed']}")
            if index >= WARMUP:
                driver_times.append(elapsed)
        reader.close()
        return driver_times, link_times
    finally:
        simulator.stop()


def pcsc_median() -> float | None:
    try:
        try:
            from id_read_pcsc import pcsc_read_times       # run as bench/id_read.py
        except ImportError:
            from bench.id_read_pcsc import pcsc_read_times
    except ImportError as exc:
        print(f"pcsc: bench/id_read_pcsc.py not available ({exc}); pcsc_median_ms is null", file=sys.stderr)
        return None
    try:
        times = pcsc_read_times(200)
    except Exception as exc:   # pcscd/vpcd missing or not root: say why, keep the SAM figures
        print(f"pcsc: measurement failed: {type(exc).__name__}: {exc}; pcsc_median_ms is null", file=sys.stderr)
        return None
    print(f"pcsc: {len(times)} reads, median {statistics.median(times):.2f} ms, "
          f"p95 {percentile(times, 0.95):.2f} ms", file=sys.stderr)
    return round(statistics.median(times), 3)


def main() -> int:
    driver, link = sam_read_times(READS)
    print(f"sam link only (floor): {len(link)} reads, median {statistics.median(link):.2f} ms, "
          f"p95 {percentile(link, 0.95):.2f} ms")
    print(f"sam driver: {len(driver)} reads, median {statistics.median(driver):.2f} ms, "
          f"p95 {percentile(driver, 0.95):.2f} ms, max {max(driver):.2f} ms (target: median <= 20 ms)")
    result = {
        "sam_median_ms": round(statistics.median(driver), 3),
        "sam_p95_ms": round(percentile(driver, 0.95), 3),
        "pcsc_median_ms": pcsc_median(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
