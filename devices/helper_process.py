"""Work done in a helper process at a lower CPU priority: off the kiosk's interpreter lock, behind the GUI.

Why: pure-Python and image work on a thread of the kiosk process holds the interpreter lock in
short slices, and the GUI thread, which needs that lock for every Python callback, waits; on a
2-core kiosk it also takes the CPU the GUI thread needs. The soak (bench/soak.py) found the GUI
thread idle for 50-100 ms while a receipt was drawn (~70 ms of Pillow) or a document frame was
checked (~25 ms of OpenCV and NumPy, ten times a second). In a helper process the work runs in
parallel, and at a lower priority (`niceness`, `[kiosk] helper_niceness`) the scheduler gives the
GUI thread the CPU first when both want it.

`HelperProcess`: one single-worker ProcessPoolExecutor per purpose, spawned (no thread or lock
of the kiosk is copied into it) on first use or on `warm_up()` (which does not wait). A
ProcessPoolExecutor, not a multiprocessing Pool: a Pool whose idle worker is killed (kill -9) keeps
the task queue's lock for ever and deadlocks on terminate(); the executor notices the death
(BrokenProcessPool). If the helper dies or does not answer within `timeout_s`, the executor is
replaced and this call runs on the calling thread instead: nothing is lost to the optimisation.

This module is below the application and must not import Qt: the helpers import only what their
functions need (the face worker, kiosk/face_worker.py, also lowers itself with `lower_priority`).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

log = logging.getLogger(__name__)

_niceness = 0       # set once by kiosk.app.build_kiosk from [kiosk] helper_niceness


def set_niceness(value: int) -> None:
    """The niceness (0-19) helpers started from now on give themselves."""
    global _niceness
    _niceness = max(0, min(19, int(value)))


def niceness() -> int:
    return _niceness


def lower_priority(value: int) -> None:
    """In a helper: run at `value` niceness (Linux: the calling process; threads it starts
    inherit it). Absolute, not added: a helper started from a worker thread already inherits that
    thread's niceness (kiosk/thread_priority.py). A refusal is logged, never fatal: the work still
    runs, only not behind the GUI."""
    if value <= 0:
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if current < value:
            os.nice(value - current)
    except (OSError, AttributeError) as exc:
        log.warning("helper process: could not lower priority (%s)", exc)


def _ready() -> int:
    return os.getpid()


class HelperProcess:
    """Runs picklable functions in one spawned helper process (see the module text)."""

    def __init__(self, purpose: str, timeout_s: float):
        self.purpose = purpose
        self.timeout_s = timeout_s
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=lower_priority, initargs=(_niceness,))
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def warm_up(self) -> None:
        """Start the helper now without waiting for it (a device being opened or closed must not
        wait for an interpreter start-up); the first call queues behind its start."""
        try:
            self.executor().submit(_ready)
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            log.warning("%s helper did not start (%s); the work runs in-process", self.purpose, type(exc).__name__)

    def pid(self) -> int:
        """The helper's process id (starts it if needed; for tests and the technician)."""
        return self.executor().submit(_ready).result(timeout=self.timeout_s)

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """function(*args) in the helper; on the calling thread if the helper is dead or silent."""
        pool = self.executor()
        try:
            return pool.submit(function, *args).result(timeout=self.timeout_s)
        except (BrokenProcessPool, FutureTimeout, OSError, RuntimeError) as exc:
            log.warning("%s helper failed (%s); running this call in-process", self.purpose, type(exc).__name__)
            self._discard(pool)
        return function(*args)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
