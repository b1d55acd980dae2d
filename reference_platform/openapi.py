"""The platform contract as OpenAPI 3: FastAPI's generated document plus what it cannot infer
(idempotency semantics, request-signature headers, replay header, error bodies).

    python -m reference_platform.openapi            # rewrite docs/openapi.json
    python -m reference_platform.openapi --check    # exit 1 if docs/openapi.json is stale

tests/test_platform_contract.py checks the served document equals docs/openapi.json and
that the routes of the running app and the document agree.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from fastapi.openapi.utils import get_openapi

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"

IDEMPOTENCY_DESCRIPTION = (
    "The submission's own client-generated UUID (also in the body as application_id / rating_id), as an "
    "RFC 8941 sf-string (`\"uuid\"`) or bare. Kept permanently per kiosk. Same key + same body -> the original "
    "result again (header `Idempotent-Replayed: true`); same key + different body -> 422 "
    "`idempotency_key_reused`; same key while the first request is still processing -> 409 "
    "`request_in_progress` with `Retry-After`; missing/malformed -> 400. Only successful results are stored: a "
    "request that failed (4xx/5xx) may be retried with the same key after the cause is fixed.")

# POSTs that accept a key but do not need one: the heartbeat (an upsert) and the licence reads, which are
# POSTs only so that the holder's ID number travels in the signed body, not in a URL (issue 15).
OPTIONAL_IDEMPOTENCY_PATHS = ("/heartbeat", "/licences/search", "/licences/{licence_id}/document",
                              "/licences/{licence_id}/print-tokens")

# A UUID, bare or as an RFC 8941 sf-string; it must also equal the body's id (422 idempotency_key_mismatch).
UUID_KEY_PATTERN = r'^"?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"?$'

SIGNATURE_REQUIREMENT = ("Required when the platform verifies request signatures (KSIG1, docs/platform-api.md); "
                         "a platform without signature keys ignores it. ")

SIGNATURE_HEADERS = {
    "X-Kiosk-Id": "Kiosk id; must equal the body's kiosk_id on submissions (else 403 kiosk_mismatch).",
    "X-Sig-Timestamp": "Unix seconds at signing; rejected outside the clock-skew window (401 signature_expired).",
    "X-Sig-Nonce": "32 lower-case hex digits, new for every attempt; a repeat is 401 nonce_replayed.",
    "X-Content-SM3": "Lower-case hex SM3 of the body bytes as sent (401 digest_mismatch otherwise).",
    "X-Signature": "`HMAC-SM3 <base64>` over `KSIG1\\nMETHOD\\nPATH[?QUERY]\\nKIOSK_ID\\nTIMESTAMP\\nNONCE\\nSM3HEX` "
                   "(docs/platform-api.md). 401 signature_missing / signature_invalid / unknown_kiosk.",
}

ERROR_DESCRIPTIONS = {
    "400": "Idempotency-Key missing or malformed (`idempotency_key_missing`, `idempotency_key_invalid`). Permanent.",
    "401": "Request signature refused (`signature_missing`, `signature_invalid`, `signature_expired`, "
           "`nonce_replayed`, `digest_mismatch`, `unknown_kiosk`). The kiosk pauses its queue and alerts.",
    "403": "Signed by another kiosk than the body's kiosk_id (`kiosk_mismatch`). Permanent.",
    "409": "`request_in_progress` (same key still being processed; retry as is after Retry-After) or a business "
           "conflict such as `already_rated` (permanent).",
    "422": "Validation failed (`invalid_request`, `invalid_form`, `unknown_service`, `invalid_attachment`, "
           "`unknown_application`) or `idempotency_key_reused` / `idempotency_key_mismatch`. Permanent: "
           "dead-lettered by the kiosk.",
    "429": "Too many requests; `Retry-After` says when to come back. Retryable.",
    "503": "Temporarily unavailable; `Retry-After` may be given. Retryable. Nothing was done.",
}


def build_openapi(app) -> dict:
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    spec = copy.deepcopy(spec)
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            unsigned = (method == "get" and path.startswith(("/fleet", "/applications/", "/verify/"))) \
                or path.startswith(("/app/", "/payments/sim/"))
            params = operation.setdefault("parameters", [])
            if method == "post" and not path.startswith(("/identity/", "/app/")):   # not submissions
                for param in params:
                    if param["name"] == "Idempotency-Key":
                        param["description"] = IDEMPOTENCY_DESCRIPTION
                        # /heartbeat accepts any key and does not use it (an upsert); submissions need the UUID.
                        param["schema"] = ({"type": "string"} if path in OPTIONAL_IDEMPOTENCY_PATHS
                                           else {"type": "string", "pattern": UUID_KEY_PATTERN})
                        param["required"] = path not in OPTIONAL_IDEMPOTENCY_PATHS
                success = next(code for code in operation["responses"] if code.startswith("2"))
                operation["responses"][success].setdefault("headers", {})["Idempotent-Replayed"] = {
                    "description": "`true` when this is the stored result of an earlier request with the same key",
                    "schema": {"type": "string", "enum": ["true"]}}
                for code in ("400", "429", "503"):
                    operation["responses"].setdefault(code, {"description": ""})
            if not unsigned:
                for header, description in SIGNATURE_HEADERS.items():
                    if any(param["name"] == header for param in params):
                        continue         # the route declares it itself (identity by phone: X-Kiosk-Id)
                    params.append({"name": header, "in": "header", "required": False,
                                   "description": SIGNATURE_REQUIREMENT + description, "schema": {"type": "string"}})
                operation["responses"].setdefault("401", {"description": ""})
            for code, response in operation["responses"].items():
                if code in ERROR_DESCRIPTIONS:
                    response["description"] = ERROR_DESCRIPTIONS[code]
                    response.setdefault("content", error_ref["content"])
    return spec


def render(app) -> str:
    return json.dumps(build_openapi(app), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _default_app():
    import tempfile

    from reference_platform.app import create_app
    from reference_platform.store import Store
    store = Store(Path(tempfile.mkdtemp()) / "openapi.sqlite3")
    return create_app(store)


def main(argv: list[str]) -> int:
    text = render(_default_app())
    if "--check" in argv:
        if DOC_PATH.read_text(encoding="utf-8") != text:
            print(f"{DOC_PATH} is stale: run python -m reference_platform.openapi", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
