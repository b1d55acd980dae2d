"""Paper the simulated camera can show: passport photo pages and A4 material pages,
as a 1280x720 camera would see them (test data; product code never imports this).

* `passport_page(mrz)` renders an ICAO 9303 TD3 data page (125 x 88 mm) with the
  printed fields and the two 44-character MRZ lines in OCR-B (Debian `fonts-ocr-b`;
  a monospace font if it is missing -- `MRZ_FONT` says which).
* `material_page(title, lines)` renders a plain A4 page of text (a supporting document).
* `camera_view(page, rng, ...)` places a page on a desk in a 1280x720 frame with
  rotation, perspective, blur, low contrast, noise, shadow and, on request, glare or
  a cut-off edge. Everything is seeded: the same arguments give the same pixels.
* `random_td3(rng)` makes a valid, invented passport MRZ (check digits computed).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from devices.id_reader.pcsc.mrz import make_td3_mrz

FRAME_SIZE = (1280, 720)                      # width, height of the camera frames
OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
FALLBACK_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MRZ_FONT = OCR_B if OCR_B.exists() else FALLBACK_MONO
PX_PER_MM = 10                                # page rendering resolution (254 dpi)

SURNAMES = ("CHAN", "WONG", "LI", "ZHANG", "SMITH", "OLIVEIRA", "MULLER", "NGUYEN", "KOWALSKA", "TANAKA",
            "ERIKSSON", "GARCIA<LOPEZ", "O<BRIEN", "HO", "LEUNG")
GIVEN = ("TAI MAN", "MEI LING", "WEI", "JOHN", "ANA MARIA", "KLAUS", "THI HOA", "EWA", "HIROSHI", "ANNA",
         "SIU FONG", "PEDRO", "SEAN", "KA WAI")
NATIONS = ("GBR", "CHN", "PRT", "DEU", "VNM", "POL", "JPN", "SWE", "ESP", "IRL", "USA", "AUS", "CAN", "FRA")


@dataclass(frozen=True)
class Td3:
    mrz: str                 # 88 characters
    document_number: str
    birth_yymmdd: str
    expiry_yymmdd: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.document_number, self.birth_yymmdd, self.expiry_yymmdd


def random_td3(rng: np.random.Generator, today: dt.date | None = None) -> Td3:
    """An invented, valid passport MRZ: letters and digits in the number, a future expiry."""
    today = today or dt.date.today()
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    number = "".join(rng.choice(list("ABCDEFGHJKLMNPRSTUVWXYZ"), 2)) + "".join(rng.choice(list("0123456789"), 6)) \
        + str(rng.choice(list(alphabet)))
    birth = today - dt.timedelta(days=int(rng.integers(18 * 365, 85 * 365)))
    expiry = today + dt.timedelta(days=int(rng.integers(60, 9 * 365)))
    personal = "".join(rng.choice(list("0123456789"), int(rng.integers(0, 12))))
    nation = str(rng.choice(NATIONS))
    mrz = make_td3_mrz(surname=str(rng.choice(SURNAMES)), given_names=str(rng.choice(GIVEN)), document_number=number,
                       nationality=nation, birth_yymmdd=birth.strftime("%y%m%d"), sex=str(rng.choice(["M", "F"])),
                       expiry_yymmdd=expiry.strftime("%y%m%d"), optional_data=personal)
    return Td3(mrz, number, birth.strftime("%y%m%d"), expiry.strftime("%y%m%d"))


@lru_cache(maxsize=16)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def passport_page(mrz: str, holder: str = "") -> np.ndarray:
    """A TD3 data page (125 x 88 mm at 10 px/mm) as a BGR image: guilloche-like background,
    a photo box, printed fields and the MRZ in OCR-B at the ICAO position (bottom 23 mm)."""
    width, height = 125 * PX_PER_MM, 88 * PX_PER_MM
    page = Image.new("RGB", (width, height), (236, 240, 232))
    draw = ImageDraw.Draw(page)
    for k in range(0, width, 9):                               # security-print waves above the MRZ
        points = [(k + 30 * math.sin(y / 37.0 + k / 50.0), y) for y in range(0, height - 240, 8)]
        draw.line(points, fill=(214, 224, 214), width=1)
    draw.rectangle((40, 130, 330, 500), fill=(200, 200, 205), outline=(150, 150, 160))   # the photo
    draw.ellipse((125, 185, 245, 320), fill=(170, 160, 150))
    draw.ellipse((85, 330, 285, 520), fill=(120, 120, 140))
    sans, small = _font(SANS, 34), _font(SANS, 20)
    draw.text((40, 40), "PASSPORT / PASSEPORT", font=sans, fill=(40, 40, 90))
    surname, _, given = mrz[5:44].partition("<<")
    fields = (("Type / Code", f"P  {mrz[2:5]}"), ("Surname", surname.replace("<", " ")),
              ("Given names", given.replace("<", " ").strip()), ("Passport No.", mrz[44:53].rstrip("<")),
              ("Date of birth", _printed_date(mrz[57:63])), ("Sex", mrz[64]),
              ("Date of expiry", _printed_date(mrz[65:71])))
    y = 120
    for caption, value in fields:
        draw.text((370, y), caption, font=small, fill=(80, 80, 110))
        draw.text((370, y + 22), value, font=_font(SANS, 28), fill=(20, 20, 20))
        y += 70
    mrz_font = _font(MRZ_FONT, 44 if MRZ_FONT == OCR_B else 42)
    pitch = 25.4                                               # 2.54 mm per MRZ character (ICAO 9303-3)
    for row, line in enumerate((mrz[:44], mrz[44:])):
        baseline_y = height - 170 + row * 85
        for col, char in enumerate(line):
            draw.text((60 + col * pitch, baseline_y), char, font=mrz_font, fill=(15, 15, 15))
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def _printed_date(yymmdd: str) -> str:
    months = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    return f"{yymmdd[4:]} {months[int(yymmdd[2:4]) - 1]} {yymmdd[:2]}"


def material_page(title: str, lines: list[str] | tuple[str, ...], seed: int = 0) -> np.ndarray:
    """A plain A4 page (210 x 297 mm at 4 px/mm) of dark text on white, as a BGR image."""
    width, height = 840, 1188
    page = Image.new("RGB", (width, height), (232, 232, 228))   # white paper as a camera exposes it
    draw = ImageDraw.Draw(page)
    draw.text((70, 80), title, font=_font(SANS, 40), fill=(10, 10, 10))
    rng = np.random.default_rng(seed)
    y = 170
    for line in lines:
        draw.text((70, y), line, font=_font(SANS, 22), fill=(25, 25, 25))
        y += 38
    while y < height - 120:                                     # filler paragraphs: a full-looking page
        words = int(rng.integers(30, 60))
        draw.rectangle((70, y + 8, 70 + words * 12, y + 20), fill=(120, 120, 120))
        y += 34
    draw.rectangle((560, height - 110, 780, height - 60), outline=(160, 30, 30), width=4)   # a stamp box
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def camera_view(page: np.ndarray, rng: np.random.Generator, *, fill: float = 0.85, angle_deg: float = 0.0,
                tilt: float = 0.0, blur: float = 0.0, contrast: float = 1.0, brightness: float = 1.0,
                glare: bool = False, cut_off: float = 0.0, noise: float = 3.0) -> np.ndarray:
    """`page` on a dark desk in a 1280x720 BGR frame.

    fill: page height / frame height (before rotation); angle_deg: rotation in the image plane;
    tilt: perspective (0..0.15, the far edge shorter); blur: Gaussian sigma in pixels;
    contrast/brightness: multiply around mid-grey / overall; glare: a saturated light spot
    on the page; cut_off: the share of the page pushed out past the right edge of the frame."""
    frame_w, frame_h = FRAME_SIZE
    desk = np.zeros((frame_h, frame_w, 3), np.float32)
    desk[:] = (58, 52, 46)
    desk += rng.normal(0, 6, (frame_h, frame_w, 1)).astype(np.float32)
    page_h, page_w = page.shape[:2]
    scale = fill * frame_h / page_h
    if page_w * scale > 0.92 * frame_w:
        scale = 0.92 * frame_w / page_w
    w, h = page_w * scale, page_h * scale
    cx, cy = (frame_w - w / 2 + cut_off * w if cut_off else frame_w / 2), frame_h / 2
    shrink = tilt * w / 2
    corners = np.float32([[-w / 2 + shrink, -h / 2], [w / 2 - shrink, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    a = math.radians(angle_deg)
    rotation = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    target = corners @ rotation.T + np.float32([cx, cy])
    source = np.float32([[0, 0], [page_w, 0], [page_w, page_h], [0, page_h]])
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(page, matrix, (frame_w, frame_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((page_h, page_w), 255, np.uint8), matrix, (frame_w, frame_h))
    frame = np.where(mask[..., None] > 0, warped.astype(np.float32), desk)
    # Uneven light: brighter towards one corner.
    yy, xx = np.mgrid[0:frame_h, 0:frame_w].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    frame *= (1.0 + 0.08 * (gx * (xx / frame_w - 0.5) + gy * (yy / frame_h - 0.5)))[..., None]
    frame = (frame - 128) * contrast + 128
    frame *= brightness
    if glare:
        gx0, gy0 = target.mean(axis=0) + rng.uniform(-0.15, 0.15, 2) * np.float32([w, h])
        radius = 0.12 * h
        spot = np.exp(-(((xx - gx0) ** 2 + (yy - gy0) ** 2) / (2 * radius ** 2)))
        frame += (spot * 260)[..., None]
    frame += rng.normal(0, noise, frame.shape).astype(np.float32)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    if blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    return frame


def demo_material_pages() -> list[np.ndarray]:
    """The two pages the demo scans: a household register's front page and the holder's page
    (invented; Latin text, as the renderer has no CJK font guarantee)."""
    return [material_page("Household Register - front page",
                          ["Household type: family household", "Head of household: the applicant",
                           "Address: 1 Example Road, Huicheng District", "Registration office: example police station"],
                          seed=1),
            material_page("Household Register - member page",
                          ["Name: (the applicant)", "Relationship to head: self", "Date of birth: (as on the ID card)",
                           "Registered on: 1 March 1960"], seed=2)]
