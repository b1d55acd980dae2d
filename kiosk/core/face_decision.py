"""The decision of one face check, from the worker's per-frame observations.

Plain Python (no Qt, no models), so every rule here is tested with made-up
observations as well as with the real worker:

1. **Match** (mode "verify"): frames that pass the worker's quality gates are
   embedded; the check keeps the smallest distance to the card photo. Once it
   is <= threshold (and at least `baseline_frames` gated frames gave the
   citizen's own frontal yaw and open-eye value), the liveness challenge
   starts. When `frames_needed` gated frames were embedded and none is close
   enough, the result is "not_matched" (best-of-N inside the check's time window).
2. **Liveness** (mode "challenge"): a random sequence of steps drawn per check
   (`draw_challenge`): two different steps out of blink / turn left / turn
   right in random order (6 sequences), or, without the eye model, three turns
   each left or right (8 sequences). Each step is an *event* measured against
   the citizen's own baselines, never a fixed cut-off:
   - turn: the yaw moves `turn_delta` past their frontal yaw (the median of
     their gated frames) to one side;
   - blink: with the head frontal, eye openness falls below
     `blink_closed_ratio` of their own open-eye value (median of their gated
     frames) for at least `blink_min_closed_s`, then opens again past
     `blink_open_ratio`. Natural blinks (~0.1-0.3 s) are shorter and count as
     nothing, so they never fail a turn step.
   After each event the head must come back to frontal with open eyes before
   the next one counts. The asked event advances the challenge; any *other*
   event (a turn the wrong way, a turn while asked to blink, a long eye
   closure while asked to turn) fails it: a recorded video performs a fixed
   sequence of events, so it passes at most one of the 6 (or 8) sequences.
   Each event frame must show the same person as the best frontal frame
   (`same_person`, the engine's continuity tolerance), so a second person
   cannot do the challenge. A photo can neither turn a head (see
   kiosk.face_engine.Pose) nor close its eyes; it fails with
   "liveness_failed" after `challenge_timeout_s` per step.
3. **Deadlines**: no face at all for `no_face_timeout_s` -> "no_face"; the
   whole check over `timeout_s` -> "timeout" (or "multiple_faces" when the
   last frames showed two people).
"""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from typing import Any

from kiosk.core import face_codes as fe

LEFT, RIGHT, BLINK = "left", "right", "blink"
STEPS = (BLINK, LEFT, RIGHT)
# The citizen's left, on an unmirrored camera, moves the nose to the image's right (+yaw).
_DIRECTION_SIGN = {LEFT: +1, RIGHT: -1}
_NOT_SEEN = (fe.NO_FACE, fe.MULTIPLE_FACES, fe.TOO_SMALL, fe.TOO_DARK, fe.TOO_BRIGHT)


def draw_challenge(blink: bool, rng: random.Random | None = None) -> tuple[str, ...]:
    """The steps of one check's challenge: with blink, two different steps of
    blink/left/right in random order (1 of 6); without, three turns each left or
    right (1 of 8). A recorded video passes with a probability of at most 1/6."""
    rng = rng or random.SystemRandom()
    if blink:
        return tuple(rng.sample(STEPS, 2))
    return tuple(rng.choice((LEFT, RIGHT)) for _ in range(3))


def guidance_for(step: str) -> str:
    return BLINK if step == BLINK else f"turn_{step}"


@dataclass(frozen=True)
class FaceCheckParams:
    threshold: float
    frames_needed: int = 5
    timeout_s: float = 25.0
    no_face_timeout_s: float = 20.0
    liveness: bool = True
    turn_delta: float = 0.12           # yaw units (kiosk.face_engine.Pose); frontal jitter is ~0.02
    challenge_timeout_s: float = 8.0   # per step
    baseline_frames: int = 2
    blink_closed_ratio: float = 0.45   # eyes closed: openness below this share of the citizen's own
    blink_open_ratio: float = 0.85     # eyes open again: above this share
    blink_min_closed_s: float = 0.4    # a deliberate closure; natural blinks are ~0.1-0.3 s


