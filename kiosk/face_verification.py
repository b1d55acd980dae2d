"""1:1 face check, live camera against the ID-card chip photo (GUI side).

All dlib work happens in one long-lived worker process (kiosk.face_worker),
started in the background by `start()` so its ~1 s model load overlaps the
citizen's first screens. This side only forwards frames and decides:

* frames are offered latest-only: at most one frame is with the worker, and a
  frame offered meanwhile replaces the waiting one, so a slow worker never
  builds a backlog of stale frames;
* decision: minimum distance over up to `frames_needed` quality-gated frames,
  matched when <= threshold (the first frame under the threshold decides);
* a listener thread reads the worker's results, checks the deadline and
  watches the process; if the worker dies, the running check ends with
  `worker_failed` and a new worker is started.

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
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

import devices.pyside_refcount_fix  # noqa: F401  (PySide6 6.12 emit() refcount bug; see module)
from kiosk import face_worker

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.05
MAX_RESTARTS_WITHOUT_READY = 3   # then give up: a broken install would otherwise respawn forever
STOP_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class FaceCheckResult:
    matched: bool
    best_distance: float | None
    frames_used: int
    reason: str      # "matched", "not_matched", "no_reference_face", "timeout", "cancelled", "worker_failed"


class _Check:
    """The running check, as the parent sees it (no biometric data besides distances)."""

    def __init__(self, check_id: int, reference_jpeg: bytes, threshold: float, frames_needed: int,
                 timeout_s: float):
        self.check_id = check_id
        # The chip photo (the card's own, already in memory) is kept until the check
        # ends so a restarted worker can be given it again.
        self.reference_jpeg = reference_jpeg
        self.threshold = threshold
        self.frames_needed = max(1, frames_needed)
        self.deadline = time.monotonic() + timeout_s
        self.frames_used = 0
        self.best_distance: float | None = None
        self.frame_in_flight = False
        self.waiting_frame = None


class FaceVerifier(QObject):
    models_ready = Signal()
    frame_feedback = Signal(str)      # "no_face", "multiple_faces", "too_small", "ok" (for on-screen hints)
    finished = Signal(object)         # FaceCheckResult

    def __init__(self, models_dir: str | None = None,
                 min_face_px: int = face_worker.DEFAULT_MIN_FACE_PX, parent: QObject | None = None):
        super().__init__(parent)
        self._models_dir = models_dir
        self._min_face_px = min_face_px
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._process = None
        self._commands = None
        self._results = None
        self._ready = False
        self._worker_info: dict = {}
        self._gave_up = False
        self._failed_starts = 0
        self._check: _Check | None = None
        self._next_check_id = 1
        self._stopping = threading.Event()
        self._listener: threading.Thread | None = None

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
        """What the current worker reported when ready: load_s, pyside6_loaded, pid."""
        with self._lock:
            return dict(self._worker_info)

    def begin(self, reference_jpeg: bytes, threshold: float, frames_needed: int, timeout_s: float) -> None:
        """Start a check against the chip photo. A check already running ends as `cancelled`."""
        self.cancel()
        if self._listener is None:
            self.start()
        with self._lock:
            check = _Check(self._next_check_id, bytes(reference_jpeg or b""), threshold,
                           frames_needed, timeout_s)
            self._next_check_id += 1
            self._check = check
            self._send(("reference", check.check_id, check.reference_jpeg))
        log.info("face check %d: started (threshold %.2f, %d frames, %.0f s)",
                 check.check_id, threshold, check.frames_needed, timeout_s)

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
            self._send(("frame", check.check_id, frame_bgr))

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
        elif kind == "reference":
            _, check_id, ok, how = message
            log.info("face check %d: reference %s", check_id, how)
            if not ok:
                self._finish("no_reference_face", check_id)
        elif kind == "frame":
            self._on_frame_result(*message[1:])

    def _on_frame_result(self, check_id: int, feedback: str, distance: float | None) -> None:
        with self._lock:
            check = self._check
            if check is None or check.check_id != check_id:
                return
            check.frame_in_flight = False
            if feedback == face_worker.OK and distance is not None:
                check.frames_used += 1
                if check.best_distance is None or distance < check.best_distance:
                    check.best_distance = distance
                log.info("face check %d: frame %d distance %.3f", check_id, check.frames_used, distance)
            decided = None
            if check.best_distance is not None and check.best_distance <= check.threshold:
                decided = "matched"
            elif check.frames_used >= check.frames_needed:
                decided = "not_matched"
            elif check.waiting_frame is not None:
                frame, check.waiting_frame = check.waiting_frame, None
                check.frame_in_flight = True
                self._send(("frame", check.check_id, frame))
        if feedback != "stale":
            self.frame_feedback.emit(feedback)
        if decided:
            self._finish(decided, check_id)

    def _check_deadline(self) -> None:
        with self._lock:
            check = self._check
            overdue = check is not None and time.monotonic() >= check.deadline
            gave_up = check is not None and self._gave_up
        if overdue:
            self._finish("timeout", check.check_id)
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
            self._finish("worker_failed", check.check_id)
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
            check.reference_jpeg = b""
            # Tell the worker to drop the reference encoding now.
            self._send(("cancel", check.check_id))
        result = FaceCheckResult(matched=reason == "matched", best_distance=check.best_distance,
                                 frames_used=check.frames_used, reason=reason)
        best = "-" if check.best_distance is None else f"{check.best_distance:.3f}"
        log.info("face check %d: %s (best %s over %d frames)", check.check_id, reason, best,
                 check.frames_used)
        self.finished.emit(result)

    def _send(self, command: tuple) -> None:
        commands = self._commands
        if commands is None:
            return
        try:
            commands.put(command)
        except (OSError, ValueError):   # closed with a dead worker; the watchdog reports it
            pass

    def _spawn_worker(self) -> None:
        self._stop_process()
        commands, results = self._context.Queue(), self._context.Queue()
        process = self._context.Process(
            target=face_worker.worker_main, name="face-worker", daemon=True,
            args=(commands, results, self._models_dir, self._min_face_px))
        try:
            process.start()
        except Exception:
            log.exception("face worker could not be started")
            with self._lock:
                self._gave_up = True
            return
        with self._lock:
            self._process, self._commands, self._results = process, commands, results
            self._ready = False
            check = self._check
            if check is not None:
                # A check begun before the worker existed (or while it was down):
                # its reference went nowhere, so send it to this worker.
                check.frame_in_flight = False
                self._send(("reference", check.check_id, check.reference_jpeg))

    def _stop_process(self) -> None:
        with self._lock:
            process, commands, results = self._process, self._commands, self._results
            self._process = self._commands = self._results = None
            self._ready = False
        if process is None:
            return
        if process.is_alive():
            try:
                commands.put(("stop",))
            except (OSError, ValueError):
                pass
            process.join(STOP_TIMEOUT_S)
            if process.is_alive():
                process.terminate()
                process.join(1.0)
        for q in (commands, results):
            q.close()
            q.cancel_join_thread()   # never block exit on a queue nobody reads
