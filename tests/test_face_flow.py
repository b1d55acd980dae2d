"""The face step inside a real session: controller + session + sim devices + the
real face worker, without the window. Faults end with the citizen-facing error
key the screens turn into a clear message and a way forward."""
from __future__ import annotations

import pytest

from kiosk.app import build_kiosk
from kiosk.core.session import State
from tests.conftest import kiosk_config

pytestmark = pytest.mark.slow


@pytest.fixture
def make_kiosk(qtbot, tmp_path, platform_server):
    made = []

    def make(**overrides):
        parts = build_kiosk(kiosk_config(tmp_path, platform_server.base_url, **overrides), with_window=False)
        parts.controller.open()
        made.append(parts)
        qtbot.waitUntil(lambda: parts.controller.view.catalog_loaded, timeout=10_000)
        return parts.controller

    yield make
    for parts in made:
        parts.close()


def start_face_step(qtbot, controller):
    session = controller.session
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    qtbot.waitUntil(lambda: session.state is State.VERIFY_FACE, timeout=10_000)
    return session


@pytest.mark.faults
def test_camera_gone_mid_verification(qtbot, make_kiosk):
    # threshold 0.2 and 50 frames: the check is still running when the camera goes.
    controller = make_kiosk(face={"engines": {"sface": {"threshold": 0.2}}, "frames_needed": 50},
                            devices={"camera": {"backend": "sim", "fps": 10, "scenario": "unplug_after"}})
    session = start_face_step(qtbot, controller)
    qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=60_000)
    assert session.error_key == "face_camera_unavailable"
    assert session.error_retry is not None            # "Try again" once the camera is back
    assert controller.view.camera_image is None       # the citizen's picture is gone from the view


def test_three_failed_attempts_go_to_the_counter(qtbot, make_kiosk):
    """An impostor (threshold 0.2 makes the genuine sample fail) gets three tries, never more."""
    controller = make_kiosk(face={"engines": {"sface": {"threshold": 0.2}}, "frames_needed": 2})
    help_calls = []
    controller.staff_help_requested.connect(help_calls.append)
    session = start_face_step(qtbot, controller)
    for attempt in (1, 2):
        qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=60_000)
        assert session.error_key == "face_not_matched", attempt
        assert help_calls == []
        session.retry()
        assert session.state is State.VERIFY_FACE
    qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=60_000)
    assert session.error_key == "face_go_to_counter" and session.error_retry is None
    assert help_calls == ["face_go_to_counter"]


def test_genuine_holder_reaches_the_form_and_the_preview_is_wiped(qtbot, make_kiosk):
    controller = make_kiosk()
    session = start_face_step(qtbot, controller)
    qtbot.waitUntil(lambda: controller.view.camera_image is not None or session.state is State.FORM,
                    timeout=60_000)
    qtbot.waitUntil(lambda: session.state is State.FORM, timeout=60_000)
    assert controller.view.camera_image is None
    session.cancel()
    assert session.document is None and controller.view.face_feedback is None
