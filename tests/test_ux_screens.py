"""Every screen, in every language, in normal and care mode: translation coverage,
touch-target size at the configured panel DPI, no clipped text, one primary
action, step indicator, help and care-mode buttons; contrast of both palettes;
voice guidance with and without a speech engine; reset at session end.

The walk switches language and care mode *on* each screen with the top-bar
buttons, the way a citizen would.
"""
from __future__ import annotations

import logging

import re
import sys
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QWidget

from kiosk.core.catalog import localized
from kiosk.i18n_build import I18N_DIR, source_strings, translated_strings
from kiosk.core.session import State
from kiosk.voice import VoiceGuide, tts_module_available
from screens.theme import CARE_SCALE, HIGH_CONTRAST, NORMAL, TOUCH_TARGET_MM, Theme, contrast_ratio
from tests.ux_helpers import InstantFaceVerifier, click, make_kiosk, start_service, type_keys, wait_state

COMBOS = [(lang, care) for care in (False, True) for lang in ("zh_CN", "zh_HK", "en")]
CJK = re.compile(r"[\u3400-\u9fff]")


def visible(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window()) and widget.isVisible()


def english_fragments() -> list[str]:
    """Source-language fragments that must not be visible in Chinese."""
    fragments = []
    for source in source_strings():
        for part in re.split(r"%[sd]", source):
            part = part.strip(" .:…—()")
            if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                fragments.append(part)
    return fragments


ENGLISH = english_fragments()

# The language check: on a Chinese screen, a Latin-script word must be a code, a number or a
# proper name from this list; anything else is text that was never translated (a hard-coded
# label bypassing tr() is not among the source strings, so ENGLISH alone cannot see it).
LATIN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:'+-]*")
LATIN_ALLOWED = frozenset({"QR", "ID", "SMS"})   # abbreviations Chinese text uses as they are


def other_script_fragments(language: str) -> list[str]:
    """Pieces of the other Chinese translation that this language's translations never contain:
    seeing one on a zh_HK screen means a text translated for zh_CN (and vice versa)."""
    other = {"zh_CN": "zh_HK", "zh_HK": "zh_CN"}[language]
    mine = translated_strings(I18N_DIR / f"kiosk_{language}.ts", "Kiosk")
    theirs = translated_strings(I18N_DIR / f"kiosk_{other}.ts", "Kiosk")
    own_texts = list(mine.values())
    fragments = set()
    for source, translation in theirs.items():
        if translation == mine.get(source):
            continue
        for part in re.split(r"%[sd]|%\d", translation):
            part = part.strip()
            if len(part) >= 4 and not any(part in text for text in own_texts):
                fragments.add(part)
    return sorted(fragments)


OTHER_SCRIPT = {language: other_script_fragments(language) for language in ("zh_CN", "zh_HK")}


def untranslated_words(text: str) -> list[str]:
    """Latin-script words in `text` that are neither numbers, codes (GD20261123000001,
    TEST-KIOSK-1: anything with a digit), single keyboard letters, nor on LATIN_ALLOWED."""
    return [token for token in LATIN_TOKEN.findall(text)
            if not any(c.isdigit() for c in token) and len(token) > 1 and token not in LATIN_ALLOWED]


def citizen_texts(window) -> list[tuple[QWidget, str]]:
    """Text a citizen can see: labels and buttons (card values in read-only fields excluded)."""
    texts = []
    for widget in window.findChildren(QWidget):
        if not visible(widget) or widget is window.location_label:
            continue
        if widget in window.language_buttons.values():
            continue                      # 简体 / 繁體 / EN are shown in their own script on purpose
        if isinstance(widget, (QLabel, QAbstractButton)) and widget.text():
            texts.append((widget, re.sub(r"<[^>]+>", "", widget.text()).replace("&nbsp;", " ")))
    return texts


