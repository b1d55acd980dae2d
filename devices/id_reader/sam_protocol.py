"""The SAM host protocol of Chinese ID-card readers (GA/T 467, chapter 7).

Frames, both directions (docs: ../shared/reference/id-documents.md §1):

    host -> SAM : AA AA AA 96 69 | Len1 Len2 | CMD | Para | Data(n) | CHK
    SAM -> host : AA AA AA 96 69 | Len1 Len2 | SW1 | SW2 | SW3 | Data(n) | CHK

`Len` is big-endian and counts every byte after itself, CHK included; CHK is
the XOR of Len1 .. last data byte. SW3 is the operation status.

This module is pure bytes in, bytes/objects out: no I/O, so the driver, the
simulator and the property tests share one implementation. Every malformed
input becomes a `FrameError` subclass; nothing else escapes the decoders.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum
from functools import reduce

PREAMBLE = bytes.fromhex("AAAAAA9669")
HEADER_SIZE = len(PREAMBLE) + 2       # preamble + length field
# The largest frame in the protocol is read-base-with-fingerprint:
# Len 0x090A (2321 bytes in all). Anything longer is a corrupted length field;
# refusing it at once stops the reassembler from waiting for bytes that never come.
MAX_LENGTH = 0x0A00


class FrameError(ValueError):
    """A frame that cannot be used. `reason` is a short code for logs."""

    reason = "bad_frame"


class BadPreambleError(FrameError):
    reason = "bad_preamble"


class BadChecksumError(FrameError):
    reason = "bad_checksum"


class BadLengthError(FrameError):
    """The length field disagrees with the frame, or is impossible."""

    reason = "bad_length"


class TruncatedFrameError(FrameError):
    """Fewer bytes than the length field announces (the rest never came)."""

    reason = "truncated"


class UnknownStatusError(FrameError):
    reason = "unknown_status"

    def __init__(self, sw3: int):
        super().__init__(f"unknown SW3 status 0x{sw3:02X}")
        self.sw3 = sw3


class SamCommand(Enum):
    """(CMD, Para) of every host command; request frames are in the fact sheet §1.3."""

    RESET = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)                 # read SAM management info
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)              # text + photo
    READ_NEW_ADDRESS = (0x30, 0x03)       # 追加住址
    READ_BASE_FINGERPRINT = (0x30, 0x10)  # text + photo + fingerprint
    SET_MAX_RF_FRAME = (0x61, 0xFF)       # one data byte, e.g. 0x50

    @property
    def cmd(self) -> int:
        return self.value[0]

    @property
    def para(self) -> int:
        return self.value[1]

    @classmethod
    def lookup(cls, cmd: int, para: int) -> "SamCommand | None":
        return _COMMANDS.get((cmd, para))


_COMMANDS = {command.value: command for command in SamCommand}


class SamStatus(IntEnum):
    """SW3 values (fact sheet §1.4)."""

    SUCCESS = 0x90
    NO_CONTENT = 0x91                # e.g. no 追加住址 on this card
    FIND_OK = 0x9F
    HOST_CHECKSUM_ERROR = 0x10
    HOST_LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    NOT_PERMITTED = 0x23             # 越权操作
    UNRECOGNISED_ERROR = 0x24
    CARD_REJECTED_SAM = 0x31         # card failed to authenticate the SAM
    SAM_REJECTED_CARD = 0x32         # SAM failed to authenticate the card
    VERIFY_ERROR = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80               # no card on the reader
    SELECT_FAILED = 0x81


class Outcome(str, Enum):
    """What the driver does with a status."""

    OK = "ok"
    NO_CARD = "no_card"              # keep polling
    NO_CONTENT = "no_content"        # optional item absent; not an error
    CARD_ERROR = "card_error"        # this card, this time: ask the citizen to re-place it
    CARD_REJECTED = "card_rejected"  # authentication failed: possibly not a genuine card
    HOST_ERROR = "host_error"        # we sent something the SAM did not accept (driver bug or line noise)
    SAM_FAULT = "sam_fault"          # the reader itself is broken: technician


@dataclass(frozen=True)
class StatusInfo:
    status: SamStatus
    outcome: Outcome
    reason: str | None       # `read_failed` reason code (interface.py); None = not a failure
    message_key: str | None  # citizen-facing message key (screens/texts.py, check_messages.py)
    description: str         # for technicians and logs


def _info(status, outcome, reason, key, description):
    return status, StatusInfo(status, outcome, reason, key, description)


# Reason codes are the interface's (`unreadable`, `card_removed`, `device_offline`, `timeout`);
# message keys are `card_<reason>` as the session builds them, plus two finer ones this
# protocol can tell apart (see check_messages.py).
STATUS_TABLE: dict[int, StatusInfo] = dict([
    _info(SamStatus.SUCCESS, Outcome.OK, None, None, "success"),
    _info(SamStatus.FIND_OK, Outcome.OK, None, None, "card found"),
    _info(SamStatus.NO_CONTENT, Outcome.NO_CONTENT, None, None, "item has no content on the card"),
    _info(SamStatus.FIND_FAILED, Outcome.NO_CARD, "timeout", "card_timeout", "find card failed: no card"),
    _info(SamStatus.SELECT_FAILED, Outcome.CARD_ERROR, "card_removed", "card_card_removed",
          "select card failed (card moved or removed)"),
    _info(SamStatus.READ_FAILED, Outcome.CARD_ERROR, "card_removed", "card_card_removed",
          "read card failed (card moved or removed during the read)"),
    _info(SamStatus.RANDOM_FAILED, Outcome.CARD_ERROR, "unreadable", "card_unreadable",
          "get random number from the card failed"),
    _info(SamStatus.UNKNOWN_CARD_TYPE, Outcome.CARD_ERROR, "unreadable", "card_type_unknown",
          "unrecognised card type"),
    _info(SamStatus.CARD_REJECTED_SAM, Outcome.CARD_REJECTED, "unreadable", "card_not_genuine",
          "card failed to authenticate the SAM"),
    _info(SamStatus.SAM_REJECTED_CARD, Outcome.CARD_REJECTED, "unreadable", "card_not_genuine",
          "SAM failed to authenticate the card"),
    _info(SamStatus.VERIFY_ERROR, Outcome.CARD_REJECTED, "unreadable", "card_not_genuine",
          "information verification error"),
    _info(SamStatus.HOST_CHECKSUM_ERROR, Outcome.HOST_ERROR, "unreadable", "card_unreadable",
          "SAM saw a checksum error in our frame"),
    _info(SamStatus.HOST_LENGTH_ERROR, Outcome.HOST_ERROR, "unreadable", "card_unreadable",
          "SAM saw a length error in our frame"),
    _info(SamStatus.COMMAND_ERROR, Outcome.HOST_ERROR, "unreadable", "card_unreadable",
          "command error (values or logic)"),
    _info(SamStatus.NOT_PERMITTED, Outcome.HOST_ERROR, "unreadable", "card_unreadable",
          "operation beyond authority"),
    _info(SamStatus.UNRECOGNISED_ERROR, Outcome.HOST_ERROR, "unreadable", "card_unreadable",
          "unrecognised error"),
    _info(SamStatus.SAM_SELF_TEST_FAILED, Outcome.SAM_FAULT, "device_offline", "card_device_offline",
          "SAM self-test failed, cannot accept commands"),
    _info(SamStatus.SAM_NOT_AUTHORISED, Outcome.SAM_FAULT, "device_offline", "card_device_offline",
          "SAM not authorised, cannot be used"),
])


def status_info(sw3: int) -> StatusInfo:
    """The typed meaning of an SW3 byte; UnknownStatusError for anything else."""
    try:
        return STATUS_TABLE[sw3]
    except KeyError:
        raise UnknownStatusError(sw3) from None


def checksum(data: bytes) -> int:
    """XOR of all bytes (callers pass Len1 .. last data byte)."""
    return reduce(lambda acc, byte: acc ^ byte, data, 0)


def _frame(body: bytes) -> bytes:
    """Preamble + length + body + CHK, where body = CMD Para Data or SW1 SW2 SW3 Data."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    counted = length.to_bytes(2, "big") + body
    return PREAMBLE + counted + bytes([checksum(counted)])


