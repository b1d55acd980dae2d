"""The passport's MRZ read by the camera: the chip key (BAC) without typing.

Pipeline (one camera frame, ~0.3-1 s of CPU: run it off the GUI thread):
1. the photo page's outline (kiosk/document_capture.find_page) and a perspective
   correction to an upright 1250 px page -- this is also the deskew, so a passport held
   at 10-20 degrees reads as well as a straight one (PassportEye's PCA localisation
   fails beyond ~5 degrees, konstantint/PassportEye#13);
2. the MRZ band = the bottom 30 % of the page (ICAO 9303-4: the MRZ sits in the bottom
   23.2 mm of the 88 mm TD3 page), contrast-stretched, tried upright and upside down;
3. Tesseract (Debian `tesseract-ocr`, the stock `eng` LSTM model: no `mrz`/OCR-B
   traineddata is packaged for Debian) with the MRZ alphabet as whitelist and no
   dictionaries, page segmentation "one block of text"; run as `tesseract stdin stdout`,
   so the page never touches the disk;
4. correction by position (letters where ICAO 9303-3 puts letters, digits where it puts
   digits: O->0, I->1, S->5, B->8 ...) and, for the document number, the one look-alike
   substitution that makes its check digit right;
5. acceptance: the check digits of document number, birth date and expiry all right;
   `composite_ok` says whether line 2's composite digit also holds. A key whose composite
   does not hold is only trusted when two frames agree (`MrzConsensus`).

Only the key leaves this module; the MRZ text is personal data and is never logged.
Check digits and parsing are the chip driver's (devices/id_reader/pcsc/mrz.py): one
implementation of ICAO 9303 for the chip and the camera.
"""
from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass, field

import cv2
import numpy as np

from devices.id_reader.pcsc.icao_bac import check_digit
from devices.id_reader.pcsc.mrz import MrzError, yymmdd_to_date
from kiosk.document_capture import find_page, straighten

MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
TESSERACT = "tesseract"          # Debian tesseract-ocr (+ tesseract-ocr-eng)
TESSERACT_ARGS = ("--psm", "6", "--oem", "1", "-l", "eng", "-c", f"tessedit_char_whitelist={MRZ_ALPHABET}",
                  "-c", "load_system_dawg=0", "-c", "load_freq_dawg=0")
OCR_TIMEOUT_S = 10.0
PAGE_WIDTH_PX = 1250            # the straightened photo page (10 px per mm)
MRZ_BAND = 0.30                 # bottom share of the page searched for the two lines

TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "T": "1", "Z": "2",
                          "S": "5", "B": "8", "G": "6", "A": "4", "<": "0"})
