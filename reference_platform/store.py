"""SQLite storage of the reference platform: schema, transactions and queries.

One connection guarded by a lock: the platform is a test and demo stand-in, and
serialising writers keeps "claim key / commit business row + key" trivially atomic.
WAL + synchronous=FULL because the whole point of the platform is that an acknowledged
application survives a crash (the kiosk deletes its copy after the acknowledgement).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    application_id      TEXT NOT NULL UNIQUE,   -- client-generated UUID: exactly one row per id
    application_number  TEXT NOT NULL UNIQUE,
    query_token         TEXT NOT NULL UNIQUE,
    service_id          TEXT NOT NULL,
    kiosk_id            TEXT NOT NULL,
    id_number           TEXT NOT NULL,
    name                TEXT NOT NULL,
    address             TEXT NOT NULL,
    phone               TEXT NOT NULL,
    form_json           TEXT NOT NULL,
    submitted_at        TEXT NOT NULL,
    received_at         TEXT NOT NULL,
    expected_completion TEXT,
    status              TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applications_by_id_number ON applications(id_number);

CREATE TABLE IF NOT EXISTS application_attachments (
    application_id TEXT NOT NULL REFERENCES applications(application_id),
    idx            INTEGER NOT NULL,
    name           TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    data           BLOB NOT NULL,
    PRIMARY KEY (application_id, idx)
);

CREATE TABLE IF NOT EXISTS daily_sequences (
    day        TEXT PRIMARY KEY,                -- YYYYMMDD, Beijing time
    last_value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS ratings (
    rating_id      TEXT NOT NULL UNIQUE,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications(application_id),  -- one per application
    kiosk_id       TEXT NOT NULL,
    level          TEXT,                        -- NULL when the citizen skipped
    skipped        INTEGER NOT NULL,
    reasons_json   TEXT NOT NULL,
    rated_at       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);

-- Idempotency keys are kept permanently: a kiosk may stay offline for weeks and then
-- re-send, so any expiry would turn a retry into a duplicate application.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    client_id     TEXT NOT NULL,                -- kiosk id (would be the mTLS certificate in production)
    idem_key      TEXT NOT NULL,
    operation     TEXT NOT NULL,                -- "application" | "rating"
    fingerprint   TEXT NOT NULL,                -- SHA-256 of the canonical request body
    state         TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
    status_code   INTEGER,
    response_json TEXT,                         -- no personal data: numbers, dates, tokens
    claimed_at    REAL NOT NULL,                -- time.time(), for the in-progress lease
    completed_at  TEXT,
    deliveries    INTEGER NOT NULL DEFAULT 1,   -- requests answered with this result (1 + replays)
    PRIMARY KEY (client_id, idem_key)
);

CREATE TABLE IF NOT EXISTS heartbeats (
    kiosk_id    TEXT PRIMARY KEY,
    body_json   TEXT NOT NULL,
    received_at TEXT NOT NULL
);
"""

# Signature nonces live in their own file with synchronous=NORMAL (WAL): they survive a process
# crash, and a power cut can only lose the last moments' nonces -- replaying one of those requests
# is harmless because submissions are idempotent. It saves an fsync per request on the hot path.
NONCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_nonces (
    kiosk_id TEXT NOT NULL,
    nonce    TEXT NOT NULL,
    seen_at  REAL NOT NULL,
    PRIMARY KEY (kiosk_id, nonce)
);
CREATE INDEX IF NOT EXISTS seen_nonces_by_time ON seen_nonces(seen_at);
"""
NONCE_PRUNE_EVERY = 500

# A claim older than this belongs to a request that died without cleaning up; it may be taken over.
IN_PROGRESS_LEASE_S = 60.0


@dataclass(frozen=True)
class Claim:
    outcome: str                 # "claimed" | "replay" | "mismatch" | "in_progress"
    status_code: int | None = None
    response: dict | None = None


class Transaction:
    """Writes that must commit together (business row + idempotency record)."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def next_daily_sequence(self, day: str) -> int:
        self._conn.execute(
            "INSERT INTO daily_sequences(day, last_value) VALUES (?, 1) "
            "ON CONFLICT(day) DO UPDATE SET last_value = last_value + 1", (day,))
        return self._conn.execute("SELECT last_value FROM daily_sequences WHERE day = ?", (day,)).fetchone()[0]

    def insert_application(self, row: dict) -> None:
        columns = ", ".join(row)
        placeholders = ", ".join("?" for _ in row)
        self._conn.execute(f"INSERT INTO applications ({columns}) VALUES ({placeholders})", tuple(row.values()))

    def insert_attachment(self, row: dict) -> None:
        columns = ", ".join(row)
        placeholders = ", ".join("?" for _ in row)
        self._conn.execute(f"INSERT INTO application_attachments ({columns}) VALUES ({placeholders})",
                           tuple(row.values()))

    def insert_rating(self, row: dict) -> None:
        columns = ", ".join(row)
        placeholders = ", ".join("?" for _ in row)
        self._conn.execute(f"INSERT INTO ratings ({columns}) VALUES ({placeholders})", tuple(row.values()))

    def application_by_id(self, application_id: str) -> dict | None:
        return _one(self._conn, "SELECT * FROM applications WHERE application_id = ?", (application_id,))

    def rating_for_application(self, application_id: str) -> dict | None:
        return _one(self._conn, "SELECT * FROM ratings WHERE application_id = ?", (application_id,))

    def complete_key(self, client_id: str, key: str, status_code: int, response: dict, completed_at: str) -> None:
        cursor = self._conn.execute(
            "UPDATE idempotency_keys SET state = 'done', status_code = ?, response_json = ?, completed_at = ? "
            "WHERE client_id = ? AND idem_key = ? AND state = 'in_progress'",
            (status_code, json.dumps(response, ensure_ascii=False), completed_at, client_id, key))
        if cursor.rowcount != 1:
            # Our claim vanished (taken over after the lease ran out): do not commit a second result.
            raise RuntimeError("idempotency claim lost before completion")


