"""Both sides of the platform contract against docs/openapi.json:

* the reference platform, fuzzed by schemathesis (coverage, fuzzing and stateful phases) on
  loopback: every documented constraint is enforced and nothing undocumented is required;
* the kiosk's own PlatformClient: each request it really sends (captured with a requests hook
  at the reference platform, signed as the kiosk signs them) validated against the document
  with jsonschema_rs: path, required parameters, parameter schemas, body schema, content type.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema_rs
import pytest
import requests

from kiosk.platform import PlatformClient
from kiosk.signing import ALG_HMAC_SM3, make_signer
from reference_platform.openapi import DOC_PATH
from reference_platform.server import ReferencePlatformServer
from tests.test_platform_client import KIOSK_ID, application_body, rating_body

SIGNING_KEY = bytes(range(32))
ST_EXAMPLES = 10      # per operation and phase: ~10 s on this machine; a CI nightly can raise it
ST_SEED = 1           # reproducible in CI; change it locally to explore further

# A schema-valid request may still be refused with 422: the document cannot express that a
# service id must be in the catalog, that a form must satisfy that service's field rules, or that
# the Idempotency-Key must equal the body's id. Everything else the check expects stays as is.
# Identity by phone: a well-formed code or device code may still be expired (410), used (409) or,
# on the RFC 8628 token endpoint, not yet confirmed (400 authorization_pending), all documented.
ST_CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "410", "422", "429"]
"""


@pytest.fixture
def platform(tmp_path):
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3")
    url = server.start()
    yield server, url
    server.stop()


# --- the reference platform against the document (schemathesis) --------------------------

def schemathesis_command() -> list[str]:
    st = Path(sys.executable).with_name("st")
    return [str(st)] if st.exists() else [sys.executable, "-m", "schemathesis.cli"]


@pytest.mark.slow
def test_schemathesis_finds_no_mismatch_between_the_platform_and_its_document(platform, tmp_path):
    _server, url = platform
    config = tmp_path / "schemathesis.toml"
    config.write_text(ST_CONFIG, encoding="utf-8")
    started = time.monotonic()
    run = subprocess.run(schemathesis_command() + [
        "--config-file", str(config), "run", str(DOC_PATH), "--url", url, "--max-examples", str(ST_EXAMPLES),
        "--seed", str(ST_SEED), "--no-color",
        # The phone-app simulator's side (/app/...: the app backend's stand-in, not the kiosk contract)
        # is covered by tests/test_phone_identity_platform.py; fuzzing it here only costs time.
        "--exclude-path-regex", "^/app/"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    elapsed = time.monotonic() - started
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert re.search(r"\d+ generated, \d+ passed", run.stdout), report
    assert elapsed < 60, f"schemathesis took {elapsed:.0f} s"


# --- the kiosk client's requests against the document ------------------------------------

def documented() -> dict:
    return json.loads(DOC_PATH.read_text(encoding="utf-8"))


def find_operation(spec: dict, method: str, path: str) -> tuple[dict, dict[str, str]]:
    """The documented operation for a concrete path, and its path parameters."""
    for template, operations in spec["paths"].items():
        names = re.findall(r"{(\w+)}", template)
        regex = "^" + re.sub(r"{\w+}", "([^/]+)", template) + "$"
        match = re.match(regex, path)
        if match and method.lower() in operations:
            return operations[method.lower()], {n: unquote(v) for n, v in zip(names, match.groups())}
    raise AssertionError(f"{method} {path} is not in docs/openapi.json")


def schema_validator(spec: dict, schema: dict):
    """A validator for one schema whose $refs resolve inside the OpenAPI document."""
    return jsonschema_rs.validator_for({**schema, "components": spec["components"]})


def request_problems(spec: dict, request: requests.PreparedRequest) -> list[str]:
    """Everything in a captured request that the document does not allow (empty: conforms)."""
    url = urlsplit(request.url)
    operation, path_params = find_operation(spec, request.method, url.path)
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    headers = {name.lower(): value for name, value in request.headers.items()}
    values = {"path": path_params, "query": query, "header": headers}
    problems = []
    for param in operation.get("parameters", []):
        where, name = param["in"], param["name"]
        value = values.get(where, {}).get(name.lower() if where == "header" else name)
        if value is None:
            if param.get("required"):
                problems.append(f"missing required {where} parameter {name}")
            continue
        for error in schema_validator(spec, param.get("schema", {})).iter_errors(value):
            problems.append(f"{where} parameter {name}: {error.message}")
    documented_body = operation.get("requestBody")
    if documented_body is None:
        if request.body:
            problems.append("a body where none is documented")
        return problems
    content_type = headers.get("content-type", "").split(";")[0].strip()
    media = documented_body["content"].get(content_type)
    if media is None:
        return problems + [f"content type {content_type!r} not documented"]
    body = json.loads(request.body)
    for error in schema_validator(spec, media["schema"]).iter_errors(body):
        problems.append(f"body at {list(error.instance_path)}: {error.message}")
    return problems


def capture(session: requests.Session) -> list[requests.PreparedRequest]:
    sent: list[requests.PreparedRequest] = []
    session.hooks["response"].append(lambda response, *args, **kwargs: sent.append(response.request))
    return sent


def exercise(client: PlatformClient, server) -> None:
    """Every call the kiosk makes, as the kiosk makes it."""
    server.reference_photos["441202193801011234"] = b"\xff\xd8\xff\xd9"
    client.get_catalog()
    client.get_catalog_raw()
    key = str(uuid.uuid4())
    body = application_body(key)
    receipt = client.submit("application", key, body)
    client.submit("application", key, body)                              # replay
    rating_id = str(uuid.uuid4())
    client.submit("rating", rating_id, rating_body(rating_id, key))
    client.get_application(receipt["query_token"])
    client.get_application(key)
    client.get_reference_photo("441202193801011234")
    client.heartbeat({"kiosk_id": KIOSK_ID, "outbox_pending": 0, "devices": {"printer": "online"}})


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_every_request_the_kiosk_client_sends_conforms_to_the_document(tmp_path, signed):
    keys = {KIOSK_ID: SIGNING_KEY} if signed else None
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", signature_keys=keys)
    url = server.start()
    try:
        session = requests.Session()
        sent = capture(session)
        signer = make_signer(ALG_HMAC_SM3, SIGNING_KEY) if signed else None
        client = PlatformClient(url, KIOSK_ID, session=session, signer=signer)
        exercise(client, server)
    finally:
        server.stop()
    spec = documented()
    assert len(sent) == 9
    problems = {f"{r.method} {urlsplit(r.url).path}": request_problems(spec, r) for r in sent}
    assert all(not found for found in problems.values()), problems


def test_the_request_check_catches_what_it_is_for():
    """The checker itself: a request the document forbids is reported."""
    spec = documented()
    key = str(uuid.uuid4())
    bad = requests.Request("POST", "http://127.0.0.1/applications", json={**application_body(key), "kiosk_id": "a b"},
                           headers={"Idempotency-Key": "not-a-uuid"}).prepare()
    problems = request_problems(spec, bad)
    assert any("Idempotency-Key" in p for p in problems) and any("kiosk_id" in p for p in problems), problems
    missing = requests.Request("POST", "http://127.0.0.1/ratings", json={}).prepare()
    assert any("missing required header parameter Idempotency-Key" in p for p in request_problems(spec, missing))
