"""The interpreter lock's switch interval, shortened so the GUI thread gets the lock back quickly.

WHY. PySide6 releases the GIL around every Qt call and takes it back afterwards. While another
thread is running Python (the outbox sender encrypting and posting, a device thread, a process
pool's feeder pickling a frame), taking it back means waiting until that thread is told to let
go, which CPython does only after `sys.getswitchinterval()` (5 ms by default). A screen change
makes hundreds of Qt calls, so it can wait tens of milliseconds with the CPU idle: the "convoy
effect", python/cpython#52194 (bpo-7946), open since 2010.

MEASURED (bench/soak.py, 8 min, 2 cores; the soak records the GUI thread's own CPU time and run-queue
wait over each gap): at 5 ms the longest gap was 85 ms of which the GUI thread ran 12 ms and waited
for a core 0 ms: it was blocked, and strace showed only short (<= 6.5 ms) timed futex waits, the
GIL's; four gaps over 50 ms. At 0.5 ms: longest 53 ms with 31 ms of CPU, one gap over 50 ms.

COST. Threads running Python switch up to ten times as often; CPU-heavy work runs in helper
processes (devices/helper_process.py), so the kiosk's threads mostly wait on I/O.

SWITCH. `[kiosk] gil_switch_interval_ms` (0 = CPython's default). Upstream: drop this if CPython
ever gives a waiting thread the lock fairly (the issue above; no version does so yet, 3.11-3.13).
"""
from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)


def apply_switch_interval(milliseconds: float) -> float:
    """Set the interval (0 or less: leave CPython's); returns the interval in force, in seconds."""
    if milliseconds > 0:
        sys.setswitchinterval(milliseconds / 1000.0)
        log.info("interpreter lock switch interval set", extra={"ms": milliseconds})
    return sys.getswitchinterval()
