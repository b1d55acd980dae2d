"""FastAPI routes of the reference platform. `create_app(store, faults)` builds the ASGI app."""
from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Callable

from fastapi import FastAPI, Header, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from reference_platform.catalog import Catalog
from reference_platform.config_bundles import ConfigBundles
from reference_platform.errors import ApiError, install_error_handlers
from reference_platform.faults import ConnectionAborter, FaultInjectionMiddleware, Faults
from reference_platform.fleet import render_fleet_page
from reference_platform.idempotency import Outcome
from reference_platform.licence_routes import install_licence_routes
from reference_platform.licences import LicenceStore
from reference_platform.models import (ApplicationIn, ApplicationReceipt, ApplicationStatus, CatalogOut, ErrorBody,
                                       HeartbeatAck, HeartbeatIn, RatingIn, RatingRecorded)
from reference_platform.numbers import BEIJING, beijing_now, iso_seconds, looks_like_application_number
from reference_platform.payment_routes import install_payment_routes
from reference_platform.payments import PaymentDesk
from reference_platform.signatures import SignatureMiddleware, SignatureVerifier
from reference_platform.store import Store
from reference_platform.submissions import Submissions

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key",
                                              description="The submission's own UUID (application_id / rating_id)")]


def _errors(*statuses: int) -> dict:
    return {status: {"model": ErrorBody} for status in statuses}


