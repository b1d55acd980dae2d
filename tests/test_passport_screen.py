"""The passport data screen (screens/passport.py), one question per page: the number on the
letter keyboard, then each date on the digit keypad; Next on an incomplete answer lets the session
say what is missing, and an error brings its question back. Fast: the simulated reader is told
a passport lies on it (what the PC/SC reader reports); tests/test_passport_entry.py opens a
virtual passport's chip with what is typed here."""
from __future__ import annotations

from kiosk.core.session import State
from tests.ux_helpers import click, make_kiosk, start_service, type_keys, wait_state


def test_one_question_per_page_with_previous_next_and_errors_on_their_page(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 30.0}})
    try:
        window, session = parts.window, parts.controller.session
        parts.controller.set_language("en")
        start_service(qtbot, parts, "queue-ticket")
        wait_state(qtbot, session, State.IDENTIFY)
        parts.controller.id_reader.cancel()
        session.card_failed(session.token, "mrz_required")
        wait_state(qtbot, session, State.MRZ_ENTRY)
        screen = window.screens[State.MRZ_ENTRY]
        number, birth, expiry = screen.fields["document_number"], screen.fields["birth_date"], \
            screen.fields["expiry_date"]

        # Page 1: the number, the letter keyboard, the camera offer; no Previous.
        assert screen.title.text() == "Passport number  (1 of 3)"
        assert screen.keyboard is screen.letters and screen.letters.isVisible() and not screen.digits.isVisible()
        assert number.isVisible() and not birth.isVisible() and not expiry.isVisible()
        assert screen.camera_button.isVisible() and not screen.previous_button.isVisible()
        assert screen.submit_button.text() == "Next"
        click(qtbot, window, "mrzSubmit")                           # nothing typed: the session says what
        assert session.mrz_error == "mrz_document_number" and screen.error.isVisible()
        assert not screen.hint.isVisible()                          # the error in the hint's place
        type_keys(qtbot, screen.keyboard, "E1234567")
        click(qtbot, window, "mrzSubmit")

        # Page 2: the date of birth on the digit keypad; the number's error stays on its page.
        assert screen.title.text() == "Date of birth  (2 of 3)"
        assert screen.keyboard is screen.digits and screen.digits.isVisible() and not screen.letters.isVisible()
        assert birth.isVisible() and not number.isVisible() and not screen.error.isVisible()
        assert screen.previous_button.isVisible() and not screen.camera_button.isVisible()
        type_keys(qtbot, screen.keyboard, "6908")
        click(qtbot, window, "mrzSubmit")                           # half a date: asked again, here
        assert session.mrz_error == "mrz_birth_date" and screen.active == "birth_date"
        assert "date of birth" in screen.error.text() and screen.error.isVisible()
        click(qtbot, window, "mrzPrevious")
        assert screen.active == "document_number" and number.text() == "E1234567"   # kept
        click(qtbot, window, "mrzSubmit")
        type_keys(qtbot, screen.keyboard, "✕" + "691306")           # month 13: complete, but no date
        click(qtbot, window, "mrzSubmit")

        # Page 3: the expiry date, then "Read passport" submits; the bad birth date brings page 2 back.
        assert screen.title.text() == "Date of expiry  (3 of 3)" and screen.submit_button.text() == "Read passport"
        type_keys(qtbot, screen.keyboard, "301231")
        assert expiry.text() == "301231" and birth.text() == "691306"
        click(qtbot, window, "mrzSubmit")
        assert session.mrz_error == "mrz_birth_date" and screen.active == "birth_date"
        assert session.mrz_attempts == 0                            # never reached the chip
        type_keys(qtbot, screen.keyboard, "✕" + "690806")
        click(qtbot, window, "mrzSubmit")                           # Next: page 3 again
        click(qtbot, window, "mrzSubmit")                           # Read passport: all three valid now
        # The key went to the reader (this simulated one holds an ID card: the "chip" refuses it):
        # a refusal concerns all three answers, so the first question comes back, with the error.
        qtbot.waitUntil(lambda: session.mrz_attempts == 1 and session.mrz_error == "mrz_mismatch", timeout=10_000)
        qtbot.waitUntil(lambda: screen.active == "document_number" and screen.error.isVisible(), timeout=2_000)
        parts.controller.cancel()
        wait_state(qtbot, session, State.IDLE)
        assert screen.active == "document_number" and not any(f.text() for f in screen.fields.values())
    finally:
        parts.close()