TO_DIGIT_LETTERS = frozenset("OQDUILTZSBGA")
TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"})
LOOKALIKES = {"0": "OD", "O": "0D", "D": "0O", "1": "I", "I": "1", "2": "Z", "Z": "2", "5": "S", "S": "5",
              "8": "B", "B": "8", "6": "G", "G": "6"}


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed or does not run (the technician sees this status)."""


@dataclass(frozen=True)
class MrzRead:
    """The chip key read off a photo page. `line2` is personal data: kept out of repr."""
    document_number: str
    birth_yymmdd: str
    expiry_yymmdd: str
    composite_ok: bool
    line2: str = field(default="", repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.document_number, self.birth_yymmdd, self.expiry_yymmdd


def tesseract_version() -> str:
    """Tesseract's version, or raises OcrUnavailable (used by the technician self-test)."""
    try:
        result = subprocess.run([TESSERACT, "--version"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrUnavailable(f"tesseract: {exc}") from None
    first = (result.stdout or result.stderr).decode("utf-8", "replace").splitlines()
    if result.returncode != 0 or not first:
        raise OcrUnavailable(f"tesseract --version exited {result.returncode}")
    return first[0].replace("tesseract", "").strip()


def _ocr(image: np.ndarray) -> str:
    """Tesseract on one grey image. The picture goes in on stdin and the text comes back on
    stdout: the MRZ (personal data) is never written to a temporary file, unlike wrappers such
    as pytesseract, which save the image under /tmp for the CLI."""
    ok, png = cv2.imencode(".png", image)
    if not ok:
        return ""
    try:
        result = subprocess.run([TESSERACT, "stdin", "stdout", *TESSERACT_ARGS], input=png.tobytes(),
                                capture_output=True, timeout=OCR_TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        raise OcrUnavailable(f"tesseract: {exc}") from None
    except subprocess.TimeoutExpired:
        return ""                         # one frame too slow: the next one is tried
    if result.returncode != 0:
        raise OcrUnavailable(f"tesseract exited {result.returncode}: "
                             f"{result.stderr.decode('utf-8', 'replace').strip()[:200]}")
    return result.stdout.decode("ascii", "replace")


def mrz_bands(frame: np.ndarray) -> list[np.ndarray]:
    """Grey MRZ-band candidates: the straightened page's bottom (upright, then upside down),
    or, with no page outline in view, the whole frame."""
    corners, _cut_off = find_page(frame)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    if corners is None:
        return [_stretch(grey)]
    page = straighten(grey, corners, long_side=PAGE_WIDTH_PX)
    if page.shape[0] > page.shape[1]:                 # held in portrait: the MRZ runs down a side
        page = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE)
    bands = []
    for candidate in (page, cv2.rotate(page, cv2.ROTATE_180)):
        height = candidate.shape[0]
        bands.append(_stretch(candidate[int(height * (1 - MRZ_BAND)):, :]))
    return bands


def _stretch(grey: np.ndarray) -> np.ndarray:
    """Contrast stretch (1st-99th percentile to 0-255) and a white border for Tesseract."""
    low, high = np.percentile(grey, (1, 99))
    stretched = np.clip((grey.astype(np.float32) - low) * (255.0 / max(1.0, high - low)), 0, 255).astype(np.uint8)
    return cv2.copyMakeBorder(stretched, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)


def read_mrz(frame: np.ndarray) -> MrzRead | None:
    """The chip key from a camera frame of a passport photo page, or None when no TD3 MRZ
    with right check digits is found. Raises OcrUnavailable when Tesseract is missing."""
    return read_mrz_with_reason(frame)[0]


def read_mrz_with_reason(frame: np.ndarray) -> tuple[MrzRead | None, bool]:
    """(key or None, whether an MRZ line 2 was seen whose check digits did not hold): the
    second tells "nothing readable" from "read, but the check digits are wrong"."""
    wrong_digits = False
    for band in mrz_bands(frame):
        found, seen = parse_ocr_text_with_reason(_ocr(band))
        if found is not None:
            return found, False
        wrong_digits = wrong_digits or seen
    return None, wrong_digits


def parse_ocr_text(text: str) -> MrzRead | None:
    """OCR output -> the checked key, correcting look-alike characters; None if unusable."""
    return parse_ocr_text_with_reason(text)[0]


def _line2_shaped(raw: str) -> bool:
    """Looks like TD3 line 2 (dates and their check digits where they belong), whatever the digits say."""
    head = raw[:28]
    return (len(head) == 28 and head[13:20].translate(TO_DIGIT).isdigit() and head[20] in "MFX<"
            and head[21:28].translate(TO_DIGIT).isdigit() and head[10:13].translate(TO_LETTER).replace("<", "A").isalpha())


def parse_ocr_text_with_reason(text: str) -> tuple[MrzRead | None, bool]:
    """(checked key or None, whether a line shaped like TD3 line 2 failed its check digits).

    Every way of lining the text up is tried: stray characters before line 2, and, when a line
    is longer than 44, one stray character inside its first 28 (Tesseract sometimes reads a
    character twice or sees one in a gap). Several readings can pass their check digits (a
    number wrongly shifted is sometimes "fixed" by look-alike substitutions), so the best one
    wins: composite digit right first, then the fewest changes to what was read; two
    different keys equally good are refused, not guessed."""
    lines = [re.sub(r"[^A-Z0-9<]", "", line.upper()) for line in text.splitlines()]
    lines = [line for line in lines if len(line) >= 28]
    shaped = False
    best: list[tuple[tuple[bool, int], MrzRead]] = []
    for line in reversed(lines):                          # line 2 is the lower one
        for candidate, dropped in _alignments(line):
            found = _line2(candidate)
            if found is None:
                shaped = shaped or _line2_shaped(candidate)
                continue
            rank = (not found.composite_ok, dropped + _changes(candidate[:9], found.document_number))
            best.append((rank, found))
    if not best:
        return None, shaped
    top = min(rank for rank, _ in best)
    keys = {read.key for rank, read in best if rank == top}
    if len(keys) > 1:
        return None, False                  # not wrong digits: no single reading (try the next frame)
    return next(read for rank, read in best if rank == top), False


def _alignments(line: str):
    """(candidate line 2, characters dropped): stray characters cut off the front (as many as
    the line is longer than 44, at least one try), then one stray character inside the fields
    whose positions matter (the first 28)."""
    for start in range(max(1, len(line) - 43)):
        yield line[start:], start
    if len(line) > 44:
        for position in range(1, 28):
            yield line[:position] + line[position + 1:], 1


def _changes(raw_number: str, number: str) -> int:
    """Characters of the number changed by the corrections (look-alikes, digits between digits)."""
    return sum(a != b for a, b in zip(raw_number, number.ljust(9, "<")))


def _line2(raw: str) -> MrzRead | None:
    """TD3 line 2 (ICAO 9303-4 4.2.2): number(9) check nationality(3) birth(6) check sex
    expiry(6) check personal(14) check composite."""
    if len(raw) < 28:
        return None
    head = raw[:28]
    number = head[0:9]
    number_check = head[9].translate(TO_DIGIT)
    birth, birth_check = head[13:19].translate(TO_DIGIT), head[19].translate(TO_DIGIT)
    expiry, expiry_check = head[21:27].translate(TO_DIGIT), head[27].translate(TO_DIGIT)
    nationality = head[10:13].translate(TO_LETTER)
    if not nationality.replace("<", "A").isalpha():
        return None
    if check_digit(birth) != birth_check or check_digit(expiry) != expiry_check:
        return None
    try:
        yymmdd_to_date(birth, future=False)
        yymmdd_to_date(expiry, future=True)
    except MrzError:
        return None
    number = _fix_number(_digits_between_digits(number), number_check)
    if number is None:
        return None
    line2 = (number + number_check + nationality + birth + birth_check + head[20] + expiry + expiry_check
             + _fix_tail(raw[28:]))
    composite_ok = len(line2) == 44 and check_digit(line2[0:10] + line2[13:20] + line2[21:43]) == line2[43]
    return MrzRead(number.rstrip("<"), birth, expiry, composite_ok, line2)


def _digits_between_digits(number: str) -> str:
    """A look-alike letter with digits on both sides is a digit (E12345G78 -> E12345678): the
    check digit cannot tell G from 6, O from 4, I/S from 8 (their ICAO values are equal mod 10)."""
    chars = list(number)
    for i in range(1, len(chars) - 1):
        if chars[i].isalpha() and chars[i] in TO_DIGIT_LETTERS and chars[i - 1].isdigit() and chars[i + 1].isdigit():
            chars[i] = chars[i].translate(TO_DIGIT)
    return "".join(chars)


def _fix_number(number: str, digit: str) -> str | None:
    """The document number whose check digit is `digit`: as read, or with the fewest
    look-alike substitutions (up to two). Ambiguous fixes (two candidates) are refused."""
    if check_digit(number) == digit:
        return number
    positions = [i for i, char in enumerate(number) if char in LOOKALIKES]
    for count in (1, 2):
        fixes = set()
        for chosen in itertools.combinations(positions, count):
            for replacement in itertools.product(*(LOOKALIKES[number[i]] for i in chosen)):
                candidate = list(number)
                for i, char in zip(chosen, replacement):
                    candidate[i] = char
                text = "".join(candidate)
                if check_digit(text) == digit:
                    fixes.add(text)
        if len(fixes) == 1:
            return fixes.pop()
        if fixes:
            return None
    return None


def _fix_tail(tail: str) -> str:
    """Personal number + its check digit + composite (16 characters): fillers that OCR
    dropped or doubled are restored when the rest is unambiguous."""
    if len(tail) == 16:
        return tail
    digits_then_fill = re.fullmatch(r"([0-9]*)(<*)([0-9<])([0-9])", tail)
    if digits_then_fill:
        personal = digits_then_fill.group(1)
        if len(personal) <= 14:
            return personal.ljust(14, "<") + digits_then_fill.group(3) + digits_then_fill.group(4)
    return tail


class MrzConsensus:
    """Live reading: a key is accepted at once when its composite digit holds, otherwise
    only when `needed` frames in a row give the same key."""

    def __init__(self, needed: int = 2):
        self.needed = needed
        self._last: tuple[str, str, str] | None = None
        self._count = 0

    def offer(self, read: MrzRead | None) -> tuple[str, str, str] | None:
        if read is None:
            return None
        if read.composite_ok:
            return read.key
        if read.key == self._last:
            self._count += 1
        else:
            self._last, self._count = read.key, 1
        return read.key if self._count >= self.needed else None

    def reset(self) -> None:
        self._last, self._count = None, 0
