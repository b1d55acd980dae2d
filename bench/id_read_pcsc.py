"""Social security card reads through the real PC/SC stack.

    .venv/bin/python bench/id_read_pcsc.py

Path timed per read: `PcscIdReader.read_card()` called with the card already on
the reader -> `card_read` emitted with the parsed IdentityDocument. In between:
worker thread, pyscard connect, 17 APDUs through libpcsclite -> pcscd -> vpcd ->
TCP -> the virtual card process (T=0: SELECT answered 61xx + GET RESPONSE),
TLV/GBK/BCD parsing, disconnect.

Baseline in the same run: one SELECT APDU round trip over the same stack
(`pcsc_apdu_roundtrip_median_ms`), so the read time can be judged against
17 x the transport cost.

`pcsc_read_times(n)` is importable (bench/id_read.py uses it). Needs root to
start pcscd when none is running. Prints median/p95 and, last, one JSON line.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VPCD_PORT = 35963
READER = "Virtual PCD 00 00"


class _Rig:
    """pcscd (ours, unless one runs) + the virtual card process with a social security card."""

    def __enter__(self):
        from devices.id_reader.pcsc import pcscd
        from sim.id_reader.virtual_card.process import VirtualCardProcess
        self.daemon = None
        if pcscd.running_pid() is None:
            self.daemon = pcscd.PcscDaemon(vpcd_port=VPCD_PORT)
            self.daemon.start()
        self.card = VirtualCardProcess(VPCD_PORT)
        self.card.insert("ssse")
        self._wait_for_card()
        return self

    @staticmethod
    def _wait_for_card(timeout_s: float = 10.0) -> None:
        # pcscd notices a new card at its next presence poll (a few hundred ms).
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.System import readers
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                connection = next(r for r in readers() if str(r) == READER).createConnection()
                connection.connect()
                connection.disconnect()
                return
            except (NoCardException, CardConnectionException, StopIteration):
                if time.monotonic() > deadline:
                    raise RuntimeError("the virtual card never showed up in pcscd") from None
                time.sleep(0.05)

    def __exit__(self, *exc):
        self.card.stop()
        if self.daemon is not None:
            self.daemon.stop()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _timed_reads(n: int) -> list[float]:
    from qt_setup import apply_qt_workarounds
    apply_qt_workarounds()
    from PySide6.QtCore import QCoreApplication, Qt

    from devices.base import DeviceStatus
    from devices.id_reader.pcsc.reader import PcscIdReader

    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841  (signals need an app)
    reader = PcscIdReader(reader_filter=READER, poll_s=0.2)
    done = threading.Event()
    outcome: list = []
    # Direct connections: called on the emitting worker thread, no event loop needed here.
    direct = Qt.ConnectionType.DirectConnection
    reader.card_read.connect(lambda doc: (outcome.append(doc), done.set()), direct)
    reader.read_failed.connect(lambda reason, detail: (outcome.append((reason, detail)), done.set()),
                               direct)
    reader.open()
    deadline = time.monotonic() + 10
    while not (reader.status() == DeviceStatus.ONLINE and reader.media_status() == "present"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"reader not ready: {reader.status()} {reader.media_status()}")
        time.sleep(0.02)
    times = []
    try:
        for _ in range(n):
            done.clear()
            outcome.clear()
            started = time.perf_counter()
            reader.read_card(10.0)
            if not done.wait(15):
                raise RuntimeError("read did not finish")
            elapsed = (time.perf_counter() - started) * 1000
            if not hasattr(outcome[0], "id_number"):
                raise RuntimeError(f"read failed: {outcome[0]}")
            times.append(elapsed)
    finally:
        reader.close()
    return times


def pcsc_read_times(n: int) -> list[float]:
    """Milliseconds per full social-security-card read through pcscd/vpcd, `n` reads."""
    with _Rig():
        return _timed_reads(n)


def _apdu_roundtrips(n: int) -> list[float]:
    from smartcard.System import readers

    from devices.id_reader.pcsc.apdu import command
    from devices.id_reader.pcsc.ssse import SSSE_AID
    reader = next(r for r in readers() if str(r) == READER)
    connection = reader.createConnection()
    connection.connect()
    apdu = list(command(0x00, 0xA4, 0x04, 0x00, SSSE_AID))
    times = []
    try:
        for _ in range(n):
            started = time.perf_counter()
            connection.transmit(apdu)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        connection.disconnect()
    return times


def main() -> None:
    n = 200
    with _Rig():
        reads = _timed_reads(n)
        roundtrips = _apdu_roundtrips(n)
    result = {
        "pcsc_median_ms": round(statistics.median(reads), 2),
        "pcsc_p95_ms": round(_percentile(reads, 0.95), 2),
        "pcsc_reads": n,
        "pcsc_apdu_roundtrip_median_ms": round(statistics.median(roundtrips), 3),
        "pcsc_apdus_per_read": 17,
    }
    print(f"social security card via pcscd/vpcd: median {result['pcsc_median_ms']} ms, "
          f"p95 {result['pcsc_p95_ms']} ms over {n} reads")
    print(f"baseline: one APDU round trip median {result['pcsc_apdu_roundtrip_median_ms']} ms "
          f"(x17 APDUs per read = {17 * result['pcsc_apdu_roundtrip_median_ms']:.1f} ms)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
