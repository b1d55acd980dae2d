"""Receipt printers. `create_printer(section)` builds the configured one."""
from __future__ import annotations

from pathlib import Path

from devices.printer.escpos_printer import (CupsReceiptPrinter, FileReceiptPrinter,
                                            NetworkReceiptPrinter, SerialReceiptPrinter,
                                            UsbReceiptPrinter)
from devices.printer.interface import ReceiptPrinter
from devices.printer.receipt import render_receipt, render_receipt_preview
from kiosk.core.receipt import Receipt
from devices.printer.sim import SimPrinter
from kiosk.settings import PRINTER_BACKENDS, PrinterSection, checked_backend

__all__ = ["PRINTER_BACKENDS", "Receipt", "ReceiptPrinter", "SimPrinter", "create_printer", "render_receipt",
           "render_receipt_preview"]


def create_printer(section: PrinterSection, output_dir: str | Path | None = None, journal=None) -> ReceiptPrinter:
    """`section` is the validated `[devices.printer]` table (`kiosk.settings.PrinterSection`): every
    value, default included, comes from there (each backend's keys: `PRINTER_BACKENDS`).

    `output_dir` (the sim's folder for captured bytes and previews) wins over
    `section.output_dir`; the config resolves "" to data_dir/receipts.
    `journal` (a `ReceiptJournal`) keeps the last receipts for reprint.
    Backend "emulator" (test-only) starts a loopback `PrinterEmulator`
    and prints to it over TCP exactly like the "network" backend.
    """
    backend = checked_backend(section, PrinterSection, PRINTER_BACKENDS, "create_printer", "devices.printer")
    common = dict(paper_width_px=section.paper_width_px, journal=journal)
    if backend == "sim":
        return SimPrinter(output_dir=output_dir or section.output_dir or None, scenario=section.scenario, **common)
    common.update(
        profile=section.profile,
        text_mode=section.text_mode,
        printer_charset=section.printer_charset,
        qr_native=section.qr_native,
        status_timeout_s=section.status_timeout_s,
        write_timeout_s=section.write_timeout_s,
        poll_interval_s=section.poll_interval_s,
        confirm_s=section.confirm_s,
    )
    if backend == "emulator":
        return _emulated_printer(output_dir or section.output_dir or None, section.scenario, common)
    if backend == "cups":
        if not section.device:
            raise ValueError("devices.printer.device: the CUPS queue name is required for the cups backend")
        return CupsReceiptPrinter(section.device, **common)
    if backend == "network":
        if not section.host:
            raise ValueError("devices.printer.host: required for the network backend")
        return NetworkReceiptPrinter(section.host, section.port, **common)
    if backend == "serial":
        return SerialReceiptPrinter(_required_device(section), section.baudrate, **common)
    if backend == "usb":
        vendor, product = _usb_ids(_required_device(section))
        return UsbReceiptPrinter(vendor, product, **common)
    return FileReceiptPrinter(_required_device(section), **common)   # "file"


def _required_device(section: PrinterSection) -> str:
    if not section.device:
        raise ValueError(f"devices.printer.device: required for the {section.backend} backend")
    return section.device


def _usb_ids(device: str) -> tuple[int, int]:
    """"04b8:0e15" -> (0x04b8, 0x0e15)."""
    try:
        vendor, product = device.split(":")
        return int(vendor, 16), int(product, 16)
    except ValueError:
        raise ValueError(f"devices.printer.device: expected vendor:product in hex for usb, "
                         f"got {device!r}") from None


def _emulated_printer(output_dir, scenario: str, common: dict) -> ReceiptPrinter:
    """Test-only: a network printer with its own loopback emulator (sim/printer/emulated.py)."""
    from sim.printer.emulated import EmulatedReceiptPrinter
    return EmulatedReceiptPrinter(output_dir=output_dir, scenario=scenario, **common)
