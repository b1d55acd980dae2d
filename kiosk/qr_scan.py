"""Reading codes from camera frames off the GUI thread: the receipt's QR (progress query)
and the government app's identity code (identity by phone).

Decoding is kiosk/barcodes.py (zxing-cpp), a few milliseconds to ~20 ms per 1280x720
frame (bench/codes.py): still too long for the GUI thread at 10-30 fps, so frames go
to one decoder thread, latest-only (a frame offered while the decoder is busy replaces
the waiting one, never a backlog). The result comes back through `on_result(payload)`
on the decoder thread; the flow turns it into a queued call on the GUI thread.
"""
from __future__ import annotations

import threading
from typing import Callable

from kiosk.barcodes import first_text


def decode_qr(frame_bgr) -> str | None:
    """The text of the first QR code in a BGR or grey frame, or None."""
    return first_text(frame_bgr, "qr")


class QrScanner:
    """One decoder thread; `offer(frame)` never blocks the caller. `decode` is the frame ->
    text function (default: any QR code); the timing of the last decode is kept for the
    technician's scanner test."""

    def __init__(self, on_result: Callable[[str], None], decode: Callable = decode_qr, *, name: str = "qr-decoder"):
        self._on_result = on_result
        self._decode = decode
        self._condition = threading.Condition()
        self._frame = None
        self._active = False
        self._stopped = False
        self.decode_threads: set[str] = set()   # where decoding ran (tests: never the GUI thread)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def active(self) -> bool:
        return self._active

    def begin(self) -> None:
        with self._condition:
            self._active = True
            self._frame = None

    def cancel(self) -> None:
        with self._condition:
            self._active = False
            self._frame = None

    def offer(self, frame) -> None:
        with self._condition:
            if not self._active:
                return
            self._frame = frame
            self._condition.notify()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._active = False
            self._condition.notify()
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._frame is None and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                frame, self._frame = self._frame, None
            self.decode_threads.add(threading.current_thread().name)
            try:
                payload = self._decode(frame)
            except Exception:   # a frame zxing cannot take (wrong dtype/shape): no code, keep scanning
                payload = None
            with self._condition:
                if not payload or not self._active:
                    continue
                self._active = False   # one result per scan
            self._on_result(payload)
