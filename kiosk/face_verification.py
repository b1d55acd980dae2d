"""1:1 face check, live camera against the ID-card chip photo (GUI side).

All model work (the face engine of `[face] engine`, kiosk.face_engine) happens
in one long-lived worker process (kiosk.face_worker), started in the background
by `start()` so its model load overlaps the citizen's first screens. This side only forwards frames and decides:

* frames are offered latest-only: at most one frame is with the worker, and a
  frame offered meanwhile replaces the waiting one, so a slow worker never
  builds a backlog of stale frames;
* the decision (best-of-N quality-gated frames within the time window, then a
  randomized head-turn liveness challenge) is kiosk.core.face_decision's, fed with
  the worker's per-frame observations; the challenge (blink / turn steps) is
  drawn per check with `random.SystemRandom` (kiosk.core.face_decision.draw_challenge);
* a listener thread reads the worker's results, checks the deadlines and
  watches the process; if the worker dies, a new one is started and the
  running check continues on it once (the reference is sent again); a second
  crash in the same check ends it with `worker_failed`.

Signals are emitted from the listener thread; Qt delivers them queued to
receivers in the GUI thread. Distances may be logged (calibration needs
them); images, encodings and names never are.
"""
from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from devices import helper_process
from kiosk import face_worker
from kiosk.core.face_decision import FaceCheckParams, draw_challenge
from kiosk.face_check import (  # noqa: F401  (FaceCheckResult: what `finished` carries, imported from here)
    STOP_TIMEOUT_S, FaceCheckResult, RunningCheck, put_quietly, start_worker_process, stop_worker_process)

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.05
MAX_RESTARTS_WITHOUT_READY = 3   # then give up: a broken install would otherwise respawn forever


