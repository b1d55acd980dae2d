"""The payment journal: one durable, encrypted row per payment, written before the kiosk calls out.

Same storage guarantees as the outbox (offline_cache/database.py: WAL + synchronous=FULL, BEGIN
IMMEDIATE, quarantine of a damaged file) and the same envelope encryption (kiosk/crypto.py): the
application body waiting for its payment is sealed under the device key; only non-personal
metadata (ids, order number, amount, states, the provider's reference) is in clear.

Life cycle (kiosk.core.payment.JournalState, transitions checked there)::

    created -> qr_shown -> [code_scanned] -> paid -> submitted
                     \\-> closing -> closed | refunded | paid

`begin()` writes the intent (state `created`, order number = kiosk id + sequence) *before* the
order is created at the platform and before any QR is shown. After a crash, every row not in a
final state is resolved at start-up (kiosk/payments.py `PaymentRunner.resolve_pending`): queried,
then completed (application into the outbox with the payment reference) or closed. Once a row
is final its sealed body is deleted in the same transaction (crypto-shredding).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.payment import FINAL_STATES, PENDING_STATES, JournalState, check_transition, order_number
from kiosk.crypto import DEFAULT_ALG, EnvelopeCipher, SealedRecord, load_or_create_device_key
from offline_cache.database import OutboxDatabase

SCHEMA_VERSION = 1
_STATES = ", ".join(f"'{s.value}'" for s in JournalState)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS payments (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id    TEXT    NOT NULL UNIQUE,        -- the application's Idempotency-Key
    order_no          TEXT    NOT NULL UNIQUE,        -- out_trade_no: kiosk id + seq
    kiosk_id          TEXT    NOT NULL,
    service_id        TEXT    NOT NULL,
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
    state             TEXT    NOT NULL CHECK (state IN ({_STATES})),
    method            TEXT,                           -- qr | code (the citizen's payment code)
    trade_state       TEXT,                           -- the platform's last answer
    payment_reference TEXT,                           -- provider transaction id once paid
    paid_at           TEXT,
    outcome           TEXT,                           -- what the citizen was told (code)
    last_error        TEXT,                           -- error code, never personal data
    created_at        REAL    NOT NULL,
    updated_at        REAL    NOT NULL,
    alg               TEXT,
    wrapped_dek       BLOB,                           -- NULL once final (crypto-shredded)
    nonce             BLOB,
    ciphertext        BLOB
);
CREATE INDEX IF NOT EXISTS payments_state ON payments (state);
"""


class JournalError(Exception):
    """The payment journal could not be read or written."""


@dataclass(frozen=True)
class JournalRow:
    seq: int
    application_id: str
    order_no: str
    kiosk_id: str
    service_id: str
    amount_fen: int
    state: JournalState
    method: str | None
    trade_state: str | None
    payment_reference: str | None
    paid_at: str | None
    outcome: str | None
    last_error: str | None
    created_at: float
    updated_at: float

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


_COLUMNS = ("seq, application_id, order_no, kiosk_id, service_id, amount_fen, state, method, trade_state, "
            "payment_reference, paid_at, outcome, last_error, created_at, updated_at")
_UPDATABLE = frozenset({"method", "trade_state", "payment_reference", "paid_at", "outcome", "last_error"})


class _JournalDatabase(OutboxDatabase):
    def create_schema(self, conn: sqlite3.Connection) -> None:
        conn.executescript(SCHEMA)


