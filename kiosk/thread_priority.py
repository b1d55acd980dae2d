"""The kiosk's own worker threads behind the GUI thread: a per-thread niceness (Linux).

WHY. On a 2-core kiosk the GUI thread shares the cores with the kiosk's other threads: the
camera thread, the feeder thread that pickles face frames to the face worker (multiprocessing's
QueueFeederThread), the outbox sender, the document camera's thread, Qt's thread pool. They run
at the same priority, so the scheduler gives them the same share, and a screen change can wait
for a core while they run (bench/soak.py `gui_run_queue_ms_per_session`, and the run-queue part
of the longest gap). Helper processes are already niced (devices/helper_process.py); threads of
this process are not.

HOW. On Linux the nice value is a per-thread attribute (sched(7), "The nice value";
setpriority(2) with a thread ID, "a POSIX nonconformance"). `ThreadNiceness.sweep()` lists the
process's threads (/proc/self/task) and gives every thread except the GUI thread `niceness`,
once each; a GUI timer sweeps every `interval_ms`, so threads started later (also by libraries,
which we cannot hook) are caught within that time. Raising a niceness needs no privilege;
lowering it again does: `stop()` (kiosk.app.KioskParts.close) gives it back where allowed.

COST. A reniced thread that holds the interpreter lock gets the core a little later when a
nice-0 task competes, and the GUI thread waits for the lock meanwhile (priority inversion). On
the kiosk the only nice-0 work is this process's, so that wait is bounded by the switch
interval (kiosk/gil.py).

SWITCH. `[kiosk] worker_thread_niceness` (0 = off). Linux only: elsewhere nothing is done.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

INTERVAL_MS = 2000


def process_thread_ids() -> list[int]:
    """Kernel thread IDs of this process (empty where /proc is missing)."""
    try:
        return [int(name) for name in os.listdir("/proc/self/task")]
    except (OSError, ValueError):
        return []


class ThreadNiceness(QObject):
    """Create on the GUI thread; `start()` sweeps now and then every `interval_ms`."""

    def __init__(self, niceness: int, parent: QObject | None = None, interval_ms: int = INTERVAL_MS,
                 thread_ids: Callable[[], Iterable[int]] = process_thread_ids):
        super().__init__(parent)
        self.niceness = max(0, min(19, niceness))
        self.gui_thread_id = threading.get_native_id()
        self._thread_ids = thread_ids
        self._done: set[int] = set()
        self._changed: dict[int, int] = {}         # thread ID -> its niceness before the sweep
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.sweep)

    @property
    def active(self) -> bool:
        return self.niceness > 0 and hasattr(os, "setpriority")

    def start(self) -> None:
        if not self.active:
            return
        self.sweep()
        self._timer.start()

    def stop(self) -> None:
        """No more sweeps; the threads reniced get their niceness back where that is allowed
        (lowering a niceness needs CAP_SYS_NICE: as root, e.g. a test process that built and closed
        a kiosk; otherwise they keep it until they end)."""
        self._timer.stop()
        present = set(self._thread_ids())
        for tid, before in self._changed.items():
            if tid in present:
                try:
                    os.setpriority(os.PRIO_PROCESS, tid, before)
                except OSError:
                    pass
        self._changed.clear()

    def sweep(self) -> int:
        """Renice the threads not seen before; returns how many were reniced now."""
        if not self.active:
            return 0
        present = {tid for tid in self._thread_ids() if tid != self.gui_thread_id}
        self._done &= present                      # forget ended threads (their IDs are reused)
        self._changed = {tid: before for tid, before in self._changed.items() if tid in present}
        reniced = 0
        for tid in present - self._done:
            self._done.add(tid)
            try:
                before = os.getpriority(os.PRIO_PROCESS, tid)
                if before < self.niceness:
                    os.setpriority(os.PRIO_PROCESS, tid, self.niceness)
                    self._changed[tid] = before
                    reniced += 1
            except OSError:                        # ended meanwhile, or not ours to change
                continue
        return reniced
