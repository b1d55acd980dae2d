"""The face-check worker process: dlib models, detection, encodings, distances.

Runs in its own process (multiprocessing "spawn", started by
kiosk.face_verification) because dlib's shape predictor and ResNet encoder
hold the GIL for ~150 ms per face: in a thread of the GUI process they would
freeze the screen. This module must not import PySide6 or anything that does.

Protocol (tuples over two multiprocessing queues; nothing touches disk):

  parent -> worker                         worker -> parent
  ("reference", check_id, jpeg_bytes)      ("ready", {"load_s": float, "pyside6_loaded": bool})
  ("frame", check_id, frame_bgr)           ("load_failed", "ExceptionType: message")
  ("cancel", check_id)                     ("reference", check_id, ok, how)
  ("stop",)                                ("frame", check_id, feedback, distance_or_None)

The reference encoding stays inside this process and is dropped on "cancel"
(sent when a check ends for any reason). Only distances leave the process.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

DETECT_MAX_SIDE = 320      # HOG runs on a copy this size: ~36 ms instead of ~123 ms at 640x480
DETECT_UPSAMPLE = 1        # with the 320 px copy, finds faces down to ~40 px (= ~80 px in 640x480)
REFERENCE_UPSAMPLE = 2     # chip photos are 102x126: upsample 0 misses ~40 % of their faces
DEFAULT_MIN_FACE_PX = 80   # face box width in the full frame; smaller ones encode poorly
NUM_JITTERS = 1            # as face_recognition's default; 10 would cost ~1 s per frame

# Feedback codes (also on-screen hint keys).
OK = "ok"
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
TOO_SMALL = "too_small"

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

    def encode_reference(self, jpeg: bytes):
        """(encoding, how) for a chip photo; (None, reason) when it cannot be decoded."""
        import cv2
        import numpy as np
        if not jpeg:
            return None, "empty"
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return None, "undecodable"
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)   # contiguous; a [:, :, ::-1] view makes dlib raise
        faces = list(self._detector(rgb, REFERENCE_UPSAMPLE))
        if faces:
            box, how = max(faces, key=lambda r: r.width() * r.height()), "face_found"
        else:
            # A chip photo is a passport-style portrait: the whole picture is the face region.
            box, how = self._dlib.rectangle(0, 0, rgb.shape[1] - 1, rgb.shape[0] - 1), "whole_image"
        return self._encode(rgb, box), how

    def analyse_frame(self, frame_bgr):
        """(feedback, encoding or None) for one camera frame, after the quality gates."""
        import cv2
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        scale = min(1.0, DETECT_MAX_SIDE / max(height, width))
        small = rgb if scale == 1.0 else cv2.resize(rgb, (round(width * scale), round(height * scale)),
                                                    interpolation=cv2.INTER_AREA)
        faces = list(self._detector(small, DETECT_UPSAMPLE))
        if not faces:
            return NO_FACE, None
        if len(faces) > 1:
            return MULTIPLE_FACES, None
        face = faces[0]
        box = self._dlib.rectangle(round(face.left() / scale), round(face.top() / scale),
                                   round(face.right() / scale), round(face.bottom() / scale))
        if box.width() < self.min_face_px:
            return TOO_SMALL, None
        return OK, self._encode(rgb, box)

    def _encode(self, rgb, box):
        import numpy as np
        landmarks = self._shape(rgb, box)
        return np.array(self._encoder.compute_face_descriptor(rgb, landmarks, NUM_JITTERS))


def worker_main(commands, results, models_dir: str | None = None,
                min_face_px: int = DEFAULT_MIN_FACE_PX) -> None:
    """Entry point of the worker process."""
    started = time.monotonic()
    try:
        import numpy as np
        engine = FaceEngine(models_dir, min_face_px)
    except Exception as exc:
        results.put(("load_failed", f"{type(exc).__name__}: {exc}"))
        return
    results.put(("ready", {"load_s": round(time.monotonic() - started, 3),
                           "pyside6_loaded": "PySide6" in sys.modules}))

    reference_check, reference = None, None   # the only biometric state, in memory only
    while True:
        command = commands.get()
        kind = command[0]
        if kind == "stop":
            return
        if kind == "cancel":
            if command[1] == reference_check:
                reference_check, reference = None, None
        elif kind == "reference":
            _, check_id, jpeg = command
            try:
                encoding, how = engine.encode_reference(jpeg)
            except Exception as exc:   # a corrupt photo must not kill the worker
                encoding, how = None, type(exc).__name__
            reference_check, reference = (check_id, encoding) if encoding is not None else (None, None)
            results.put(("reference", check_id, encoding is not None, how))
        elif kind == "frame":
            _, check_id, frame = command
            if check_id != reference_check:
                results.put(("frame", check_id, "stale", None))
                continue
            feedback, encoding = engine.analyse_frame(frame)
            distance = None if encoding is None else float(np.linalg.norm(reference - encoding))
            results.put(("frame", check_id, feedback, distance))
