"""What a printed receipt says (`Receipt`): a value type of the domain core.

The application layer (kiosk.controller, the technician's test print) fills one
in with personal data already masked (kiosk.core.pii); the printer drivers
(devices/printer/) lay it out and print it. No fonts, no ESC/POS, no I/O here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Receipt:
    language: str                 # "zh_CN" | "zh_HK" | "en"
    kiosk_id: str
    kiosk_location: str
    service_name: str
    applicant_name_masked: str
    id_number_masked: str
    application_number: str       # printed as text, large; ASCII
    qr_payload: str               # progress-query URL or opaque token, never personal data
    submitted_at: dt.datetime
    expected_completion: dt.date | None
    materials: tuple[str, ...]
    hotline: str = "12345"
    queued_offline: bool = False  # "saved, will be submitted automatically" variant
    reprint: bool = False
    # 统一支付: printed only for a payment the platform reported SUCCESS for (kiosk/core/session_payment.py)
    paid_amount_fen: int | None = None
    payment_reference: str | None = None   # the provider's transaction id: staff look the payment up by it
    payment_order_no: str | None = None
