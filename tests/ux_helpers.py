"""Shared pieces of the citizen-service UI tests.

`InstantFaceVerifier` stands in for the face-matching process in these tests
only: they are about the service flows (catalog, forms, bundles, queries,
ratings), and the real dlib models on real photos are exercised by
tests/test_face_verification.py and tests/test_end_to_end.py. It has the
same signals and methods as kiosk.face_verification.FaceVerifier and answers
"matched" only when it was given a reference photo, so a flow that forgets the
reference still fails.
"""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QPushButton

from kiosk.app import build_kiosk
from kiosk.core.session import State
from tests.conftest import kiosk_config


class InstantFaceVerifier(QObject):
    models_ready = Signal()
    frame_feedback = Signal(str)
    progress = Signal(float)
    finished = Signal(object)
    faces_detected = Signal(object)

    def __init__(self, hold: bool = False):
        super().__init__()
        self.references: list[bytes] = []
        self.hold = hold            # keep the face step on screen until release()
        self._pending = None

    def start(self) -> None:
        QTimer.singleShot(0, self.models_ready.emit)

    def begin(self, reference_jpeg, threshold, frames_needed, timeout_s, params=None) -> None:
        from kiosk.face_verification import FaceCheckResult
        self.references.append(reference_jpeg)
        matched = bool(reference_jpeg)
        result = FaceCheckResult(matched=matched, best_distance=0.3 if matched else None, frames_used=1,
                                 reason="matched" if matched else "no_reference_face")
        if self.hold:
            self._pending = result
        else:
            QTimer.singleShot(50, lambda: self.finished.emit(result))

    def detect_faces(self, frame_bgr) -> bool:
        return False                # no models here: the technician preview shows no boxes

    def is_ready(self) -> bool:
        return True

    def worker_info(self) -> dict:
        return {"engine": "instant", "metric": "none", "blink": False}

    def unavailable_reason(self) -> str:
        return ""

    def release(self) -> None:
        result, self._pending = self._pending, None
        if result is not None:
            self.finished.emit(result)

    def offer_frame(self, frame) -> None:
        pass

    def cancel(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


def make_kiosk(qtbot, tmp_path, platform_url, size=(1920, 1080), face_verifier=None, **overrides):
    config = kiosk_config(tmp_path, platform_url, **overrides)
    parts = build_kiosk(config, face_verifier=face_verifier or InstantFaceVerifier())
    qtbot.addWidget(parts.window)
    parts.window.resize(*size)
    parts.window.show()
    parts.controller.open()
    qtbot.waitUntil(lambda: parts.controller.view.catalog_loaded, timeout=10_000)
    return parts


@pytest.fixture
def ux_kiosk(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    yield parts
    parts.close()
    logging.getLogger().handlers.clear()


def click(qtbot, window, object_name: str) -> None:
    qtbot.waitUntil(lambda: (b := window.findChild(QPushButton, object_name)) is not None
                    and b.isVisible() and b.isEnabled(), timeout=10_000)
    button = window.findChild(QPushButton, object_name)
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def wait_state(qtbot, session, state: State, timeout_ms: int = 20_000) -> None:
    def reached():
        assert session.state is not State.ERROR, f"error screen: {session.error_key}"
        return session.state is state
    qtbot.waitUntil(reached, timeout=timeout_ms)


def type_keys(qtbot, keypad, text: str) -> None:
    for key in text:
        qtbot.mouseClick(keypad.buttons[key], Qt.LeftButton)


def start_service(qtbot, parts, service_id: str) -> None:
    window, session = parts.window, parts.controller.session
    qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    qtbot.waitUntil(lambda: window.screens[State.CHOOSE_SERVICE].reveal(service_id), timeout=10_000)
    click(qtbot, window, f"service-{service_id}")
    wait_state(qtbot, session, State.SERVICE_INFO)
    click(qtbot, window, "beginService")
