"""Documents flow: the camera reading paper -- the passport MRZ and supporting materials.

The document camera (a second, downward-looking camera when the kiosk has one, else the
main camera) delivers frames; one worker thread (`kiosk.latest_frame.LatestFrameWorker`) looks at the newest
frame only and runs the OpenCV / Tesseract work there, never on the GUI thread:

* ScanMrz: `kiosk.mrz_ocr.read_mrz_with_reason` on frames until a key is accepted
  (`MrzConsensus`), or the timeout: then "unreadable" or "check digits wrong" for the
  session, which lets the citizen type the key.
* SCAN_DOCUMENTS: every frame is assessed (`kiosk.document_capture.assess`) for the live
  guidance and the outlined preview; after CapturePage, `good_frames` good frames in a row
  are needed, then the last one is straightened, compressed (`encode_page`) and handed to
  the session as a `ScannedPage`. The frames themselves are never stored. That image work
  (`document_capture.check_frame`, ~25 ms a frame, more for a taken page) runs in a helper
  process at a lower priority (devices/helper_process.py): on the worker thread it held the
  interpreter lock and the CPU the GUI thread needed (bench/soak.py); the worker thread only
  waits for the answer. A dead or silent helper is replaced and the frame checked in-process.

Results and view updates come back on the GUI thread through `BackgroundJobs.post`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage

from kiosk.core import session as s
from devices.helper_process import HelperProcess
from kiosk.document_capture import PageCheck, PageFormat, Thresholds, check_frame, preview_rgb
from kiosk.flows.context import UNAVAILABLE, Coordinator, FlowContext
from kiosk.latest_frame import LatestFrameWorker
from kiosk.mrz_ocr import MrzConsensus, OcrUnavailable, read_mrz_with_reason

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 640
THUMBNAIL_HEIGHT = 220       # px; the scan screen shows pages at about half this
BAD_DIGIT_FRAMES = 3        # MRZ frames in a row with wrong check digits before the citizen is told
CONTENT_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
CHECK_TIMEOUT_S = 10.0      # a helper silent this long is replaced (a frame takes ~25 ms, a taken page ~0.2 s)

page_checker = HelperProcess("document check", CHECK_TIMEOUT_S)


@dataclass
class _Job:
    """What the worker is doing for which session (replaced, never mutated across threads
    except `good` and `saw_bad_digits`, which only the worker touches)."""
    kind: str                       # "mrz" | "live" | "page"
    token: int
    material_id: str = ""
    good: int = 0
    saw_bad_digits: bool = False
    bad_digit_frames: int = 0       # frames in a row whose MRZ-shaped line failed its check digits
    consensus: MrzConsensus | None = None


def bgr_to_qimage(frame: np.ndarray, width: int = PREVIEW_WIDTH) -> QImage:
    """An unmirrored RGB QImage (paper is read, not looked at like a mirror), <= width px."""
    return rgb_to_qimage(preview_rgb(frame, width))


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class DocumentsFlow(Coordinator):
    """Owns ScanMrz and CapturePage, the document camera while they run, and the live
    guidance of the scan screen (view.document_*)."""

    def __init__(self, ctx: FlowContext, parent=None):
        super().__init__(ctx, parent)
        self.camera = ctx.document_camera if ctx.document_camera is not None else ctx.camera
        docs = ctx.config.documents
        self.thresholds = Thresholds(docs.min_sharpness, docs.max_glare_share, docs.min_brightness)
        self._job: _Job | None = None
        self._timer_token = 0
        self.worker = LatestFrameWorker(self._process, name="document-camera", max_rate_hz=docs.analysis_fps)
        self.camera.frame_ready.connect(self._on_frame)
        ctx.session.on_change(self._on_session_change)

    @property
    def busy(self) -> bool:
        """The document camera is in use (the face flow and the QR scan leave it alone)."""
        return self._job is not None

    # --- commands ------------------------------------------------------------------------

    def scan_mrz(self, command: s.ScanMrz) -> None:
        if self.camera.status().value in UNAVAILABLE:
            self.session.mrz_scanned(command.token, None, "mrz_camera_unavailable")
            return
        self._begin(_Job("mrz", command.token, consensus=MrzConsensus(self.ctx.config.documents.mrz_consensus)))
        self._arm_timeout(command.token, command.timeout_s, self._mrz_timed_out)

    def capture_page(self, command: s.CapturePage) -> None:
        if self.camera.status().value in UNAVAILABLE:
            self.session.page_rejected(command.token, "camera_unavailable")
            return
        self._begin(_Job("page", command.token, command.material_id))
        self._arm_timeout(command.token, command.timeout_s, self._page_timed_out)

    def cancel(self) -> None:
        """CancelDeviceWork: stop reading (the session ended or the citizen chose to type)."""
        self._stop()
        self._clear_view()

    def session_ended(self) -> None:
        self._stop()
        self._clear_view()

    def close(self) -> None:
        self._stop()
        self.worker.stop()

    # --- camera and worker -----------------------------------------------------------------

    def _begin(self, job: _Job) -> None:
        running, self._job = self._job is not None, job
        if not running:
            page_checker.warm_up()      # started with the camera, not with every kiosk (tests build many)
            self.camera.start()

    def _stop(self) -> None:
        if self._job is not None:
            self._job = None
            self.worker.drop()
            self.camera.stop()
        self._timer_token += 1

    def _arm_timeout(self, token: int, timeout_s: float, on_timeout: Callable[[int], None]) -> None:
        self._timer_token += 1
        armed = self._timer_token
        QTimer.singleShot(int(timeout_s * 1000), lambda: armed == self._timer_token and on_timeout(token))

    def _on_session_change(self, session: Any) -> None:
        """Live guidance while the scan screen is up; the camera goes off when it is left."""
        if session.state is s.State.SCAN_DOCUMENTS:
            if self._job is None:
                self._begin(_Job("live", session.token))
        elif self._job is not None and self._job.kind in ("live", "page"):
            self._stop()
            self._clear_view()

    def _on_frame(self, frame: np.ndarray) -> None:
        if self._job is not None:
            self.worker.offer(frame)

    def _process(self, frame: np.ndarray) -> None:                  # worker thread
        job = self._job
        if job is None:
            return
        if job.kind == "mrz":
            self._process_mrz(job, frame)
        else:
            self._process_page(job, frame)

    def _process_mrz(self, job: _Job, frame: np.ndarray) -> None:   # worker thread
        self.ctx.jobs.post(self._mrz_preview, job, bgr_to_qimage(frame))
        try:
            read, bad_digits = read_mrz_with_reason(frame)
        except OcrUnavailable as exc:
            log.error("MRZ reader unavailable", extra={"error": str(exc)})
            self.ctx.jobs.post(self._mrz_done, job, None, "mrz_camera_unavailable")
            return
        job.saw_bad_digits = job.saw_bad_digits or bad_digits
        job.bad_digit_frames = job.bad_digit_frames + 1 if bad_digits else 0
        key = job.consensus.offer(read) if job.consensus is not None else None
        if key is not None:
            self.ctx.jobs.post(self._mrz_done, job, key, None)
        elif job.bad_digit_frames >= BAD_DIGIT_FRAMES:
            # The lines are read, their check digits keep failing: say so now, not at the timeout.
            self.ctx.jobs.post(self._mrz_done, job, None, "mrz_camera_check_digits")

    def _process_page(self, job: _Job, frame: np.ndarray) -> None:  # worker thread
        docs = self.ctx.config.documents
        page_format = None
        if job.kind == "page" and job.good + 1 >= docs.good_frames:      # this frame is taken if good
            page_format = PageFormat(docs.page_long_side_px, docs.page_target_kb * 1024, docs.page_format,
                                     THUMBNAIL_HEIGHT)
        check, preview_pixels, taken = page_checker.run(check_frame, frame, self.thresholds, PREVIEW_WIDTH,
                                                        page_format)
        preview = rgb_to_qimage(preview_pixels)
        page = None
        if job.kind == "page":
            job.good = job.good + 1 if check.ok else 0
            if taken is not None:
                data, thumbnail = taken
                page = s.ScannedPage(job.material_id, CONTENT_TYPES[docs.page_format], data, thumbnail)
        self.ctx.jobs.post(self._page_update, job, check, preview, page)

    # --- back on the GUI thread ------------------------------------------------------------

    def _mrz_done(self, job: _Job, key, problem: str | None) -> None:
        if self._job is not job:
            return
        self._stop()
        self._clear_view()
        log.info("MRZ read by camera" if key else "MRZ camera read failed", extra={"problem": problem})
        self.session.mrz_scanned(job.token, key, problem)

    def _mrz_preview(self, job: _Job, preview: QImage) -> None:
        if self._job is job:
            self.view.document_image = preview
            self.ctx.preview_changed()

    def _mrz_timed_out(self, token: int) -> None:
        job = self._job
        if job is None or job.kind != "mrz" or job.token != token:
            return
        self._stop()
        self._clear_view()
        self.session.mrz_scanned(token, None,
                                 "mrz_camera_check_digits" if job.saw_bad_digits else "mrz_camera_unreadable")

    def _page_update(self, job: _Job, check: PageCheck, preview: QImage, page: s.ScannedPage | None) -> None:
        if self._job is not job:
            return
        guidance_changed = check.guidance != self.view.document_guidance or self.view.document_image is None
        self.view.document_image = preview
        self.view.document_guidance = check.guidance
        self.view.document_measures = (check.sharpness, check.glare_share, check.brightness)
        if page is not None:
            self._job = _Job("live", job.token)          # the camera stays on for the next page
            self._timer_token += 1
            log.info("page captured", extra={"bytes": len(page.data)})
            self.session.page_captured(job.token, page)  # the session's change renders the screen
        elif guidance_changed:
            self.ctx.changed()
        else:
            self.ctx.preview_changed()                   # only the picture: no layout rebuilt

    def _page_timed_out(self, token: int) -> None:
        job = self._job
        if job is None or job.kind != "page" or job.token != token:
            return
        self._job = _Job("live", token)
        self.session.page_rejected(token, self.view.document_guidance or "no_page")

    def _clear_view(self) -> None:
        self.view.document_image = None
        self.view.document_guidance = None
        self.view.document_measures = None
