"""FaceVerifier with the real dlib models in the real worker process, on real photos.

One verifier (one worker process) serves the whole module: loading the models
is the slow part, and reusing the worker is what the kiosk does too. Frames
come from the real SimCamera (stills, the scenarios, and a real video).
"""
from __future__ import annotations

import sys
import time

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

from devices.camera import SimCamera
from devices.id_reader.chip_photo import make_chip_photo
from devices.id_reader.sim_identities import camera_source_for, chip_photo_jpeg, sim_identity
from devices.sample_faces import faces_dir
from kiosk.config import FaceSection
from kiosk.face_decision import RIGHT, FaceCheckParams
from kiosk.face_verification import FaceCheckResult, FaceVerifier

THRESHOLD = FaceSection().threshold          # the calibrated kiosk default
NO_LIVENESS = FaceCheckParams(THRESHOLD, liveness=False)
OTHER_PERSON = faces_dir() / "lfw_krasserm" / "Vladimir_Putin" / "Vladimir_Putin_0001.jpg"
VIDEO = faces_dir() / "face_recognition" / "examples" / "short_hamilton_clip.mp4"
# The man in the clip, another photo of him; face box measured once with dlib HOG upsample=1.
VIDEO_PERSON = faces_dir() / "face_recognition" / "examples" / "lin-manuel-miranda.png"
VIDEO_PERSON_BOX = (241, 170, 562, 491)


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
    assert "dlib" not in sys.modules and "face_recognition" not in sys.modules
    yield verifier
    verifier.shutdown()


@pytest.fixture
def elderly_chip_photo():
    jpeg = chip_photo_jpeg("elderly", str(faces_dir()))
    assert jpeg is not None, "sample photos missing under ../shared/faces"
    return jpeg


@pytest.fixture
def cameras(qtbot):
    made = []
    yield made
    for camera in made:
        camera.close()


def feed(verifier, frame, interval_ms=30):
    """Offer the same frame repeatedly, like a camera, until the test stops the timer."""
    timer = QTimer()
    timer.timeout.connect(lambda: verifier.offer_frame(frame))
    timer.start(interval_ms)
    return timer


def run_check(qtbot, verifier, reference, frame, frames_needed=3, timeout_s=15,
              params=NO_LIVENESS, **kwargs) -> FaceCheckResult:
    timer = feed(verifier, frame)
    try:
        with qtbot.waitSignal(verifier.finished, timeout=int(timeout_s * 1000) + 10000) as blocker:
            verifier.begin(reference, THRESHOLD, frames_needed, timeout_s, params=params, **kwargs)
    finally:
        timer.stop()
    return blocker.args[0]


def run_with_camera(qtbot, verifier, camera, reference, params, frames_needed=5, timeout_s=20,
                    threshold=THRESHOLD, challenge=None, feedback=None) -> FaceCheckResult:
    camera.frame_ready.connect(verifier.offer_frame)
    if feedback is not None:
        verifier.frame_feedback.connect(feedback.append)
    try:
        with qtbot.waitSignal(verifier.finished, timeout=int(timeout_s * 1000) + 10000) as blocker:
            verifier.begin(reference, threshold, frames_needed, timeout_s, params=params,
                           challenge=challenge)
            camera.start()
    finally:
        camera.frame_ready.disconnect(verifier.offer_frame)
        if feedback is not None:
            verifier.frame_feedback.disconnect(feedback.append)
        camera.stop()
    return blocker.args[0]


# --- matching ----------------------------------------------------------------------

def test_same_person_matches_and_gui_stays_responsive(qtbot, verifier, elderly_chip_photo, cameras):
    """The elderly card's chip photo against the sim camera's photo of the same man,
    delivered by the real SimCamera, while a 10 ms timer measures GUI stalls."""
    camera = SimCamera(camera_source_for("elderly"), fps=15)
    cameras.append(camera)
    camera.frame_ready.connect(verifier.offer_frame)
    clock, gaps = QElapsedTimer(), []
    ticker = QTimer()
    ticker.timeout.connect(lambda: (gaps.append(clock.restart())))
    clock.start()
    ticker.start(10)
    camera.start()
    try:
        # A threshold of 0 forces five full encodings, so the worker is busy for
        # a while; the real decision is checked below.
        with qtbot.waitSignal(verifier.finished, timeout=20000) as blocker:
            verifier.begin(elderly_chip_photo, 0.0, 5, 15, params=NO_LIVENESS)
        busy = blocker.args[0]
        with qtbot.waitSignal(verifier.finished, timeout=20000) as blocker:
            verifier.begin(elderly_chip_photo, THRESHOLD, 5, 15, params=NO_LIVENESS)
        result = blocker.args[0]
    finally:
        ticker.stop()
    assert busy.reason == "not_matched" and busy.frames_used == 5
    assert result.matched and result.reason == "matched" and result.reference == "card:face_found"
    assert result.best_distance is not None and result.best_distance <= THRESHOLD
    assert len(gaps) > 20
    # One encoding in a thread of this process stalls the GUI ~100-175 ms (GIL);
    # in the worker process the gaps stay near the 10 ms tick.
    assert max(gaps[1:]) < 75, f"GUI thread stalled {max(gaps[1:])} ms"


