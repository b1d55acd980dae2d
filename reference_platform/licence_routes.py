"""Routes of the licence store (电子证照): list and fetch a holder's licences, mint a per-print
verification token, receive print reports, and the public verification page a printed QR opens.

The kiosk asks for the licences of the identity it has just verified (card + face); the ID number
travels in the (signed) request body, never in a URL. A licence that is not the holder's answers
404 like an unknown one (no oracle). The QR token is random and opaque: it resolves to the licence
and the print on this platform only; the page shows the licence type, number, issuer, status and
where/when it was printed, and the holder's name masked.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
from typing import Annotated, Callable, Literal

from fastapi import FastAPI, Header, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from reference_platform.errors import ApiError
from reference_platform.licences import LICENCE_TYPES, LicenceStore, mask_name
from reference_platform.models import KIOSK_ID_PATTERN, ErrorBody
from reference_platform.numbers import iso_seconds

ID_NUMBER_PATTERN = r"^[0-9A-Za-z()（）-]{6,24}$"
# Accepted and ignored on the reads (documented as optional); a retried token request mints another token.
OptionalKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Not needed (a read)")]
LICENCE_ID = Annotated[str, Path(pattern=r"^LIC-[A-Z0-9]{1,40}$", max_length=44)]


class HolderRequest(BaseModel):
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    id_number: str = Field(pattern=ID_NUMBER_PATTERN, description="The verified session identity's number")


class LicenceSummary(BaseModel):
    licence_id: str
    licence_type: str
    title_zh: str
    title_zh_hk: str
    title_en: str
    issuer: str
    issue_date: str
    expiry_date: str
    status: Literal["valid", "revoked"]


class LicenceList(BaseModel):
    licences: list[LicenceSummary]


class LicenceDocument(BaseModel):
    licence_id: str
    licence_type: str
    status: Literal["valid", "revoked"]
    pdf_base64: str = Field(description="The issuer-signed PDF exactly as issued (PAdES)")
    sha256: str


class PrintToken(BaseModel):
    token: str = Field(description="Opaque per-print token for the verification QR (no personal data)")
    verify_url: str


class LicencePrintReport(BaseModel):
    print_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    token: str = Field(max_length=64)
    licence_type: str = Field(max_length=40)
    outcome: Literal["printed", "failed"]
    pages_sent: int = Field(ge=0, le=100)
    pages_completed: int = Field(ge=0, le=100)
    reason: str = Field(default="", max_length=64)
    printed_at: str = Field(max_length=40)


class PrintRecorded(BaseModel):
    print_id: str
    recorded: Literal[True]


def _errors(*statuses: int) -> dict:
    return {status: {"model": ErrorBody} for status in statuses}


def install_licence_routes(app: FastAPI, licences: LicenceStore, clock: Callable[[], dt.datetime],
                           require_signer_is: Callable[[Request, str], None]) -> None:

    def holders_licence(licence_id: str, body: HolderRequest):
        licence = licences.get(licence_id)
        if licence is None or licence.holder_id != body.id_number:
            raise ApiError(404, "unknown_licence", "no such licence for this holder")
        return licence

    @app.post("/licences/search", response_model=LicenceList, responses=_errors(401, 403, 422),
              summary="The verified holder's electronic licences")
    def search_licences(body: HolderRequest, request: Request, idempotency_key: OptionalKey = None) -> dict:
        require_signer_is(request, body.kiosk_id)
        return {"licences": [lic.summary() for lic in licences.for_holder(body.id_number)]}

    @app.post("/licences/{licence_id}/document", response_model=LicenceDocument, responses=_errors(401, 403, 404, 422),
              summary="One licence's signed PDF, for its holder only")
    def get_licence_document(licence_id: LICENCE_ID, body: HolderRequest, request: Request,
                             idempotency_key: OptionalKey = None) -> dict:
        require_signer_is(request, body.kiosk_id)
        licence = holders_licence(licence_id, body)
        return {"licence_id": licence.licence_id, "licence_type": licence.licence_type,
                "status": "revoked" if licence.revoked else "valid",
                "pdf_base64": base64.b64encode(licence.pdf).decode(), "sha256": hashlib.sha256(licence.pdf).hexdigest()}

    @app.post("/licences/{licence_id}/print-tokens", status_code=201, response_model=PrintToken,
              responses=_errors(401, 403, 404, 409, 422), summary="A new opaque token for one print's QR")
    def mint_print_token(licence_id: LICENCE_ID, body: HolderRequest, request: Request,
                         idempotency_key: OptionalKey = None) -> dict:
        require_signer_is(request, body.kiosk_id)
        licence = holders_licence(licence_id, body)
        if licence.revoked:
            raise ApiError(409, "licence_revoked", "a revoked licence is not printed")
        token = licences.mint_token(licence.licence_id, body.kiosk_id, iso_seconds(clock()))
        return {"token": token.token, "verify_url": str(request.base_url).rstrip("/") + f"/verify/{token.token}"}

    @app.post("/licence-prints", status_code=201, response_model=PrintRecorded, responses=_errors(400, 401, 403, 422))
    def post_licence_print(body: LicencePrintReport, request: Request,
                           idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None
                           ) -> JSONResponse:
        """A print's outcome, sent through the kiosk's outbox (exactly once; no personal data)."""
        require_signer_is(request, body.kiosk_id)
        if not idempotency_key:
            raise ApiError(400, "idempotency_key_missing", "Idempotency-Key is required")
        if idempotency_key.strip('"').lower() != body.print_id.lower():
            raise ApiError(422, "idempotency_key_mismatch", "Idempotency-Key differs from print_id")
        _, created = licences.record_report(body.print_id.lower(), body.model_dump())
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return JSONResponse({"print_id": body.print_id, "recorded": True}, status_code=201, headers=headers)

    @app.get("/verify/{token}", response_class=HTMLResponse, summary="Verification page of a printed licence's QR",
             responses={404: {"description": "No print with this token (an HTML page saying so)",
                              "content": {"text/html": {"schema": {"type": "string"}}}}})
    def verify_page(token: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
        record = licences.token(token)
        licence = licences.get(record.licence_id) if record else None
        if record is None or licence is None:
            return HTMLResponse(_page("未找到 / Not found", "<p>此二维码无效。This code is not valid.</p>"),
                                status_code=404)
        zh, en, _ = LICENCE_TYPES[licence.licence_type]
        status = "已撤销 / REVOKED" if licence.revoked else "有效 / VALID"
        printed = record.printed
        rows = [("证照 Licence", f"{zh} / {en}"), ("编号 Number", licence.number), ("持证人 Holder",
                mask_name(licence.holder_name)), ("颁发机构 Issuer", licence.issuer),
                ("有效期至 Valid until", licence.expiry_date), ("状态 Status", status),
                ("打印终端 Kiosk", record.kiosk_id),
                ("打印时间 Printed", str(printed.get("printed_at", record.minted_at))),
                ("打印结果 Print", str(printed.get("outcome", "reported later")))]
        body = "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return HTMLResponse(_page(status, body + "</table>"))


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
