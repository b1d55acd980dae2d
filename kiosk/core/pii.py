"""Masking of personal data for logs, receipts and technician screens.

One place decides how an ID number, a name or a phone number is shown when it
must not be shown in full, so logs, receipts and the technician board agree.
"""
from __future__ import annotations

import re

# 18-character resident ID numbers (the last may be X). Pass numbers of other
# documents are masked by field where they are shown, not found by pattern.
_ID18_RE = re.compile(r"(?<![0-9])(\d{4})(\d{10})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<![0-9])(1[3-9]\d)(\d{4})(\d{4})(?![0-9])")


def mask_id_number(number: str) -> str:
    """`441202193801011234` -> `4412**********1234` (first 4, last 4 kept)."""
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """Keep the first character (surname) and hide the rest: `张三丰` -> `张**`.

    Latin names keep their first letter only: `Chan Tai Man` -> `C***********`.
    """
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """`13812345678` -> `138****5678`."""
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_text(text: str, names: tuple[str, ...] = ()) -> str:
    """Mask every ID number and mobile number in free text, and the given names.

    Used by the logging filter: the regexes catch numbers wherever a developer
    forgot to mask them; names cannot be found by a regex, so the session
    registers the current citizen's name(s) while it holds them.
    """
    if not text:
        return text
    text = _ID18_RE.sub(lambda m: m.group(1) + "*" * 10 + m.group(3), text)
    text = _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text
