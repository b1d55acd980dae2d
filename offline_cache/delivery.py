"""What the sync worker needs from whoever delivers submissions: the delivery protocol.

The outbox does not know the platform's HTTP client. `offline_cache.sync.SyncWorker` is
given any object with `submit(kind, submission_id, body) -> reply`; a failed attempt raises
`DeliveryError` (or a subclass), which says whether to retry and when. `kiosk.platform`'s
`PlatformClient` satisfies the protocol (its `PlatformError` is a `DeliveryError`), and the
composition (`kiosk.app.build_kiosk`) passes it in. Any other exception from `submit` is
treated as a bug in the client: the row is kept and retried.
"""
from __future__ import annotations

from typing import Protocol


class DeliveryError(Exception):
    """A delivery attempt failed, classified by the deliverer.

    retryable     the outcome is unknown or temporary (transport error, 5xx, 408/429, ...):
                  re-send later with the same submission id;
    status        the platform's status code, if it answered (401/403 pause the whole queue:
                  a credentials problem, not the submission's);
    retry_after   seconds the platform asked us to wait, if it did;
    reason        short code without personal data, kept as the row's `last_error`.
    """

    def __init__(self, message: str, *, retryable: bool, status: int | None = None,
                 retry_after: float | None = None, code: str = "error"):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.code = code

    @property
    def reason(self) -> str:
        return self.code

    @property
    def credentials_refused(self) -> bool:
        """The platform refused the kiosk itself (expired or revoked device certificate)."""
        return self.status in (401, 403)


class Delivery(Protocol):
    """Sends one submission; the submission id is the Idempotency-Key, so re-sending after an
    ambiguous failure must return the original result. Returns the platform's reply (only
    `offline_cache.sync.RESULT_FIELDS` of it are kept). Raises `DeliveryError` on failure."""

    def submit(self, kind: str, submission_id: str, body: dict) -> dict: ...
