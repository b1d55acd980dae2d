"""The kiosk's one barcode decoder: zxing-cpp, for every code a camera or image shows.

Payment codes (WeChat Pay / Alipay / UnionPay: Code 128 and QR), government-app identity
codes (QR), receipt progress codes (QR) and document codes all go through `decode_codes`.
It is CPU work of a few milliseconds to tens of milliseconds per frame: call it off the GUI
thread (a worker thread that keeps only the latest frame, as kiosk/qr_scan.py does).

Formats come from one constant, `FORMATS`: callers name the purpose, not zxing's enums.
"""
from __future__ import annotations

from dataclasses import dataclass

import zxingcpp

# Which symbologies each purpose accepts. Narrower sets decode faster and cannot mistake a
# stray product barcode in the frame for the code the step expects.
_F = zxingcpp.BarcodeFormat
FORMATS: dict[str, tuple[zxingcpp.BarcodeFormat, ...]] = {
    "qr": (_F.QRCode,),
    # A payment code on a phone: an 18-digit number as Code 128 above a QR with the same digits.
    "payment": (_F.QRCode, _F.Code128),
    "any": (_F.QRCode, _F.Code128, _F.PDF417, _F.DataMatrix, _F.Aztec, _F.EAN13, _F.Code39, _F.ITF),
}


@dataclass(frozen=True)
class Code:
    """One decoded code: its symbology name ("QRCode", "Code128", ...), text and corners."""
    symbology: str
    text: str
    corners: tuple[tuple[int, int], ...]


def decode_codes(image, purpose: str = "any") -> list[Code]:
    """Every valid code of the purpose's formats in a BGR or grey numpy image (may be empty).

    Raises KeyError for an unknown purpose (a programming error, not bad input); an image
    with no code, or garbage, simply gives [].
    """
    formats = FORMATS[purpose]
    found = zxingcpp.read_barcodes(image, formats=formats)
    codes = []
    for barcode in found:
        if not barcode.valid or not barcode.text:
            continue
        p = barcode.position
        corners = tuple((pt.x, pt.y) for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
        codes.append(Code(symbology=barcode.format.name, text=barcode.text, corners=corners))
    return codes


def first_text(image, purpose: str = "any") -> str | None:
    """The text of the first code found, or None."""
    codes = decode_codes(image, purpose)
    return codes[0].text if codes else None