class Store:
    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._nonce_conn: sqlite3.Connection | None = None
        self._nonce_inserts = 0
        self.open()

    # ----- lifecycle -----

    def open(self) -> None:
        with self._lock:
            if self._conn is not None:
                return
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE) so nothing commits by accident.
            conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None, timeout=5.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                raise RuntimeError(f"{self.db_path}: SQLite refused WAL mode")
            conn.executescript(SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(idempotency_keys)")}
            if "deliveries" not in columns:     # a database from before deliveries were counted
                conn.execute("ALTER TABLE idempotency_keys ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 1")
            self._conn = conn
            nonces = sqlite3.connect(self.db_path.with_name(self.db_path.name + ".nonces"), check_same_thread=False,
                                     isolation_level=None, timeout=5.0)
            nonces.execute("PRAGMA journal_mode=WAL")
            nonces.execute("PRAGMA synchronous=NORMAL")
            nonces.executescript(NONCE_SCHEMA)
            self._nonce_conn = nonces
            # Claims left by a previous process never committed their work (work and "done" commit
            # together), so dropping them lets the kiosk's retry run the request afresh.
            with self.transaction() as _:
                conn.execute("DELETE FROM idempotency_keys WHERE state = 'in_progress'")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._nonce_conn is not None:
                self._nonce_conn.close()
                self._nonce_conn = None

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # ----- idempotency -----

    def claim_key(self, client_id: str, key: str, operation: str, fingerprint: str) -> Claim:
        with self.transaction():
            return self.claim_key_in_transaction(client_id, key, operation, fingerprint)

    def claim_key_in_transaction(self, client_id: str, key: str, operation: str, fingerprint: str) -> Claim:
        """claim_key inside a transaction the caller holds (see idempotency.run_idempotent)."""
        now = time.time()
        conn = self._conn
        row = conn.execute("SELECT * FROM idempotency_keys WHERE client_id = ? AND idem_key = ?",
                           (client_id, key)).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO idempotency_keys (client_id, idem_key, operation, fingerprint, state, claimed_at) "
                "VALUES (?, ?, ?, ?, 'in_progress', ?)", (client_id, key, operation, fingerprint, now))
            return Claim("claimed")
        if row["operation"] != operation or row["fingerprint"] != fingerprint:
            return Claim("mismatch")
        if row["state"] == "done":
            conn.execute("UPDATE idempotency_keys SET deliveries = deliveries + 1 WHERE client_id = ? AND idem_key = ?",
                         (client_id, key))
            return Claim("replay", row["status_code"], json.loads(row["response_json"]))
        if now - row["claimed_at"] > IN_PROGRESS_LEASE_S:
            conn.execute("UPDATE idempotency_keys SET claimed_at = ? WHERE client_id = ? AND idem_key = ?",
                         (now, client_id, key))
            return Claim("claimed")
        return Claim("in_progress")

    def release_key(self, client_id: str, key: str) -> None:
        """The request failed before committing: forget the claim so a corrected retry can run."""
        with self.transaction():
            self._conn.execute("DELETE FROM idempotency_keys WHERE client_id = ? AND idem_key = ? "
                               "AND state = 'in_progress'", (client_id, key))

    # ----- request-signature nonces -----

    def remember_nonce(self, kiosk_id: str, nonce: str, now: float, window_s: float) -> bool:
        """True the first time (kiosk, nonce) is seen within the window; False for a replay.
        Entries older than twice the window are pruned now and then: a request that old fails the
        timestamp check anyway."""
        with self._lock:
            conn = self._nonce_conn
            if conn is None:
                raise RuntimeError("store is closed")
            self._nonce_inserts += 1
            if self._nonce_inserts % NONCE_PRUNE_EVERY == 1:
                conn.execute("DELETE FROM seen_nonces WHERE seen_at < ?", (now - 2 * window_s,))
            cursor = conn.execute("INSERT INTO seen_nonces (kiosk_id, nonce, seen_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT DO NOTHING", (kiosk_id, nonce, now))
            return cursor.rowcount == 1

    def nonce_count(self) -> int:
        with self._lock:
            return self._nonce_conn.execute("SELECT COUNT(*) FROM seen_nonces").fetchone()[0]

    # ----- queries -----

    def application_status(self, reference: str) -> dict | None:
        """By query token or application UUID: both random and unguessable (a receipt printed
        while the kiosk was offline carries the UUID). Never by the sequential application number."""
        return self._one("SELECT application_number, service_id, status, received_at, expected_completion "
                         "FROM applications WHERE query_token = ? OR application_id = ?",
                         (reference, reference))

    def record_heartbeat(self, kiosk_id: str, body: dict, received_at: str) -> None:
        with self.transaction():
            self._conn.execute(
                "INSERT INTO heartbeats(kiosk_id, body_json, received_at) VALUES (?, ?, ?) "
                "ON CONFLICT(kiosk_id) DO UPDATE SET body_json = excluded.body_json, received_at = excluded.received_at",
                (kiosk_id, json.dumps(body, ensure_ascii=False), received_at))

    def latest_heartbeat(self, kiosk_id: str) -> dict | None:
        """The last heartbeat body a kiosk sent, plus the server's `received_at`."""
        row = self._one("SELECT body_json, received_at FROM heartbeats WHERE kiosk_id = ?", (kiosk_id,))
        if row is None:
            return None
        return {**json.loads(row["body_json"]), "received_at": row["received_at"]}

    def heartbeats(self) -> list[dict]:
        rows = self._all("SELECT kiosk_id, body_json, received_at FROM heartbeats ORDER BY kiosk_id")
        return [{"kiosk_id": r["kiosk_id"], "received_at": r["received_at"], "body": json.loads(r["body_json"])}
                for r in rows]

    def applications(self) -> list[dict]:
        rows = self._all("SELECT * FROM applications ORDER BY rowid")
        for row in rows:
            row["form"] = json.loads(row.pop("form_json"))
        return rows

    def application_count(self, id_number: str | None = None) -> int:
        if id_number is None:
            return self._one("SELECT COUNT(*) AS n FROM applications", ())["n"]
        return self._one("SELECT COUNT(*) AS n FROM applications WHERE id_number = ?", (id_number,))["n"]

    def attachments(self, application_id: str) -> list[dict]:
        return self._all("SELECT idx, name, content_type, size, sha256, data FROM application_attachments "
                         "WHERE application_id = ? ORDER BY idx", (application_id,))

    def ratings(self) -> list[dict]:
        rows = self._all("SELECT * FROM ratings ORDER BY rowid")
        for row in rows:
            row["reasons"] = json.loads(row.pop("reasons_json"))
            row["skipped"] = bool(row["skipped"])
        return rows

    def idempotency_records(self) -> list[dict]:
        """One row per key; `deliveries` counts the requests that got its result (the first + replays)."""
        return self._all("SELECT client_id, idem_key, operation, state, status_code, deliveries FROM idempotency_keys "
                         "ORDER BY rowid")

    # ----- helpers -----

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("store is closed")
        return self._conn

    def _one(self, sql: str, params: tuple) -> dict | None:
        with self._lock:
            return _one(self._connection(), sql, params)

    def _all(self, sql: str, params: tuple = ()) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._connection().execute(sql, params).fetchall()]


def _one(conn: sqlite3.Connection, sql: str, params: tuple) -> dict | None:
    row = conn.execute(sql, params).fetchone()
    return dict(row) if row is not None else None
