"""Receipt printers. `create_printer(section)` builds the configured one."""
from __future__ import annotations

from devices.config_section import as_dict
from devices.printer.escpos_printer import (CupsReceiptPrinter, FileReceiptPrinter,
                                            NetworkReceiptPrinter, SerialReceiptPrinter,
                                            UsbReceiptPrinter)
from devices.printer.interface import ReceiptPrinter
from devices.printer.receipt import render_receipt, render_receipt_preview
from kiosk.core.receipt import Receipt
from devices.printer.sim import SimPrinter

__all__ = ["Receipt", "ReceiptPrinter", "SimPrinter", "create_printer", "render_receipt",
           "render_receipt_preview"]

BACKENDS = ("sim", "network", "serial", "usb", "file", "cups", "emulator")


def create_printer(section, output_dir=None, journal=None) -> ReceiptPrinter:
    """`section` is the `[devices.printer]` table (dict or its config dataclass).

    `output_dir` (the sim's folder for captured bytes and previews) wins over
    `section["output_dir"]`; the config resolves "" to data_dir/receipts.
    `journal` (a `ReceiptJournal`) keeps the last receipts for reprint.
    Backend "emulator" (demo/test only) starts a loopback `PrinterEmulator`
    and prints to it over TCP exactly like the "network" backend.
    """
    section = as_dict(section)
    backend = section.get("backend", "sim")
    common = dict(paper_width_px=section.get("paper_width_px", 512), journal=journal)
    if backend == "sim":
        return SimPrinter(output_dir=output_dir or section.get("output_dir") or None,
                          scenario=section.get("scenario", "ok"), **common)
    common.update(
        profile=section.get("profile", "default"),
        text_mode=section.get("text_mode", "image"),
        printer_charset=section.get("printer_charset", "gbk"),
        qr_native=section.get("qr_native", True),
        status_timeout_s=section.get("status_timeout_s", 1.5),
        write_timeout_s=section.get("write_timeout_s", 10.0),
        poll_interval_s=section.get("poll_interval_s", 5.0),
        confirm_s=section.get("confirm_s", 1.5),
    )
    if backend == "emulator":
        return _emulated_printer(output_dir or section.get("output_dir") or None,
                                 section.get("scenario", "ok"), common)
    if backend == "cups":
        if not section.get("device"):
            raise ValueError("devices.printer.device: the CUPS queue name is required for the cups backend")
        return CupsReceiptPrinter(section["device"], **common)
    if backend == "network":
        if not section.get("host"):
            raise ValueError("devices.printer.host: required for the network backend")
        return NetworkReceiptPrinter(section["host"], section.get("port", 9100), **common)
    if backend == "serial":
        return SerialReceiptPrinter(_required_device(section), section.get("baudrate", 9600), **common)
    if backend == "usb":
        vendor, product = _usb_ids(_required_device(section))
        return UsbReceiptPrinter(vendor, product, **common)
    if backend == "file":
        return FileReceiptPrinter(_required_device(section), **common)
    raise ValueError(f"devices.printer.backend: unknown backend {backend!r} "
                     f"(available: {', '.join(BACKENDS)})")


def _required_device(section: dict) -> str:
    if not section.get("device"):
        raise ValueError(f"devices.printer.device: required for the {section.get('backend')} backend")
    return section["device"]


def _usb_ids(device: str) -> tuple[int, int]:
    """"04b8:0e15" -> (0x04b8, 0x0e15)."""
    try:
        vendor, product = device.split(":")
        return int(vendor, 16), int(product, 16)
    except ValueError:
        raise ValueError(f"devices.printer.device: expected vendor:product in hex for usb, "
                         f"got {device!r}") from None


def _emulated_printer(output_dir, scenario: str, common: dict) -> ReceiptPrinter:
    """Demo only: a network printer with its own loopback emulator (see emulator.py)."""
    from devices.printer.emulator import EmulatedReceiptPrinter
    return EmulatedReceiptPrinter(output_dir=output_dir, scenario=scenario, **common)
