"""Verification of the kiosks' request signatures (scheme KSIG1, docs/platform-api.md).

Written independently of the kiosk's signer (kiosk/signing.py) on purpose: the kiosk
package is not imported here, so a mistake on one side shows up as a test failure
instead of being shared by both.

Checks, in order, each with its own 401 error code:
  signature_missing   a header is absent or malformed
  unknown_kiosk       no key for X-Kiosk-Id
  digest_mismatch     X-Content-SM3 is not the SM3 of the body received
  signature_expired   |server time - X-Sig-Timestamp| > window (clock skew / old capture)
  signature_invalid   the signature does not verify
  nonce_replayed      this kiosk already used the nonce inside the window
The nonce is remembered only after the signature verified (an attacker cannot burn a
kiosk's nonces) and persisted in the store, so a restart does not reopen the window.
"""
from __future__ import annotations

import base64
import hmac as std_hmac
import re
import time
from typing import Callable, Mapping

from cryptography.hazmat.primitives import hashes, hmac

from reference_platform.errors import error_response

DEFAULT_WINDOW_S = 300.0
MAX_SIGNED_BODY = 32 * 1024 * 1024
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")

# Operator pages in a browser and the citizen-facing status query (token or number; no personal
# data in the answer) are not kiosk calls.
# The phone app's side of identity by phone (a stand-in for the app backend): not a kiosk, never kiosk-signed.
PHONE_APP_PREFIX = "/app/"
UNSIGNED_GET_PREFIXES = ("/fleet", "/docs", "/redoc", "/openapi.json", "/applications/", "/verify/")
# The payment simulator's "citizen's phone" is not a kiosk: it never signs (docs/payment.md).
UNSIGNED_POST_PREFIXES = ("/payments/sim/",)


class SignatureRejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


class SignatureVerifier:
    def __init__(self, keys: Mapping[str, bytes], remember_nonce: Callable[[str, str, float, float], bool], *,
                 window_s: float = DEFAULT_WINDOW_S, clock: Callable[[], float] = time.time):
        """`remember_nonce(kiosk_id, nonce, now, window_s)` returns False if already seen."""
        self.keys = dict(keys)
        self.window_s = window_s
        self._remember_nonce = remember_nonce
        self._clock = clock
        self.rejections: dict[str, int] = {}

    def verify(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> str:
        """Return the verified kiosk id or raise SignatureRejected."""
        try:
            kiosk_id = headers["x-kiosk-id"]
            timestamp = headers["x-sig-timestamp"]
            nonce = headers["x-sig-nonce"]
            digest = headers["x-content-sm3"]
            algorithm, _, signature_b64 = headers["x-signature"].partition(" ")
            signature = base64.b64decode(signature_b64, validate=True)
            signed_at = int(timestamp)
        except (KeyError, ValueError):
            raise SignatureRejected("signature_missing", "request signature headers missing or malformed") from None
        if not _NONCE.match(nonce) or not _DIGEST.match(digest) or str(signed_at) != timestamp:
            raise SignatureRejected("signature_missing", "request signature headers missing or malformed")
        key = self.keys.get(kiosk_id)
        if key is None:
            raise SignatureRejected("unknown_kiosk", "no signing key registered for this kiosk")
        if algorithm != "HMAC-SM3":
            raise SignatureRejected("signature_invalid", "unsupported signature algorithm")
        if not std_hmac.compare_digest(_sm3_hex(body), digest):
            raise SignatureRejected("digest_mismatch", "X-Content-SM3 does not match the body")
        now = self._clock()
        if abs(now - signed_at) > self.window_s:
            raise SignatureRejected("signature_expired",
                                    f"signature timestamp outside the {int(self.window_s)} s window "
                                    "(check the kiosk clock)")
        canonical = "\n".join(["KSIG1", method.upper(), path, kiosk_id, timestamp, nonce, digest]).encode()
        if not std_hmac.compare_digest(_hmac_sm3(key, canonical), signature):
            raise SignatureRejected("signature_invalid", "signature does not verify")
        if not self._remember_nonce(kiosk_id, nonce, now, self.window_s):
            raise SignatureRejected("nonce_replayed", "this nonce was already used")
        return kiosk_id


class SignatureMiddleware:
    """Pure ASGI: buffers the body (needed for the digest), verifies, then replays it to the app."""

    def __init__(self, app, verifier: SignatureVerifier | None):
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.verifier is None or (
                scope["method"] == "GET" and scope["path"].startswith(UNSIGNED_GET_PREFIXES)) \
                or scope["path"].startswith(PHONE_APP_PREFIX) or (
                scope["method"] == "POST" and scope["path"].startswith(UNSIGNED_POST_PREFIXES)):
            await self.app(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_SIGNED_BODY:
                await error_response(413, "body_too_large", "request body too large")(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode("latin-1")
        try:
            kiosk_id = self.verifier.verify(scope["method"], path, headers, body)
        except SignatureRejected as exc:
            self.verifier.rejections[exc.code] = self.verifier.rejections.get(exc.code, 0) + 1
            await error_response(401, exc.code, exc.message)(scope, receive, send)
            return
        scope = {**scope, "state": {**scope.get("state", {}), "signed_kiosk_id": kiosk_id}}
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