def check_screen(window, name: str, language: str, care: bool, problems: list[str]) -> None:
    where = f"{name}/{language}/{'care' if care else 'normal'}"
    theme = Theme(care_mode=care, px_per_mm=window.px_per_mm)
    min_px = theme.unscaled_mm(TOUCH_TARGET_MM) - 1
    texts = citizen_texts(window)
    for widget, text in texts:
        if language == "en":
            if CJK.search(text) and not widget.property("cardValue"):
                problems.append(f"{where}: Chinese text visible in English: {text!r}")
        else:
            for fragment in ENGLISH:
                if fragment in text:
                    problems.append(f"{where}: untranslated English {fragment!r} in {text!r}")
                    break
            else:
                words = untranslated_words(text)
                if words and not widget.property("cardValue"):
                    problems.append(f"{where}: text not in {language} (Latin words {words}) in {text!r}")
                wrong = [f for f in OTHER_SCRIPT[language] if f in text]
                if wrong:
                    problems.append(f"{where}: text translated for the other script {wrong[:2]} in {text!r}")
    primaries = []
    for button in window.findChildren(QPushButton):
        if not visible(button):
            continue
        if button.width() < min_px or button.height() < min_px:
            problems.append(f"{where}: button {button.objectName() or button.text()!r} is "
                            f"{button.width()}x{button.height()} px < 20 mm ({min_px + 1} px)")
        size = button.fontMetrics().size(0, button.text())
        # (a wrapping button's text is a word-wrapped label: checked with the labels below)
        if button.property("wrapping") != "true" and (size.width() > button.width()
                                                      or size.height() > button.height()):
            problems.append(f"{where}: text clipped in button {button.text()!r} "
                            f"({size.width()}x{size.height()} in {button.width()}x{button.height()})")
        if button.property("primary") == "true":
            primaries.append(button.text())
    if len(primaries) > 1:
        problems.append(f"{where}: {len(primaries)} primary actions: {primaries}")
    for widget in window.findChildren(QLabel):
        if not visible(widget) or not widget.text() or widget.textFormat() == Qt.RichText:
            continue
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + 2:
                problems.append(f"{where}: label {widget.text()[:30]!r} needs {needed} px, has {widget.height()}")
        elif widget.fontMetrics().horizontalAdvance(widget.text()) > widget.width() + 1:
            problems.append(f"{where}: label {widget.text()[:30]!r} cut off horizontally")
    if window.controller.session.state is not State.IDLE and not visible(window.steps):
        problems.append(f"{where}: no step indicator")
    for button in (window.help_button, window.care_button, *window.language_buttons.values()):
        if not visible(button):
            problems.append(f"{where}: top-bar button {button.objectName()} missing")


def walk_combinations(qtbot, parts, name: str, problems: list[str]) -> None:
    """On the current screen: every language x care mode, via the top-bar buttons."""
    window, session = parts.window, parts.controller.session
    state = session.state
    body_sizes = {}
    for language, care in COMBOS:
        qtbot.mouseClick(window.language_buttons[language], Qt.LeftButton)
        if session.care_mode != care:
            qtbot.mouseClick(window.care_button, Qt.LeftButton)
        qtbot.wait(30)
        for _ in range(3):              # then let the re-layout finish (posted LayoutRequests), not a timer
            QApplication.sendPostedEvents()
            QApplication.processEvents()
        assert session.state is state, f"switching language/care mode left {name}"
        assert session.language == language and session.care_mode == care
        check_screen(window, name, language, care, problems)
        body_sizes[care] = window.care_button.font().pixelSize()
    if session.care_mode:
        qtbot.mouseClick(window.care_button, Qt.LeftButton)
    qtbot.mouseClick(window.language_buttons["zh_CN"], Qt.LeftButton)
    assert body_sizes[True] >= CARE_SCALE * body_sizes[False] - 1, body_sizes


@pytest.fixture
def slow_kiosk(qtbot, tmp_path, platform_server):
    """Card reading and face matching held long enough to look at their screens."""
    verifier = InstantFaceVerifier(hold=True)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, face_verifier=verifier,
                       devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 6.0}})
    yield parts, verifier
    parts.close()


