"""The technician's camera preview with face boxes and frame rate."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtGui import QImage

from kiosk.flows.jobs import BackgroundJobs


class TechnicianCamera:
    """Owns the technician page's camera preview: starts and stops the camera, asks the
    face worker for face boxes and draws them on the latest frame (at most 10 frames/s)
    on a background loop, handing each finished QImage, the fps and the face count to
    `on_frame` on the GUI thread.

    The boxes come from the face worker process — the detector the citizen's check uses;
    dlib on a thread here would hold this process's GIL and stall the GUI."""

    def __init__(self, camera, face_verifier, jobs: BackgroundJobs, on_frame: Callable[[tuple], None]):
        self.camera, self.face_verifier = camera, face_verifier
        self.jobs = jobs
        self.on_frame = on_frame
        self._stop = threading.Event()
        self._faces_slot = None

    def start(self) -> None:
        camera, verifier = self.camera, self.face_verifier
        camera.start()
        self._stop.clear()
        stop = self._stop
        latest_boxes: list = []
        boxes_lock = threading.Lock()

        def on_faces(boxes) -> None:       # runs on the verifier's listener thread
            with boxes_lock:
                latest_boxes[:] = boxes
        self._disconnect_faces()
        verifier.faces_detected.connect(on_faces)
        self._faces_slot = on_faces

        def loop():
            import cv2
            frames, started, last = 0, time.monotonic(), None
            while not stop.wait(0.1):
                frame = camera.latest_frame()
                if frame is None or frame is last:
                    continue
                last = frame
                frames += 1
                verifier.detect_faces(frame)   # ignored while the previous frame is still in the worker
                with boxes_lock:
                    boxes = list(latest_boxes)
                shown = frame.copy()
                for left, top, right, bottom in boxes:
                    cv2.rectangle(shown, (left, top), (right, bottom), (0, 200, 0), 2)
                rgb = cv2.cvtColor(shown, cv2.COLOR_BGR2RGB)
                h, w, _ = rgb.shape
                image = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
                fps = frames / max(1e-6, time.monotonic() - started)
                self.jobs.post(self.on_frame, (image, fps, len(boxes)))
        self.jobs.start_loop("camera", loop)

    def stop(self) -> None:
        if not self._stop.is_set():
            self._stop.set()
            self.camera.stop()
            self._disconnect_faces()

    def _disconnect_faces(self) -> None:
        slot, self._faces_slot = self._faces_slot, None
        if slot is not None:
            try:
                self.face_verifier.faces_detected.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
