"""The Chinese social security card (社会保障卡), SSSE application, read over PC/SC.

Layout (id-documents.md §6; HD_XJDLL `HD_GetCardNo`): SELECT the SSSE
application by AID, SELECT EF05 (card data) and EF06 (holder data), READ RECORD
by identifier. Each record is TLV: tag (= record identifier), length, value.
Regions number records differently, so the parser keys on the tag it finds in
the record, never on the record number it asked for.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from devices.id_reader.pcsc.apdu import ApduChannel, StatusWordError, command
from devices.id_reader.pcsc.tlv import TlvError, parse_simple_record
from kiosk.core.identity import CardType, IdentityDocument

# "sx1.sh." + GBK "社会保障"
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
EF05, EF06 = b"\xEF\x05", b"\xEF\x06"

# tag -> (file, expected value length, meaning)
EF05_RECORDS = {
    0x01: 16,   # card identification code 卡识别码; first 6 digits = pooling region 统筹区码
    0x02: 1,    # card category 卡类别
    0x03: 4,    # specification version, ASCII "3.00"
    0x04: 12,   # initialising institution number
    0x05: 4,    # issue date, BCD YYYYMMDD
    0x06: 4,    # valid until, BCD YYYYMMDD
    0x07: 9,    # card number, ASCII
}
EF06_RECORDS = {
    0x08: 18,   # social security number (= citizen ID number), ASCII
    0x09: 30,   # name, GBK, padded with 00 or spaces
    0x0A: 1,    # gender '1' male / '2' female
    0x0B: 1,    # nation code, one byte (1..56, 97, 98)
    0x0C: 3,    # birthplace, BCD division code
    0x0D: 4,    # birth date, BCD YYYYMMDD
}
REQUIRED = (0x01, 0x05, 0x06, 0x08, 0x09, 0x0A, 0x0D)


class SsseError(ValueError):
    """Records that do not make a valid social security card."""


@dataclass(frozen=True, repr=False)
class SocialSecurityCard:
    card_id_code: str
    card_number: str
    spec_version: str
    issue_date: dt.date
    valid_until: dt.date
    ssn: str
    name: str
    sex: str            # "male" / "female"
    nation_code: str    # "01".."56", "97", "98"
    birth_date: dt.date

    @property
    def region_code(self) -> str:
        return self.card_id_code[:6]

    def to_identity(self) -> IdentityDocument:
        return IdentityDocument(
            card_type=CardType.SOCIAL_SECURITY, name=self.name, sex=self.sex,
            nation=self.nation_code, birth_date=self.birth_date, address="",
            id_number=self.ssn, issuer=self.region_code, valid_from=self.issue_date,
            valid_until=self.valid_until)

    def __repr__(self) -> str:
        return f"SocialSecurityCard(region={self.region_code}, version={self.spec_version})"


def bcd_date(value: bytes, what: str) -> dt.date:
    text = value.hex()
    if len(value) != 4 or not text.isdigit():
        raise SsseError(f"{what}: not a BCD YYYYMMDD date")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise SsseError(f"{what}: {text[:4]}-{text[4:6]}-{text[6:]} is not a date") from None


def _ascii(value: bytes, what: str) -> str:
    try:
        return value.decode("ascii").strip(" \x00")
    except UnicodeDecodeError:
        raise SsseError(f"{what}: not ASCII") from None


def parse_records(records: dict[int, bytes]) -> SocialSecurityCard:
    """Values by tag -> SocialSecurityCard, validating every field we rely on."""
    missing = [f"{tag:02X}" for tag in REQUIRED if tag not in records]
    if missing:
        raise SsseError(f"records missing: {', '.join(missing)}")
    ssn = _ascii(records[0x08], "social security number").upper()
    if len(ssn) != 18 or not ssn[:17].isdigit() or not (ssn[17].isdigit() or ssn[17] == "X"):
        raise SsseError("social security number is not an 18-character ID number")
    try:
        name = records[0x09].decode("gbk").strip(" \x00\u3000")
    except UnicodeDecodeError:
        raise SsseError("name is not GBK text") from None
    if not name or any(ord(ch) < 0x20 for ch in name):
        raise SsseError("name is empty or contains control characters")
    gender = _ascii(records[0x0A], "gender")
    sex = {"1": "male", "2": "female"}.get(gender)
    if sex is None:
        raise SsseError(f"gender code {gender!r} is not 1 or 2")
    nation = records.get(0x0B, b"")
    if len(nation) != 1 or nation[0] not in (*range(1, 57), 97, 98):
        nation_code = ""
        if nation:
            raise SsseError("nation code is not 01-56, 97 or 98")
    else:
        nation_code = f"{nation[0]:02d}"
    card_id = _ascii(records[0x01], "card identification code")
    if len(card_id) < 6 or not card_id[:6].isdigit():
        raise SsseError("card identification code does not start with a 6-digit region code")
    return SocialSecurityCard(
        card_id_code=card_id,
        card_number=_ascii(records.get(0x07, b""), "card number"),
        spec_version=_ascii(records.get(0x03, b""), "specification version"),
        issue_date=bcd_date(records[0x05], "issue date"),
        valid_until=bcd_date(records[0x06], "valid until"),
        ssn=ssn, name=name, sex=sex, nation_code=nation_code,
        birth_date=bcd_date(records[0x0D], "birth date"))


def read_card(channel: ApduChannel) -> SocialSecurityCard:
    """The full read: select SSSE, EF05 and EF06, read every record we know by identifier."""
    channel.check(command(0x00, 0xA4, 0x04, 0x00, SSSE_AID), "SELECT SSSE")
    records: dict[int, bytes] = {}
    for ef, table in ((EF05, EF05_RECORDS), (EF06, EF06_RECORDS)):
        channel.check(command(0x00, 0xA4, 0x02, 0x00, ef), f"SELECT {ef.hex().upper()}")
        for tag, length in table.items():
            # Le = the expected record length; a card with another length answers 6Cxx
            # and ApduChannel resends with the exact one.
            data, sw = channel.transmit(command(0x00, 0xB2, tag, 0x00, le=2 + length))
            if sw == 0x6A83 and tag not in REQUIRED:
                continue            # optional record absent on this card generation
            if sw != 0x9000:
                raise StatusWordError(sw, f"READ RECORD {tag:02X}")
            try:
                record = parse_simple_record(data)
            except TlvError as exc:
                raise SsseError(f"record {tag:02X}: {exc}") from None
            records[record.tag] = record.value
    return parse_records(records)
