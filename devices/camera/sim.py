"""A camera without hardware: replays a still image, a folder of images or a
video file (read through OpenCV) at a fixed rate.

Scenarios: `ok`, `no_face` (plain grey frames), `black` (a covered lens),
`unplugged` (status noDevice, no frames).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import cv2
import numpy as np

from devices.base import Command, DeviceStatus
from devices.camera.interface import Camera

log = logging.getLogger(__name__)

SCENARIOS = ("ok", "no_face", "black", "unplugged")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
BLANK_FRAME_SIZE = (480, 640)   # rows, cols of the synthetic frames


class SimCamera(Camera):
    def __init__(self, source: str | os.PathLike | None = None, fps: float = 10, loop: bool = True,
                 scenario: str = "ok", parent=None):
        super().__init__(parent)
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown camera scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
        if scenario == "ok" and not source:
            raise ValueError("SimCamera scenario 'ok' needs a source image, folder or video")
        self._source = Path(source) if source else None
        self._interval = 1.0 / max(0.1, fps)
        self._loop = loop
        self._scenario = scenario
        self._images: list[np.ndarray] = []

    def _open_on_worker(self) -> None:
        if self._scenario == "unplugged":
            self._set_status(DeviceStatus.NO_DEVICE, "sim: camera unplugged")
            return
        if self._scenario == "ok":
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
        if self.status() != DeviceStatus.ONLINE:
            log.info("camera: not capturing, status %s", self.status().value)
            return
        if self._scenario == "no_face":
            self._replay(command, [np.full(BLANK_FRAME_SIZE + (3,), 128, np.uint8)])
        elif self._scenario == "black":
            self._replay(command, [np.zeros(BLANK_FRAME_SIZE + (3,), np.uint8)])
        elif self._is_video():
            self._play_video(command)
        else:
            self._replay(command, self._images)

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
                # A fresh copy per frame: consumers may hold on to a frame while the next arrives.
                self._publish(image.copy())
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
                self._publish(frame)
                if not command.wait(self._interval):
                    return
        finally:
            capture.release()
