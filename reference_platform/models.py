"""Pydantic models: request validation and the OpenAPI description (GET /openapi.json)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LocalizedText = dict[str, str]  # {"zh_CN": ..., "zh_HK": ..., "en": ...}

RatingLevel = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]

# Kiosk ids end up in HTML (fleet page) and in composite idempotency keys: keep them plain.
KIOSK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


# ----- errors -----

class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


# ----- catalog (validated at load time so a typo in catalog.json fails fast) -----

class Department(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    names: LocalizedText


class FormFieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    type: Literal["text", "id_number", "phone", "digits", "latin", "choice"]
    labels: LocalizedText
    required: bool = True
    readonly: bool = False
    prefill: str | None = None
    pattern: str | None = None
    max_length: int | None = None
    choices: list[dict] | None = None   # [{"value": ..., "labels": {...}}] for "choice" fields


class Eligibility(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_age: int | None = None


class ReceiptSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    print: bool = True
    kind: Literal["acceptance", "result", "queue_ticket", "none"] = "acceptance"


class WhereToGo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["counter", "appointment", "online", "app", "phone"]
    texts: LocalizedText


class ScanSpec(BaseModel):
    """The material may be photographed at the kiosk and sent as attachments named
    `<id>-p<page>.<jpg|webp>` (docs/documents.md)."""
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    max_pages: int = Field(4, ge=1, le=10)
    required: bool = False


class MaterialSpec(BaseModel):
    """One item of the 一次告知 materials list, in the three languages; `scan` when the kiosk
    may take it by camera."""
    model_config = ConfigDict(extra="forbid")
    zh_CN: str
    zh_HK: str
    en: str
    scan: ScanSpec | None = None


class FeeItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    names: LocalizedText
    amount_fen: int = Field(gt=0, le=10_000_000, description="Whole fen (分); never yuan with decimals")


class ExemptionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: Literal["age_at_least"]
    age: int = Field(gt=0, lt=150)
    names: LocalizedText


class FeeSpec(BaseModel):
    """统一支付: what a service costs (docs/payment.md)."""
    model_config = ConfigDict(extra="forbid")
    items: list[FeeItemSpec] = Field(min_length=1)
    exemptions: list[ExemptionSpec] = Field(default_factory=list)
    counter_payment_allowed: bool = True


class ServiceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    category: str
    kind: Literal["application", "progress_query", "queue_ticket", "licence_print"] = "application"
    available: bool = True
    listed: bool = True
    items: list[str] = Field(default_factory=list)            # a bundle (一件事): one form, one submission
    query_services: list[str] = Field(default_factory=list)   # progress query limited to these services
    names: LocalizedText
    descriptions: LocalizedText
    department: Department
    region_code: str
    identity: Literal["card_and_face", "card", "face_only", "none"]
    # Identity by phone accepted besides the card (docs/phone-identity.md): app code, app login.
    phone_identity: list[Literal["app_code", "app_login"]] = Field(default_factory=list)
    card_types: list[str]
    eligibility: Eligibility
    materials: list[MaterialSpec]
    fields: list[FormFieldSpec]
    expected_days: int | None = None
    receipt: ReceiptSpec
    # kind licence_print (issue 15): the electronic licence types printed, and whether a fee is due
    licence_types: list[Literal["marriage_record", "household_registration", "social_insurance_record"]] = \
        Field(default_factory=list)
    requires_payment: bool = False
    # Finding a service (issue 17): browse categories, popular-first order, search aliases, and
    # for services this kiosk does not do end to end, where to go instead.
    category_ids: list[str] = Field(default_factory=list)
    popularity: int = Field(default=0, ge=0)
    keywords: list[str] = Field(default_factory=list)
    where_to_go: WhereToGo | None = None
    fee: FeeSpec | None = None


class CatalogCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Literal["department", "life_event"]
    icon: str
    names: LocalizedText


class CatalogOut(BaseModel):
    schema_version: int = 2
    version: str
    categories: list[CatalogCategory] = Field(default_factory=list)
    services: list[ServiceSpec]


# ----- applications -----

class Applicant(BaseModel):
    # Present but possibly empty: which values are required is the service's business (catalog fields).
    id_number: str = Field(max_length=32)
    name: str = Field(max_length=100)
    address: str = Field(max_length=300)
    phone: str = Field(max_length=32)
    # The document id_number comes from (kiosk.core.identity.CardType values: resident_id, emrtd, ...);
    # its format depends on it. A number the citizen typed is a resident ID number.
    document_type: str = Field(default="resident_id", max_length=32)


MAX_ATTACHMENT_BASE64 = 16 * 1024 * 1024


class AttachmentIn(BaseModel):
    """A scanned document. Sent inline as base64 so one request (one Idempotency-Key) carries the
    whole application: no partial applications with some documents missing."""
    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(min_length=1, max_length=100)
    data_base64: str = Field(max_length=MAX_ATTACHMENT_BASE64)


class PaymentRef(BaseModel):
    order_no: str = Field(pattern=r"^[0-9A-Za-z_-]{1,32}$")
    reference: str = Field(max_length=64, description="The provider's transaction id")
    amount_fen: int = Field(ge=0)


class ApplicationIn(BaseModel):
    application_id: uuid.UUID = Field(description="Client-generated; also the Idempotency-Key")
    service_id: str = Field(min_length=1, max_length=64)
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    applicant: Applicant
    form: dict[str, Any]
    submitted_at: dt.datetime
    sms_receipt: bool = Field(False, description="The kiosk could not print a receipt: text the application "
                                                 "number and progress link to applicant.phone")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    payment: PaymentRef | None = Field(None, description="Fee-bearing services: the settled payment order "
                                                         "(its state must be SUCCESS for this application)")
    fee_exemption: str | None = Field(None, max_length=32, description="Fee-bearing services: the exemption "
                                                                        "rule the kiosk applied (checked here)")


class ApplicationReceipt(BaseModel):
    application_id: uuid.UUID
    application_number: str = Field(examples=["GD20261123000001"])
    status: Literal["received"]
    received_at: dt.datetime
    expected_completion: dt.date | None
    query_token: str = Field(description="Opaque; for the receipt QR code. Never personal data.")
    query_url: str


class ApplicationStatus(BaseModel):
    application_number: str
    service_id: str
    status: str
    received_at: dt.datetime
    expected_completion: dt.date | None


# ----- ratings (好差评) -----

class RatingIn(BaseModel):
    rating_id: uuid.UUID = Field(description="Client-generated; also the Idempotency-Key")
    application_id: uuid.UUID
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    level: RatingLevel | None = Field(description="null when the citizen skipped rating")
    skipped: bool
    reasons: list[str] = Field(default_factory=list, max_length=20)
    rated_at: dt.datetime


class RatingRecorded(BaseModel):
    rating_id: uuid.UUID
    application_number: str
    recorded: Literal[True]


# ----- heartbeat -----

class HeartbeatIn(BaseModel):
    # Kiosks add whatever health data they have (device status, outbox stats); it is stored as is.
    model_config = ConfigDict(extra="allow")
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)


class HeartbeatAck(BaseModel):
    ok: Literal[True]
    server_time: dt.datetime
