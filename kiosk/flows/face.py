"""Face flow: the live face check against the card's (or the platform's) photo."""
from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.core import session as s
from kiosk.core.face_decision import FaceCheckParams
from kiosk.flows.context import UNAVAILABLE, Coordinator, FlowContext

log = logging.getLogger(__name__)


class FaceFlow(Coordinator):
    """Owns the VerifyFace command and everything the face step shows: the reference
    photo lookup for face-only services, starting the camera and the face verifier,
    camera frames for the verifier, the preview image (repainting only the preview),
    the guidance and progress, the result fed to the session, and the staff call after
    the last failed try. `camera_lost()` ends a running check when the camera goes."""

    def __init__(self, ctx: FlowContext, *, scanning: Callable[[], bool], request_staff_help: Callable[[str], None],
                 parent=None):
        super().__init__(ctx, parent)
        self.token = 0                       # session token of the face check in progress
        self._scanning = scanning            # a receipt QR scan has the camera (progress query flow)
        self._request_staff_help = request_staff_help
        # Face-only services: id_number -> reference JPEG from the platform's
        # records. None = not available here, the citizen is sent to the counter.
        self.reference_photo_source = None
        ctx.camera.frame_ready.connect(self._on_frame)
        ctx.camera.preview_ready.connect(self._on_preview)
        verifier = ctx.face_verifier
        verifier.models_ready.connect(self._on_face_models_ready)
        verifier.frame_feedback.connect(self._on_face_feedback)
        verifier.progress.connect(self._on_face_progress)
        verifier.finished.connect(self._on_face_finished)

    def verify(self, command: s.VerifyFace) -> None:
        self.token = command.token
        if not command.reference_jpeg and command.id_number and self.reference_photo_source is not None:
            self._fetch_reference_photo(command)
            return
        if not command.reference_jpeg:
            # No decoded chip photo (no WLT decoder configured): the platform's
            # photo for this ID would be used here; until then, go to the counter.
            self.session.face_result(command.token, False, "no_reference_face")
            return
        if self.ctx.camera.status().value in UNAVAILABLE:
            self.session.face_result(command.token, False, "camera_unavailable")
            return
        self.view.face_feedback = None
        self.view.face_progress = 0.0
        self.ctx.camera.start()
        face = self.ctx.config.face
        params = FaceCheckParams(
            face.threshold, liveness=self.liveness_enabled(),
            no_face_timeout_s=face.no_face_timeout_s, challenge_timeout_s=face.challenge_timeout_s,
            turn_delta=face.turn_delta, blink_min_closed_s=face.blink_min_closed_s)
        self.ctx.face_verifier.begin(command.reference_jpeg, face.threshold, face.frames_needed,
                                     command.timeout_s, params=params)

    def liveness_enabled(self) -> bool:
        """face.liveness "auto": on with a real camera, off with the simulator's stills."""
        config = self.ctx.config
        setting = config.face.liveness
        return setting == "on" or (setting == "auto" and config.devices.camera.backend != "sim")

    def cancel(self) -> None:
        self.ctx.face_verifier.cancel()
        self.ctx.camera.stop()
        self.view.camera_image = None

    def camera_lost(self) -> None:
        """The camera went away: a running check ends now with a clear message instead of
        letting the citizen wait for the timeout. The session leaves VERIFY_FACE first, so
        the "cancelled" result of the check that follows is ignored there."""
        if self.session.state is not s.State.VERIFY_FACE:
            return
        self.session.face_result(self.token, False, "camera_unavailable")
        self.ctx.face_verifier.cancel()
        self.view.camera_image = None

    def session_ended(self) -> None:
        self.view.camera_image = None
        self.view.face_feedback = None
        self.view.face_progress = 0.0

    def _fetch_reference_photo(self, command: s.VerifyFace) -> None:
        def fetch():
            try:
                return self.reference_photo_source(command.id_number), True
            except Exception as exc:   # the platform did not answer: not "no photo on record"
                log.warning("reference photo lookup failed", extra={"error": type(exc).__name__})
                return None, False
        self.ctx.jobs.run("reference-photo", fetch,
                          lambda result: self._on_reference_photo(command.token, *result, command.timeout_s))

    def _on_reference_photo(self, token: int, photo, answered: bool, timeout_s: float) -> None:
        if token != self.session.token or self.session.state is not s.State.VERIFY_FACE:
            return
        if not answered:
            self.session.face_result(token, False, "reference_unavailable")
            return
        self.verify(s.VerifyFace(token, photo, timeout_s))

    def _on_frame(self, frame) -> None:
        if self._scanning() or self.session.state is not s.State.VERIFY_FACE:
            return
        self.ctx.face_verifier.offer_frame(frame)

    def _on_preview(self, image) -> None:
        # The camera made this QImage on its own thread (BGR->RGB, mirror, scale):
        # shown while the face is checked and while a receipt QR is aimed at the camera.
        # Only the preview repaints; the rest of the window stays as it is.
        if self.session.state is not s.State.VERIFY_FACE and not self._scanning():
            return
        self.view.camera_image = image
        self.ctx.preview_changed()

    def _on_face_progress(self, progress: float) -> None:
        self.view.face_progress = progress
        self.ctx.changed()

    def _on_face_models_ready(self) -> None:
        self.view.face_models_ready = True
        self.ctx.changed()

    def _on_face_feedback(self, feedback: str) -> None:
        if feedback != self.view.face_feedback:
            self.view.face_feedback = feedback
            self.ctx.changed()

    def _on_face_finished(self, result) -> None:
        self.ctx.camera.stop()
        self.view.camera_image = None
        log.info("face check finished", extra={"matched": result.matched, "reason": result.reason,
                                                "distance": result.best_distance, "frames": result.frames_used})
        self.session.face_result(self.token, result.matched, result.reason)
        if self.session.state is s.State.ERROR and self.session.error_key == "face_go_to_counter":
            # Three failed tries: never a fourth; a person comes to help instead.
            log.warning("staff assistance requested", extra={"reason": "face_go_to_counter"})
            self._request_staff_help("face_go_to_counter")
