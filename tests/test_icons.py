"""Every icon purpose resolves to a real glyph in qtawesome's bundled fonts."""
import pytest
from PySide6.QtGui import QImage

from screens.icons import ICONS, icon


def test_every_icon_draws_ink(qapp):
    blank = []
    for purpose in ICONS:
        image = icon(purpose, "#000000").pixmap(32, 32).toImage().convertToFormat(QImage.Format_ARGB32)
        inked = sum(1 for y in range(32) for x in range(32) if image.pixelColor(x, y).alpha() > 0)
        if inked < 10:
            blank.append(purpose)
    assert blank == []


def test_unknown_purpose_is_refused(qapp):
    with pytest.raises(KeyError):
        icon("no-such-purpose", "#000000")
