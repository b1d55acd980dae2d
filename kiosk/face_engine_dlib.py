"""dlib's HOG detector, 5-point landmarks and ResNet encoder (kiosk.face_engine), kept for comparison.

The model files are those of the `face_recognition_models` package, found
without importing it (its import needs pkg_resources and calls quit() without
it). Only the 5-point landmark model is used: the 68-point one is trained on
iBUG 300-W, whose licence forbids commercial use, and is never loaded or shipped.
dlib holds the GIL for ~110-150 ms per embedding: it runs in the worker process only.
"""
from __future__ import annotations

from pathlib import Path

from kiosk.face_engine import DETECT_MAX_SIDE, Face, FaceEngine, FaceModelError, check_model_file, downscale, model_folder

SHAPE_MODEL = "shape_predictor_5_face_landmarks.dat"
ENCODER_MODEL = "dlib_face_recognition_resnet_model_v1.dat"
DETECT_UPSAMPLE = 1        # with the 320 px copy, finds faces down to ~40 px (= ~80 px in 640x480)
REFERENCE_UPSAMPLE = 2     # chip photos are 102x126: upsample 0 misses ~40 % of their faces
NUM_JITTERS = 1            # as face_recognition's default; 10 would cost ~1 s per frame


def default_models_dir() -> Path:
    return model_folder("KIOSK_FACE_MODELS_DIR", "face_recognition_models", "models", "dlib's models")


class DlibEngine(FaceEngine):
    name = "dlib"
    metric = "euclidean"
    continuity_tolerance = 0.6     # dlib's own "same person"

    def __init__(self, min_face_px: int, eyes=None, models_dir: str | None = None):
        super().__init__(min_face_px, eyes)
        import dlib   # imported here so the parent process never pays for it
        models = Path(models_dir) if models_dir else default_models_dir()
        shape = check_model_file(models / SHAPE_MODEL)
        encoder = check_model_file(models / ENCODER_MODEL)
        try:
            self._detector = dlib.get_frontal_face_detector()
            self._shape = dlib.shape_predictor(str(shape))
            self._encoder = dlib.face_recognition_model_v1(str(encoder))
        except RuntimeError as exc:
            raise FaceModelError(f"face model could not be loaded ({exc}): {models}") from None
        self._dlib = dlib

    def _faces(self, bgr, upsample: int, max_side: int | None) -> list[Face]:
        import cv2
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)   # contiguous; a [:, :, ::-1] view makes dlib raise
        small, scale = downscale(rgb, max_side)
        faces = []
        for found in self._detector(small, upsample):
            box = self._dlib.rectangle(round(found.left() / scale), round(found.top() / scale),
                                       round(found.right() / scale), round(found.bottom() / scale))
            box = _clip(self._dlib, box, rgb.shape)
            shape = self._shape(rgb, box)
            points = [(p.x, p.y) for p in shape.parts()]
            # 0-1 one eye's corners, 2-3 the other's, 4 the base of the nose
            eye_a = ((points[0][0] + points[1][0]) / 2, (points[0][1] + points[1][1]) / 2)
            eye_b = ((points[2][0] + points[3][0]) / 2, (points[2][1] + points[3][1]) / 2)
            faces.append(Face(box=(box.left(), box.top(), box.right(), box.bottom()),
                              eyes=tuple(sorted((eye_a, eye_b))), nose=points[4], native=(rgb, shape)))
        return faces

    def detect(self, bgr, max_side: int | None = DETECT_MAX_SIDE) -> list[Face]:
        return self._faces(bgr, DETECT_UPSAMPLE, max_side)

    def detect_reference(self, bgr) -> list[Face]:
        return self._faces(bgr, REFERENCE_UPSAMPLE, None)

    def embed(self, bgr, face: Face):
        import numpy as np
        rgb, shape = face.native
        return np.array(self._encoder.compute_face_descriptor(rgb, shape, NUM_JITTERS))

    @staticmethod
    def distance(a, b) -> float:
        import numpy as np
        return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def _clip(dlib, box, shape):
    """A dlib box clipped to the image (detections may stick out a few pixels)."""
    height, width = shape[:2]
    return dlib.rectangle(max(0, box.left()), max(0, box.top()),
                          min(width - 1, box.right()), min(height - 1, box.bottom()))
