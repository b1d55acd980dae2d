"""The technician's document-camera test: the detected page outline on the live picture, and
the measures the citizen's guidance is decided on (sharpness, glare, brightness, cut off)
against their thresholds, plus whether Tesseract (the MRZ reader) runs."""
from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.document_capture import Thresholds, assess, outline_overlay
from kiosk.flows.jobs import BackgroundJobs


def measures_text(check, thresholds: Thresholds, ocr: str) -> str:
    """The technician's lines for one frame (no personal data: numbers about the picture)."""
    outline = "none" if check.corners is None else ("cut off" if check.cut_off else "found")
    return "\n".join([
        f"page outline: {outline}",
        f"sharpness: {check.sharpness:.0f} (blurred below {thresholds.min_sharpness:.0f})",
        f"glare: {100 * check.glare_share:.1f}% (glare above {100 * thresholds.max_glare_share:.1f}%)",
        f"brightness: {check.brightness:.0f} (too dark below {thresholds.min_brightness:.0f})",
        f"guidance: {check.guidance or 'ok'}",
        f"MRZ reader: {ocr}",
    ])


class TechnicianDocumentCamera:
    """Starts the document camera (the main one when there is no second camera), assesses the
    latest frame about 5 times a second on a background loop and hands (QImage, text) to
    `on_frame` on the GUI thread."""

    def __init__(self, camera, thresholds: Thresholds, jobs: BackgroundJobs, on_frame: Callable[[tuple], None]):
        self.camera, self.thresholds, self.jobs, self.on_frame = camera, thresholds, jobs, on_frame
        self._stop = threading.Event()
        self._stop.set()

    def start(self) -> None:
        from kiosk.flows.documents import bgr_to_qimage
        from kiosk.mrz_ocr import OcrUnavailable, tesseract_version
        if not self._stop.is_set():
            return
        self._stop.clear()
        self.camera.start()
        stop, camera, thresholds = self._stop, self.camera, self.thresholds

        def loop():
            try:
                ocr = f"tesseract {tesseract_version()}"
            except OcrUnavailable as exc:
                ocr = f"UNAVAILABLE ({exc})"
            last = None
            while not stop.wait(0.2):
                frame = camera.latest_frame()
                if frame is None or frame is last:
                    continue
                last = frame
                check = assess(frame, thresholds)
                self.jobs.post(self.on_frame, (bgr_to_qimage(outline_overlay(frame, check)),
                                               measures_text(check, thresholds, ocr)))
        self.jobs.start_loop("document-camera", loop)

    def stop(self) -> None:
        if not self._stop.is_set():
            self._stop.set()
            self.camera.stop()
