"""Leaks the soak bench found, pinned down in quick tests."""
from __future__ import annotations

import os
import threading
import time
import uuid

from offline_cache.outbox import Outbox, Submission


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_outbox_used_from_many_short_lived_threads_keeps_fds_flat(tmp_path):
    # The controller saves every application and rating on its own short-lived thread.
    outbox = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")

    def save():
        sid = str(uuid.uuid4())
        outbox.enqueue(Submission(sid, "application", {"application_id": sid}, time.time()))

    def run_threads(count):
        for _ in range(count):
            thread = threading.Thread(target=save)
            thread.start()
            thread.join()
    run_threads(5)
    before = fds()
    run_threads(100)
    assert fds() - before <= 4, f"{fds() - before} file descriptors leaked by 100 threads"
    assert outbox.stats().pending == 105
    outbox.close()
