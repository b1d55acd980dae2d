"""Pydantic models of the payment endpoints (统一支付, docs/payment.md)."""
from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from reference_platform.models import KIOSK_ID_PATTERN

TradeStateName = Literal["NOTPAY", "USERPAYING", "SUCCESS", "CLOSED", "REVOKED", "PAYERROR", "REFUND"]
ORDER_NO_PATTERN = r"^[0-9A-Za-z_-]{1,32}$"


class FeeLine(BaseModel):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    amount_fen: int = Field(gt=0)


class PaymentOrderIn(BaseModel):
    application_id: uuid.UUID = Field(description="The application this notice is for; also the Idempotency-Key")
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    service_id: str = Field(min_length=1, max_length=64)
    order_no: str = Field(pattern=ORDER_NO_PATTERN, description="out_trade_no: kiosk id + journal sequence")
    amount_fen: int = Field(gt=0, description="Whole fen; must equal the service's catalog fee")
    items: list[FeeLine] = Field(default_factory=list, max_length=20)
    expire_s: float = Field(300.0, ge=60.0, le=7200.0, description="The QR may be paid for this long")


class PaymentOrder(BaseModel):
    order_no: str
    application_id: uuid.UUID
    state: TradeStateName
    amount_fen: int
    items: list[FeeLine]
    payment_reference: str | None = Field(description="The provider's transaction id once SUCCESS")
    paid_at: str | None
    refunded_fen: int
    qr_content: str | None = Field(None, description="Dynamic QR content (create only)")
    expires_at: str | None = None


class MicropayIn(BaseModel):
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    auth_code: str = Field(pattern=r"^[0-9]{16,24}$", description="The citizen's payment code (付款码)")


class OrderActionIn(BaseModel):
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)


class BillEntry(BaseModel):
    date: str
    order_no: str
    kiosk_id: str
    application_id: str
    type: Literal["SUCCESS", "REFUND"]
    amount_fen: int
    transaction_id: str
    at: str


class Bill(BaseModel):
    date: str
    entries: list[BillEntry]


class PhonePayIn(BaseModel):
    qr_content: str = Field(min_length=1, max_length=512)


class PhonePaid(BaseModel):
    out_trade_no: str
    state: TradeStateName
    amount_fen: int
