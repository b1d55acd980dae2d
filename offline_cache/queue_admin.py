"""Technician operations on the outbox: status, retry dead letters, export.

Used by `python main.py queue ...` and the technician service (kiosk.flows.technician).
The row-level parts (`revive_dead_rows`, `export_undelivered`) work on the durable database
and the spool directly; `Outbox.retry_dead` / `Outbox.export_encrypted` call them.
"""
from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import asdict
from pathlib import Path

from offline_cache.database import OutboxDatabase
from offline_cache.records import RowState
from offline_cache.spool import EncryptedSpool

PENDING, SENDING, DEAD = RowState.PENDING, RowState.SENDING, RowState.DEAD


def queue_status(outbox, *, limit: int = 50) -> dict:
    stats = outbox.stats()
    dead = outbox.entries(state=DEAD, limit=limit)
    pending = outbox.entries(state=PENDING, limit=limit)
    return {
        "stats": asdict(stats),
        "dead": [_public(e) for e in dead],
        "pending": [_public(e) for e in pending],
    }


def format_queue_status(status: dict) -> str:
    """`queue_status()` as text, for `main.py queue status` and the technician's outbox tab."""
    stats = status["stats"]
    age = stats["oldest_pending_age_s"]
    lines = [f"pending {stats['pending']}  sending {stats['sending']}  delivered {stats['delivered']}  "
             f"dead {stats['dead']}  oldest pending {'-' if age is None else f'{age:.0f} s'}"]
    for entry in status["dead"]:
        lines.append(f"  dead {entry['submission_id']} {entry['kind']} after {entry['attempts']} attempts: "
                     f"{entry['last_error']}")
    return "\n".join(lines)


def _public(entry) -> dict:
    """Clear-text metadata only: ids, kind, state, attempts, error code, age. No body."""
    return {"submission_id": entry.submission_id, "kind": entry.kind, "state": str(entry.state),
            "attempts": entry.attempts, "last_error": entry.last_error,
            "age_s": round(max(0.0, time.time() - entry.created_at), 1)}


def retry_dead(outbox, ids: list[str] | None = None) -> int:
    """Puts dead-lettered entries (all, or the given ids) back to pending, due now; pending
    entries in backoff are made due now as well. Returns how many dead entries were revived."""
    revived = outbox.retry_dead(ids=ids)
    outbox.expedite_pending()
    return revived


def export_queue(outbox, target: Path) -> tuple[Path, int]:
    """Undelivered entries as JSON lines with their payloads still sealed under the device key
    (`Outbox.export_encrypted`), for carrying a queue off a broken kiosk. Returns (path, count)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target, outbox.export_encrypted(target)


# --- on the database ------------------------------------------------------------------------

def revive_dead_rows(db: OutboxDatabase, ids: list[str] | None, now: float) -> int:
    """Put dead rows back to `pending`, due now, attempts reset (technician action after
    fixing the cause). `ids=None` means every dead row. Rows that lost their payload
    (undecryptable) stay dead: re-sending them cannot work. Returns the number revived."""
    with db.guard("retry dead"):
        conn = db.conn()
        with db.transaction(conn):
            sql = (f"UPDATE outbox SET state = '{PENDING}', attempts = 0, next_attempt_at = ?,"
                   " last_error = 'retried_by_technician'"
                   f" WHERE state = '{DEAD}' AND ciphertext IS NOT NULL AND wrapped_dek IS NOT NULL"
                   " AND last_error IS NOT 'undecryptable'")
            params: list = [now]
            if ids is not None:
                if not ids:
                    return 0
                sql += f" AND submission_id IN ({', '.join('?' for _ in ids)})"
                params += list(ids)
            return conn.execute(sql, params).rowcount


def export_undelivered(db: OutboxDatabase, spool: EncryptedSpool, path: str | os.PathLike) -> int:
    """Write every undelivered row (pending/sending/dead) to `path` as JSON lines, with the
    payload exactly as stored: ciphertext, nonce and wrapped data key (base64), never
    plaintext, and the spooled attachment files as stored. Only a holder of this kiosk's
    device key can open it. Written to a temp file, fsynced, renamed; mode 0600.
    Returns the number of rows exported."""

    def b64(value):
        return None if value is None else base64.b64encode(value).decode("ascii")

    with db.guard("export"):
        rows = db.conn().execute(
            "SELECT submission_id, kind, state, depends_on, attempts, last_error, created_at, schema_version,"
            " alg, wrapped_dek, nonce, ciphertext, spool_files FROM outbox"
            f" WHERE state IN ('{PENDING}', '{SENDING}', '{DEAD}') ORDER BY seq").fetchall()
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for (submission_id, kind, state, depends_on, attempts, last_error, created_at, schema_version,
             alg, wrapped_dek, nonce, ciphertext, spool_files) in rows:
            handle.write(json.dumps({
                "submission_id": submission_id, "kind": kind, "state": state, "depends_on": depends_on,
                "attempts": attempts, "last_error": last_error, "created_at": created_at,
                "schema_version": schema_version, "alg": alg, "wrapped_dek": b64(wrapped_dek),
                "nonce": b64(nonce), "ciphertext": b64(ciphertext),
                "attachments": _stored_files(spool, spool_files),
            }) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return len(rows)


def _stored_files(spool: EncryptedSpool, spool_files: str | None) -> list:
    """Spooled attachment files of a row, base64 of the encrypted file as stored."""
    files = []
    for name in json.loads(spool_files) if spool_files else []:
        try:
            files.append({"file": name, "content": base64.b64encode(spool.read_stored(name)).decode("ascii")})
        except OSError:
            files.append({"file": name, "content": None})
    return files
