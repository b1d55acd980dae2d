"""Technician operations on the outbox: status, retry dead letters, export.

Used by `python main.py queue ...` and the technician outbox screen, on top of the
outbox's own API (stats, entries, retry_dead, export_encrypted).
"""
from __future__ import annotations

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
    return {"submission_id": entry.submission_id, "kind": entry.kind, "state": entry.state,
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
