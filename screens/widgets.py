"""Small reusable widgets: big buttons, the on-screen numeric keypad, QR code.

The keypad is our own (Qt Virtual Keyboard is GPLv3): digits for phone and ID
numbers, with X for the ID check character, delete and clear. It types into
whichever line edit is bound to it and never takes focus from it.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QStackedWidget, QWidget


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


def literal_button_text(text: str) -> str:
    """Outside text for a QPushButton: buttons never render markup, but read '&' as a keyboard
    mnemonic marker; doubled, it is drawn as the '&' the catalog wrote."""
    return text.replace("&", "&&")


def label(text: str = "", role: str | None = None, wrap: bool = True, rich: bool = False) -> QLabel:
    """A screen label. Plain text by default: catalog, card and platform strings are shown
    literally, never interpreted as HTML. `rich=True` only for our own fixed markup, with
    every outside value passed through html.escape first (see StepIndicator)."""
    widget = QLabel()
    widget.setTextFormat(Qt.RichText if rich else Qt.PlainText)
    widget.setText(text)
    if role:
        widget.setObjectName(role)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.NoTextInteraction)
    return widget


class NumericKeypad(QWidget):
    """3x4 keypad; `allow_x` adds the X key used as the last ID-number character."""

    key_pressed = Signal(str)
    COLUMNS = 3
    CLEAR_KEY = "C"

    def __init__(self, allow_x: bool = False, parent=None, columns: int | None = None):
        super().__init__(parent)
        if columns is not None:
            self.COLUMNS = columns
        self._target: QLineEdit | None = None
        self._grid = QGridLayout(self)
        self._grid.setSpacing(6)     # 1 vs 3 mm spacing: no effect on errors (Colle & Hiszem 2004)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for index, key in enumerate(self.keys(allow_x)):
            button = big_button(key, name="key")
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            self._grid.addWidget(button, index // self.COLUMNS, index % self.COLUMNS)
            self.buttons[key] = button
        self.set_allow_x(allow_x)

    @staticmethod
    def keys(allow_x: bool) -> list[str]:
        return ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X" if allow_x else "C", "0", "⌫"]

    def set_allow_x(self, allow_x: bool) -> None:
        """ID numbers need the X check character; phone numbers get Clear instead."""
        corner = self._grid.itemAtPosition(3, 0).widget()
        key = "X" if allow_x else "C"
        self.buttons.pop(corner.text(), None)
        corner.setText(key)
        corner.clicked.disconnect()
        corner.clicked.connect(lambda _=False, k=key: self._press(k))
        self.buttons[key] = corner

    def bind(self, line_edit: QLineEdit | None) -> None:
        self._target = line_edit

    @property
    def target(self) -> QLineEdit | None:
        return self._target

    def _press(self, key: str) -> None:
        self.key_pressed.emit(key)
        if self._target is None:
            return
        text = self._target.text()
        if key == "⌫":
            text = text[:-1]
        elif key == self.CLEAR_KEY:
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


class LatinKeyboard(NumericKeypad):
    """Capital letters and digits (application numbers, passport-style codes):
    our own widget, alphabetical (many elderly users do not know QWERTY); 10 keys a row,
    or `columns=13` (three rows) where the screen is wide but short (1280 x 800: four rows
    of 20 mm keys leave no room for the title and the field)."""

    def __init__(self, parent=None, columns: int = 10):
        super().__init__(False, parent, columns=columns)

    COLUMNS = 10
    CLEAR_KEY = "✕"   # not "C": that is a letter here

    @staticmethod
    def keys(allow_x: bool) -> list[str]:
        return list("1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ") + ["✕", "⌫"]

    def set_allow_x(self, allow_x: bool) -> None:
        pass


class DigitKeypad(NumericKeypad):
    """Digits only, telephone layout (dates typed as six digits): Clear is "✕", as on the
    letter keyboard, so the two keyboards of one screen clear the same way."""

    CLEAR_KEY = "✕"

    def __init__(self, parent=None):
        super().__init__(False, parent)

    @staticmethod
    def keys(allow_x: bool) -> list[str]:
        return ["1", "2", "3", "4", "5", "6", "7", "8", "9", "✕", "0", "⌫"]

    def set_allow_x(self, allow_x: bool) -> None:
        pass


class ChoiceButtons(QWidget):
    """A catalog 'choice' field: one big checkable button per option (no typing,
    no drop-down lists that are hard to hit). Emits the chosen value."""

    chosen = Signal(str)

    def __init__(self, field_id: str, options: list[tuple[str, str]], columns: int = 2, parent=None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for index, (value, text) in enumerate(options):
            button = big_button(literal_button_text(text), name="choice")
            button.setObjectName(f"choice-{field_id}-{value}")
            button.setProperty("choice", "true")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, v=value: self.chosen.emit(v))
            grid.addWidget(button, index // columns, index % columns)
            self.buttons[value] = button

    def show_value(self, value: str | None) -> None:
        for key, button in self.buttons.items():
            button.setChecked(key == value)


class WrappingButton(QPushButton):
    """A big button whose text wraps onto several lines (long service names in
    English or in care mode) instead of being cut off: the text is a word-wrapped
    label inside the button, and the button grows to fit it."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self.setProperty("wrapping", "true")
        self.setFocusPolicy(Qt.NoFocus)
        self.setAutoDefault(False)
        from PySide6.QtWidgets import QVBoxLayout
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setTextFormat(Qt.PlainText)   # service names come from the catalog
        self.label.setText(text)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignCenter)
        self.label.setAttribute(Qt.WA_TransparentForMouseEvents)
        layout.addWidget(self.label)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        self.label.setText(text)
        self.updateGeometry()    # the layout around the button caches its height for a width

    def text(self) -> str:
        return self.label.text()

    # (No changeEvent override: a disabled button disables its label by Qt's own propagation,
    # and a Python changeEvent was called for every style, font and language change.)

    def sizeHint(self):  # noqa: N802
        return self.layout().sizeHint().expandedTo(self.minimumSize())

    def minimumSizeHint(self):  # noqa: N802
        return self.layout().minimumSize().expandedTo(self.minimumSize())

    # Height for width: Qt's own (QWidget asks the layout, whose word-wrapped label has it), in
    # C++. Python overrides here were called thousands of times per screen change by the
    # layouts and were the largest Python item in the soak's GUI-stall samples.


