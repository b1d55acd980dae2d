"""Reading codes from camera frames off the GUI thread: the receipt's QR (progress query)
and the government app's identity code (identity by phone).

Decoding is kiosk/barcodes.py (zxing-cpp), a few milliseconds to ~20 ms per 1280x720
frame (bench/codes.py): still too long for the GUI thread at 10-30 fps, so frames go
to one decoder thread, latest-only (kiosk/latest_frame.py: a frame offered while the
decoder is busy replaces the waiting one, never a backlog). The result comes back through `on_result(payload)`
on the decoder thread; the flow turns it into a queued call on the GUI thread.
"""
from __future__ import annotations

import threading
from typing import Callable

from kiosk.barcodes import first_text
from kiosk.latest_frame import LatestFrameWorker


def decode_qr(frame_bgr) -> str | None:
    """The text of the first QR code in a BGR or grey frame, or None."""
    return first_text(frame_bgr, "qr")


class QrScanner:
    """One decoder thread (`kiosk.latest_frame.LatestFrameWorker`); `offer(frame)` never blocks
    the caller and is ignored unless a scan is active. `decode` is the frame -> text function
    (default: any QR code). One result per scan: after it, the scanner is inactive until `begin`."""

    def __init__(self, on_result: Callable[[str], None], decode: Callable = decode_qr, *, name: str = "qr-decoder"):
        self._on_result = on_result
        self._decode = decode
        self._lock = threading.Lock()
        self._active = False
        self._worker = LatestFrameWorker(self._process, name=name, join_timeout_s=2.0)

    @property
    def active(self) -> bool:
        return self._active

    @property
    def decode_threads(self) -> set[str]:
        """Where decoding ran (tests: never the GUI thread)."""
        return self._worker.threads_seen

    def begin(self) -> None:
        with self._lock:
            self._active = True
            self._worker.drop()

    def cancel(self) -> None:
        with self._lock:
            self._active = False
            self._worker.drop()

    def offer(self, frame) -> None:
        if self._active:
            self._worker.offer(frame)

    def stop(self) -> None:
        with self._lock:
            self._active = False
        self._worker.stop()

    def _process(self, frame) -> None:      # decoder thread
        try:
            payload = self._decode(frame)
        except Exception:   # a frame zxing cannot take (wrong dtype/shape): no code, keep scanning
            payload = None
        with self._lock:
            if not payload or not self._active:
                return
            self._active = False   # one result per scan
        self._on_result(payload)
