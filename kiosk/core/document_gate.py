"""Which read documents the kiosk refuses before any service rule looks at them.

The reader delivers whatever the card holds; `kiosk.core.document_checks`
knows the GB 11643 / GB/T 2260 rules. This module decides which of those
failures stop a session: a number that fails its check character, a region
code that never existed, a birth date that contradicts the number or lies in
the future, a card that is not valid yet. An *expired* card is left to the
session's service rules, which tell the citizen so in their own words.
Passports (eMRTD) carry no GB 11643 number: their MRZ check digits were
already verified by the reader.
"""
from __future__ import annotations

from kiosk.core.document_checks import EXPIRED, check_document, check_id_number, is_known_region
from kiosk.core.identity import CardType, IdentityDocument

_SAM_CARD_TYPES = (CardType.RESIDENT_ID, CardType.HMT_RESIDENCE_PERMIT,
                   CardType.FOREIGNER_PERMANENT_2017, CardType.FOREIGNER_PERMANENT_2023)


def document_problems(document: IdentityDocument) -> list[str]:
    """Reason codes (no personal data) that make the document unusable; [] = fine."""
    if document.card_type in _SAM_CARD_TYPES:
        failures = check_document(document)
    elif document.card_type is CardType.SOCIAL_SECURITY:
        # The social security number is the holder's citizen ID number.
        failures = check_id_number(document.id_number, CardType.RESIDENT_ID)
    else:
        failures = []
    return [f.reason for f in failures if f.reason != EXPIRED]


def warm_up_document_checks() -> None:
    """Load the region-code tables (cached for the process) before the first card."""
    is_known_region("110000")
