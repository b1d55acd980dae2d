"""The face-check decision rules with made-up worker observations (no dlib, instant).

The same rules run with the real models in test_face_verification.py; here
each rule is pinned down on its own, including the edges.
"""
from __future__ import annotations

import pytest

from kiosk.face_decision import LEFT, RIGHT, FaceCheckParams, FaceDecision


def gated(distance, yaw=0.02):
    return {"feedback": "ok", "faces": 1, "distance": distance, "yaw": yaw, "encoded": True}


def pose(yaw, continuity=None):
    return {"feedback": "ok", "faces": 1, "yaw": yaw, "continuity": continuity,
            "encoded": continuity is not None}


def decision(challenge=LEFT, **overrides):
    params = FaceCheckParams(threshold=0.41, **overrides)
    return FaceDecision(params, started_at=0.0, challenge=challenge)


def test_match_then_turn_against_own_baseline_passes():
    d = decision(LEFT)
    assert d.observe(gated(0.38, yaw=0.10), 0.1) is None      # this citizen looks a bit sideways
    assert d.phase == "verify"
    assert d.observe(gated(0.40, yaw=0.11), 0.3) is None
    assert d.phase == "challenge" and d.guidance == "turn_left"
    assert d.frame_mode()["mode"] == "pose"
    baseline, sign, delta = d.frame_mode()["turn"]
    assert baseline == pytest.approx(0.105) and sign == +1 and delta == 0.12
    # 0.20 would be "turned" against a fixed 0 reference; against their own 0.105 it is not yet.
    assert d.observe(pose(0.20), 0.5) is None
    assert 0.5 < d.progress < 1.0
    assert d.observe(pose(0.24, continuity=0.35), 0.7) == "matched"
    assert d.liveness_passed is True and d.best_distance == pytest.approx(0.38)


def test_still_photo_never_turns_and_fails_liveness():
    d = decision(RIGHT, challenge_timeout_s=3.0)
    d.observe(gated(0.30), 0.1)
    d.observe(gated(0.31), 0.2)
    assert d.phase == "challenge" and d.guidance == "turn_right"
    t = 0.2
    outcome = None
    while t < 5.0 and outcome is None:
        t += 0.1
        outcome = d.observe(pose(0.02 + (0.01 if int(t * 10) % 2 else -0.01)), t)   # wobble only
    assert outcome == "liveness_failed" and d.liveness_passed is False
    assert 3.1 <= t <= 3.4   # at the challenge timeout, not before


def test_turn_the_wrong_way_does_not_count():
    d = decision(LEFT, challenge_timeout_s=2.0)
    d.observe(gated(0.30), 0.0)
    d.observe(gated(0.30), 0.1)
    assert d.observe(pose(-0.30), 0.5) is None                 # turned right when asked left
    assert d.tick(2.2) == "liveness_failed"


def test_someone_else_doing_the_turn_fails():
    d = decision(LEFT)
    d.observe(gated(0.30), 0.0)
    d.observe(gated(0.30), 0.1)
    assert d.observe(pose(0.30, continuity=0.75), 0.5) == "liveness_failed"


def test_best_of_n_not_matched():
    d = decision(frames_needed=3)
    assert d.observe(gated(0.55), 0.1) is None
    assert d.observe(gated(0.50), 0.2) is None
    assert d.observe(gated(0.47), 0.3) == "not_matched"
    assert d.best_distance == pytest.approx(0.47) and d.frames_used == 3


def test_gated_out_frames_are_not_counted():
    d = decision(frames_needed=2)
    for feedback in ("blurry", "not_frontal", "too_dark", "too_bright", "too_small"):
        assert d.observe({"feedback": feedback, "faces": 1}, 0.1) is None
        assert d.guidance == feedback
    assert d.frames_used == 0


def test_liveness_off_matches_on_distance_alone():
    d = decision(liveness=False)
    assert d.observe(gated(0.45), 0.1) is None
    assert d.observe(gated(0.36), 0.2) == "matched" and d.liveness_passed is None
    assert decision(liveness=False).observe(gated(0.30), 0.1) == "matched"   # first frame can decide


def test_no_face_for_the_no_face_timeout():
    d = decision(no_face_timeout_s=20.0, timeout_s=60.0)
    assert d.observe({"feedback": "no_face", "faces": 0}, 10.0) is None
    assert d.tick(19.9) is None
    assert d.tick(20.0) == "no_face"


def test_a_face_resets_the_no_face_clock():
    d = decision(no_face_timeout_s=5.0, timeout_s=60.0)
    d.observe({"feedback": "too_small", "faces": 1}, 4.0)
    assert d.tick(8.0) is None and d.tick(9.0) == "no_face"


def test_two_people_until_the_deadline():
    d = decision(timeout_s=10.0)
    d.observe({"feedback": "multiple_faces", "faces": 2}, 1.0)
    assert d.guidance == "multiple_faces"
    assert d.tick(10.0) == "multiple_faces"


def test_stale_results_are_ignored():
    d = decision()
    assert d.observe({"feedback": "stale"}, 0.1) is None and d.frames_used == 0


# --- configuration ---------------------------------------------------------------------

def test_config_defaults_and_liveness_rules():
    from kiosk.config import ConfigError, config_from_dict
    config = config_from_dict({})
    assert config.face.threshold == 0.41 and config.face.threshold < 0.6
    assert config.face.liveness == "auto" and config.face.no_face_timeout_s == 20.0
    with pytest.raises(ConfigError, match="face.liveness"):
        config_from_dict({"face": {"liveness": "off"}, "devices": {"camera": {"backend": "opencv"}}})
    with pytest.raises(ConfigError, match="face.liveness"):
        config_from_dict({"face": {"liveness": "maybe"}})
    assert config_from_dict({"face": {"liveness": "off"}}).face.liveness == "off"   # sim camera only
    with pytest.raises(ConfigError, match="face.turn_delta"):
        config_from_dict({"face": {"turn_delta": 0.9}})
