"""The face step screen renders the face check's state in the session language."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QImage

from kiosk.i18n import LanguageSwitcher
from screens.base import KioskView
from screens.identity import VerifyFaceScreen


class _Intents:
    def cancel(self):
        pass


def _remove_translators(app):
    # Translators other tests left installed (LanguageSwitcher parents them to the app).
    for translator in app.findChildren(QTranslator):
        app.removeTranslator(translator)


@pytest.fixture
def switcher(qapp):
    _remove_translators(qapp)
    switcher = LanguageSwitcher(qapp)
    yield switcher
    switcher.switch("en")
    _remove_translators(qapp)


def preview_image():
    rgb = np.full((480, 640, 3), 90, np.uint8)
    return QImage(rgb.data, 640, 480, 3 * 640, QImage.Format.Format_RGB888).copy()


@pytest.mark.parametrize("language,feedback,expected", [
    ("en", "turn_left", "Please turn your head slowly to your left."),
    ("zh_CN", "turn_left", "请慢慢向左转头。"),
    ("zh_HK", "turn_right", "請慢慢向右轉頭。"),
    ("zh_CN", "multiple_faces", "请只保留一人在摄像头前。"),
    ("zh_CN", "too_small", None),      # translated, whatever the wording
    ("zh_HK", "too_dark", "面部光線太暗，請站到光線充足的地方。"),
])
def test_guidance_in_the_session_language(qtbot, switcher, language, feedback, expected):
    switcher.switch(language)
    screen = VerifyFaceScreen(_Intents())
    qtbot.addWidget(screen)
    view = KioskView(camera_image=preview_image(), face_feedback=feedback, face_models_ready=True,
                     face_progress=0.5)
    screen.render(None, view)
    text = screen.feedback.text()
    if expected is None:
        assert text and not text.isascii()
    else:
        assert text == expected
    assert screen.progress.value() == 50
    consent = screen.consent.text()
    assert ("敏感" in consent) if language != "en" else ("sensitive" in consent)


def test_preview_has_a_face_guide_and_is_wiped(qtbot, switcher):
    screen = VerifyFaceScreen(_Intents())
    qtbot.addWidget(screen)
    screen.render(None, KioskView(camera_image=preview_image(), face_feedback="ok", face_models_ready=True))
    pixmap = screen.preview.pixmap()
    image = pixmap.toImage()
    # The oval's left edge crosses the middle row at ~32 % of the width: guide pixels there are green.
    row = image.height() // 2
    colours = [image.pixelColor(x, row) for x in range(int(image.width() * 0.30), int(image.width() * 0.34))]
    assert any(c.green() > c.red() + 30 and c.green() > c.blue() + 30 for c in colours)   # on a grey frame
    before = image.pixelColor(image.width() // 2, row)
    assert before.red() == before.green() == before.blue() == 90     # the face area itself is not painted
    screen.wipe()
    assert screen.preview.pixmap().isNull() and screen.progress.value() == 0


def test_switching_language_for_many_sessions_keeps_one_translator_per_language(qapp, switcher):
    """Each switch used to load a new QTranslator (kept alive by its parent, the application) with
    its own mapping of the .qm file: ~19 KB more per session in the soak. Now one per language."""
    def qm_mappings() -> int:
        with open("/proc/self/smaps") as smaps:
            return sum(1 for line in smaps if line.rstrip().endswith((".qm",)) and "-" in line.split()[0])
    switcher.switch("zh_CN")
    switcher.switch("zh_HK")
    translators, mappings = len(qapp.findChildren(QTranslator)), qm_mappings()
    for _session in range(300):
        for language in ("zh_CN", "zh_HK", "en"):
            switcher.switch(language)
    assert len(qapp.findChildren(QTranslator)) == translators
    assert qm_mappings() == mappings
    switcher.switch("zh_HK")
    assert QCoreApplication.translate("Kiosk", "Cancel") == "取消"


@pytest.mark.faults
def test_a_translation_file_rewritten_under_the_running_kiosk_does_not_crash_it(tmp_path):
    """An update that copies a new .qm over the old one in place: a translator mapping the file
    would die with SIGBUS on the next text. Run in a child process, so a crash is a failure here."""
    import shutil
    import subprocess
    import sys
    from kiosk.i18n import I18N_DIR
    for qm in I18N_DIR.glob("kiosk_*.qm"):
        shutil.copy(qm, tmp_path / qm.name)
    child = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from kiosk.i18n import LanguageSwitcher\n"
        "app = QCoreApplication([])\n"
        "folder = Path(sys.argv[1])\n"
        "switcher = LanguageSwitcher(app, folder)\n"
        "switcher.switch('zh_CN')\n"
        "before = QCoreApplication.translate('Kiosk', 'Cancel')\n"
        "with open(folder / 'kiosk_zh_CN.qm', 'r+b') as qm:\n"
        "    qm.truncate(64)\n"
        "switcher.switch('en'); switcher.switch('zh_CN')\n"
        "print(before, QCoreApplication.translate('Kiosk', 'Cancel'))\n")
    result = subprocess.run([sys.executable, "-c", child, str(tmp_path)], capture_output=True, text=True,
                            timeout=60, cwd=str(I18N_DIR.parents[1]))
    assert result.returncode == 0, (result.returncode, result.stderr[-1000:])
    assert result.stdout.split() == ["取消", "取消"]


@pytest.mark.parametrize("turn, arrow_side", [("turn_left", "left"), ("turn_right", "right"), (None, None)])
def test_a_turn_step_draws_an_arrow_to_that_side(qapp, turn, arrow_side):
    """The preview is mirrored, so the citizen's left is the screen's left."""
    from PySide6.QtGui import QColor, QPixmap

    from screens.identity import draw_face_guide
    pixmap = QPixmap(640, 480)
    pixmap.fill(QColor("#808080"))
    draw_face_guide(pixmap, ok=True, turn=turn)
    image = pixmap.toImage()
    green = {side: image.pixelColor(x, 226).green() > 150 and image.pixelColor(x, 226).red() < 120
             for side, x in (("left", 100), ("right", 540))}
    assert green == {"left": arrow_side == "left", "right": arrow_side == "right"}
