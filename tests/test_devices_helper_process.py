"""devices/helper_process.py: work in a spawned helper at a lower CPU priority, never lost when
the helper dies or goes silent."""
from __future__ import annotations

import os
import signal
import time

import pytest

from devices import helper_process
from devices.helper_process import HelperProcess


def _pid_after(seconds_in_a_helper: float, parent_pid: int) -> int:
    """Sleeps only in a helper (a silent helper); answers at once on the calling thread."""
    if os.getpid() != parent_pid:
        time.sleep(seconds_in_a_helper)
    return os.getpid()


def test_the_helper_is_another_process_at_the_configured_niceness():
    own = os.getpriority(os.PRIO_PROCESS, 0)
    helper_process.set_niceness(7)
    helper = HelperProcess("test", 60.0)
    try:
        pid = helper.pid()
        assert pid != os.getpid()
        assert os.getpriority(os.PRIO_PROCESS, pid) == max(own, 7)        # absolute, not added
        assert helper.run(_pid_after, 0.0, os.getpid()) == pid
    finally:
        helper_process.set_niceness(0)
        helper.close()


def test_a_helper_started_from_a_reniced_thread_runs_at_the_configured_niceness_not_more():
    """A worker thread at niceness 5 (kiosk/thread_priority.py) starts a helper configured for 7:
    the helper inherits 5 and goes to 7, not to 5 + 7."""
    import threading
    own = os.getpriority(os.PRIO_PROCESS, 0)
    found = {}

    def start_from_worker():
        os.setpriority(os.PRIO_PROCESS, 0, max(own, 5))       # this thread only (Linux)
        found["helper"] = HelperProcess("reniced", 60.0)
        found["pid"] = found["helper"].pid()
    helper_process.set_niceness(7)
    try:
        worker = threading.Thread(target=start_from_worker, name="reniced-worker")
        worker.start()
        worker.join(60)
        assert os.getpriority(os.PRIO_PROCESS, found["pid"]) == max(own, 7)
        assert os.getpriority(os.PRIO_PROCESS, 0) == own                # the calling thread untouched
    finally:
        helper_process.set_niceness(0)
        if "helper" in found:
            found["helper"].close()


def test_niceness_is_clamped_to_what_linux_accepts():
    try:
        helper_process.set_niceness(40)
        assert helper_process.niceness() == 19
        helper_process.set_niceness(-5)
        assert helper_process.niceness() == 0
    finally:
        helper_process.set_niceness(0)


def test_a_silent_helper_is_replaced_and_the_call_runs_on_the_calling_thread():
    helper = HelperProcess("test", 60.0)
    try:
        first = helper.pid()
        helper.timeout_s = 0.5
        started = time.monotonic()
        assert helper.run(_pid_after, 30.0, os.getpid()) == os.getpid()       # answered here
        assert time.monotonic() - started < 10
        helper.timeout_s = 60.0
        assert helper.pid() not in (first, os.getpid())                        # a new helper
    finally:
        helper.close()


@pytest.mark.faults
def test_a_helper_killed_with_sigkill_costs_no_call():
    helper = HelperProcess("test", 60.0)
    try:
        first = helper.pid()
        os.kill(first, signal.SIGKILL)
        answered_by = helper.run(_pid_after, 0.0, os.getpid())
        assert answered_by != first          # the broken pool noticed: in-process, or a new helper
        second = helper.pid()
        assert second not in (first, os.getpid())
        assert helper.run(_pid_after, 0.0, os.getpid()) == second
    finally:
        helper.close()
