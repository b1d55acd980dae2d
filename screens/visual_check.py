"""A visual check of whatever the kiosk window shows right now, by geometry and fonts
(no image comparison): the four defects a citizen sees and a screen walk does not.

    problems = check_window(window, px_per_mm=window.px_per_mm)

1. **overlap** — two visible sibling widgets whose rectangles intersect (the face step's
   guidance line over the camera preview, the keypad's rows over each other).
   Allowance, documented: a widget with the Qt property `visualOverlay` set (the
   "Are you still there?" overlay, which covers the screen on purpose) is not compared with
   its siblings; only the visible page of a QStackedWidget is shown; the scroll bars and
   viewport of a scroll area are Qt's own and laid out by it.
2. **clipped** — a visible widget reaching outside its parent (the keypad's last row cut
   off), a label whose text needs more room than it has (wrapped: heightForWidth; one
   line: the text's advance), a button whose text (plus icon) is larger than the button.
   Content inside a scroll area's viewport is exempt: scrolling is what it is for. The
   window itself must not be larger than the panel (the caller fixes its size to the panel).
3. **glyph** — a visible character that no font in the fallback chain Qt actually uses has
   a glyph for: the text is laid out with the widget's own font (style sheet included) and
   every glyph run is searched for glyph 0 (.notdef, drawn as an empty box).
4. **target** — a visible button, or a field the citizen touches to type into, smaller than
   20 mm in either direction at the panel's real pixel density (`px_per_mm`, from the
   [display] settings: a 21.5" 1920x1080 panel is 102.5 dpi = 4.04 px/mm).

Used by tests/test_visual_check.py on every screen state x language x care mode x both
resolutions, and usable on a running kiosk (technician diagnostics, demo tools).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QTextDocument, QTextLayout
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QLabel, QLineEdit, QScrollBar,
                               QStackedWidget, QWidget)

TOUCH_TARGET_MM = 20.0
TOLERANCE_PX = 1          # rounding of layouts and of fractional device pixels
OVERLAY_PROPERTY = "visualOverlay"
TOUCH_FIELD_PROPERTY = "touchField"   # a read-only QLineEdit that is still tapped (keyboard target)


@dataclass(frozen=True)
class Problem:
    kind: str       # overlap | clipped | glyph | target
    widget: str     # a readable name of the widget (object name, class, text)
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.widget}: {self.detail}"


def describe(widget: QWidget) -> str:
    name = widget.objectName() or type(widget).__name__
    text = _text_of(widget)
    return f"{name}{f' {text[:24]!r}' if text else ''}"


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text()
        if isinstance(widget, QLabel) and (widget.textFormat() == Qt.RichText or (
                widget.textFormat() == Qt.AutoText and Qt.mightBeRichText(text))):
            document = QTextDocument()
            document.setHtml(text)
            return document.toPlainText()
        return text.replace("&&", "&") if isinstance(widget, QAbstractButton) else text
    if isinstance(widget, QLineEdit):
        return widget.text() or widget.placeholderText()
    return ""


def shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _in_scroll_content(widget: QWidget) -> bool:
    """True for a widget whose parent is a scroll area's viewport (the scrolled content)."""
    parent = widget.parentWidget()
    return parent is not None and isinstance(parent.parentWidget(), QAbstractScrollArea) \
        and parent is parent.parentWidget().viewport()


