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
    PAYMENT = "payment"                  # 统一支付: fee-bearing services, after confirm (kiosk/core/session_payment.py)
    SUBMITTING = "submitting"
    RECEIPT = "receipt"
    RATE = "rate"
    ERROR = "error"                      # a clear message and a way forward
    QUERY = "query"                      # progress query: type the number or scan the receipt QR
    QUERY_RESULT = "query_result"
    APP_CODE = "app_code"                # identity by phone: the government app's code shown to the camera
    APP_LOGIN = "app_login"              # identity by phone: the kiosk's login QR, confirmed in the app
    # Electronic licences on A4 (issue 15, kiosk/core/session_certificates.py)
    CERT_LIST = "cert_list"              # the verified holder's licences, from the platform
    CERT_PREVIEW = "cert_preview"        # fetched, verified, first page shown (or refused, with why)
    CERT_PRINTING = "cert_printing"      # the A4 job is followed to its last page
    CERT_DONE = "cert_done"              # printed; or failed with "print again" when fixed
    SCAN_DOCUMENTS = "scan_documents"    # supporting materials photographed by the (document) camera


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
class ScanAppCode:
    """Identity by phone: decode the government app's identity code from camera frames."""
    token: int
    timeout_s: float


@dataclass(frozen=True)
class ScanMrz:
    """Passport: read the photo page's MRZ with the camera (off the GUI thread) for the chip key."""
    token: int
    timeout_s: float


@dataclass(frozen=True)
class ExchangeAppCode:
    """Identity by phone: the scanned code (the citizen consented) goes to the platform for an identity."""
    token: int
    code: str = field(repr=False)
    service_id: str


@dataclass(frozen=True)
class StartAppLogin:
    """Identity by phone: start an app login (device authorisation) and poll it until an answer."""
    token: int
    service_id: str


@dataclass(frozen=True)
class CapturePage:
    """Take one page of a scannable material from the (document) camera: the next frame whose
    page is whole, sharp, lit and glare-free, straightened and compressed (off the GUI thread)."""
    token: int
    material_id: str
    timeout_s: float


@dataclass(frozen=True)
class ScannedPage:
    """One captured page: compressed image bytes (personal data: out of repr) and its type."""
    material_id: str
    content_type: str          # image/jpeg | image/webp
    data: bytes = field(repr=False)
    thumbnail: bytes = field(default=b"", repr=False)   # a small JPEG for the preview (made off the GUI thread)


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
    # Scanned pages: (attachment name, content type, bytes); the outbox seals them with the body.
    attachments: tuple[tuple[str, str, bytes], ...] = field(default=(), repr=False)
    stored: bool = False       # already in the outbox (a paid application: the payment step stored it)


@dataclass(frozen=True)
class StartPayment:
    """Fee-bearing service confirmed: journal the intent, create the order, show the QR."""
    token: int
    application_id: str
    service_id: str
    amount_fen: int
    items: tuple[tuple[str, int], ...]
    body: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class PayWithCode:
    """The citizen's payment code (付款码) was read by the scanner or the camera."""
    token: int
    application_id: str
    code: str = field(repr=False)


@dataclass(frozen=True)
class ClosePayment:
    """Cancel or timeout: close the order (a payment that landed first is still honoured)."""
    token: int
    application_id: str
    reason: str                # cancelled | timeout


@dataclass(frozen=True)
class PrintReceipt:
    token: int


@dataclass(frozen=True)
class SendRating:
    token: int
    rating_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class ListLicences:
    """Ask the platform for the verified holder's licences of these types."""
    token: int
    licence_types: tuple[str, ...]
    id_number: str = field(repr=False)


@dataclass(frozen=True)
class FetchLicence:
    """Fetch one licence, verify it (signature, holder, status) and render its preview."""
    token: int
    request_id: str
    licence_id: str
    id_number: str = field(repr=False)


@dataclass(frozen=True)
class PrintLicence:
    """Print the verified licence of `request_id` (again, after a failure: same entitlement)."""
    token: int
    request_id: str
    requires_payment: bool = False


@dataclass(frozen=True)
class DiscardLicence:
    """The citizen went back: drop the fetched document of `request_id`."""
    token: int
    request_id: str


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
    print_s: float = 150.0       # an A4 job (the printer driver cancels it sooner, at its job deadline)
    query_s: float = 30.0        # one progress query at the platform
    payment_s: float = 120.0     # the payment QR's countdown (doubled in care mode)
    payment_settle_s: float = 45.0   # closing / paying by code: past this the kiosk stops waiting on screen


SCAN_GRACE_S = 5.0   # the controller stops a QR scan after card_read_s; the session a little later


@dataclass
class _CitizenData:
    """Everything personal in one place, so the wipe cannot miss a field."""
    document: IdentityDocument | None = None
    form_values: dict[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None
    certificates: Any = None     # kiosk.core.session_certificates.CertificateData while printing a licence
    pages: dict[str, list[ScannedPage]] = field(default_factory=dict)   # material id -> captured pages
