"""Barcode scanners (payment codes). `create_scanner(section)` builds the configured one."""
from __future__ import annotations

from devices.scanner.interface import (BarcodeScanner, ScannerCapabilities, ScannerDataError, ScannerError,
                                       ScannerUnavailable)
from kiosk.settings import SCANNER_BACKENDS, ScannerSection, checked_backend

__all__ = ["SCANNER_BACKENDS", "BarcodeScanner", "ScannerCapabilities", "ScannerDataError", "ScannerError",
           "ScannerUnavailable", "create_scanner"]


def create_scanner(section: ScannerSection) -> BarcodeScanner:
    """`section` is the validated `[devices.scanner]` table (keys per backend: `SCANNER_BACKENDS`)."""
    backend = checked_backend(section, ScannerSection, SCANNER_BACKENDS, "create_scanner", "devices.scanner")
    if backend == "none":
        from devices.scanner.interface import NoScanner
        return NoScanner()
    options = {"frame_timeout_s": section.frame_timeout_s}
    if backend == "sim":
        from devices.scanner.sim import SimScanner
        return SimScanner(**options)
    if backend == "serial":
        from devices.scanner.serial_scanner import SerialScanner
        return SerialScanner(section.device, section.baudrate, **options)
    from devices.scanner.hid_scanner import HidScanner
    return HidScanner(section.device, **options)