def encode_request(command: SamCommand, data: bytes = b"") -> bytes:
    return _frame(bytes([command.cmd, command.para]) + bytes(data))


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return _frame(bytes([sw1, sw2, sw3]) + bytes(data))


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes

    @property
    def command(self) -> SamCommand | None:
        return SamCommand.lookup(self.cmd, self.para)


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def info(self) -> StatusInfo:
        return status_info(self.sw3)

    @property
    def status(self) -> SamStatus:
        return self.info.status


def _checked_body(frame: bytes, min_body: int) -> bytes:
    """Validate preamble, length and checksum; return the bytes between Len and CHK."""
    frame = bytes(frame)
    if len(frame) < len(PREAMBLE) or frame[:len(PREAMBLE)] != PREAMBLE:
        if len(frame) < len(PREAMBLE) and PREAMBLE.startswith(frame):
            raise TruncatedFrameError(f"only {len(frame)} bytes")
        raise BadPreambleError("frame does not start with AA AA AA 96 69")
    if len(frame) < HEADER_SIZE:
        raise TruncatedFrameError(f"only {len(frame)} bytes, no length field")
    length = int.from_bytes(frame[5:7], "big")
    if length < min_body + 1 or length > MAX_LENGTH:
        raise BadLengthError(f"length field {length} out of range")
    expected = HEADER_SIZE + length
    if len(frame) < expected:
        raise TruncatedFrameError(f"{len(frame)} of {expected} bytes")
    if len(frame) > expected:
        raise BadLengthError(f"{len(frame)} bytes but length field says {expected}")
    if checksum(frame[5:-1]) != frame[-1]:
        raise BadChecksumError(f"checksum 0x{frame[-1]:02X}, computed 0x{checksum(frame[5:-1]):02X}")
    return frame[7:-1]


