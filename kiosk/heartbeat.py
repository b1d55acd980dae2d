"""The heartbeat body: the one place that decides what a kiosk reports about its health.

The same dict feeds the platform heartbeat, the Prometheus metrics (`kiosk.metrics`)
and the technician screen, so the three can never disagree. No personal data.
"""
from __future__ import annotations

import datetime as dt
import platform as _platform
import time

PROCESS_STARTED = time.monotonic()


def versions() -> dict:
    from kiosk import __version__
    try:
        import PySide6
        qt = PySide6.__version__
    except ImportError:       # pragma: no cover - Qt is always installed with the kiosk
        qt = None
    return {"software": __version__, "python": _platform.python_version(), "pyside6": qt}


def build_heartbeat(kiosk_id: str, device_status: dict, paper: str, stats, *, catalog_version=None,
                    source: str = "kiosk", started: float = PROCESS_STARTED, technician: dict | None = None) -> dict:
    """`stats` is an `OutboxStats` (or None when there is no outbox yet); `technician` is the PIN pad's
    `kiosk.technician_pin.lockout_report` (wrong PINs, lockouts: someone guessing shows at the fleet)."""
    queue = {"pending": 0, "dead": 0, "oldest_pending_age_s": None}
    if stats is not None:
        queue = {"pending": stats.pending, "dead": stats.dead,
                 "oldest_pending_age_s": None if stats.oldest_pending_age_s is None
                 else round(stats.oldest_pending_age_s, 1)}
    return {
        "kiosk_id": kiosk_id,
        "sent_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "source": source,
        "devices": dict(device_status),
        "paper": paper,
        "queue": queue,
        "technician": dict(technician or {}),
        "catalog_version": catalog_version,
        "versions": versions(),
        "uptime_s": round(time.monotonic() - started, 1),
    }