def test_different_person_does_not_match(qtbot, verifier, elderly_chip_photo):
    frame = cv2.imread(str(OTHER_PERSON))
    assert frame is not None
    result = run_check(qtbot, verifier, elderly_chip_photo, frame, frames_needed=3)
    assert not result.matched
    assert result.reason == "not_matched"
    assert result.frames_used == 3 and result.best_distance > 0.6


def test_sim_identities_genuine_pairs_match(qtbot, verifier):
    """The sample cards whose pairs lie under the calibrated threshold match
    ("young", 0.414, is a false reject at 0.41: see docs/face.md)."""
    for key in ("elderly", "expired"):
        reference = chip_photo_jpeg(key, str(faces_dir()))
        frame = cv2.imread(str(sim_identity(key).camera_source()))
        result = run_check(qtbot, verifier, reference, frame)
        assert result.matched, (key, result.best_distance)


# --- liveness ----------------------------------------------------------------------

def test_photo_attack_is_rejected(qtbot, verifier, elderly_chip_photo, cameras):
    """The card holder's own photo held up to the camera: it matches the card, but
    a flat picture cannot turn its head, so the check fails on liveness."""
    camera = SimCamera(camera_source_for("elderly"), fps=15, scenario="photo_attack")
    cameras.append(camera)
    params = FaceCheckParams(THRESHOLD, liveness=True, challenge_timeout_s=4.0)
    feedback = []
    for challenge in ("left", "right"):
        result = run_with_camera(qtbot, verifier, camera, elderly_chip_photo, params,
                                 challenge=challenge, feedback=feedback)
        assert result.reason == "liveness_failed" and not result.matched, challenge
        assert result.liveness is False
        assert result.best_distance <= THRESHOLD       # it was the right face, just not alive
        assert f"turn_{challenge}" in feedback


def test_video_with_a_real_head_turn_passes(qtbot, verifier, cameras):
    """A real video (the face_recognition example clip) in which the man turns his
    head to his right twice; the reference is a chip made from a different photo of
    him. Threshold 0.56 here: this test is about liveness, and this degraded
    chip vs the small, soft video face is a harder genuine pair (0.34-0.57) than the
    kiosk's threshold is calibrated for."""
    image = cv2.imread(str(VIDEO_PERSON))
    reference = make_chip_photo(image, VIDEO_PERSON_BOX)
    camera = SimCamera(VIDEO, fps=15)
    cameras.append(camera)
    params = FaceCheckParams(0.56, liveness=True, challenge_timeout_s=15.0)
    feedback = []
    result = run_with_camera(qtbot, verifier, camera, reference, params, frames_needed=10,
                             timeout_s=40, threshold=0.56, challenge=RIGHT, feedback=feedback)
    assert result.reason == "matched", result
    assert result.liveness is True
    assert "turn_right" in feedback


def test_video_turning_the_other_way_fails(qtbot, verifier, cameras):
    """The same clip, but the challenge asks for the direction he never turns."""
    image = cv2.imread(str(VIDEO_PERSON))
    reference = make_chip_photo(image, VIDEO_PERSON_BOX)
    camera = SimCamera(VIDEO, fps=15)
    cameras.append(camera)
    params = FaceCheckParams(0.56, liveness=True, challenge_timeout_s=6.0)
    result = run_with_camera(qtbot, verifier, camera, reference, params, frames_needed=10,
                             timeout_s=40, threshold=0.56, challenge="left")
    assert result.reason == "liveness_failed"


# --- faults ------------------------------------------------------------------------

def test_no_face_ends_the_check(qtbot, verifier, elderly_chip_photo, cameras):
    """Nobody in front of the camera: the check ends after no_face_timeout_s
    (20 s in the kiosk; 2 s here) with its own reason, not a generic timeout."""
    camera = SimCamera(scenario="no_face", fps=15)
    cameras.append(camera)
    params = FaceCheckParams(THRESHOLD, no_face_timeout_s=2.0)
    feedback = []
    started = time.monotonic()
    result = run_with_camera(qtbot, verifier, camera, elderly_chip_photo, params, timeout_s=20,
                             feedback=feedback)
    assert result.reason == "no_face" and result.frames_used == 0
    assert 1.9 <= time.monotonic() - started < 8
    assert set(feedback) == {"no_face"}


def test_two_faces_are_refused(qtbot, verifier, elderly_chip_photo, cameras):
    camera = SimCamera(camera_source_for("elderly"), fps=15, scenario="two_faces")
    cameras.append(camera)
    feedback = []
    result = run_with_camera(qtbot, verifier, camera, elderly_chip_photo, NO_LIVENESS, timeout_s=3,
                             feedback=feedback)
    assert result.reason == "multiple_faces" and result.frames_used == 0 and not result.matched
    assert "multiple_faces" in feedback


