"""A real ESC/POS printer through python-escpos.

One class per transport, as in python-escpos: each knows how to build its
connection with short timeouts and, where the transport has a way back, how to
read status bytes (`StatusChannel`). Everything here runs on the printer's
worker thread; the GUI thread only queues jobs and reads the last state.

A job:
  1. the receipt is rendered into memory (python-escpos `Dummy`), so a failure
     later leaves no half-built state;
  2. connect (short timeout), drain stale input, DLE EOT 1..4: paper out,
     cover open, offline, jam or no valid reply -> the job fails before a byte
     of it is sent;
  3. one write of the whole receipt with a write timeout (python-escpos'
     network default is 60 s; a printer that stopped reading must not hold the
     job that long);
  4. DLE EOT again: a TCP printer that lost power or paper mid-job has often
     accepted all bytes into buffers (python-escpos #253), so only a clean
     status after the job counts as printed;
  5. close the connection (a long-lived Network object can hold receipts back,
     python-escpos #344).
Between jobs a poller queues a status check every `poll_interval_s`, so the
kiosk knows the printer state before a citizen reaches the receipt step.
"""
from __future__ import annotations

import logging
import socket
import threading
import time


from devices.base import Command, DeviceStatus
from devices.printer.interface import OFFLINE, PrintFailure, ReceiptPrinter
from devices.printer.receipt import DEFAULT_PAPER_WIDTH_PX, find_cjk_font
from devices.printer.render_process import render_receipt_bytes, warm_up
from kiosk.core.receipt import Receipt
from devices.printer.status import PAPER_UNKNOWN, PrinterState, query_status

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
STATUS_TIMEOUT_S = 1.5       # all four DLE EOT replies; a real printer answers in a few ms
WRITE_TIMEOUT_S = 10.0       # no progress for this long while sending = printer stopped reading
POLL_INTERVAL_S = 5.0
CONFIRM_S = 1.5              # keep watching the status this long after the last byte (see _confirm)
USB_TIMEOUT_MS = 5000        # pyusb's default 0 means "wait forever" on a stalled printer


