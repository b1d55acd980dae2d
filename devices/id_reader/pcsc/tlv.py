"""The two TLV encodings these cards use.

* SSSE records (社会保障卡): one tag byte (= record identifier), one length byte,
  value. Regions differ in record numbering, so the parser keys on the tag.
* BER-TLV (ISO/IEC 8825-1) for the ICAO LDS files and secure-messaging objects:
  tags of one or more bytes (low 5 bits 11111 = more tag bytes follow, then
  continuation while bit 8 is set), length in short form (< 0x80) or long form
  (0x81 xx, 0x82 xx xx, 0x83 ...).
"""
from __future__ import annotations

from dataclasses import dataclass


class TlvError(ValueError):
    """Bytes that are not valid TLV of the expected kind."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes
    constructed: bool = False


def parse_simple_record(record: bytes) -> Tlv:
    """One SSSE record: tag(1) length(1) value. Trailing bytes after value are an error."""
    if len(record) < 2:
        raise TlvError(f"record too short for tag and length: {len(record)} bytes")
    tag, length = record[0], record[1]
    if len(record) < 2 + length:
        raise TlvError(f"record tag {tag:02X} declares {length} bytes, has {len(record) - 2}")
    if len(record) > 2 + length:
        raise TlvError(f"record tag {tag:02X}: {len(record) - 2 - length} bytes after the value")
    return Tlv(tag, bytes(record[2:2 + length]))


def encode_simple_record(tag: int, value: bytes) -> bytes:
    if not 0 <= tag <= 0xFF or len(value) > 0xFF:
        raise TlvError("tag or value too large for a simple record")
    return bytes((tag, len(value))) + value


# --- BER-TLV ---------------------------------------------------------------------

MAX_TAG_BYTES = 3


def _read_tag(data: bytes, pos: int) -> tuple[int, bool, int]:
    if pos >= len(data):
        raise TlvError("missing tag")
    first = data[pos]
    constructed = bool(first & 0x20)
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise TlvError("tag runs past the end")
            b = data[pos]
            tag = (tag << 8) | b
            pos += 1
            if not b & 0x80:
                break
            if tag.bit_length() > 8 * MAX_TAG_BYTES:
                raise TlvError("tag longer than 3 bytes")
    return tag, constructed, pos


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise TlvError("missing length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 3:
        raise TlvError(f"unsupported length form {first:02X}")
    if pos + count > len(data):
        raise TlvError("length runs past the end")
    return int.from_bytes(data[pos:pos + count], "big"), pos + count


def parse_ber(data: bytes) -> list[Tlv]:
    """All top-level BER-TLV objects in `data` (nothing may be left over).

    Padding bytes 00/FF between objects are skipped, as ISO 7816-4 allows.
    """
    data = bytes(data)
    out: list[Tlv] = []
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):
            pos += 1
            continue
        tag, constructed, pos = _read_tag(data, pos)
        length, pos = _read_length(data, pos)
        if pos + length > len(data):
            raise TlvError(f"tag {tag:X} declares {length} bytes, {len(data) - pos} remain")
        out.append(Tlv(tag, data[pos:pos + length], constructed))
        pos += length
    return out


def ber_header_length(data: bytes) -> int:
    """Total length (header + value) of the first BER-TLV object from its first bytes.

    Used to learn a file's size from its first few bytes before reading the rest.
    """
    _tag, _c, pos = _read_tag(bytes(data), 0)
    length, pos = _read_length(bytes(data), pos)
    return pos + length


def find(objects: list[Tlv], tag: int) -> Tlv:
    for obj in objects:
        if obj.tag == tag:
            return obj
    raise TlvError(f"tag {tag:X} not found")


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    if length <= 0xFF:
        return bytes((0x81, length))
    if length <= 0xFFFF:
        return b"\x82" + length.to_bytes(2, "big")
    raise TlvError("value too long")


def encode_ber(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    return tag_bytes + encode_length(len(value)) + value
