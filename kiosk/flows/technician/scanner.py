"""The technician's barcode-reader test: decode whatever the camera shows, with format and timing."""
from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

from kiosk.barcodes import decode_codes
from kiosk.core.phone_identity import classify_code
from kiosk.flows.jobs import BackgroundJobs

MAX_TIMINGS = 50


def describe_code(symbology: str, text: str) -> str:
    """One line for a decoded code, without its content: identity and payment codes are bearer
    tokens (anyone holding the text could use them), so only the kind, length and a prefix show."""
    kind = classify_code(text)
    prefix = text[:6] if kind == "identity" else text[:2]
    return f"{symbology:<10} {kind:<8} {len(text):>4} chars  {prefix}…"


class TechnicianScanner:
    """Starts the camera and decodes its latest frame up to 10 times a second on a background
    loop (kiosk/barcodes.py, all formats), handing `on_result(text)` to the GUI thread: the codes
    seen in the last frame, the last decode time and the median of the recent ones."""

    def __init__(self, camera, jobs: BackgroundJobs, on_result: Callable[[str], None]):
        self.camera, self.jobs, self.on_result = camera, jobs, on_result
        self._stop = threading.Event()
        self._stop.set()

    @property
    def running(self) -> bool:
        return not self._stop.is_set()

    def start(self) -> None:
        if self.running:
            return
        self.camera.start()
        self._stop.clear()
        stop, camera = self._stop, self.camera

        def loop() -> None:
            timings: list[float] = []
            frames, last, seen = 0, None, "-"
            while not stop.wait(0.1):
                frame = camera.latest_frame()
                if frame is None or frame is last:
                    continue
                last = frame
                frames += 1
                started = time.perf_counter()
                codes = decode_codes(frame, "any")
                elapsed = (time.perf_counter() - started) * 1000.0
                timings = (timings + [elapsed])[-MAX_TIMINGS:]
                if codes:
                    seen = "\n".join(describe_code(code.symbology, code.text) for code in codes)
                height, width = frame.shape[:2]
                self.jobs.post(self.on_result,
                               f"frames {frames}, {width}x{height}\n"
                               f"decode {elapsed:.1f} ms (median {statistics.median(timings):.1f} ms "
                               f"of the last {len(timings)})\n"
                               f"in this frame: {len(codes)} code(s)\nlast code seen:\n{seen}")
        self.jobs.start_loop("scanner-test", loop)

    def stop(self) -> None:
        if self.running:
            self._stop.set()
            self.camera.stop()