def create_app(store: Store, faults: Faults | None = None, *, catalog: Catalog | None = None,
               clock: Callable[[], dt.datetime] = beijing_now,
               connection_aborter: Callable[[], ConnectionAborter | None] = lambda: None,
               reference_photos: dict[str, bytes] | None = None,
               signature_verifier: SignatureVerifier | None = None, catalog_signing_key=None,
               config_bundles: ConfigBundles | None = None, app_identity=None,
               licences: LicenceStore | None = None, payments: PaymentDesk | None = None) -> FastAPI:
    """`clock` returns an aware datetime (Beijing time by default); `connection_aborter` is supplied by
    the server so the drop-after-commit fault can cut the TCP connection. With a `signature_verifier`
    every kiosk call must carry a valid KSIG1 request signature (see reference_platform/signatures.py)."""
    faults = faults or Faults()
    catalog = catalog or Catalog.load()
    given_clock = clock

    def clock() -> dt.datetime:  # numbers and dates follow the Beijing calendar day, whatever clock is given
        return given_clock().astimezone(BEIJING)

    payments = payments or PaymentDesk(catalog)   # 统一支付: orders + provider simulator (docs/payment.md)
    submissions = Submissions(store, catalog, faults, clock, payments)

    app = FastAPI(title="Reference government service platform", version="1.0",
                  description="Stand-in for the central platform: catalog, idempotent submissions, status, "
                              "ratings (好差评), kiosk heartbeats. Idempotency keys never expire.")
    install_error_handlers(app)
    # Added first = inside the fault middleware: an injected outage hits before any checking.
    app.add_middleware(SignatureMiddleware, verifier=signature_verifier)
    app.add_middleware(FaultInjectionMiddleware, faults=faults, abort_connection=connection_aborter)

    def reply(outcome: Outcome) -> JSONResponse:
        return JSONResponse(outcome.body, status_code=outcome.status, headers=outcome.headers)

    def require_signer_is(request: Request, kiosk_id: str) -> None:
        """A signed request may only act for the kiosk that signed it (idempotency keys are per kiosk)."""
        signed = request.scope.get("state", {}).get("signed_kiosk_id")
        if signed is not None and signed != kiosk_id:
            raise ApiError(403, "kiosk_mismatch", "kiosk_id in the body differs from the signing kiosk")

    catalog_bytes = json.dumps(catalog.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    catalog_headers = {}
    if catalog_signing_key is not None:   # Ed25519 private key: detached signature over the exact bytes
        catalog_headers["X-Catalog-Signature"] = base64.b64encode(catalog_signing_key.sign(catalog_bytes)).decode()

    @app.get("/catalog", response_model=CatalogOut)
    def get_catalog() -> Response:
        # Served verbatim (not re-serialised through the model) so the kiosk sees exactly catalog.json.
        return Response(catalog_bytes, media_type="application/json", headers=catalog_headers)

    @app.post("/applications", status_code=201, response_model=ApplicationReceipt,
              responses=_errors(400, 401, 403, 409, 422, 503))
    async def post_application(body: ApplicationIn, request: Request,
                               idempotency_key: IdempotencyKey = None) -> JSONResponse:
        require_signer_is(request, body.kiosk_id)
        raw = await request.body()  # the fingerprint covers the body exactly as sent
        return reply(await run_in_threadpool(submissions.submit_application, idempotency_key, raw, body))

    @app.get("/applications/{reference}", response_model=ApplicationStatus, responses=_errors(404),
             summary="Progress of an application, by its query token or application UUID")
    def get_application(reference: Annotated[str, Path(
            description="The receipt's query token, or the application UUID (offline receipts). Not the "
                        "application number: numbers are sequential, so anyone could walk through them.",
            max_length=64)]) -> JSONResponse:
        status = store.application_status(reference)
        if status is None:
            # The same answer whether or not such a number exists: no oracle for guessed numbers.
            code = "query_token_required" if looks_like_application_number(reference) else "unknown_application"
            raise ApiError(404, code, "no application with this query token or application id")
        return JSONResponse(status)

    photos = reference_photos if reference_photos is not None else {}

    @app.get("/reference-photos/{id_number}", responses=_errors(404),
             response_class=Response, summary="Reference photo on record (face-only services)")
    def get_reference_photo(id_number: str) -> Response:
        # The photo the authorities hold for this ID number (a stand-in for the
        # public-security photo service), for 1:1 face checks without a card.
        photo = photos.get(id_number)
        if photo is None:
            raise ApiError(404, "no_reference_photo", "no reference photo on record for this ID number")
        return Response(photo, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.post("/ratings", status_code=201, response_model=RatingRecorded,
              responses=_errors(400, 401, 403, 409, 422, 503))
    async def post_rating(body: RatingIn, request: Request, idempotency_key: IdempotencyKey = None) -> JSONResponse:
        require_signer_is(request, body.kiosk_id)
        raw = await request.body()
        return reply(await run_in_threadpool(submissions.submit_rating, idempotency_key, raw, body))

    @app.post("/heartbeat", response_model=HeartbeatAck, responses=_errors(401, 403, 422))
    def post_heartbeat(body: HeartbeatIn, request: Request, idempotency_key: IdempotencyKey = None) -> dict:
        # A heartbeat is an upsert of the kiosk's latest state, idempotent by nature: the optional
        # Idempotency-Key is accepted for uniformity and not needed for deduplication.
        require_signer_is(request, body.kiosk_id)
        now = iso_seconds(clock())
        store.record_heartbeat(body.kiosk_id, body.model_dump(mode="json"), now)
        return {"ok": True, "server_time": now}

    bundles = config_bundles if config_bundles is not None else ConfigBundles(catalog_signing_key)

    @app.get("/config-bundles/{scope}/{target}", responses=_errors(403, 404), response_class=Response,
             summary="Signed configuration bundle of a kiosk group or of one kiosk (docs/fleet.md)")
    def get_config_bundle(request: Request,
                          scope: Annotated[str, Path(pattern="^(group|kiosk)$")],
                          target: Annotated[str, Path(max_length=64)]) -> Response:
        # The exact bytes that were signed; X-Config-Signature = base64 Ed25519 over
        # "kiosk-config-bundle-v1\n" + bytes. A kiosk may fetch only its own kiosk bundle.
        if scope == "kiosk":
            require_signer_is(request, target)
        found = bundles.get(scope, target)
        if found is None:
            raise ApiError(404, "no_config_bundle", f"no configuration bundle for {scope} {target}")
        raw, signature = found
        return Response(raw, media_type="application/json",
                        headers={"X-Config-Signature": signature, "Cache-Control": "no-store"})

    # Identity by phone (app code, app login): reference_platform/app_identity.py.
    from reference_platform.app_identity import AppIdentity
    from reference_platform.app_identity_api import install_app_identity_routes
    install_app_identity_routes(app, app_identity if app_identity is not None else AppIdentity({}))

    # Electronic licences (issue 15): reference_platform/licence_routes.py
    install_licence_routes(app, licences if licences is not None else LicenceStore(), clock, require_signer_is)

    install_payment_routes(app, payments, require_signer_is)

    @app.get("/fleet", response_class=HTMLResponse)
    def get_fleet() -> HTMLResponse:
        return HTMLResponse(render_fleet_page(store.heartbeats()))

    # The served /openapi.json is the documented contract (docs/openapi.json), not FastAPI's bare inference.
    from reference_platform.openapi import build_openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi
    return app
