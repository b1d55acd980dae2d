"""kiosk/thread_priority.py: threads other than the GUI thread get the configured niceness."""
import os
import threading

import pytest

from kiosk.thread_priority import ThreadNiceness, process_thread_ids

pytestmark = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="per-thread niceness is Linux-only")


def _parked_thread():
    """A thread that waits until released; returns (its kernel thread ID, release)."""
    release, started = threading.Event(), threading.Event()
    box = {}

    def run():
        box["tid"] = threading.get_native_id()
        started.set()
        release.wait(10)
    thread = threading.Thread(target=run, name="parked", daemon=True)
    thread.start()
    assert started.wait(5)
    return box["tid"], release, thread


def test_a_worker_thread_is_reniced_and_the_gui_thread_is_not(qapp):
    tid, release, thread = _parked_thread()
    gui = threading.get_native_id()
    gui_before = os.getpriority(os.PRIO_PROCESS, gui)
    assert tid in process_thread_ids() and gui in process_thread_ids()
    # Only these two threads are offered: the test process's other threads keep their priority.
    sweeper = ThreadNiceness(7, thread_ids=lambda: [gui, tid])
    try:
        assert sweeper.sweep() == 1
        assert os.getpriority(os.PRIO_PROCESS, tid) == 7
        assert os.getpriority(os.PRIO_PROCESS, gui) == gui_before
        assert sweeper.sweep() == 0                  # once per thread
    finally:
        release.set()
        thread.join(5)


def test_threads_started_later_are_caught_by_the_timer(qtbot):
    sweeper = ThreadNiceness(6, interval_ms=50, thread_ids=lambda: [t for t in offered])
    offered: list[int] = []
    sweeper.start()
    tid, release, thread = _parked_thread()
    try:
        offered.append(tid)
        qtbot.waitUntil(lambda: os.getpriority(os.PRIO_PROCESS, tid) == 6, timeout=3000)
    finally:
        sweeper.stop()
        release.set()
        thread.join(5)


def test_zero_switches_it_off():
    tid, release, thread = _parked_thread()
    before = os.getpriority(os.PRIO_PROCESS, tid)
    try:
        sweeper = ThreadNiceness(0, thread_ids=lambda: [tid])
        assert not sweeper.active
        sweeper.start()
        assert sweeper.sweep() == 0
        assert os.getpriority(os.PRIO_PROCESS, tid) == before
    finally:
        release.set()
        thread.join(5)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a niceness back needs CAP_SYS_NICE (CI runs as root)")
def test_stop_gives_the_threads_their_niceness_back(qapp):
    tid, release, thread = _parked_thread()
    before = os.getpriority(os.PRIO_PROCESS, tid)
    try:
        sweeper = ThreadNiceness(before + 4, thread_ids=lambda: [tid])
        sweeper.start()
        assert os.getpriority(os.PRIO_PROCESS, tid) == before + 4
        sweeper.stop()
        assert os.getpriority(os.PRIO_PROCESS, tid) == before
    finally:
        release.set()
        thread.join(5)