@pytest.mark.slow
def test_every_screen_in_every_language_and_care_mode(qtbot, slow_kiosk):
    parts, verifier = slow_kiosk
    window, session = parts.window, parts.controller.session
    problems: list[str] = []
    walk_combinations(qtbot, parts, "idle", problems)
    qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    walk_combinations(qtbot, parts, "choose_service", problems)
    click(qtbot, window, "service-elderly-allowance")
    walk_combinations(qtbot, parts, "service_info", problems)
    click(qtbot, window, "beginService")
    wait_state(qtbot, session, State.IDENTIFY)
    walk_combinations(qtbot, parts, "identify", problems)
    wait_state(qtbot, session, State.VERIFY_FACE, timeout_ms=15_000)
    walk_combinations(qtbot, parts, "verify_face", problems)
    verifier.release()
    wait_state(qtbot, session, State.FORM)
    walk_combinations(qtbot, parts, "form", problems)
    click(qtbot, window, "formNext")                          # inline errors in every language
    walk_combinations(qtbot, parts, "form_with_errors", problems)
    type_keys(qtbot, window.screens[State.FORM].keypad, "13812345678")
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)
    walk_combinations(qtbot, parts, "confirm", problems)
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
    walk_combinations(qtbot, parts, "receipt", problems)
    click(qtbot, window, "receiptDone")
    wait_state(qtbot, session, State.RATE)
    click(qtbot, window, "rate-dissatisfied")                  # shows the reason picker
    walk_combinations(qtbot, parts, "rate", problems)
    click(qtbot, window, "rateSkip")
    wait_state(qtbot, session, State.IDLE)

    start_service(qtbot, parts, "progress-query")
    wait_state(qtbot, session, State.QUERY)
    walk_combinations(qtbot, parts, "query", problems)
    type_keys(qtbot, window.screens[State.QUERY].keyboard, "GD20000101999999")   # a number: scan the QR instead
    click(qtbot, window, "querySearch")
    qtbot.waitUntil(lambda: session.query_error == "query_token_required", timeout=10_000)
    walk_combinations(qtbot, parts, "query_token_required", problems)
    type_keys(qtbot, window.screens[State.QUERY].keyboard, "✕" + "ABCD1234EFGH5678")   # no such token
    click(qtbot, window, "querySearch")
    qtbot.waitUntil(lambda: session.query_error == "query_not_found", timeout=10_000)
    walk_combinations(qtbot, parts, "query_not_found", problems)
    parts.controller.cancel()
    wait_state(qtbot, session, State.IDLE)

    start_service(qtbot, parts, "hmt-social-insurance")       # resident ID: not accepted -> error screen
    qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=15_000)
    walk_combinations(qtbot, parts, "error", problems)
    parts.controller.cancel()
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


@pytest.mark.slow
def test_passport_entry_screen_in_every_language_and_care_mode(qtbot, slow_kiosk):
    """The MRZ key screen (a passport on the reader), blank and with an error, in every language."""
    parts, _verifier = slow_kiosk
    session = parts.controller.session
    start_service(qtbot, parts, "queue-ticket")
    wait_state(qtbot, session, State.IDENTIFY)
    session.card_failed(session.token, "mrz_required")      # what the PC/SC reader reports for a passport
    wait_state(qtbot, session, State.MRZ_ENTRY)
    problems: list[str] = []
    walk_combinations(qtbot, parts, "mrz_entry", problems)
    click(qtbot, parts.window, "mrzSubmit")                  # nothing typed: the number is asked for
    assert session.mrz_error == "mrz_document_number"
    walk_combinations(qtbot, parts, "mrz_entry_error", problems)
    parts.controller.cancel()
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


