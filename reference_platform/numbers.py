"""Application numbers, query tokens and the platform's clock (Beijing time, no DST)."""
from __future__ import annotations

import datetime as dt
import re
import secrets

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")
NUMBER_PREFIX = "GD"  # province code of the reference platform (region 440000)
DAILY_SEQUENCE_MAX = 999_999
APPLICATION_NUMBER_RE = re.compile(r"^GD[0-9]{8}[0-9]{6}$")


def beijing_now() -> dt.datetime:
    return dt.datetime.now(BEIJING)


def application_number(day: dt.date, sequence: int) -> str:
    """GD + YYYYMMDD + 6-digit daily sequence, e.g. GD20261123000001 (ASCII: printed and QR-encoded)."""
    if not 1 <= sequence <= DAILY_SEQUENCE_MAX:
        raise ValueError(f"daily sequence out of range: {sequence}")
    return f"{NUMBER_PREFIX}{day:%Y%m%d}{sequence:06d}"


def looks_like_application_number(text: str) -> bool:
    return bool(APPLICATION_NUMBER_RE.match(text))


def new_query_token() -> str:
    """Opaque, unguessable; goes into the receipt QR code instead of anything personal."""
    return secrets.token_urlsafe(18)


def iso_seconds(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")
