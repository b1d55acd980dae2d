"""The face engine interface: detect, five landmarks + pose, aligned embedding, distance.

Two implementations, chosen by `[face] engine` (the names come from `ENGINES`):

* `sface` (kiosk.face_engine_sface, the default): OpenCV's YuNet detector and
  SFace recogniser on OpenCV DNN, 128-d embeddings compared by cosine distance;
* `dlib` (kiosk.face_engine_dlib): dlib's HOG detector, 5-point landmarks and
  ResNet encoder, Euclidean distance; kept for comparison (docs/face.md).

The quality gates and the per-frame observation (`FaceEngine.observe`) are the
same for both, written once here against the primitives each engine provides.
This module imports neither OpenCV nor numpy at the top: kiosk.config reads
`ENGINES` from it, and the GUI process must not load the models' libraries.
Everything here runs in the face worker process (kiosk.face_worker).
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

# Feedback codes (also on-screen hint keys) and frame modes are the domain core's
# vocabulary (kiosk/core/face_codes.py); the engines, workers and screens use them as `fe.OK`.
from kiosk.core.face_codes import (  # noqa: F401
    BLURRY, CHALLENGE, MULTIPLE_FACES, NO_FACE, NOT_FRONTAL, OK, STALE, TOO_BRIGHT, TOO_DARK, TOO_SMALL, VERIFY,
)

# name -> the distance metric its threshold is expressed in (one constant for config and code).
ENGINES = {"sface": "cosine", "dlib": "euclidean"}
DEFAULT_ENGINE = "sface"

DETECT_MAX_SIDE = 320      # camera frames are searched on a copy this size (detector cost ~ pixels)
DEFAULT_MIN_FACE_PX = 80   # face box width in the full frame; smaller ones embed poorly

# Quality gates (measured on the sample photos, see docs/face.md).
MIN_BRIGHTNESS = 50        # mean grey level of the face box, 0-255
MAX_BRIGHTNESS = 215
MIN_SHARPNESS = 15.0       # variance of the Laplacian of the face resized to 128 px wide
MAX_FRONTAL_YAW = 0.15     # |nose position along the eye line - 0.5| (dlib units); 0 = frontal, ~0.5 = profile
MAX_ROLL_DEG = 20.0


class FaceModelError(Exception):
    """A model file is missing, corrupt or cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class Face:
    """One detected face, in the coordinates of the image it was found in.

    `eyes` are the two eye centres (image-left first), `nose` the nose point the
    engine's landmark model gives (YuNet: the tip; dlib: the base). `native` is
    what the engine needs again to align this face (a YuNet row, a dlib shape).
    """
    box: tuple[int, int, int, int]          # left, top, right, bottom
    eyes: tuple[tuple[float, float], tuple[float, float]]
    nose: tuple[float, float]
    score: float = 1.0
    native: object = None

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


@dataclass
class Pose:
    """Head pose from the eye centres and the nose.

    `yaw` is where the nose sits along the line between the eye centres, minus
    0.5: 0 when frontal, growing towards +-0.5 as the head turns (+ = the nose
    moves to the image's right, i.e. the citizen turns to their left on an
    unmirrored camera). A flat photo moved, turned or tilted in front of the
    camera keeps this ratio (an affine map preserves ratios along a line; a
    perspective tilt changes it by a few hundredths), which is what makes a
    head turn a liveness cue.
    """
    yaw: float
    roll_deg: float
    eye_distance_px: float


def pose_of(face: Face) -> Pose:
    (ax, ay), (bx, by) = sorted(face.eyes)
    ex, ey = bx - ax, by - ay
    length_sq = ex * ex + ey * ey
    if length_sq < 1e-6:
        return Pose(0.0, 0.0, 0.0)
    nx, ny = face.nose
    along = ((nx - ax) * ex + (ny - ay) * ey) / length_sq
    return Pose(yaw=along - 0.5, roll_deg=math.degrees(math.atan2(ey, ex)),
                eye_distance_px=math.sqrt(length_sq))


@dataclass
class Observation:
    feedback: str
    faces: int = 0
    face_px: int = 0
    brightness: float | None = None
    sharpness: float | None = None
    yaw: float | None = None
    roll_deg: float | None = None
    eye_openness: float | None = None      # eye aspect ratio (kiosk.face_eyes), None without the eye model
    distance: float | None = None          # to the reference (verify mode)
    continuity: float | None = None        # to the best live frame of this check (challenge mode)
    same_person: bool | None = None        # continuity within the engine's tolerance
    encoded: bool = False
    box: tuple[int, int, int, int] | None = None


