"""A camera without hardware: replays a still image, a folder of images or a
video file (read through OpenCV) at a fixed rate.

Scenarios: `ok`, `no_face` (plain grey frames), `black` (a covered lens),
`unplugged` (status noDevice, no frames), `two_faces` (the source shown twice,
side by side: two people in front of the camera), `photo_attack` (the source
held up as a printed photo: the same still, shifted and scaled a little from
frame to frame like a hand-held picture -- flat, so it cannot turn its head),
`photo_tilt` (the printed photo turned and tilted in 3-D in front of the lens,
up to 40 degrees either way: a perspective view, no longer an affine one),
`photo_bend` (the printed photo bent around a vertical axis like a held sheet,
and turned back and forth: the most a flat picture can do to fake a head turn),
`dark` / `overexposed` (the source under extreme lighting), `unplug_after`
(delivers the source, then disappears after `unplug_after_s`: a camera gone
mid-verification). `unplug()` / `replug()` do the same at any moment (tests).
`show(frame)` holds a picture in front of the lens: a phone showing its code or a receipt
(sim/phone_app.py), paper under the document camera (a passport photo page, a page of a
supporting material, made by sim/documents.py). Every frame is that picture until
`show(None)`, in any scenario that delivers frames, images or video.
"""
from __future__ import annotations

import logging
import math
import os
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from devices.base import Command, DeviceStatus
from devices.camera.interface import Camera

log = logging.getLogger(__name__)

SCENARIOS = ("ok", "no_face", "black", "unplugged", "two_faces", "photo_attack", "photo_tilt", "photo_bend",
             "dark", "overexposed", "unplug_after")
PHOTO_ATTACKS = ("photo_attack", "photo_tilt", "photo_bend")
NEEDS_SOURCE = ("ok", "two_faces", *PHOTO_ATTACKS, "dark", "overexposed", "unplug_after")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
BLANK_FRAME_SIZE = (480, 640)   # rows, cols of the synthetic frames


