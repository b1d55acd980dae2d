"""A camera as the controller sees it: a stream of BGR frames, latest only."""
from __future__ import annotations

import threading
import time

import cv2
import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage

from devices.base import Command, Device


PREVIEW_INTERVAL_S = 0.1   # the on-screen preview needs ~10 fps, not every frame
PREVIEW_MAX_WIDTH = 640


class Camera(Device):
    frame_ready = Signal(object)        # numpy BGR uint8 frame; latest only, never a backlog
    # QImage (RGB, mirrored like a mirror, at most 640 px wide) for the on-screen
    # preview, made on the capture thread so the GUI thread only paints it.
    preview_ready = Signal(object)
    name = "camera"

    # Internal: "a new frame is waiting". Connected queued to the GUI thread, and
    # only raised when the previous one was consumed, so a slow GUI sees the
    # newest frame instead of a queue of stale ones.
    _frame_waiting = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._frame_lock = threading.Lock()
        self._latest: np.ndarray | None = None
        self._undelivered: np.ndarray | None = None
        self._preview: QImage | None = None
        self._preview_made_at = 0.0
        self._frame_waiting.connect(self._deliver_frame, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        """Start capturing (opens the device if needed). Returns at once."""
        command = self._start_command("capture", None)
        self._submit(lambda: self._capture_job(command))

    def stop(self) -> None:
        """Stop capturing; the device stays open."""
        self._cancel_current()

    def latest_frame(self) -> np.ndarray | None:
        """The newest frame (thread-safe). Frames are never modified after publishing."""
        with self._frame_lock:
            return self._latest

    # --- for subclasses ------------------------------------------------------

    def _capture_on_worker(self, command: Command) -> None:
        """Grab frames and `_publish()` them until `command` is cancelled."""
        raise NotImplementedError

    def _publish(self, frame: np.ndarray) -> None:
        """Called on the worker for every captured frame."""
        preview = None
        now = time.monotonic()
        if now - self._preview_made_at >= PREVIEW_INTERVAL_S:
            self._preview_made_at = now
            preview = make_preview(frame)
        with self._frame_lock:
            if preview is not None:
                self._preview = preview
            self._latest = frame
            notify = self._undelivered is None
            self._undelivered = frame
        if notify:
            self._frame_waiting.emit()

    # -------------------------------------------------------------------------

    def _capture_job(self, command: Command) -> None:
        try:
            self._capture_on_worker(command)
        finally:
            self._finish_command(command)

    def _deliver_frame(self) -> None:   # GUI thread
        with self._frame_lock:
            frame, self._undelivered = self._undelivered, None
            preview, self._preview = self._preview, None
        if frame is not None:
            self.frame_ready.emit(frame)
        if preview is not None:
            self.preview_ready.emit(preview)


def make_preview(frame_bgr: np.ndarray) -> QImage:
    """A mirrored RGB QImage of a BGR frame, downscaled to <= 640 px wide (off the GUI thread).

    Mirrored because people expect a mirror: turning to their left moves their
    picture to the left. The face check itself sees the unmirrored frame.
    """
    height, width = frame_bgr.shape[:2]
    if width > PREVIEW_MAX_WIDTH:
        frame_bgr = cv2.resize(frame_bgr, (PREVIEW_MAX_WIDTH, round(height * PREVIEW_MAX_WIDTH / width)),
                               interpolation=cv2.INTER_AREA)
        height, width = frame_bgr.shape[:2]
    rgb = np.ascontiguousarray(cv2.cvtColor(cv2.flip(frame_bgr, 1), cv2.COLOR_BGR2RGB))
    # .copy(): the QImage must own its pixels, not borrow the numpy buffer.
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
