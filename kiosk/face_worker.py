"""The face-check worker process: dlib models, detection, quality gates, encodings.

Runs in its own process (multiprocessing "spawn", started by
kiosk.face_verification) because dlib's shape predictor and ResNet encoder
hold the GIL for ~110-150 ms per face: in a thread of the GUI process they
would freeze the screen. This module must not import PySide6 or anything
that does.

Protocol (tuples over two multiprocessing queues; nothing touches disk):

  parent -> worker                          worker -> parent
  ("reference", check_id, jpeg, fallback)   ("ready", {"load_s": float, "pyside6_loaded": bool})
  ("frame", check_id, frame_bgr, mode)      ("load_failed", "ExceptionType: message")
  ("cancel", check_id)                      ("reference", check_id, ok, how)
  ("stop",)                                 ("frame", check_id, observation_dict)

`mode` is "verify" (quality-gate a frontal face and encode it) or "pose"
(landmarks only, for the head-turn challenge; the frontal gate is off). In
"pose" mode a frame whose yaw has moved `delta` past the baseline in the
asked direction is also encoded and compared with the best live encoding of
this check: the turned face must be the same person who matched the card.

The reference encoding and the best live encoding stay inside this process
and are dropped on "cancel" (sent when a check ends for any reason). Only
distances and pose numbers leave the process.
"""
from __future__ import annotations

import importlib.util
import logging
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DETECT_MAX_SIDE = 320      # HOG runs on a copy this size: ~36 ms instead of ~123 ms at 640x480
DETECT_UPSAMPLE = 1        # with the 320 px copy, finds faces down to ~40 px (= ~80 px in 640x480)
REFERENCE_UPSAMPLE = 2     # chip photos are 102x126: upsample 0 misses ~40 % of their faces
DEFAULT_MIN_FACE_PX = 80   # face box width in the full frame; smaller ones encode poorly
NUM_JITTERS = 1            # as face_recognition's default; 10 would cost ~1 s per frame

# Quality gates (measured on the sample photos, see docs/face.md).
MIN_BRIGHTNESS = 50        # mean grey level of the face box, 0-255
MAX_BRIGHTNESS = 215
MIN_SHARPNESS = 15.0       # variance of the Laplacian of the face resized to 128 px wide
MAX_FRONTAL_YAW = 0.12     # |nose position along the eye line - 0.5|; 0 = frontal, ~0.5 = profile
MAX_ROLL_DEG = 20.0
CONTINUITY_TOLERANCE = 0.6 # a turned face vs the same person's frontal frame: dlib's own "same person"

# Feedback codes (also on-screen hint keys).
OK = "ok"
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
TOO_SMALL = "too_small"
TOO_DARK = "too_dark"
TOO_BRIGHT = "too_bright"
BLURRY = "blurry"
NOT_FRONTAL = "not_frontal"
STALE = "stale"

_SHAPE_MODEL = "shape_predictor_5_face_landmarks.dat"   # dlib's own data; the 68-point one is non-commercial
_ENCODER_MODEL = "dlib_face_recognition_resnet_model_v1.dat"


def default_models_dir() -> Path:
    """The model files of the face_recognition_models package, found without
    importing it (its import needs pkg_resources and calls quit() without it)."""
    override = os.environ.get("KIOSK_FACE_MODELS_DIR")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("face_recognition_models is not installed; set KIOSK_FACE_MODELS_DIR")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


@dataclass
class Pose:
    """Head pose from the 5 landmarks (two corners per eye + the base of the nose).

    `yaw` is where the nose sits along the line between the eye centres,
    minus 0.5: 0 when frontal, growing towards +-0.5 as the head turns (+ = the
    nose moves to the image's right, i.e. the citizen turns to their left on
    an unmirrored camera). A flat photo turned or tilted in front of the
    camera keeps this ratio (an affine map preserves ratios along a line), which
    is what makes it a liveness cue.
    """
    yaw: float
    roll_deg: float
    eye_distance_px: float


@dataclass
class Observation:
    feedback: str
    faces: int = 0
    face_px: int = 0
    brightness: float | None = None
    sharpness: float | None = None
    yaw: float | None = None
    roll_deg: float | None = None
    distance: float | None = None          # to the reference (verify mode)
    continuity: float | None = None        # to the best live frame (pose mode)
    encoded: bool = False
    box: tuple[int, int, int, int] | None = None   # (left, top, right, bottom) in the frame