def _scroll_internal(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return isinstance(widget, QScrollBar) or (parent is not None and isinstance(parent, QAbstractScrollArea))


class GlyphCache:
    """Which characters have no glyph in the fallback chain of a font (cached per font)."""

    def __init__(self):
        self._missing: dict[tuple[str, str], bool] = {}

    def missing(self, text: str, font: QFont) -> list[str]:
        key = font.key()
        absent = []
        for char in dict.fromkeys(text):
            if char.isspace() or not char.isprintable():
                continue
            cached = self._missing.get((key, char))
            if cached is None:
                cached = self._missing[(key, char)] = _lacks_glyph(char, font)
            if cached:
                absent.append(char)
        return absent


def _lacks_glyph(char: str, font: QFont) -> bool:
    layout = QTextLayout(char, font)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    runs = layout.glyphRuns()
    return not runs or any(0 in run.glyphIndexes() for run in runs)


_GLYPHS = GlyphCache()


def check_window(window: QWidget, px_per_mm: float, panel: tuple[int, int] | None = None) -> list[Problem]:
    """Every problem of what `window` shows now (call after the layout has settled)."""
    problems: list[Problem] = []
    if panel is not None and (window.width() > panel[0] or window.height() > panel[1]):
        problems.append(Problem("clipped", "window", f"{window.width()}x{window.height()} px on a "
                                                      f"{panel[0]}x{panel[1]} panel"))
    target_px = TOUCH_TARGET_MM * px_per_mm - TOLERANCE_PX
    _check_children(window, problems, target_px)
    return problems


def _check_children(parent: QWidget, problems: list[Problem], target_px: float) -> None:
    children = [child for child in parent.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
                if shown(child) and not child.isWindow()]
    if isinstance(parent, QStackedWidget):
        children = [child for child in children if child is parent.currentWidget()]
    inner = parent.rect().adjusted(-TOLERANCE_PX, -TOLERANCE_PX, TOLERANCE_PX, TOLERANCE_PX)
    for child in children:
        if not _in_scroll_content(child) and not inner.contains(child.geometry()):
            problems.append(Problem("clipped", describe(child),
                                    f"{_rect(child.geometry())} outside its parent {describe(parent)} "
                                    f"({parent.width()}x{parent.height()})"))
        _check_widget(child, problems, target_px)
        _check_children(child, problems, target_px)
    compared = [c for c in children if not c.property(OVERLAY_PROPERTY) and not _scroll_internal(c)]
    for index, first in enumerate(compared):
        for second in compared[index + 1:]:
            common = first.geometry().intersected(second.geometry())
            if common.width() > TOLERANCE_PX and common.height() > TOLERANCE_PX:
                problems.append(Problem("overlap", describe(first),
                                        f"overlaps {describe(second)} by {common.width()}x{common.height()} px "
                                        f"at {_rect(common)} in {describe(parent)}"))


def _check_widget(widget: QWidget, problems: list[Problem], target_px: float) -> None:
    text = _text_of(widget)
    if text:
        absent = _GLYPHS.missing(text, widget.font())
        if absent:
            codes = ", ".join(f"U+{ord(c):04X}" for c in absent)
            problems.append(Problem("glyph", describe(widget), f"no glyph for {codes} in "
                                                               f"{widget.font().family()} or its fallbacks"))
    touchable = isinstance(widget, QAbstractButton) or (
        isinstance(widget, QLineEdit) and (not widget.isReadOnly() or widget.property(TOUCH_FIELD_PROPERTY)))
    if touchable and (widget.width() < target_px or widget.height() < target_px):
        problems.append(Problem("target", describe(widget), f"{widget.width()}x{widget.height()} px < 20 mm "
                                                            f"({target_px + TOLERANCE_PX:.0f} px)"))
    if isinstance(widget, QLabel) and text and widget.pixmap().isNull():
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + TOLERANCE_PX:
                problems.append(Problem("clipped", describe(widget),
                                        f"text needs {needed} px height, has {widget.height()}"))
        else:
            size = widget.sizeHint()
            margin = widget.contentsMargins()
            advance = max(widget.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
            if advance + margin.left() + margin.right() > widget.width() + TOLERANCE_PX \
                    or size.height() > widget.height() + TOLERANCE_PX:
                problems.append(Problem("clipped", describe(widget),
                                        f"text needs {advance}x{size.height()} px, has "
                                        f"{widget.width()}x{widget.height()}"))
    elif isinstance(widget, QAbstractButton) and text and widget.property("wrapping") != "true":
        size = widget.fontMetrics().size(Qt.TextShowMnemonic, widget.text())
        icon_w = widget.iconSize().width() + 8 if not widget.icon().isNull() else 0
        if size.width() + icon_w > widget.width() or size.height() > widget.height():
            problems.append(Problem("clipped", describe(widget),
                                    f"text needs {size.width() + icon_w}x{size.height()} px, has "
                                    f"{widget.width()}x{widget.height()}"))


def _rect(rect: QRect) -> str:
    return f"{rect.width()}x{rect.height()}+{rect.x()}+{rect.y()}"
