"""A passport at the kiosk, end to end: the real screens, the real PcscIdReader through a
real pcscd with the vpcd reader, and a virtual ICAO 9303 passport whose chip opens only
with the key from its MRZ (BAC). The citizen types the data on our keyboard; a wrong
entry is refused by the chip itself and asked again."""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QPoint, Qt

from sim.id_reader.pcsc_rig import DEMO_PASSPORT_NUMBER
from kiosk.core.identity import CardType
from kiosk.core.session import State
from tests.pcsc_fixtures import READER, pcscd_daemon  # noqa: F401  (fixture)
from tests.ux_helpers import click, make_kiosk, start_service, wait_state

# One pcscd and one vpcd port (35963) per machine: the PC/SC tests run on their own, one at a time
# (scripts/test.sh runs them after the parallel part).
pytestmark = [pytest.mark.slow, pytest.mark.pcsc]

PASSPORT_READER = {"backend": "pcsc_sim", "sim_card": "emrtd", "identity": "young", "reader_filter": READER}


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton, pos=QPoint(widget.width() // 2, widget.height() // 2))


def type_mrz(qtbot, screen, number: str, birth: str, expiry: str) -> None:
    """As a citizen does it: tap a field, type on the on-screen keyboard."""
    for key, text in (("document_number", number), ("birth_date", birth), ("expiry_date", expiry)):
        field = screen.fields[key]
        tap(qtbot, field)
        screen.keyboard.buttons["✕"].click()                       # clear what is there
        for character in text:
            screen.keyboard.buttons[character].click()
        assert field.text() == text


def test_passport_holder_types_the_mrz_data_and_gets_a_queue_ticket(qtbot, tmp_path, platform_server,
                                                                     pcscd_daemon, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"id_reader": PASSPORT_READER, "camera": {"backend": "sim", "fps": 10},
                                "printer": {"backend": "sim"}})
    try:
        window, session, reader = parts.window, parts.controller.session, parts.controller.id_reader
        number, birth, expiry = reader.demo_mrz_key()
        assert number == DEMO_PASSPORT_NUMBER
        start_service(qtbot, parts, "queue-ticket")
        # The chip does not answer without the key: the kiosk asks for the photo-page data.
        wait_state(qtbot, session, State.MRZ_ENTRY, timeout_ms=20_000)
        screen = window.screens[State.MRZ_ENTRY]
        assert window.stack.currentWidget() is screen and not screen.error.text()

        # A typo in the expiry date: the chip refuses the key (BAC), the citizen is asked again.
        wrong_expiry = expiry[:-1] + str((int(expiry[-1]) + 1) % 10)
        type_mrz(qtbot, screen, number, birth, wrong_expiry)
        click(qtbot, window, "mrzSubmit")
        qtbot.waitUntil(lambda: session.state is State.MRZ_ENTRY and session.mrz_error == "mrz_mismatch",
                        timeout=20_000)
        assert "did not accept" in screen.error.text()
        assert screen.fields["document_number"].text() == number     # kept, to correct one field

        # A malformed date never reaches the chip.
        type_mrz(qtbot, screen, number, "691306", expiry)
        click(qtbot, window, "mrzSubmit")
        assert session.mrz_error == "mrz_birth_date" and session.mrz_attempts == 1

        type_mrz(qtbot, screen, number, birth, expiry)
        click(qtbot, window, "mrzSubmit")
        wait_state(qtbot, session, State.FORM, timeout_ms=20_000)
        document = session.document
        assert document.card_type is CardType.EMRTD
        assert (document.name, document.id_number, document.nation) == ("CHAN TAI MAN", number, "GBR")
        assert session.language == "en"                               # a passport: English unless chosen

        click(qtbot, window, "choice-counter-social_security")
        click(qtbot, window, "formNext")
        click(qtbot, window, "confirmSubmit")
        wait_state(qtbot, session, State.RECEIPT)
        qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
        assert session.outcome.ticket_number
        parts.controller.cancel()
        qtbot.waitUntil(lambda: session.state in (State.RATE, State.IDLE), timeout=5_000)
        if session.state is State.RATE:
            click(qtbot, window, "rateSkip")
        wait_state(qtbot, session, State.IDLE)
        assert all(not edit.text() for edit in screen.fields.values())   # wiped with the session
    finally:
        parts.close()
    # The passport number and dates are personal data: never in the log.
    logged = "\n".join([record.getMessage() for record in caplog.records]
                       + [value for record in caplog.records for value in record.__dict__.values()
                          if isinstance(value, str)])
    for secret in (number, birth, wrong_expiry):
        assert secret not in logged, secret
