"""The prefilled form (built from the catalog's field list) and the confirmation page."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.catalog import localized
from kiosk.pii import mask_id_number
from screens.base import KioskView, Screen, clear_layout
from screens.texts import FIELD_ERRORS, tr
from screens.widgets import NumericKeypad, big_button, label

KEYPAD_TYPES = {"phone": 11, "digits": 32, "id_number": 18}


def display_value(form_field, value: str) -> str:
    # The ID number stays masked on screen: kiosks stand in public halls.
    return mask_id_number(value) if form_field.type == "id_number" else value


class FormScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.layout_.addWidget(self.title)
        body = QHBoxLayout()
        self.fields_host = QWidget()
        self.fields = QGridLayout(self.fields_host)
        self.fields.setVerticalSpacing(10)
        body.addWidget(self.fields_host, 3)
        keypad_column = QVBoxLayout()
        self.keypad = NumericKeypad()
        keypad_column.addWidget(self.keypad)
        keypad_column.addStretch(1)
        body.addLayout(keypad_column, 2)
        self.layout_.addLayout(body)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.cancel_button = big_button()
        self.cancel_button.clicked.connect(intents.cancel)
        self.next_button = big_button(primary=True)
        self.next_button.setObjectName("formNext")
        self.next_button.clicked.connect(intents.submit_form)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.next_button)
        self.layout_.addLayout(row)
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict = {}
        self._built_for = None

    def render(self, session, view: KioskView) -> None:
        service = session.service
        self.title.setText(tr("Check your details"))
        self.cancel_button.setText(tr("Cancel"))
        self.next_button.setText(tr("Next"))
        if service is None:
            return
        build_key = (session.token, service.id, session.language)
        if build_key != self._built_for:
            self._build(session)
            self._built_for = build_key
        values = session.form_values
        for form_field in service.fields:
            line_edit = self.inputs[form_field.id]
            shown = display_value(form_field, values.get(form_field.id, ""))
            if line_edit.text() != shown:
                line_edit.setText(shown)
            problem = session.field_errors.get(form_field.id)
            self.errors[form_field.id].setText(tr(FIELD_ERRORS.get(problem, FIELD_ERRORS["invalid_text"]))
                                               if problem else "")

    def _build(self, session) -> None:
        self.wipe()
        clear_layout(self.fields)
        self.inputs, self.errors = {}, {}
        first_editable = None
        for row, form_field in enumerate(session.service.fields):
            caption = label(localized(form_field.labels, session.language) + ("" if form_field.readonly else " *"))
            line_edit = QLineEdit()
            line_edit.setObjectName(f"field-{form_field.id}")
            line_edit.setReadOnly(form_field.readonly)
            line_edit.setProperty("readOnly", "true" if form_field.readonly else "false")
            if form_field.type in KEYPAD_TYPES:
                line_edit.setMaxLength(KEYPAD_TYPES[form_field.type])
            if not form_field.readonly:
                line_edit.textEdited.connect(lambda text, fid=form_field.id: self.intents.set_field(fid, text))
                if first_editable is None:
                    first_editable = line_edit
            error = label(role="fieldError")
            self.fields.addWidget(caption, row * 2, 0, alignment=Qt.AlignRight | Qt.AlignVCenter)
            self.fields.addWidget(line_edit, row * 2, 1)
            self.fields.addWidget(error, row * 2 + 1, 1)
            self.inputs[form_field.id] = line_edit
            self.errors[form_field.id] = error
        self.keypad.bind(first_editable)
        self.keypad.setVisible(first_editable is not None)

    def wipe(self) -> None:
        super().wipe()
        for error in self.errors.values():
            error.clear()
        self._built_for = None


class ConfirmScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.service_name = label(role="subtitle")
        self.summary_host = QWidget()
        self.summary = QGridLayout(self.summary_host)
        self.notice = label(role="hint")
        for widget in (self.title, self.service_name, self.summary_host, self.notice):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.back_button = big_button()
        self.back_button.clicked.connect(intents.back)
        self.confirm_button = big_button(primary=True)
        self.confirm_button.setObjectName("confirmSubmit")
        self.confirm_button.clicked.connect(intents.confirm)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        self.layout_.addLayout(row)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Please confirm"))
        service = session.service
        if service is None:
            return
        self.service_name.setText(service.name(session.language))
        clear_layout(self.summary)
        values = session.form_values
        for row, form_field in enumerate(service.fields):
            self.summary.addWidget(label(localized(form_field.labels, session.language)), row, 0)
            self.summary.addWidget(label(display_value(form_field, values.get(form_field.id, ""))), row, 1)
        self.notice.setText(tr("By pressing Submit you apply for this service. You will get a receipt."))
        self.back_button.setText(tr("Change"))
        self.confirm_button.setText(tr("Submit"))

    def wipe(self) -> None:
        super().wipe()
        clear_layout(self.summary)
