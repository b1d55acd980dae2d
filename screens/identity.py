"""Identity screens: present the ID card, then "I am me" in front of the camera."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from screens.base import KioskView, Screen
from screens.hints import CardReaderHint, LookHereHint
from screens.phone_identity import phone_options, render_phone_options
from screens.texts import FACE_FEEDBACK, FACE_SCREEN, tr
from screens.widgets import big_button, label


def _cancel_row(screen: Screen):
    row = QHBoxLayout()
    screen.cancel_button = big_button()
    screen.cancel_button.clicked.connect(screen.intents.cancel)
    row.addWidget(screen.cancel_button)
    row.addStretch(1)
    return row


class IdentifyScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.instruction = label(role="subtitle")
        # A drawing of the kiosk with the card going onto the reader (was an emoji the
        # kiosk's fonts do not have: an empty box).
        self.reader_art = CardReaderHint()
        self.reader_art.setObjectName("cardHint")
        self.status = label(role="hint")
        for widget in (self.title, self.instruction):
            self.layout_.addWidget(widget)
        self.layout_.addWidget(self.reader_art, 1)
        self.layout_.addWidget(self.status)
        self.phone_hint = label(role="hint")
        self.layout_.addWidget(self.phone_hint)
        # "phone (government app code)" / "app login", if the service takes them: a row of their own,
        # so each long label gets half the width (beside Cancel they were cut off in care mode).
        phone_row = QHBoxLayout()
        phone_options(self, phone_row)
        self.layout_.addLayout(phone_row)
        self.layout_.addLayout(_cancel_row(self))
        self.title_icon_purpose = "id_card"

    def apply_theme(self, theme) -> None:
        super().apply_theme(theme)
        self.reader_art.set_palette(theme.palette)

    def render(self, session, view: KioskView) -> None:
        render_phone_options(self, session)
        self.phone_hint.setText(tr("No ID card with you? You can identify with the government app on your phone.")
                                if len(session.identify_options) > 1 else "")
        self.title.setText(tr("Place your ID card on the reader"))
        self.instruction.setText(tr("The reader is below the screen, marked with the card symbol. "
                                    "Keep the card still until you hear a beep."))
        self.status.setText(tr("Waiting for your card…"))
        self.cancel_button.setText(tr("Cancel"))


class VerifyFaceScreen(Screen):
    """The face step: consent line, mirrored live preview with an oval face
    guide, one guidance line (from the face check's feedback), a progress bar.

    Renders state only: the preview QImage was made on the camera's thread and
    the guidance key comes from kiosk.face_verification via the face flow.
    """

    PREVIEW_SIZE = (640, 480)

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.consent = label(role="hint")
        self.consent.setWordWrap(True)
        # The preview takes the room left by the texts (it was a fixed 640 x 480 picture that
        # lay over the guidance line and the progress bar on a 1280 x 800 panel).
        self.preview = PreviewView()
        self.preview.setObjectName("facePreview")
        self.look_hint = LookHereHint()
        self.look_hint.setObjectName("lookHint")
        self.feedback = label(role="subtitle")
        self.feedback.setAlignment(Qt.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setObjectName("faceProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        for widget in (self.title, self.consent):
            self.layout_.addWidget(widget)
        # Guidance, progress and the "look up here" picture beside the preview, never over it.
        middle = QHBoxLayout()
        middle.addWidget(self.preview, 1)
        side = QVBoxLayout()
        side.addWidget(self.feedback)
        side.addWidget(self.progress)
        side.addWidget(self.look_hint, 1)
        middle.addLayout(side, 1)
        self.layout_.addLayout(middle, 1)
        self.layout_.addLayout(_cancel_row(self))
        self.title_icon_purpose = "face"

    def apply_theme(self, theme) -> None:
        super().apply_theme(theme)
        self.look_hint.set_palette(theme.palette)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Look at the camera"))
        self.consent.setText(tr(FACE_SCREEN["consent"]))
        self.render_preview(session, view)
        if not view.face_models_ready:
            self.feedback.setText(tr("Preparing face verification…"))
        else:
            self.feedback.setText(tr(FACE_FEEDBACK.get(view.face_feedback or "no_face", FACE_FEEDBACK["no_face"])))
        self.progress.setValue(round(100 * max(0.0, min(1.0, view.face_progress))))
        self.cancel_button.setText(tr("Cancel"))

    def render_preview(self, session, view: KioskView) -> None:
        if view.camera_image is not None:
            box = self.preview.size()
            if box.width() < 16 or box.height() < 16:
                box = QSize(*self.PREVIEW_SIZE)         # not laid out yet
            pixmap = QPixmap.fromImage(view.camera_image).scaled(box, Qt.KeepAspectRatio, Qt.FastTransformation)
            draw_face_guide(pixmap, ok=view.face_feedback in ("ok", "turn_left", "turn_right", "blink"),
                            turn=view.face_feedback if view.face_feedback in ("turn_left", "turn_right") else None)
            self.preview.setPixmap(pixmap)
        else:
            self.preview.setText(tr("Starting the camera…"))

    def wipe(self) -> None:
        super().wipe()
        self.preview.clear()  # the live picture of the citizen is biometric data
        self.progress.setValue(0)


class PreviewView(QWidget):
    """The live picture: drawn centred in whatever room the layout gives it. A new frame
    repaints this widget only (no layout pass, unlike QLabel.setPixmap)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pixmap = QPixmap()
        self._text = ""
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(120, 90)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(480, 360)

    def pixmap(self) -> QPixmap:
        return self._pixmap

    def text(self) -> str:
        return self._text

    def setPixmap(self, pixmap: QPixmap) -> None:  # noqa: N802
        self._pixmap, self._text = pixmap, ""
        self.update()

    def setText(self, text: str) -> None:  # noqa: N802
        if text != self._text or not self._pixmap.isNull():
            self._pixmap, self._text = QPixmap(), text
            self.update()

    def clear(self) -> None:
        self._pixmap, self._text = QPixmap(), ""
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        if not self._pixmap.isNull():
            pixmap = self._pixmap
            if pixmap.width() > self.width() or pixmap.height() > self.height():
                pixmap = pixmap.scaled(self.size(), Qt.KeepAspectRatio, Qt.FastTransformation)
            painter.drawPixmap((self.width() - pixmap.width()) // 2, (self.height() - pixmap.height()) // 2, pixmap)
        elif self._text:
            painter.setPen(self.palette().windowText().color())
            painter.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap, self._text)
        painter.end()


def draw_face_guide(pixmap: QPixmap, ok: bool, turn: str | None = None) -> None:
    """An oval where the face should be: green when the frame passes the checks. During a
    turn step, a large arrow beside the oval shows the way: the preview is mirrored, so the
    citizen's left is the screen's left (words alone confuse left and right for many)."""
    width, height = pixmap.width(), pixmap.height()
    oval = QRectF(width * 0.32, height * 0.14, width * 0.36, height * 0.66)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(QPen(QColor("#2e7d32" if ok else "#ffffff"), max(3, width // 120), Qt.DashLine))
    painter.drawEllipse(oval)
    if turn in ("turn_left", "turn_right"):
        sign = -1 if turn == "turn_left" else 1
        tip_x = width * (0.5 + sign * 0.44)
        base_x = width * (0.5 + sign * 0.25)
        mid_y, half = height * 0.47, height * 0.09
        arrow = QPolygonF([QPointF(base_x, mid_y - half / 2), QPointF(base_x + sign * width * 0.10, mid_y - half / 2),
                           QPointF(base_x + sign * width * 0.10, mid_y - half), QPointF(tip_x, mid_y),
                           QPointF(base_x + sign * width * 0.10, mid_y + half),
                           QPointF(base_x + sign * width * 0.10, mid_y + half / 2), QPointF(base_x, mid_y + half / 2)])
        painter.setPen(QPen(QColor("#1b5e20"), max(2, width // 200)))
        painter.setBrush(QColor("#43a047"))
        painter.drawPolygon(arrow)
    painter.end()
