"""The decision of one face check, from the worker's per-frame observations.

Plain Python (no Qt, no dlib), so every rule here is tested with made-up
observations as well as with the real worker:

1. **Match** (mode "verify"): frames that pass the worker's quality gates are
   encoded; the check keeps the smallest distance to the card photo. Once it
   is <= threshold (and at least `baseline_frames` gated frames gave the
   citizen's own frontal yaw), the liveness challenge starts. When
   `frames_needed` gated frames were encoded and none is close enough, the
   result is "not_matched" (best-of-N inside the check's time window).
2. **Liveness** (mode "pose"): a head turn in a randomly chosen direction,
   measured against the citizen's *own* frontal yaw (the median of their
   gated frames), not a fixed angle: the yaw must move `turn_delta` past that
   baseline the asked way. The turned frame is encoded and must be the same
   person as the best frontal frame (identity continuity), so a second person
   cannot do the turning. A photo held up keeps its yaw (see face_worker.Pose)
   and fails with "liveness_failed" after `challenge_timeout_s`.
3. **Deadlines**: no face at all for `no_face_timeout_s` -> "no_face"; the
   whole check over `timeout_s` -> "timeout" (or "multiple_faces" when the
   last frames showed two people).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from kiosk import face_worker as fw

LEFT, RIGHT = "left", "right"
# The citizen's left, on an unmirrored camera, moves the nose to the image's right (+yaw).
_DIRECTION_SIGN = {LEFT: +1, RIGHT: -1}


@dataclass(frozen=True)
class FaceCheckParams:
    threshold: float
    frames_needed: int = 5
    timeout_s: float = 25.0
    no_face_timeout_s: float = 20.0
    liveness: bool = True
    turn_delta: float = 0.12           # yaw units (see face_worker.Pose); frontal jitter is ~0.02
    challenge_timeout_s: float = 8.0
    baseline_frames: int = 2


@dataclass
class FaceDecision:
    params: FaceCheckParams
    started_at: float
    challenge: str = LEFT              # LEFT or RIGHT, drawn at random by the caller
    phase: str = "verify"              # "verify" -> "challenge" -> "done"
    frames_used: int = 0
    best_distance: float | None = None
    liveness_passed: bool | None = None
    guidance: str = fw.NO_FACE
    progress: float = 0.0
    outcome: str | None = None
    _baseline: list[float] = field(default_factory=list)
    _last_face_at: float = 0.0
    _challenge_started: float = 0.0

    def __post_init__(self):
        self._last_face_at = self.started_at

    # --- what the worker should do with the next frame --------------------------

    def frame_mode(self) -> dict:
        if self.phase == "challenge":
            return {"mode": "pose", "turn": (self.baseline_yaw(), _DIRECTION_SIGN[self.challenge],
                                             self.params.turn_delta)}
        return {"mode": "verify"}

    def baseline_yaw(self) -> float:
        return statistics.median(self._baseline) if self._baseline else 0.0

    # --- events --------------------------------------------------------------------

    def observe(self, obs: dict, now: float) -> str | None:
        """One frame's observation from the worker; returns the outcome once decided."""
        if self.outcome is not None:
            return self.outcome
        feedback = obs.get("feedback", fw.NO_FACE)
        if feedback == fw.STALE:
            return None
        if obs.get("faces", 0) >= 1:
            self._last_face_at = now
        if self.phase == "verify":
            self._observe_verify(obs, feedback, now)
        else:
            self._observe_challenge(obs, feedback)
        return self.outcome or self.tick(now)

    def tick(self, now: float) -> str | None:
        """Deadlines; called with every observation and by a timer."""
        if self.outcome is not None:
            return self.outcome
        if now - self._last_face_at >= self.params.no_face_timeout_s:
            return self._decide("no_face")
        if self.phase == "challenge" and now - self._challenge_started >= self.params.challenge_timeout_s:
            return self._decide("liveness_failed")
        if now - self.started_at >= self.params.timeout_s:
            if self.phase == "challenge":
                return self._decide("liveness_failed")
            return self._decide("multiple_faces" if self.guidance == fw.MULTIPLE_FACES else "timeout")
        return None

    # --- internals ---------------------------------------------------------------------

    def _observe_verify(self, obs: dict, feedback: str, now: float) -> None:
        self.guidance = feedback
        distance = obs.get("distance")
        if feedback != fw.OK or distance is None:
            return
        self.frames_used += 1
        if obs.get("yaw") is not None:
            self._baseline.append(obs["yaw"])
        if self.best_distance is None or distance < self.best_distance:
            self.best_distance = distance
        matched = self.best_distance <= self.params.threshold
        self.progress = max(self.progress, 0.5 * min(1.0, self.frames_used / self.params.baseline_frames))
        if matched and not self.params.liveness:
            self._decide("matched")        # no challenge, so no yaw baseline to wait for
            return
        if matched and len(self._baseline) >= self.params.baseline_frames:
            self.phase = "challenge"
            self._challenge_started = now
            self.guidance = f"turn_{self.challenge}"
            self.progress = 0.5
        elif not matched and self.frames_used >= self.params.frames_needed:
            self._decide("not_matched")

    def _observe_challenge(self, obs: dict, feedback: str) -> None:
        if feedback in (fw.NO_FACE, fw.MULTIPLE_FACES, fw.TOO_SMALL, fw.TOO_DARK, fw.TOO_BRIGHT):
            self.guidance = feedback
            return
        self.guidance = f"turn_{self.challenge}"
        yaw = obs.get("yaw")
        if yaw is not None:
            turned = (yaw - self.baseline_yaw()) * _DIRECTION_SIGN[self.challenge]
            self.progress = max(self.progress, 0.5 + 0.5 * min(1.0, max(0.0, turned) / self.params.turn_delta))
        continuity = obs.get("continuity")
        if continuity is None:
            return
        if continuity <= fw.CONTINUITY_TOLERANCE:
            self.liveness_passed = True
            self._decide("matched")
        else:
            # Someone else turned their head: not the person whose face matched the card.
            self.liveness_passed = False
            self._decide("liveness_failed")

    def _decide(self, outcome: str) -> str:
        self.outcome = outcome
        self.phase = "done"
        if outcome == "matched":
            self.progress = 1.0
        elif outcome == "liveness_failed":
            self.liveness_passed = False
        return outcome
