""""Please take your card": a card left on a (non-motorised) reader when the session
ends is shown on the idle screen until the reader reports it gone. Real SAM driver
against its simulator process on a pseudo-terminal."""
import logging

import pytest

from kiosk.core.session import State
from screens.texts import tr
from tests.ux_helpers import make_kiosk, start_service, wait_state

REMINDER = "Please take your ID card from the reader."


@pytest.mark.slow
def test_card_left_on_the_reader_is_reminded_until_taken(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"id_reader": {"backend": "sam_sim", "identity": "young"},
                                "camera": {"backend": "sim", "fps": 10},
                                "printer": {"backend": "sim"}})
    try:
        controller, window = parts.controller, parts.window
        reader = controller.id_reader
        start_service(qtbot, parts, "queue-ticket")               # card only, no face step
        wait_state(qtbot, controller.session, State.FORM)
        assert reader.media_status() == "present"
        idle_notice = window.screens[State.IDLE].notice
        reminder = tr(REMINDER)
        assert reminder == "请取走读卡器上的证件。"               # the kiosk's default language
        assert reminder not in idle_notice.text()

        controller.cancel()                                        # the citizen walks away
        wait_state(qtbot, controller.session, State.IDLE)
        qtbot.waitUntil(lambda: reminder in idle_notice.text(), timeout=5_000)

        reader.simulator.present(False)                            # ...and comes back for the card
        qtbot.waitUntil(lambda: reader.media_status() == "notPresent", timeout=10_000)
        qtbot.waitUntil(lambda: reminder not in idle_notice.text(), timeout=5_000)
        assert not controller.view.card_left_on_reader
    finally:
        parts.close()
        logging.getLogger().handlers.clear()