@pytest.mark.parametrize("scenario,hint", [("dark", "too_dark"), ("overexposed", "too_bright")])
def test_extreme_lighting_is_gated(qtbot, verifier, elderly_chip_photo, cameras, scenario, hint):
    camera = SimCamera(camera_source_for("elderly"), fps=15, scenario=scenario)
    cameras.append(camera)
    feedback = []
    result = run_with_camera(qtbot, verifier, camera, elderly_chip_photo, NO_LIVENESS, timeout_s=3,
                             feedback=feedback)
    assert result.reason == "timeout" and result.frames_used == 0
    assert feedback and set(feedback) <= {hint, "no_face"} and hint in feedback


def test_blurry_frames_are_gated(qtbot, verifier, elderly_chip_photo):
    frame = cv2.GaussianBlur(cv2.imread(str(camera_source_for("elderly"))), (0, 0), 2)
    feedback = []
    verifier.frame_feedback.connect(feedback.append)
    try:
        result = run_check(qtbot, verifier, elderly_chip_photo, frame, timeout_s=2)
    finally:
        verifier.frame_feedback.disconnect(feedback.append)
    assert result.reason == "timeout" and result.frames_used == 0
    assert "blurry" in feedback


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


def test_undecodable_card_photo(qtbot, verifier):
    frame = cv2.imread(str(camera_source_for("elderly")))
    result = run_check(qtbot, verifier, b"\xff\xd8 not a jpeg", frame)
    assert result.reason == "no_reference_face" and not result.matched
    assert result.reference == "card:undecodable"


def test_card_photo_without_a_face(qtbot, verifier):
    """A decodable photo in which no face is found is refused, not encoded as a whole."""
    ok, blank = cv2.imencode(".jpg", np.full((126, 102, 3), 200, np.uint8))
    frame = cv2.imread(str(camera_source_for("elderly")))
    result = run_check(qtbot, verifier, blank.tobytes(), frame)
    assert result.reason == "no_reference_face" and result.reference == "card:no_face_in_photo"


def test_corrupt_card_photo_falls_back_to_the_platform_photo(qtbot, verifier, elderly_chip_photo):
    frame = cv2.imread(str(camera_source_for("elderly")))
    truncated = elderly_chip_photo[: len(elderly_chip_photo) // 3]
    result = run_check(qtbot, verifier, truncated, frame, fallback_jpeg=elderly_chip_photo)
    assert result.matched and result.reference == "fallback:face_found"


def test_worker_crash_mid_check_restarts_and_the_check_continues(qtbot, verifier, elderly_chip_photo):
    frame = cv2.imread(str(camera_source_for("elderly")))
    old_pid = verifier.worker_info()["pid"]
    finished = []
    verifier.finished.connect(finished.append)
    timer = feed(verifier, frame)
    try:
        # threshold 0 with many frames: a check that keeps the worker busy
        verifier.begin(elderly_chip_photo, 0.0, 1000, 60, params=NO_LIVENESS)
        qtbot.wait(500)
        verifier._process.kill()            # a crash inside dlib
        qtbot.waitUntil(lambda: verifier.is_ready() and verifier.worker_info()["pid"] != old_pid,
                        timeout=30000)
        assert finished == []               # the citizen's check goes on
        first_restart_pid = verifier.worker_info()["pid"]
        qtbot.wait(500)
        # A second crash in the same check ends it: no endless restarts.
        with qtbot.waitSignal(verifier.finished, timeout=10000) as blocker:
            verifier._process.kill()
        assert blocker.args[0].reason == "worker_failed"
        qtbot.waitUntil(lambda: verifier.is_ready() and verifier.worker_info()["pid"] != first_restart_pid,
                        timeout=30000)
    finally:
        timer.stop()
        verifier.finished.disconnect(finished.append)
    # The new worker verifies again (what the session's "Try again" does).
    result = run_check(qtbot, verifier, elderly_chip_photo, frame)
    assert result.matched


def test_worker_crash_then_match_in_the_same_check(qtbot, verifier, elderly_chip_photo):
    """The restart is transparent: a check that lost its worker still matches."""
    frame = cv2.imread(str(camera_source_for("elderly")))
    timer = feed(verifier, frame)
    try:
        with qtbot.waitSignal(verifier.finished, timeout=40000) as blocker:
            verifier.begin(elderly_chip_photo, THRESHOLD, 5, 40, params=NO_LIVENESS)
            verifier._process.kill()
    finally:
        timer.stop()
    assert blocker.args[0].matched and blocker.args[0].reason == "matched"


def test_malformed_frames_do_not_kill_the_worker(qtbot, verifier, elderly_chip_photo):
    pid = verifier.worker_info()["pid"]
    feedback = []
    verifier.frame_feedback.connect(feedback.append)
    try:
        for bogus in (np.zeros((10, 10), np.uint8), np.zeros((0, 0, 3), np.uint8)):
            result = run_check(qtbot, verifier, elderly_chip_photo, bogus, timeout_s=1.0)
            assert result.reason == "timeout" and result.frames_used == 0
    finally:
        verifier.frame_feedback.disconnect(feedback.append)
    assert feedback and set(feedback) == {"no_face"}
    assert verifier.worker_info()["pid"] == pid and verifier._process.is_alive()
