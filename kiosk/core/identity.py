"""The identity document a card reader produces, whatever the reader or card.

`IdentityDocument` is immutable and its repr is masked, so printing or logging
one by accident never leaks the citizen's name or number.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from kiosk.core.pii import mask_id_number, mask_name


class CardType(str, Enum):
    """Card types selected by the type byte of the SAM text block (GA/T 467)."""

    RESIDENT_ID = "resident_id"                      # ' ' 居民身份证
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"    # 'J' 港澳台居民居住证
    FOREIGNER_PERMANENT_2017 = "foreigner_permanent_2017"  # 'I'
    FOREIGNER_PERMANENT_2023 = "foreigner_permanent_2023"  # 'Y'
    # Read over PC/SC (devices/id_reader/pcsc), not through the SAM module:
    SOCIAL_SECURITY = "social_security"              # 社会保障卡, SSSE application
    EMRTD = "emrtd"                                  # ICAO 9303 passport / travel permit (BAC)


@dataclass(frozen=True, repr=False)
class IdentityDocument:
    card_type: CardType
    name: str
    sex: str                      # "male" / "female"
    nation: str                   # ethnic group (resident ID) or nationality code
    birth_date: dt.date
    address: str
    id_number: str
    issuer: str
    valid_from: dt.date | None    # None = not on the document (an eMRTD's MRZ has no issue date)
    valid_until: dt.date | None   # None = 长期 (long-term)
    photo_jpeg: bytes | None = field(default=None, compare=False)  # chip photo, decoded
    # Fields only some card types carry ("" / None on the others).
    pass_number: str = ""         # 'J': 通行证号码 (HK/Macau/Taiwan travel permit number)
    issue_count: int | None = None  # 'J': 签发次数; 'Y': 换证次数 (renewal count)
    english_name: str = ""        # 'I', 'Y'
    nationality: str = ""         # 'I': ISO 3166-1 alpha-3; 'Y': nationality/region code as printed
    card_version: str = ""        # 'I': card version; 'Y': prior-version link field
    # Where the identity came from: "card" (read from the chip), "app_code" (government-app code
    # exchanged with the platform) or "app_login" (app login). Not from a card = no chip photo:
    # the face check uses the photo on record (kiosk.core.phone_identity).
    source: str = "card"
    app_subject: str = field(default="", compare=False)   # app login: the per-service identifier

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def is_expired(self, day: dt.date) -> bool:
        return self.valid_until is not None and day > self.valid_until

    def __repr__(self) -> str:  # never the real name/number
        return (f"IdentityDocument({self.card_type.value}, name={mask_name(self.name)!r}, "
                f"id_number={mask_id_number(self.id_number)!r})")

    __str__ = __repr__
