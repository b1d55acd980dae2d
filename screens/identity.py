"""Identity screens: present the ID card, then "I am me" in front of the camera."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout

from screens.base import KioskView, Screen
from screens.texts import FACE_FEEDBACK, tr
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
        self.reader_art = label()
        self.reader_art.setAlignment(Qt.AlignCenter)
        self.status = label(role="hint")
        for widget in (self.title, self.instruction, self.reader_art, self.status):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        self.layout_.addLayout(_cancel_row(self))

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Place your ID card on the reader"))
        self.instruction.setText(tr("The reader is below the screen, marked with the card symbol. "
                                    "Keep the card still until you hear a beep."))
        self.reader_art.setText("🪪  ⬇")
        self.status.setText(tr("Waiting for your card…"))
        self.cancel_button.setText(tr("Cancel"))


class VerifyFaceScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.consent = label(role="hint")
        self.preview = label()
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setMinimumSize(480, 360)
        self.feedback = label(role="subtitle")
        self.feedback.setAlignment(Qt.AlignCenter)
        for widget in (self.title, self.consent, self.preview, self.feedback):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        self.layout_.addLayout(_cancel_row(self))

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Look at the camera"))
        self.consent.setText(tr("Your face is compared once with your ID card photo to confirm it is you. "
                                "No picture is stored."))
        if view.camera_image is not None:
            pixmap = QPixmap.fromImage(view.camera_image).scaled(
                640, 480, Qt.KeepAspectRatio, Qt.FastTransformation)
            self.preview.setPixmap(pixmap)
        else:
            self.preview.setText(tr("Starting the camera…"))
        if not view.face_models_ready:
            self.feedback.setText(tr("Preparing face verification…"))
        else:
            self.feedback.setText(tr(FACE_FEEDBACK.get(view.face_feedback or "no_face", FACE_FEEDBACK["no_face"])))
        self.cancel_button.setText(tr("Cancel"))

    def wipe(self) -> None:
        super().wipe()
        self.preview.clear()  # the live picture of the citizen is biometric data
