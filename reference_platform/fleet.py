"""GET /fleet: an HTML table of kiosks and their last heartbeat, for the demo and operators.

One row per kiosk: devices, paper, queue depth and oldest age, versions, uptime, and
how long ago the heartbeat arrived. Rows that need attention are marked (a kiosk
silent for more than STALE_AFTER_S, a device not online, paper low/out, a queue
older than 24 h, dead letters). Real fleets use Prometheus/Alertmanager
(docs/prometheus-alerts.yml); this page is the stand-in platform's view.

Everything a kiosk sends is untrusted text: every value is HTML-escaped.
"""
from __future__ import annotations

import datetime as dt
from html import escape

STALE_AFTER_S = 5 * 60
QUEUE_OLD_S = 24 * 3600

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30"><title>Kiosk fleet</title>
<style>body{{font-family:sans-serif}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}}
tr.attention td{{background:#fde2e1}}</style>
</head><body><h1>Kiosk fleet</h1><p>{summary}</p>
<table><thead><tr><th>Kiosk</th><th>Last heartbeat</th><th>Devices</th><th>Paper</th><th>Queue</th>
<th>Versions</th><th>Uptime</th><th>Attention</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


def _age_s(received_at: str, now: dt.datetime) -> float | None:
    try:
        return (now - dt.datetime.fromisoformat(received_at)).total_seconds()
    except (TypeError, ValueError):
        return None


def _duration(seconds) -> str:
    if not isinstance(seconds, (int, float)):
        return "-"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def attention(body: dict, age_s: float | None) -> list[str]:
    """Why a kiosk needs someone, from its last heartbeat."""
    reasons = []
    if age_s is None or age_s > STALE_AFTER_S:
        reasons.append("no heartbeat")
    devices = body.get("devices") if isinstance(body.get("devices"), dict) else {}
    reasons += [f"{name} {state}" for name, state in sorted(devices.items()) if state not in ("online", "busy")]
    if body.get("paper") in ("low", "out", "jammed"):
        reasons.append(f"paper {body['paper']}")
    queue = body.get("queue") if isinstance(body.get("queue"), dict) else {}
    oldest = queue.get("oldest_pending_age_s")
    if isinstance(oldest, (int, float)) and oldest > QUEUE_OLD_S:
        reasons.append("queue older than 24 h")
    if isinstance(queue.get("dead"), int) and queue["dead"] > 0:
        reasons.append(f"{queue['dead']} dead-lettered")
    technician = body.get("technician") if isinstance(body.get("technician"), dict) else {}
    locked_for = technician.get("pin_locked_for_s")
    if (isinstance(locked_for, (int, float)) and locked_for > 0) or technician.get("pin_state_damaged"):
        reasons.append("technician PIN locked")
    return reasons


def render_fleet_page(heartbeats: list[dict], now: dt.datetime | None = None) -> str:
    rows = []
    flagged = 0
    for beat in heartbeats:
        body = beat["body"] if isinstance(beat.get("body"), dict) else {}
        now_here = now or dt.datetime.now(dt.datetime.fromisoformat(beat["received_at"]).tzinfo)
        age = _age_s(beat["received_at"], now_here)
        reasons = attention(body, age)
        flagged += bool(reasons)
        devices = body.get("devices") if isinstance(body.get("devices"), dict) else {}
        queue = body.get("queue") if isinstance(body.get("queue"), dict) else {}
        versions = body.get("versions") if isinstance(body.get("versions"), dict) else {}
        cells = [
            str(beat["kiosk_id"]),
            f"{beat['received_at']} ({_duration(age)} ago)",
            ", ".join(f"{name}: {state}" for name, state in sorted(devices.items())) or "-",
            str(body.get("paper", "-")),
            f"{queue.get('pending', '-')} pending, oldest {_duration(queue.get('oldest_pending_age_s'))}, "
            f"{queue.get('dead', 0)} dead",
            ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) or "-",
            _duration(body.get("uptime_s")),
            "; ".join(reasons) or "ok",
        ]
        css = ' class="attention"' if reasons else ""
        rows.append(f"<tr{css}>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>")
    if not rows:
        rows.append('<tr><td colspan="8">No heartbeats yet.</td></tr>')
    summary = f"{len(heartbeats)} kiosks, {flagged} need attention"
    return _PAGE.format(rows="\n".join(rows), summary=escape(summary))
