"""A SAM ID-card reader on a serial port (USB-serial, UART or a pty), via pyserial.

Two layers, as in pyserial-based drivers:

* `SamLink` sends one request and returns its checked response (or a typed
  error): framing, reassembly of partial reads, per-response timeouts, cancel,
  and turning a vanished port into `PortLostError`.
* `SamSerialIdReader` is the kiosk device: the find -> select -> read loop of
  the public implementations (hev-idcard-reader), XFS4IoT device and media
  status, insert/remove events, and reconnection when the port comes back.

Everything runs on the device's worker thread; the GUI thread only queues
commands and receives signals.
"""
from __future__ import annotations

import logging
import termios
import threading
import time

import serial

from devices.base import Command, DeviceStatus
from devices.id_reader.interface import (CANCELLED, CARD_REMOVED, DEVICE_OFFLINE, TIMEOUT, UNREADABLE,
                                         IdReader, MediaStatus, ReadFailure)
from devices.id_reader.photo_decoder import NoWltDecoder, PhotoDecodeError, PhotoDecoder
from devices.id_reader.sam_protocol import (FrameError, FrameReassembler, Outcome, Response, SamCommand,
                                            SamStatus, TruncatedFrameError, decode_response, encode_request,
                                            format_sam_id, split_base_message)
from devices.id_reader.text_block import TextBlockError, TextEncodingError, parse_text_block
from kiosk.core.identity import IdentityDocument

log = logging.getLogger(__name__)

DEFAULT_BAUDRATE = 115200
# A read-base response is 1295 bytes: 112 ms at 115200 baud, plus the SAM's own
# work (authentication, RF transfer), typically a few hundred ms in all.
RESPONSE_TIMEOUT_S = 2.0
READ_SLICE_S = 0.02            # serial read timeout: how often cancel and deadlines are checked
MAX_RF_FRAME = 0x50            # sent once after open, as hev-idcard-reader does


class NoResponseError(TimeoutError):
    """The reader sent nothing within the response timeout."""


class PortLostError(OSError):
    """The serial port vanished or failed (unplugged, hung-up pty, I/O error)."""


class CancelledError(Exception):
    pass


