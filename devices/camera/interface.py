"""A camera as the controller sees it: a stream of BGR frames, latest only."""
from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import Qt, Signal

from devices.base import Command, Device


class Camera(Device):
    frame_ready = Signal(object)        # numpy BGR uint8 frame; latest only, never a backlog
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
        with self._frame_lock:
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
        if frame is not None:
            self.frame_ready.emit(frame)
