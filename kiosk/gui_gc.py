"""Python's cyclic garbage collector, run on the GUI thread only, in small steps.

WHY. CPython starts a collection in whichever thread happens to cross an allocation threshold.
In the kiosk that is often a worker thread (camera, outbox sender, the platform link), and a
collection there can destroy Qt objects caught in reference cycles from the wrong thread: Qt
warns "Timers cannot be stopped from another thread" at best and segfaults at worst. We saw two
such segfaults in the test suite (a collection on the reference platform's uvicorn thread, one
on the outbox sender thread). The same problem and the same cure are described in
napari/napari#1029 and http://pydev.blogspot.com/2014/03/should-python-garbage-collector-be.html
(pyqtgraph's and calibre's GarbageCollector): switch automatic collection off and collect from a
timer on the GUI thread.

SMOOTHNESS. A full collection walks every container object the process holds: ~0.6 million
right after start-up (Qt wrappers, module dictionaries, the catalog), 0.1-0.5 s on the
reference 2-core machine, and CPython starts one on its own whenever the long-lived objects
have grown by a quarter: a visible stall. `freeze()` moves everything alive after start-up
into the permanent generation (gc.freeze, CPython >= 3.7), so later collections look only at
what was made since; it is called once the kiosk is ready and again after each new catalog.

IDLE. The thresholds above make a full collection rare: the sessions' young objects die by
reference counting, so generation 0 fills ~once in ten sessions and a full collection comes about
once in 1,000 (bench/soak.py: `gui_gc_collections` [99, 9, 0] over 1,000 sessions). Until then,
cycles that outlived two younger collections stay, and so do CPython's free lists (tuples, lists,
dicts, floats kept for reuse; only a full collection empties them): the soak's blocks in use
crept ~0.7 KB per session. `collect_all()` runs one when the kiosk has stood idle after a session
(KioskController.stood_idle, just before the memory trim): ~1 ms, the frozen objects are not
walked, and nobody is being served.

SWITCH. KIOSK_GUI_GC=0 (or off/no/false) leaves CPython's automatic collection as it is
(e.g. to check whether a crash is related). Upstream: not a bug CPython will change (its
collector is thread-agnostic by design); remove this module if PySide6 ever makes the
destruction of wrapped QObjects from a foreign thread safe.
"""
from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

ENV_SWITCH = "KIOSK_GUI_GC"
_OFF_VALUES = {"0", "off", "no", "false"}
INTERVAL_MS = 100       # how often the GUI thread looks at the allocation counters
SLOW_MS = 40.0          # a collection longer than this is logged (it shows as a stall)


def enabled_by_environment() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in _OFF_VALUES


class GuiThreadCollector(QObject):
    """Create and `start()` on the GUI thread; `stop()` gives automatic collection back.

    Each tick collects the youngest generation that is due by CPython's own thresholds
    (gc.get_threshold: 700 new objects for generation 0, then every 10th and 100th), so the
    amount of work per tick stays what CPython itself would have done, only on this thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS,
                 settled: Callable[[], Hashable | None] | None = None):
        """`settled()`: None while the kiosk is still starting, then a token (the catalog version
        of the search index); each new token freezes what is alive (see `freeze`)."""
        super().__init__(parent)
        self._settled = settled
        self._frozen_at: Hashable | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._was_enabled = gc.isenabled()
        self._running = False
        self.collections = [0, 0, 0]       # per generation, for tests and the technician's metrics
        self.longest_ms = 0.0

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        if self._running or not enabled_by_environment():
            return
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._running = True
        self._timer.start()

    def stop(self) -> None:
        if not self._running:
            return
        self._timer.stop()
        self._running = False
        if self._was_enabled:
            gc.enable()

    def freeze(self) -> None:
        """Everything alive now is long-lived (after start-up, after a new catalog's index):
        later collections skip it. Objects frozen are still freed by reference counting; only
        a cycle among them that becomes garbage would stay (none is made at runtime by the
        start-up objects: they are modules, screens, the catalog and its index)."""
        gc.freeze()
        log.info("gc: long-lived objects frozen", extra={"frozen": gc.get_freeze_count()})

    def collect_all(self) -> None:
        """A full collection now (the kiosk stands idle): cyclic garbage of any age and CPython's
        free lists. Does nothing when automatic collection was left to CPython (KIOSK_GUI_GC=0)."""
        if self._running:
            self._collect(2)

    def tick(self) -> None:
        if self._settled is not None:
            token = self._settled()
            if token is not None and token != self._frozen_at:
                self._frozen_at = token
                self.freeze()
        count0, count1, count2 = gc.get_count()
        threshold0, threshold1, threshold2 = gc.get_threshold()
        if count0 < threshold0:
            return
        generation = 0
        if count1 >= threshold1:
            generation = 2 if count2 >= threshold2 else 1
        self._collect(generation)

    def _collect(self, generation: int) -> None:
        started = time.perf_counter()
        gc.collect(generation)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        self.collections[generation] += 1
        self.longest_ms = max(self.longest_ms, elapsed_ms)
        if elapsed_ms > SLOW_MS:
            log.warning("gc: slow collection", extra={"generation": generation, "ms": round(elapsed_ms, 1)})