class SamLink:
    """One serial connection to a SAM module: request in, checked response out."""

    def __init__(self, port: str, baudrate: int = DEFAULT_BAUDRATE,
                 response_timeout_s: float = RESPONSE_TIMEOUT_S):
        self.port = port
        self.baudrate = baudrate
        self.response_timeout_s = response_timeout_s
        self._serial: serial.Serial | None = None
        self._reassembler = FrameReassembler()
        self._dirty = False    # a response may still be on its way from a timed-out request

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        try:
            self._serial = serial.Serial(self.port, self.baudrate, bytesize=8, parity="N", stopbits=1,
                                         timeout=READ_SLICE_S, write_timeout=1.0, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            self._serial = None
            raise PortLostError(f"cannot open {self.port}: {exc}") from exc
        self._reassembler.clear()
        self._dirty = False

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    def transact(self, command: SamCommand, data: bytes = b"", cancel: Command | None = None) -> Response:
        """Send `command` and wait for its response.

        Raises NoResponseError (also when `cancel`'s deadline comes first),
        PortLostError, CancelledError, or a FrameError (bad checksum, wrong
        length, truncated, unknown status). Nothing else.
        """
        if self._serial is None:
            raise PortLostError(f"{self.port} is not open")
        try:
            if self._dirty:
                self._drain(cancel)
            self._serial.reset_input_buffer()
            self._reassembler.clear()
            self._serial.write(encode_request(command, data))
            return decode_response(self._read_frame(cancel))
        except (serial.SerialException, OSError, termios.error) as exc:
            # termios.error: tcflush on a hung-up tty (pty master closed, USB adapter gone).
            if isinstance(exc, (NoResponseError, PortLostError)):
                raise
            self.close()
            raise PortLostError(f"{self.port}: {exc}") from exc

    def _read_frame(self, cancel: Command | None) -> bytes:
        deadline = time.monotonic() + self.response_timeout_s
        while True:
            frame = self._reassembler.pop()
            if frame is not None:
                return frame
            if cancel is not None and cancel.cancelled:
                self._dirty = True
                raise CancelledError()
            now = time.monotonic()
            if now >= deadline or (cancel is not None and cancel.expired):
                self._dirty = True
                if self._reassembler.pending:
                    raise TruncatedFrameError(f"{self._reassembler.pending} bytes, then silence")
                raise NoResponseError(f"no response within {self.response_timeout_s:g} s")
            waiting = self._serial.in_waiting
            chunk = self._serial.read(waiting or 1)
            if chunk:
                self._reassembler.feed(chunk)

    def _drain(self, cancel: Command | None) -> None:
        """Swallow the late answer to a request that timed out, so it is not
        taken for the answer to the next one: wait until the line is quiet."""
        self._dirty = False
        deadline = time.monotonic() + self.response_timeout_s
        quiet_since = time.monotonic()
        while time.monotonic() < deadline and not (cancel is not None and cancel.cancelled):
            chunk = self._serial.read(self._serial.in_waiting or 1)
            if chunk:
                self._reassembler.feed(chunk)
                quiet_since = time.monotonic()
                try:
                    if self._reassembler.pop() is not None:   # the late frame is complete: done
                        break
                except FrameError:
                    pass
            elif time.monotonic() - quiet_since > 0.1 and not self._reassembler.pending:
                break
        self._reassembler.clear()

    # --- the commands, one method each ------------------------------------------------

    def reset(self, cancel=None) -> Response:
        return self.transact(SamCommand.RESET, cancel=cancel)

    def sam_status(self, cancel=None) -> Response:
        return self.transact(SamCommand.SAM_STATUS, cancel=cancel)

    def sam_id(self, cancel=None) -> str:
        response = self.transact(SamCommand.SAM_ID, cancel=cancel)
        if response.status is not SamStatus.SUCCESS:
            raise SamStatusError(response)
        return format_sam_id(response.data)

    def set_max_rf_frame(self, size: int = MAX_RF_FRAME, cancel=None) -> Response:
        return self.transact(SamCommand.SET_MAX_RF_FRAME, bytes([size]), cancel=cancel)

    def find_card(self, cancel=None) -> Response:
        return self.transact(SamCommand.FIND_CARD, cancel=cancel)

    def select_card(self, cancel=None) -> Response:
        return self.transact(SamCommand.SELECT_CARD, cancel=cancel)

    def read_base(self, cancel=None, with_fingerprint: bool = False) -> Response:
        command = SamCommand.READ_BASE_FINGERPRINT if with_fingerprint else SamCommand.READ_BASE
        return self.transact(command, cancel=cancel)

    def read_new_address(self, cancel=None) -> str | None:
        """The 追加住址 (address change) text, None when the card has none (SW3 91)."""
        response = self.transact(SamCommand.READ_NEW_ADDRESS, cancel=cancel)
        if response.status is SamStatus.NO_CONTENT:
            return None
        if response.status is not SamStatus.SUCCESS:
            raise SamStatusError(response)
        try:
            return response.data.decode("utf-16-le").strip(" \x00")
        except UnicodeDecodeError:
            raise TextEncodingError("new address: not UCS-2LE text", "new_address") from None


class SamStatusError(Exception):
    """A command answered with a non-success SW3 where success was required."""

    def __init__(self, response: Response):
        info = response.info
        super().__init__(f"SW3 0x{response.sw3:02X}: {info.description}")
        self.info = info


class SamSerialIdReader(IdReader):
    """The kiosk's ID reader on a GA/T 467 SAM module behind a serial port."""

    def __init__(self, port: str, baudrate: int = DEFAULT_BAUDRATE, photo_decoder: PhotoDecoder | None = None,
                 poll_interval_s: float = 0.2, response_timeout_s: float = RESPONSE_TIMEOUT_S,
                 idle_poll_s: float = 0.5, with_fingerprint: bool = False, parent=None):
        super().__init__(parent)
        if not port:
            raise ValueError("sam_serial: port is required (e.g. /dev/ttyUSB0)")
        self._link = SamLink(port, baudrate, response_timeout_s)
        self._decoder = photo_decoder or NoWltDecoder()
        self._poll_interval_s = poll_interval_s
        self._idle_poll_s = idle_poll_s
        self._with_fingerprint = with_fingerprint
        self._wake = threading.Event()
        self._closing = False
        self.sam_id: str | None = None

    @property
    def port(self) -> str:
        return self._link.port

    # --- lifecycle -----------------------------------------------------------------

    def _open_on_worker(self) -> None:
        self._closing = False
        self._connect()
        self._submit(self._idle_poll)

    def _close_on_worker(self) -> None:
        self._link.close()
        self._set_media(MediaStatus.UNKNOWN)

    def _submit(self, job) -> None:
        super()._submit(job)
        self._wake.set()          # an idle poll in progress gives way at once

    def read_card(self, timeout_s: float) -> None:
        super().read_card(timeout_s)
        self._submit(self._idle_poll)    # keep watching the card after the read

    def close(self) -> None:
        self._closing = True      # the idle poll stops now, not at its next tick
        self._wake.set()
        super().close()

    def _connect(self) -> bool:
        """(Re)open the port and check the SAM; sets the device status. True when online."""
        self._link.close()
        try:
            self._link.open()
            status = self._link.sam_status()
            if status.info.outcome is Outcome.SAM_FAULT:
                self._set_status(DeviceStatus.HARDWARE_ERROR, f"SAM: {status.info.description}")
                self._set_media(MediaStatus.UNKNOWN)
                return False
            if status.status is not SamStatus.SUCCESS:
                raise SamStatusError(status)
            self._link.set_max_rf_frame()
            try:
                self.sam_id = self._link.sam_id()
            except (SamStatusError, FrameError):
                self.sam_id = None   # informational only
        except PortLostError as exc:
            self._set_status(DeviceStatus.NO_DEVICE, str(exc))
            self._set_media(MediaStatus.UNKNOWN)
            return False
        except (NoResponseError, FrameError, SamStatusError) as exc:
            self._link.close()
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"SAM does not answer properly: {exc}")
            self._set_media(MediaStatus.UNKNOWN)
            return False
        self._set_status(DeviceStatus.ONLINE)
        log.info("id_reader: SAM reader online on %s (SAM %s)", self._link.port, self.sam_id)
        return True

    def _read_job(self, command: Command) -> None:
        # A reader that went away may be back: try once before the base class refuses.
        if self.status() in (DeviceStatus.NO_DEVICE, DeviceStatus.HARDWARE_ERROR, DeviceStatus.OFFLINE):
            self._connect()
        super()._read_job(command)

    # --- the read -------------------------------------------------------------------

    def _read_on_worker(self, command: Command) -> IdentityDocument:
        while True:
            if command.cancelled:
                raise ReadFailure(CANCELLED, "cancelled")
            if command.expired:
                raise ReadFailure(TIMEOUT, f"no card within {command.timeout_s:g} s")
            find = self._transact(self._link.find_card, command)
            if find.status is not SamStatus.FIND_OK:
                self._fail_on_fault(find)
                self._set_media(MediaStatus.NOT_PRESENT)
                self._wait(command, self._poll_interval_s)
                continue
            self._set_media(MediaStatus.PRESENT)
            select = self._transact(self._link.select_card, command)
            if select.status is not SamStatus.SUCCESS:
                # Card at the edge of the field or just lifted: try again while time remains.
                self._fail_on_fault(select)
                self._wait(command, self._poll_interval_s)
                continue
            read = self._transact(lambda cancel: self._link.read_base(cancel, self._with_fingerprint), command)
            if read.status is not SamStatus.SUCCESS:
                self._fail_on_fault(read)
                info = read.info
                if info.reason == CARD_REMOVED:
                    self._set_media(MediaStatus.NOT_PRESENT)
                raise ReadFailure(info.reason or UNREADABLE, f"SW3 0x{read.sw3:02X}: {info.description}")
            return self._document(read)

    def _document(self, read: Response) -> IdentityDocument:
        try:
            message = split_base_message(read.data, self._with_fingerprint)
            photo = self._decode_photo(message.photo_wlt)
            return parse_text_block(message.text, photo_jpeg=photo)
        except FrameError as exc:
            raise ReadFailure(UNREADABLE, f"read response: {exc.reason}: {exc}") from None
        except TextBlockError as exc:
            # The detail names the field and the rule, never the value.
            raise ReadFailure(UNREADABLE, f"text block: {exc.reason}: {exc}") from None

    def _decode_photo(self, wlt: bytes) -> bytes | None:
        try:
            return self._decoder.decode(wlt)
        except PhotoDecodeError as exc:
            # The card is still valid; face verification falls back to the platform photo.
            log.warning("id_reader: chip photo not decoded (%s): %s", self._decoder.name, exc)
            return None

    def _transact(self, call, command: Command) -> Response:
        """One request within the read, with every link failure turned into a ReadFailure."""
        try:
            return call(command)
        except CancelledError:
            raise ReadFailure(CANCELLED, "cancelled") from None
        except PortLostError as exc:
            self._link.close()
            self._set_status(DeviceStatus.NO_DEVICE, str(exc))
            self._set_media(MediaStatus.UNKNOWN)
            raise ReadFailure(DEVICE_OFFLINE, "reader disconnected") from None
        except NoResponseError as exc:
            if command.expired:
                raise ReadFailure(TIMEOUT, f"deadline passed waiting for the reader: {exc}") from None
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"no response: {exc}")
            raise ReadFailure(DEVICE_OFFLINE, f"reader does not answer: {exc}") from None
        except FrameError as exc:
            if command.expired and exc.reason == "truncated":
                raise ReadFailure(TIMEOUT, f"deadline passed mid-frame: {exc}") from None
            raise ReadFailure(UNREADABLE, f"{exc.reason}: {exc}") from None

    def _fail_on_fault(self, response: Response) -> None:
        if response.info.outcome is Outcome.SAM_FAULT:
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"SAM: {response.info.description}")
            self._set_media(MediaStatus.UNKNOWN)
            raise ReadFailure(DEVICE_OFFLINE, f"SW3 0x{response.sw3:02X}: {response.info.description}")

    # --- between commands: watch the card and the port -------------------------------------

    def _idle_poll(self) -> None:
        """Runs on the worker while nothing else is queued: media presence
        (insert/remove events, "please take your card") and reconnection."""
        worker = self._worker
        while worker is not None and worker.pending() == 0 and self._worker is worker and not self._closing:
            self._wake.clear()
            if self.status() in (DeviceStatus.ONLINE, DeviceStatus.BUSY):
                try:
                    find = self._link.find_card()
                    if find.info.outcome is Outcome.SAM_FAULT:
                        self._set_status(DeviceStatus.HARDWARE_ERROR, f"SAM: {find.info.description}")
                        self._set_media(MediaStatus.UNKNOWN)
                    else:
                        self._set_media(MediaStatus.PRESENT if find.status is SamStatus.FIND_OK
                                        else MediaStatus.NOT_PRESENT)
                except PortLostError as exc:
                    self._link.close()
                    self._set_status(DeviceStatus.NO_DEVICE, str(exc))
                    self._set_media(MediaStatus.UNKNOWN)
                except (NoResponseError, FrameError) as exc:
                    log.debug("id_reader: idle poll: %s", exc)
            else:
                self._connect()
            if worker.pending() or self._closing:
                return
            self._wake.wait(self._idle_poll_s)