@pytest.mark.slow
def test_query_result_screen_in_every_language_and_care_mode(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        window, session = parts.window, parts.controller.session
        start_service(qtbot, parts, "queue-ticket")
        wait_state(qtbot, session, State.FORM)
        click(qtbot, window, "choice-counter-household")
        click(qtbot, window, "formNext")
        click(qtbot, window, "confirmSubmit")
        wait_state(qtbot, session, State.RECEIPT)
        query_token = session.outcome.query_token      # what the receipt QR carries
        problems: list[str] = []
        walk_combinations(qtbot, parts, "queue_ticket_receipt", problems)
        click(qtbot, window, "receiptDone")
        click(qtbot, window, "rateSkip")
        wait_state(qtbot, session, State.IDLE)
        start_service(qtbot, parts, "progress-query")
        wait_state(qtbot, session, State.QUERY)
        parts.controller.query_number(query_token)     # as scanned (progress is looked up by token)
        wait_state(qtbot, session, State.QUERY_RESULT)
        walk_combinations(qtbot, parts, "query_result", problems)
        assert not problems, "\n".join(problems[:40])
    finally:
        parts.close()


def test_the_checks_catch_untranslated_text_and_small_buttons(qtbot, tmp_path, platform_server):
    """The walk's checks can fail: an English string and a 10 mm button are reported."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        window = parts.window
        idle = window.screens[State.IDLE]
        problems: list[str] = []
        check_screen(window, "idle", "zh_CN", False, problems)
        assert problems == []
        idle.subtitle.setText("Apply, check progress and get receipts here — no queue.")   # bypassing tr()
        idle.start_button.setFixedSize(round(10 * window.px_per_mm), round(10 * window.px_per_mm))
        check_screen(window, "idle", "zh_CN", False, problems)
        assert any("untranslated English" in p for p in problems)
        assert any("< 20 mm" in p for p in problems)
        assert any("clipped" in p for p in problems)
    finally:
        parts.close()


def test_the_language_check_catches_a_hard_coded_label(qtbot, tmp_path, platform_server):
    """A label set without tr() is no source string, so the ENGLISH fragments cannot know it; the
    language check still fails on it in zh_CN and zh_HK, and on a text of the other script.
    Codes, numbers and single keyboard letters pass."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        window = parts.window
        idle = window.screens[State.IDLE]
        for language in ("zh_CN", "zh_HK"):
            qtbot.mouseClick(window.language_buttons[language], Qt.LeftButton)
            problems: list[str] = []
            check_screen(window, "idle", language, False, problems)
            assert problems == []
            idle.notice.setText("GD20261123000001  TEST-KIOSK-1  X  13812345678")   # codes pass
            check_screen(window, "idle", language, False, problems)
            assert problems == []
            idle.notice.setText("Insert your card to begin")          # hard-coded, not a source string
            assert not any(fragment in idle.notice.text() for fragment in ENGLISH)
            check_screen(window, "idle", language, False, problems)
            assert any("text not in" in p and "Insert" in p for p in problems), problems
            other = "zh_HK" if language == "zh_CN" else "zh_CN"
            idle.notice.setText(translated_strings(I18N_DIR / f"kiosk_{other}.ts", "Kiosk")["Are you still there?"])
            problems.clear()
            check_screen(window, "idle", language, False, problems)
            assert any("other script" in p for p in problems), problems
            idle.notice.setText("")
    finally:
        parts.close()


def test_care_mode_and_language_reset_when_the_session_ends(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, timeouts={"idle_s": 5.0, "countdown_s": 1.0})
    try:
        window, session = parts.window, parts.controller.session
        qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
        wait_state(qtbot, session, State.CHOOSE_SERVICE)
        qtbot.mouseClick(window.care_button, Qt.LeftButton)
        qtbot.mouseClick(window.language_buttons["en"], Qt.LeftButton)
        assert session.care_mode and session.effective_timeouts.idle_s == 10.0   # more time in care mode
        assert window.palette().color(window.backgroundRole()).name() in ("#000000",) or \
            window.styleSheet().count(HIGH_CONTRAST.paper) > 0
        qtbot.mouseClick(window.screens[State.CHOOSE_SERVICE].home_button, Qt.LeftButton)
        wait_state(qtbot, session, State.IDLE)
        assert not session.care_mode and session.language == "zh_CN"
        assert window.styleSheet().count(NORMAL.paper) > 0 and HIGH_CONTRAST.paper not in window.styleSheet()
        assert not window.care_button.isChecked()
        assert window.voice is None or window.voice.spoken == []
    finally:
        parts.close()


def test_every_source_text_is_translated_for_citizens_and_technicians():
    """The build check (`python -m kiosk.i18n_build --check`), as a test: the citizen screens'
    texts and the technician panel's (Qt context "Technician") in zh_CN and zh_HK."""
    from kiosk.i18n_build import missing_translations, technician_strings
    assert "Reprint last" in technician_strings() and "Devices" in technician_strings()
    assert missing_translations() == {"kiosk_zh_CN": [], "kiosk_zh_HK": []}


@pytest.mark.parametrize("palette", [NORMAL, HIGH_CONTRAST], ids=["normal", "high_contrast"])
def test_theme_colours_meet_contrast(palette):
    for role, (foreground, background) in palette.text_pairs().items():
        ratio = contrast_ratio(foreground, background)
        assert ratio >= 4.5, f"{role}: {foreground} on {background} = {ratio:.2f}:1"
    if palette is HIGH_CONTRAST:   # care mode: body and primary actions well above AA
        assert contrast_ratio(palette.ink, palette.paper) >= 10
        assert contrast_ratio(palette.on_accent, palette.accent) >= 10


def test_contrast_formula_matches_published_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)   # WebAIM's AA boundary grey
    assert contrast_ratio("#777777", "#ffffff") < 4.5


