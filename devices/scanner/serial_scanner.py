"""Barcode scanner in USB-COM / RS-232 mode, read with pyserial (like the other serial devices)."""
from __future__ import annotations

import serial

from devices.scanner.interface import BarcodeScanner, ScannerCapabilities, ScannerUnavailable


class SerialScanner(BarcodeScanner):
    capabilities = ScannerCapabilities("serial")

    def __init__(self, port: str, baudrate: int = 9600, parent=None, **options):
        super().__init__(parent, **options)
        self.port = port
        self.baudrate = baudrate
        self._serial: serial.Serial | None = None

    def _connect(self) -> None:
        if not self.port:
            raise ScannerUnavailable("no serial port configured ([devices.scanner] device)")
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0.1, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ScannerUnavailable(f"{self.port}: {exc}") from None

    def _disconnect(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def _read_chunk(self, timeout_s: float) -> bytes:
        port = self._serial
        if port is None:
            raise ScannerUnavailable("port closed")
        try:
            port.timeout = timeout_s
            first = port.read(1)
            if not first:
                return b""
            return first + port.read(port.in_waiting or 0)
        except (serial.SerialException, OSError) as exc:
            raise ScannerUnavailable(f"{self.port}: {exc}") from None