@dataclass
class FaceDecision:
    params: FaceCheckParams
    started_at: float
    challenge: tuple[str, ...] = (LEFT, BLINK)   # drawn at random by the caller (draw_challenge)
    phase: str = "verify"              # "verify" -> "challenge" -> "done"
    frames_used: int = 0
    best_distance: float | None = None
    liveness_passed: bool | None = None
    guidance: str = fe.NO_FACE
    progress: float = 0.0
    outcome: str | None = None
    step: int = 0                      # index into `challenge`
    failed_because: str = ""           # for the log: "timeout", "wrong_action:<event>", "other_person"
    _baseline: list[float] = field(default_factory=list)
    _open_eyes: list[float] = field(default_factory=list)
    _last_face_at: float = 0.0
    _step_started: float = 0.0
    _armed: bool = True
    _closed_since: float | None = None

    def __post_init__(self) -> None:
        challenge: object = self.challenge      # one step may be given as a bare string
        if isinstance(challenge, str):
            self.challenge = (challenge,)
        self._last_face_at = self.started_at

    # --- what the worker should do with the next frame --------------------------

    def frame_mode(self) -> dict[str, Any]:
        return {"mode": fe.CHALLENGE if self.phase == "challenge" else fe.VERIFY}

    def baseline_yaw(self) -> float:
        return statistics.median(self._baseline) if self._baseline else 0.0

    def open_eye_baseline(self) -> float | None:
        return statistics.median(self._open_eyes) if self._open_eyes else None

    # --- events --------------------------------------------------------------------

    def observe(self, obs: dict[str, Any], now: float) -> str | None:
        """One frame's observation from the worker; returns the outcome once decided."""
        if self.outcome is not None:
            return self.outcome
        feedback = obs.get("feedback", fe.NO_FACE)
        if feedback == fe.STALE:
            return None
        if obs.get("faces", 0) >= 1:
            self._last_face_at = now
        if self.phase == "verify":
            self._observe_verify(obs, feedback, now)
        else:
            self._observe_challenge(obs, feedback, now)
        return self.outcome or self.tick(now)

    def tick(self, now: float) -> str | None:
        """Deadlines; called with every observation and by a timer."""
        if self.outcome is not None:
            return self.outcome
        if now - self._last_face_at >= self.params.no_face_timeout_s:
            return self._decide("no_face")
        if self.phase == "challenge" and now - self._step_started >= self.params.challenge_timeout_s:
            self.failed_because = self.failed_because or "timeout"
            return self._decide("liveness_failed")
        if now - self.started_at >= self.params.timeout_s:
            if self.phase == "challenge":
                self.failed_because = self.failed_because or "timeout"
                return self._decide("liveness_failed")
            return self._decide("multiple_faces" if self.guidance == fe.MULTIPLE_FACES else "timeout")
        return None

    # --- verify ----------------------------------------------------------------------

    def _observe_verify(self, obs: dict[str, Any], feedback: str, now: float) -> None:
        self.guidance = feedback
        distance = obs.get("distance")
        if feedback != fe.OK or distance is None:
            return
        self.frames_used += 1
        if obs.get("yaw") is not None:
            self._baseline.append(obs["yaw"])
        if obs.get("eye_openness") is not None:
            self._open_eyes.append(obs["eye_openness"])
        if self.best_distance is None or distance < self.best_distance:
            self.best_distance = distance
        matched = self.best_distance <= self.params.threshold
        self.progress = max(self.progress, 0.5 * min(1.0, self.frames_used / self.params.baseline_frames))
        if matched and not self.params.liveness:
            self._decide("matched")        # no challenge, so no baseline to wait for
            return
        if matched and len(self._baseline) >= self.params.baseline_frames:
            if BLINK in self.challenge and self.open_eye_baseline() is None:
                # No eye measurements (no eye model): a blink step could never pass.
                self.challenge = tuple(step if step != BLINK else LEFT if RIGHT in self.challenge else RIGHT
                                       for step in self.challenge)
            self.phase = "challenge"
            self._start_step(now, armed=True)     # the matching frames were frontal, eyes open
            self.progress = 0.5
        elif not matched and self.frames_used >= self.params.frames_needed:
            self._decide("not_matched")

    # --- challenge -----------------------------------------------------------------

    def _start_step(self, now: float, armed: bool = False) -> None:
        self._step_started = now
        self._armed = armed               # else back to frontal, eyes open, before the step counts
        self._closed_since = None
        self.guidance = guidance_for(self.challenge[self.step])

    def _observe_challenge(self, obs: dict[str, Any], feedback: str, now: float) -> None:
        if feedback in _NOT_SEEN:
            self.guidance = feedback
            self._closed_since = None
            return
        asked = self.challenge[self.step]
        yaw, openness = obs.get("yaw"), obs.get("eye_openness")
        rel = None if yaw is None else yaw - self.baseline_yaw()
        eye = None if openness is None or not self.open_eye_baseline() else openness / self.open_eye_baseline()
        frontal = rel is not None and abs(rel) < self.params.turn_delta / 2
        if not self._armed:
            self._armed = frontal and (eye is None or eye >= self.params.blink_open_ratio)
            self.guidance = guidance_for(asked) if self._armed else fe.NOT_FRONTAL
            return
        self.guidance = guidance_for(asked)
        event = self._event(rel, eye, frontal, now)
        if asked != BLINK and rel is not None:
            turned = rel * _DIRECTION_SIGN[asked]
            partial = min(1.0, max(0.0, turned) / self.params.turn_delta)
            self._set_progress(partial)
        if event is not None:
            self._on_event(event, obs, now)

    def _event(self, rel: float | None, eye: float | None, frontal: bool, now: float) -> str | None:
        if rel is not None and abs(rel) >= self.params.turn_delta:
            self._closed_since = None
            return LEFT if rel * _DIRECTION_SIGN[LEFT] > 0 else RIGHT
        if eye is None or not frontal:
            self._closed_since = None
            return None
        if eye < self.params.blink_closed_ratio:
            if self._closed_since is None:
                self._closed_since = now
            return None
        if eye >= self.params.blink_open_ratio and self._closed_since is not None:
            closed_for, self._closed_since = now - self._closed_since, None
            if closed_for >= self.params.blink_min_closed_s:
                return BLINK
        return None

    def _on_event(self, event: str, obs: dict[str, Any], now: float) -> None:
        if obs.get("same_person") is False:
            # Someone else did the step: not the person whose face matched the card.
            self.failed_because = "other_person"
            self._decide("liveness_failed")
        elif event != self.challenge[self.step]:
            self.failed_because = f"wrong_action:{event}"
            self._decide("liveness_failed")
        else:
            self.step += 1
            self._set_progress(0.0)
            if self.step >= len(self.challenge):
                self.liveness_passed = True
                self._decide("matched")
            else:
                self._start_step(now)

    def _set_progress(self, partial: float) -> None:
        share = 0.5 / len(self.challenge)
        self.progress = max(self.progress, 0.5 + share * (self.step + partial))

    def _decide(self, outcome: str) -> str:
        self.outcome = outcome
        self.phase = "done"
        if outcome == "matched":
            self.progress = 1.0
        elif outcome == "liveness_failed":
            self.liveness_passed = False
        return outcome
