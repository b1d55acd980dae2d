"""The technician's document-camera test (issue 16): the live picture with the detected page
outline and the measures behind the citizen's guidance, through the real window."""
from __future__ import annotations

import numpy as np
import pytest

from sim.documents import camera_view, material_page
from tests.test_technician_mode import PIN, click, enter_pin, kiosk, open_pin_pad  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


def test_document_camera_tab_shows_outline_measures_and_ocr_status(qtbot, kiosk):  # noqa: F811
    parts, mode = kiosk()
    open_pin_pad(qtbot, parts, mode)
    enter_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: mode.service.state.mode == "open", timeout=5_000)
    page = material_page("Test page", ["line one", "line two"])
    camera = parts.controller.camera
    camera.show(camera_view(page, np.random.default_rng(2), fill=0.86, angle_deg=5.0))
    mode.panel.tabs.setCurrentWidget(mode.panel.pages["document_camera"])
    click(qtbot, mode.panel, "documentCameraStart")
    box = mode.panel.boxes["document_camera"]
    qtbot.waitUntil(lambda: "guidance: ok" in box.toPlainText(), timeout=10_000)
    text = box.toPlainText()
    assert "page outline: found" in text and "MRZ reader: tesseract 5" in text
    assert not mode.panel.document_label.pixmap().isNull()
    camera.show(camera_view(page, np.random.default_rng(2), fill=0.86, angle_deg=5.0, glare=True))
    qtbot.waitUntil(lambda: "guidance: glare" in box.toPlainText(), timeout=10_000)
    click(qtbot, mode.panel, "documentCameraStop")
    assert mode.service.state.document_image is None
    camera.show(None)
