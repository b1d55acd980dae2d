"""One face check as the GUI process sees it, and the worker process's plumbing.

`RunningCheck` holds what the parent keeps while a check runs (no biometric
data besides distances: the chip photo bytes it already had, to resend to a
restarted worker) and turns its decision into the `FaceCheckResult` that
kiosk.face_verification.FaceVerifier emits. The three functions start, feed and
stop the worker process (kiosk.face_worker) without ever blocking on a dead one.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from kiosk import face_worker
from kiosk.core.face_decision import FaceCheckParams, FaceDecision

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class FaceCheckResult:
    matched: bool
    best_distance: float | None
    frames_used: int
    reason: str      # "matched", "not_matched", "no_reference_face", "timeout", "cancelled",
                     # "worker_failed", "liveness_failed", "no_face", "multiple_faces"
    liveness: bool | None = None      # None: no challenge was run (liveness off or not reached)
    reference: str = ""               # how the reference was made, e.g. "card:face_found", "fallback:..."
    challenge: tuple[str, ...] = ()   # the liveness steps asked, e.g. ("blink", "left")
    steps_done: int = 0               # how many of them were done
    failed_because: str = ""          # liveness: "timeout", "wrong_action:<step>", "other_person"


class RunningCheck:
    """The running check, as the parent sees it (no biometric data besides distances)."""

    def __init__(self, check_id: int, reference_jpeg: bytes, fallback_jpeg: bytes,
                 params: FaceCheckParams, challenge: tuple[str, ...]):
        self.check_id = check_id
        # The chip photo (the card's own, already in memory) is kept until the check
        # ends so a restarted worker can be given it again.
        self.reference_jpeg = reference_jpeg
        self.fallback_jpeg = fallback_jpeg
        self.decision = FaceDecision(params, time.monotonic(), challenge=challenge)
        self.reference_how = ""
        self.crashes = 0
        self.frame_in_flight = False
        self.waiting_frame = None

    @property
    def frames_used(self) -> int:
        return self.decision.frames_used

    @property
    def best_distance(self) -> float | None:
        return self.decision.best_distance

    def result(self, reason: str) -> FaceCheckResult:
        decision = self.decision
        return FaceCheckResult(matched=reason == "matched", best_distance=self.best_distance,
                               frames_used=self.frames_used, reason=reason, liveness=decision.liveness_passed,
                               reference=self.reference_how,
                               challenge=tuple(decision.challenge) if decision.params.liveness else (),
                               steps_done=decision.step, failed_because=decision.failed_because)


def put_quietly(commands, command: tuple) -> None:
    """Send a command to the worker; a queue closed with a dead worker is ignored (the
    verifier's watchdog reports the worker)."""
    if commands is None:
        return
    try:
        commands.put(command)
    except (OSError, ValueError):
        pass


def start_worker_process(context, worker_args: tuple):
    """(process, commands, results) of a new worker process, or None when it cannot start."""
    commands, results = context.Queue(), context.Queue()
    process = context.Process(target=face_worker.worker_main, name="face-worker", daemon=True,
                              args=(commands, results, *worker_args))
    try:
        process.start()
    except Exception:
        log.exception("face worker could not be started")
        return None
    return process, commands, results


def stop_worker_process(process, commands, results) -> None:
    """Ask the worker to stop, then terminate it if it does not; never blocks on its queues."""
    if process is None:
        return
    if process.is_alive():
        put_quietly(commands, ("stop",))
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            process.terminate()
            process.join(1.0)
    for q in (commands, results):
        q.close()
        q.cancel_join_thread()   # never block exit on a queue nobody reads