class SimCamera(Camera):
    def __init__(self, source: str | os.PathLike | None = None, fps: float = 10, loop: bool = True,
                 scenario: str = "ok", unplug_after_s: float = 3.0, parent=None):
        super().__init__(parent)
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown camera scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        if scenario in NEEDS_SOURCE and not source:
            raise ValueError(f"SimCamera scenario {scenario!r} needs a source image, folder or video")
        self._source = Path(source) if source else None
        self._interval = 1.0 / max(0.1, fps)
        self._loop = loop
        self._scenario = scenario
        self._images: list[np.ndarray] = []
        self._unplug_after_s = unplug_after_s
        self._capture_started = time.monotonic()
        self._unplugged = threading.Event()
        self._rng = np.random.default_rng(7)
        self._attack_frame = 0
        self._in_front: np.ndarray | None = None     # show(): what is held in front of the lens

    # --- test hooks: the cable pulled and put back ----------------------------

    def unplug(self) -> None:
        """The camera disappears: no more frames, status noDevice (thread-safe)."""
        self._unplugged.set()
        self._set_status(DeviceStatus.NO_DEVICE, "sim: camera unplugged")

    def replug(self) -> None:
        """The camera is back: status online; capture resumes on the next start()."""
        self._unplugged.clear()
        self._set_status(DeviceStatus.ONLINE)

    def show(self, frame: np.ndarray | None) -> None:
        """From the next frame on, the camera sees `frame` (BGR) instead of its source, until
        `show(None)` (thread-safe: one reference, replaced whole)."""
        self._in_front = None if frame is None else np.ascontiguousarray(frame)

    def _open_on_worker(self) -> None:
        if self._scenario == "unplugged":
            self._set_status(DeviceStatus.NO_DEVICE, "sim: camera unplugged")
            return
        if self._scenario in NEEDS_SOURCE:
            if not self._source.exists():
                self._set_status(DeviceStatus.NO_DEVICE, f"sim: source not found: {self._source}")
                return
            if not self._is_video():
                self._images = self._load_images()
                if not self._images:
                    self._set_status(DeviceStatus.NO_DEVICE, f"sim: no readable image in {self._source}")
                    return
        self._set_status(DeviceStatus.ONLINE)

    def _close_on_worker(self) -> None:
        self._images = []

    def _capture_on_worker(self, command: Command) -> None:
        if self.status() != DeviceStatus.ONLINE or self._unplugged.is_set():
            log.info("camera: not capturing, status %s", self.status().value)
            return
        self._capture_started = time.monotonic()
        if self._scenario == "no_face":
            self._replay(command, [np.full(BLANK_FRAME_SIZE + (3,), 128, np.uint8)])
        elif self._scenario == "black":
            self._replay(command, [np.zeros(BLANK_FRAME_SIZE + (3,), np.uint8)])
        elif self._is_video():
            self._play_video(command)
        else:
            self._replay(command, [self._transform(image) for image in self._images])

    def _transform(self, image: np.ndarray) -> np.ndarray:
        """The scenario's view of one source frame."""
        if self._scenario == "two_faces":
            return two_people(image)
        if self._scenario == "dark":
            return (image.astype(np.float32) * 0.25).astype(np.uint8)   # a dim hall, face in shadow
        if self._scenario == "overexposed":
            return np.clip(image.astype(np.float32) * 1.6 + 90, 0, 255).astype(np.uint8)   # sun on the face
        return image

    def _frame_out(self, image: np.ndarray) -> np.ndarray:
        """Per-frame changes (hand-held photo wobble, tilt, bend); always a fresh array."""
        in_front = self._in_front
        if in_front is not None:
            return in_front.copy()
        if self._scenario not in PHOTO_ATTACKS:
            return image.copy()
        if self._scenario != "photo_attack":
            self._attack_frame += 1
            phase = math.sin(self._attack_frame / 15.0 * 2 * math.pi / 3.0)   # a 3 s back-and-forth
            bend = 0.9 if self._scenario == "photo_bend" else 0.0
            return viewed_photo(image, yaw_deg=40.0 * phase, pitch_deg=12.0 * math.cos(self._attack_frame / 9.0),
                                bend=bend)
        height, width = image.shape[:2]
        angle = float(self._rng.uniform(-3, 3))
        scale = float(self._rng.uniform(0.97, 1.03))
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
        matrix[:, 2] += self._rng.uniform(-6, 6, size=2)
        return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)

    def _gone(self) -> bool:
        """True once the camera has disappeared (unplug() or the unplug_after scenario)."""
        if (self._scenario == "unplug_after" and not self._unplugged.is_set()
                and time.monotonic() - self._capture_started >= self._unplug_after_s):
            self.unplug()
        return self._unplugged.is_set()

    def _is_video(self) -> bool:
        return (self._source is not None and self._source.is_file()
                and self._source.suffix.lower() not in IMAGE_SUFFIXES)

    def _load_images(self) -> list[np.ndarray]:
        paths = ([self._source] if self._source.is_file() else
                 sorted(p for p in self._source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
        images = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in paths]
        return [image for image in images if image is not None]

    def _replay(self, command: Command, images: list[np.ndarray]) -> None:
        while not command.cancelled:
            for image in images:
                if self._gone():
                    return
                # A fresh copy per frame: consumers may hold on to a frame while the next arrives.
                self._publish(self._frame_out(image))
                if not command.wait(self._interval):
                    return
            if not self._loop:
                return

    def _play_video(self, command: Command) -> None:
        capture = cv2.VideoCapture(str(self._source))
        try:
            if not capture.isOpened():
                self._set_status(DeviceStatus.HARDWARE_ERROR, f"sim: cannot decode {self._source.name}")
                return
            while not command.cancelled:
                ok, frame = capture.read()
                if not ok:
                    if not self._loop:
                        return
                    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, frame = capture.read()
                    if not ok:
                        self._set_status(DeviceStatus.HARDWARE_ERROR, f"sim: cannot read {self._source.name}")
                        return
                if self._gone():
                    return
                self._publish(self._frame_out(self._transform(frame)))
                if not command.wait(self._interval):
                    return
        finally:
            capture.release()


def two_people(image: np.ndarray) -> np.ndarray:
    """The picture twice, side by side, on a 640x480 canvas: two faces in view."""
    canvas = np.full((480, 640, 3), 90, np.uint8)
    height, width = image.shape[:2]
    scale = min(320 / width, 480 / height)
    small = cv2.resize(image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    top = (480 - h) // 2
    canvas[top:top + h, (320 - w) // 2:(320 - w) // 2 + w] = small
    canvas[top:top + h, 320 + (320 - w) // 2:320 + (320 - w) // 2 + w] = small
    return canvas


def viewed_photo(image: np.ndarray, yaw_deg: float, pitch_deg: float = 0.0, bend: float = 0.0,
                 distance: float = 2.2, strips: int = 24) -> np.ndarray:
    """A printed photo seen by the camera in 3-D: bent around its vertical axis (`bend` =
    the arc in radians over the photo's width, 0 = flat), turned by `yaw_deg` and tilted
    by `pitch_deg`, at `distance` photo-widths from a pinhole camera, on a grey background.
    Drawn as vertical strips, each a plane with its own perspective map."""
    height, width = image.shape[:2]
    focal = distance * width                   # the unturned photo fills about half the view
    yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
    cos_y, sin_y, cos_p, sin_p = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch)

    def project(u: float, v: float) -> tuple[float, float]:
        """Photo point (u across, v down, both in photo widths from the centre) -> pixel."""
        if bend:
            radius = 1.0 / bend
            x, z = radius * math.sin(u / radius), radius * (1 - math.cos(u / radius))   # the middle comes forward
        else:
            x, z = u, 0.0
        y = v
        x, z = x * cos_y + z * sin_y, -x * sin_y + z * cos_y          # turn around the vertical axis
        y, z = y * cos_p - z * sin_p, y * sin_p + z * cos_p            # tilt around the horizontal axis
        depth = distance - z
        return width / 2 + focal * x / depth / 1.0, height / 2 + focal * y / depth

    canvas = np.full_like(image, 110)
    aspect = height / width
    edges = np.linspace(0, width, strips + 1)
    for left, right in zip(edges[:-1], edges[1:]):
        u0, u1 = left / width - 0.5, right / width - 0.5
        source = np.float32([[left, 0], [right, 0], [right, height], [left, height]])
        target = np.float32([project(u0, -aspect / 2), project(u1, -aspect / 2),
                             project(u1, aspect / 2), project(u0, aspect / 2)])
        matrix = cv2.getPerspectiveTransform(source, target)
        warped = cv2.warpPerspective(image, matrix, (width, height))
        mask = cv2.warpPerspective(np.full((height, width), 255, np.uint8), matrix, (width, height))
        strip = np.zeros((height, width), np.uint8)
        strip[:, int(left):int(math.ceil(right))] = 255
        mask &= cv2.warpPerspective(strip, matrix, (width, height))
        canvas[mask > 0] = warped[mask > 0]
    return canvas
