"""Durable, encrypted outbox of citizen submissions (SQLite): the facade over its parts.

A submission is "accepted" by the kiosk when `Outbox.enqueue` returns: that happens
only after a COMMIT with `journal_mode=WAL` + `synchronous=FULL`, so a receipt printed
afterwards survives a crash or a power cut (as far as the storage honours flushes).

The parts, one module each:

* `offline_cache.records`   row states (`RowState`), submissions, entries, alerts, errors;
* `offline_cache.database`  the durable SQLite connection: settings read back on every
  connection, `BEGIN IMMEDIATE` transactions, directory fsync, quarantine of a damaged file;
* `offline_cache.spool`     the encrypted payload: envelope-sealed body, large attachments
  as encrypted spool files (fsynced before the row commits);
* `offline_cache.queue`     enqueue, claim and the state changes below;
* `offline_cache.queue_admin` technician operations (status, retry dead rows, export).

Row life cycle::

    pending --claim_next--> sending --mark_delivered--> delivered (payload crypto-shredded)
       ^                       |----mark_retry-------> pending (next_attempt_at in the future)
       +----recover() at open--+----mark_dead--------> dead (technician-visible, never retried)

Delivery is at-least-once: a crash while `sending` puts the row back to `pending` and it is
re-sent with the same submission id (= Idempotency-Key); the platform removes duplicates.

Only non-personal metadata is stored in clear: ids, kind, state, timing, error codes and the
platform's reply (application number, status, query token). After delivery the ciphertext
and the wrapped data key are deleted in the same transaction (crypto-shredding), with
`secure_delete=ON` so SQLite overwrites the freed pages.

Ordering rule. Rows are claimed in insertion order (`seq`, AUTOINCREMENT: the order
`enqueue` committed them; unlike the wall-clock `created_at` it cannot go backwards when
the clock is corrected after a long offline period). A row whose retry time has not come
yet does NOT block later rows: a single application stuck in backoff (or dead) must not
hold every other citizen's submission hostage. The only cross-row ordering the platform
needs is "a rating after the application it rates", so that is enforced per dependency:
a `rating` whose body names `application_id` (the application's submission id) is
skipped until that application is `delivered`, and goes `dead` with it if it dies.
A rating whose application is not in the outbox at all (delivered and purged, or
submitted online before) is sendable.
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from kiosk.crypto import DEFAULT_ALG, EnvelopeCipher, load_or_create_device_key
from offline_cache import queue_admin
from offline_cache.database import OutboxDatabase
from offline_cache.queue import OutboxQueue
from offline_cache.records import (KINDS, Attachment, DurabilitySettingsError, OutboxAlert, OutboxEntry,
                                   OutboxError, OutboxFullError, OutboxStats, OutboxWriteError, RowState,
                                   Submission, UndecryptableEntry)
from offline_cache.spool import SCHEMA_VERSION, SPOOL_THRESHOLD_BYTES, EncryptedSpool

STATES = tuple(RowState)

__all__ = [
    "KINDS", "SCHEMA_VERSION", "SPOOL_THRESHOLD_BYTES", "STATES", "Attachment", "DurabilitySettingsError",
    "Outbox", "OutboxAlert", "OutboxEntry", "OutboxError", "OutboxFullError", "OutboxStats", "OutboxWriteError",
    "RowState", "Submission", "UndecryptableEntry",
]


class Outbox:
    """Thread-safe: each thread gets its own connection (GUI thread enqueues, sync worker claims).

    Opening it: the database (quarantined and replaced if damaged), the spool directory,
    `recover()` (rows left `sending` go back to `pending`), orphaned spool files removed,
    delivered rows older than `receipt_retention_days` purged.
    """

    def __init__(self, db_path: str | os.PathLike, key_path: str | os.PathLike, *,
                 alg: str = DEFAULT_ALG, clock=time.time, busy_timeout_ms: int = 5000,
                 spool_dir: str | os.PathLike | None = None, spool_threshold: int = SPOOL_THRESHOLD_BYTES,
                 receipt_retention_days: float | None = 30.0, quarantine_corrupt: bool = True):
        db_path = Path(db_path)
        spool_path = Path(spool_dir) if spool_dir is not None else db_path.with_name(db_path.name + ".spool")
        self._clock = clock
        self._envelope = EnvelopeCipher(load_or_create_device_key(key_path), alg=alg)
        self._spool = EncryptedSpool(self._envelope, spool_path, spool_threshold)
        self._db = OutboxDatabase(db_path, clock=clock, busy_timeout_ms=busy_timeout_ms,
                                  quarantine_corrupt=quarantine_corrupt, companion_dirs=(spool_path,))
        self._spool.create_directory()
        self._queue = OutboxQueue(self._db, self._spool, clock)
        self.recovered_count = self.recover()
        self.orphans_removed = self._queue.sweep_spool()
        if receipt_retention_days is not None:
            self.purge_delivered(receipt_retention_days * 86400.0)

    @property
    def db_path(self) -> Path:
        return self._db.db_path

    @property
    def spool_dir(self) -> Path:
        return self._spool.spool_dir

    @property
    def quarantined_to(self) -> Path | None:
        return self._db.quarantined_to

    def alerts(self) -> list[OutboxAlert]:
        """Technician alerts raised since this outbox was opened (corrupt DB moved aside, ...)."""
        return list(self._db.alerts)

    def connection_settings(self) -> dict[str, Any]:
        """The PRAGMAs as seen by the calling thread's connection (for tests and diagnostics)."""
        return self._db.connection_settings()

    def _conn(self) -> sqlite3.Connection:
        return self._db.conn()

    def close(self) -> None:
        self._db.close()

    def spool_bytes(self) -> int:
        return self._spool.total_bytes()

    # --- capture side and queries -----------------------------------------------------

    def enqueue(self, submission: Submission) -> None:
        """Store a submission durably. Returns only after COMMIT (WAL fsynced).

        Large attachments are encrypted into the spool directory and fsynced (file and
        directory) *before* the row commits, so a committed row never points at a file
        that a power cut could lose. On any storage failure nothing is committed and an
        `OutboxWriteError` (`OutboxFullError` when the disk is full) is raised: the
        citizen must be told, and must not get a receipt.
        """
        self._queue.enqueue(submission)

    def entry(self, submission_id: str) -> OutboxEntry | None:
        return self._queue.entry(submission_id)

    def entries(self, state: str | None = None, limit: int = 100) -> list[OutboxEntry]:
        """Oldest first; for the technician screen."""
        return self._queue.entries(state, limit)

    def stats(self, now: float | None = None) -> OutboxStats:
        return self._queue.stats(now)

    def next_due_at(self) -> float | None:
        """Earliest next_attempt_at among pending rows that could be claimed (the worker sleeps
        until then; a rating still waiting for its application does not count)."""
        return self._queue.next_due_at()

    # --- sync worker side -------------------------------------------------------------

    def claim_next(self, now: float | None = None) -> tuple[OutboxEntry, dict] | None:
        """Mark the oldest sendable pending row `sending` and return it with its decrypted body.

        Sendable = next_attempt_at <= now and (no dependency, or the dependency delivered or
        unknown). Raises `UndecryptableEntry` after moving a row whose payload fails
        authentication to `dead` (the caller reports it and claims again).
        """
        return self._queue.claim_next(now)

    def mark_delivered(self, submission_id: str, result: dict, now: float | None = None) -> OutboxEntry:
        """Record the platform's reply and crypto-shred the payload, in one transaction; then
        unlink the spool files (already unreadable without the shredded data key)."""
        return self._queue.mark_delivered_and_claim_next(submission_id, result, now, claim_next=False)[0]

    def mark_delivered_and_claim_next(self, submission_id: str, result: dict, now: float | None = None, *,
                                      claim_next: bool = True):
        """`mark_delivered` and, in the same transaction (one fsync instead of two while draining a
        backlog), `claim_next`. Returns (delivered entry, (entry, body) or None, undecryptable id or None)."""
        return self._queue.mark_delivered_and_claim_next(submission_id, result, now, claim_next=claim_next)

    def unclaim(self, submission_id: str) -> None:
        """A claimed row that was never sent goes back to `pending` (attempt not counted)."""
        self._queue.unclaim(submission_id)

    def mark_retry(self, submission_id: str, error: str, next_attempt_at: float) -> OutboxEntry:
        """Back to pending; `error` is a short code/status for technicians, never payload."""
        return self._queue.mark_retry(submission_id, error, next_attempt_at)

    def mark_dead(self, submission_id: str, error: str) -> list[OutboxEntry]:
        """Give up on a row (permanent rejection). Ratings waiting on it die with it.

        Returns every entry that changed (the row first), so the caller can report each.
        The payload is kept: a technician may need to re-capture or re-submit it.
        """
        return self._queue.mark_dead(submission_id, error)

    def expedite_pending(self, now: float | None = None) -> int:
        """Make every pending row due now (the platform just answered again after an outage)."""
        return self._queue.expedite_pending(now)

    def recover(self) -> int:
        """After a crash: rows left `sending` go back to `pending` (re-sent with the same key).

        Also kills ratings whose application died while they waited. Called at open.
        """
        return self._queue.recover()

    def purge_delivered(self, older_than_s: float, now: float | None = None) -> int:
        """Delete delivered rows older than `older_than_s` (their payload is already shredded)."""
        return self._queue.purge_delivered(older_than_s, now)

    # --- technician operations (offline_cache.queue_admin; main.py queue {status,retry,export}) ---

    def retry_dead(self, ids: list[str] | None = None, now: float | None = None) -> int:
        """Put dead rows back to `pending`, due now, attempts reset (technician action after
        fixing the cause). `ids=None` means every dead row. Rows that lost their payload
        (undecryptable) stay dead. Returns the number revived."""
        return queue_admin.revive_dead_rows(self._db, ids, self._clock() if now is None else now)

    def export_encrypted(self, path: str | os.PathLike) -> int:
        """Every undelivered row to `path` as JSON lines, payload exactly as stored (sealed under
        the device key, never plaintext). Returns the number of rows exported."""
        return queue_admin.export_undelivered(self._db, self._spool, path)
