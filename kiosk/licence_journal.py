"""The print journal of licences: one row per citizen request (the print entitlement) and one per
attempt, in a local SQLite file. No personal data: request ids, licence type codes, CUPS job ids,
page counts, outcome codes, times. Never the holder, the licence id or the document.

An entitlement stays open until an attempt completes with every page (pages_ok); a failed attempt
(paper out, job stuck, printer off) leaves it open, so the citizen's "print again" uses the same
entitlement: a fee (when the catalog asks for one; payment flow: another issue) is due once per
request, never per attempt (kiosk.core.licence.PrintEntitlement decides).
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from kiosk.core.licence import PrintEntitlement

SCHEMA = """
CREATE TABLE IF NOT EXISTS entitlements (
    request_id       TEXT PRIMARY KEY,
    licence_type     TEXT NOT NULL,
    requires_payment INTEGER NOT NULL,
    paid             INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    fulfilled        INTEGER NOT NULL DEFAULT 0,
    created_at       REAL NOT NULL,
    updated_at       REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    print_id        TEXT PRIMARY KEY,         -- also the Idempotency-Key of the platform report
    request_id      TEXT NOT NULL REFERENCES entitlements(request_id),
    job_id          INTEGER,
    state           TEXT NOT NULL,            -- sent | printed | failed
    pages_sent      INTEGER NOT NULL,
    pages_completed INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    started_at      REAL NOT NULL,
    finished_at     REAL
);
"""


class LicenceJournal:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def entitlement(self, request_id: str) -> PrintEntitlement | None:
        with self._lock:
            row = self._db.execute("SELECT licence_type, requires_payment, paid, attempts, fulfilled FROM entitlements "
                                   "WHERE request_id = ?", (request_id,)).fetchone()
        if row is None:
            return None
        return PrintEntitlement(request_id, row[0], bool(row[1]), bool(row[2]), int(row[3]), bool(row[4]))

    def open_entitlement(self, request_id: str, licence_type: str, requires_payment: bool) -> PrintEntitlement:
        """The request's entitlement, created on its first print."""
        now = time.time()
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO entitlements (request_id, licence_type, requires_payment, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                             (request_id, licence_type, int(requires_payment), now, now))
        found = self.entitlement(request_id)
        assert found is not None
        return found

    def mark_paid(self, request_id: str) -> None:
        """For the payment flow (TODO(payment)): the fee of this request is settled."""
        with self._lock:
            self._db.execute("UPDATE entitlements SET paid = 1, updated_at = ? WHERE request_id = ?",
                             (time.time(), request_id))

    def start_attempt(self, request_id: str, print_id: str, pages: int) -> PrintEntitlement:
        """Records the attempt before a byte goes to the printer; ValueError if the entitlement is used
        up or unpaid (kiosk.core.licence.PrintEntitlement.attempt)."""
        current = self.entitlement(request_id)
        if current is None:
            raise ValueError("no entitlement for this request")
        updated = current.attempt()
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("UPDATE entitlements SET attempts = ?, updated_at = ? WHERE request_id = ?",
                                 (updated.attempts, now, request_id))
                self._db.execute("INSERT INTO attempts (print_id, request_id, state, pages_sent, started_at) "
                                 "VALUES (?, ?, 'sent', ?, ?)", (print_id, request_id, pages, now))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return updated

    def finish_attempt(self, print_id: str, job_id: int, pages_ok: bool, pages_completed: int, reason: str) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT request_id FROM attempts WHERE print_id = ?", (print_id,)).fetchone()
                if row is None:
                    raise KeyError(print_id)
                self._db.execute("UPDATE attempts SET job_id = ?, state = ?, pages_completed = ?, reason = ?, "
                                 "finished_at = ? WHERE print_id = ?",
                                 (job_id, "printed" if pages_ok else "failed", pages_completed, reason, now, print_id))
                if pages_ok:
                    self._db.execute("UPDATE entitlements SET fulfilled = 1, updated_at = ? WHERE request_id = ?",
                                     (now, row[0]))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def last_attempts(self, limit: int = 10) -> list[dict]:
        """For the technician page, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.print_id, a.request_id, e.licence_type, a.job_id, a.state, a.pages_sent, "
                "a.pages_completed, a.reason, a.started_at FROM attempts a JOIN entitlements e USING (request_id) "
                "ORDER BY a.started_at DESC LIMIT ?", (limit,)).fetchall()
        keys = ("print_id", "request_id", "licence_type", "job_id", "state", "pages_sent", "pages_completed",
                "reason", "started_at")
        return [dict(zip(keys, row)) for row in rows]
