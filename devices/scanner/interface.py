"""The barcode scanner (payment codes, 付款码) as the kiosk sees it, whatever the transport.

A scanner pushes data whenever someone holds a code under it, so each driver reads on its own
thread and reports *frames*: one code per frame, cut by the terminator (CR / LF / Enter) and
checked by `devices.scanner.framing.FrameParser` (too long, unprintable, or cut off by a pause
-> `scan_rejected`, never a half code). Codes are reported only while the kiosk asks for them
(`enable()` during the payment step); anything scanned at other times is dropped, so a code is
never typed into a text field or kept.

Transports (one class each, `SCANNER_BACKENDS` in kiosk/settings.py):
  serial  USB-COM / RS-232 mode (pyserial)                       devices/scanner/serial_scanner.py
  hid     USB HID keyboard mode, read from /dev/input/eventN with the device grabbed (evdev), so
          its "keystrokes" never reach the focused widget          devices/scanner/hid_scanner.py
  sim     an in-memory transport for tests and the demo           devices/scanner/sim.py
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from PySide6.QtCore import Signal

from devices.base import Device, DeviceStatus
from devices.scanner.framing import FrameParser

log = logging.getLogger(__name__)

# Reason codes of `scan_rejected`.
TRUNCATED = "truncated"          # data stopped mid-code (no terminator within the frame timeout)
TOO_LONG = "too_long"            # more than a code can be: garbage or two codes run together
UNPRINTABLE = "unprintable"      # control bytes, a wrong keyboard layout, line noise


class ScannerError(Exception):
    """Base of every scanner failure."""


class ScannerUnavailable(ScannerError):
    """The port or input device is missing, busy or cannot be grabbed."""


class ScannerDataError(ScannerError):
    """Data from the scanner that is not a code (see the reason codes above)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ScannerCapabilities:
    """Declared by each driver class (no probing at run time)."""
    transport: str                      # serial | hid | sim
    grabs_input: bool = False           # HID: the input device is grabbed (no keystrokes to the desktop)
    symbologies: tuple[str, ...] = ("qrcode", "code128")   # what the scanner is configured to read


class BarcodeScanner(Device):
    code_scanned = Signal(str)          # one complete code (only while enabled)
    scan_rejected = Signal(str)         # a reason code above (only while enabled)
    name = "scanner"
    capabilities = ScannerCapabilities("none")

    def __init__(self, parent=None, *, frame_timeout_s: float = 0.3, max_length: int = 128):
        super().__init__(parent)
        self._parser = FrameParser(frame_timeout_s=frame_timeout_s, max_length=max_length)
        self._enabled = threading.Event()
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    # --- public -----------------------------------------------------------------------

    def enable(self) -> None:
        """Report codes from now on (the payment step is waiting for one)."""
        self._parser.reset()
        self._enabled.set()

    def disable(self) -> None:
        self._enabled.clear()

    @property
    def enabled(self) -> bool:
        return self._enabled.is_set()

    # --- for transports ----------------------------------------------------------------

    def _read_chunk(self, timeout_s: float) -> bytes:
        """Bytes from the transport (b"" when nothing came within timeout_s). Raises ScannerError."""
        raise NotImplementedError

    def _connect(self) -> None:
        """Open the port / grab the input device. Raises ScannerUnavailable."""

    def _disconnect(self) -> None:
        """Release it."""

    def _open_on_worker(self) -> None:
        try:
            self._connect()
        except ScannerError as exc:
            self._set_status(DeviceStatus.NO_DEVICE, f"{type(exc).__name__}: {exc}")
            return
        self._stop.clear()
        self._reader = threading.Thread(target=self._read_loop, name=f"scanner-{self.capabilities.transport}",
                                        daemon=True)
        self._reader.start()
        self._set_status(DeviceStatus.ONLINE)

    def _close_on_worker(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.join(2.0)
            self._reader = None
        self._disconnect()

    def _read_loop(self) -> None:
        while not self._stop.is_set():
            try:
                chunk = self._read_chunk(0.1)
            except ScannerError as exc:
                self._set_status(DeviceStatus.HARDWARE_ERROR, f"read failed: {exc}")
                if self._stop.wait(1.0):
                    return
                continue
            for result in self._parser.feed(chunk):
                self._report(result)

    def _report(self, result: str | ScannerDataError) -> None:
        if not self._enabled.is_set():
            return          # nobody asked: a code scanned now is dropped, never kept
        if isinstance(result, ScannerDataError):
            log.info("scanner: input rejected", extra={"reason": result.reason})
            self.scan_rejected.emit(result.reason)
        else:
            self.code_scanned.emit(result)


class NoScanner(BarcodeScanner):
    """The kiosk has no scanner (`backend = "none"`): status noDevice, never a code."""
    capabilities = ScannerCapabilities("none")

    def _connect(self) -> None:
        raise ScannerUnavailable("no barcode scanner configured")
