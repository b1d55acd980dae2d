"""What every screen shares: the render contract and the wipe.

A screen renders the session (read-only) and the kiosk view (device and
platform status prepared by the flows), and reports what the citizen did
through `intents` (kiosk.flows.intents.CitizenIntents). It never imports a device,
requests or sqlite3. A screen with a camera preview also has `render_preview`,
which repaints only the preview (called for every preview frame).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget
from shiboken6 import Shiboken

from kiosk.flows.intents import CitizenIntents
from kiosk.flows.view import KioskView

__all__ = ["KioskView", "Screen", "clear_layout"]


class Screen(QWidget):
    def __init__(self, intents: CitizenIntents, parent=None):
        super().__init__(parent)
        self.intents = intents
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(48, 32, 48, 32)
        self.layout_.setSpacing(20)

    # The icon shown left of the screen's title (a purpose in screens.icons.ICONS), or None.
    title_icon_purpose: str | None = None
    # Two thirds of the theme's gap between the screen's parts: for screens whose keyboard or
    # picture needs the height of a 1280 x 800 panel in care mode.
    compact_spacing: bool = False
    _title_icon: QLabel | None = None

    def render(self, session, view: KioskView) -> None:
        raise NotImplementedError

    def apply_theme(self, theme) -> None:
        """The theme changed (care mode on/off): redraw what the style sheet cannot, icons and
        drawn hints, in the new palette. Called once per change, never per render."""
        self.layout_.setContentsMargins(theme.margin_px, theme.gap_px, theme.margin_px, theme.gap_px)
        self.layout_.setSpacing(theme.gap_px * 2 // 3 if self.compact_spacing else theme.gap_px)
        title = getattr(self, "title", None)
        if self.title_icon_purpose is None or not isinstance(title, QLabel):
            return
        if self._title_icon is None:
            index = self.layout_.indexOf(title)
            if index < 0:
                return
            self._title_icon = QLabel()
            self._title_icon.setObjectName("titleIcon")
            self._title_icon.setTextFormat(Qt.PlainText)    # a picture only; never rich text
            self.layout_.removeWidget(title)
            row = QHBoxLayout()
            row.setSpacing(16)
            row.addWidget(self._title_icon, 0, Qt.AlignVCenter)
            row.addWidget(title, 1)
            self.layout_.insertLayout(index, row)
        from screens.icons import pixmap
        size = round(theme.title_px * 1.3)
        self._title_icon.setPixmap(pixmap(self.title_icon_purpose, theme.palette.accent, size))
        self._title_icon.setFixedSize(size, size)

    def render_preview(self, session, view: KioskView) -> None:
        """Only the camera preview changed; screens without a preview ignore it."""

    def wipe(self) -> None:
        """Forget everything personal this screen shows (session ended)."""
        for line_edit in self.findChildren(QLineEdit):
            line_edit.clear()


def clear_layout(layout: QLayout) -> None:
    """Deletes the widgets of a layout that is rebuilt on every render, and the layout's items.

    QLayout.takeAt() hands the caller the item it took out, for the caller to delete (Qt's
    documentation of QLayout::takeAt), and PySide6 leaves that to us: the wrapper it returns is
    not owned by Python (Shiboken.ownedByPython() is False), so dropping it frees nothing. Before
    the items were deleted here, every rebuilt form, summary, page list and popular grid leaked
    one QWidgetItem per widget: ~1.75 KB per soak session, the larger part of the RSS trend that
    bench/soak.py measured (heaptrack: QLayoutPrivate::createWidgetItem, still live at the end).
    """
    while layout.count():
        item = layout.takeAt(0)
        widget, nested = item.widget(), item.layout()
        if widget is not None:
            if isinstance(widget, QLabel):
                widget.clear()
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        if nested is not None:         # a layout is a QObject: its own items first, then itself later
            clear_layout(nested)
            nested.deleteLater()
        else:                          # QWidgetItem or QSpacerItem: not a QObject, deleted now
            Shiboken.delete(item)
