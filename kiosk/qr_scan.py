"""Reading the receipt's QR code from camera frames (progress query).

OpenCV's QRCodeDetector takes 5-40 ms per 640x480 frame: far too long for the
GUI thread, so frames go to one decoder thread, latest-only (a frame offered
while the decoder is busy replaces the waiting one, never a backlog). The
result comes back through `on_result(payload)` on the decoder thread; the
controller turns it into a queued Qt signal.
"""
from __future__ import annotations

import threading
from typing import Callable

import cv2


def decode_qr(frame_bgr) -> str | None:
    """The text of the first QR code in a BGR frame, or None."""
    detector = cv2.QRCodeDetector()
    text, points, _ = detector.detectAndDecode(frame_bgr)
    if text:
        return text
    # Receipts held at an angle or small in the frame: a grey, upscaled second try.
    grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if frame_bgr.ndim == 3 else frame_bgr
    if max(grey.shape) < 1000:
        grey = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
    text, _, _ = detector.detectAndDecode(grey)
    return text or None


class QrScanner:
    """One decoder thread; `offer(frame)` never blocks the caller."""

    def __init__(self, on_result: Callable[[str], None], decode: Callable = decode_qr):
        self._on_result = on_result
        self._decode = decode
        self._condition = threading.Condition()
        self._frame = None
        self._active = False
        self._stopped = False
        self.decode_threads: set[str] = set()   # where decoding ran (tests: never the GUI thread)
        self._thread = threading.Thread(target=self._run, name="qr-decoder", daemon=True)
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
            payload = self._decode(frame)
            with self._condition:
                if not payload or not self._active:
                    continue
                self._active = False   # one result per scan
            self._on_result(payload)
