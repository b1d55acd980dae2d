"""Technician mode through the real kiosk window (pytest-qt, offscreen).

Real parts: the reference platform on 127.0.0.1, the outbox SQLite file, the
simulated devices on their worker threads, scrypt PIN hashing, the lockout file.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from sim.identities import SIM_IDENTITIES
from kiosk.app import build_kiosk
from kiosk.logging_setup import configure_logging
from kiosk.core.pii import mask_id_number
from kiosk.technician_pin import hash_pin
from screens.technician import install_technician_mode
from tests.conftest import kiosk_config

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

PIN = "246813"
PIN_HASH = hash_pin(PIN)


def make_kiosk(qtbot, tmp_path, url, **technician):
    config = kiosk_config(tmp_path, url)
    config = dataclasses.replace(config, technician=dataclasses.replace(
        config.technician, pin_hash=PIN_HASH, **technician))
    log_file = tmp_path / "kiosk.log"
    configure_logging("INFO", log_file, stream=None)
    parts = build_kiosk(config)
    qtbot.addWidget(parts.window)
    parts.window.resize(1280, 800)
    parts.window.show()
    parts.controller.open()
    mode = install_technician_mode(parts.window, parts.controller, config, log_file=log_file)
    return parts, mode


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    made = []

    def factory(**technician):
        parts, mode = make_kiosk(qtbot, tmp_path, platform_server.base_url, **technician)
        made.append(parts)
        return parts, mode
    yield factory
    for parts in made:
        parts.close()
    logging.getLogger().handlers.clear()


def tap(qtbot, window, x, y):
    target = window.childAt(x, y) or window
    qtbot.mouseClick(target, Qt.LeftButton, pos=target.mapFrom(window, QPoint(x, y)))


def click(qtbot, root, name):
    qtbot.waitUntil(lambda: (b := root.findChild(QPushButton, name)) is not None and b.isVisible()
                    and b.isEnabled(), timeout=10_000)
    button = root.findChild(QPushButton, name)
    qtbot.mouseClick(button, Qt.LeftButton, pos=QPoint(button.width() // 2, button.height() // 2))


def enter_pin(qtbot, mode, pin):
    keypad = mode.panel.pin_page.keypad
    for digit in pin:
        keypad.buttons[digit].click()
    click(qtbot, mode.panel, "pinEnter")


def open_pin_pad(qtbot, parts, mode):
    qtbot.waitUntil(lambda: parts.controller.view.catalog_loaded, timeout=10_000)
    for _ in range(5):
        tap(qtbot, parts.window, 20, 20)
    qtbot.waitUntil(lambda: mode.service.state.mode == "pin", timeout=2_000)
    assert mode.panel.pin_page.isVisible()


def test_gesture_needs_five_taps_in_the_corner(qtbot, kiosk):
    parts, mode = kiosk()
    qtbot.waitUntil(lambda: parts.controller.view.catalog_loaded, timeout=10_000)
    for _ in range(4):
        tap(qtbot, parts.window, 20, 20)
    tap(qtbot, parts.window, 600, 400)      # a tap elsewhere resets the count
    tap(qtbot, parts.window, 20, 20)
    qtbot.wait(100)
    assert mode.service.state.mode == "closed"
    assert not mode.panel.isVisible()
    open_pin_pad(qtbot, parts, mode)


def test_wrong_pin_locks_after_five_and_lock_survives_restart(qtbot, kiosk, tmp_path):
    parts, mode = kiosk()
    open_pin_pad(qtbot, parts, mode)
    for attempt in range(1, 6):
        enter_pin(qtbot, mode, "999999")
        qtbot.waitUntil(lambda: "pin" not in mode.service.state.busy and bool(mode.service.state.pin_message), timeout=5_000)
        if attempt < 5:
            assert f"{5 - attempt} attempts left" in mode.service.state.pin_message
            mode.service.state.pin_message = ""
    assert "Locked" in mode.service.state.pin_message
    assert not mode.panel.pin_page.ok_button.isEnabled()
    # Even the right PIN is refused while locked.
    mode.service.submit_pin(PIN)
    qtbot.waitUntil(lambda: "pin" not in mode.service.state.busy, timeout=5_000)
    assert mode.service.state.mode == "pin"
    # A restarted kiosk (new service, same data dir) is still locked.
    parts.close()
    parts2, mode2 = kiosk()
    open_pin_pad(qtbot, parts2, mode2)
    qtbot.waitUntil(lambda: "Locked for another" in mode2.service.state.pin_message, timeout=5_000)
    assert not mode2.panel.pin_page.ok_button.isEnabled()
    assert mode2.service.guard.locked_for_s() > 800
    attempt = mode2.service.guard.attempt(PIN)
    assert attempt.locked and not attempt.accepted


def test_right_pin_opens_board_with_checks_card_test_print_and_exit(qtbot, kiosk):
    parts, mode = kiosk()
    open_pin_pad(qtbot, parts, mode)
    enter_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: mode.service.state.mode == "open", timeout=5_000)
    assert mode.panel.tabs.isVisible()
    # In the kiosk's language (Qt's i18n, context "Technician"): 简体 by default, English when switched.
    assert parts.controller.session.language == "zh_CN"
    assert [mode.panel.tabs.tabText(i) for i in (0, 3)] == ["设备", "打印机"]
    assert mode.panel.findChild(QPushButton, "runChecks").text() == "运行检测"
    parts.window.languages.switch("en")
    mode.panel.render()
    assert [mode.panel.tabs.tabText(i) for i in (0, 3)] == ["Devices", "Printer"]
    service = mode.service
    qtbot.waitUntil(lambda: service.state.report is not None and service.state.queue is not None, timeout=15_000)
    report = service.state.report
    assert report.check("device.id_reader").ok and report.check("device.printer").ok
    assert report.check("platform.http").ok and report.check("platform.heartbeat").ok
    devices_text = mode.panel.boxes["devices"].toPlainText()
    assert "[OK] device.camera" in devices_text
    assert "software version: 0.9.0" in mode.panel.boxes["about"].toPlainText()
    # OTA updates (docs/updates.md): off in this configuration, and said so.
    assert "[OK] update: updates off" in mode.panel.boxes["about"].toPlainText()

    # Card test: fields shown masked, never the full number or name.
    card = SIM_IDENTITIES["elderly"].document()
    mode.panel.tabs.setCurrentIndex(1)
    click(qtbot, mode.panel, "cardTest")
    qtbot.waitUntil(lambda: bool(service.state.card_test) and "id_number" in service.state.card_test, timeout=10_000)
    card_text = mode.panel.boxes["card"].toPlainText()
    assert mask_id_number(card.id_number) in card_text
    assert card.id_number not in card_text and card.name not in card_text

    # Catalog tab: the version the platform served, and when it was synced.
    served = json.loads((REPO / "reference_platform" / "catalog.json").read_text(encoding="utf-8"))["version"]
    assert f"version {served}, last sync" in mode.panel.boxes["catalog"].toPlainText()

    # Camera preview: frames with a face box, and the frame rate. The boxes come from the face
    # worker process (dlib in this process would hold the GIL and stall the GUI).
    detections = []
    parts.controller.face_verifier.faces_detected.connect(detections.append)
    mode.panel.tabs.setCurrentIndex(2)
    click(qtbot, mode.panel, "cameraStart")
    qtbot.waitUntil(lambda: service.state.camera_image is not None and service.state.camera_faces >= 1,
                    timeout=30_000)
    assert service.state.camera_fps > 0
    assert detections and len(detections[-1]) >= 1
    left, top, right, bottom = detections[-1][0]
    assert 0 <= left < right and 0 <= top < bottom
    assert mode.panel.camera_label.pixmap() is not None and not mode.panel.camera_label.pixmap().isNull()
    click(qtbot, mode.panel, "cameraStop")

    # Test print reaches the (simulated) printer; the counter moves.
    mode.panel.tabs.setCurrentIndex(3)
    click(qtbot, mode.panel, "testPrint")
    qtbot.waitUntil(lambda: service.state.print_test == "printed", timeout=10_000)
    assert service.state.counters["printer"]["printed"] == 1

    # Paper runs out on the next receipt; after the roll is changed the technician reprints it:
    # "Reprint last" takes the newest *failed* receipt, and the journal list shows the reprint.
    printer = parts.controller.printer
    printer._scenario = "paper_out"
    click(qtbot, mode.panel, "testPrint")
    qtbot.waitUntil(lambda: service.state.print_test == "failed: paper_out", timeout=10_000)
    failed_number = printer.journal_entries()[0].application_number
    printer._scenario = "ok"
    click(qtbot, mode.panel, "testPrint")                       # a newer receipt that printed fine
    qtbot.waitUntil(lambda: service.state.print_test == "printed", timeout=10_000)
    click(qtbot, mode.panel, "reprintLast")
    qtbot.waitUntil(lambda: service.state.reprint == f"printed {failed_number}", timeout=10_000)
    qtbot.waitUntil(lambda: any(e.reprints == 1 for e in service.state.receipts), timeout=10_000)
    reprinted = [e for e in service.state.receipts if e.reprints == 1]
    assert [e.application_number for e in reprinted] == [failed_number]
    printer_text = mode.panel.boxes["printer"].toPlainText()
    assert f"{failed_number}  printed, reprinted ×1" in printer_text       # the reprint succeeded
    assert service.state.counters["printer"]["printed"] == 3

    # Exiting the application is possible from here (and only from here).
    exits = []
    service.exit_requested.connect(lambda: exits.append(True))
    mode.panel.tabs.setCurrentIndex(8)
    click(qtbot, mode.panel, "exitKiosk")
    assert exits == [True]
    click(qtbot, mode.panel, "technicianClose")
    assert service.state.mode == "closed" and not mode.panel.isVisible()
    assert all(not box.toPlainText() for box in mode.panel.boxes.values())


def test_exit_is_refused_outside_technician_mode(qtbot, kiosk):
    parts, mode = kiosk()
    exits = []
    mode.service.exit_requested.connect(lambda: exits.append(True))
    mode.service.quit_kiosk()
    assert exits == []


def test_idle_technician_mode_closes_itself(qtbot, kiosk):
    parts, mode = kiosk(idle_exit_s=0.5)
    open_pin_pad(qtbot, parts, mode)
    qtbot.waitUntil(lambda: mode.service.state.mode == "closed", timeout=3_000)
    assert not mode.panel.isVisible()


def test_gesture_ignored_mid_session(qtbot, kiosk):
    parts, mode = kiosk()
    qtbot.waitUntil(lambda: parts.controller.view.catalog_loaded, timeout=10_000)
    parts.controller.start()
    for _ in range(5):
        tap(qtbot, parts.window, 20, 20)
    qtbot.wait(100)
    assert mode.service.state.mode == "closed"


def test_outbox_tab_shows_dead_letters_and_retry_revives_them(qtbot, kiosk):
    import time
    from offline_cache.outbox import Submission
    parts, mode = kiosk()
    parts.controller.sync_worker.stop()        # keep the entry where the test puts it
    outbox = parts.outbox
    outbox.enqueue(Submission("0b9f3a57-3f1c-4a36-9d61-8b3c0c8a0d11", "rating",
                              {"rating_id": "0b9f3a57-3f1c-4a36-9d61-8b3c0c8a0d11"}, time.time()))
    outbox.mark_dead("0b9f3a57-3f1c-4a36-9d61-8b3c0c8a0d11", "http_422:invalid_request")
    open_pin_pad(qtbot, parts, mode)
    enter_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: mode.service.state.queue is not None, timeout=10_000)
    text = mode.panel.boxes["outbox"].toPlainText()
    assert "dead 1" in text and "http_422:invalid_request" in text
    mode.panel.tabs.setCurrentIndex(5)
    click(qtbot, mode.panel, "queueRetry")
    qtbot.waitUntil(lambda: "queued again" in mode.service.state.message, timeout=10_000)
    assert mode.service.state.message.startswith("1 ")
    assert outbox.entry("0b9f3a57-3f1c-4a36-9d61-8b3c0c8a0d11").state == "pending"
    click(qtbot, mode.panel, "queueExport")
    qtbot.waitUntil(lambda: "exported to" in mode.service.state.message, timeout=10_000)
    exported = list((parts.config.data_dir / "exports").glob("outbox-*.jsonl"))
    assert len(exported) == 1 and "0b9f3a57-3f1c-4a36-9d61-8b3c0c8a0d11" in exported[0].read_text()


def test_log_tab_shows_masked_lines_and_exports_them(qtbot, kiosk):
    parts, mode = kiosk()
    logging.getLogger("kiosk.test").info("citizen 440101199001011234 phone 13812345678")
    open_pin_pad(qtbot, parts, mode)
    enter_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: any("kiosk.test" in line for line in mode.service.state.log_lines), timeout=10_000)
    text = mode.panel.boxes["logs"].toPlainText()
    assert "4401**********1234" in text and "138****5678" in text
    assert "440101199001011234" not in text and "13812345678" not in text
    mode.panel.tabs.setCurrentIndex(7)
    click(qtbot, mode.panel, "logsExport")
    qtbot.waitUntil(lambda: "exported to" in mode.service.state.message, timeout=10_000)
    exported = list((parts.config.data_dir / "exports").glob("kiosk-log-*.jsonl"))
    assert len(exported) == 1
    content = exported[0].read_text()
    assert "4401**********1234" in content and "440101199001011234" not in content


def test_scanner_tab_decodes_what_the_camera_shows_with_format_and_timing(qtbot, kiosk):
    """Barcode-reader test (issue 16): the code held up to the camera, its format and decode time;
    an identity code's content is not shown (a bearer token)."""
    from sim.code_scenes import code_scene
    parts, mode = kiosk()
    open_pin_pad(qtbot, parts, mode)
    enter_pin(qtbot, mode, PIN)
    qtbot.waitUntil(lambda: mode.service.state.mode == "open", timeout=5_000)
    code = "GDID1.eyJ2IjoxLCJqdGkiOiJhYmNkZWYwMTIzNDU2Nzg5In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc"
    parts.controller.camera.show(code_scene(code, "qr", degradation="rotation", seed=1))
    mode.panel.tabs.setCurrentIndex(mode.panel.tabs.indexOf(mode.panel.pages["scanner"]))
    click(qtbot, mode.panel, "scannerStart")
    qtbot.waitUntil(lambda: "QRCode" in mode.service.state.scanner_text, timeout=15_000)
    text = mode.panel.boxes["scanner"].toPlainText()
    assert "identity" in text and "decode" in text and " ms" in text and code not in text
    click(qtbot, mode.panel, "scannerStop")
    assert not mode.service.scanner.running


