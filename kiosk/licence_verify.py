"""Verify an electronic licence PDF before anything is printed (pyhanko).

1. size / page limits and a readable PDF (else MALFORMED);
2. exactly the issuer's PDF signature, validated against the configured trust anchor(s)
   (`[certificates] trust_anchor`): no signature -> UNSIGNED, a chain to no anchor -> UNKNOWN_SIGNER,
   a broken digest or anything added after signing (coverage not the ENTIRE_FILE) -> TAMPERED;
3. the licence metadata read from the signed file (kiosk.core.licence.parse_metadata);
4. the rules: holder equals the session's identity, not revoked, not expired
   (kiosk.core.licence.refusal).

No network: certificate fetching is off (the anchor is local); revocation of the *licence* comes
from the platform's status flag at fetch time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.licence import (MALFORMED, NO_TRUST_ANCHOR, TAMPERED, UNKNOWN_SIGNER, UNSIGNED, LicenceMetadata,
                                LicenceRefused, parse_metadata, refusal)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerifiedLicence:
    meta: LicenceMetadata
    pages: int
    sha256: str          # of the signed original (journalled, no personal data)
    signer: str          # the signing certificate's subject (issuer, not the holder)


def load_trust_anchors(path: str | Path) -> list:
    """asn1crypto certificates from a PEM (or DER) file; [] when unset/unreadable (nothing prints)."""
    if not path:
        return []
    from asn1crypto import pem, x509
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        log.error("licences: trust anchor %s unreadable: %s", path, type(exc).__name__)
        return []
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def verify_licence(pdf: bytes, trust_anchors: list, session_id_number: str, *, revoked: bool,
                   today: dt.date | None = None, max_bytes: int = 5_000_000, max_pages: int = 10) -> VerifiedLicence:
    """The verified licence, or LicenceRefused with the first reason it must not print."""
    if not trust_anchors:
        raise LicenceRefused(NO_TRUST_ANCHOR)
    if not pdf or len(pdf) > max_bytes or not pdf.lstrip()[:5] == b"%PDF-":
        raise LicenceRefused(MALFORMED, f"not a PDF or over {max_bytes} bytes")
    from pyhanko.pdf_utils.reader import PdfFileReader
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_regular_signatures)
        pages = int(reader.root["/Pages"]["/Count"])
        info = reader.trailer["/Info"] if "/Info" in reader.trailer else {}
        metadata = {str(k).lstrip("/"): str(v) for k, v in dict(info).items()}
    except LicenceRefused:
        raise
    except Exception as exc:   # pyhanko raises many types on garbage; all mean "malformed"
        raise LicenceRefused(MALFORMED, type(exc).__name__) from None
    if not 1 <= pages <= max_pages:
        raise LicenceRefused(MALFORMED, f"{pages} pages")
    if not signatures:
        raise LicenceRefused(UNSIGNED)
    if len(signatures) != 1:
        raise LicenceRefused(TAMPERED, f"{len(signatures)} signatures")
    signer = _validate_signature(signatures[0], trust_anchors)
    meta = parse_metadata(metadata)
    code = refusal(meta, session_id_number, revoked, today or dt.date.today())
    if code is not None:
        raise LicenceRefused(code)
    return VerifiedLicence(meta, pages, hashlib.sha256(pdf).hexdigest(), signer)


def _validate_signature(signature, trust_anchors: list) -> str:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
    try:
        context = ValidationContext(trust_roots=trust_anchors, allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(signature, context)
    except Exception as exc:
        raise LicenceRefused(TAMPERED, f"signature unreadable: {type(exc).__name__}") from None
    if not (status.intact and status.valid):
        raise LicenceRefused(TAMPERED, "signature digest or value wrong")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise LicenceRefused(TAMPERED, f"modified after signing ({status.coverage.name})")
    if not status.trusted:
        raise LicenceRefused(UNKNOWN_SIGNER, "signer does not chain to the trust anchor")
    return str(status.signing_cert.subject.human_friendly)
