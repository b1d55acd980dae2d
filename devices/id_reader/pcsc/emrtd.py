"""Reading an ICAO 9303 eMRTD (passport, travel permit) after Basic Access Control.

The chip only talks after BAC, whose keys come from the MRZ printed on the
document (number, birth date, expiry). A kiosk gets these from an MRZ scan or
from the citizen typing them; `PcscIdReader.set_mrz_key()` takes them.

Flow: SELECT the eMRTD application -> GET CHALLENGE -> EXTERNAL AUTHENTICATE
(mutual authentication) -> secure messaging: SELECT + READ BINARY of EF.COM
and DG1 -> MRZ parsed from DG1.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from devices.id_reader.pcsc import icao_bac as bac
from devices.id_reader.pcsc.apdu import ApduChannel, StatusWordError, command
from devices.id_reader.pcsc.mrz import Mrz, MrzError, parse_dg1, yymmdd_to_date
from devices.id_reader.pcsc.tlv import TlvError, ber_header_length, find, parse_ber
from kiosk.core.identity import CardType, IdentityDocument

EMRTD_AID = bytes.fromhex("A0000002471001")
EF_COM = b"\x01\x1E"
EF_DG1 = b"\x01\x01"
MAX_READ = 0xDF          # keeps a protected READ BINARY response within a short APDU


class EmrtdError(ValueError):
    """EF.COM or DG1 contents that are not what ICAO 9303 says."""


@dataclass(frozen=True)
class MrzKey:
    document_number: str
    birth_yymmdd: str
    expiry_yymmdd: str

    def __post_init__(self):
        bac.mrz_information(self.document_number, self.birth_yymmdd, self.expiry_yymmdd)  # validates

    def __repr__(self) -> str:   # the key is personal data
        return "MrzKey(***)"


@dataclass(frozen=True)
class EmrtdContents:
    lds_version: str
    data_groups: tuple[int, ...]     # tags listed in EF.COM, e.g. 0x61 (DG1), 0x75 (DG2)
    mrz: Mrz

    def to_identity(self, today: dt.date | None = None) -> IdentityDocument:
        sex = {"M": "male", "F": "female"}.get(self.mrz.sex, "unspecified")
        return IdentityDocument(
            card_type=CardType.EMRTD, name=self.mrz.full_name, sex=sex,
            nation=self.mrz.nationality,
            birth_date=yymmdd_to_date(self.mrz.birth_yymmdd, future=False, today=today),
            address="", id_number=self.mrz.document_number, issuer=self.mrz.issuing_state,
            valid_from=None,     # not in the MRZ
            valid_until=yymmdd_to_date(self.mrz.expiry_yymmdd, future=True, today=today))


def parse_ef_com(data: bytes) -> tuple[str, tuple[int, ...]]:
    """EF.COM = 60 { 5F01 LDS version, 5F36 Unicode version, 5C tag list }."""
    try:
        com = find(parse_ber(data), 0x60)
        inner = parse_ber(com.value)
        version = find(inner, 0x5F01).value
        tags = find(inner, 0x5C).value
    except TlvError as exc:
        raise EmrtdError(f"EF.COM: {exc}") from None
    try:
        return version.decode("ascii"), tuple(tags)
    except UnicodeDecodeError:
        raise EmrtdError("EF.COM: LDS version is not ASCII") from None


def authenticate(channel: ApduChannel, key: MrzKey, rng=os.urandom) -> bac.SecureMessaging:
    """BAC mutual authentication; raises BacError when the chip refuses the MRZ key."""
    keys = bac.derive_bac_keys(key.document_number, key.birth_yymmdd, key.expiry_yymmdd)
    channel.check(command(0x00, 0xA4, 0x04, 0x0C, EMRTD_AID), "SELECT eMRTD application")
    rnd_ic = channel.check(command(0x00, 0x84, 0x00, 0x00, le=8), "GET CHALLENGE")
    if len(rnd_ic) != 8:
        raise bac.BacError(f"GET CHALLENGE returned {len(rnd_ic)} bytes")
    rnd_ifd, k_ifd = rng(8), rng(16)
    data, sw = channel.transmit(command(0x00, 0x82, 0x00, 0x00,
                                        bac.terminal_authenticate_data(keys, rnd_ic, rnd_ifd, k_ifd),
                                        le=0x28))
    if sw in (0x6300, 0x6982):
        raise bac.BacError(f"chip refused the MRZ key (SW {sw:04X})")
    if sw != 0x9000:
        raise StatusWordError(sw, "EXTERNAL AUTHENTICATE")
    return bac.SecureMessaging(bac.terminal_finish(keys, data, rnd_ic, rnd_ifd, k_ifd))


def _sm_check(channel: ApduChannel, sm: bac.SecureMessaging, what: str, ins: int, p1: int, p2: int,
              data: bytes = b"", le: int | None = None) -> bytes:
    body, outer_sw = channel.transmit(sm.wrap(0x00, ins, p1, p2, data, le))
    plain, sw = sm.unwrap(body + outer_sw.to_bytes(2, "big"))
    if sw != 0x9000:
        raise StatusWordError(sw, what)
    return plain


def read_file(channel: ApduChannel, sm: bac.SecureMessaging, fid: bytes, what: str) -> bytes:
    _sm_check(channel, sm, f"SELECT {what}", 0xA4, 0x02, 0x0C, fid)
    head = _sm_check(channel, sm, f"READ BINARY {what}", 0xB0, 0, 0, le=4)
    try:
        total = ber_header_length(head)
    except TlvError as exc:
        raise EmrtdError(f"{what}: {exc}") from None
    if total > 0x7FFF:
        raise EmrtdError(f"{what}: {total} bytes is larger than any LDS file we read")
    content = bytearray(head)
    while len(content) < total:
        offset = len(content)
        chunk = _sm_check(channel, sm, f"READ BINARY {what}", 0xB0, offset >> 8, offset & 0xFF,
                          le=min(MAX_READ, total - offset))
        if not chunk:
            raise EmrtdError(f"{what}: chip returned no data at offset {offset}")
        content += chunk
    return bytes(content[:total])


def read_document(channel: ApduChannel, key: MrzKey, rng=os.urandom) -> EmrtdContents:
    sm = authenticate(channel, key, rng)
    version, tags = parse_ef_com(read_file(channel, sm, EF_COM, "EF.COM"))
    if 0x61 not in tags:
        raise EmrtdError("EF.COM does not list DG1")
    try:
        mrz = parse_dg1(read_file(channel, sm, EF_DG1, "DG1"))
    except MrzError as exc:
        raise EmrtdError(f"DG1: {exc}") from None
    return EmrtdContents(version, tags, mrz)
