"""Rules for printing an electronic licence (电子证照): when a document may be printed, for whom,
and the print entitlement that keeps a reprint after a printer fault from being charged twice.

Pure rules (no I/O): kiosk/licence_verify.py extracts the facts from the signed PDF with
pyhanko and asks `refusal(...)`; kiosk/flows/certificates.py keeps the entitlements.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

# Refusal codes: each has a citizen message (screens/certificates.py) and is journalled as is.
MALFORMED = "malformed"              # not a readable PDF, too large, too many pages, metadata missing
UNSIGNED = "unsigned"                # no issuer signature at all
UNKNOWN_SIGNER = "unknown_signer"    # signature does not chain to the configured trust anchor
TAMPERED = "tampered"                # signature broken, or content changed after signing
WRONG_HOLDER = "wrong_holder"        # the licence belongs to someone else than the session's identity
REVOKED = "revoked"
EXPIRED = "expired"
NO_TRUST_ANCHOR = "no_trust_anchor"  # the kiosk has no trust anchor configured: nothing prints
REFUSALS = (MALFORMED, UNSIGNED, UNKNOWN_SIGNER, TAMPERED, WRONG_HOLDER, REVOKED, EXPIRED, NO_TRUST_ANCHOR)

# Document information keys the issuer writes (GB/T 36903 metadata; see reference_platform/licences.py).
META_KEYS = {"licence_type": "GovLicenceType", "number": "GovLicenceNumber", "holder_id": "GovHolderId",
             "issuer": "GovIssuer", "issue_date": "GovIssueDate", "expiry_date": "GovExpiryDate",
             "licence_id": "GovLicenceId"}
LONG_TERM = "长期"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LicenceRefused(Exception):
    """A licence that must not be printed; `code` is one of REFUSALS."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class LicenceMetadata:
    licence_id: str
    licence_type: str
    number: str
    holder_id: str
    issuer: str
    issue_date: dt.date
    expiry_date: dt.date | None      # None = 长期 (no end)


def parse_metadata(info: Mapping[str, str]) -> LicenceMetadata:
    """From the signed document's information dictionary; MALFORMED when a field is missing or bad."""
    values = {name: str(info.get(key, "")).strip() for name, key in META_KEYS.items()}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise LicenceRefused(MALFORMED, "metadata missing: " + ", ".join(missing))
    if not _DATE.match(values["issue_date"]):
        raise LicenceRefused(MALFORMED, "bad issue date")
    expiry = values["expiry_date"]
    if expiry != LONG_TERM and not _DATE.match(expiry):
        raise LicenceRefused(MALFORMED, "bad expiry date")
    try:
        issue_date = dt.date.fromisoformat(values["issue_date"])
        expiry_date = None if expiry == LONG_TERM else dt.date.fromisoformat(expiry)
    except ValueError:
        raise LicenceRefused(MALFORMED, "bad date") from None
    return LicenceMetadata(values["licence_id"], values["licence_type"], values["number"], values["holder_id"],
                           values["issuer"], issue_date, expiry_date)


def normalise_id(id_number: str) -> str:
    return id_number.strip().upper()


def refusal(meta: LicenceMetadata, session_id_number: str, revoked: bool, today: dt.date) -> str | None:
    """Why this verified document must not be printed for this session, or None. The holder check
    comes first: another person's document is refused whatever else is true of it."""
    if not session_id_number or normalise_id(meta.holder_id) != normalise_id(session_id_number):
        return WRONG_HOLDER
    if revoked:
        return REVOKED
    if meta.expiry_date is not None and meta.expiry_date < today:
        return EXPIRED
    if meta.issue_date > today:
        return MALFORMED
    return None


# --- print entitlements --------------------------------------------------------------------

@dataclass(frozen=True)
class PrintEntitlement:
    """One citizen request to print one licence. It stays open until a print completes with every
    page (pages_ok); failed attempts do not use it up, so a reprint after a printer fault costs
    nothing more. `requires_payment` comes from the catalog; `paid` is set by the payment flow
    (TODO(payment): issue in progress on another branch; no payment is taken here)."""

    request_id: str
    licence_type: str
    requires_payment: bool = False
    paid: bool = False
    attempts: int = 0
    fulfilled: bool = False
    failures: tuple[str, ...] = field(default=())

    @property
    def open(self) -> bool:
        return not self.fulfilled

    @property
    def needs_payment(self) -> bool:
        """Charge only once per entitlement, before the first attempt, never for a reprint."""
        return self.requires_payment and not self.paid and self.attempts == 0

    def attempt(self) -> PrintEntitlement:
        if self.fulfilled:
            raise ValueError("entitlement already fulfilled: a new request is a new entitlement")
        if self.needs_payment:
            raise ValueError("payment required before the first print")
        return replace(self, attempts=self.attempts + 1)

    def finished(self, pages_ok: bool, reason: str = "") -> PrintEntitlement:
        if pages_ok:
            return replace(self, fulfilled=True)
        return replace(self, failures=self.failures + (reason or "failed",))


def job_title(request_id: str) -> str:
    """The CUPS job name: the kiosk's opaque request id, no personal data."""
    return f"licence-{request_id}"