def test_payments_tab_shows_pending_and_resolves_them(qtbot, kiosk, platform_server):
    """统一支付: an unfinished payment of an earlier run (order never created) is pending, then resolved."""
    parts, mode = kiosk()
    journal = parts.controller.payment.journal
    journal.begin("6a1c1f1e-7e55-4d0e-9d8f-6f2d8e0c9a01", parts.config.kiosk.id, "real-estate-records-copy",
                  2500, {"application_id": "6a1c1f1e-7e55-4d0e-9d8f-6f2d8e0c9a01"})
    journal.note("6a1c1f1e-7e55-4d0e-9d8f-6f2d8e0c9a01", last_error="connection_error")
    open_pin_pad(qtbot, parts, mode)
    enter_pin(qtbot, mode, PIN)
    mode.panel.tabs.setCurrentIndex(mode.panel.tabs.indexOf(mode.panel.pages["payments"]))
    click(qtbot, mode.panel, "paymentsRefresh")
    qtbot.waitUntil(lambda: "pending (unresolved): 1" in mode.panel.boxes["payments"].toPlainText(), timeout=10_000)
    assert "connection_error" in mode.panel.boxes["payments"].toPlainText()
    click(qtbot, mode.panel, "paymentsResolve")
    qtbot.waitUntil(lambda: "pending (unresolved): 0" in mode.panel.boxes["payments"].toPlainText(), timeout=10_000)
