"""QR code images for the receipt screen.

Made on a background thread (pure-Python `qrcode` takes 10-35 ms, long
enough to stall the GUI thread visibly); the screen only loads the PNG.
"""
from __future__ import annotations

import io

import qrcode


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(payload, border=2).save(buffer, format="PNG")
    return buffer.getvalue()
