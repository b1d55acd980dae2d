"""Small reusable widgets: big buttons, the on-screen numeric keypad, QR code.

The keypad is our own (Qt Virtual Keyboard is GPLv3): digits for phone and ID
numbers, with X for the ID check character, delete and clear. It types into
whichever line edit is bound to it and never takes focus from it.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget


def big_button(text: str = "", primary: bool = False, name: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("primary", "true" if primary else "false")
    button.setFocusPolicy(Qt.NoFocus)  # no focus rectangles and no accidental Enter/space on kiosks
    button.setAutoDefault(False)
    button.setDefault(False)
    if name:
        button.setObjectName(name)
    button.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
    return button


def label(text: str = "", role: str | None = None, wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setObjectName(role)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.NoTextInteraction)
    return widget


class NumericKeypad(QWidget):
    """3x4 keypad; `allow_x` adds the X key used as the last ID-number character."""

    key_pressed = Signal(str)

    def __init__(self, allow_x: bool = False, parent=None):
        super().__init__(parent)
        self._target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setSpacing(8)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X" if allow_x else "C", "0", "⌫"]
        self.buttons: dict[str, QPushButton] = {}
        for index, key in enumerate(keys):
            button = big_button(key, name="key")
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.buttons[key] = button

    def bind(self, line_edit: QLineEdit | None) -> None:
        self._target = line_edit

    def _press(self, key: str) -> None:
        self.key_pressed.emit(key)
        if self._target is None:
            return
        text = self._target.text()
        if key == "⌫":
            text = text[:-1]
        elif key == "C":
            text = ""
        elif self._target.maxLength() > len(text):
            text += key
        self._target.setText(text)
        self._target.textEdited.emit(text)


def qr_pixmap(png: bytes, size_px: int) -> QPixmap:
    """A QR code PNG (made off the GUI thread by kiosk.qr) scaled for the screen."""
    pixmap = QPixmap()
    pixmap.loadFromData(png, "PNG")
    return pixmap.scaled(size_px, size_px, Qt.KeepAspectRatio, Qt.FastTransformation)
