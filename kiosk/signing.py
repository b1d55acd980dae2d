"""Request signatures: every HTTP attempt to the platform carries a fresh, verifiable signature.

Why on top of (m)TLS: TLS may end at a gateway in front of the platform; the signature
travels with the request to the application, names the kiosk, binds the exact body and
carries a timestamp and nonce so a captured request cannot be replayed later.

Scheme `KSIG1` (documented in docs/platform-api.md, "Request signatures"):

    canonical = "KSIG1\\n" METHOD "\\n" PATH[?QUERY] "\\n" KIOSK_ID "\\n" TIMESTAMP "\\n" NONCE "\\n" SM3(BODY)

    X-Kiosk-Id:        kiosk id
    X-Sig-Timestamp:   unix seconds (integer) at signing time
    X-Sig-Nonce:       128-bit random, 32 lower-case hex digits, new for every attempt
    X-Content-SM3:     lower-case hex SM3 of the body bytes exactly as sent ("" body -> SM3 of b"")
    X-Signature:       "<ALGORITHM> <base64 signature>", e.g. "HMAC-SM3 q1w2..."

The platform rejects a signature outside its clock-skew window or with a nonce it has
already seen for that kiosk. Signing happens at send time, per attempt (a requests auth
hook), never at enqueue: the Idempotency-Key stays the same across retries, the nonce
and timestamp do not.

The algorithm is pluggable (`Signer`): HMAC-SM3 with a per-kiosk secret is the default;
an SM2 signer (e.g. via tongsuopy) only has to provide `algorithm` and `sign()`.
"""
from __future__ import annotations

import base64
import secrets
import time
from typing import Callable, Protocol

from cryptography.hazmat.primitives import hashes, hmac
from requests.auth import AuthBase

from kiosk.crypto import sm3_hex

SCHEME = "KSIG1"
ALG_HMAC_SM3 = "HMAC-SM3"
HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Sig-Timestamp"
HEADER_NONCE = "X-Sig-Nonce"
HEADER_DIGEST = "X-Content-SM3"
HEADER_SIGNATURE = "X-Signature"


class Signer(Protocol):
    algorithm: str

    def sign(self, message: bytes) -> bytes: ...


class HmacSm3Signer:
    """HMAC-SM3 (GB/T 32905 hash in RFC 2104 HMAC) with a per-kiosk secret shared with the platform."""

    algorithm = ALG_HMAC_SM3

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("HMAC-SM3 signing key must be at least 16 bytes")
        self._key = bytes(key)

    def sign(self, message: bytes) -> bytes:
        mac = hmac.HMAC(self._key, hashes.SM3())
        mac.update(message)
        return mac.finalize()


# Factories by algorithm name, so configuration can select one ("HMAC-SM3"; later "SM2-SM3").
SIGNERS: dict[str, Callable[[bytes], Signer]] = {ALG_HMAC_SM3: HmacSm3Signer}


def make_signer(algorithm: str, key: bytes) -> Signer:
    try:
        return SIGNERS[algorithm](key)
    except KeyError:
        raise ValueError(f"unknown signature algorithm {algorithm!r}; known: {sorted(SIGNERS)}") from None


def canonical_message(method: str, path: str, kiosk_id: str, timestamp: str, nonce: str, body_sm3: str) -> bytes:
    return "\n".join([SCHEME, method.upper(), path, kiosk_id, timestamp, nonce, body_sm3]).encode("utf-8")


def signature_headers(signer: Signer, *, method: str, path: str, kiosk_id: str, body: bytes,
                      now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    digest = sm3_hex(body)
    signature = signer.sign(canonical_message(method, path, kiosk_id, timestamp, nonce, digest))
    return {HEADER_KIOSK: kiosk_id, HEADER_TIMESTAMP: timestamp, HEADER_NONCE: nonce, HEADER_DIGEST: digest,
            HEADER_SIGNATURE: f"{signer.algorithm} {base64.b64encode(signature).decode('ascii')}"}


class RequestSigningAuth(AuthBase):
    """requests auth hook: signs each prepared request (i.e. every attempt) just before it is sent."""

    def __init__(self, signer: Signer, kiosk_id: str, clock: Callable[[], float] = time.time):
        self.signer = signer
        self.kiosk_id = kiosk_id
        self._clock = clock

    def __call__(self, request):
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, (bytes, bytearray)):
            raise TypeError("cannot sign a streamed request body")
        # path_url = path + "?" + query, exactly as it goes on the request line.
        request.headers.update(signature_headers(self.signer, method=request.method, path=request.path_url,
                                                 kiosk_id=self.kiosk_id, body=bytes(body), now=self._clock()))
        return request
