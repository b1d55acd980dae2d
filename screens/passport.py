"""Passport key entry: a passport's chip answers only to a key made from data
printed on its photo page (ICAO 9303 Basic Access Control), so the citizen
types the passport number, date of birth and expiry date on our keyboard -- or lets the
camera read them from the photo page's MRZ (kiosk/mrz_ocr.py; typing stays the fallback,
with the reason when the camera could not help).

The typed values are personal data: they leave this screen once, through
`intents.submit_mrz`, for one read, and are wiped with the screen. After a
wrong entry the values stay so the citizen can correct one of them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from screens.base import KioskView, Screen
from screens.texts import MRZ_CAPTIONS, MRZ_ERRORS, tr
from screens.widgets import LatinKeyboard, TouchField, big_button, label

# (field, max length): the order the photo page is read in. Captions: screens.texts.MRZ_CAPTIONS.
MRZ_FIELDS = (("document_number", 9), ("birth_date", 6), ("expiry_date", 6))


class MrzEntryScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.hint)
        # Camera (issue 16): the photo page under the camera fills the three fields' job; its
        # button sits in the bottom row, its status and preview under the error line.
        self.camera_button = big_button(name="mrzCamera")
        self.camera_button.clicked.connect(self._camera_pressed)
        self.camera_status = label()
        self.camera_status.setObjectName("mrzCameraStatus")
        self.camera_preview = QLabel()
        self.camera_preview.setTextFormat(Qt.PlainText)
        self.camera_preview.setFixedSize(320, 180)
        self.camera_preview.setVisible(False)
        self.scanning = False
        self.error = label(role="error")  # above the fields, where the eye starts
        self.error.setObjectName("error")
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.camera_status)
        self.layout_.addWidget(self.camera_preview)
        # The three fields side by side (each caption above its field, room to wrap in care
        # mode), the keyboard across the width below them: three rows of 20 mm keys fit a
        # 1280 x 800 panel, four rows beside the fields did not.
        fields_row = QHBoxLayout()
        self.fields: dict[str, QLineEdit] = {}
        self.captions = {}
        for key, max_length in MRZ_FIELDS:
            caption = label()
            edit = TouchField()
            edit.setObjectName(f"mrz-{key}")
            edit.setReadOnly(True)              # typed on our keyboard only
            edit.setMaxLength(max_length)
            edit.touched.connect(lambda k=key: self.select(k))   # the keyboard types into the touched field
            edit.textChanged.connect(lambda text, k=key, n=max_length: self._advance(k, text, n))
            column = QVBoxLayout()
            column.addWidget(caption)
            column.addWidget(edit)
            fields_row.addLayout(column, 1)
            self.fields[key], self.captions[key] = edit, caption
        self.layout_.addLayout(fields_row)
        self.keyboard = LatinKeyboard(columns=13)
        self.layout_.addWidget(self.keyboard, 0, Qt.AlignLeft)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.cancel_button = big_button()
        self.cancel_button.clicked.connect(intents.cancel)
        self.submit_button = big_button(primary=True, name="mrzSubmit")
        self.title_icon_purpose = "passport"
        self.submit_button.clicked.connect(self._submit)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.camera_button)
        row.addWidget(self.submit_button)
        self.layout_.addLayout(row)
        self.active = ""
        self.select("document_number")

    def select(self, key: str) -> None:
        self.active = key
        self.keyboard.bind(self.fields[key])
        for name, edit in self.fields.items():
            # The theme's active-field border (as on the form screen), in every palette.
            edit.setProperty("active", "true" if name == key else "false")
            edit.style().unpolish(edit)
            edit.style().polish(edit)

    def _advance(self, key: str, text: str, max_length: int) -> None:
        """A complete date moves the keyboard on to the next field (no hunting for it)."""
        keys = [k for k, _n in MRZ_FIELDS]
        if key == self.active and key != "document_number" and len(text) == max_length:
            following = keys[keys.index(key) + 1:]
            if following:
                self.select(following[0])

    def _camera_pressed(self) -> None:
        if self.scanning:
            self.intents.stop_mrz_scan()
        else:
            self.intents.scan_mrz()

    def render_preview(self, session, view: KioskView) -> None:
        image = view.document_image if session.mrz_scanning else None
        self.camera_preview.setVisible(image is not None)
        if image is not None:
            self.camera_preview.setPixmap(QPixmap.fromImage(image).scaled(
                self.camera_preview.width(), self.camera_preview.height(), Qt.KeepAspectRatio))
        else:
            self.camera_preview.setPixmap(QPixmap())

    def _submit(self) -> None:
        self.intents.submit_mrz(*(self.fields[key].text() for key, _n in MRZ_FIELDS))

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Enter the details from your passport"))
        self.hint.setText(tr("The passport's chip opens only with these details from the photo page. "
                             "Type each date as six digits: year, month, day (6 August 1969 = 690806)."))
        for key, _max_length in MRZ_FIELDS:
            self.captions[key].setText(tr(MRZ_CAPTIONS[key]))
        self.error.setText(tr(MRZ_ERRORS[session.mrz_error]) if session.mrz_error in MRZ_ERRORS else "")
        self.error.setVisible(bool(self.error.text()))
        self.cancel_button.setText(tr("Cancel"))
        self.submit_button.setText(tr("Read passport"))
        self.scanning = session.mrz_scanning
        self.camera_button.setText(tr("Type instead") if self.scanning else tr("Read the photo page with the camera"))
        self.camera_status.setText(
            tr("Reading the two lines at the bottom of the photo page… Hold the passport open and still under "
               "the camera.") if self.scanning else
            tr("Or lay the passport open at the photo page under the camera: it reads these details for you."))
        self.submit_button.setEnabled(not self.scanning)
        self.render_preview(session, view)

    def wipe(self) -> None:
        super().wipe()             # clears the three fields
        self.camera_preview.setPixmap(QPixmap())
        self.error.clear()
        self.select("document_number")
