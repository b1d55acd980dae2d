"""GET /fleet: a plain HTML table of kiosks and their last heartbeat, for operators.

Everything a kiosk sends is untrusted text: every value is HTML-escaped.
"""
from __future__ import annotations

import json
from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiosk fleet</title>
<style>body{{font-family:sans-serif}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}}</style>
</head><body><h1>Kiosk fleet</h1>
<table><thead><tr><th>Kiosk</th><th>Last heartbeat (server time)</th><th>Reported status</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


def render_fleet_page(heartbeats: list[dict]) -> str:
    rows = []
    for beat in heartbeats:
        details = {k: v for k, v in beat["body"].items() if k != "kiosk_id"}
        rows.append("<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>".format(
            escape(str(beat["kiosk_id"])), escape(str(beat["received_at"])),
            escape(json.dumps(details, ensure_ascii=False, sort_keys=True))))
    if not rows:
        rows.append('<tr><td colspan="3">No heartbeats yet.</td></tr>')
    return _PAGE.format(rows="\n".join(rows))