class EscposReceiptPrinter(ReceiptPrinter):
    """Base for the transports; subclasses implement `_connect()` and `_status_channel()`."""

    has_status_channel = True

    def __init__(self, profile: str = "default", font_path: str | None = None,
                 paper_width_px: int = DEFAULT_PAPER_WIDTH_PX, text_mode: str = "image",
                 printer_charset: str = "gbk", qr_native: bool = True,
                 status_timeout_s: float = STATUS_TIMEOUT_S, write_timeout_s: float = WRITE_TIMEOUT_S,
                 poll_interval_s: float = POLL_INTERVAL_S, confirm_s: float = CONFIRM_S,
                 journal=None, parent=None):
        super().__init__(parent, journal=journal)
        self._profile = None if profile in ("", "default") else profile
        self._font_path = font_path
        self._paper_width_px = paper_width_px
        self._text_mode = text_mode
        self._printer_charset = printer_charset
        self._qr_native = qr_native
        self._status_timeout_s = status_timeout_s
        self._write_timeout_s = write_timeout_s
        self._poll_interval_s = poll_interval_s
        self._confirm_s = confirm_s
        self._poll_pending = threading.Event()
        self._stop_polling = threading.Event()
        self._last_state: PrinterState | None = None
        self.last_job_bytes = 0

    # --- transport hooks -----------------------------------------------------------

    def _connect(self):
        """A python-escpos printer object, not yet opened."""
        raise NotImplementedError

    def _status_channel(self, printer):
        """A StatusChannel over the open printer, or None when the transport has no way back."""
        return None

    def _set_write_timeout(self, printer) -> None:
        """Bound a write on this transport (default: the transport's own timeout)."""

    # --- device life cycle --------------------------------------------------------

    def _open_on_worker(self) -> None:
        self._font_path = self._font_path or find_cjk_font()
        warm_up()                           # the receipt-drawing helper process (render_process.py)
        self._poll_job()
        if self._poll_interval_s > 0 and self.has_status_channel:   # nothing to learn from a write-only device
            self._stop_polling.clear()
            threading.Thread(target=self._poll_loop, name="printer-poll", daemon=True).start()

    def close(self) -> None:
        self._stop_polling.set()
        super().close()

    def last_state(self) -> PrinterState | None:
        with self._lock:
            return self._last_state

    def poll_now(self) -> None:
        """Queue a status check (the technician's "refresh"); returns at once."""
        self._submit(self._poll_job)

    def _poll_loop(self) -> None:
        while not self._stop_polling.wait(self._poll_interval_s):
            if self._poll_pending.is_set():
                continue            # the previous check is still queued behind a job
            with self._lock:
                worker = self._worker
            if worker is None:
                return
            self._poll_pending.set()
            try:
                worker.submit(self._poll_job)
            except RuntimeError:    # closed meanwhile
                return

    def _poll_job(self) -> None:
        self._poll_pending.clear()
        try:
            printer = self._open_connection()
        except PrintFailure:
            return                  # status already recorded
        try:
            self._check(printer, when="poll")
        except PrintFailure:
            pass                    # recorded; printing is refused until it clears
        finally:
            _close_quietly(printer)

    # --- printing -------------------------------------------------------------------

    def _print_on_worker(self, job_id: str, receipt: Receipt, command: Command) -> None:
        data, counts = render_receipt_bytes(receipt, self._font_path, self._paper_width_px,
                                            text_mode=self._text_mode, printer_charset=self._printer_charset,
                                            qr_native=self._qr_native)      # in the helper process
        self.last_job_bytes = len(data)
        log.info("printer: job %s is %d bytes (%s)", job_id, len(data), counts)
        printer = self._open_connection()
        try:
            self._check(printer, when="before job")
            self._set_status(DeviceStatus.BUSY)
            self._write(printer, data)
            state = self._confirm(printer, command)
            self._set_status(state.device_status if state is not None else DeviceStatus.ONLINE)
        finally:
            _close_quietly(printer)

    def _confirm(self, printer, command: Command) -> PrinterState | None:
        """Watch the status after the last byte until `confirm_s` has passed.

        The printer holds the job in its buffer and prints it over the next
        second or so; paper running out or the cover opening during that time
        shows only in a later DLE EOT. A clean status throughout counts as
        printed (Epson's GS ( H process-ID reply would be firmer, but is
        model-specific). A cancel or the job's deadline ends the watch early.
        """
        state = self._check(printer, when="after job")
        deadline = time.monotonic() + self._confirm_s
        while state is not None and time.monotonic() < deadline:
            if not command.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
                break       # cancelled (kiosk closing) or the job's own deadline
            state = self._check(printer, when="while printing")
        return state

    def _open_connection(self):
        try:
            printer = self._connect()
            printer.open()
        except Exception as exc:   # DeviceNotFoundError, OSError, USBError, SerialException
            self._set_status(DeviceStatus.NO_DEVICE, f"cannot connect: {type(exc).__name__}")
            self._set_paper_status(PAPER_UNKNOWN)
            raise PrintFailure(OFFLINE, f"cannot connect: {type(exc).__name__}") from exc
        return printer

    def _write(self, printer, data: bytes) -> None:
        try:
            self._set_write_timeout(printer)
            printer._raw(data)
        except (socket.timeout, TimeoutError) as exc:
            self._set_status(DeviceStatus.OFFLINE, "write timed out: printer stopped reading")
            raise PrintFailure(OFFLINE, "write timed out") from exc
        except Exception as exc:   # ConnectionReset, BrokenPipe, USBError, SerialException
            self._set_status(DeviceStatus.OFFLINE, f"write failed: {type(exc).__name__}")
            raise PrintFailure(OFFLINE, f"write failed: {type(exc).__name__}") from exc

    def _check(self, printer, when: str) -> PrinterState | None:
        """Query status, publish it, raise PrintFailure if a receipt cannot print."""
        channel = self._status_channel(printer)
        if channel is None:        # device file / lp: no way to know; the write is all we have
            self._set_status(DeviceStatus.ONLINE)
            return None
        state = query_status(channel, self._status_timeout_s)
        with self._lock:
            previous, self._last_state = self._last_state, state
        if previous is None or previous.describe() != state.describe():
            log.info("printer: %s: %s", when, state.describe())
        self._set_paper_status(state.paper)
        reason = state.failure_reason
        self._set_status(state.device_status, None if reason is None else f"{when}: {state.describe()}")
        if state.paper == "low" and (previous is None or previous.paper != "low"):
            log.warning("printer: paper low - technician: replace the roll soon (still printing)")
        if reason is not None:
            raise PrintFailure(reason, f"{when}: {state.describe()}")
        return state


def _close_quietly(printer) -> None:
    try:
        printer.close()
    except Exception:
        pass


# --- status channels ---------------------------------------------------------------