class TouchField(QLineEdit):
    """A field typed into on our own keyboard: `touched` when the citizen taps it (to bind the
    keyboard to it). A 20 mm touch target (the `touchField` style). A mousePressEvent override
    instead of an event filter: a filter is called in Python for every event of the field."""

    touched = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setProperty("touchField", True)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.touched.emit()
        super().mousePressEvent(event)


def touch_scroll_area(content: QWidget):
    """A scroll area that scrolls by dragging a finger (QScroller)."""
    from PySide6.QtWidgets import QScrollArea, QScroller
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    # Real touch only: a mouse-style drag gesture would delay every tap on the fields inside.
    QScroller.grabGesture(area.viewport(), QScroller.TouchGesture)
    return area


class SearchKeyboard(LatinKeyboard):
    """The service search's letter keyboard: A-Z in two rows of 13, alphabetical like the
    application-number keyboard (many elderly users do not know QWERTY), 20 mm keys. Types
    lower-case pinyin / English into the bound line edit; Delete and Clear sit beside the field."""

    COLUMNS = 13

    @staticmethod
    def keys(allow_x: bool) -> list[str]:
        return list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    def _press(self, key: str) -> None:
        super()._press(key.lower() if len(key) == 1 and key.isalpha() else key)


class TileButton(WrappingButton):
    """A choose-service tile: an optional icon on the left, then the word-wrapped text."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        from PySide6.QtWidgets import QHBoxLayout
        old = self.layout()
        old.removeWidget(self.label)
        QWidget().setLayout(old)        # re-parent the old layout away (Qt keeps one layout per widget)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(12)
        self.icon_label = QLabel()
        self.icon_label.setTextFormat(Qt.PlainText)     # shows a pixmap only; never markup
        self.icon_label.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.icon_label.hide()
        row.addWidget(self.icon_label)
        row.addWidget(self.label, 1)
        self.label.setAlignment(Qt.AlignVCenter | Qt.AlignLeft)

    def set_icon(self, pixmap: QPixmap | None) -> None:
        if pixmap is None:
            if not self.icon_label.isHidden():
                self.icon_label.clear()
                self.icon_label.hide()
        else:
            self.icon_label.setPixmap(pixmap)
            self.icon_label.setFixedSize(pixmap.size())
            self.icon_label.show()

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        margins = self.layout().contentsMargins()
        inner = width - margins.left() - margins.right()
        if self.icon_label.isVisibleTo(self):
            inner -= self.icon_label.width() + self.layout().spacing()
        return max(self.label.heightForWidth(inner), self.icon_label.height()) + margins.top() + margins.bottom()


class ScreenStack(QStackedWidget):
    """A QStackedWidget whose size does not depend on its pages: it takes the room its parent
    layout gives it, and a page that needs more must page or scroll (the visual check fails it).

    Why: QStackedLayout::heightForWidth() and sizeHint() ask *every* page, visible or not, and
    a page with word-wrapped labels answers by laying out its text (QLabel::heightForWidth), so
    each layout pass of the window re-laid out the text of all 25 screens: ~40 % of the GUI
    thread's time in the soak (perf, December 2026), and most of a screen change's stall."""

    def hasHeightForWidth(self) -> bool:        # noqa: N802 (Qt's name)
        return False

    def sizeHint(self) -> QSize:                 # noqa: N802
        return QSize(200, 200)

    def minimumSizeHint(self) -> QSize:          # noqa: N802
        return QSize(200, 200)