def test_touch_targets_follow_the_configured_panel_size():
    from kiosk.config import DisplaySection
    small_panel = Theme(px_per_mm=DisplaySection(1920, 1080, 21.5).px_per_mm)
    big_panel = Theme(px_per_mm=DisplaySection(1920, 1080, 43.0).px_per_mm)
    assert 80 <= small_panel.touch_px <= 82                # 21.5" 1080p: 20 mm = 80 px (kiosk-ux.md 4.1)
    assert 40 <= big_panel.touch_px <= 42                  # 43" 1080p: 20 mm = 40 px
    assert Theme(care_mode=True).body_px >= CARE_SCALE * Theme().body_px - 1


def test_voice_guidance_silent_without_an_engine(qtbot):
    voice = VoiceGuide(engine="no-such-engine")
    voice.say("请将身份证放在读卡区", "zh_CN")          # no exception, nothing spoken
    assert voice.wait_started(5) and not voice.available
    assert "no-such-engine" in voice.unavailable_reason
    assert voice.state == "silent" and voice.spoken == ["请将身份证放在读卡区"]
    assert voice._process is None                       # no helper started for an engine that is not there


def _fake_helper(script: str) -> list[str]:
    return [sys.executable, "-c", script]


@pytest.mark.faults
@pytest.mark.slow
def test_voice_helper_that_never_starts_is_killed_and_the_kiosk_stays_silent(qtbot):
    """What speech-dispatcher did on a build machine: the engine constructor never returned."""
    voice = VoiceGuide(start_timeout_s=1, command=_fake_helper("import time; time.sleep(120)"))
    started = time.monotonic()
    voice.say("请选择要办理的事项", "zh_CN")
    assert time.monotonic() - started < 0.1
    assert voice.wait_started(5)
    assert not voice.available and "did not start within 1 s" in voice.unavailable_reason
    qtbot.waitUntil(lambda: voice._process.poll() is not None, timeout=3000)
    voice.say("下一步", "zh_CN")                         # silent, still no exception
    assert voice.state == "silent"
    voice.close()


def test_voice_helper_stuck_while_speaking_never_blocks_the_caller(qtbot):
    """A helper that started, then stopped reading: the pipe fills, utterances are dropped, and
    neither say() nor close() waits."""
    voice = VoiceGuide(command=_fake_helper(
        "import sys, time; print('{\"event\": \"ready\"}', flush=True); time.sleep(120)"))
    voice.start()
    assert voice.wait_started(10) and voice.available
    started = time.monotonic()
    for number in range(2000):                          # about 2 MB: far more than a pipe holds
        voice.say(f"第{number}步 " + "请按屏幕提示操作。" * 30, "zh_CN")
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    voice.close()
    assert time.monotonic() - started < 0.1
    qtbot.waitUntil(lambda: voice._process.poll() is not None, timeout=3000)
    assert not voice.available


