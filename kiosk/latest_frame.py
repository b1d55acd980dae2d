"""One worker thread that always works on the newest camera frame (kiosk/flows/documents.py,
kiosk/qr_scan.py).

A camera delivers 10-30 frames a second; checking paper or decoding a code takes longer than the
gap between two frames, and none of it may run on the GUI thread. `offer(frame)` never blocks
the caller: a frame offered while the worker is busy replaces the waiting one (older frames are
dropped, never queued), so the work is always on the latest picture and memory stays at one
frame. No Qt here: results go back through the caller's `process` function.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

log = logging.getLogger(__name__)


class LatestFrameWorker:
    """One thread that processes the newest offered frame; older ones are dropped. `process`
    runs on that thread; `offer` never blocks the caller. With `max_rate_hz`, frames are taken
    at most that often (the newest one each time): checking paper 30 times a second took half a
    core of a 2-core kiosk and, through the CPU and the GIL, stalled the GUI thread. An exception
    in `process` is logged and the worker goes on with the next frame."""

    def __init__(self, process: Callable[[Any], None], name: str, max_rate_hz: float = 0.0,
                 join_timeout_s: float = 5.0):
        self._process = process
        self._name = name
        self._min_interval_s = 1.0 / max_rate_hz if max_rate_hz > 0 else 0.0
        self._join_timeout_s = join_timeout_s
        self._condition = threading.Condition()
        self._frame: Any = None
        self._stopped = False
        self.threads_seen: set[str] = set()          # tests: the work never ran on the GUI thread
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def offer(self, frame: Any) -> None:
        with self._condition:
            self._frame = frame
            self._condition.notify()

    def drop(self) -> None:
        """Forget the frame waiting, if any (the one being processed finishes)."""
        with self._condition:
            self._frame = None

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._frame = None
            self._condition.notify()
        self._thread.join(timeout=self._join_timeout_s)

    def _run(self) -> None:
        next_at = 0.0
        while True:
            with self._condition:
                while not self._stopped:
                    wait_s = next_at - time.monotonic()
                    if self._frame is not None and wait_s <= 0:
                        break
                    self._condition.wait(timeout=wait_s if self._frame is not None else None)
                if self._stopped:
                    return
                frame, self._frame = self._frame, None
            next_at = time.monotonic() + self._min_interval_s
            self.threads_seen.add(threading.current_thread().name)
            try:
                self._process(frame)
            except Exception:      # a bug must not kill the camera step silently
                log.exception("%s: frame failed", self._name)
