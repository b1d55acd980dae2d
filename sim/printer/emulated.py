"""Demo backend "emulator": the real network driver printing to its own loopback emulator."""
from __future__ import annotations

from devices.printer.escpos_printer import NetworkReceiptPrinter
from sim.printer.server import PrinterEmulator


class EmulatedReceiptPrinter(NetworkReceiptPrinter):
    """Demo backend "emulator": a NetworkReceiptPrinter with its own PrinterEmulator.

    The kiosk code path is the real network one; only the far end is emulated.
    The emulator starts with the printer and stops when the printer is closed.
    """

    # The sim's scenario names, so `scenario = "paper_out"` in kiosk.toml works with the demo too.
    SCENARIOS = {"ok": {}, "paper_low": {"paper": "near_end"}, "paper_out": {"paper": "out"},
                 "cover_open": {"cover_open": True}, "offline": {"offline": True}}

    def __init__(self, output_dir=None, scenario: str = "ok", **kwargs):
        if scenario not in self.SCENARIOS:
            raise ValueError(f"unknown printer scenario {scenario!r} (known: {', '.join(self.SCENARIOS)})")
        self.emulator = PrinterEmulator(output_dir=output_dir)
        self.emulator.set(**self.SCENARIOS[scenario])
        port = self.emulator.start()
        super().__init__("127.0.0.1", port, **kwargs)

    def _print_on_worker(self, job_id, receipt, command) -> None:
        before = len(self.emulator.jobs)
        super()._print_on_worker(job_id, receipt, command)
        # The demo collects receipt-NNN.png as soon as the job is done: wait for the emulator's copy.
        self.emulator.wait_for_jobs(before + 1, timeout_s=5.0)

    @property
    def last_job_files(self):
        """The emulator's files of the last job (sim/demo/autopilot.py copies them to the demo output)."""
        return self.emulator.last_job_files

    def close(self) -> None:
        super().close()
        self.emulator.stop()