@pytest.mark.slow
def test_voice_guidance_with_the_system_engine_never_blocks(qtbot):
    """speechd on this machine: either it starts (and speaks) or it is given up after the start
    timeout; either way every call returns at once and close() leaves no helper behind."""
    voice = VoiceGuide(start_timeout_s=5)
    started = time.monotonic()
    voice.say("hello", "en")
    assert time.monotonic() - started < 0.1
    assert voice.wait_started(15)
    if voice.available:
        qtbot.waitUntil(lambda: voice.state in ("speaking", "ready"), timeout=5000)
    else:
        assert voice.unavailable_reason
    started = time.monotonic()
    voice.close()
    assert time.monotonic() - started < 0.1
    if voice._process is not None:
        qtbot.waitUntil(lambda: voice._process.poll() is not None, timeout=3000)


@pytest.mark.skipif(not tts_module_available(), reason="QtTextToSpeech (PySide6 Addons + libpulse0) not installed")
@pytest.mark.slow
def test_voice_guidance_speaks_each_step_in_care_mode(qtbot, tmp_path, platform_server):
    """With Qt's own test engine ("mock"), care mode speaks every new step's instruction."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        window, session = parts.window, parts.controller.session
        window.voice = VoiceGuide(engine="mock")      # Qt's test engine, in the real helper process
        qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
        wait_state(qtbot, session, State.CHOOSE_SERVICE)
        assert window.voice.spoken == []                     # silent outside care mode
        qtbot.mouseClick(window.care_button, Qt.LeftButton)
        assert window.voice.spoken == ["请选择要办理的事项"]
        qtbot.waitUntil(lambda: window.voice.state == "speaking", timeout=15_000)   # the helper spoke it
        click(qtbot, window, "service-elderly-allowance")
        assert window.voice.spoken[-1].startswith("高龄津贴申领")
        qtbot.mouseClick(window.language_buttons["en"], Qt.LeftButton)
        assert window.voice.spoken[-1].startswith("Elderly allowance application")
        parts.controller.cancel()
        wait_state(qtbot, session, State.IDLE)
        assert window.voice.spoken == []
    finally:
        parts.close()


@pytest.mark.slow
def test_still_there_overlay_in_every_language_and_care_mode(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, timeouts={"idle_s": 1.0, "countdown_s": 30.0})
    try:
        window, session, controller = parts.window, parts.controller.session, parts.controller
        controller.start()
        problems: list[str] = []
        for language, care in COMBOS:
            controller.set_language(language)
            controller.set_care_mode(care)
            qtbot.waitUntil(lambda: window.overlay.isVisible(), timeout=10_000)
            check_screen(window, "still_there", language, care, problems)
            assert window.overlay.continue_button.property("primary") == "true"
            qtbot.mouseClick(window.overlay.continue_button, Qt.LeftButton)   # "Continue" keeps the session
            assert not window.overlay.isVisible() and session.state is State.CHOOSE_SERVICE
        assert not problems, "\n".join(problems)
    finally:
        parts.close()


@pytest.mark.faults
@pytest.mark.slow
def test_voice_helper_ends_when_the_kiosk_is_killed(tmp_path):
    """kill -9 of the kiosk process: its speech helper sees the end of its input and exits
    (no orphan holding speech-dispatcher)."""
    import os
    import signal
    import subprocess
    from pathlib import Path
    child = ("import sys, time\n"
             "sys.path.insert(0, sys.argv[1])\n"
             "from kiosk.voice import VoiceGuide\n"
             "voice = VoiceGuide(engine='mock')\n"
             "voice.say('hello', 'en')\n"
             "assert voice.wait_started(30) and voice.available, voice.unavailable_reason\n"
             "print(voice._process.pid, flush=True)\n"
             "time.sleep(120)\n")
    kiosk = subprocess.Popen([sys.executable, "-c", child, str(Path(__file__).resolve().parents[1])],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        helper_pid = int(kiosk.stdout.readline())
        os.kill(helper_pid, 0)                               # the helper runs
        kiosk.send_signal(signal.SIGKILL)
        kiosk.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(helper_pid, 0)
            except ProcessLookupError:
                break
            # A zombie of ours would still answer kill(0); the helper's parent (init) reaps it.
            try:
                if "State:\tZ" in Path(f"/proc/{helper_pid}/status").read_text():
                    break
            except FileNotFoundError:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"voice helper {helper_pid} still running after its kiosk was killed")
    finally:
        kiosk.kill()


def test_the_same_form_in_another_language_keeps_its_widgets_and_shows_the_new_texts(qtbot, tmp_path,
                                                                                     platform_server):
    """screens/form.py: the next session on the same form in another language keeps the widgets
    (no rebuild, which cost 40-70 ms of the GUI thread) and relabels them: every caption and choice
    in the new language, none left in the old one. English changes the choices' columns, so it
    rebuilds, and shows English all the same."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        controller, window = parts.controller, parts.window
        form = window.screens[State.FORM]
        service = next(s for s in controller.session.catalog.services if s.id == "queue-ticket")
        counter = next(f for f in service.fields if f.id == "counter")
        before: dict = {}               # what the previous session's form showed
        for language in ("zh_CN", "zh_HK", "en"):
            controller.set_language(language)
            controller.id_reader.present("elderly")
            start_service(qtbot, parts, "queue-ticket")
            wait_state(qtbot, controller.session, State.FORM)
            qtbot.waitUntil(lambda: "梁国栋" in [w.text() for w in form.inputs.values()], timeout=5_000)
            captions = [widgets[0].text() for _, widgets in form._rows]
            assert captions == [form._caption_text(f, language) for f in service.fields]
            assert [form.choices["counter"].buttons[c.value].text() for c in counter.choices] == [
                localized(c.labels, language).replace("&", "&&") for c in counter.choices]
            if language == "zh_HK":
                assert form.inputs == before["editors"] and form.choices["counter"] is before["choice"]  # kept
                assert "证件号码" in before["captions"] and "证件号码" not in captions                    # relabelled
                assert "證件號碼" in captions and "户籍证件" not in " ".join(window.visible_texts())
            before = {"editors": dict(form.inputs), "choice": form.choices["counter"], "captions": captions}
            controller.cancel()
            wait_state(qtbot, controller.session, State.IDLE)
    finally:
        parts.close()
        logging.getLogger().handlers.clear()


