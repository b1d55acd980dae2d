"""Text from outside (catalog, card, platform replies) is shown as plain text, never as
rich text: an application number `<h1 style='color:red'>已缴费</h1>` must not become a big
red "paid", and `<img src=...>` in a progress reply must not load a local file.

Each hostile string is driven through the real screens of a real kiosk: a catalog with
markup in a service's name, description and materials, a card whose name is markup, an
application number and a progress reply full of markup.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from PySide6.QtGui import Qt   # QtGui adds Qt.mightBeRichText
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.core.session import State
from reference_platform.catalog import DEFAULT_CATALOG_PATH
from tests.ux_helpers import click, make_kiosk, type_keys, wait_state

pytestmark = pytest.mark.faults

PAID = "<h1 style='color:red'>已缴费</h1>"
IMG = "<img src='file:///etc/hostname'>"
SERVICE = "elderly-allowance"


def hostile_catalog(path: Path) -> Path:
    """The reference catalog with markup in one service's texts (every language)."""
    catalog = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    service = next(s for s in catalog["services"] if s["id"] == SERVICE)
    service["names"] = {lang: PAID for lang in service["names"]}
    service["descriptions"] = {lang: IMG + " desc" for lang in service["descriptions"]}
    service["department"]["names"] = {lang: "<b>dept</b>" for lang in service["department"]["names"]}
    service["materials"][0] = {lang: IMG for lang in service["materials"][0]}
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    return path


class HostileIdentity:
    """The simulator's sample card, with markup as the holder's name."""

    def __init__(self, identity):
        self._identity = identity

    def document(self, **kwargs):
        return dataclasses.replace(self._identity.document(**kwargs), name=PAID)


@pytest.fixture
def hostile_kiosk(qtbot, tmp_path):
    from reference_platform.server import ReferencePlatformServer
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3",
                                     catalog_path=hostile_catalog(tmp_path / "catalog.json"))
    server.start()
    parts = make_kiosk(qtbot, tmp_path, server.base_url)
    reader = parts.controller.id_reader
    reader._identity = HostileIdentity(reader._identity)
    yield parts
    parts.close()
    server.stop()


def rendered_markup(window) -> list[str]:
    """Visible labels and buttons whose text has markup that Qt would render as rich text."""
    problems = []
    for widget in window.findChildren(QLabel):
        if not widget.isVisible() or "<" not in widget.text():
            continue
        shown_as_rich = widget.textFormat() == Qt.RichText or (
            widget.textFormat() == Qt.AutoText and Qt.mightBeRichText(widget.text()))
        if shown_as_rich and any(marker in widget.text() for marker in ("<h1", "<img", "<b>dept")):
            problems.append(f"{widget.objectName() or type(widget).__name__}: {widget.text()!r}")
    return problems


def shown_texts(window) -> list[str]:
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    return texts + [b.text() for b in window.findChildren(QPushButton) if b.isVisible()]


def assert_literal(window, hostile: str) -> None:
    assert not rendered_markup(window), rendered_markup(window)
    assert any(hostile in text for text in shown_texts(window)), f"{hostile!r} not shown literally"


@pytest.mark.slow
def test_catalog_and_card_markup_is_shown_as_plain_text(qtbot, hostile_kiosk):
    parts = hostile_kiosk
    window, session = parts.window, parts.controller.session
    qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    assert_literal(window, PAID)                       # the service button
    click(qtbot, window, f"service-{SERVICE}")
    wait_state(qtbot, session, State.SERVICE_INFO)
    assert_literal(window, IMG)                        # description and materials
    assert_literal(window, "<b>dept</b>")
    click(qtbot, window, "beginService")
    wait_state(qtbot, session, State.FORM)
    type_keys(qtbot, window.screens[State.FORM].keypad, "13812345678")
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)
    assert_literal(window, PAID)                       # the card name in the summary
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    # The application number as a hostile platform could send it.
    session._data.outcome = dataclasses.replace(session.outcome, application_number=PAID, ticket_number=None)
    window.screens[State.RECEIPT].render(session, parts.controller.view)
    assert_literal(window, PAID)


def test_progress_reply_markup_is_shown_as_plain_text(qtbot, hostile_kiosk):
    parts = hostile_kiosk
    window, session = parts.window, parts.controller.session
    reply = {"application_number": PAID, "service_id": SERVICE, "status": "accepted",
             "received_at": IMG, "expected_completion": IMG}
    parts.controller.platform_client.get_application = lambda reference: dict(reply)
    qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    click(qtbot, window, "service-progress-query")
    wait_state(qtbot, session, State.SERVICE_INFO)
    click(qtbot, window, "beginService")
    wait_state(qtbot, session, State.QUERY)
    type_keys(qtbot, window.screens[State.QUERY].keyboard, "GD20261123000001")
    click(qtbot, window, "querySearch")
    wait_state(qtbot, session, State.QUERY_RESULT)
    assert_literal(window, PAID)                       # number and (catalog) service name
    assert_literal(window, IMG[:16])                   # received_at is cut to 16 characters
    assert_literal(window, IMG)                        # expected completion


def test_the_step_indicator_keeps_its_markup_but_escapes_step_names(qtbot, hostile_kiosk):
    """Our own fixed markup stays rich text; nothing from outside goes into it unescaped."""
    window, session = hostile_kiosk.window, hostile_kiosk.controller.session
    qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    assert window.steps.text.textFormat() == Qt.RichText
    assert "<b>" in window.steps.text.text() and "<h1" not in window.steps.text.text()


def test_every_label_of_the_kiosk_and_technician_screens_is_plain_text(qtbot, hostile_kiosk):
    """The audit as a test: apart from the step indicator (our own markup, escaped values),
    no label of any citizen or technician screen interprets markup."""
    from screens.technician import install_technician_mode
    parts = hostile_kiosk
    install_technician_mode(parts.window, parts.controller, parts.config)
    rich = [w for w in parts.window.findChildren(QLabel)
            if w.textFormat() != Qt.PlainText and w is not parts.window.steps.text]
    assert not rich, [(w.objectName(), w.text()[:40]) for w in rich]


def test_catalog_choice_labels_are_not_keyboard_mnemonics(qtbot):
    """A button reads '&' as a mnemonic marker ('R&D' would show 'RD' with an underlined D):
    a choice label from the catalog is shown as it is written."""
    from screens.widgets import ChoiceButtons
    choices = ChoiceButtons("field", [("rd", "R&D"), ("tag", "<b>x</b>")])
    qtbot.addWidget(choices)
    assert choices.buttons["rd"].text() == "R&&D"          # Qt draws "&&" as one literal "&"
    assert choices.buttons["tag"].text() == "<b>x</b>"     # buttons never render markup
