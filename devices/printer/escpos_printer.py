"""A real ESC/POS printer through python-escpos (first cut).

One class per transport, as in python-escpos: each knows how to build its
connection with short timeouts. The receipt is rendered into memory (Dummy)
and sent with a single write, so a failure leaves no half-built state here;
the connection is closed after every job (a long-lived Network object can hold
receipts back, python-escpos #344).
"""
from __future__ import annotations

import logging
import socket

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy

from devices.base import Command, DeviceStatus
from devices.printer.interface import (COVER_OPEN, IO_ERROR, OFFLINE, PAPER_OUT, PrintFailure,
                                       ReceiptPrinter)
from devices.printer.receipt import DEFAULT_PAPER_WIDTH_PX, Receipt, find_cjk_font, render_receipt

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
USB_TIMEOUT_MS = 5000        # pyusb's default 0 means "wait forever" on a stalled printer


class EscposReceiptPrinter(ReceiptPrinter):
    """Base for the transports; subclasses implement `_connect()`."""

    has_status_channel = True    # File/LP have no way back from the printer

    def __init__(self, profile: str = "default", font_path: str | None = None,
                 paper_width_px: int = DEFAULT_PAPER_WIDTH_PX, parent=None):
        super().__init__(parent)
        self._profile = None if profile in ("", "default") else profile
        self._font_path = font_path
        self._paper_width_px = paper_width_px

    def _connect(self):
        raise NotImplementedError

    def _open_on_worker(self) -> None:
        self._font_path = self._font_path or find_cjk_font()
        try:
            printer = self._connect()
            printer.open()
        except Exception as exc:
            self._set_status(DeviceStatus.NO_DEVICE, f"cannot connect: {type(exc).__name__}")
            return
        try:
            self._check_status(printer)
        except PrintFailure:
            pass   # status already recorded; printing is refused until it clears
        finally:
            printer.close()

    def _print_on_worker(self, job_id: str, receipt: Receipt, command: Command) -> None:
        dummy = Dummy()
        render_receipt(dummy, receipt, self._font_path, self._paper_width_px)
        try:
            printer = self._connect()
            printer.open()
        except Exception as exc:
            self._set_status(DeviceStatus.NO_DEVICE, f"cannot connect: {type(exc).__name__}")
            raise PrintFailure(OFFLINE, type(exc).__name__) from exc
        try:
            self._check_status(printer)
            self._set_status(DeviceStatus.BUSY)
            printer._raw(dummy.output)
            self._set_status(DeviceStatus.ONLINE)
        except PrintFailure:
            raise
        except (DeviceNotFoundError, ConnectionError, socket.timeout, TimeoutError) as exc:
            self._set_status(DeviceStatus.OFFLINE, f"write failed: {type(exc).__name__}")
            raise PrintFailure(OFFLINE, type(exc).__name__) from exc
        except Exception as exc:   # OSError, USBError, serial errors
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"write failed: {type(exc).__name__}")
            raise PrintFailure(IO_ERROR, type(exc).__name__) from exc
        finally:
            try:
                printer.close()
            except Exception:
                pass

    def _check_status(self, printer) -> None:
        """DLE EOT queries, where the transport can answer; raise on paper out / cover open."""
        if not self.has_status_channel:
            self._set_status(DeviceStatus.ONLINE)
            return
        try:
            paper = printer.paper_status()            # 2 ok, 1 near end, 0 out
            cover = printer.query_status(b"\x10\x04\x02")   # DLE EOT 2: offline cause
        except (NotImplementedError, AttributeError):
            self._set_status(DeviceStatus.ONLINE)
            return
        except Exception as exc:
            self._set_status(DeviceStatus.OFFLINE, f"no status reply: {type(exc).__name__}")
            raise PrintFailure(OFFLINE, "no status reply") from exc
        # Only bytes matching the fixed-bit pattern 0xx1xx10 are real status replies.
        if cover and (cover[0] & 0x93) == 0x12 and cover[0] & 0x04:
            self._set_status(DeviceStatus.USER_ERROR, "cover open")
            raise PrintFailure(COVER_OPEN, "DLE EOT 2 bit 2")
        if paper == 0:
            self._set_paper_status("out")
            self._set_status(DeviceStatus.USER_ERROR, "paper out")
            raise PrintFailure(PAPER_OUT, "DLE EOT 4")
        self._set_paper_status("low" if paper == 1 else "full")
        self._set_status(DeviceStatus.ONLINE)


class NetworkReceiptPrinter(EscposReceiptPrinter):
    def __init__(self, host: str, port: int = 9100, **kwargs):
        super().__init__(**kwargs)
        self._host, self._port = host, port

    def _connect(self):
        from escpos.printer import Network
        return Network(self._host, self._port, timeout=CONNECT_TIMEOUT_S, profile=self._profile)


class SerialReceiptPrinter(EscposReceiptPrinter):
    def __init__(self, device: str, baudrate: int = 9600, **kwargs):
        super().__init__(**kwargs)
        self._device, self._baudrate = device, baudrate

    def _connect(self):
        from escpos.printer import Serial
        return Serial(self._device, baudrate=self._baudrate, timeout=1, profile=self._profile)


class UsbReceiptPrinter(EscposReceiptPrinter):
    def __init__(self, vendor_id: int, product_id: int, **kwargs):
        super().__init__(**kwargs)
        self._vendor_id, self._product_id = vendor_id, product_id

    def _connect(self):
        from escpos.printer import Usb
        return Usb(self._vendor_id, self._product_id, timeout=USB_TIMEOUT_MS, profile=self._profile)


class FileReceiptPrinter(EscposReceiptPrinter):
    """A device file such as /dev/usb/lp0: write-only, no status."""

    has_status_channel = False

    def __init__(self, device: str, **kwargs):
        super().__init__(**kwargs)
        self._device = device

    def _connect(self):
        from escpos.printer import File
        return File(self._device, profile=self._profile)