class PaymentJournal:
    """Thread-safe (a connection per thread, like the outbox)."""

    def __init__(self, db_path: str | os.PathLike, key_path: str | os.PathLike, *, alg: str = DEFAULT_ALG,
                 clock=time.time):
        self._clock = clock
        self._envelope = EnvelopeCipher(load_or_create_device_key(key_path), alg=alg)
        self._db = _JournalDatabase(Path(db_path), clock=clock)

    @property
    def db_path(self) -> Path:
        return self._db.db_path

    def close(self) -> None:
        self._db.close()

    # --- writes ---------------------------------------------------------------------------

    def begin(self, application_id: str, kiosk_id: str, service_id: str, amount_fen: int,
              body: dict[str, Any]) -> JournalRow:
        """The payment intent, durably, before anything is shown or sent. Idempotent on the
        application id (a retry after a crash returns the existing row)."""
        existing = self.row(application_id)
        if existing is not None:
            return existing
        sealed = self._envelope.seal(application_id, SCHEMA_VERSION,
                                     json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        now = self._clock()
        conn = self._db.conn()
        with self._db.guard("begin payment"), self._db.transaction(conn):
            cursor = conn.execute(
                "INSERT INTO payments (application_id, order_no, kiosk_id, service_id, amount_fen, state, "
                "created_at, updated_at, alg, wrapped_dek, nonce, ciphertext) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (application_id, "pending-" + application_id, kiosk_id, service_id, amount_fen,
                 JournalState.CREATED.value, now, now, sealed.alg, sealed.wrapped_dek, sealed.nonce,
                 sealed.ciphertext))
            seq = int(cursor.lastrowid or 0)
            conn.execute("UPDATE payments SET order_no = ? WHERE seq = ?", (order_number(kiosk_id, seq), seq))
        row = self.row(application_id)
        assert row is not None
        return row

    def transition(self, application_id: str, state: JournalState, **fields: Any) -> JournalRow:
        """Move a row to `state` (checked against the state machine) and record `fields`; a final
        state shreds the sealed body in the same transaction."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"payment journal: cannot set {sorted(unknown)}")
        conn = self._db.conn()
        with self._db.guard("payment transition"), self._db.transaction(conn):
            current = conn.execute("SELECT state FROM payments WHERE application_id = ?",
                                   (application_id,)).fetchone()
            if current is None:
                raise JournalError(f"payment journal: no payment for application {application_id}")
            check_transition(JournalState(current[0]), state)
            assignments = ["state = ?", "updated_at = ?"] + [f"{name} = ?" for name in fields]
            values: list[Any] = [state.value, self._clock(), *fields.values()]
            if state in FINAL_STATES:
                assignments += ["wrapped_dek = NULL", "nonce = NULL", "ciphertext = NULL"]
            conn.execute(f"UPDATE payments SET {', '.join(assignments)} WHERE application_id = ?",
                         (*values, application_id))
        row = self.row(application_id)
        assert row is not None
        return row

    def note(self, application_id: str, **fields: Any) -> None:
        """Record fields (e.g. last_error) without a state change."""
        row = self.row(application_id)
        if row is not None:
            self.transition(application_id, row.state, **fields)

    # --- reads --------------------------------------------------------------------------------

    def row(self, application_id: str) -> JournalRow | None:
        return self._one("application_id = ?", application_id)

    def row_by_order(self, order_no: str) -> JournalRow | None:
        return self._one("order_no = ?", order_no)

    def body(self, application_id: str) -> dict[str, Any] | None:
        """The sealed application body (None once shredded)."""
        conn = self._db.conn()
        with self._db.guard("read payment body"):
            found = conn.execute("SELECT alg, wrapped_dek, nonce, ciphertext FROM payments WHERE application_id = ?",
                                 (application_id,)).fetchone()
        if found is None or found[3] is None:
            return None
        plain = self._envelope.open(application_id, SCHEMA_VERSION, SealedRecord(found[0], found[1], found[2], found[3]))
        body: dict[str, Any] = json.loads(plain)
        return body

    def pending(self) -> list[JournalRow]:
        """Rows not in a final state, oldest first: resolved at start-up and by the sweeper."""
        marks = ", ".join("?" for _ in PENDING_STATES)
        return self._many(f"state IN ({marks}) ORDER BY seq", *[s.value for s in PENDING_STATES])

    def rows(self, limit: int = 10_000) -> list[JournalRow]:
        return self._many("1 = 1 ORDER BY seq DESC LIMIT ?", limit)

    def rows_created_between(self, start: float, end: float) -> list[JournalRow]:
        return self._many("created_at >= ? AND created_at < ? ORDER BY seq", start, end)

    def summary(self, day: dt.date, tz: dt.tzinfo) -> dict[str, Any]:
        """The technician's payments tab: today's paid count and sum, pending rows, last errors."""
        start = dt.datetime.combine(day, dt.time(), tz).timestamp()
        today = self.rows_created_between(start, start + 86400)
        paid = [r for r in today if r.payment_reference and r.state in (JournalState.PAID, JournalState.SUBMITTED)]
        errors = [r for r in self.rows(200) if r.last_error][:5]
        return {"paid_count": len(paid), "paid_sum_fen": sum(r.amount_fen for r in paid),
                "pending": len(self.pending()), "refunded_count": sum(r.state is JournalState.REFUNDED for r in today),
                "last_errors": [(r.order_no, r.last_error) for r in errors]}

    def _one(self, where: str, *args: Any) -> JournalRow | None:
        rows = self._many(where, *args)
        return rows[0] if rows else None

    def _many(self, where: str, *args: Any) -> list[JournalRow]:
        conn = self._db.conn()
        with self._db.guard("read payments"):
            found = conn.execute(f"SELECT {_COLUMNS} FROM payments WHERE {where}", args).fetchall()
        return [JournalRow(*r[:6], JournalState(r[6]), *r[7:]) for r in found]
