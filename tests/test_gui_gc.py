"""kiosk/gui_gc.py: garbage is collected on the GUI thread, never on a worker thread, and what
start-up leaves alive is frozen out of later collections."""
from __future__ import annotations

import gc
import threading

from kiosk.gui_gc import GuiThreadCollector


class Cycle:
    def __init__(self):
        self.me = self


def test_collections_run_on_the_gui_thread_only(qtbot):
    seen: list[str] = []

    def on_collect(phase, info):
        if phase == "start":
            seen.append(threading.current_thread().name)
    gc.enable()                                  # as in the product before the collector starts
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    gc.callbacks.append(on_collect)
    try:
        assert not gc.isenabled()
        def allocate():                          # a worker making plenty of cyclic garbage
            for _ in range(20_000):
                Cycle()
        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert "worker" not in seen              # automatic collection would have run there
        qtbot.waitUntil(lambda: collector.collections[0] > 0, timeout=2000)
        assert set(seen) == {threading.main_thread().name}
    finally:
        gc.callbacks.remove(on_collect)
        collector.stop()
    assert gc.isenabled()                         # given back as it was
    gc.disable()                                  # the suite's own policy (tests/conftest.py)


def test_older_generations_are_collected_at_cpython_s_own_pace(qtbot):
    collector = GuiThreadCollector(interval_ms=1)
    collector.start()
    try:
        for _ in range(40):
            for _ in range(1_000):
                Cycle()
            collector.tick()
        assert collector.collections[0] > 0 and collector.collections[1] > 0
        assert collector.collections[0] > collector.collections[1] >= collector.collections[2]
    finally:
        collector.stop()


def test_collect_all_frees_a_cycle_the_young_collections_promoted(qtbot):
    """What survived two young collections and then became garbage waits for a full collection
    (about once in 1,000 sessions at CPython's pace): the idle kiosk runs one (collect_all)."""
    import weakref
    collector = GuiThreadCollector()
    collector.start()
    try:
        old = Cycle()
        alive = weakref.ref(old)
        gc.collect(1)                 # alive through the young collections: now in the oldest generation
        del old
        gc.collect(1)
        assert alive() is not None    # garbage, but the young collections never look at it
        before = list(collector.collections)
        collector.collect_all()
        assert alive() is None
        assert collector.collections[2] == before[2] + 1
    finally:
        collector.stop()


def _tracked_ids() -> set[int]:
    """Objects the collector still looks at (generations 0-2; frozen ones are in none of them)."""
    return {id(obj) for generation in range(3) for obj in gc.get_objects(generation)}


def test_settled_freezes_once_per_token(qtbot):
    token = {"value": None}
    collector = GuiThreadCollector(interval_ms=1, settled=lambda: token["value"])
    gc.unfreeze()
    try:
        collector.tick()
        assert gc.get_freeze_count() == 0        # still starting: nothing frozen
        token["value"] = "2026.12.1"
        collector.tick()
        assert gc.get_freeze_count() > 1000      # the modules, the test's objects: long-lived now
        assert id(collector) not in _tracked_ids()
        # (counts are not compared: other threads of the test process free frozen objects meanwhile)
        keep = [Cycle() for _ in range(100)]
        collector.tick()
        assert {id(c) for c in keep} <= _tracked_ids()      # same catalog: not frozen again
        token["value"] = "2026.12.2"
        collector.tick()
        assert not {id(c) for c in keep} & _tracked_ids()   # a new catalog: what is alive now is frozen
    finally:
        gc.unfreeze()


def test_switched_off_by_the_environment(qtbot, monkeypatch):
    monkeypatch.setenv("KIOSK_GUI_GC", "0")
    gc.enable()
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not collector.running and gc.isenabled()
    finally:
        gc.disable()
