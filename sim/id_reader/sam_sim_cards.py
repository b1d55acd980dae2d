"""The cards the SAM simulator holds: each sample identity as each card type.

The sample people (sim/identities.py) are mainland residents; for the other
three card types the same person gets the number and extra fields that card
type carries, built by the published rules (fact sheet §2.3-2.5), so every
parser path and every document check sees realistic data:

* 'J' HK/Macau/Taiwan residence permit: number 810000 + birth date + sequence
  + check character; pass number H + 8 digits; issue count.
* 'I' 2017 foreigner card: 15 characters, nationality letters first; English
  name; ISO alpha-3 nationality.
* 'Y' 2023 foreigner card: 9 + province + ISO numeric nationality + birth date
  + sequence + check character.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from kiosk.core.id_number import check_character
from sim.identities import sim_identity
from kiosk.core.identity import CardType, IdentityDocument

CARD_TYPES = {
    "resident": CardType.RESIDENT_ID,
    "hmt": CardType.HMT_RESIDENCE_PERMIT,
    "foreigner2017": CardType.FOREIGNER_PERMANENT_2017,
    "foreigner2023": CardType.FOREIGNER_PERMANENT_2023,
}

# Pinyin of the sample names, for the foreigner cards' English name field.
_ENGLISH_NAMES = {"梁国栋": "LIANG GUODONG", "陈志明": "CHAN CHI MING", "李建华": "LI JIANHUA"}


def sim_card(identity: str, card_type: str | CardType = CardType.RESIDENT_ID,
             today: dt.date | None = None, with_photo: bool = True) -> IdentityDocument:
    """The document `identity` would carry on a card of `card_type`."""
    if isinstance(card_type, str):
        try:
            card_type = CARD_TYPES[card_type] if card_type in CARD_TYPES else CardType(card_type)
        except ValueError:
            raise ValueError(f"unknown card type {card_type!r} (known: {', '.join(CARD_TYPES)})") from None
    person = sim_identity(identity)
    base = person.document(today)
    if not with_photo:
        base = dataclasses.replace(base, photo_jpeg=None)
    birth = base.birth_date
    if card_type is CardType.RESIDENT_ID:
        return base
    if card_type is CardType.HMT_RESIDENCE_PERMIT:
        first17 = f"810000{birth:%Y%m%d}{person.sequence:03d}"
        return dataclasses.replace(
            base, card_type=card_type, nation="", id_number=first17 + check_character(first17),
            pass_number=f"H{60000000 + person.sequence:08d}", issue_count=1)
    english = _ENGLISH_NAMES.get(person.name, "SAMPLE PERSON")
    if card_type is CardType.FOREIGNER_PERMANENT_2017:
        number = f"CAN{person.region_code[:2]}{birth:%y%m%d}{person.sequence:03d}1"
        return dataclasses.replace(
            base, card_type=card_type, nation="CAN", nationality="CAN", english_name=english,
            id_number=number, address="", issuer="4400", card_version="01")
    first17 = f"9{person.region_code[:2]}124{birth:%Y%m%d}{person.sequence:03d}"   # 124 = Canada
    return dataclasses.replace(
        base, card_type=card_type, nation="124", nationality="124", english_name=english,
        id_number=first17 + check_character(first17), address="", issuer="", issue_count=0,
        card_version="")
