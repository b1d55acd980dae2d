"""The receipt journal: the last N receipts, encrypted, for technician reprint.

Every receipt handed to the printer is written here *before* printing, with
its state (`queued` -> `printed` | `failed` + reason), so a job that dies with
the paper or the connection is recorded as failed, never silently lost, and a
technician can reprint it later (`ReceiptPrinter.reprint(entry_id)`).

What is stored is the `Receipt` data only (already masked name and ID number,
application number, QR token), never rendered bytes. It is sealed with the
outbox's at-rest protection (`kiosk.crypto.EnvelopeCipher`, SM4-GCM, one data
key per record wrapped by the device key), and only the newest `keep` entries
are kept: older rows are deleted, which crypto-shreds them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.receipt import Receipt
from kiosk.crypto import EnvelopeCipher, SealedRecord, load_or_create_device_key
from kiosk.private_files import SQLITE_COMPANIONS, create_private_file

SCHEMA_VERSION = 1
QUEUED, PRINTED, FAILED = "queued", "printed", "failed"


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str
    created_at: float
    state: str                   # queued | printed | failed
    reason: str | None           # print_failed reason code when failed
    reprints: int
    language: str
    application_number: str      # not personal data; the staff look receipts up by it
    queued_offline: bool


def receipt_to_json(receipt: Receipt) -> bytes:
    data = dataclasses.asdict(receipt)
    data["submitted_at"] = receipt.submitted_at.isoformat()
    data["expected_completion"] = receipt.expected_completion.isoformat() if receipt.expected_completion else None
    data["materials"] = list(receipt.materials)
    return json.dumps(data, ensure_ascii=False).encode()


def receipt_from_json(raw: bytes) -> Receipt:
    data = json.loads(raw)
    data["submitted_at"] = dt.datetime.fromisoformat(data["submitted_at"])
    if data.get("expected_completion"):
        data["expected_completion"] = dt.date.fromisoformat(data["expected_completion"])
    data["materials"] = tuple(data.get("materials") or ())
    return Receipt(**data)


class ReceiptJournal:
    def __init__(self, db_path: str | Path, key_path: str | Path, keep: int = 20):
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self._keep = keep
        self._cipher = EnvelopeCipher(load_or_create_device_key(key_path))
        self._lock = threading.Lock()
        create_private_file(db_path, companions=SQLITE_COMPANIONS)     # 0600: -wal/-shm inherit it
        self._db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("""CREATE TABLE IF NOT EXISTS receipts (
            entry_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, created_at REAL NOT NULL,
            state TEXT NOT NULL, reason TEXT, reprints INTEGER NOT NULL DEFAULT 0,
            alg TEXT NOT NULL, wrapped_dek BLOB NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL)""")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, receipt: Receipt) -> str:
        """Store a receipt about to be printed; returns its entry id. Durable on return."""
        entry_id = uuid.uuid4().hex[:12]
        sealed = self._cipher.seal(self._record_id(entry_id), SCHEMA_VERSION, receipt_to_json(receipt))
        with self._lock:
            seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM receipts").fetchone()[0]
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT INTO receipts (entry_id, seq, created_at, state, alg, wrapped_dek, nonce, ciphertext) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry_id, seq, time.time(), QUEUED, sealed.alg, sealed.wrapped_dek, sealed.nonce,
                     sealed.ciphertext))
                self._db.execute("DELETE FROM receipts WHERE seq <= ?", (seq - self._keep,))
        return entry_id

    def mark(self, entry_id: str, state: str, reason: str | None = None) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE receipts SET state = ?, reason = ? WHERE entry_id = ?",
                             (state, reason, entry_id))

    def count_reprint(self, entry_id: str) -> int:
        with self._lock, self._db:
            self._db.execute("UPDATE receipts SET reprints = reprints + 1 WHERE entry_id = ?", (entry_id,))
            row = self._db.execute("SELECT reprints FROM receipts WHERE entry_id = ?", (entry_id,)).fetchone()
        return row[0] if row else 0

    def receipt(self, entry_id: str) -> Receipt:
        """The stored receipt; KeyError if it was never stored or has been rotated out."""
        with self._lock:
            row = self._db.execute("SELECT alg, wrapped_dek, nonce, ciphertext FROM receipts WHERE entry_id = ?",
                                   (entry_id,)).fetchone()
        if row is None:
            raise KeyError(entry_id)
        sealed = SealedRecord(alg=row[0], wrapped_dek=row[1], nonce=row[2], ciphertext=row[3])
        return receipt_from_json(self._cipher.open(self._record_id(entry_id), SCHEMA_VERSION, sealed))

    def entries(self) -> list[JournalEntry]:
        """Newest first, for the technician list (masked data only)."""
        with self._lock:
            rows = self._db.execute("SELECT entry_id, created_at, state, reason, reprints FROM receipts "
                                    "ORDER BY seq DESC").fetchall()
        result = []
        for entry_id, created_at, state, reason, reprints in rows:
            receipt = self.receipt(entry_id)
            result.append(JournalEntry(entry_id, created_at, state, reason, reprints, receipt.language,
                                       receipt.application_number, receipt.queued_offline))
        return result

    def failed(self) -> list[JournalEntry]:
        return [entry for entry in self.entries() if entry.state == FAILED]

    @staticmethod
    def _record_id(entry_id: str) -> str:
        return f"receipt/{entry_id}"
