"""Issue 17's look and elderly-friendly rules: the attract screen (popular services, a card on
the reader starts a session), drawn hints in both palettes, the idle warning (>= 20 s, one tap),
the care mode's "Repeat" button and paged forms, activity seen where real input arrives."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from kiosk.config import ConfigError, config_from_dict
from kiosk.core.session import State
from screens.hints import CardReaderHint, LookHereHint, ReceiptHint
from screens.start import POPULAR_COUNT, popular_services
from screens.theme import HIGH_CONTRAST, NORMAL, Theme, contrast_ratio
from tests.ux_helpers import make_kiosk, wait_state


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, size=(1280, 800),
                       devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 0.2}})
    yield parts
    parts.close()


def test_idle_screen_offers_popular_services_one_touch_away(qtbot, kiosk):
    window, session = kiosk.window, kiosk.controller.session
    idle = window.screens[State.IDLE]
    expected = [s.id for s in popular_services(session.catalog)]
    assert len(expected) == min(POPULAR_COUNT, len([s for s in session.catalog.listed if s.available]))
    assert list(idle.popular_buttons) == expected and all(b.isVisible() for b in idle.popular_buttons.values())
    first = idle.popular_buttons[expected[0]]
    english = session.catalog.service(expected[0]).name("en")
    kiosk.controller.set_language("en")
    assert first.text() == english and idle.popular_buttons[expected[0]] is first   # re-texted, not rebuilt
    kiosk.controller.set_language("zh_CN")
    qtbot.mouseClick(first, Qt.LeftButton)
    wait_state(qtbot, session, State.SERVICE_INFO)
    assert session.service.id == expected[0]


def test_popular_services_follow_the_catalogs_popularity_when_it_has_one():
    from dataclasses import dataclass

    @dataclass
    class Svc:
        id: str
        popularity: int = 0
        available: bool = True

    class Cat:
        listed = (Svc("a", 1), Svc("b", 9), Svc("c", 0, available=False), Svc("d", 5))
    assert [s.id for s in popular_services(Cat(), 2)] == ["b", "d"]


def test_a_card_placed_on_the_reader_at_the_attract_screen_starts_a_session(qtbot, kiosk):
    session, reader = kiosk.controller.session, kiosk.controller.id_reader
    reader.place_card()
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    kiosk.controller.cancel()
    wait_state(qtbot, session, State.IDLE)
    assert kiosk.controller.view.card_left_on_reader      # still there: a reminder, no new session
    qtbot.wait(100)
    assert session.state is State.IDLE
    reader.take_card()
    qtbot.waitUntil(lambda: not kiosk.controller.view.card_left_on_reader)
    reader.place_card()                                   # the next citizen
    wait_state(qtbot, session, State.CHOOSE_SERVICE)


@pytest.mark.parametrize("hint_class", [CardReaderHint, LookHereHint, ReceiptHint])
@pytest.mark.parametrize("palette", [NORMAL, HIGH_CONTRAST], ids=["normal", "high_contrast"])
def test_drawn_hints_use_the_theme_palette(qtbot, hint_class, palette):
    hint = hint_class()
    qtbot.addWidget(hint)
    hint.resize(200, 200)
    hint.set_palette(palette)
    image = QImage(200, 200, QImage.Format_RGB32)
    image.fill(QColor(palette.paper))
    hint.render(image)
    colours = {image.pixelColor(x, y).name() for x in range(0, 200, 2) for y in range(0, 200, 2)}
    assert palette.accent in colours               # the highlighted part and the arrow
    assert len(colours) > 3                        # a drawing, not a blank
    assert contrast_ratio(palette.accent, palette.paper) >= 3.0   # WCAG 1.4.11 graphics


def test_idle_warning_gives_at_least_20_seconds_and_one_tap_continues(qtbot, tmp_path, platform_server):
    from kiosk.settings import TimeoutsSection
    assert TimeoutsSection().countdown_s >= 20
    raw = {"kiosk": {"id": "K", "data_dir": str(tmp_path / "d"), "fullscreen": False, "demo": False},
           "platform": {"url": "https://platform.example"}, "timeouts": {"countdown_s": 10.0}}
    with pytest.raises(ConfigError, match="countdown_s"):
        config_from_dict(raw)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, timeouts={"idle_s": 0.5, "countdown_s": 30.0})
    try:
        window, session = parts.window, parts.controller.session
        parts.controller.start()
        qtbot.waitUntil(window.overlay.isVisible, timeout=5000)
        assert session.idle_warning_remaining_s > 20
        # A real tap anywhere (through the window, as the touch panel delivers it) continues.
        QTest.mouseClick(window.windowHandle(), Qt.LeftButton, Qt.NoModifier, QPoint(20, 400))
        qtbot.waitUntil(lambda: not window.overlay.isVisible(), timeout=2000)
        assert session.state is State.CHOOSE_SERVICE
    finally:
        parts.close()


def test_repeat_button_in_care_mode_says_the_instruction_again(qtbot, kiosk):
    from kiosk.voice import VoiceGuide
    window = kiosk.window
    window.voice = VoiceGuide(engine="no-such-engine")     # silent, but records what it said
    kiosk.controller.start()
    assert not window.repeat_button.isVisible()              # not outside care mode
    kiosk.controller.set_care_mode(True)
    assert window.repeat_button.isVisible()
    said = list(window.voice.spoken)
    assert said
    qtbot.mouseClick(window.repeat_button, Qt.LeftButton)
    assert window.voice.spoken == said + [said[-1]]


def test_long_care_mode_form_is_paged_not_scrolled(qtbot, kiosk):
    from tests.ux_helpers import start_service
    window, session = kiosk.window, kiosk.controller.session
    kiosk.controller.set_care_mode(True)
    start_service(qtbot, kiosk, "residence-permit")
    qtbot.waitUntil(lambda: session.state in (State.VERIFY_FACE, State.FORM), timeout=15_000)
    qtbot.waitUntil(lambda: session.state is State.FORM, timeout=30_000)
    form = window.screens[State.FORM]
    qtbot.waitUntil(lambda: form.pager.isVisible(), timeout=3000)
    assert len(form._pages) >= 2
    assert form.scroll.verticalScrollBarPolicy() == Qt.ScrollBarAlwaysOff
    bar = form.scroll.verticalScrollBar()
    assert bar.maximum() == 0 or not bar.isVisible()         # the page fits: nothing to scroll
    first_page = [fid for fid, widgets in form._rows if widgets[1].isVisible()]
    qtbot.mouseClick(form.next_page, Qt.LeftButton)
    second_page = [fid for fid, widgets in form._rows if widgets[1].isVisible()]
    assert first_page and second_page and not set(first_page) & set(second_page)
    kiosk.controller.set_care_mode(False)
    qtbot.waitUntil(lambda: not form.pager.isVisible(), timeout=3000)   # normal mode: one scrolled list


def test_care_mode_text_sizes_meet_the_elderly_rules():
    """MIIT 适老化: body >= 18 pt, largest text >= 30 pt; kiosk-ux.md: care body 9-10 mm."""
    for px_per_mm in (4.04, 3.86):
        normal, care = Theme(px_per_mm=px_per_mm), Theme(care_mode=True, px_per_mm=px_per_mm)
        point = px_per_mm * 25.4 / 72                       # px per typographic point on this panel
        assert normal.body_px >= 18 * point
        assert care.title_px >= 30 * point
        assert care.body_px / px_per_mm >= 9.5
