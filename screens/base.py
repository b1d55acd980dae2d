"""What every screen shares: the render contract and the wipe.

A screen renders the session (read-only) and the kiosk view (device and
platform status prepared by the controller), and reports what the citizen did
through `intents` (the controller). It never imports a device, requests or
sqlite3.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget


@dataclass
class KioskView:
    """Non-citizen state the screens show, kept by the controller."""
    platform_online: bool | None = None          # None = not known yet
    queue_pending: int = 0
    device_status: dict = field(default_factory=dict)   # name -> DeviceStatus value
    paper_status: str = "unknown"
    camera_image: QImage | None = None
    face_feedback: str | None = None
    catalog_loaded: bool = False
    face_models_ready: bool = False
    receipt_qr_png: bytes | None = None          # progress-query QR for the receipt screen
    printer_available: bool | None = None        # None = not known yet; False -> on-screen receipt (+ SMS)
    receipt_sms_to: str | None = None            # masked phone the platform will text the receipt to
    help_requested_state: str | None = None      # screen on which a citizen last pressed Help
    catalog_error: str | None = None             # last catalog refused (technician message)
    card_left_on_reader: bool = False            # session over, ID card still on the reader
    face_progress: float = 0.0                   # 0..1, the face step's progress indicator


class Screen(QWidget):
    def __init__(self, intents, parent=None):
        super().__init__(parent)
        self.intents = intents
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(48, 32, 48, 32)
        self.layout_.setSpacing(20)

    def render(self, session, view: KioskView) -> None:
        raise NotImplementedError

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