def pose_from_landmarks(points: list[tuple[float, float]]) -> Pose:
    """Pose from dlib's 5-point landmarks: 0-1 one eye's corners, 2-3 the other's, 4 the nose."""
    eye_a = ((points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2)
    eye_b = ((points[2][0] + points[3][0]) / 2, (points[2][1] + points[3][1]) / 2)
    left, right = sorted((eye_a, eye_b))           # by x: the eye on the image's left first
    nose = points[4]
    ex, ey = right[0] - left[0], right[1] - left[1]
    length_sq = ex * ex + ey * ey
    if length_sq < 1e-6:
        return Pose(0.0, 0.0, 0.0)
    along = ((nose[0] - left[0]) * ex + (nose[1] - left[1]) * ey) / length_sq
    return Pose(yaw=along - 0.5, roll_deg=math.degrees(math.atan2(ey, ex)),
                eye_distance_px=math.sqrt(length_sq))


class FaceEngine:
    """Detector, landmark model and encoder; one instance per process (dlib is not thread-safe)."""

    def __init__(self, models_dir: str | os.PathLike | None = None,
                 min_face_px: int = DEFAULT_MIN_FACE_PX):
        import dlib   # imported here so the parent process never pays for it
        models = Path(models_dir) if models_dir else default_models_dir()
        for name in (_SHAPE_MODEL, _ENCODER_MODEL):
            if not (models / name).is_file():
                raise FileNotFoundError(f"face model missing: {models / name}")
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(models / _SHAPE_MODEL))
        self._encoder = dlib.face_recognition_model_v1(str(models / _ENCODER_MODEL))
        self.min_face_px = min_face_px

    # --- the card (or platform) photo ----------------------------------------

    def encode_reference(self, jpeg: bytes):
        """(encoding, how) for a chip photo; (None, reason) when it cannot be used.

        Reasons: "empty", "undecodable", "no_face_in_photo". A photo in which the
        detector finds no face is refused rather than encoded as a whole: an
        encoding of a blank or scrambled picture is a random point that could lie
        near someone.
        """
        import cv2
        import numpy as np
        if not jpeg:
            return None, "empty"
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return None, "undecodable"
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)   # contiguous; a [:, :, ::-1] view makes dlib raise
        faces = list(self._detector(rgb, REFERENCE_UPSAMPLE))
        if not faces:
            return None, "no_face_in_photo"
        box = max(faces, key=lambda r: r.width() * r.height())
        return self._encode(rgb, self._shape(rgb, box)), "face_found"

    # --- camera frames ----------------------------------------------------------

    def detect(self, rgb, max_side: int = DETECT_MAX_SIDE, upsample: int = DETECT_UPSAMPLE):
        """Face boxes in full-frame coordinates, found on a downscaled copy."""
        import cv2
        height, width = rgb.shape[:2]
        scale = min(1.0, max_side / max(height, width))
        small = rgb if scale == 1.0 else cv2.resize(rgb, (round(width * scale), round(height * scale)),
                                                    interpolation=cv2.INTER_AREA)
        return [self._dlib.rectangle(round(f.left() / scale), round(f.top() / scale),
                                     round(f.right() / scale), round(f.bottom() / scale))
                for f in self._detector(small, upsample)]

    def observe(self, frame_bgr, mode: str = "verify", reference=None, live=None,
                turn: tuple[float, float, float] | None = None):
        """(Observation, encoding or None) for one camera frame.

        verify: gates (one face, size, brightness, sharpness, frontal), then encode.
        pose:   one face and size only, landmarks for the yaw; `turn` =
                (baseline_yaw, direction +1/-1, delta): a frame turned far enough is
                encoded and compared with `live` (identity continuity).
        """
        import cv2
        import numpy as np
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        faces = self.detect(rgb)
        if not faces:
            return Observation(NO_FACE), None
        if len(faces) > 1:
            return Observation(MULTIPLE_FACES, faces=len(faces)), None
        box = _clip(faces[0], rgb.shape)
        obs = Observation(OK, faces=1, face_px=box.width(),
                          box=(box.left(), box.top(), box.right(), box.bottom()))
        if box.width() < self.min_face_px:
            obs.feedback = TOO_SMALL
            return obs, None
        grey = cv2.cvtColor(frame_bgr[box.top():box.bottom(), box.left():box.right()], cv2.COLOR_BGR2GRAY)
        obs.brightness = float(grey.mean())
        if obs.brightness < MIN_BRIGHTNESS:
            obs.feedback = TOO_DARK
            return obs, None
        if obs.brightness > MAX_BRIGHTNESS:
            obs.feedback = TOO_BRIGHT
            return obs, None
        landmarks = self._shape(rgb, box)
        pose = pose_from_landmarks([(p.x, p.y) for p in landmarks.parts()])
        obs.yaw, obs.roll_deg = round(pose.yaw, 4), round(pose.roll_deg, 2)
        if mode == "pose":
            if turn is not None and live is not None:
                baseline, direction, delta = turn
                if (pose.yaw - baseline) * direction >= delta:
                    encoding = self._encoder_descriptor(rgb, landmarks)
                    obs.encoded = True
                    obs.continuity = float(np.linalg.norm(live - encoding))
            return obs, None
        obs.sharpness = sharpness(grey)
        if obs.sharpness < MIN_SHARPNESS:
            obs.feedback = BLURRY
            return obs, None
        if abs(pose.yaw) > MAX_FRONTAL_YAW or abs(pose.roll_deg) > MAX_ROLL_DEG:
            obs.feedback = NOT_FRONTAL
            return obs, None
        encoding = self._encoder_descriptor(rgb, landmarks)
        obs.encoded = True
        if reference is not None:
            obs.distance = float(np.linalg.norm(reference - encoding))
        return obs, encoding

    def encode_largest(self, bgr, upsample: int = 1):
        """Encoding of the largest face in a photo, no gates (calibration)."""
        import cv2
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        faces = list(self._detector(rgb, upsample))
        if not faces:
            return None
        box = max(faces, key=lambda r: r.width() * r.height())
        return self._encode(rgb, self._shape(rgb, box))

    def _encode(self, rgb, landmarks):
        return self._encoder_descriptor(rgb, landmarks)

    def _encoder_descriptor(self, rgb, landmarks):
        import numpy as np
        return np.array(self._encoder.compute_face_descriptor(rgb, landmarks, NUM_JITTERS))