class FaceVerifier(QObject):
    models_ready = Signal()
    # Guidance key for on-screen hints: a face_worker feedback code ("no_face",
    # "multiple_faces", "too_small", "too_dark", "too_bright", "blurry",
    # "not_frontal", "ok") or the challenge step ("turn_left", "turn_right", "blink").
    frame_feedback = Signal(str)
    progress = Signal(float)          # 0..1 for the progress indicator
    finished = Signal(object)         # FaceCheckResult
    faces_detected = Signal(object)   # [(left, top, right, bottom)] for the frame given to detect_faces

    def __init__(self, engine: str = face_worker.DEFAULT_ENGINE,
                 min_face_px: int = face_worker.DEFAULT_MIN_FACE_PX, *, blink: bool = True,
                 models_dir: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._engine = engine
        self._blink = blink
        self._models_dir = models_dir
        self._min_face_px = min_face_px
        self._load_error = ""
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._process = None
        self._commands = None
        self._results = None
        self._ready = False
        self._worker_info: dict = {}
        self._gave_up = False
        self._failed_starts = 0
        self._check: RunningCheck | None = None
        self._next_check_id = 1
        self._stopping = threading.Event()
        self._listener: threading.Thread | None = None
        self._detect_in_flight = False

    # --- public API ----------------------------------------------------------

    def start(self) -> None:
        """Spawn the worker in the background; `models_ready` follows. Returns at once."""
        with self._lock:
            if self._listener is not None:
                return
            self._stopping.clear()
            self._listener = threading.Thread(target=self._listen, name="face-verifier", daemon=True)
            self._listener.start()

    def is_ready(self) -> bool:
        with self._lock:
            return self._ready

    def worker_info(self) -> dict:
        """What the current worker reported when ready: load_s, pyside6_loaded, engine, metric,
        blink (the eye model loaded), pid."""
        with self._lock:
            return dict(self._worker_info)

    def unavailable_reason(self) -> str:
        """Why face checks cannot run ("" while they can): the last model load error once
        the verifier gave up restarting the worker (the technician sees it)."""
        with self._lock:
            return self._load_error if self._gave_up else ""

    def begin(self, reference_jpeg: bytes, threshold: float, frames_needed: int, timeout_s: float,
              *, fallback_jpeg: bytes | None = None, params: FaceCheckParams | None = None,
              challenge: tuple[str, ...] | str | None = None) -> None:
        """Start a check against the chip photo. A check already running ends as `cancelled`.

        `fallback_jpeg`: another photo of the same ID (the platform's), used when
        the card photo cannot be decoded or shows no face. `params` overrides the
        liveness/deadline settings (threshold, frames_needed and timeout_s win).
        `challenge` (steps of kiosk.core.face_decision.STEPS) is drawn at random unless given (tests).
        """
        self.cancel()
        if self._listener is None:
            self.start()
        params = replace(params or FaceCheckParams(threshold), threshold=threshold,
                         frames_needed=max(1, frames_needed), timeout_s=timeout_s)
        if challenge is None:
            challenge = draw_challenge(blink=bool(self.worker_info().get("blink", self._blink)) and self._blink)
        elif isinstance(challenge, str):
            challenge = (challenge,)
        with self._lock:
            check = RunningCheck(self._next_check_id, bytes(reference_jpeg or b""), bytes(fallback_jpeg or b""),
                           params, challenge)
            self._next_check_id += 1
            self._check = check
            self._send(("reference", check.check_id, check.reference_jpeg, check.fallback_jpeg))
        log.info("face check %d: started (%s, threshold %.3f, %d frames, %.0f s, liveness %s)",
                 check.check_id, self._engine, threshold, params.frames_needed, timeout_s,
                 "+".join(challenge) if params.liveness else "off")

    def offer_frame(self, frame_bgr) -> None:
        """Offer a camera frame; ignored when no check runs, kept latest-only otherwise."""
        with self._lock:
            check = self._check
            if check is None or frame_bgr is None:
                return
            if check.frame_in_flight:
                check.waiting_frame = frame_bgr   # replaces any older waiting frame
                return
            check.frame_in_flight = True
            self._send(("frame", check.check_id, frame_bgr, check.decision.frame_mode()))

    def detect_faces(self, frame_bgr) -> bool:
        """Technician camera preview: face boxes for one frame, found in the worker process (the
        models hold the GIL, so detection on a thread of this process would stall the GUI).

        Returns False — and nothing follows — when the worker is not ready, a citizen's check is
        running, or the previous preview frame is still in the worker; otherwise
        `faces_detected` follows."""
        with self._lock:
            if not self._ready or self._check is not None or self._detect_in_flight or frame_bgr is None:
                return False
            self._detect_in_flight = True
            self._send(("detect", 0, frame_bgr))
        return True

    def cancel(self) -> None:
        """End the running check (`finished` with reason "cancelled"); no-op without one."""
        self._finish("cancelled")

    def shutdown(self) -> None:
        """Stop the worker process and the listener. Idempotent."""
        with self._lock:
            self._check = None        # no result after shutdown: receivers may be gone
            listener, self._listener = self._listener, None
        self._stopping.set()
        if listener is not None and listener is not threading.current_thread():
            listener.join(STOP_TIMEOUT_S + 2)
        self._stop_process()

    # --- listener thread -----------------------------------------------------

    def _listen(self) -> None:
        self._spawn_worker()
        while not self._stopping.is_set():
            with self._lock:
                results = self._results
            message = None
            if results is not None:
                try:
                    message = results.get(timeout=POLL_INTERVAL_S)
                except queue.Empty:
                    pass
                except (EOFError, OSError, ValueError):   # queue broken with a dying worker
                    time.sleep(POLL_INTERVAL_S)
            else:
                time.sleep(POLL_INTERVAL_S)
            if message is not None:
                try:
                    self._handle(message)
                except Exception:
                    log.exception("face verifier: bad worker message")
            self._check_deadline()
            self._watch_worker()

    def _handle(self, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            info = message[1]
            with self._lock:
                self._ready = True
                self._failed_starts = 0
                self._worker_info = dict(info, pid=self._process.pid if self._process else None)
            if info.get("pyside6_loaded"):
                log.warning("face worker imported PySide6 (through the main module?); "
                            "keep Qt imports out of the main module's top level")
            log.info("face worker ready (models loaded in %.2f s)", info.get("load_s", 0.0))
            self.models_ready.emit()
        elif kind == "load_failed":
            log.error("face worker could not load the models: %s", message[1])
            with self._lock:
                self._failed_starts += 1
                self._load_error = str(message[1])
        elif kind == "reference":
            _, check_id, ok, how = message
            log.info("face check %d: reference %s", check_id, how)
            with self._lock:
                if self._check is not None and self._check.check_id == check_id:
                    self._check.reference_how = how
            if not ok:
                self._finish("no_reference_face", check_id)
        elif kind == "frame":
            self._on_frame_result(*message[1:])
        elif kind == "detected":
            with self._lock:
                self._detect_in_flight = False
            self.faces_detected.emit(message[2])

    def _on_frame_result(self, check_id: int, obs: dict) -> None:
        with self._lock:
            check = self._check
            if check is None or check.check_id != check_id:
                return
            check.frame_in_flight = False
            decision = check.decision
            before = (decision.guidance, decision.progress)
            decided = decision.observe(obs, time.monotonic())
            if obs.get("distance") is not None:
                log.info("face check %d: frame %d distance %.3f", check_id, decision.frames_used,
                         obs["distance"])
            if decided == "liveness_failed" and decision.failed_because:
                log.info("face check %d: liveness step %d of %d failed (%s)", check_id, decision.step + 1,
                         len(decision.challenge), decision.failed_because)
            if not decided and check.waiting_frame is not None:
                frame, check.waiting_frame = check.waiting_frame, None
                check.frame_in_flight = True
                self._send(("frame", check.check_id, frame, decision.frame_mode()))
            guidance, progress = decision.guidance, decision.progress
        if obs.get("feedback") != face_worker.STALE:
            self.frame_feedback.emit(guidance)
            if progress != before[1]:
                self.progress.emit(progress)
        if decided:
            self._finish(decided, check_id)

    def _check_deadline(self) -> None:
        with self._lock:
            check = self._check
            decided = check.decision.tick(time.monotonic()) if check is not None else None
            gave_up = check is not None and self._gave_up
        if decided:
            self._finish(decided, check.check_id)
        elif gave_up:
            self._finish("worker_failed", check.check_id)

    def _watch_worker(self) -> None:
        with self._lock:
            process = self._process
            if self._stopping.is_set() or self._gave_up or process is None or process.is_alive():
                return
            self._ready = False
            self._failed_starts += 0 if process.exitcode == 0 else 1
            check = self._check
        log.error("face worker exited (code %s); restarting", process.exitcode)
        if check is not None:
            with self._lock:
                check.crashes += 1
                retry = check.crashes <= 1
            if not retry:
                self._finish("worker_failed", check.check_id)
            else:
                # The citizen keeps standing there: the new worker gets the
                # reference again (in _spawn_worker) and the check goes on.
                log.warning("face check %d: continuing on a new worker", check.check_id)
        with self._lock:
            if self._failed_starts >= MAX_RESTARTS_WITHOUT_READY:
                self._gave_up = True
                log.error("face worker failed %d times in a row; face check unavailable",
                          self._failed_starts)
                return
        self._spawn_worker()

    # --- helpers ---------------------------------------------------------------

    def _finish(self, reason: str, check_id: int | None = None) -> None:
        """End the check once (whoever comes first: result, cancel, deadline, crash)."""
        with self._lock:
            check = self._check
            if check is None or (check_id is not None and check.check_id != check_id):
                return
            self._check = None
            check.waiting_frame = None
            check.reference_jpeg = check.fallback_jpeg = b""
            # Tell the worker to drop the reference encoding now.
            self._send(("cancel", check.check_id))
        result = check.result(reason)
        best = "-" if check.best_distance is None else f"{check.best_distance:.3f}"
        log.info("face check %d: %s (best %s over %d frames)", check.check_id, reason, best,
                 check.frames_used)
        self.finished.emit(result)

    def _send(self, command: tuple) -> None:
        put_quietly(self._commands, command)

    def _spawn_worker(self) -> None:
        self._stop_process()
        started = start_worker_process(self._context, (self._engine, self._min_face_px, self._blink,
                                                       self._models_dir, helper_process.niceness()))
        if started is None:
            with self._lock:
                self._gave_up = True
            return
        process, commands, results = started
        with self._lock:
            self._process, self._commands, self._results = process, commands, results
            self._ready = False
            self._detect_in_flight = False     # a preview frame sent to a dead worker gets no answer
            check = self._check
            if check is not None:
                # A check begun before the worker existed (or while it was down):
                # its reference went nowhere, so send it to this worker.
                check.frame_in_flight = False
                self._send(("reference", check.check_id, check.reference_jpeg, check.fallback_jpeg))

    def _stop_process(self) -> None:
        with self._lock:
            process, commands, results = self._process, self._commands, self._results
            self._process = self._commands = self._results = None
            self._ready = False
        stop_worker_process(process, commands, results)
