"""The sample cards the simulated reader presents.

Names, numbers and addresses are invented; the numbers are valid (real
Guangdong region codes, correct check character) so validation code sees what
a real read produces. Dates are relative to today, so "elderly" stays over 80
and "expired" stays expired whenever the tests run.

Each card's chip photo is a real face photo from `../shared/faces`, degraded
like a chip photo (chip_photo.py). The simulated camera shows a *different*
photo of the same person (`camera_source`), so the face check compares two
pictures, as at a real kiosk. Distances chip photo vs camera photo with the
default engine (SFace cosine distance, threshold 0.57): elderly 0.293,
young 0.380, expired 0.234; the other two people's camera photos are
>= 0.91 from each chip photo. (With dlib, Euclidean: 0.294, 0.414, 0.317.)
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2

from devices.id_reader.chip_photo import make_chip_photo
from kiosk.core.id_number import make_id_number
from sim.sample_faces import faces_dir
from kiosk.core.identity import CardType, IdentityDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SamplePhoto:
    path: str                                # relative to the faces folder
    face_box: tuple[int, int, int, int]      # (left, top, right, bottom), dlib HOG upsample=1, measured once


@dataclass(frozen=True)
class SimIdentity:
    key: str
    name: str
    sex: str
    age_years: int               # age today; the birth date follows from it
    birthday: tuple[int, int]    # (month, day)
    region_code: str
    sequence: int                # odd = male
    address: str
    issuer: str
    validity_years: int | None   # None = 长期 (long-term)
    issued_years_ago: int
    chip_photo: SamplePhoto
    camera_photo: str            # relative to the faces folder

    def birth_date(self, today: dt.date) -> dt.date:
        # Birthday already passed this year -> born `age_years` years ago this year.
        month, day = self.birthday
        born_year = today.year - self.age_years
        if (today.month, today.day) < (month, day):
            born_year -= 1
        return _safe_date(born_year, month, day)

    def camera_source(self, faces_override: str | os.PathLike | None = None) -> Path:
        return faces_dir(faces_override) / self.camera_photo

    def document(self, today: dt.date | None = None,
                 faces_override: str | os.PathLike | None = None) -> IdentityDocument:
        today = today or dt.date.today()
        birth = self.birth_date(today)
        valid_from = _years_before(today, self.issued_years_ago)
        valid_until = (None if self.validity_years is None
                       else _years_before(valid_from, -self.validity_years))
        return IdentityDocument(
            card_type=CardType.RESIDENT_ID,
            name=self.name,
            sex=self.sex,
            nation="汉",
            birth_date=birth,
            address=self.address,
            id_number=make_id_number(self.region_code, birth, self.sequence),
            issuer=self.issuer,
            valid_from=valid_from,
            valid_until=valid_until,
            photo_jpeg=chip_photo_jpeg(self.key, str(faces_dir(faces_override))),
        )


SIM_IDENTITIES: dict[str, SimIdentity] = {
    identity.key: identity for identity in (
        SimIdentity(
            key="elderly", name="梁国栋", sex="male", age_years=82, birthday=(3, 15),
            region_code="441202", sequence=31,
            address="广东省肇庆市端州区星湖大道123号",
            issuer="肇庆市公安局端州分局",
            validity_years=None, issued_years_ago=12,   # issued after 46 -> long-term
            chip_photo=SamplePhoto("lfw_krasserm/Colin_Powell/Colin_Powell_0004.jpg", (67, 80, 175, 187)),
            camera_photo="lfw_krasserm/Colin_Powell/Colin_Powell_0006.jpg",
        ),
        SimIdentity(
            key="young", name="陈志明", sex="male", age_years=35, birthday=(7, 8),
            region_code="440106", sequence=217,
            address="广东省广州市天河区天河路385号",
            issuer="广州市公安局天河分局",
            validity_years=20, issued_years_ago=5,      # issued at 26-45 -> 20 years
            chip_photo=SamplePhoto("face_recognition/examples/knn_examples/train/kit_harington/john1.jpeg",
                                   (683, 110, 812, 239)),
            camera_photo="face_recognition/examples/knn_examples/train/kit_harington/john2.jpeg",
        ),
        SimIdentity(
            key="expired", name="李建华", sex="male", age_years=34, birthday=(11, 2),
            region_code="440304", sequence=55,
            address="广东省深圳市福田区福华三路88号",
            issuer="深圳市公安局福田分局",
            validity_years=10, issued_years_ago=11,     # issued at 16-25 -> 10 years; ran out a year ago
            chip_photo=SamplePhoto("lfw_krasserm/Gerhard_Schroeder/Gerhard_Schroeder_0007.jpg",
                                   (67, 80, 175, 187)),
            camera_photo="lfw_krasserm/Gerhard_Schroeder/Gerhard_Schroeder_0002.jpg",
        ),
    )
}


def sim_identity(key: str) -> SimIdentity:
    try:
        return SIM_IDENTITIES[key]
    except KeyError:
        raise ValueError(f"unknown sim identity {key!r} (known: {', '.join(SIM_IDENTITIES)})") from None


def camera_source_for(identity_key: str, faces_override: str | os.PathLike | None = None) -> Path:
    """The photo the simulated camera shows for this card holder (not the chip photo)."""
    return sim_identity(identity_key).camera_source(faces_override)


@lru_cache(maxsize=8)
def chip_photo_jpeg(identity_key: str, faces_root: str) -> bytes | None:
    """The degraded chip photo; None (with a warning) when the sample photo is missing."""
    photo = sim_identity(identity_key).chip_photo
    path = Path(faces_root) / photo.path
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        log.warning("sim identity %s: sample photo not found under %s; card has no photo",
                    identity_key, faces_root)
        return None
    return make_chip_photo(image, photo.face_box)


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return dt.date(year, month, 28)


def _years_before(day: dt.date, years: int) -> dt.date:
    return _safe_date(day.year - years, day.month, day.day)
