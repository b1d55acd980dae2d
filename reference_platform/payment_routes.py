"""HTTP routes of the payment desk (reference_platform/payments.py), added by create_app."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Callable

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from reference_platform.errors import ApiError
from reference_platform.models import ErrorBody
from reference_platform.payment_models import (Bill, MicropayIn, OrderActionIn, PaymentOrder, PaymentOrderIn,
                                               PhonePaid, PhonePayIn)
from reference_platform.payments import PaymentDesk

OrderNo = Annotated[str, Path(pattern=r"^[0-9A-Za-z_-]{1,32}$", description="out_trade_no")]


def _errors(*statuses: int) -> dict:
    return {status: {"model": ErrorBody} for status in statuses}


def install_payment_routes(app: FastAPI, desk: PaymentDesk, require_signer_is: Callable[[Request, str], None]) -> None:
    @app.post("/payments/orders", status_code=201, response_model=PaymentOrder, tags=["payments"],
              summary="Create the payment notice (order) of an application; idempotent on its application_id",
              responses=_errors(400, 401, 403, 409, 422, 503))
    async def create_order(body: PaymentOrderIn, request: Request, idempotency_key: Annotated[
            str | None, Header(alias="Idempotency-Key", description="The application's UUID")] = None) -> JSONResponse:
        require_signer_is(request, body.kiosk_id)
        if not idempotency_key:
            raise ApiError(400, "idempotency_key_missing", "the Idempotency-Key header is required")
        status, view = await run_in_threadpool(desk.create, body.kiosk_id, idempotency_key,
                                               body.model_dump(mode="json"))
        headers = {"Idempotent-Replayed": "true"} if status == 200 else {}
        return JSONResponse(view, status_code=201, headers=headers)

    @app.get("/payments/orders/{order_no}", response_model=PaymentOrder, tags=["payments"],
             summary="The order's state (NOTPAY, USERPAYING, SUCCESS, CLOSED, REVOKED, PAYERROR, REFUND)",
             responses=_errors(404, 503))
    async def query_order(order_no: OrderNo, request: Request,
                          kiosk_id: Annotated[str, Query(max_length=64)]) -> JSONResponse:
        require_signer_is(request, kiosk_id)
        return JSONResponse(await run_in_threadpool(desk.query, kiosk_id, order_no))

    @app.post("/payments/orders/{order_no}/close", response_model=PaymentOrder, tags=["payments"],
              summary="Close on cancel/timeout; a payment that landed first is honoured or refunded",
              responses=_errors(404, 409, 503))
    async def close_order(order_no: OrderNo, body: OrderActionIn, request: Request) -> JSONResponse:
        require_signer_is(request, body.kiosk_id)
        return JSONResponse(await run_in_threadpool(desk.close, body.kiosk_id, order_no))

    @app.post("/payments/orders/{order_no}/micropay", response_model=PaymentOrder, tags=["payments"],
              summary="Pay with the citizen's payment code (付款码); never charges an order twice",
              responses=_errors(404, 409, 422, 503))
    async def micropay(order_no: OrderNo, body: MicropayIn, request: Request) -> JSONResponse:
        require_signer_is(request, body.kiosk_id)
        return JSONResponse(await run_in_threadpool(desk.micropay, body.kiosk_id, order_no, body.auth_code))

    @app.post("/payments/orders/{order_no}/reverse", response_model=PaymentOrder, tags=["payments"],
              summary="Reverse a payment-code order: unpaid -> REVOKED, paid -> REVOKED and refunded",
              responses=_errors(404, 409, 503))
    async def reverse(order_no: OrderNo, body: OrderActionIn, request: Request) -> JSONResponse:
        require_signer_is(request, body.kiosk_id)
        return JSONResponse(await run_in_threadpool(desk.reverse, body.kiosk_id, order_no))

    @app.get("/payments/bill", response_model=Bill, tags=["payments"],
             summary="The day's charges and refunds of this kiosk (对账单, Beijing calendar day)",
             responses=_errors(422))
    async def bill(request: Request, date: dt.date, kiosk_id: Annotated[str, Query(max_length=64)]) -> JSONResponse:
        require_signer_is(request, kiosk_id)
        return JSONResponse(desk.bill(date, kiosk_id))

    @app.post("/payments/sim/pay", response_model=PhonePaid, tags=["payment simulator"],
              summary="Simulator only: the citizen's phone pays this QR (demo and tests)",
              responses=_errors(409))
    async def phone_pays(body: PhonePayIn) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(desk.phone_pays, body.qr_content))
