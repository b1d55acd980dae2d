"""Paper by camera through the whole kiosk: the real screens, the simulated camera showing
rendered pages (SimCamera.show), the real OpenCV page checks and compression on the
document-camera worker, the real outbox (SQLite + encrypted spool) and the reference
platform over HTTP on loopback.

* two pages of the household register scanned into an elderly-allowance application, one
  retaken after a "too dark" frame; saved while the platform is down (the pages sit in the
  outbox encrypted: no page byte readable anywhere on disk), delivered once when it is back,
  and nothing left in the session, the view or the screens afterwards;
* the MRZ camera on the passport screen with a photo page whose check digits are wrong: not
  used, the citizen is told why and types instead.
"""
from __future__ import annotations

import datetime as dt
import os
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from kiosk.core.session import State
from sim.documents import camera_view, demo_material_pages, passport_page, random_td3
from tests.test_ux_screens import walk_combinations
from tests.ux_helpers import click, make_kiosk, start_service, type_keys, wait_state

pytestmark = pytest.mark.slow

FAST = {"idle_s": 120.0, "card_read_s": 4.0}


def camera_pages():
    rng = np.random.default_rng(16)
    return [camera_view(page, rng, fill=0.86, angle_deg=angle, tilt=0.04, blur=0.5)
            for page, angle in zip(demo_material_pages(), (4.0, -6.0))]


def files_under(folder):
    for root, _dirs, names in os.walk(folder):
        for name in names:
            yield os.path.join(root, name)


