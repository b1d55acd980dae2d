"""Passport key entry: a passport's chip answers only to a key made from data
printed on its photo page (ICAO 9303 Basic Access Control), so the citizen
types the passport number, date of birth and expiry date on our keyboard -- or lets the
camera read them from the photo page's MRZ (kiosk/mrz_ocr.py; typing stays the fallback,
with the reason when the camera could not help).

One question per page, as a kiosk for elderly users asks it: the passport number (letter
keyboard), then the date of birth, then the expiry date (a digit keypad beside the field),
with "2 of 3" in the title and large Previous / Next buttons. Next on a page whose answer is
incomplete asks the session, which names what is missing (its validation, not ours); Next on
the last page ("Read passport") submits. An error the session reports brings its question
back. Three 20 mm key rows, the field and the buttons fit a 1280 x 800 panel in care mode.

The typed values are personal data: they leave this screen once, through
`intents.submit_mrz`, for one read, and are wiped with the screen. After a
wrong entry the values stay so the citizen can correct one of them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from screens.base import KioskView, Screen
from screens.texts import MRZ_ERRORS, tr
from screens.widgets import DigitKeypad, LatinKeyboard, TouchField, big_button, label

# (field, max length): the order the photo page is read in, one page each.
MRZ_FIELDS = (("document_number", 9), ("birth_date", 6), ("expiry_date", 6))
# Shortest answer that lets Next move on without asking the session (a date is six digits).
MIN_LENGTH = {"document_number": 5, "birth_date": 6, "expiry_date": 6}
# The session's errors that belong to one question; any other error (the chip refused the
# key, the camera could not help) is shown on every page.
ERROR_FIELD = {"mrz_document_number": "document_number", "mrz_birth_date": "birth_date",
               "mrz_expiry_date": "expiry_date"}


def question(key: str) -> str:
    """A page's title: the question, short enough for one line in care mode (the date format
    is in the hint beside the field)."""
    return {"document_number": tr("Passport number"), "birth_date": tr("Date of birth"),
            "expiry_date": tr("Date of expiry")}[key]


class MrzEntryScreen(Screen):
    compact_spacing = True      # three 20 mm key rows, the question and the buttons in 800 px

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")            # the question, with "(2 of 3)"
        self.title_icon_purpose = "passport"
        self.layout_.addWidget(self.title)
        # The question row: the field, beside it what to type (or the error, in its place).
        question_row = QHBoxLayout()
        answer = QVBoxLayout()
        self.fields: dict[str, QLineEdit] = {}
        for key, max_length in MRZ_FIELDS:
            edit = TouchField()
            edit.setObjectName(f"mrz-{key}")
            edit.setReadOnly(True)              # typed on our keyboard only
            edit.setMaxLength(max_length)
            edit.touched.connect(lambda k=key: self.select(k))
            answer.addWidget(edit)
            self.fields[key] = edit
        answer.addStretch(1)
        question_row.addLayout(answer, 1)
        self.hint = label(role="subtitle")
        self.error = label(role="error")
        self.error.setObjectName("error")
        question_row.addWidget(self.hint, 2, Qt.AlignTop)
        question_row.addWidget(self.error, 2, Qt.AlignTop)
        # Dates: a telephone-style digit keypad beside the field (the letter keyboard's three
        # rows below it would not leave room for the keypad's four).
        self.digits = DigitKeypad()
        question_row.addWidget(self.digits, 0, Qt.AlignTop)   # the date pages only
        self.layout_.addLayout(question_row)
        # The passport number: letters and digits, 13 keys a row across the width.
        self.letters = LatinKeyboard(columns=13)
        self.layout_.addWidget(self.letters, 0, Qt.AlignLeft)
        # Camera (issue 16): the photo page under the camera answers all three questions; while
        # it reads, its picture and status take the keyboard's place.
        self.camera_box = QWidget()
        camera_row = QHBoxLayout(self.camera_box)
        camera_row.setContentsMargins(0, 0, 0, 0)
        self.camera_preview = QLabel()
        self.camera_preview.setTextFormat(Qt.PlainText)
        self.camera_preview.setFixedSize(320, 180)
        self.camera_status = label()
        self.camera_status.setObjectName("mrzCameraStatus")
        camera_row.addWidget(self.camera_preview, 0, Qt.AlignTop)
        camera_row.addWidget(self.camera_status, 1, Qt.AlignTop)
        self.camera_box.setVisible(False)
        self.layout_.addWidget(self.camera_box)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.cancel_button = big_button()
        self.cancel_button.clicked.connect(intents.cancel)
        self.camera_button = big_button(name="mrzCamera")
        self.camera_button.clicked.connect(self._camera_pressed)
        self.previous_button = big_button(name="mrzPrevious")
        self.previous_button.clicked.connect(lambda: self._step(-1))
        # "Next" on the first two questions, "Read passport" on the last: one primary button.
        self.submit_button = big_button(primary=True, name="mrzSubmit")
        self.submit_button.clicked.connect(self._next)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.camera_button)
        row.addWidget(self.previous_button)
        row.addWidget(self.submit_button)
        self.layout_.addLayout(row)
        self.scanning = False
        self.mrz_error: str | None = None
        self.active = ""
        self.select("document_number")

    @property
    def keyboard(self):
        """The keyboard of the question on screen (letters, or digits for a date)."""
        return self.letters if self.active == "document_number" else self.digits

    def select(self, key: str) -> None:
        """Shows the question for `key`: its field (bound to its keyboard), texts and buttons."""
        self.active = key
        for name, edit in self.fields.items():
            edit.setVisible(name == key)
            # The theme's active-field border (as on the form screen), in every palette.
            edit.setProperty("active", "true" if name == key else "false")
            edit.style().unpolish(edit)
            edit.style().polish(edit)
        self.letters.bind(self.fields[key] if key == "document_number" else None)
        self.digits.bind(None if key == "document_number" else self.fields[key])
        self._show_page()

    def _index(self) -> int:
        return [k for k, _n in MRZ_FIELDS].index(self.active)

    def _step(self, delta: int) -> None:
        keys = [k for k, _n in MRZ_FIELDS]
        self.select(keys[min(max(self._index() + delta, 0), len(keys) - 1)])

    def _next(self) -> None:
        last = self._index() == len(MRZ_FIELDS) - 1
        if not last and len(self.fields[self.active].text()) >= MIN_LENGTH[self.active]:
            self._step(1)
        else:   # the last page, or an incomplete answer: the session checks and says what is wrong
            self._submit()

    def _show_page(self) -> None:
        """Texts and visibility for the current question (also after a language change)."""
        index, first = self._index(), self.active == "document_number"
        self.title.setText(question(self.active) + "  " + tr("(%d of %d)") % (index + 1, len(MRZ_FIELDS)))
        self.hint.setText(tr("From the photo page of your passport: the chip opens only with these details.")
                          if first else tr("Six digits: year, month, day (6 August 1969 = 690806)."))
        field_of_error = ERROR_FIELD.get(self.mrz_error or "")
        error = self.mrz_error in MRZ_ERRORS and field_of_error in (None, self.active)
        self.error.setText(tr(MRZ_ERRORS[self.mrz_error]) if self.mrz_error in MRZ_ERRORS else "")
        self.error.setVisible(error)
        self.hint.setVisible(not error)
        self.letters.setVisible(first and not self.scanning)
        self.digits.setVisible(not first)
        self.camera_box.setVisible(first and self.scanning)
        self.camera_button.setVisible(first)
        self.camera_button.setText(tr("Type instead") if self.scanning else tr("Read the photo page with the camera"))
        self.previous_button.setVisible(not first)
        self.previous_button.setText(tr("Previous"))
        self.cancel_button.setText(tr("Cancel"))
        last = index == len(MRZ_FIELDS) - 1
        self.submit_button.setText(tr("Read passport") if last else tr("Next"))
        self.submit_button.setEnabled(not self.scanning)

    def _camera_pressed(self) -> None:
        if self.scanning:
            self.intents.stop_mrz_scan()
        else:
            self.intents.scan_mrz()

    def render_preview(self, session, view: KioskView) -> None:
        image = view.document_image if session.mrz_scanning else None
        if image is not None:
            self.camera_preview.setPixmap(QPixmap.fromImage(image).scaled(
                self.camera_preview.width(), self.camera_preview.height(), Qt.KeepAspectRatio))
        else:
            self.camera_preview.setPixmap(QPixmap())

    def _submit(self) -> None:
        self.mrz_error = None      # the answer, even the same error again, brings its question back
        self.intents.submit_mrz(*(self.fields[key].text() for key, _n in MRZ_FIELDS))

    def render(self, session, view: KioskView) -> None:
        error = session.mrz_error
        if error != self.mrz_error and error is not None:
            # A new error brings back its question (the first one when it concerns all three).
            self.mrz_error = error
            self.select(ERROR_FIELD.get(error, "document_number"))
        self.mrz_error = error
        self.scanning = session.mrz_scanning
        if self.scanning and self.active != "document_number":
            self.select("document_number")
        self.camera_status.setText(tr("Reading the two lines at the bottom of the photo page… Hold the passport "
                                      "open and still under the camera."))
        self._show_page()
        self.render_preview(session, view)

    def wipe(self) -> None:
        super().wipe()             # clears the three fields
        self.camera_preview.setPixmap(QPixmap())
        self.error.clear()
        self.mrz_error = None
        self.scanning = False
        self.select("document_number")
