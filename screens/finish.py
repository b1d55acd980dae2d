"""After confirming: submitting, the receipt, the 好差评 rating, and the error screen."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.session import NEGATIVE_LEVELS, RATING_LEVELS
from screens.base import KioskView, Screen
from screens.hints import ReceiptHint
from screens.payment import paid_text
from screens.texts import ERROR_MESSAGES, NEGATIVE_RATING_REASONS, PRINT_STATUS, RATING_LABELS, tr
from screens.widgets import big_button, label, qr_pixmap


class SubmittingScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.layout_.addStretch(1)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignCenter)
        self.hint = label(role="subtitle")
        self.hint.setAlignment(Qt.AlignCenter)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.hint)
        self.layout_.addStretch(2)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Submitting your application…"))
        self.hint.setText(tr("Please wait. Do not take your card yet."))


class ReceiptScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.layout_.addWidget(self.title)
        self.paid = label(role="hint")          # 统一支付: amount and payment reference (screens/payment.py)
        self.paid.setObjectName("receiptPaid")
        self.layout_.addWidget(self.paid)
        body = QHBoxLayout()
        text_column = QVBoxLayout()
        self.number_caption = label(role="subtitle")
        self.number = label(role="bigNumber")
        self.number.setObjectName("bigNumber")
        self.offline_note = label(role="hint")
        self.expected = label()
        self.print_status = label(role="ok")
        for widget in (self.number_caption, self.number, self.offline_note, self.expected, self.print_status):
            text_column.addWidget(widget)
        text_column.addStretch(1)
        body.addLayout(text_column, 3)
        # Where the receipt comes out (shown while it prints and once it is printed).
        self.receipt_hint = ReceiptHint()
        self.receipt_hint.setObjectName("receiptHint")
        body.addWidget(self.receipt_hint, 2)
        self.qr = label()
        self.qr.setAlignment(Qt.AlignCenter)
        body.addWidget(self.qr, 2)
        self.layout_.addLayout(body, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = big_button(primary=True)
        self.done_button.setObjectName("receiptDone")
        self.done_button.clicked.connect(intents.finish_receipt)
        self.title_icon_purpose = "receipt"
        row.addWidget(self.done_button)
        self.layout_.addLayout(row)
        self._qr_payload = None

    def apply_theme(self, theme) -> None:
        super().apply_theme(theme)
        self.receipt_hint.set_palette(theme.palette)

    def render(self, session, view: KioskView) -> None:
        outcome = session.outcome
        if outcome is None:
            return
        kind = session.service.receipt.kind if session.service else "acceptance"
        self.title.setText({"queue_ticket": tr("Your queue ticket"),
                            "result": tr("Done: your certification has been recorded")}.get(
                                kind, tr("Your application has been accepted")))
        if outcome.ticket_number:
            self.number_caption.setText(tr("Ticket number — wait to be called"))
            self.number.setText(outcome.ticket_number)
            self.offline_note.setText("")
        elif outcome.application_number:
            self.number_caption.setText(tr("Application number"))
            self.number.setText(outcome.application_number)
            self.offline_note.setText("")
        else:
            self.number_caption.setText(tr("Reference number"))
            self.number.setText(outcome.application_id[:8].upper())
            self.offline_note.setText(tr("The network is down. Your application is saved on this machine and "
                                         "will be submitted automatically. Keep your receipt: staff can find it by this number."))
        self.expected.setText(tr("Expected result by: %s") % outcome.expected_completion.isoformat()
                              if outcome.expected_completion else "")
        # 统一支付: only for a payment the platform reported SUCCESS for
        self.paid.setText(paid_text(getattr(session, "payment", None)))
        self.paid.setVisible(bool(self.paid.text()))
        status = session.print_status or "printing"
        status_key = "failed" if status.startswith("failed") else status
        if status_key == "printing" and view.printer_available is False:
            status_key = "unavailable"   # known before this step; the pre-job check confirms it
        self.print_status.setObjectName("error" if status_key in ("failed", "unavailable") else "ok")
        self.print_status.setStyleSheet("")  # re-polish after the role change
        text = PRINT_STATUS.get(status_key, PRINT_STATUS["printing"])
        text = tr(text) if text else ""
        if status_key in ("failed", "unavailable") and view.receipt_sms_to:
            text += "\n" + tr("The receipt will also be sent by SMS to %s.") % view.receipt_sms_to
        self.print_status.setText(text)
        self.receipt_hint.setVisible(status_key in ("printing", "printed"))
        png = view.receipt_qr_png
        if png and png is not self._qr_payload:
            self.qr.setPixmap(qr_pixmap(png, 320))
            self._qr_payload = png
        self.done_button.setText(tr("Continue"))

    def wipe(self) -> None:
        super().wipe()
        for widget in (self.number, self.expected, self.offline_note, self.qr, self.paid):
            widget.clear()
        self._qr_payload = None


class RateScreen(Screen):
    """好差评: five levels, no default, no leading wording; reasons only for the two lowest."""

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="hint")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.hint)
        self.levels = QGridLayout()
        self.level_buttons = {}
        for level in RATING_LEVELS:
            # Same look for all five levels and no pre-selection: no leading.
            button = big_button()
            button.setObjectName(f"rate-{level}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, lv=level: self._choose(lv))
            self.level_buttons[level] = button
        self._place_levels(columns=5)
        self.levels_host = QWidget()
        self.levels_host.setLayout(self.levels)
        self.levels.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.levels_host)
        # Care mode: the reasons replace the five levels (a second page, not a longer one):
        # the chosen level stays named, with a button to choose again.
        chosen_row = QHBoxLayout()
        chosen_row.setContentsMargins(0, 0, 0, 0)
        self.chosen_label = label(role="subtitle")
        self.change_level = big_button(name="rateChangeLevel")
        self.change_level.clicked.connect(self._choose_again)
        chosen_row.addWidget(self.chosen_label, 1)
        chosen_row.addWidget(self.change_level)
        self.chosen_host = QWidget()
        self.chosen_host.setLayout(chosen_row)
        self.chosen_host.hide()
        self.layout_.addWidget(self.chosen_host)
        self._care = False
        self.reasons_host = QWidget()
        self.reasons = QGridLayout(self.reasons_host)
        self.reasons.setContentsMargins(0, 0, 0, 0)
        self.reasons_caption = label(role="hint")
        self.reason_boxes = {}
        for key in NEGATIVE_RATING_REASONS:
            # Checkable buttons, not check boxes: the whole 20 mm target toggles.
            box = big_button()
            box.setCheckable(True)
            box.setObjectName(f"reason-{key}")
            self.reason_boxes[key] = box
        self._reason_columns = 0
        self._place_reasons(3)
        self.layout_.addWidget(self.reasons_host)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.skip_button = big_button()
        self.skip_button.setObjectName("rateSkip")
        self.skip_button.clicked.connect(lambda: intents.rate(None, ()))
        self.send_button = big_button(primary=True)
        self.send_button.setObjectName("rateSend")
        self.send_button.clicked.connect(self._send)
        row.addWidget(self.skip_button)
        row.addStretch(1)
        row.addWidget(self.send_button)
        self.layout_.addLayout(row)
        self._chosen = None

    def _place_reasons(self, columns: int) -> None:
        """Three columns; two in care mode (its reasons page has the room, its text is larger)."""
        if columns == self._reason_columns:
            return
        self._reason_columns = columns
        self.reasons.addWidget(self.reasons_caption, 0, 0, 1, columns)
        for index, box in enumerate(self.reason_boxes.values()):
            self.reasons.addWidget(box, 1 + index // columns, index % columns)

    def _place_levels(self, columns: int) -> None:
        self._columns = columns
        for index, level in enumerate(RATING_LEVELS):
            self.levels.addWidget(self.level_buttons[level], index // columns, index % columns)

    def _choose(self, level: str) -> None:
        self._chosen = level
        for key, button in self.level_buttons.items():
            button.setChecked(key == level)
        self._show_parts()
        self.send_button.setEnabled(True)
        self.intents.touch()

    def _choose_again(self) -> None:
        self._chosen = None
        for button in self.level_buttons.values():
            button.setChecked(False)
        self._show_parts()
        self.send_button.setEnabled(False)
        self.intents.touch()

    def _show_parts(self) -> None:
        negative = self._chosen in NEGATIVE_LEVELS
        reasons_page = negative and self._care
        self.reasons_host.setVisible(negative)
        self.levels_host.setVisible(not reasons_page)
        self.chosen_host.setVisible(reasons_page)
        self.hint.setVisible(not reasons_page)              # the page's room goes to the reasons
        self.reasons_caption.setVisible(not reasons_page)   # (said beside the chosen level instead)
        if reasons_page:
            self.chosen_label.setText(tr("Your rating: %s") % tr(RATING_LABELS[self._chosen]) + "\n"
                                      + tr("What went wrong? (optional, choose any)"))

    def _send(self) -> None:
        if self._chosen is None:
            return
        reasons = tuple(k for k, box in self.reason_boxes.items() if box.isChecked())
        self.intents.rate(self._chosen, reasons)

    def render(self, session, view: KioskView) -> None:
        columns = 3 if session.care_mode else 5
        if columns != self._columns:
            self._place_levels(columns)
        self._place_reasons(2 if session.care_mode else 3)
        self._care = session.care_mode
        self.title.setText(tr("How was this service?"))
        self.hint.setText(tr("Your rating goes to the service supervisor. You may skip it."))
        for level, button in self.level_buttons.items():
            button.setText(tr(RATING_LABELS[level]))
        for key, box in self.reason_boxes.items():
            box.setText(tr(NEGATIVE_RATING_REASONS[key]))
        self.reasons_caption.setText(tr("What went wrong? (optional, choose any)"))
        self.change_level.setText(tr("Change rating"))
        self._show_parts()
        self.send_button.setEnabled(self._chosen is not None)
        self.skip_button.setText(tr("Skip"))
        self.send_button.setText(tr("Send rating"))

    def wipe(self) -> None:
        super().wipe()
        self._chosen = None
        for button in self.level_buttons.values():
            button.setChecked(False)
        for box in self.reason_boxes.values():
            box.setChecked(False)
        self._show_parts()


class ErrorScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.layout_.addStretch(1)
        self.message = label(role="title")
        self.way_forward = label(role="subtitle")
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.way_forward)
        self.layout_.addStretch(2)
        row = QHBoxLayout()
        self.home_button = big_button()
        self.home_button.clicked.connect(intents.cancel)
        self.retry_button = big_button(primary=True)
        self.retry_button.setObjectName("retry")
        self.retry_button.clicked.connect(intents.retry)
        row.addWidget(self.home_button)
        row.addStretch(1)
        row.addWidget(self.retry_button)
        self.layout_.addLayout(row)

    def render(self, session, view: KioskView) -> None:
        message, way_forward = ERROR_MESSAGES.get(
            session.error_key, ("Something went wrong.", "Please start again or ask at the counter."))
        self.message.setText(tr(message))
        self.way_forward.setText(tr(way_forward))
        self.home_button.setText(tr("Home"))
        self.retry_button.setText(tr("Try again"))
        self.retry_button.setVisible(session.error_retry is not None)
