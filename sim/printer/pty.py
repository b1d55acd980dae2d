"""The loopback printer emulator behind a pseudo-terminal, for the serial backend."""
from __future__ import annotations

import os
import threading
import time

from sim.printer.escpos_parser import EscPosParser
from sim.printer.server import EmulatedJob, PrinterEmulator


class SerialPrinterEmulator(PrinterEmulator):
    """The same printer behind a pseudo-terminal, for the serial backend: `.device` is the
    path to give `SerialReceiptPrinter`. A serial line has no connections, so a job ends
    at its cut command. Faults: the status ones (paper, cover, offline, jammed, silent,
    garbage) and paper_out_after; the TCP-only ones (disconnect, stop_reading) do not apply.
    """

    def start(self) -> str:
        import tty
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        self.device = os.ttyname(self._slave)
        self._stopping.clear()
        threading.Thread(target=self._serve_pty, name="printer-emulator-pty", daemon=True).start()
        return self.device

    def stop(self) -> None:
        self._stopping.set()
        for fd in (getattr(self, "_master", None), getattr(self, "_slave", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None

    def _serve_pty(self) -> None:
        import select
        master = self._master
        parser, raw, interrupted = EscPosParser(), bytearray(), None
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                chunk = os.read(master, 65536)
            except OSError:
                return
            raw += chunk
            for item in parser.feed(chunk):
                if item.kind == "status":
                    self._answer(lambda data: os.write(master, data), item.value)
                elif item.kind == "cut":
                    self._add_job(EmulatedJob(bytes(raw), bytes(parser.data), interrupted, time.monotonic()))
                    parser, raw, interrupted = EscPosParser(), bytearray(), None
            with self._lock:
                paper_out_after = self.state.paper_out_after
            if paper_out_after is not None and parser.data_bytes >= paper_out_after and interrupted is None:
                interrupted = "paper_out"
                self._run_out_of_paper(self.state.paper_out_delay_s)