@pytest.mark.faults
def test_two_scanned_pages_reach_the_platform_through_the_encrypted_outbox(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, timeouts=FAST,
                       platform={"submit_wait_s": 1.0}, documents={"page_target_kb": 200})
    try:
        window, controller, session = parts.window, parts.controller, parts.controller.session
        camera = controller.camera
        start_service(qtbot, parts, "elderly-allowance")
        wait_state(qtbot, session, State.FORM, timeout_ms=30_000)
        type_keys(qtbot, window.screens[State.FORM].keypad, "13812345678")
        click(qtbot, window, "formNext")
        wait_state(qtbot, session, State.CONFIRM)
        click(qtbot, window, "openDocuments")
        wait_state(qtbot, session, State.SCAN_DOCUMENTS)
        screen = window.screens[State.SCAN_DOCUMENTS]

        page1, page2 = camera_pages()
        camera.show((page1 * 0.25).astype(np.uint8))                       # a dim corner of the hall
        qtbot.waitUntil(lambda: controller.view.document_guidance == "too_dark", timeout=10_000)
        assert "Too dark" in screen.guidance.text() or "太暗" in screen.guidance.text()
        camera.show(page1)
        qtbot.waitUntil(lambda: controller.view.document_guidance is None and controller.view.document_image
                        is not None, timeout=10_000)
        click(qtbot, window, "capturePage")
        qtbot.waitUntil(lambda: session.page_count == 1, timeout=10_000)
        camera.show(page2)
        qtbot.waitUntil(lambda: controller.view.document_guidance is None, timeout=10_000)
        click(qtbot, window, "capturePage")
        qtbot.waitUntil(lambda: session.page_count == 2, timeout=10_000)
        assert len(screen.retake_buttons) == 2
        problems: list[str] = []
        walk_combinations(qtbot, parts, "scan_documents", problems)      # 3 languages x care mode
        assert not problems, problems
        click(qtbot, window, "retake-household_register-1")                 # seen on the preview: again
        assert session.page_count == 1
        click(qtbot, window, "capturePage")
        qtbot.waitUntil(lambda: session.page_count == 2, timeout=10_000)
        pages = [page.data for page in session.pages_of("household_register")]
        assert all(p.startswith(b"\xff\xd8\xff") and len(p) <= 200 * 1024 for p in pages)
        assert len(controller.documents.worker.threads_seen) == 1
        assert threading.current_thread().name not in controller.documents.worker.threads_seen
        click(qtbot, window, "documentsDone")
        wait_state(qtbot, session, State.CONFIRM)

        platform_server.stop()                                              # the link drops
        click(qtbot, window, "confirmSubmit")
        wait_state(qtbot, session, State.RECEIPT, timeout_ms=30_000)
        assert session.outcome.queued_offline
        qtbot.waitUntil(lambda: parts.outbox.stats().pending == 1, timeout=10_000)   # the failed try ends
        # At rest, the pages exist only encrypted (sealed row + spool files): no page's bytes on disk.
        data_dir = parts.config.data_dir
        stored = [open(path, "rb").read() for path in files_under(data_dir)]
        assert any(path.endswith(".att") for path in files_under(data_dir))   # spooled, not inlined
        for page in pages:
            for chunk in (page[:64], page[len(page) // 2: len(page) // 2 + 64], page[-64:]):
                assert not any(chunk in blob for blob in stored)
        click(qtbot, window, "receiptDone")
        click(qtbot, window, "rateSkip")
        wait_state(qtbot, session, State.IDLE)
        assert session.page_count == 0 and controller.view.document_image is None
        assert not screen.retake_buttons and screen.preview.pixmap().isNull()

        platform_server.start()                                             # back: delivered once
        controller.sync_worker.kick()
        qtbot.waitUntil(lambda: platform_server.store.application_count() == 1
                        and parts.outbox.stats().pending == 0, timeout=30_000)
        application = platform_server.store.applications()[0]
        received = platform_server.store.attachments(application["application_id"])
        assert [(a["name"], a["content_type"]) for a in received] == [
            ("household_register-p1.jpg", "image/jpeg"), ("household_register-p2.jpg", "image/jpeg")]
        assert [bytes(a["data"]) for a in received] == pages
        assert not any(path.endswith(".att") for path in files_under(data_dir))   # delivered: spool emptied
    finally:
        parts.close()


@pytest.mark.faults
def test_mrz_with_wrong_check_digits_is_not_used_and_typing_takes_over(qtbot, tmp_path, platform_server):
    """The ID reader reports a passport (mrz_required); the camera sees a photo page whose
    expiry check digit is wrong: the key is not used and the citizen is told to type."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, timeouts={"idle_s": 120.0, "card_read_s": 30.0},
                       devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 30.0},
                                "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"}})
    try:
        window, controller, session = parts.window, parts.controller, parts.controller.session
        start_service(qtbot, parts, "queue-ticket")
        wait_state(qtbot, session, State.IDENTIFY)
        controller.id_reader.cancel()
        session.card_failed(session.token, "mrz_required")            # what the PC/SC reader reports
        wait_state(qtbot, session, State.MRZ_ENTRY)
        td3 = random_td3(np.random.default_rng(43), today=dt.date(2026, 12, 3))   # the same MRZ every day
        e = 44 + 27
        forged = td3.mrz[:e] + str((int(td3.mrz[e]) + 1) % 10) + td3.mrz[e + 1:]
        controller.camera.show(camera_view(passport_page(forged), np.random.default_rng(1), fill=0.85,
                                           angle_deg=-5.0, blur=0.5))
        click(qtbot, window, "mrzCamera")
        assert session.mrz_scanning
        qtbot.waitUntil(lambda: not session.mrz_scanning, timeout=30_000)   # 3 frames that do not add up
        assert session.state is State.MRZ_ENTRY and session.mrz_error == "mrz_camera_check_digits"
        screen = window.screens[State.MRZ_ENTRY]
        QApplication.processEvents()
        assert "check digits" in screen.error.text() or "校验位" in screen.error.text()
        assert screen.submit_button.isEnabled() and session.mrz_attempts == 0
        problems: list[str] = []
        walk_combinations(qtbot, parts, "mrz_entry_camera_failed", problems)
        assert not problems, problems
        assert controller.view.document_image is None
    finally:
        parts.close()


def test_a_missing_document_camera_sends_the_citizen_to_typing(qtbot, tmp_path, platform_server):
    """`[documents] camera_device` names a second camera; when it is not there the MRZ step says
    "camera not available" at once and typing goes on (the main camera is left alone)."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, documents={"camera_device": "/dev/video-missing"},
                       devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 30.0},
                                "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"}})
    try:
        controller, session = parts.controller, parts.controller.session
        assert controller.documents.camera is controller.document_camera is not controller.camera
        qtbot.waitUntil(lambda: controller.document_camera.status().value == "noDevice", timeout=10_000)
        start_service(qtbot, parts, "queue-ticket")
        wait_state(qtbot, session, State.IDENTIFY)
        controller.id_reader.cancel()
        session.card_failed(session.token, "mrz_required")
        click(qtbot, parts.window, "mrzCamera")
        assert session.mrz_error == "mrz_camera_unavailable" and not session.mrz_scanning
        assert session.state is State.MRZ_ENTRY
    finally:
        parts.close()


def test_frames_are_checked_in_the_helper_process_with_the_same_result():
    """kiosk.flows.documents.page_checker: the check, the preview and the taken page come back
    from the helper process exactly as check_frame gives them in-process."""
    import os

    import numpy as np

    from kiosk.document_capture import PageFormat, Thresholds, check_frame
    from kiosk.flows.documents import PREVIEW_WIDTH, THUMBNAIL_HEIGHT, page_checker
    from sim.documents import camera_view, material_page
    frame = camera_view(material_page("户口簿", ["户主页", "户号 123456"], 1), np.random.default_rng(3), fill=0.9, angle_deg=5.0)
    page = PageFormat(1600, 400 * 1024, "jpeg", THUMBNAIL_HEIGHT)
    here = check_frame(frame, Thresholds(), PREVIEW_WIDTH, page)
    there = page_checker.run(check_frame, frame, Thresholds(), PREVIEW_WIDTH, page)
    assert here[0].ok and there[0].ok and here[0].guidance == there[0].guidance
    assert np.array_equal(here[0].corners, there[0].corners)
    assert np.array_equal(here[1], there[1]) and here[1].shape[1] == PREVIEW_WIDTH
    assert here[2] is not None and here[2] == there[2] and here[2][0][:3] == b"\xff\xd8\xff"
    assert page_checker.pid() != os.getpid()