class FaceEngine(ABC):
    """Detector, landmarks and recogniser of one kind; one instance per worker process."""

    name: str = ""
    metric: str = ""
    # A turned or blinking frame vs the same person's best frontal frame of this
    # check: live-to-live, both full camera quality, so looser than the card threshold.
    continuity_tolerance: float = 0.0
    # Pose.yaw of this engine's landmarks per unit of dlib's (the nose tip of YuNet
    # swings further than the nose base of dlib's 5 points). Observations carry yaw
    # divided by it, so MAX_FRONTAL_YAW and [face] turn_delta mean the same head turn
    # whatever the engine.
    yaw_scale: float = 1.0

    def __init__(self, min_face_px: int = DEFAULT_MIN_FACE_PX, eyes=None):
        self.min_face_px = min_face_px
        self.eyes = eyes          # kiosk.face_eyes.EyeModel or None (no blink challenge)

    # --- what each engine provides --------------------------------------------

    @abstractmethod
    def detect(self, bgr, max_side: int | None = DETECT_MAX_SIDE) -> list[Face]:
        """Faces in a BGR image, in its coordinates; searched on a copy at most `max_side` px
        (None: full size)."""

    @abstractmethod
    def detect_reference(self, bgr) -> list[Face]:
        """Faces in a small reference photo (a 102x126 chip has a ~50 px face)."""

    @abstractmethod
    def embed(self, bgr, face: Face):
        """The aligned embedding of one face (a 1-d numpy array)."""

    @staticmethod
    @abstractmethod
    def distance(a, b) -> float:
        """Distance between two embeddings in this engine's metric (smaller = more alike)."""

    # --- shared by both ------------------------------------------------------------

    def encode_reference(self, jpeg: bytes):
        """(embedding, how) for a chip photo; (None, reason) when it cannot be used.

        Reasons: "empty", "undecodable", "no_face_in_photo". A photo in which the
        detector finds no face is refused rather than embedded as a whole: an
        embedding of a blank or scrambled picture is a random point that could lie
        near someone.
        """
        image = decode_image(jpeg)
        if isinstance(image, str):
            return None, image
        faces = self.detect_reference(image)
        if not faces:
            return None, "no_face_in_photo"
        face = max(faces, key=lambda f: f.width)
        return self.embed(image, face), "face_found"

    def encode_largest(self, bgr, max_side: int | None = None):
        """(embedding, face) of the largest face in a photo, no gates (calibration,
        face-compare); (None, None) without a face."""
        faces = self.detect(bgr, max_side)
        if not faces:
            return None, None
        face = max(faces, key=lambda f: f.width)
        return self.embed(bgr, face), face

    def observe(self, frame_bgr, mode: str = VERIFY, reference=None, live=None):
        """(Observation, embedding or None) for one camera frame.

        verify:    gates (one face, size, brightness, sharpness, frontal), then embed
                   and measure the distance to `reference`;
        challenge: one face, size and brightness only; pose and eye openness for the
                   liveness steps, and the distance to `live` (the best frontal frame
                   of this check: the same person must do the challenge).
        """
        check_frame(frame_bgr)
        faces = self.nearby_faces(self.detect(frame_bgr))
        if not faces:
            return Observation(NO_FACE), None
        if len(faces) > 1:
            return Observation(MULTIPLE_FACES, faces=len(faces)), None
        face = faces[0]
        obs = Observation(OK, faces=1, face_px=face.width, box=face.box)
        if face.width < self.min_face_px:
            obs.feedback = TOO_SMALL
            return obs, None
        grey = face_grey(frame_bgr, face.box)
        obs.brightness = float(grey.mean()) if grey.size else 0.0
        if obs.brightness < MIN_BRIGHTNESS:
            obs.feedback = TOO_DARK
            return obs, None
        if obs.brightness > MAX_BRIGHTNESS:
            obs.feedback = TOO_BRIGHT
            return obs, None
        pose = pose_of(face)
        yaw = pose.yaw / self.yaw_scale
        obs.yaw, obs.roll_deg = round(yaw, 4), round(pose.roll_deg, 2)
        if mode == CHALLENGE:
            return self._observe_challenge(frame_bgr, face, obs, live), None
        obs.sharpness = sharpness(grey)
        if obs.sharpness < MIN_SHARPNESS:
            obs.feedback = BLURRY
            return obs, None
        if abs(yaw) > MAX_FRONTAL_YAW or abs(pose.roll_deg) > MAX_ROLL_DEG:
            obs.feedback = NOT_FRONTAL
            return obs, None
        obs.eye_openness = self._eye_openness(frame_bgr, face)
        embedding = self.embed(frame_bgr, face)
        obs.encoded = True
        if reference is not None:
            obs.distance = round(self.distance(reference, embedding), 5)
        return obs, embedding

    def nearby_faces(self, faces: list[Face]) -> list[Face]:
        """The faces that belong to people at the kiosk: at least half as wide as the largest
        one and not below the size gate. Smaller faces are people passing far behind (the
        detector finds faces of ~20 px); two people at the kiosk are still refused."""
        if len(faces) < 2:
            return faces
        largest = max(face.width for face in faces)
        floor = max(largest / 2, min(self.min_face_px, largest))
        return sorted((face for face in faces if face.width >= floor), key=lambda f: -f.width)

    def _observe_challenge(self, frame_bgr, face: Face, obs: Observation, live) -> Observation:
        obs.eye_openness = self._eye_openness(frame_bgr, face)
        if live is not None:
            embedding = self.embed(frame_bgr, face)
            obs.encoded = True
            obs.continuity = round(self.distance(live, embedding), 5)
            obs.same_person = obs.continuity <= self.continuity_tolerance
        return obs

    def _eye_openness(self, frame_bgr, face: Face) -> float | None:
        if self.eyes is None:
            return None
        value = self.eyes.openness(frame_bgr, face)
        return None if value is None else round(value, 4)


