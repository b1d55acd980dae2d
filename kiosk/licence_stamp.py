"""The print copy of a verified licence: the issuer's signed PDF, unchanged, plus one incremental
update that adds a footer stamp on every page: a verification QR (an opaque per-print token URL
from the platform, no personal data), the kiosk id and the print time.

Why an incremental update (pyhanko's QRStamp) and not a re-rendered page: the signed revision
stays byte-for-byte inside the print file (its first len(original) bytes are the original), we
never re-draw official content, and the stamp is visibly an addition of the kiosk. Paper cannot
carry the PDF signature anyway; the QR is what a reader of the paper checks.
"""
from __future__ import annotations

import io

FOOTER_Y = 18          # points from the bottom edge (inside the A4 printable area of most printers)
FOOTER_X = 60


def stamp_for_print(pdf: bytes, pages: int, verify_url: str, kiosk_id: str, printed_at: str) -> bytes:
    """`pdf` + one incremental update with the footer on each of its `pages` pages."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import QRStamp, QRStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    style = QRStampStyle(
        border_width=0, background=None, qr_inner_size=56,
        text_box_style=TextBoxStyle(font_size=7),
        stamp_text=f"Verify: %(url)s\nKiosk: {kiosk_id}\nPrinted: {printed_at}")
    for page in range(pages):
        QRStamp(writer, verify_url, style).apply(page, FOOTER_X, FOOTER_Y)
    out = io.BytesIO()
    writer.write(out)
    stamped = out.getvalue()
    if not stamped.startswith(pdf):   # an incremental update only appends; anything else is a bug
        raise RuntimeError("stamping changed the signed original")
    return stamped
