"""Technician operations on the outbox: status, retry dead letters, export.

Used by `python main.py queue ...` and the technician outbox screen. It prefers the
outbox's own API (`Outbox.retry_dead`, `Outbox.export_encrypted`, being added on the
outbox branch) and otherwise falls back to equivalent operations here, inside
offline_cache (the only package allowed to touch the outbox database).
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict
from pathlib import Path


def queue_status(outbox, *, limit: int = 50) -> dict:
    stats = outbox.stats()
    dead = outbox.entries(state="dead", limit=limit)
    pending = outbox.entries(state="pending", limit=limit)
    return {
        "stats": asdict(stats),
        "dead": [_public(e) for e in dead],
        "pending": [_public(e) for e in pending],
    }


def _public(entry) -> dict:
    """Clear-text metadata only: ids, kind, state, attempts, error code, age. No body."""
    return {"submission_id": entry.submission_id, "kind": entry.kind, "state": entry.state,
            "attempts": entry.attempts, "last_error": entry.last_error,
            "age_s": round(max(0.0, time.time() - entry.created_at), 1)}


def retry_dead(outbox, ids: list[str] | None = None) -> int:
    """Puts dead-lettered entries (all, or the given ids) back to pending, due now.

    Returns how many were revived. Pending entries in backoff are made due now as well.
    """
    if hasattr(outbox, "retry_dead"):
        revived = outbox.retry_dead(ids=ids)
        revived = revived if isinstance(revived, int) else len(revived or [])
    else:
        revived = _retry_dead_fallback(outbox, ids)
    outbox.expedite_pending()
    return revived


def _retry_dead_fallback(outbox, ids: list[str] | None) -> int:
    # Only rows that still hold their sealed payload can be sent again.
    now = time.time()
    conn = outbox._conn()
    with outbox._guard("retry_dead"), outbox._transaction(conn):
        if ids:
            marks = ",".join("?" * len(ids))
            cursor = conn.execute(
                f"UPDATE outbox SET state='pending', next_attempt_at=?, attempts=0 "
                f"WHERE state='dead' AND ciphertext IS NOT NULL AND submission_id IN ({marks})", (now, *ids))
        else:
            cursor = conn.execute(
                "UPDATE outbox SET state='pending', next_attempt_at=?, attempts=0 "
                "WHERE state='dead' AND ciphertext IS NOT NULL", (now,))
        return cursor.rowcount


def export_queue(outbox, db_path: Path, target: Path) -> Path:
    """Writes a copy of the outbox for the platform team to import.

    Personal data stays sealed under the device key (the bodies are stored encrypted);
    only metadata is in clear. Uses the outbox's own export when it has one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(outbox, "export_encrypted"):
        outbox.export_encrypted(target)
        return target
    # SQLite's online backup: a consistent snapshot even while the sender is writing.
    source = sqlite3.connect(str(db_path))
    try:
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    target.chmod(0o600)
    return target
