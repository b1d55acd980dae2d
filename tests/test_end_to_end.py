"""A whole elderly-allowance session through the real screens.

Real parts: the reference platform over HTTP on 127.0.0.1, the outbox in a
real SQLite file, the simulated card reader/camera/printer on their worker
threads, face matching with the real dlib models in the worker process.
"""
from __future__ import annotations

import gc
import logging

import pytest
from PySide6.QtCore import Qt

from sim.identities import SIM_IDENTITIES
from kiosk.app import build_kiosk
from kiosk.logging_setup import configure_logging
from kiosk.core.pii import mask_id_number
from kiosk.core.session import State
from tests.conftest import kiosk_config
from tests.ux_helpers import click, wait_state

pytestmark = pytest.mark.slow

PHONE = "13812345678"


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    config = kiosk_config(tmp_path, platform_server.base_url)
    log_file = tmp_path / "kiosk.log"
    configure_logging("DEBUG", log_file, stream=None)
    parts = build_kiosk(config)
    qtbot.addWidget(parts.window)
    parts.window.resize(1280, 800)
    parts.window.show()
    parts.controller.open()
    yield parts, log_file
    parts.close()
    logging.getLogger().handlers.clear()


def test_elderly_allowance_end_to_end(qtbot, kiosk, platform_server):
    parts, log_file = kiosk
    window, controller = parts.window, parts.controller
    session = controller.session
    card = SIM_IDENTITIES["elderly"].document()

    qtbot.waitUntil(lambda: controller.view.catalog_loaded, timeout=10_000)
    window.screens[State.IDLE].start_button.click()
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    click(qtbot, window, "service-elderly-allowance")
    wait_state(qtbot, session, State.SERVICE_INFO)
    click(qtbot, window, "beginService")
    wait_state(qtbot, session, State.FORM, timeout_ms=90_000)   # card read + face match (models load once)

    form = window.screens[State.FORM]
    assert form.inputs["name"].text() == card.name and form.inputs["name"].isReadOnly()
    assert form.inputs["id_number"].text() == mask_id_number(card.id_number)   # masked on a public screen
    for digit in PHONE:
        qtbot.mouseClick(form.keypad.buttons[digit], Qt.LeftButton)
    assert session.form_values["phone"] == PHONE
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)

    number = session.outcome.application_number
    assert number and number.startswith("GD") and not session.outcome.queued_offline
    applications = platform_server.store.applications()
    assert len(applications) == 1
    assert platform_server.store.application_count(id_number=card.id_number) == 1
    assert number.encode("ascii") in controller.printer.all_bytes
    assert window.screens[State.RECEIPT].number.text() == number

    click(qtbot, window, "receiptDone")
    wait_state(qtbot, session, State.RATE)
    click(qtbot, window, "rate-satisfied")
    click(qtbot, window, "rateSend")
    wait_state(qtbot, session, State.IDLE)
    qtbot.waitUntil(lambda: len(platform_server.store.ratings()) == 1, timeout=10_000)
    rating = platform_server.store.ratings()[0]
    assert rating["level"] == "satisfied"

    # Nothing personal is left: not in any widget, not in the session, not in the logs.
    qtbot.wait(200)
    gc.collect()
    texts = "\n".join(window.visible_texts())
    session_state = repr(vars(session)) + repr(vars(controller.view))
    logs = log_file.read_text(encoding="utf-8")
    assert logs, "the kiosk wrote no log lines at all"
    for secret in (card.name, card.id_number, PHONE):
        assert secret not in texts
        assert secret not in session_state
        assert secret not in logs
    assert session.document is None and session.outcome is None and session.form_values == {}
    assert controller.view.camera_image is None


@pytest.mark.faults
def test_platform_down_gives_offline_receipt_then_delivers_once(qtbot, tmp_path, platform_server):
    """Network gone after start-up: the application is saved, the receipt says so, and it is
    delivered exactly once when the platform comes back."""
    config = kiosk_config(tmp_path, platform_server.base_url, platform={"submit_wait_s": 1.5})
    parts = build_kiosk(config)
    qtbot.addWidget(parts.window)
    parts.window.show()
    parts.controller.open()
    try:
        window, controller, session = parts.window, parts.controller, parts.controller.session
        card = SIM_IDENTITIES["elderly"].document()
        qtbot.waitUntil(lambda: controller.view.catalog_loaded, timeout=10_000)
        platform_server.stop()                                  # the link drops
        window.screens[State.IDLE].start_button.click()
        click(qtbot, window, "service-elderly-allowance")
        click(qtbot, window, "beginService")
        wait_state(qtbot, session, State.FORM, timeout_ms=90_000)
        for digit in PHONE:
            qtbot.mouseClick(window.screens[State.FORM].keypad.buttons[digit], Qt.LeftButton)
        click(qtbot, window, "formNext")
        click(qtbot, window, "confirmSubmit")
        wait_state(qtbot, session, State.RECEIPT)
        assert session.outcome.queued_offline and session.outcome.application_number is None
        qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
        reference = session.outcome.application_id[:8].upper()
        assert reference.encode() in controller.printer.all_bytes
        assert parts.outbox.stats().pending == 1
        click(qtbot, window, "receiptDone")
        click(qtbot, window, "rateSkip")
        wait_state(qtbot, session, State.IDLE)

        platform_server.start()                                 # the link is back (same port, same DB)
        parts.controller.sync_worker.kick()
        qtbot.waitUntil(lambda: platform_server.store.application_count(id_number=card.id_number) == 1
                        and len(platform_server.store.ratings()) == 1, timeout=30_000)
        qtbot.wait(500)
        assert platform_server.store.application_count() == 1
        assert parts.outbox.stats().pending == 0
    finally:
        parts.close()
