"""Drawn hints: where the card goes, where to look, where the receipt comes out.

Pictures instead of words for the three places a citizen must find on the kiosk body
(many elderly citizens read slowly; a picture with an arrow is understood at a glance).
Each hint is a QWidget painted with QPainter from the theme's palette (`set_palette`), so
it is sharp at every size, follows care mode's high-contrast palette, and costs no image
files. The drawing is laid out in a 100 x 100 box scaled to the widget (aspect kept).

The kiosk's body in every picture: the screen at the top, the ID-card reader on the desk
below it, the camera above the screen, the receipt printer's slot at the right of the desk
(the layout of the Guangdong 一体机 terminals; a site with another body changes
`KIOSK_PARTS` below).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from screens.theme import NORMAL, Palette

# Where the parts sit in the 100 x 100 drawing (x, y, width, height).
KIOSK_PARTS = {
    "screen": (22, 18, 56, 40),
    "camera": (47, 10, 6, 5),
    "desk": (10, 64, 80, 10),
    "reader": (30, 65, 24, 7),
    "printer_slot": (64, 67, 18, 3),
}


class Hint(QWidget):
    """Base of the drawn hints: palette, scaling to a 100 x 100 box, arrows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.palette_ = NORMAL
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(0, 0)     # gives way first when the texts need the room (care mode)
        self.setAttribute(Qt.WA_OpaquePaintEvent, False)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(240, 240)

    def set_palette(self, palette: Palette) -> None:
        if palette != self.palette_:
            self.palette_ = palette
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        side = min(self.width(), self.height())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.translate((self.width() - side) / 2, (self.height() - side) / 2)
        painter.scale(side / 100.0, side / 100.0)
        self.draw(painter, self.palette_)
        painter.end()

    def draw(self, painter: QPainter, p: Palette) -> None:
        raise NotImplementedError

    # --- shared drawing ------------------------------------------------------------------

    @staticmethod
    def kiosk_body(painter: QPainter, p: Palette, highlight: str) -> None:
        """The kiosk outline; the part the hint is about is filled with the accent colour."""
        painter.setPen(QPen(QColor(p.muted), 1.2))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(QRectF(18, 6, 64, 56), 3, 3)          # the body around the screen
        for name, (x, y, w, h) in KIOSK_PARTS.items():
            rect = QRectF(x, y, w, h)
            if name == highlight:
                painter.setPen(QPen(QColor(p.accent), 1.6))
                painter.setBrush(QColor(p.accent))
            else:
                painter.setPen(QPen(QColor(p.muted), 1.0))
                painter.setBrush(QColor(p.panel))
            painter.drawRoundedRect(rect, 1.2, 1.2)

    @staticmethod
    def arrow(painter: QPainter, p: Palette, start: QPointF, end: QPointF, width: float = 3.0) -> None:
        """A thick arrow from start to end in the accent colour (the way to go)."""
        painter.setPen(QPen(QColor(p.accent), width, Qt.SolidLine, Qt.RoundCap))
        painter.drawLine(start, end)
        direction = end - start
        length = max(1e-6, (direction.x() ** 2 + direction.y() ** 2) ** 0.5)
        unit = QPointF(direction.x() / length, direction.y() / length)
        normal = QPointF(-unit.y(), unit.x())
        head = 3.2 * width
        base = end - unit * head
        painter.setBrush(QColor(p.accent))
        painter.setPen(Qt.NoPen)
        painter.drawPolygon(QPolygonF([end + unit * 1.0, base + normal * head * 0.6, base - normal * head * 0.6]))


class CardReaderHint(Hint):
    """The ID card moving down onto the reader on the desk below the screen."""

    def draw(self, painter: QPainter, p: Palette) -> None:
        self.kiosk_body(painter, p, "reader")
        card = QRectF(32, 80, 20, 13)
        painter.setPen(QPen(QColor(p.ink), 1.2))
        painter.setBrush(QColor(p.paper))
        painter.drawRoundedRect(card, 1.5, 1.5)
        painter.setBrush(QColor(p.muted))
        painter.setPen(Qt.NoPen)
        painter.drawRect(QRectF(34, 83, 5, 6))                     # the photo on the card
        for row in range(3):
            painter.drawRect(QRectF(41, 83.5 + row * 2.2, 9, 1))
        self.arrow(painter, p, QPointF(60, 90), QPointF(50, 73), width=2.2)


class LookHereHint(Hint):
    """An eye looking up at the camera above the screen."""

    def draw(self, painter: QPainter, p: Palette) -> None:
        self.kiosk_body(painter, p, "camera")
        eye = QPainterPath()
        eye.moveTo(35, 40)
        eye.quadTo(50, 28, 65, 40)
        eye.quadTo(50, 52, 35, 40)
        painter.setPen(QPen(QColor(p.ink), 1.6))
        painter.setBrush(QColor(p.paper))
        painter.drawPath(eye)
        painter.setBrush(QColor(p.ink))
        painter.drawEllipse(QPointF(50, 37), 4.5, 4.5)             # the pupil, looking up
        self.arrow(painter, p, QPointF(50, 30), QPointF(50, 16), width=2.2)


class ReceiptHint(Hint):
    """The receipt coming out of the printer slot at the right of the desk."""

    def draw(self, painter: QPainter, p: Palette) -> None:
        self.kiosk_body(painter, p, "printer_slot")
        paper = QPainterPath()
        paper.moveTo(66, 70)
        paper.lineTo(80, 70)
        paper.lineTo(80, 90)
        for step in range(4):                                      # the torn edge
            paper.lineTo(80 - 1.75 - step * 3.5, 92)
            paper.lineTo(80 - 3.5 - step * 3.5, 90)
        paper.closeSubpath()
        painter.setPen(QPen(QColor(p.ink), 1.0))
        painter.setBrush(QColor(p.paper))
        painter.drawPath(paper)
        painter.setPen(QPen(QColor(p.muted), 1.0))
        for row in range(3):
            painter.drawLine(QPointF(69, 75 + row * 4), QPointF(77, 75 + row * 4))
        self.arrow(painter, p, QPointF(50, 86), QPointF(63, 86), width=2.2)
