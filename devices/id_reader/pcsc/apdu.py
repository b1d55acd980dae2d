"""Command and response APDUs (ISO/IEC 7816-4) and T=0 response chaining.

A contact card speaking T=0 cannot return data in the same exchange as a
case-4 command: it answers `61xx` ("xx bytes waiting") and the terminal fetches
them with GET RESPONSE, or `6Cxx` ("wrong Le, resend with Le=xx"). pcscd does not
do this for the application, so `ApduChannel` does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


class ApduError(Exception):
    """A malformed APDU or an exchange that went wrong in a known way."""


class CardRemoved(ApduError):
    """The card left the reader during an exchange."""


class CardMute(ApduError):
    """The card did not answer within the APDU timeout."""


class StatusWordError(ApduError):
    """The card answered with a status word other than the expected one."""

    def __init__(self, sw: int, context: str = ""):
        super().__init__(f"{context + ': ' if context else ''}SW {sw:04X} ({describe_sw(sw)})")
        self.sw = sw


SW_OK = 0x9000

_SW_TEXT = {
    0x6281: "part of returned data may be corrupted",
    0x6282: "end of file reached before Le bytes",
    0x6700: "wrong length",
    0x6882: "secure messaging not supported",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6985: "conditions of use not satisfied",
    0x6987: "expected secure messaging data objects missing",
    0x6988: "secure messaging data objects incorrect",
    0x6A80: "incorrect data field",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect P1/P2",
    0x6A88: "referenced data not found",
    0x6B00: "wrong P1/P2 (offset outside the file)",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
    0x9000: "success",
}


def describe_sw(sw: int) -> str:
    if sw in _SW_TEXT:
        return _SW_TEXT[sw]
    if sw >> 8 == 0x61:
        return f"{sw & 0xFF} response bytes available"
    if sw >> 8 == 0x6C:
        return f"wrong Le, exact length {sw & 0xFF}"
    return "unknown status"


def command(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """A short APDU. `le=0` means "up to 256 bytes"; None means no Le (case 1/3)."""
    for name, value in (("CLA", cla), ("INS", ins), ("P1", p1), ("P2", p2)):
        if not 0 <= value <= 0xFF:
            raise ApduError(f"{name} out of range: {value}")
    if len(data) > 255:
        raise ApduError(f"command data too long for a short APDU: {len(data)}")
    if le is not None and not 0 <= le <= 256:
        raise ApduError(f"Le out of range: {le}")
    apdu = bytes((cla, ins, p1, p2))
    if data:
        apdu += bytes((len(data),)) + data
    if le is not None:
        apdu += bytes((le & 0xFF,))
    return apdu


@dataclass(frozen=True)
class ParsedCommand:
    """A short command APDU as the card sees it."""
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None      # None = no Le; 256 for an Le byte of 00

    @property
    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))


def parse_command(apdu: bytes) -> ParsedCommand:
    """Split a short command APDU (cases 1-4). Raises ApduError on bad framing."""
    if len(apdu) < 4:
        raise ApduError(f"command APDU too short: {len(apdu)} bytes")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return ParsedCommand(cla, ins, p1, p2, b"", None)
    if len(body) == 1:
        return ParsedCommand(cla, ins, p1, p2, b"", body[0] or 256)
    lc = body[0]
    if lc == 0:
        raise ApduError("extended-length APDUs are not supported")
    if len(body) == 1 + lc:
        return ParsedCommand(cla, ins, p1, p2, bytes(body[1:]), None)
    if len(body) == 2 + lc:
        return ParsedCommand(cla, ins, p1, p2, bytes(body[1:1 + lc]), body[-1] or 256)
    raise ApduError(f"Lc={lc} does not match a body of {len(body)} bytes")


def split_response(response: bytes) -> tuple[bytes, int]:
    """(data, SW) of a response APDU. Raises ApduError when there is no SW."""
    if len(response) < 2:
        raise ApduError(f"response APDU too short: {len(response)} bytes")
    return bytes(response[:-2]), (response[-2] << 8) | response[-1]


# The raw exchange: bytes out, bytes back (data + SW1 SW2). pyscard's
# connection.transmit, the virtual card, or a test double.
RawTransmit = Callable[[bytes], bytes]

# A misbehaving card could answer 61xx forever; no real response needs more.
MAX_CHAINED_RESPONSES = 64


class ApduChannel:
    """Sends APDUs and resolves T=0 `61xx` / `6Cxx` so callers see (data, SW)."""

    def __init__(self, raw_transmit: RawTransmit):
        self._raw = raw_transmit
        self.exchanges = 0      # raw round trips, for tests and benchmarks

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        data, sw = self._exchange(apdu)
        if sw >> 8 == 0x6C:                       # wrong Le: resend with the exact length
            exact_le = bytes((sw & 0xFF,))
            data, sw = self._exchange(apdu[:-1] + exact_le if len(apdu) > 4 else apdu + exact_le)
        collected = bytearray(data)
        rounds = 0
        while sw >> 8 == 0x61:                    # more bytes waiting: GET RESPONSE
            rounds += 1
            if rounds > MAX_CHAINED_RESPONSES:
                raise ApduError("card keeps answering 61xx; giving up")
            more, sw = self._exchange(command(apdu[0] & 0x03, 0xC0, 0, 0, le=sw & 0xFF))
            collected += more
        return bytes(collected), sw

    def check(self, apdu: bytes, context: str = "") -> bytes:
        """transmit() and insist on 9000; returns the data."""
        data, sw = self.transmit(apdu)
        if sw != SW_OK:
            raise StatusWordError(sw, context)
        return data

    def _exchange(self, apdu: bytes) -> tuple[bytes, int]:
        self.exchanges += 1
        return split_response(self._raw(apdu))
