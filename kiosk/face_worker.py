"""The face-check worker process: the face engine, quality gates, embeddings.

Runs in its own process (multiprocessing "spawn", started by
kiosk.face_verification) so that the models (OpenCV DNN for `sface`, dlib for
`dlib`, the eye mesh) never run on a thread of the GUI process. This module
must not import PySide6 or anything that does.

Protocol (tuples over two multiprocessing queues; nothing touches disk):

  parent -> worker                          worker -> parent
  ("reference", check_id, jpeg, fallback)   ("ready", {"load_s", "pyside6_loaded", "engine",
  ("frame", check_id, frame_bgr, mode)                 "metric", "blink"})
  ("detect", request_id, frame_bgr)         ("load_failed", "ExceptionType: message")
  ("cancel", check_id)                      ("reference", check_id, ok, how)
  ("stop",)                                 ("frame", check_id, observation_dict)
                                            ("detected", request_id, [(l, t, r, b), ...])

`mode` is {"mode": "verify"} (quality-gate a frontal face, embed it, distance
to the reference) or {"mode": "challenge"} (pose and eye openness for the
liveness steps, and the distance to the best live frame of this check: the
same person must do the challenge), see kiosk.face_engine.FaceEngine.observe.

The reference embedding and the best live embedding stay inside this process
and are dropped on "cancel" (sent when a check ends for any reason). Only
distances, pose and eye-openness numbers leave the process.
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import asdict

from devices.helper_process import lower_priority
from kiosk.face_engine import (  # noqa: F401  (re-exported: the feedback codes are the worker's vocabulary)
    BLURRY, DEFAULT_ENGINE, DEFAULT_MIN_FACE_PX, MULTIPLE_FACES, NO_FACE, NOT_FRONTAL, OK, STALE, TOO_BRIGHT,
    TOO_DARK, TOO_SMALL, VERIFY, Observation, create_engine)

log = logging.getLogger(__name__)


def worker_main(commands, results, engine_name: str = DEFAULT_ENGINE, min_face_px: int = DEFAULT_MIN_FACE_PX,
                blink: bool = True, models_dir: str | None = None, niceness: int = 0) -> None:
    """Entry point of the worker process; `niceness` lowers its CPU priority ([kiosk] helper_niceness:
    30 frames a second of face models must not take the CPU from the GUI thread)."""
    lower_priority(niceness)
    started = time.monotonic()
    try:
        engine = create_engine(engine_name, min_face_px=min_face_px, models_dir=models_dir, blink=blink)
    except Exception as exc:
        results.put(("load_failed", f"{type(exc).__name__}: {exc}"))
        return
    results.put(("ready", {"load_s": round(time.monotonic() - started, 3),
                           "pyside6_loaded": "PySide6" in sys.modules, "engine": engine.name,
                           "metric": engine.metric, "blink": engine.eyes is not None}))
    _serve(engine, commands, results)


def _serve(engine, commands, results) -> None:
    # The only biometric state, in memory only, for the one running check.
    state = {"check": None, "reference": None, "live": None, "live_distance": None}
    while True:
        command = commands.get()
        kind = command[0]
        if kind == "stop":
            return
        if kind == "cancel":
            if command[1] == state["check"]:
                state.update(check=None, reference=None, live=None, live_distance=None)
        elif kind == "reference":
            results.put(_on_reference(engine, state, *command[1:]))
        elif kind == "detect":        # technician preview: boxes only, nothing embedded or kept
            results.put(("detected", command[1], _detect_boxes(engine, command[2])))
        elif kind == "frame":
            results.put(_on_frame(engine, state, *command[1:]))


def _on_reference(engine, state: dict, check_id: int, jpeg: bytes, fallback: bytes) -> tuple:
    embedding, how = None, "empty"
    for source, photo in (("card", jpeg), ("fallback", fallback)):
        if not photo:
            continue
        try:
            embedding, how = engine.encode_reference(photo)
        except Exception as exc:   # a corrupt photo must not kill the worker
            embedding, how = None, type(exc).__name__
        how = f"{source}:{how}"
        if embedding is not None:
            break
    state.update(check=check_id if embedding is not None else None, reference=embedding,
                 live=None, live_distance=None)
    return ("reference", check_id, embedding is not None, how)


def _detect_boxes(engine, frame) -> list:
    try:
        from kiosk.face_engine import check_frame
        check_frame(frame)
        return [face.box for face in engine.detect(frame)]
    except Exception as exc:   # a malformed frame must not kill the worker
        log.warning("face worker: preview frame rejected: %s", type(exc).__name__)
        return []


def _on_frame(engine, state: dict, check_id: int, frame, mode: dict) -> tuple:
    if check_id != state["check"]:
        return ("frame", check_id, asdict(Observation(STALE)))
    try:
        obs, embedding = engine.observe(frame, mode.get("mode", VERIFY), state["reference"], state["live"])
    except Exception as exc:   # a malformed frame must not kill the worker
        log.warning("face worker: frame rejected: %s", type(exc).__name__)
        obs, embedding = Observation(NO_FACE), None
    if embedding is not None and obs.distance is not None and (
            state["live_distance"] is None or obs.distance < state["live_distance"]):
        state.update(live=embedding, live_distance=obs.distance)
    return ("frame", check_id, asdict(obs))
