"""The 256-byte text block of Chinese ID cards, for all four card types.

Every field is UCS-2LE, padded with spaces; the character at bytes 248-249
selects the layout (fact sheet ../shared/reference/id-documents.md §2):

    ' '  resident ID card (居民身份证)
    'J'  HK/Macau/Taiwan residence permit (港澳台居民居住证)
    'I'  foreigner's permanent residence ID card, 2017
    'Y'  foreigner's permanent residence ID card, 2023

`parse_text_block()` returns a `kiosk.core.identity.IdentityDocument` or raises a
`TextBlockError` (typed, with a reason code and a citizen message key);
nothing else escapes. `encode_text_block()` is its inverse, used by the
simulator and the round-trip tests.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from kiosk.core.identity import CardType, IdentityDocument

TEXT_BLOCK_SIZE = 256
TYPE_OFFSET = 248
LONG_TERM = "长期"    # valid-to of cards issued to people over 46

TYPE_CHARS = {
    " ": CardType.RESIDENT_ID,
    "J": CardType.HMT_RESIDENCE_PERMIT,
    "I": CardType.FOREIGNER_PERMANENT_2017,
    "Y": CardType.FOREIGNER_PERMANENT_2023,
}
TYPE_CHAR_OF = {card_type: char for char, card_type in TYPE_CHARS.items()}

# GB/T 2261.1 sex codes as written on the card.
SEX_CODES = {"1": "male", "2": "female", "0": "unknown", "9": "unstated"}
SEX_CODE_OF = {sex: code for code, sex in SEX_CODES.items()}

# GB/T 3304-1991 ethnic groups (the card prints the name without 族), plus the
# two codes the ID-card system adds.
NATIONS = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝",
    "08": "壮", "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白",
    "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤",
    "22": "畲", "23": "高山", "24": "拉祜", "25": "水", "26": "东乡", "27": "纳西", "28": "景颇",
    "29": "柯尔克孜", "30": "土", "31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗",
    "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌", "40": "普米",
    "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺",
    "97": "其他", "98": "外国血统中国籍人士",
}
NATION_CODE_OF = {name: code for code, name in NATIONS.items()}


class TextBlockError(ValueError):
    """A text block that cannot be turned into a document.

    `reason` is a stable code for logs and tests; `message_key` is the
    citizen-facing message (check_messages.py); `field` names the bad field.
    The message never contains the field's value (it may be personal data).
    """

    reason = "bad_text_block"
    message_key = "card_data_invalid"

    def __init__(self, detail: str, field: str = ""):
        super().__init__(detail)
        self.field = field


class TextBlockSizeError(TextBlockError):
    reason = "wrong_size"


class UnknownCardTypeError(TextBlockError):
    reason = "unknown_card_type"
    message_key = "card_type_unknown"


class TextEncodingError(TextBlockError):
    reason = "not_ucs2"


class FieldError(TextBlockError):
    reason = "bad_field"


@dataclass(frozen=True)
class Field:
    name: str
    offset: int
    size: int    # bytes (2 per character)


def _fields(*spec) -> dict[str, Field]:
    return {name: Field(name, offset, size) for name, offset, size in spec}


# Offsets and sizes in bytes, from the fact sheet §2.2-2.5.
RESIDENT_LAYOUT = _fields(
    ("name", 0, 30), ("sex", 30, 2), ("nation", 32, 4), ("birth_date", 36, 16),
    ("address", 52, 70), ("id_number", 122, 36), ("issuer", 158, 30),
    ("valid_from", 188, 16), ("valid_until", 204, 16))
HMT_LAYOUT = _fields(
    ("name", 0, 30), ("sex", 30, 2), ("birth_date", 36, 16),
    ("address", 52, 70), ("id_number", 122, 36), ("issuer", 158, 30),
    ("valid_from", 188, 16), ("valid_until", 204, 16),
    ("pass_number", 220, 18), ("issue_count", 238, 4))
FOREIGNER_2017_LAYOUT = _fields(
    ("english_name", 0, 120), ("sex", 120, 2), ("id_number", 122, 30), ("nationality", 152, 6),
    ("name", 158, 30), ("valid_from", 188, 16), ("valid_until", 204, 16), ("birth_date", 220, 16),
    ("card_version", 236, 4), ("issuer", 240, 8))
FOREIGNER_2023_LAYOUT = _fields(
    ("name", 0, 30), ("sex", 30, 2), ("issue_count", 32, 4), ("birth_date", 36, 16),
    ("english_name_1", 52, 70), ("id_number", 122, 36),
    ("valid_from", 188, 16), ("valid_until", 204, 16), ("english_name_2", 220, 22),
    ("nationality", 242, 6), ("card_version", 250, 6))

LAYOUTS = {
    CardType.RESIDENT_ID: RESIDENT_LAYOUT,
    CardType.HMT_RESIDENCE_PERMIT: HMT_LAYOUT,
    CardType.FOREIGNER_PERMANENT_2017: FOREIGNER_2017_LAYOUT,
    CardType.FOREIGNER_PERMANENT_2023: FOREIGNER_2023_LAYOUT,
}


# --- decoding -----------------------------------------------------------------

def card_type_of(block: bytes) -> CardType:
    _check_size(block)
    char = _decode(block[TYPE_OFFSET:TYPE_OFFSET + 2], "card_type")
    try:
        return TYPE_CHARS[char]
    except KeyError:
        # Show the code point, not the character: it could be any byte pair.
        raise UnknownCardTypeError(f"unknown card type U+{ord(char):04X}", "card_type") from None


def parse_text_block(block: bytes, photo_jpeg: bytes | None = None) -> IdentityDocument:
    """The document in a 256-byte text block, or a TextBlockError."""
    card_type = card_type_of(block)
    layout = LAYOUTS[card_type]
    raw = {name: _text(block, field) for name, field in layout.items()}
    common = dict(
        card_type=card_type,
        sex=_sex(raw["sex"]),
        birth_date=_date(raw["birth_date"], "birth_date"),
        id_number=_required(raw["id_number"], "id_number").upper(),
        valid_from=_date(raw["valid_from"], "valid_from"),
        valid_until=_valid_until(raw["valid_until"]),
        photo_jpeg=photo_jpeg,
    )
    if card_type is CardType.RESIDENT_ID:
        return IdentityDocument(name=_required(raw["name"], "name"), nation=_nation(raw["nation"]),
                                address=raw["address"], issuer=raw["issuer"], **common)
    if card_type is CardType.HMT_RESIDENCE_PERMIT:
        return IdentityDocument(name=_required(raw["name"], "name"), nation="",
                                address=raw["address"], issuer=raw["issuer"],
                                pass_number=raw["pass_number"],
                                issue_count=_count(raw["issue_count"], "issue_count"), **common)
    if card_type is CardType.FOREIGNER_PERMANENT_2017:
        english = raw["english_name"]
        nationality = raw["nationality"].upper()
        return IdentityDocument(name=_required(raw["name"] or english, "name"), nation=nationality,
                                address="", issuer=raw["issuer"], english_name=english,
                                nationality=nationality, card_version=raw["card_version"], **common)
    # 2023: the English name is split over two fields; the first is full-width
    # (35 chars) when the second is used, so join without trimming between them.
    english = (_text(block, layout["english_name_1"], strip=False)
               + raw["english_name_2"]).strip(" \x00")
    nationality = raw["nationality"].upper()
    return IdentityDocument(name=_required(raw["name"] or english, "name"), nation=nationality,
                            address="", issuer="", english_name=english, nationality=nationality,
                            issue_count=_count(raw["issue_count"], "issue_count"),
                            card_version=raw["card_version"], **common)


def _check_size(block) -> None:
    if not isinstance(block, (bytes, bytearray, memoryview)):
        raise TextBlockSizeError(f"expected bytes, got {type(block).__name__}")
    if len(block) != TEXT_BLOCK_SIZE:
        raise TextBlockSizeError(f"text block of {len(block)} bytes, expected {TEXT_BLOCK_SIZE}")


def _decode(data: bytes, field: str) -> str:
    try:
        text = bytes(data).decode("utf-16-le")   # strict: a lone surrogate is an error
    except UnicodeDecodeError:
        raise TextEncodingError(f"{field}: not UCS-2LE text", field) from None
    for char in text:
        # Controls (other than NUL padding) and unassigned code points are not
        # card text. Private-use characters are allowed: rare name characters
        # are written with them.
        if char != "\x00" and unicodedata.category(char) in ("Cc", "Cn", "Cs"):
            raise TextEncodingError(f"{field}: control or unassigned character U+{ord(char):04X}", field)
    return text


def _text(block: bytes, field: Field, strip: bool = True) -> str:
    text = _decode(block[field.offset:field.offset + field.size], field.name)
    return text.strip(" \x00") if strip else text.replace("\x00", " ")


def _required(value: str, field: str) -> str:
    if not value:
        raise FieldError(f"{field}: empty", field)
    return value


def _date(value: str, field: str) -> dt.date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise FieldError(f"{field}: expected YYYYMMDD", field)
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise FieldError(f"{field}: impossible date", field) from None


def _valid_until(value: str) -> dt.date | None:
    # Test the first character, as readers do: "长期" may be followed by padding.
    if value.startswith(LONG_TERM):
        return None
    return _date(value, "valid_until")


def _sex(value: str) -> str:
    try:
        return SEX_CODES[value]
    except KeyError:
        raise FieldError("sex: unknown code", "sex") from None


def _nation(value: str) -> str:
    try:
        return NATIONS[value]
    except KeyError:
        raise FieldError("nation: unknown code", "nation") from None


def _count(value: str, field: str) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise FieldError(f"{field}: expected digits", field)
    return int(value)


# --- encoding (simulator, tests) ----------------------------------------------------

def encode_text_block(document: IdentityDocument) -> bytes:
    """The 256-byte block a card of `document.card_type` holds for `document`.

    ValueError when a value does not fit its field.
    """
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    layout = LAYOUTS[document.card_type]
    values = _field_values(document)
    for name, field in layout.items():
        value = values.get(name, "")
        if any(ord(char) > 0xFFFF for char in value):
            raise ValueError(f"{name}: characters outside the BMP cannot be written in UCS-2")
        encoded = value.encode("utf-16-le")
        if len(encoded) > field.size:
            raise ValueError(f"{name}: {len(value)} characters do not fit {field.size // 2}")
        block[field.offset:field.offset + len(encoded)] = encoded
    block[TYPE_OFFSET:TYPE_OFFSET + 2] = TYPE_CHAR_OF[document.card_type].encode("utf-16-le")
    return bytes(block)


def _field_values(document: IdentityDocument) -> dict[str, str]:
    values = {
        "name": document.name,
        "sex": SEX_CODE_OF[document.sex],
        "birth_date": f"{document.birth_date:%Y%m%d}",
        "address": document.address,
        "id_number": document.id_number,
        "issuer": document.issuer,
        "valid_from": f"{document.valid_from:%Y%m%d}",
        "valid_until": LONG_TERM if document.valid_until is None else f"{document.valid_until:%Y%m%d}",
        "pass_number": document.pass_number,
        "issue_count": "" if document.issue_count is None else f"{document.issue_count:02d}",
        "english_name": document.english_name,
        "nationality": document.nationality,
        "card_version": document.card_version,
    }
    if document.card_type is CardType.RESIDENT_ID:
        values["nation"] = NATION_CODE_OF[document.nation]
    if document.card_type is CardType.FOREIGNER_PERMANENT_2017 and document.name == document.english_name:
        values["name"] = ""   # no Chinese name on this card
    if document.card_type is CardType.FOREIGNER_PERMANENT_2023:
        if document.name == document.english_name:
            values["name"] = ""
        values["english_name_1"] = document.english_name[:35]
        values["english_name_2"] = document.english_name[35:]
    return values
