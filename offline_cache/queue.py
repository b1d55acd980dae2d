"""The outbox queue: enqueue, claim, and the state changes of a row (see `offline_cache.outbox`
for the life cycle and the ordering rule).

Every change is one `BEGIN IMMEDIATE ... COMMIT` on the durable database; SQL names the
states by `RowState`, whose values are the strings stored in the table.
"""
from __future__ import annotations

import errno
import json
import logging
import sqlite3
from typing import Callable

from kiosk.crypto import CryptoError, SealedRecord
from offline_cache.database import OutboxDatabase
from offline_cache.records import (KINDS, OutboxEntry, OutboxFullError, OutboxStats, OutboxWriteError, RowState,
                                   Submission, UndecryptableEntry)
from offline_cache.spool import SCHEMA_VERSION, EncryptedSpool

log = logging.getLogger(__name__)

PENDING, SENDING, DELIVERED, DEAD = RowState.PENDING, RowState.SENDING, RowState.DELIVERED, RowState.DEAD
_STORAGE_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}

# A row may be sent when nothing it depends on is still undelivered in the outbox.
_DEPENDENCY_MET = ("NOT EXISTS (SELECT 1 FROM outbox d"
                   f" WHERE d.submission_id = o.depends_on AND d.state != '{DELIVERED}')")

_ENTRY_COLUMNS = (
    "submission_id, kind, state, attempts, next_attempt_at, last_error, created_at, "
    "result_json, delivered_at, depends_on"
)


def entry_from_row(row: tuple) -> OutboxEntry:
    (submission_id, kind, state, attempts, next_attempt_at, last_error,
     created_at, result_json, delivered_at, depends_on) = row
    return OutboxEntry(
        submission_id=submission_id, kind=kind, state=RowState(state), attempts=attempts,
        next_attempt_at=next_attempt_at, last_error=last_error, created_at=created_at,
        result=json.loads(result_json) if result_json else None,
        delivered_at=delivered_at, depends_on=depends_on,
    )


