"""docs/openapi.json is the contract: the running reference platform must match it exactly,
and what it documents (idempotency replies, error bodies) must be what the server does."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from fastapi.routing import APIRoute

from reference_platform.openapi import DOC_PATH, OPTIONAL_IDEMPOTENCY_PATHS, render
from reference_platform.server import ReferencePlatformServer
from tests.test_platform_client import application_body

FASTAPI_OWN = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    server = ReferencePlatformServer(tmp_path_factory.mktemp("contract") / "platform.sqlite3")
    url = server.start()
    yield server, url
    server.stop()


def documented() -> dict:
    return json.loads(DOC_PATH.read_text(encoding="utf-8"))


def test_served_document_is_the_committed_one(platform):
    server, url = platform
    served = requests.get(url + "/openapi.json", timeout=5).json()
    assert served == documented(), "docs/openapi.json is stale: run python -m reference_platform.openapi"
    assert render(server.app) == DOC_PATH.read_text(encoding="utf-8")


def test_routes_of_the_app_and_the_document_agree(platform):
    server, _ = platform
    served_routes = {(route.path, method.lower()) for route in server.app.routes
                     if isinstance(route, APIRoute) and route.path not in FASTAPI_OWN
                     for method in route.methods if method != "HEAD"}
    doc_routes = {(path, method) for path, ops in documented()["paths"].items() for method in ops}
    assert served_routes == doc_routes
    assert {("/catalog", "get"), ("/applications", "post"), ("/applications/{reference}", "get"),
            ("/ratings", "post"), ("/heartbeat", "post")} <= doc_routes


PAYMENT_ACTIONS = ("/payments/orders/{order_no}/", "/payments/sim/")


def test_every_post_documents_idempotency_and_error_bodies():
    spec = documented()
    for path, ops in spec["paths"].items():
        if "post" not in ops or path.startswith(("/identity/", "/app/")):   # not submissions: tests/test_phone_identity_platform.py
            continue
        op = ops["post"]
        if path.startswith(PAYMENT_ACTIONS):
            # close / micropay / reverse act on an existing order and are idempotent by its state
            # (the same payment code again -> the same answer, never a second charge: docs/payment.md);
            # the simulator's "phone" is not a kiosk call.
            assert "Idempotency-Key" not in {p["name"] for p in op.get("parameters", [])}
            continue
        [key] = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
        assert key["in"] == "header" and "422" in key["description"] and "409" in key["description"]
        assert key["required"] == (path not in OPTIONAL_IDEMPOTENCY_PATHS)
        for code in ("400", "401", "422", "429", "503"):
            assert op["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}, (path, code)
        success = next(c for c in op["responses"] if c.startswith("2"))
        assert "Idempotent-Replayed" in op["responses"][success]["headers"]
        assert {p["name"] for p in op["parameters"]} >= {"X-Kiosk-Id", "X-Sig-Timestamp", "X-Sig-Nonce",
                                                        "X-Content-SM3", "X-Signature"}


def _post(url, body, key):
    headers = {} if key is None else {"Idempotency-Key": f'"{key}"'}
    return requests.post(url + "/applications", json=body, headers=headers, timeout=5)


def test_documented_idempotency_behaviour_is_what_the_server_does(platform):
    _, url = platform
    app_id = str(uuid.uuid4())
    body = application_body(app_id)
    first = _post(url, body, app_id)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = _post(url, body, app_id)
    assert (again.status_code, again.json(), again.headers["Idempotent-Replayed"]) == (201, first.json(), "true")
    changed = _post(url, {**body, "form": {"x": "1"}}, app_id)
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"
    missing = _post(url, body, None)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "idempotency_key_missing"
    spec = documented()
    error_schema = spec["components"]["schemas"]["ErrorDetail"]
    for reply in (changed, missing):
        assert set(reply.json()) == {"error"} and set(reply.json()["error"]) == set(error_schema["required"])
