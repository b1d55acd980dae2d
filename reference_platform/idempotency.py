"""Idempotency-Key handling (draft-ietf-httpapi-idempotency-key-header).

Flow per request: claim (kiosk id, key) -> do the work and store the response in the *same*
transaction as the business row -> later requests with that key get the stored response.

* same key, same body        -> the original response, `Idempotent-Replayed: true`
* same key, different body   -> 422 idempotency_key_reused
* same key, still in flight  -> 409 + Retry-After: 1 (the client retries as is)
* work failed (4xx/5xx)      -> nothing recorded, the claim is released: a corrected retry may succeed
  (e.g. a rating that arrived before its application). Only successes are replayed.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Callable

from reference_platform.errors import ApiError
from reference_platform.store import Store, Transaction

MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {REPLAY_HEADER: "true"} if self.replayed else {}


def body_fingerprint(raw_body: bytes) -> str:
    """SHA-256 of the canonical JSON (sorted keys, compact): formatting and key order do not matter."""
    canonical = json.dumps(json.loads(raw_body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_key_header(header: str | None) -> str:
    """The header is an RFC 8941 sf-string (`"uuid"`); bare tokens are accepted too."""
    if header is None or not header.strip():
        raise ApiError(400, "idempotency_key_missing", "the Idempotency-Key header is required")
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(400, "idempotency_key_invalid", "the Idempotency-Key header is malformed")
    return key


def require_key_matches(key: str, body_id: uuid.UUID, field: str) -> str:
    """The key must be the submission's own id, so a key can never cover two different submissions."""
    try:
        matches = uuid.UUID(key) == body_id
    except ValueError:
        matches = False
    if not matches:
        raise ApiError(422, "idempotency_key_mismatch", f"Idempotency-Key must equal the body's {field}")
    return str(body_id)


def run_idempotent(store: Store, *, client_id: str, key: str, operation: str, fingerprint: str,
                   work: Callable[[Transaction], tuple[int, dict]], completed_at: Callable[[], str],
                   before_work: Callable[[], None] = lambda: None, two_phase: bool = True) -> Outcome:
    """two_phase=True: the claim commits first (so a concurrent retry sees 409 while the work runs
    outside the lock), then work + completion commit together. two_phase=False: claim, work and
    completion in ONE transaction under the store's single writer lock -- the same observable
    result (a concurrent retry waits for the lock and then gets the replay) with one fsync less."""
    if not two_phase:
        with store.transaction() as tx:
            claim = store.claim_key_in_transaction(client_id, key, operation, fingerprint)
            if claim.outcome == "claimed":
                status, response = work(tx)          # an ApiError rolls the claim back too
                tx.complete_key(client_id, key, status, response, completed_at())
                return Outcome(status, response)
        return _refusal_or_replay(claim)
    claim = store.claim_key(client_id, key, operation, fingerprint)
    if claim.outcome != "claimed":
        return _refusal_or_replay(claim)
    try:
        before_work()
        with store.transaction() as tx:
            status, response = work(tx)
            tx.complete_key(client_id, key, status, response, completed_at())
    except BaseException:
        store.release_key(client_id, key)
        raise
    return Outcome(status, response)


def _refusal_or_replay(claim) -> Outcome:
    if claim.outcome == "replay":
        return Outcome(claim.status_code, claim.response, replayed=True)
    if claim.outcome == "mismatch":
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was already used with a different request")
    if claim.outcome == "in_progress":
        raise ApiError(409, "request_in_progress", "a request with this Idempotency-Key is still being processed",
                       {"Retry-After": "1"})
    raise AssertionError(f"unexpected claim outcome {claim.outcome!r}")
