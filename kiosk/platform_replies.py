"""Checks on what the platform answers, field by field, before anything else sees it.

A reply field the kiosk uses ends up on a receipt, in a QR code, on a screen or in the
outbox. One odd value (`expected_completion: "soon"`, a 500 kB `query_token`, a number
where a string belongs) must not crash a worker thread or half-draw a screen, so each
field the kiosk keeps is checked for type, format, length and character set here.

`check_reply(kind, reply)` raises `InvalidReply(field)` naming the first bad field (never
its value: replies can echo personal data). `kiosk.platform` turns that into a
`PlatformError` with code `malformed_reply`, like any other reply it cannot use.
Unknown extra fields are ignored (the outbox keeps only a known subset of them).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable


class InvalidReply(ValueError):
    """A reply field has the wrong type, format, length or characters. `field` names it."""

    def __init__(self, field: str):
        super().__init__(f"reply field {field!r} is missing or invalid")
        self.field = field


# Formats. Lengths are generous for the platform, tight for a receipt and a QR code.
_APPLICATION_NUMBER = re.compile(r"[A-Za-z0-9-]{1,32}")
_QUERY_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")       # the receipt QR's last path segment
_TICKET_NUMBER = re.compile(r"[A-Za-z0-9-]{1,16}")
_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")             # status, service_id
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_QUERY_URL = re.compile(r"[A-Za-z0-9_./:?=&%-]{1,256}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_MAX = 40


def _pattern(regex: re.Pattern) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _is_date(value: Any) -> bool:
    """A calendar date, YYYY-MM-DD exactly (not a datetime, not "soon", not a number)."""
    if not (isinstance(value, str) and _DATE.fullmatch(value)):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    """An ISO 8601 date-time with its offset, as the platform sends `received_at`."""
    if not (isinstance(value, str) and 10 < len(value) <= _DATETIME_MAX and value.isascii()):
        return False
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


_REQUIRED, _OPTIONAL = True, False

# kind -> field -> (required, check). Absent optional fields are fine; present ones must pass
# (an explicit null is accepted where the platform documents one: expected_completion).
_SPECS: dict[str, dict[str, tuple[bool, Callable[[Any], bool]]]] = {
    "application": {
        "application_number": (_REQUIRED, _pattern(_APPLICATION_NUMBER)),
        "application_id": (_OPTIONAL, _pattern(_UUID)),
        "status": (_OPTIONAL, _pattern(_CODE)),
        "received_at": (_OPTIONAL, _is_datetime),
        "expected_completion": (_OPTIONAL, _optional(_is_date)),
        "query_token": (_OPTIONAL, _pattern(_QUERY_TOKEN)),
        "query_url": (_OPTIONAL, _pattern(_QUERY_URL)),
        "service_id": (_OPTIONAL, _pattern(_CODE)),
        "ticket_number": (_OPTIONAL, _optional(_pattern(_TICKET_NUMBER))),
    },
    "rating": {
        "rating_id": (_OPTIONAL, _pattern(_UUID)),
        "application_number": (_OPTIONAL, _pattern(_APPLICATION_NUMBER)),
        "recorded": (_OPTIONAL, lambda value: isinstance(value, bool)),
    },
    # POST /licence-prints: a licence print report (issue 15), sent by the outbox.
    "licence_print": {
        "print_id": (_REQUIRED, _pattern(_UUID)),
        "recorded": (_REQUIRED, lambda value: value is True),
    },
    # GET /applications/{reference}: drawn on the progress-query result screen.
    "status": {
        "application_number": (_REQUIRED, _pattern(_APPLICATION_NUMBER)),
        "service_id": (_REQUIRED, _pattern(_CODE)),
        "status": (_REQUIRED, _pattern(_CODE)),
        "received_at": (_REQUIRED, _is_datetime),
        "expected_completion": (_OPTIONAL, _optional(_is_date)),
    },
}


def check_reply(kind: str, reply: dict) -> dict:
    """Returns `reply` unchanged if every known field of `kind` is valid; else raises InvalidReply."""
    for name, (required, check) in _SPECS[kind].items():
        if name not in reply:
            if required:
                raise InvalidReply(name)
            continue
        if not check(reply[name]):
            raise InvalidReply(name)
    return reply