class OutboxQueue:
    """Rows and their states, on top of the durable database and the encrypted spool."""

    def __init__(self, db: OutboxDatabase, spool: EncryptedSpool, clock: Callable[[], float]):
        self.db = db
        self.spool = spool
        self._clock = clock

    # --- capture side ---------------------------------------------------------------

    def enqueue(self, submission: Submission) -> None:
        """Store a submission durably. Returns only after COMMIT (WAL fsynced); spool files are
        fsynced before it, so a committed row never points at a file a power cut could lose.
        On any storage failure nothing is committed and `OutboxWriteError` (`OutboxFullError`
        when the disk is full) is raised."""
        if submission.kind not in KINDS:
            raise ValueError(f"unknown submission kind {submission.kind!r}")
        sid = submission.submission_id
        db_path = self.db.db_path
        spooled: list[str] = []
        try:
            sealed = self.spool.seal(submission, spooled)
            depends_on = None
            if submission.kind == "rating":
                depends_on = submission.body.get("application_id") or None
            conn = self.db.conn()
            with self.db.transaction(conn):
                conn.execute(
                    "INSERT INTO outbox (submission_id, kind, state, depends_on, next_attempt_at, created_at,"
                    " schema_version, alg, wrapped_dek, nonce, ciphertext, spool_files)"
                    f" VALUES (?, ?, '{PENDING}', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sid, submission.kind, depends_on, submission.created_at,
                     submission.created_at, SCHEMA_VERSION, sealed.alg, sealed.wrapped_dek,
                     sealed.nonce, sealed.ciphertext, json.dumps(spooled) if spooled else None),
                )
        except OSError as exc:
            self.spool.remove(spooled)
            if exc.errno in _STORAGE_FULL_ERRNOS:
                raise OutboxFullError(f"outbox {db_path}: storage full while saving a submission "
                                      f"({errno.errorcode.get(exc.errno, exc.errno)})") from exc
            raise OutboxWriteError(f"outbox {db_path}: could not write the spool ({exc.strerror})") from exc
        except sqlite3.Error as exc:
            self.spool.remove(spooled)
            name = getattr(exc, "sqlite_errorname", "")
            if name == "SQLITE_FULL" or "full" in str(exc):
                raise OutboxFullError(f"outbox {db_path}: storage full while saving a submission "
                                      f"({name or exc})") from exc
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise OutboxWriteError(f"outbox {db_path}: could not save a submission "
                                   f"({type(exc).__name__}: {name or exc})") from exc
        except BaseException:
            self.spool.remove(spooled)
            raise

    # --- queries ----------------------------------------------------------------------

    def entry(self, submission_id: str) -> OutboxEntry | None:
        with self.db.guard("read"):
            row = self.db.conn().execute(
                f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE submission_id = ?", (submission_id,)
            ).fetchone()
        return entry_from_row(row) if row else None

    def entries(self, state: str | None = None, limit: int = 100) -> list[OutboxEntry]:
        """Oldest first; for the technician screen."""
        with self.db.guard("read"):
            if state is None:
                rows = self.db.conn().execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
            else:
                rows = self.db.conn().execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE state = ? ORDER BY seq LIMIT ?",
                    (str(state), limit)).fetchall()
        return [entry_from_row(row) for row in rows]

    def stats(self, now: float | None = None) -> OutboxStats:
        now = self._clock() if now is None else now
        with self.db.guard("read"):
            conn = self.db.conn()
            counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
            oldest = conn.execute(
                f"SELECT MIN(created_at) FROM outbox WHERE state IN ('{PENDING}', '{SENDING}')").fetchone()[0]
        return OutboxStats(
            pending=counts.get(PENDING, 0), sending=counts.get(SENDING, 0),
            delivered=counts.get(DELIVERED, 0), dead=counts.get(DEAD, 0),
            oldest_pending_age_s=None if oldest is None else max(0.0, now - oldest),
        )

    def next_due_at(self) -> float | None:
        """Earliest next_attempt_at among pending rows that could be claimed (a rating still
        waiting for its application does not count)."""
        with self.db.guard("read"):
            return self.db.conn().execute(
                f"SELECT MIN(o.next_attempt_at) FROM outbox o WHERE o.state = '{PENDING}' AND {_DEPENDENCY_MET}"
            ).fetchone()[0]

    def require(self, submission_id: str) -> OutboxEntry:
        entry = self.entry(submission_id)
        if entry is None:
            raise KeyError(f"no outbox entry {submission_id}")
        return entry

    # --- sync worker side -------------------------------------------------------------

    def claim_next(self, now: float | None = None) -> tuple[OutboxEntry, dict] | None:
        """Mark the oldest sendable pending row `sending` and return it with its decrypted body.
        Raises `UndecryptableEntry` after moving a row that fails authentication to `dead`."""
        now = self._clock() if now is None else now
        with self.db.guard("claim"):
            conn = self.db.conn()
            with self.db.transaction(conn):
                claimed = self._claim_in(conn, now)
        if claimed is None:
            return None
        submission_id, body = claimed
        if body is None:
            raise UndecryptableEntry(submission_id)
        return self.entry(submission_id), body

    def _claim_in(self, conn: sqlite3.Connection, now: float) -> tuple[str, dict | None] | None:
        """Inside a transaction: claim the next sendable row. (id, None) = it was undecryptable and is now dead."""
        row = conn.execute(
            "SELECT o.seq, o.submission_id, o.schema_version, o.alg, o.wrapped_dek, o.nonce, o.ciphertext"
            "  FROM outbox o INDEXED BY outbox_fifo"
            f" WHERE o.state = '{PENDING}' AND o.next_attempt_at <= ? AND {_DEPENDENCY_MET}"
            " ORDER BY o.seq LIMIT 1",
            (now,),
        ).fetchone()
        if row is None:
            return None
        seq, submission_id, schema_version, alg, wrapped_dek, nonce, ciphertext = row
        try:
            body = self.spool.open(submission_id, schema_version, SealedRecord(alg, wrapped_dek, nonce, ciphertext))
        except (CryptoError, ValueError, OSError) as exc:
            log.error("outbox: submission %s cannot be decrypted (%s); marking dead",
                      submission_id, type(exc).__name__)
            self._set_dead(conn, submission_id, "undecryptable")
            return submission_id, None
        conn.execute(f"UPDATE outbox SET state = '{SENDING}', attempts = attempts + 1 WHERE seq = ?", (seq,))
        return submission_id, body

    def mark_delivered_and_claim_next(self, submission_id: str, result: dict, now: float | None = None, *,
                                      claim_next: bool = True):
        """Record the platform's reply and crypto-shred the payload and, in the same transaction
        (one fsync instead of two while draining a backlog), claim the next row; then unlink the
        spool files. Returns (delivered entry, (entry, body) or None, undecryptable id or None)."""
        now = self._clock() if now is None else now
        with self.db.guard("mark delivered"):
            conn = self.db.conn()
            with self.db.transaction(conn):
                spool = conn.execute("SELECT spool_files FROM outbox WHERE submission_id = ?",
                                     (submission_id,)).fetchone()
                conn.execute(
                    f"UPDATE outbox SET state = '{DELIVERED}', result_json = ?, delivered_at = ?, last_error = NULL,"
                    " wrapped_dek = NULL, nonce = NULL, ciphertext = NULL, spool_files = NULL"
                    f" WHERE submission_id = ? AND state IN ('{SENDING}', '{PENDING}')",
                    (json.dumps(result, ensure_ascii=False), now, submission_id),
                )
                claimed = self._claim_in(conn, now) if claim_next else None
        if spool and spool[0]:
            self.spool.remove(json.loads(spool[0]))
        delivered = self.require(submission_id)
        if claimed is None:
            return delivered, None, None
        next_id, body = claimed
        if body is None:
            return delivered, None, next_id
        return delivered, (self.entry(next_id), body), None

    def unclaim(self, submission_id: str) -> None:
        """A claimed row that was never sent goes back to `pending` (attempt not counted)."""
        self._execute("unclaim", f"UPDATE outbox SET state = '{PENDING}', attempts = MAX(0, attempts - 1)"
                      f" WHERE submission_id = ? AND state = '{SENDING}'", (submission_id,))

    def mark_retry(self, submission_id: str, error: str, next_attempt_at: float) -> OutboxEntry:
        """Back to pending; `error` is a short code/status for technicians, never payload."""
        self._execute("mark retry", f"UPDATE outbox SET state = '{PENDING}', last_error = ?, next_attempt_at = ?"
                      f" WHERE submission_id = ? AND state = '{SENDING}'", (error[:200], next_attempt_at, submission_id))
        return self.require(submission_id)

    def mark_dead(self, submission_id: str, error: str) -> list[OutboxEntry]:
        """Give up on a row (permanent rejection); ratings waiting on it die with it. Returns
        every entry that changed (the row first). The payload is kept for a technician."""
        with self.db.guard("mark dead"):
            conn = self.db.conn()
            with self.db.transaction(conn):
                changed = self._set_dead(conn, submission_id, error[:200])
        return [self.require(sid) for sid in changed]

    def expedite_pending(self, now: float | None = None) -> int:
        """Make every pending row due now (the platform just answered again after an outage)."""
        now = self._clock() if now is None else now
        return self._execute("expedite", f"UPDATE outbox SET next_attempt_at = ? WHERE state = '{PENDING}'"
                             " AND next_attempt_at > ?", (now, now))

    def recover(self) -> int:
        """After a crash: rows left `sending` go back to `pending` (re-sent with the same key).
        Also kills ratings whose application died while they waited. Called at open."""
        with self.db.guard("recover"):
            conn = self.db.conn()
            with self.db.transaction(conn):
                reset = conn.execute(
                    f"UPDATE outbox SET state = '{PENDING}' WHERE state = '{SENDING}'").rowcount
                dead_parents = [r[0] for r in conn.execute(
                    "SELECT DISTINCT d.submission_id FROM outbox d JOIN outbox o ON o.depends_on = d.submission_id"
                    f" WHERE d.state = '{DEAD}' AND o.state = '{PENDING}'").fetchall()]
                for parent in dead_parents:
                    self._cascade_dead(conn, parent)
        if reset:
            log.warning("outbox: %d submission(s) interrupted while sending; will re-send with the same key", reset)
        return reset

    def purge_delivered(self, older_than_s: float, now: float | None = None) -> int:
        """Delete delivered rows older than `older_than_s` (their payload is already shredded)."""
        now = self._clock() if now is None else now
        return self._execute("purge", f"DELETE FROM outbox WHERE state = '{DELIVERED}' AND delivered_at < ?",
                             (now - older_than_s,))

    def sweep_spool(self) -> int:
        """At open: delete spool files that no live row refers to."""
        with self.db.guard("sweep spool"):
            referenced: set[str] = set()
            for (names,) in self.db.conn().execute(
                    "SELECT spool_files FROM outbox WHERE spool_files IS NOT NULL AND wrapped_dek IS NOT NULL"):
                referenced.update(json.loads(names))
        return self.spool.sweep(referenced)

    # --- helpers ------------------------------------------------------------------------

    def _execute(self, action: str, sql: str, params: tuple) -> int:
        """One statement in its own transaction; returns the number of rows it changed."""
        with self.db.guard(action):
            conn = self.db.conn()
            with self.db.transaction(conn):
                return conn.execute(sql, params).rowcount

    def _set_dead(self, conn: sqlite3.Connection, submission_id: str, error: str) -> list[str]:
        conn.execute(f"UPDATE outbox SET state = '{DEAD}', last_error = ?"
                     f" WHERE submission_id = ? AND state IN ('{PENDING}', '{SENDING}')", (error, submission_id))
        return [submission_id] + self._cascade_dead(conn, submission_id)

    def _cascade_dead(self, conn: sqlite3.Connection, parent_id: str) -> list[str]:
        dependents = [r[0] for r in conn.execute(
            f"SELECT submission_id FROM outbox WHERE depends_on = ? AND state = '{PENDING}'", (parent_id,))]
        for child in dependents:
            conn.execute(f"UPDATE outbox SET state = '{DEAD}', last_error = 'dependency_dead' WHERE submission_id = ?",
                         (child,))
        return dependents
