"""A real camera through OpenCV (V4L2 / UVC webcams, or a video URL)."""
from __future__ import annotations

import logging
import time

import cv2

from devices.base import Command, DeviceStatus
from devices.camera.interface import Camera

log = logging.getLogger(__name__)

FAILED_READS_BEFORE_RECONNECT = 10   # a few dropped frames are normal on USB cameras
RECONNECT_INTERVAL_S = 2.0


class OpenCvCamera(Camera):
    def __init__(self, index_or_path: int | str = 0, width: int = 640, height: int = 480,
                 fps: int = 10, parent=None):
        super().__init__(parent)
        # "0" from a config file means camera index 0, not a file called "0".
        if isinstance(index_or_path, str) and index_or_path.isdigit():
            index_or_path = int(index_or_path)
        self._source = index_or_path
        self._width = width
        self._height = height
        self._fps = max(1, fps)
        self._capture: cv2.VideoCapture | None = None

    def _open_on_worker(self) -> None:
        self._connect()

    def _close_on_worker(self) -> None:
        self._release()

    def _connect(self) -> bool:
        self._release()
        capture = cv2.VideoCapture(self._source)
        if not capture.isOpened():
            capture.release()
            self._set_status(DeviceStatus.NO_DEVICE, f"cannot open camera {self._source!r}")
            return False
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
        capture.set(cv2.CAP_PROP_FPS, self._fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)   # keep the driver from queueing stale frames
        self._capture = capture
        self._set_status(DeviceStatus.ONLINE)
        return True

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _capture_on_worker(self, command: Command) -> None:
        interval = 1.0 / self._fps
        failures = 0
        while not command.cancelled:
            if self._capture is None:
                if not self._connect():
                    command.wait(RECONNECT_INTERVAL_S)
                    continue
            started = time.monotonic()
            ok, frame = self._capture.read()
            if not ok or frame is None:
                failures += 1
                if failures >= FAILED_READS_BEFORE_RECONNECT:
                    log.warning("camera: %d failed reads, reconnecting", failures)
                    self._release()
                    self._set_status(DeviceStatus.NO_DEVICE, "camera stopped delivering frames")
                    failures = 0
                command.wait(0.05)
                continue
            failures = 0
            self._publish(frame)
            command.wait(max(0.0, interval - (time.monotonic() - started)))
