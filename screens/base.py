"""What every screen shares: the render contract and the wipe.

A screen renders the session (read-only) and the kiosk view (device and
platform status prepared by the flows), and reports what the citizen did
through `intents` (kiosk.flows.intents.CitizenIntents). It never imports a device,
requests or sqlite3. A screen with a camera preview also has `render_preview`,
which repaints only the preview (called for every preview frame).
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget

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

    def render(self, session, view: KioskView) -> None:
        raise NotImplementedError

    def render_preview(self, session, view: KioskView) -> None:
        """Only the camera preview changed; screens without a preview ignore it."""

    def wipe(self) -> None:
        """Forget everything personal this screen shows (session ended)."""
        for line_edit in self.findChildren(QLineEdit):
            line_edit.clear()


def clear_layout(layout: QLayout) -> None:
    """Deletes the widgets of a layout that is rebuilt on every render."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            if isinstance(widget, QLabel):
                widget.clear()
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())
