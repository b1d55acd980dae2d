"""A printer without hardware, built on python-escpos `Dummy`.

Every job is rendered to real ESC/POS bytes (kept in memory and, with an
output folder, written as `receipt-<job>.bin` plus a `receipt-<job>.png`
preview). Scenarios: `ok`, `paper_low` (prints; paper "low"), `paper_out`
(fails `paper_out`; userError), `cover_open` (fails `cover_open`; userError),
`offline` (fails `offline`).
"""
from __future__ import annotations

import os
import threading
from collections import deque
from pathlib import Path


from devices.base import Command, DeviceStatus
from devices.printer.interface import (COVER_OPEN, OFFLINE, PAPER_OUT, PrintFailure,
                                       ReceiptPrinter)
from devices.printer.receipt import DEFAULT_PAPER_WIDTH_PX, find_cjk_font
from devices.printer.render_process import render_receipt_bytes, warm_up
from kiosk.core.receipt import Receipt

SCENARIOS = ("ok", "paper_low", "paper_out", "cover_open", "offline")


KEPT_JOBS = 16      # the simulated paper roll: the last jobs' bytes, for tests and the demo

class SimPrinter(ReceiptPrinter):
    def __init__(self, output_dir: str | os.PathLike | None = None, scenario: str = "ok",
                 font_path: str | None = None, paper_width_px: int = DEFAULT_PAPER_WIDTH_PX,
                 parent=None, journal=None):
        super().__init__(parent, journal=journal)
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown printer scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        self._output_dir = Path(output_dir) if output_dir else None
        self._scenario = scenario
        self._font_path = font_path
        self._paper_width_px = paper_width_px
        self._bytes_lock = threading.Lock()
        self._last_job_bytes = b""
        # Whole jobs, the oldest dropped: a soak prints thousands of receipts through one process, and
        # a fixed number of ~50 KB blocks is reused as it turns over (a byte buffer trimmed at the front
        # was one 4 MiB block whose resident size moved with its spare capacity).
        self._jobs: deque[bytes] = deque(maxlen=KEPT_JOBS)
        # The same for the files written to output_dir (preview and bytes of each job): the soak's
        # autopilot looked through all of them after every session, on the GUI thread, and after
        # 1,800 sessions that walk was a 30-46 ms gap on the rating screen (bench/soak.py SOAK_GAPS).
        self._job_files: deque[tuple[Path, ...]] = deque()

    @property
    def last_job_bytes(self) -> bytes:
        with self._bytes_lock:
            return self._last_job_bytes

    @property
    def all_bytes(self) -> bytes:
        """Bytes of the last KEPT_JOBS jobs, oldest first."""
        with self._bytes_lock:
            return b"".join(self._jobs)

    @property
    def captured_size(self) -> int:
        """len(all_bytes), without the copy (bench/soak.py subtracts it from RSS)."""
        with self._bytes_lock:
            return sum(len(job) for job in self._jobs)

    @property
    def last_job_files(self) -> tuple[Path, ...]:
        """The files the last job wrote to output_dir (its preview, then its bytes); () if none."""
        with self._bytes_lock:
            return self._job_files[-1] if self._job_files else ()

    def _keep_files(self, files: tuple[Path, ...]) -> None:
        """The files of the last KEPT_JOBS jobs stay in output_dir; older ones this printer wrote go."""
        with self._bytes_lock:
            self._job_files.append(files)
            old = [self._job_files.popleft() for _ in range(len(self._job_files) - KEPT_JOBS)]
        for path in (p for job in old for p in job):
            path.unlink(missing_ok=True)

    def _open_on_worker(self) -> None:
        self._font_path = self._font_path or find_cjk_font()
        warm_up()
        if self._scenario == "offline":
            self._set_status(DeviceStatus.OFFLINE, "sim: printer offline")
            self._set_paper_status("unknown")
        elif self._scenario == "paper_out":
            self._set_status(DeviceStatus.USER_ERROR, "sim: paper out")
            self._set_paper_status("out")
        elif self._scenario == "cover_open":
            self._set_status(DeviceStatus.USER_ERROR, "sim: cover open")
            self._set_paper_status("full")
        else:
            self._set_status(DeviceStatus.ONLINE)
            self._set_paper_status("low" if self._scenario == "paper_low" else "full")

    def _print_on_worker(self, job_id: str, receipt: Receipt, command: Command) -> None:
        failure = {"offline": OFFLINE, "paper_out": PAPER_OUT, "cover_open": COVER_OPEN}.get(self._scenario)
        if failure:
            raise PrintFailure(failure, f"sim: {self._scenario}")
        self._set_status(DeviceStatus.BUSY)
        try:
            preview = None
            if self._output_dir is not None:
                self._output_dir.mkdir(parents=True, exist_ok=True)
                preview = self._output_dir / f"receipt-{job_id}.png"
            # Drawn in the helper process, as the real driver does (render_process.py).
            data, _counts = render_receipt_bytes(receipt, self._font_path, self._paper_width_px,
                                                 preview_path=preview)
            with self._bytes_lock:
                self._last_job_bytes = data
                self._jobs.append(data)
            if self._output_dir is not None:
                raw = self._output_dir / f"receipt-{job_id}.bin"
                raw.write_bytes(data)
                self._keep_files(tuple(p for p in (preview, raw) if p is not None))
        finally:
            self._set_status(DeviceStatus.ONLINE)