class SocketStatusChannel:
    def __init__(self, sock: socket.socket, restore_timeout: float):
        self._sock = sock
        self._restore_timeout = restore_timeout

    def drain(self) -> None:
        self._sock.setblocking(False)
        try:
            for _ in range(64):
                try:
                    if not self._sock.recv(4096):
                        return        # peer closed; the query will find out
                except (BlockingIOError, InterruptedError):
                    return
        finally:
            self._sock.settimeout(self._restore_timeout)

    def write(self, data: bytes) -> None:
        self._sock.sendall(data)

    def read_byte(self, timeout_s: float) -> int | None:
        self._sock.settimeout(max(0.001, timeout_s))
        try:
            data = self._sock.recv(1)
        except (socket.timeout, TimeoutError):
            return None
        finally:
            self._sock.settimeout(self._restore_timeout)
        return data[0] if data else None


class SerialStatusChannel:
    def __init__(self, port):
        self._port = port

    def drain(self) -> None:
        self._port.reset_input_buffer()

    def write(self, data: bytes) -> None:
        self._port.write(data)

    def read_byte(self, timeout_s: float) -> int | None:
        self._port.timeout = timeout_s
        data = self._port.read(1)
        return data[0] if data else None


class UsbStatusChannel:
    def __init__(self, device, in_ep: int, out_ep: int):
        self._device, self._in_ep, self._out_ep = device, in_ep, out_ep
        self._pending = bytearray()

    def drain(self) -> None:
        self._pending.clear()
        for _ in range(16):
            if self._read(10) == b"":
                return

    def write(self, data: bytes) -> None:
        self._device.write(self._out_ep, data, USB_TIMEOUT_MS)

    def read_byte(self, timeout_s: float) -> int | None:
        if not self._pending:
            self._pending += self._read(max(1, int(timeout_s * 1000)))
        if not self._pending:
            return None
        return self._pending.pop(0)

    def _read(self, timeout_ms: int) -> bytes:
        import usb.core
        try:
            return bytes(self._device.read(self._in_ep, 64, timeout_ms))
        except usb.core.USBTimeoutError:
            return b""


# --- transports --------------------------------------------------------------------

class NetworkReceiptPrinter(EscposReceiptPrinter):
    """Raw TCP, port 9100 (JetDirect / AppSocket)."""

    def __init__(self, host: str, port: int = 9100, **kwargs):
        super().__init__(**kwargs)
        self._host, self._port = host, port

    def _connect(self):
        from escpos.printer import Network
        return Network(self._host, self._port, timeout=CONNECT_TIMEOUT_S, profile=self._profile)

    def _status_channel(self, printer):
        return SocketStatusChannel(printer.device, self._write_timeout_s)

    def _set_write_timeout(self, printer) -> None:
        printer.device.settimeout(self._write_timeout_s)


class SerialReceiptPrinter(EscposReceiptPrinter):
    def __init__(self, device: str, baudrate: int = 9600, **kwargs):
        super().__init__(**kwargs)
        self._device, self._baudrate = device, baudrate

    def _connect(self):
        from escpos.printer import Serial
        return Serial(self._device, baudrate=self._baudrate, timeout=1, profile=self._profile)

    def _status_channel(self, printer):
        return SerialStatusChannel(printer.device)

    def _set_write_timeout(self, printer) -> None:
        printer.device.write_timeout = self._write_timeout_s


class UsbReceiptPrinter(EscposReceiptPrinter):
    def __init__(self, vendor_id: int, product_id: int, **kwargs):
        super().__init__(**kwargs)
        self._vendor_id, self._product_id = vendor_id, product_id

    def _connect(self):
        from escpos.printer import Usb
        return Usb(self._vendor_id, self._product_id, timeout=USB_TIMEOUT_MS, profile=self._profile)

    def _status_channel(self, printer):
        return UsbStatusChannel(printer.device, printer.in_ep, printer.out_ep)


class FileReceiptPrinter(EscposReceiptPrinter):
    """A device file such as /dev/usb/lp0: write-only, no status (paper stays "unknown")."""

    _unknown_paper_prints = True
    has_status_channel = False

    def __init__(self, device: str, **kwargs):
        super().__init__(**kwargs)
        self._device = device

    def _connect(self):
        from escpos.printer import File
        return File(self._device, profile=self._profile)


class CupsReceiptPrinter(EscposReceiptPrinter):
    """A CUPS queue, raw (`lp -d NAME -o raw`, python-escpos `LP`): no status either.

    python-escpos' `CupsPrinter` needs pycups (a C build); `LP` only needs the
    `lp` command from cups-client, and both end in the same raw queue.
    """

    _unknown_paper_prints = True
    has_status_channel = False

    def __init__(self, queue: str, **kwargs):
        super().__init__(**kwargs)
        self._queue = queue

    def _connect(self):
        from escpos.printer import LP
        return LP(self._queue, auto_flush=True, profile=self._profile)