def sharpness(grey) -> float:
    """Variance of the Laplacian on the face resized to 128 px wide (scale-independent blur measure)."""
    import cv2
    height, width = grey.shape[:2]
    if width < 2 or height < 2:
        return 0.0
    resized = cv2.resize(grey, (128, max(2, round(height * 128 / width))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(resized, cv2.CV_64F).var())


def _clip(box, shape):
    """A dlib box clipped to the frame (detections may stick out a few pixels)."""
    import dlib
    height, width = shape[:2]
    return dlib.rectangle(max(0, box.left()), max(0, box.top()),
                          min(width - 1, box.right()), min(height - 1, box.bottom()))


def worker_main(commands, results, models_dir: str | None = None,
                min_face_px: int = DEFAULT_MIN_FACE_PX) -> None:
    """Entry point of the worker process."""
    started = time.monotonic()
    try:
        import numpy as np  # noqa: F401
        engine = FaceEngine(models_dir, min_face_px)
    except Exception as exc:
        results.put(("load_failed", f"{type(exc).__name__}: {exc}"))
        return
    results.put(("ready", {"load_s": round(time.monotonic() - started, 3),
                           "pyside6_loaded": "PySide6" in sys.modules}))

    # The only biometric state, in memory only, for the one running check.
    check_id_now, reference, live_best, live_best_distance = None, None, None, None
    while True:
        command = commands.get()
        kind = command[0]
        if kind == "stop":
            return
        if kind == "cancel":
            if command[1] == check_id_now:
                check_id_now, reference, live_best, live_best_distance = None, None, None, None
        elif kind == "reference":
            _, check_id, jpeg, fallback = command
            encoding, how = None, "empty"
            for source, photo in (("card", jpeg), ("fallback", fallback)):
                if not photo:
                    continue
                try:
                    encoding, how = engine.encode_reference(photo)
                except Exception as exc:   # a corrupt photo must not kill the worker
                    encoding, how = None, type(exc).__name__
                how = f"{source}:{how}"
                if encoding is not None:
                    break
            check_id_now, reference = (check_id, encoding) if encoding is not None else (None, None)
            live_best, live_best_distance = None, None
            results.put(("reference", check_id, encoding is not None, how))
        elif kind == "detect":        # technician preview: boxes only, nothing encoded or kept
            _, request_id, frame = command
            try:
                import cv2
                boxes = [(box.left(), box.top(), box.right(), box.bottom())
                         for box in engine.detect(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))]
            except Exception as exc:   # a malformed frame must not kill the worker
                log.warning("face worker: preview frame rejected: %s", type(exc).__name__)
                boxes = []
            results.put(("detected", request_id, boxes))
        elif kind == "frame":
            _, check_id, frame, mode = command
            if check_id != check_id_now:
                results.put(("frame", check_id, asdict(Observation(STALE))))
                continue
            try:
                obs, encoding = engine.observe(frame, mode.get("mode", "verify"), reference, live_best,
                                               mode.get("turn"))
            except Exception as exc:   # a malformed frame must not kill the worker
                log.warning("face worker: frame rejected: %s", type(exc).__name__)
                obs, encoding = Observation(NO_FACE), None
            if encoding is not None and obs.distance is not None and (
                    live_best_distance is None or obs.distance < live_best_distance):
                live_best, live_best_distance = encoding, obs.distance
            results.put(("frame", check_id, asdict(obs)))
