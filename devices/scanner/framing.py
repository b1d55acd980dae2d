"""Cutting a scanner's byte stream into codes (pure, no I/O; used by every transport).

A code ends with CR, LF or CRLF (the factory default of USB-COM scanners and of the HID Enter
key). A frame is refused when it is longer than `max_length`, contains anything but printable
ASCII, or stops without a terminator for `frame_timeout_s` (a scanner unplugged mid-code, line
noise): the caller gets a `ScannerDataError` with a reason instead of a half code.
"""
from __future__ import annotations

import time
from typing import Callable


class FrameParser:
    def __init__(self, *, frame_timeout_s: float = 0.3, max_length: int = 128,
                 clock: Callable[[], float] = time.monotonic):
        self.frame_timeout_s = frame_timeout_s
        self.max_length = max_length
        self._clock = clock
        self._buffer = bytearray()
        self._last_byte_at = 0.0
        self._overflow = False

    def reset(self) -> None:
        self._buffer.clear()
        self._overflow = False

    def feed(self, data: bytes) -> list:
        """Complete frames in `data` (str codes or ScannerDataError), in order. Call with b"" on a
        read timeout so a stalled partial frame is reported as truncated."""
        from devices.scanner.interface import TOO_LONG, TRUNCATED, UNPRINTABLE, ScannerDataError
        results: list = []
        now = self._clock()
        if self._buffer and now - self._last_byte_at > self.frame_timeout_s and (data or self._buffer):
            if not data or data[:1] not in (b"\r", b"\n"):
                results.append(ScannerDataError(TOO_LONG if self._overflow else TRUNCATED))
                self.reset()
        if data:
            self._last_byte_at = now
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._overflow:
                    results.append(ScannerDataError(TOO_LONG))
                elif self._buffer:
                    frame = bytes(self._buffer)
                    if all(0x21 <= b <= 0x7E for b in frame):
                        results.append(frame.decode("ascii"))
                    else:
                        results.append(ScannerDataError(UNPRINTABLE))
                self.reset()
                continue
            if len(self._buffer) >= self.max_length:
                self._overflow = True
                continue
            self._buffer.append(byte)
        return results