# --- helpers ---------------------------------------------------------------------

def decode_image(jpeg: bytes):
    """A BGR image from encoded bytes, or the reason it cannot be had ("empty", "undecodable")."""
    import cv2
    import numpy as np
    if not jpeg:
        return "empty"
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.shape[0] < 8 or image.shape[1] < 8:
        return "undecodable"
    return image


def check_frame(frame) -> None:
    """A camera frame must be an 8-bit BGR image of a plausible size; ValueError otherwise."""
    import numpy as np
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 \
            or frame.shape[2] != 3 or min(frame.shape[:2]) < 16 or max(frame.shape[:2]) > 8192:
        shape = getattr(frame, "shape", None)
        raise ValueError(f"not an 8-bit BGR frame (shape {shape}, type {type(frame).__name__})")


def face_grey(frame_bgr, box):
    import cv2
    height, width = frame_bgr.shape[:2]
    left, top, right, bottom = box
    left, top = max(0, left), max(0, top)
    right, bottom = min(width, right), min(height, bottom)
    crop = frame_bgr[top:bottom, left:right]
    if crop.size == 0:
        import numpy as np
        return np.zeros((1, 1), np.uint8)
    return cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)


def sharpness(grey) -> float:
    """Variance of the Laplacian on the face resized to 128 px wide (scale-independent blur measure)."""
    import cv2
    height, width = grey.shape[:2]
    if width < 2 or height < 2:
        return 0.0
    resized = cv2.resize(grey, (128, max(2, round(height * 128 / width))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(resized, cv2.CV_64F).var())


def downscale(bgr, max_side: int | None):
    """(image, scale): a copy at most `max_side` px on its long side, and the factor used."""
    import cv2
    height, width = bgr.shape[:2]
    if not max_side or max(height, width) <= max_side:
        return bgr, 1.0
    scale = max_side / max(height, width)
    return cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA), scale


def package_dir(package: str) -> Path | None:
    """Where an installed package's files are, found without importing it (some model
    packages download or need TensorFlow at import); in the PyInstaller bundle, the
    folder kiosk.spec copied its model files to."""
    import importlib.util
    import sys
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / package).is_dir():
        return Path(frozen) / package
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def model_folder(env_var: str, package: str, subdir: str, carries: str) -> Path:
    """The folder of a model package's files: `env_var` when set, else `subdir` of the
    installed `package` (see package_dir); FaceModelError naming the package when absent."""
    import os
    override = os.environ.get(env_var)
    if override:
        return Path(override)
    found = package_dir(package)
    if found is None:
        raise FaceModelError(f"{package} is not installed (it carries {carries}); set {env_var}")
    return found / subdir


def check_model_file(path: Path, sha256: str | None = None) -> Path:
    """The path of a model file that exists (and has the published digest); FaceModelError otherwise."""
    if not path.is_file():
        raise FaceModelError(f"face model missing: {path}")
    if sha256 is not None:
        import hashlib
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != sha256:
            raise FaceModelError(f"face model corrupt (SHA-256 {digest[:12]}…, expected {sha256[:12]}…): {path}")
    return path


def create_engine(name: str = DEFAULT_ENGINE, *, min_face_px: int = DEFAULT_MIN_FACE_PX,
                  models_dir: str | None = None, blink: bool = True) -> FaceEngine:
    """The engine called `name` with its models loaded; FaceModelError when they cannot be.

    `blink`: also load the eye model (MediaPipe face mesh) for the blink step;
    when it cannot be loaded the engine works without it (turns only) and
    `engine.eyes` is None.
    """
    if name not in ENGINES:
        raise FaceModelError(f"unknown face engine {name!r} (choose one of: {', '.join(ENGINES)})")
    eyes = None
    if blink:
        from kiosk.face_eyes import EyeModel
        try:
            eyes = EyeModel()
        except FaceModelError:
            eyes = None
    if name == "sface":
        from kiosk.face_engine_sface import SFaceEngine
        return SFaceEngine(min_face_px=min_face_px, eyes=eyes, models_dir=models_dir)
    from kiosk.face_engine_dlib import DlibEngine
    return DlibEngine(min_face_px=min_face_px, eyes=eyes, models_dir=models_dir)
