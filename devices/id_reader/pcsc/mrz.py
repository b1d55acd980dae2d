"""The machine-readable zone as stored in an eMRTD's DG1 (ICAO 9303 Parts 3-5, 10).

DG1 = `61 L 5F1F L <MRZ characters>`: 88 characters for a passport (TD3, two
lines of 44), 72 for TD2 (two of 36), 90 for an ID card (TD1, three of 30).
Every field's check digit is verified; a wrong one is a typed `MrzError`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from devices.id_reader.pcsc.icao_bac import check_digit
from devices.id_reader.pcsc.tlv import TlvError, find, parse_ber


class MrzError(ValueError):
    """DG1 or MRZ text that is not a valid machine-readable zone."""


_MRZ_CHARS = re.compile(r"^[A-Z0-9<]*$")


@dataclass(frozen=True)
class Mrz:
    document_code: str        # "P", "I", "CS" (往来港澳通行证) ...
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_yymmdd: str
    sex: str                  # "M", "F" or "<"
    expiry_yymmdd: str
    optional_data: str

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.given_names}".strip()


def _checked(field: str, digit: str, name: str) -> str:
    if check_digit(field) != digit:
        raise MrzError(f"{name}: check digit {digit!r} does not match")
    return field


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def parse_mrz(text: str) -> Mrz:
    """Parse TD3 (88), TD2 (72) or TD1 (90) MRZ characters (no line breaks)."""
    if not _MRZ_CHARS.match(text):
        raise MrzError("MRZ contains characters outside A-Z 0-9 <")
    try:
        if len(text) == 88:
            return _td3_or_td2(text[:44], text[44:], name_len=39)
        if len(text) == 72:
            return _td3_or_td2(text[:36], text[36:], name_len=31)
        if len(text) == 90:
            return _td1(text[:30], text[30:60], text[60:])
    except ValueError as exc:
        if isinstance(exc, MrzError):
            raise
        raise MrzError(str(exc)) from None
    raise MrzError(f"MRZ of {len(text)} characters is neither TD1 (90), TD2 (72) nor TD3 (88)")


def _td3_or_td2(line1: str, line2: str, name_len: int) -> Mrz:
    surname, given = _names(line1[5:5 + name_len])
    number = _checked(line2[0:9], line2[9], "document number")
    birth = _checked(line2[13:19], line2[19], "date of birth")
    expiry = _checked(line2[21:27], line2[27], "date of expiry")
    optional = line2[28:-2] if name_len == 39 else line2[28:35]
    if name_len == 39 and line2[42] != "<":   # TD3 personal number has its own check digit
        _checked(line2[28:42], line2[42], "personal number")
    composite = line2[0:10] + line2[13:20] + line2[21:-1]
    _checked(composite, line2[-1], "composite")
    _check_dates(birth, expiry)
    return Mrz(line1[0:2].replace("<", ""), line1[2:5], surname, given, number.rstrip("<"),
               line2[10:13], birth, line2[20], expiry, optional.rstrip("<"))


def _td1(line1: str, line2: str, line3: str) -> Mrz:
    number = _checked(line1[5:14], line1[14], "document number")
    birth = _checked(line2[0:6], line2[6], "date of birth")
    expiry = _checked(line2[8:14], line2[14], "date of expiry")
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    _checked(composite, line2[29], "composite")
    _check_dates(birth, expiry)
    surname, given = _names(line3)
    return Mrz(line1[0:2].replace("<", ""), line1[2:5], surname, given, number.rstrip("<"),
               line2[15:18], birth, line2[7], expiry, line1[15:30].rstrip("<"))


def _check_dates(*values: str) -> None:
    for value in values:
        yymmdd_to_date(value, future=False)   # raises MrzError when impossible


def yymmdd_to_date(value: str, *, future: bool, today: dt.date | None = None) -> dt.date:
    """Two-digit years: birth dates lie in the past; expiry dates up to 50 years ahead."""
    if len(value) != 6 or not value.isdigit():
        raise MrzError(f"date {value!r} is not YYMMDD")
    today = today or dt.date.today()
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    century = today.year // 100 * 100
    year = century + yy
    if future:
        if year > today.year + 50:
            year -= 100
    elif year > today.year:
        year -= 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        raise MrzError(f"date {value!r} does not exist") from None


def parse_dg1(dg1: bytes) -> Mrz:
    """DG1 file contents -> Mrz. Raises MrzError for anything else."""
    try:
        outer = find(parse_ber(dg1), 0x61)
        inner = find(parse_ber(outer.value), 0x5F1F)
    except TlvError as exc:
        raise MrzError(f"DG1 is not 61{{5F1F}} TLV: {exc}") from None
    try:
        text = inner.value.decode("ascii")
    except UnicodeDecodeError:
        raise MrzError("MRZ is not ASCII") from None
    return parse_mrz(text)


def make_td3_mrz(*, surname: str, given_names: str, document_number: str, nationality: str,
                 birth_yymmdd: str, sex: str, expiry_yymmdd: str, issuing_state: str | None = None,
                 optional_data: str = "") -> str:
    """A passport MRZ (TD3, 88 characters) with every check digit computed — for the virtual
    passport of the demo and tests. `parse_mrz(make_td3_mrz(...))` gives the fields back."""
    def pad(value: str, width: int) -> str:
        value = value.upper().replace(" ", "<")
        if len(value) > width or not _MRZ_CHARS.match(value):
            raise MrzError(f"{value!r} does not fit an MRZ field of {width}")
        return value.ljust(width, "<")
    names = pad(f"{surname}<<{given_names}", 39)
    line1 = "P<" + pad(issuing_state or nationality, 3) + names
    number, birth, expiry, optional = (pad(document_number, 9), pad(birth_yymmdd, 6),
                                       pad(expiry_yymmdd, 6), pad(optional_data, 14))
    optional_digit = check_digit(optional) if optional_data else "<"
    line2 = (number + check_digit(number) + pad(nationality, 3) + birth + check_digit(birth) + pad(sex, 1)
             + expiry + check_digit(expiry) + optional + optional_digit)
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return line1 + line2 + check_digit(composite)


def encode_dg1(mrz_text: str) -> bytes:
    """The DG1 file for an MRZ (used by the virtual card)."""
    from devices.id_reader.pcsc.tlv import encode_ber
    return encode_ber(0x61, encode_ber(0x5F1F, mrz_text.encode("ascii")))
