"""Resident ID numbers (GB 11643-1999): 6-digit region, 8-digit birth date,
3-digit sequence (odd = male), 1 check character (ISO 7064 MOD 11-2)."""
from __future__ import annotations

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"   # indexed by (weighted sum mod 11)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def is_valid_id_number(number: str) -> bool:
    """True for an 18-character number with a correct check character and a real date."""
    number = (number or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if check_character(number[:17]) != number[17]:
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def make_id_number(region_code: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number; `sequence` 0-999, odd for men, even for women."""
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError("region code must be 6 digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be 0-999")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