def decode_request(frame: bytes) -> Request:
    body = _checked_body(frame, min_body=2)
    return Request(body[0], body[1], body[2:])


def decode_response(frame: bytes) -> Response:
    """A checked response; raises a FrameError (incl. UnknownStatusError), nothing else."""
    body = _checked_body(frame, min_body=3)
    response = Response(body[0], body[1], body[2], body[3:])
    status_info(response.sw3)   # unknown SW3 -> UnknownStatusError
    return response


class FrameReassembler:
    """Cuts a byte stream into whole frames, however the bytes arrive.

    Serial reads return whatever the UART has: half a frame, two frames, line
    noise before a preamble. `feed()` buffers; `pop()` returns the next whole
    frame (unchecked: decode it) or None until enough bytes are in. Bytes
    before a preamble are dropped (counted in `discarded`); an impossible
    length raises BadLengthError and drops that preamble so the stream can
    resynchronise on the next one.
    """

    def __init__(self):
        self._buffer = bytearray()
        self.discarded = 0

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def pending(self) -> int:
        """Bytes held that are not yet a whole frame."""
        return len(self._buffer)

    def clear(self) -> None:
        self._buffer.clear()

    def pop(self) -> bytes | None:
        start = self._buffer.find(PREAMBLE)
        if start < 0:
            # Keep a tail that could be the start of a preamble split across reads.
            keep = 0
            for size in range(min(len(PREAMBLE) - 1, len(self._buffer)), 0, -1):
                if self._buffer.endswith(PREAMBLE[:size]):
                    keep = size
                    break
            self.discarded += len(self._buffer) - keep
            del self._buffer[:len(self._buffer) - keep]
            return None
        if start:
            self.discarded += start
            del self._buffer[:start]
        if len(self._buffer) < HEADER_SIZE:
            return None
        length = int.from_bytes(self._buffer[5:7], "big")
        if length < 2 or length > MAX_LENGTH:
            del self._buffer[:len(PREAMBLE)]
            self.discarded += len(PREAMBLE)
            raise BadLengthError(f"length field {length} out of range")
        total = HEADER_SIZE + length
        if len(self._buffer) < total:
            return None
        frame = bytes(self._buffer[:total])
        del self._buffer[:total]
        return frame


# --- data layouts of the read responses --------------------------------------

TEXT_SIZE = 256
PHOTO_SIZE = 1024
FINGERPRINT_SIZE = 1024


@dataclass(frozen=True)
class BaseMessage:
    text: bytes                    # 256-byte UCS-2LE text block (text_block.py)
    photo_wlt: bytes               # 1024-byte WLT-compressed photo (photo_decoder.py)
    fingerprint: bytes | None = None


def split_base_message(data: bytes, with_fingerprint: bool = False) -> BaseMessage:
    """Response data of READ_BASE (2 length words) or READ_BASE_FINGERPRINT (3).

    Each part is preceded by its big-endian length; the lengths must add up
    to the data exactly, else BadLengthError.
    """
    words = 3 if with_fingerprint else 2
    if len(data) < 2 * words:
        raise TruncatedFrameError("read response without its length words")
    sizes = [int.from_bytes(data[2 * i:2 * i + 2], "big") for i in range(words)]
    if 2 * words + sum(sizes) != len(data):
        raise BadLengthError(f"part lengths {sizes} do not match {len(data)} data bytes")
    if sizes[0] != TEXT_SIZE:
        raise BadLengthError(f"text block of {sizes[0]} bytes, expected {TEXT_SIZE}")
    offset = 2 * words
    text = data[offset:offset + sizes[0]]
    offset += sizes[0]
    photo = data[offset:offset + sizes[1]]
    offset += sizes[1]
    fingerprint = data[offset:offset + sizes[2]] if with_fingerprint else None
    return BaseMessage(bytes(text), bytes(photo), None if fingerprint is None else bytes(fingerprint))


def join_base_message(message: BaseMessage) -> bytes:
    """The inverse of split_base_message (the simulator builds responses with it)."""
    parts = [message.text, message.photo_wlt]
    if message.fingerprint is not None:
        parts.append(message.fingerprint)
    return b"".join(len(part).to_bytes(2, "big") for part in parts) + b"".join(parts)


def format_sam_id(data: bytes) -> str:
    """SAM management info (16 bytes) in the common vendor notation
    `05.01-20101012-00xxxxxxxx-xxxxxxxxxx` (single-vendor convention, §1.5)."""
    if len(data) != 16:
        raise BadLengthError(f"SAM id of {len(data)} bytes, expected 16")
    first = int.from_bytes(data[4:8], "little")
    second = int.from_bytes(data[8:12], "little")
    third = int.from_bytes(data[12:16], "little")
    return f"{data[0]:02X}.{data[2]:02X}-{first}-{second:010d}-{third:010d}"
