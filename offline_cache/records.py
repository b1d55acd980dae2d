"""What the outbox stores and reports: row states, submissions, entries, alerts, errors.

No I/O here; the other outbox modules (database, spool, queue, queue_admin) and their
callers share these types. `offline_cache.outbox` re-exports them.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class RowState(enum.StrEnum):
    """A row's state, stored as these exact strings (the schema's CHECK constraint lists them).

    A StrEnum: `RowState.PENDING == "pending"`, and it formats, binds and serialises as the
    plain string, so databases written before this Enum existed open unchanged.
    """
    PENDING = "pending"        # waiting (maybe in backoff, or for the application it rates)
    SENDING = "sending"        # claimed by the sync worker; back to pending if the kiosk dies now
    DELIVERED = "delivered"    # the platform's reply is kept; the payload is crypto-shredded
    DEAD = "dead"              # rejected permanently (or undecryptable): a technician's item


KINDS = ("application", "rating", "licence_print")   # licence_print: issue 15 print reports


class OutboxError(Exception):
    """The outbox database cannot be used (corrupt, not a database, wrong settings)."""


class DurabilitySettingsError(OutboxError):
    """SQLite would not run with WAL + synchronous=FULL: refuse to pretend it is durable."""


class OutboxWriteError(OutboxError):
    """`enqueue` could not store the submission: nothing was committed, no receipt may be given."""


class OutboxFullError(OutboxWriteError):
    """The disk (or the file-size limit) is full."""


class UndecryptableEntry(OutboxError):
    """A row's payload failed authentication; it was moved to `dead`."""

    def __init__(self, submission_id: str):
        super().__init__(f"submission {submission_id}: payload failed to decrypt; marked dead")
        self.submission_id = submission_id


@dataclass(frozen=True)
class OutboxAlert:
    """Something a technician must look at (shown on the technician screen / heartbeat)."""
    code: str            # "database_quarantined" | "spool_file_missing" | ...
    message: str         # file names and counts, never personal data
    at: float


@dataclass(frozen=True)
class Attachment:
    name: str               # e.g. "household_register.jpg"; kept inside the encryption
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Submission:
    submission_id: str      # uuid4, the Idempotency-Key, also in the body
    kind: str               # "application" | "rating" | "licence_print"
    body: dict              # JSON; contains personal data -> encrypted at rest
    created_at: float
    attachments: tuple = ()  # of Attachment; sent as body["attachments"] (base64)


@dataclass(frozen=True)
class OutboxEntry:
    """Clear-text view of a row: no personal data."""
    submission_id: str
    kind: str
    state: RowState
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: float
    result: dict | None          # the platform's reply once delivered
    delivered_at: float | None
    depends_on: str | None       # submission id this row must wait for


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    sending: int
    delivered: int
    dead: int
    oldest_pending_age_s: float | None
