"""HTTP routes of identity by phone (reference_platform/app_identity.py holds the rules).

Kiosk side (signed like every kiosk call): POST /identity/code-exchange,
POST /identity/device-authorizations, POST /identity/device-token, DELETE /identity/logins/{id}.
Phone-app side (the app backend's stand-in, driven by sim/phone_app.py; not signed by a kiosk):
POST /app/identity-codes, POST /app/device-authorizations/decision.
"""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import FastAPI, Header, Request, Response
from pydantic import BaseModel, Field

from reference_platform.app_identity import AppIdentity
from reference_platform.models import ErrorBody

SERVICE_ID = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")


class CodeExchangeIn(BaseModel):
    code: str = Field(min_length=1, max_length=512, description="The text of the app's QR code, as scanned")
    service_id: str = SERVICE_ID
    consent: Literal[True] = Field(description="The citizen agreed on screen to the data being fetched")


class Identity(BaseModel):
    document_type: str
    id_number: str
    name: str
    sex: str
    nation: str
    birth_date: str
    address: str
    issuer: str
    valid_from: str | None
    valid_until: str | None


class CodeExchangeOut(BaseModel):
    source: Literal["app_code"]
    identity: Identity
    service_id: str


class DeviceAuthorizationIn(BaseModel):
    service_id: str = SERVICE_ID


class DeviceAuthorizationOut(BaseModel):
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: float


class DeviceTokenIn(BaseModel):
    device_code: str = Field(min_length=8, max_length=128)


class DeviceTokenOut(BaseModel):
    source: Literal["app_login"]
    login_id: str
    subject: str = Field(description="Per-service identifier: the same citizen has another one at another service")
    identity: Identity
    expires_in: int


class IssueCodeIn(BaseModel):
    id_number: str = Field(min_length=6, max_length=32)


class IssueCodeOut(BaseModel):
    code: str
    expires_in: int


class LoginDecisionIn(BaseModel):
    user_code: str = Field(min_length=8, max_length=9)
    id_number: str = Field(min_length=6, max_length=32)
    approve: bool


class LoginDecisionOut(BaseModel):
    kiosk_id: str
    service_id: str
    decision: str


KioskIdHeader = Annotated[str, Header(alias="X-Kiosk-Id", min_length=1, max_length=64,
                                      description="The kiosk; codes and logins are bound to it")]


def _kiosk_id(request: Request, header: str) -> str:
    """The signing kiosk when signatures are checked, else the header's."""
    return request.scope.get("state", {}).get("signed_kiosk_id") or header


def errors(*statuses: int) -> dict:
    return {status: {"model": ErrorBody} for status in statuses}


def install_app_identity_routes(app: FastAPI, service: AppIdentity) -> None:

    @app.post("/identity/code-exchange", response_model=CodeExchangeOut, responses=errors(400, 401, 404, 409, 410, 422),
              summary="Exchange a government-app identity code (after consent) for the holder's identity")
    def exchange_code(body: CodeExchangeIn, request: Request, kiosk_id: KioskIdHeader) -> dict:
        return service.exchange_code(_kiosk_id(request, kiosk_id), body.code, body.service_id)

    @app.post("/identity/device-authorizations", response_model=DeviceAuthorizationOut, responses=errors(400, 401, 422),
              summary="Start an app login (RFC 8628 device authorisation) bound to this kiosk")
    def start_login(body: DeviceAuthorizationIn, request: Request, kiosk_id: KioskIdHeader) -> dict:
        return service.start_login(_kiosk_id(request, kiosk_id), body.service_id)

    @app.post("/identity/device-token", response_model=DeviceTokenOut, responses=errors(400, 401, 422),
              summary="Poll an app login: 400 authorization_pending / slow_down / expired_token / "
                      "access_denied / invalid_grant, or the identity once")
    def poll_login(body: DeviceTokenIn, request: Request, kiosk_id: KioskIdHeader) -> dict:
        return service.poll_login(_kiosk_id(request, kiosk_id), body.device_code)

    @app.delete("/identity/logins/{login_id}", status_code=204, responses=errors(401),
                summary="End an app login (the kiosk session ended)")
    def end_login(login_id: str) -> Response:
        service.end_login(login_id)
        return Response(status_code=204)

    @app.post("/app/identity-codes", response_model=IssueCodeOut, responses=errors(400, 404, 422),
              summary="Phone app (simulator): a fresh dynamic identity code for the signed-in holder")
    def issue_code(body: IssueCodeIn) -> dict:
        return service.issue_code(body.id_number)

    @app.post("/app/device-authorizations/decision", response_model=LoginDecisionOut, responses=errors(400, 404, 422),
              summary="Phone app (simulator): the holder confirms or declines a kiosk login by its user code")
    def decide_login(body: LoginDecisionIn) -> dict:
        return service.decide_login(body.user_code.replace("-", ""), body.id_number, body.approve)
