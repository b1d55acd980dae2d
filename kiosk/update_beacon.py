"""What the running kiosk tells the update guard (docs/updates.md): two small files in data_dir.

    update-idle.json    {"state": "idle"|"busy", "since": t, "release": v, "pid": n}
                        written on every change between the attract screen and a citizen session;
                        the guard checks, downloads and switches only after min_idle_s of "idle".
    update-health.json  {"release": v, "idle_at": t, "pid": n}
                        written once per start, when the first idle screen is shown: the second
                        half of a new release's self-check (the first is `diagnose`, run by the guard).

The files are written on a worker thread (never the GUI thread), atomically (tmp + rename), so
the guard reads a whole old or a whole new one. `running_release()` names the release this process
runs from: releases/<version>/kiosk -> <version> in the A/B layout, else kiosk.__version__.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

IDLE_FILE = "update-idle.json"
HEALTH_FILE = "update-health.json"


def running_release(executable: str | None = None) -> str:
    if executable is None and getattr(sys, "frozen", False):
        executable = sys.executable
    if executable:
        exe = Path(executable).resolve()        # /opt/kiosk/current/kiosk -> releases/<version>/kiosk
        if exe.parent.parent.name == "releases":
            return exe.parent.name
    from kiosk import __version__
    return __version__


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def read_beacon(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_health_marker(data_dir: Path, release: str, now: float | None = None) -> None:
    write_json(Path(data_dir) / HEALTH_FILE, {"release": release, "idle_at": now or time.time(), "pid": os.getpid()})


def write_idle_beacon(data_dir: Path, state: str, release: str, since: float | None = None) -> None:
    write_json(Path(data_dir) / IDLE_FILE, {"state": state, "since": since or time.time(), "release": release,
                                             "pid": os.getpid()})


class UpdateBeacon:
    """Follows the session state (call `observe(state)` on every change, from any thread): writes
    the idle beacon on each idle/busy change and the health marker on the first idle screen."""

    def __init__(self, data_dir: Path, release: str | None = None):
        self.data_dir = Path(data_dir)
        self.release = release or running_release()
        self._last: str | None = None
        self._healthy = False
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="update-beacon", daemon=True)
        self._thread.start()

    def observe(self, state: str) -> None:
        kind = "idle" if state == "idle" else "busy"
        if kind == self._last:
            return
        self._last = kind
        now = time.time()
        self._queue.put((kind, now))

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            kind, now = item
            try:
                write_idle_beacon(self.data_dir, kind, self.release, since=now)
                if kind == "idle" and not self._healthy:
                    write_health_marker(self.data_dir, self.release, now)
                    self._healthy = True
            except OSError as exc:
                log.warning("update beacon not written", extra={"error": f"{type(exc).__name__}: {exc}"})
