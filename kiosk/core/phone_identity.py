"""Identity by phone, the rules (no I/O): what a scanned code is, the identity a platform
reply describes, and what an app-login poll answer means. docs/phone-identity.md.

* `classify_code(text)`: "identity" (a government-app identity code, `GDID1.<payload>.<mac>`),
  "payment" (a WeChat Pay / Alipay / UnionPay payment code: digits with the wallets' prefixes,
  shown by mistake; the kiosk never sends it anywhere), or "foreign" (anything else: another
  app's code, a receipt, a web link). Routed by content before any use.
* `identity_from_record(record, source, subject)`: the platform's identity record as the same
  `IdentityDocument` a card read gives, marked with its source and without a chip photo;
  ValueError for a record the kiosk cannot trust.
* `login_poll_outcome(error_code)`: an RFC 8628 token-endpoint error -> "pending", "slow_down",
  or a final failure key for the session.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kiosk.core.id_number import is_valid_id_number
from kiosk.core.identity import CardType, IdentityDocument

IDENTITY_CODE = re.compile(r"GDID1\.[A-Za-z0-9_-]{16,400}\.[A-Za-z0-9_-]{16,100}")
# Payment codes ("付款码") as the wallets issue them: WeChat Pay 18 digits from 10-15; Alipay 16-24
# digits from 25-30; UnionPay 19 digits from 62 (18 accepted too). docs/phone-identity.md, sources.
PAYMENT_CODE = re.compile(r"1[0-5][0-9]{16}|(?:2[5-9]|30)[0-9]{14,22}|62[0-9]{16,17}")
SOURCES = ("card", "app_code", "app_login")

# Token-endpoint answers (RFC 8628 3.5) -> what the kiosk does.
_POLL_OUTCOMES = {
    "authorization_pending": "pending",
    "slow_down": "slow_down",
    "expired_token": "app_login_expired",
    "access_denied": "app_login_denied",
}

# Exchange errors (the platform's error codes) -> the session's message keys.
EXCHANGE_ERRORS = {
    "code_expired": "app_code_expired",
    "code_used": "app_code_used",
    "code_unknown": "app_code_unknown",
    "code_invalid": "app_code_unknown",
}


def classify_code(text: str) -> str:
    """"identity", "payment" or "foreign" for the text of a scanned code."""
    text = text.strip()
    if IDENTITY_CODE.fullmatch(text):
        return "identity"
    if PAYMENT_CODE.fullmatch(text):
        return "payment"
    return "foreign"


def login_poll_outcome(error_code: str | None) -> str:
    """"pending" / "slow_down" (poll again), or the failure key (anything unknown: app_login_failed)."""
    return _POLL_OUTCOMES.get(error_code or "", "app_login_failed")


def _date(record: dict[str, Any], key: str, required: bool) -> dt.date | None:
    value = record.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValueError(f"identity.{key}: expected a date")
    return dt.date.fromisoformat(value)


def _text(record: dict[str, Any], key: str, max_length: int = 120) -> str:
    value = record.get(key)
    if not isinstance(value, str) or len(value) > max_length or any(ord(c) < 32 for c in value):
        raise ValueError(f"identity.{key}: expected text")
    return value


def identity_from_record(record: object, source: str, subject: str = "") -> IdentityDocument:
    """The identity a platform reply carries, checked as strictly as a card read."""
    if source not in SOURCES[1:]:
        raise ValueError(f"unknown identity source {source!r}")
    if not isinstance(record, dict):
        raise ValueError("identity: expected an object")
    try:
        card_type = CardType(record.get("document_type"))
    except ValueError:
        raise ValueError("identity.document_type: unknown") from None
    id_number = _text(record, "id_number", 32)
    if card_type is CardType.RESIDENT_ID and not is_valid_id_number(id_number):
        raise ValueError("identity.id_number: not a valid resident ID number")
    sex = _text(record, "sex", 10)
    if sex not in ("male", "female"):
        raise ValueError("identity.sex: expected male or female")
    if not re.fullmatch(r"[A-Za-z0-9_-]{0,64}", subject):
        raise ValueError("subject: unexpected characters")
    birth_date = _date(record, "birth_date", True)
    assert birth_date is not None
    return IdentityDocument(
        card_type=card_type, name=_text(record, "name", 100), sex=sex, nation=_text(record, "nation", 40),
        birth_date=birth_date, address=_text(record, "address", 300), id_number=id_number,
        issuer=_text(record, "issuer", 100), valid_from=_date(record, "valid_from", False),
        valid_until=_date(record, "valid_until", False), photo_jpeg=None, source=source, app_subject=subject)
