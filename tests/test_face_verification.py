"""FaceVerifier with the real dlib models in the real worker process.

One verifier (one worker process) serves the whole module: loading the models
is the slow part, and reusing the worker is what the kiosk does too.
"""
from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

from devices.camera import SimCamera
from devices.id_reader.sim_identities import camera_source_for, chip_photo_jpeg, sim_identity
from devices.sample_faces import faces_dir
from kiosk.face_verification import FaceCheckResult, FaceVerifier

THRESHOLD = 0.45
OTHER_PERSON = faces_dir() / "lfw_krasserm" / "Vladimir_Putin" / "Vladimir_Putin_0001.jpg"


@pytest.fixture(scope="module")
def verifier(qapp):
    verifier = FaceVerifier()
    ready = []
    verifier.models_ready.connect(lambda: ready.append(True))
    verifier.start()
    deadline = time.monotonic() + 30
    while not ready and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert ready, "face worker did not load the models within 30 s"
    # dlib lives in the worker only; the worker never pulls in Qt.
    assert verifier.worker_info()["pyside6_loaded"] is False
    import sys
    assert "dlib" not in sys.modules and "face_recognition" not in sys.modules
    yield verifier
    verifier.shutdown()


@pytest.fixture
def elderly_chip_photo():
    jpeg = chip_photo_jpeg("elderly", str(faces_dir()))
    assert jpeg is not None, "sample photos missing under ../shared/faces"
    return jpeg


def feed(qtbot, verifier, frame, interval_ms=30):
    """Offer the same frame repeatedly, like a camera, until the test stops the timer."""
    timer = QTimer()
    timer.timeout.connect(lambda: verifier.offer_frame(frame))
    timer.start(interval_ms)
    return timer


def run_check(qtbot, verifier, reference, frame, frames_needed=3, timeout_s=15) -> FaceCheckResult:
    timer = feed(qtbot, verifier, frame)
    try:
        with qtbot.waitSignal(verifier.finished, timeout=int(timeout_s * 1000) + 5000) as blocker:
            verifier.begin(reference, THRESHOLD, frames_needed, timeout_s)
    finally:
        timer.stop()
    return blocker.args[0]


def test_same_person_matches_and_gui_stays_responsive(qtbot, verifier, elderly_chip_photo):
    """The elderly card's chip photo against the sim camera's photo of the same man,
    delivered by the real SimCamera, while a 10 ms timer measures GUI stalls."""
    camera = SimCamera(camera_source_for("elderly"), fps=15)
    camera.frame_ready.connect(verifier.offer_frame)
    clock, gaps = QElapsedTimer(), []
    ticker = QTimer()
    ticker.timeout.connect(lambda: (gaps.append(clock.restart())))
    clock.start()
    ticker.start(10)
    camera.start()
    try:
        # frames_needed=5 and a threshold of 0 force five full encodings, so the
        # worker is busy for a while; the real decision is checked below.
        with qtbot.waitSignal(verifier.finished, timeout=20000) as blocker:
            verifier.begin(elderly_chip_photo, 0.0, 5, 15)
        busy = blocker.args[0]
        with qtbot.waitSignal(verifier.finished, timeout=20000) as blocker:
            verifier.begin(elderly_chip_photo, THRESHOLD, 5, 15)
        result = blocker.args[0]
    finally:
        ticker.stop()
        camera.close()
    assert busy.reason == "not_matched" and busy.frames_used == 5
    assert result.matched and result.reason == "matched"
    assert result.best_distance is not None and result.best_distance <= THRESHOLD
    assert result.frames_used >= 1
    assert len(gaps) > 20
    print(f"distance {result.best_distance:.3f}; GUI max gap {max(gaps[1:])} ms over {len(gaps)} ticks")
    # One encoding in a thread of this process stalls the GUI ~100-175 ms (GIL);
    # in the worker process the gaps stay at the 10 ms tick.
    assert max(gaps[1:]) < 75, f"GUI thread stalled {max(gaps[1:])} ms"


def test_different_person_does_not_match(qtbot, verifier, elderly_chip_photo):
    frame = cv2.imread(str(OTHER_PERSON))
    assert frame is not None
    result = run_check(qtbot, verifier, elderly_chip_photo, frame, frames_needed=3)
    assert not result.matched
    assert result.reason == "not_matched"
    assert result.frames_used == 3 and result.best_distance > 0.6


def test_frame_without_a_face_gives_no_face_feedback(qtbot, verifier, elderly_chip_photo):
    grey = np.full((480, 640, 3), 128, np.uint8)
    timer = feed(qtbot, verifier, grey)
    try:
        with qtbot.waitSignal(verifier.frame_feedback, timeout=10000,
                              check_params_cb=lambda feedback: feedback == "no_face"):
            verifier.begin(elderly_chip_photo, THRESHOLD, 3, 10)
    finally:
        timer.stop()
    with qtbot.waitSignal(verifier.finished, timeout=5000) as blocker:
        verifier.cancel()
    result = blocker.args[0]
    assert result.reason == "cancelled" and result.frames_used == 0 and not result.matched


def test_small_face_is_gated(qtbot, verifier, elderly_chip_photo):
    photo = cv2.imread(str(camera_source_for("elderly")))
    tiny = np.full((480, 640, 3), 128, np.uint8)
    tiny[200:300, 270:370] = cv2.resize(photo, (100, 100))   # face ~45 px wide
    feedback = []
    verifier.frame_feedback.connect(feedback.append)
    try:
        result = run_check(qtbot, verifier, elderly_chip_photo, tiny, timeout_s=1.5)
    finally:
        verifier.frame_feedback.disconnect(feedback.append)
    assert result.reason == "timeout" and result.frames_used == 0
    assert feedback and set(feedback) <= {"too_small", "no_face"}


def test_undecodable_reference(qtbot, verifier):
    frame = cv2.imread(str(camera_source_for("elderly")))
    result = run_check(qtbot, verifier, b"not a jpeg", frame)
    assert result.reason == "no_reference_face" and not result.matched


def test_worker_crash_fails_the_check_and_restarts(qtbot, verifier, elderly_chip_photo):
    frame = cv2.imread(str(camera_source_for("elderly")))
    old_pid = verifier.worker_info()["pid"]
    ready_again = []

    def on_ready():
        ready_again.append(True)

    verifier.models_ready.connect(on_ready)
    verifier.begin(elderly_chip_photo, 0.0, 1000, 30)   # a check that would run a long time
    timer = feed(qtbot, verifier, frame)
    try:
        qtbot.wait(300)
        with qtbot.waitSignal(verifier.finished, timeout=5000) as blocker:
            verifier._process.kill()   # simulate a crash inside dlib
        assert blocker.args[0].reason == "worker_failed"
        qtbot.waitUntil(lambda: bool(ready_again), timeout=30000)
    finally:
        timer.stop()
        verifier.models_ready.disconnect(on_ready)
    assert verifier.worker_info()["pid"] != old_pid
    # The new worker verifies again.
    result = run_check(qtbot, verifier, elderly_chip_photo, frame)
    assert result.matched


def test_sim_identities_genuine_pairs_match(qtbot, verifier):
    """Every sample card matches its sim camera photo at the kiosk threshold."""
    for key in ("young", "expired"):
        reference = chip_photo_jpeg(key, str(faces_dir()))
        frame = cv2.imread(str(sim_identity(key).camera_source()))
        result = run_check(qtbot, verifier, reference, frame)
        assert result.matched, (key, result.best_distance)
