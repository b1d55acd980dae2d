"""The virtual card process: `python -m sim.id_reader.virtual_card [--port N]`.

Controlled by one JSON object per line on stdin; answers one JSON line on stdout:

  {"cmd": "insert", "card": "ssse" | "emrtd", "params": {...}}  card connects to vpcd
  {"cmd": "remove"}                                             card leaves the reader
  {"cmd": "scenario", "remove_after": N | null, "mute": bool}   faults, while inserted
  {"cmd": "log"}                                                APDUs received so far
  {"cmd": "quit"}

Every reply has "ok": true/false (and "error" when false).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from sim.id_reader.virtual_card.cards import CARD_TYPES
from sim.id_reader.virtual_card.vpcd_link import DEFAULT_PORT, VpcdLink


def _card_params(kind: str, params: dict) -> dict:
    params = dict(params)
    for key in ("birth", "issued", "valid_until"):
        if key in params:
            params[key] = dt.date.fromisoformat(params[key])
    return params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    link: VpcdLink | None = None

    def reply(**fields) -> None:
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()

    reply(ok=True, ready=True)
    for line in sys.stdin:
        try:
            request = json.loads(line)
            cmd = request.get("cmd")
            if cmd == "insert":
                if link is not None:
                    link.disconnect()
                kind = request.get("card", "ssse")
                card = CARD_TYPES[kind](**_card_params(kind, request.get("params", {})))
                link = VpcdLink(card, args.host, int(request.get("port", args.port)))
                link.connect()
                reply(ok=True)
            elif cmd == "remove":
                if link is not None:
                    link.disconnect()
                link = None
                reply(ok=True)
            elif cmd == "scenario":
                if link is None:
                    raise RuntimeError("no card inserted")
                link.remove_after = request.get("remove_after")
                if link.remove_after is not None:
                    link.remove_after += link.answered     # counted from now
                link.mute = bool(request.get("mute", False))
                reply(ok=True)
            elif cmd == "log":
                reply(ok=True, apdus=list(link.apdu_log) if link else [],
                      connected=bool(link and not link.closed.is_set()))
            elif cmd == "quit":
                reply(ok=True)
                break
            else:
                raise ValueError(f"unknown command {cmd!r}")
        except Exception as exc:    # report to the controller; the card process stays up
            reply(ok=False, error=f"{type(exc).__name__}: {exc}")
    if link is not None:
        link.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
