"""kiosk/latest_frame.py: one worker thread on the newest camera frame (document camera, code scanners)."""
import threading
import time

import numpy as np

from kiosk.latest_frame import LatestFrameWorker


def test_the_worker_takes_at_most_its_rate_and_always_the_newest_frame():
    """kiosk.latest_frame.LatestFrameWorker with max_rate_hz: a 30 fps camera is checked 10 times
    a second (the rest dropped, never queued), and the frame checked is the newest one offered."""
    seen: list[int] = []
    done = threading.Event()

    def process(frame):
        seen.append(int(frame[0, 0]))
        if len(seen) >= 6:
            done.set()
    worker = LatestFrameWorker(process, name="rate-test", max_rate_hz=10.0)
    try:
        started = time.monotonic()
        number = 0
        while not done.is_set() and time.monotonic() - started < 5:
            number += 1
            worker.offer(np.full((2, 2), number % 256, np.uint8))
            time.sleep(1 / 30)
        elapsed = time.monotonic() - started
    finally:
        worker.stop()
    assert done.is_set()
    assert elapsed >= 0.45                     # 6 checks at 10 a second: at least 5 intervals
    assert number >= 2.5 * len(seen)           # most of the 30 fps frames were dropped
    assert seen == sorted(seen)                # never an older frame after a newer one


def test_a_busy_worker_keeps_only_the_newest_frame_and_survives_a_failing_one():
    """Frames offered while `process` is busy replace each other (no backlog); a frame whose
    processing raises is logged and the next frame is still processed."""
    seen: list[int] = []
    release = threading.Event()
    busy = threading.Event()
    after_failure = threading.Event()

    def process(frame):
        value = int(frame[0, 0])
        seen.append(value)
        if value == 1:
            busy.set()
            release.wait(5)
        elif value == 6:
            raise ValueError("a frame the check cannot take")
        elif value == 7:
            after_failure.set()
    worker = LatestFrameWorker(process, name="busy-test")
    try:
        worker.offer(np.full((2, 2), 1, np.uint8))
        assert busy.wait(5)
        for value in (2, 3, 4, 5):                  # offered while frame 1 is processed
            worker.offer(np.full((2, 2), value, np.uint8))
        release.set()
        deadline = time.monotonic() + 5
        while seen[-1:] != [5] and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.offer(np.full((2, 2), 6, np.uint8))
        while seen[-1:] != [6] and time.monotonic() < deadline + 5:
            time.sleep(0.01)
        time.sleep(0.02)                            # past the raise
        worker.offer(np.full((2, 2), 7, np.uint8))
        assert after_failure.wait(5)
    finally:
        worker.stop()
    assert seen == [1, 5, 6, 7]
    assert worker.threads_seen == {"busy-test"}


def test_drop_forgets_the_waiting_frame_and_stop_ends_the_thread():
    seen: list[int] = []
    release = threading.Event()
    busy = threading.Event()

    def process(frame):
        seen.append(int(frame[0, 0]))
        busy.set()
        release.wait(5)
    worker = LatestFrameWorker(process, name="drop-test")
    worker.offer(np.full((2, 2), 1, np.uint8))
    assert busy.wait(5)
    worker.offer(np.full((2, 2), 2, np.uint8))
    worker.drop()
    release.set()
    time.sleep(0.1)
    worker.stop()
    assert seen == [1]
    assert not any(t.name == "drop-test" for t in threading.enumerate())
