"""The prefilled form (built from the catalog's field list) and the confirmation page."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.core.catalog import localized
from kiosk.core.pii import mask_id_number
from screens.base import KioskView, Screen, clear_layout
from screens.payment import fee_notice
from screens.texts import FIELD_ERRORS, tr
from screens.widgets import (ChoiceButtons, LatinKeyboard, NumericKeypad, TouchField, big_button, label,
                             literal_button_text, touch_scroll_area)

def display_value(form_field, value: str, language: str = "zh_CN") -> str:
    # The ID number stays masked on screen: kiosks stand in public halls.
    if form_field.type == "id_number" and form_field.readonly:
        return mask_id_number(value)
    if form_field.type == "choice":
        return form_field.choice_label(value, language) if value else ""
    return value


class FormScreen(Screen):
    """The catalog's fields: card values read-only, choices as buttons, and our
    own keyboard for digits / phone / ID number / capital letters. Errors show
    inline under each field, in the session language."""

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="hint")
        # The keyboard column runs the screen's full height, beside the title, the fields and
        # the buttons: at 1280 x 800 the four 20 mm key rows did not fit between the title and
        # the button row and were squeezed over each other, the last one cut off.
        body = QHBoxLayout()
        body.setSpacing(24)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.hint)
        self.fields_host = QWidget()
        self.fields = QGridLayout(self.fields_host)
        self.fields.setVerticalSpacing(8)
        self.fields.setColumnStretch(1, 1)
        self.scroll = touch_scroll_area(self.fields_host)
        left.addWidget(self.scroll, 1)
        # Care mode (适老化): a long form is shown a page at a time with large page buttons,
        # never scrolled (scrolling is the gesture many elderly users cannot do).
        pager = QHBoxLayout()
        self.previous_page = big_button(name="formPreviousPage")
        self.previous_page.clicked.connect(lambda: self._turn_page(-1))
        self.page_label = label(role="hint", wrap=False)
        self.page_label.setAlignment(Qt.AlignCenter)
        self.next_page = big_button(name="formNextPage")
        self.next_page.clicked.connect(lambda: self._turn_page(1))
        pager.addWidget(self.previous_page)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next_page)
        self.pager = QWidget()
        self.pager.setLayout(pager)
        pager.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.pager)
        row = QHBoxLayout()
        self.cancel_button = big_button()
        self.cancel_button.clicked.connect(intents.cancel)
        self.next_button = big_button(primary=True)
        self.next_button.setObjectName("formNext")
        self.next_button.clicked.connect(intents.submit_form)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.next_button)
        left.addLayout(row)
        body.addLayout(left, 3)
        keypad_column = QVBoxLayout()
        self.keypad_caption = label(role="hint")
        self.keypad = NumericKeypad()
        self.latin_keyboard = LatinKeyboard()
        self.latin_keyboard.hide()
        keypad_column.addWidget(self.keypad_caption)
        keypad_column.addWidget(self.keypad)
        keypad_column.addWidget(self.latin_keyboard)
        keypad_column.addStretch(1)
        body.addLayout(keypad_column, 2)
        self.layout_.addLayout(body, 1)
        self.inputs: dict[str, QLineEdit] = {}
        self.choices: dict[str, ChoiceButtons] = {}
        self.errors: dict = {}
        self._built_for = None
        self._laid_out_for = None       # the widgets' `_layout_key` (service, catalog version, mode, columns)
        self._active_field = None
        self._editable = {}
        self._language = "zh_CN"
        self._scrolled_to = None
        self._rows: list[tuple[str, list[QWidget]]] = []   # field id -> its widgets, in form order
        self._pages: list[list[str]] = []
        self._page = 0
        self._paged = False
        self.pager.hide()
        self.title_icon_purpose = "form"

    def render(self, session, view: KioskView) -> None:
        service = session.service
        self.title.setText(tr("Check your details"))
        self.hint.setText(tr("Fields marked * are required. Touch a field to type in it."))
        self.cancel_button.setText(tr("Cancel"))
        self.next_button.setText(tr("Next"))
        if service is None:
            return
        build_key = (session.token, service.id, session.language, session.care_mode)
        if build_key != self._built_for:
            layout_key = self._layout_key(session)
            if layout_key == self._laid_out_for and self._rows:
                # The same form again: the widgets stay (the session-end wipe emptied them); in another
                # language only their texts change.
                if session.language != self._language:
                    self._retranslate(session)
                self._new_session()
            else:
                self._build(session)
                self._laid_out_for = layout_key
            self._built_for = build_key
        values = session.form_values
        for form_field in service.fields:
            value = values.get(form_field.id, "")
            if form_field.id in self.choices:
                self.choices[form_field.id].show_value(value)
            else:
                line_edit = self.inputs[form_field.id]
                shown = display_value(form_field, value, session.language)
                if line_edit.text() != shown:
                    line_edit.setText(shown)
            problem = session.field_errors.get(form_field.id)
            self.errors[form_field.id].setText(tr(FIELD_ERRORS.get(problem, FIELD_ERRORS["invalid_text"]))
                                               if problem else "")
        self._show_keyboard()
        first_error = next((f.id for f in service.fields if f.id in session.field_errors), None)
        self.previous_page.setText(tr("Previous page"))
        self.next_page.setText(tr("Next page"))
        if self._paged:
            if first_error is not None and first_error != self._scrolled_to:
                self._show_page(next(i for i, page in enumerate(self._pages) if first_error in page))
            else:
                self._show_page(self._page)
        elif first_error is not None and first_error != self._scrolled_to:
            # The first problem may be below the fold on a long (bundle) form.
            # After the layout has placed a freshly built form, hence the zero-delay timer.
            target = self.errors[first_error]
            QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(target, 0, target.height() * 6)
                              if target.isVisible() else None)
        self._scrolled_to = first_error

    @staticmethod
    def _caption_text(form_field, language: str) -> str:
        return localized(form_field.labels, language) + ("" if form_field.readonly or not form_field.required
                                                         else " *")

    @staticmethod
    def _choice_columns(form_field, language: str, care_mode: bool) -> int:
        """Two columns only for short (Chinese) option names."""
        longest = max((len(localized(c.labels, language)) for c in form_field.choices), default=0)
        return 1 if care_mode or longest > 6 else 2

    def _layout_key(self, session) -> tuple:
        """What decides the form's widgets: service, catalog version, care mode and the choice
        fields' columns. The language is not in it (its texts are set by `_retranslate`) unless it
        changes a choice field's columns."""
        catalog = session.catalog
        columns = tuple(self._choice_columns(f, session.language, session.care_mode)
                        for f in session.service.fields if f.type == "choice")
        return (session.service.id, catalog.version if catalog is not None else None, session.care_mode, columns)

    def _retranslate(self, session) -> None:
        """The same form in another language: new texts on the kept widgets. Building it again cost
        40-70 ms of the GUI thread in one go (bench/soak.py, whose sessions take turns in three
        languages): the longest stalls of the 1,000-session soak."""
        lang = self._language = session.language
        rows = dict(self._rows)
        for form_field in session.service.fields:
            caption = rows[form_field.id][0]
            caption.setText(self._caption_text(form_field, lang))
            choice = self.choices.get(form_field.id)
            if choice is not None:
                for option in form_field.choices:
                    choice.buttons[option.value].setText(literal_button_text(localized(option.labels, lang)))

    def _build(self, session) -> None:
        self.wipe()
        clear_layout(self.fields)
        self.inputs, self.choices, self.errors = {}, {}, {}
        self._editable = {}
        self._scrolled_to = None
        self._rows = []
        first_editable = None
        lang = self._language = session.language
        for row, form_field in enumerate(session.service.fields):
            caption = label(self._caption_text(form_field, lang))
            if form_field.type == "choice":
                editor = ChoiceButtons(form_field.id, [(c.value, localized(c.labels, lang))
                                                       for c in form_field.choices],
                                       columns=self._choice_columns(form_field, lang, session.care_mode))
                editor.chosen.connect(lambda value, fid=form_field.id: self.intents.set_field(fid, value))
                self.choices[form_field.id] = editor
            else:
                editor = TouchField() if not form_field.readonly else QLineEdit()
                editor.setObjectName(f"field-{form_field.id}")
                editor.setReadOnly(form_field.readonly or form_field.keyboard is not None)
                editor.setProperty("readOnly", "true" if form_field.readonly else "false")
                editor.setMaxLength(form_field.limit if not form_field.readonly else 32767)
                self.inputs[form_field.id] = editor
                if not form_field.readonly:
                    editor.textEdited.connect(lambda text, fid=form_field.id: self.intents.set_field(fid, text))
                    editor.touched.connect(lambda e=editor: self._activate(e))
                    self._editable[editor] = form_field
                    if first_editable is None:
                        first_editable = editor
            error = label(role="fieldError")
            error.setObjectName("fieldError")
            self.fields.addWidget(caption, row * 2, 0, alignment=Qt.AlignRight | Qt.AlignVCenter)
            self.fields.addWidget(editor, row * 2, 1)
            self.fields.addWidget(error, row * 2 + 1, 1)
            self.errors[form_field.id] = error
            self._rows.append((form_field.id, [caption, editor, error]))
        self._paged = session.care_mode
        self._page = 0
        self._paginate()
        if self._paged:
            QTimer.singleShot(0, self._paginate)     # again once the layout has sized the form area
        self._activate(first_editable)

    def _new_session(self) -> None:
        """A new session's citizen chose the form the previous one used (same service, catalog and
        mode; another language only relabels them, `_retranslate`): its widgets are kept, as the wipe at the end of that session left them
        (no value, no error), instead of being built again (6-10 ms of the GUI thread per session,
        bench/soak.py). Starts as _build ends: first page, first editable field."""
        self._scrolled_to = None
        self._page = 0
        self._paginate()
        if self._paged:
            QTimer.singleShot(0, self._paginate)
        self._activate(next(iter(self._editable), None))

    # --- care mode: pages instead of scrolling -----------------------------------------

    def _paginate(self) -> None:
        """Splits the fields into pages that fit the form area (care mode only)."""
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff if self._paged else Qt.ScrollBarAsNeeded)
        if not self._paged:
            self._pages = [[field_id for field_id, _ in self._rows]]
            self.pager.hide()
            return
        self.pager.show()
        room = self.scroll.viewport().height()
        if room < 100:                                    # before the first layout: a guess
            room = max(200, self.height() // 2)
        spacing = self.fields.verticalSpacing()
        pages: list[list[str]] = [[]]
        used = 0
        for field_id, widgets in self._rows:
            caption, editor, error = widgets
            editor_h = max(editor.sizeHint().height(), editor.minimumSizeHint().height(), caption.sizeHint().height())
            need = editor_h + (error.sizeHint().height() if error.text() else 0) + 2 * spacing
            if pages[-1] and used + need > room:
                pages.append([])
                used = 0
            pages[-1].append(field_id)
            used += need
        self._pages = pages
        self._page = min(self._page, len(pages) - 1)
        self._show_page(self._page)

    def _show_page(self, page: int) -> None:
        if not self._paged or not self._pages:
            return
        self._page = max(0, min(page, len(self._pages) - 1))
        shown = set(self._pages[self._page])
        for field_id, widgets in self._rows:
            for widget in widgets:
                widget.setVisible(field_id in shown)
        self.page_label.setText(tr("Page %d of %d") % (self._page + 1, len(self._pages)))
        self.previous_page.setEnabled(self._page > 0)
        self.next_page.setEnabled(self._page < len(self._pages) - 1)
        self.pager.setVisible(len(self._pages) > 1)

    def _turn_page(self, step: int) -> None:
        self._show_page(self._page + step)
        self.intents.touch()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        if self._paged and self._rows:
            self._paginate()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._paged and self._rows:
            QTimer.singleShot(0, self._paginate)

    def _activate(self, line_edit) -> None:
        """Binds the right keyboard to the touched field and marks it."""
        self._active_field = self._editable.get(line_edit) if line_edit is not None else None
        for editor in self._editable:
            editor.setProperty("active", "true" if editor is line_edit else "false")
            editor.style().unpolish(editor)      # re-apply the style sheet: the active field gets a thick border
            editor.style().polish(editor)
        keyboard = self._active_field.keyboard if self._active_field else None
        self.keypad.bind(line_edit if keyboard in ("digits", "id_digits") else None)
        self.keypad.set_allow_x(keyboard == "id_digits")
        self.latin_keyboard.bind(line_edit if keyboard == "latin" else None)
        self._show_keyboard()

    def _show_keyboard(self) -> None:
        keyboard = self._active_field.keyboard if self._active_field else None
        self.keypad.setVisible(keyboard in ("digits", "id_digits"))
        self.latin_keyboard.setVisible(keyboard == "latin")
        self.keypad_caption.setText(tr("Typing into: %s") % localized(self._active_field.labels,
                                                                      self._language)
                                    if keyboard else "")

    def wipe(self) -> None:
        super().wipe()
        for error in self.errors.values():
            error.clear()
        for choice in self.choices.values():
            choice.show_value(None)
        self.keypad.bind(None)
        self.latin_keyboard.bind(None)
        self._built_for = None          # the next session re-enters through _new_session or _build
        self._active_field = None


class ConfirmScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.service_name = label(role="subtitle")
        self.summary_host = QWidget()
        self.summary = QGridLayout(self.summary_host)
        self.summary.setContentsMargins(0, 0, 0, 0)     # the screen's own margins already frame it
        self.notice = label(role="hint")
        self.fee = label()
        self.fee.setObjectName("feeNotice")
        for widget in (self.title, self.service_name, self.summary_host, self.fee, self.notice):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.back_button = big_button()
        self.back_button.clicked.connect(intents.back)
        self.confirm_button = big_button(primary=True)
        self.confirm_button.setObjectName("confirmSubmit")
        self.title_icon_purpose = "confirm"
        self.confirm_button.clicked.connect(intents.confirm)
        # Supporting materials by camera (screens/documents.py), when the service lists any.
        self.documents_button = big_button(name="openDocuments")
        self.documents_button.clicked.connect(intents.open_documents)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.documents_button)
        row.addWidget(self.confirm_button)
        self.layout_.addLayout(row)
        self._summary_shows = None      # what the summary rows show (session, service, language, mode, values)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Please confirm"))
        service = session.service
        if service is None:
            return
        name = service.name(session.language)
        if service.is_bundle:   # 一件事: say plainly that this one submission covers every item
            name += "\n" + tr("Submitted together:") + " " + (", " if session.language == "en" else "、").join(
                localized(n, session.language) for n in service.item_names)
        self.service_name.setText(name)
        values = session.form_values
        shown = (session.token, id(service), session.language, session.care_mode,
                 tuple(values.get(f.id, "") for f in service.fields))
        if shown != self._summary_shows:        # (rendered again at every change while it is up)
            self._summary_shows = shown
            clear_layout(self.summary)
            for row, form_field in enumerate(service.fields):
                self.summary.addWidget(label(localized(form_field.labels, session.language)), row, 0)
                value = label(display_value(form_field, values.get(form_field.id, ""), session.language))
                value.setProperty("cardValue", bool(form_field.prefill))   # the card's own text (e.g. a Chinese address)
                self.summary.addWidget(value, row, 1)
        self.fee.setText(fee_notice(session, view, for_confirm=True))   # 统一支付 (screens/payment.py)
        # A free service has no fee line: an empty label would still take a line's height (in care
        # mode at 1280 x 800 that squeezed the summary rows until their text was cut off).
        self.fee.setVisible(bool(self.fee.text()))
        self.notice.setText(tr("By pressing Submit you apply for this service. You will get a receipt."))
        self.back_button.setText(tr("Change"))
        self.confirm_button.setText(tr("Submit"))
        self.documents_button.setVisible(bool(session.scan_materials))
        self.documents_button.setText(tr("Scan documents (%d pages)") % session.page_count)

    def wipe(self) -> None:
        super().wipe()
        clear_layout(self.summary)
        self._summary_shows = None
