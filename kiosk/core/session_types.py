"""Citizen session, part 1 of 5: the vocabulary (no behaviour).

States and end reasons, the limits (face and MRZ attempts, care-mode time factor,
rating levels), the commands the session emits for the controller to carry out,
the `Outcome` of a submission, the `Timeouts`, and `_CitizenData` (everything
personal in one place, so the wipe cannot miss a field). The state machine itself
is `kiosk.core.session.CitizenSession`; see that module's docstring.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from kiosk.core.identity import IdentityDocument


class State(str, Enum):
    IDLE = "idle"                        # attract screen
    CHOOSE_SERVICE = "choose_service"
    SERVICE_INFO = "service_info"        # 一次告知: materials and steps before starting
    IDENTIFY = "identify"                # waiting for / reading the ID card
    MRZ_ENTRY = "mrz_entry"              # passport on the reader: the citizen types the MRZ key data
    VERIFY_FACE = "verify_face"
    FORM = "form"
    CONFIRM = "confirm"
    SUBMITTING = "submitting"
    RECEIPT = "receipt"
    RATE = "rate"
    ERROR = "error"                      # a clear message and a way forward
    QUERY = "query"                      # progress query: type the number or scan the receipt QR
    QUERY_RESULT = "query_result"


class EndReason(str, Enum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


RATING_LEVELS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied")
NEGATIVE_LEVELS = ("dissatisfied", "very_dissatisfied")
MAX_FACE_ATTEMPTS = 3
MAX_MRZ_ATTEMPTS = 3         # wrong passport data this often: staff help (the chip gets no endless guesses)
CARE_MODE_TIME_FACTOR = 2.0   # 适老化: "enough time" -- every citizen-facing timeout doubles in care mode


# --- commands the controller carries out -----------------------------------

@dataclass(frozen=True)
class ReadCard:
    token: int
    timeout_s: float
    # (document number, birth YYMMDD, expiry YYMMDD) the citizen typed for a passport chip (BAC key).
    # Personal data: kept out of repr, used for one read, never stored in the session.
    mrz: tuple[str, str, str] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class VerifyFace:
    token: int
    reference_jpeg: bytes | None
    timeout_s: float
    id_number: str | None = None    # face-only services: whose reference photo the platform holds


@dataclass(frozen=True)
class LookupApplication:
    """Progress query: ask the platform about an application number, query token or UUID."""
    token: int
    reference: str


@dataclass(frozen=True)
class ScanQr:
    """Progress query: decode the receipt's QR code from camera frames (off the GUI thread)."""
    token: int
    timeout_s: float


@dataclass(frozen=True)
class CallStaff:
    """The citizen pressed Help: staff are called to this kiosk."""
    token: int
    state: str


@dataclass(frozen=True)
class CancelDeviceWork:
    token: int


@dataclass(frozen=True)
class Submit:
    token: int
    application_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class PrintReceipt:
    token: int


@dataclass(frozen=True)
class SendRating:
    token: int
    rating_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class SessionEnded:
    token: int
    reason: EndReason


@dataclass(frozen=True)
class Outcome:
    """What the platform (or the outbox) said about the submitted application."""
    application_id: str
    application_number: str | None     # None while queued offline
    queued_offline: bool
    query_token: str | None = None
    expected_completion: dt.date | None = None
    ticket_number: str | None = None   # queue ticket (预约取号)


@dataclass(frozen=True)
class Timeouts:
    idle_s: float = 60.0
    countdown_s: float = 30.0    # WCAG 2.2.1: at least 20 s to continue (kiosk.config checks it)
    card_read_s: float = 30.0
    face_s: float = 25.0
    receipt_s: float = 20.0
    # Waits on the kiosk, not on the citizen (not doubled in care mode):
    submitting_s: float = 30.0   # outbox commit + the platform's answer; the controller waits less
    query_s: float = 30.0        # one progress query at the platform


SCAN_GRACE_S = 5.0   # the controller stops a QR scan after card_read_s; the session a little later


@dataclass
class _CitizenData:
    """Everything personal in one place, so the wipe cannot miss a field."""
    document: IdentityDocument | None = None
    form_values: dict[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None