def test_the_next_citizen_on_the_same_form_sees_only_their_own_details(qtbot, tmp_path, platform_server):
    """screens/form.py keeps the form's widgets when the next session chooses the same form (same
    service, catalog, language and mode) instead of building them again: what the previous citizen
    saw must be gone from them (the session-end wipe), and the new citizen's card fills them."""
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        controller, window = parts.controller, parts.window
        form = window.screens[State.FORM]
        start_service(qtbot, parts, "queue-ticket")              # card only: straight to the form
        wait_state(qtbot, controller.session, State.FORM)
        qtbot.waitUntil(lambda: "梁国栋" in [w.text() for w in form.inputs.values()], timeout=5_000)
        editors, first_active = dict(form.inputs), form._active_field
        controller.cancel()
        wait_state(qtbot, controller.session, State.IDLE)
        assert not any(w.text() for w in form.inputs.values())
        controller.id_reader.present("young")                   # the next citizen's card
        start_service(qtbot, parts, "queue-ticket")
        wait_state(qtbot, controller.session, State.FORM)
        qtbot.waitUntil(lambda: "陈志明" in [w.text() for w in form.inputs.values()], timeout=5_000)
        assert form.inputs == editors                            # the same widgets, kept
        assert "梁国栋" not in " ".join(window.visible_texts())
        assert form._active_field is first_active            # the same field active as on a fresh form
    finally:
        parts.close()
        logging.getLogger().handlers.clear()
