"""办事进度查询: type the application number on our own keyboard, or hold the
receipt's QR code up to the camera (decoded off the GUI thread by the
progress query flow); then the platform's answer."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QWidget

from screens.base import KioskView, Screen, clear_layout
from screens.texts import APPLICATION_STATUS, QUERY_ERRORS, tr
from screens.widgets import LatinKeyboard, big_button, label


class QueryScreen(Screen):
    compact_spacing = True      # three 20 mm key rows, the number and the buttons in 800 px

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        self.number = QLineEdit()
        self.number.setObjectName("queryNumber")
        self.number.setReadOnly(True)          # typed on our keyboard only
        self.number.setMaxLength(64)
        self.error = label(role="error")
        self.error.setObjectName("error")
        self.error.hide()
        self.preview = label()
        self.preview.setAlignment(Qt.AlignCenter)
        self.keyboard = LatinKeyboard(columns=13)
        self.keyboard.bind(self.number)
        self.layout_.addWidget(self.title)
        # An error takes the title's place, across the full width (beside the number, the longest
        # ones needed four lines in care mode: with the keyboard, more than 1280 x 800 has).
        self.layout_.addWidget(self.error)
        # The number, what to type beside it; then the keyboard across the screen's width (three
        # rows of 20 mm keys). The QR preview takes the keyboard's place while scanning.
        number_row = QHBoxLayout()
        number_row.addWidget(self.number, 1, Qt.AlignTop)
        number_row.addWidget(self.hint, 1)
        self.layout_.addLayout(number_row)
        self.layout_.addWidget(self.keyboard, 0, Qt.AlignLeft)
        self.layout_.addWidget(self.preview, 1)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.home_button = big_button()
        self.home_button.clicked.connect(intents.cancel)
        self.scan_button = big_button()
        self.scan_button.setObjectName("scanQr")
        self.scan_button.clicked.connect(self._scan_or_stop)
        self.search_button = big_button(primary=True)
        self.search_button.setObjectName("querySearch")
        self.title_icon_purpose = "search"
        self.search_button.clicked.connect(lambda: intents.query_number(self.number.text()))
        row.addWidget(self.home_button)
        row.addStretch(1)
        row.addWidget(self.scan_button)
        row.addWidget(self.search_button)
        self.layout_.addLayout(row)
        self._scanning = False

    def _scan_or_stop(self) -> None:
        if self._scanning:
            self.intents.cancel()       # cancels the scan only, the query screen stays
        else:
            self.intents.scan_receipt_qr()

    def render(self, session, view: KioskView) -> None:
        service = session.service
        if service is None:
            return
        self._scanning = session.query_scanning
        self.title.setText(service.name(session.language))
        if session.query_scanning:
            self.hint.setText(tr("Hold the QR code on your receipt in front of the camera."))
        elif session.query_busy:
            self.hint.setText(tr("Looking up your application…"))
        else:
            self.hint.setText(tr("The number on your receipt, for example GD20261123000001."))
        self.error.setText(tr(QUERY_ERRORS.get(session.query_error, QUERY_ERRORS["query_offline"]))
                           if session.query_error else "")
        self.error.setVisible(bool(session.query_error))
        self.title.setVisible(not session.query_error)     # the error takes the title's place
        self.hint.setVisible(not session.query_error)      # and says what to do instead
        if self._title_icon is not None:
            self._title_icon.setVisible(not session.query_error)
        self.render_preview(session, view)
        self.preview.setVisible(session.query_scanning)
        self.keyboard.setVisible(not session.query_scanning)
        self.home_button.setText(tr("Home"))
        self.scan_button.setText(tr("Stop scanning") if session.query_scanning else tr("Scan receipt QR code"))
        self.search_button.setText(tr("Search"))
        self.search_button.setEnabled(not session.query_busy and not session.query_scanning)

    def render_preview(self, session, view: KioskView) -> None:
        if session.query_scanning and view.camera_image is not None:
            self.preview.setPixmap(QPixmap.fromImage(view.camera_image).scaled(
                480, 360, Qt.KeepAspectRatio, Qt.FastTransformation))
        elif not session.query_scanning:
            self.preview.clear()

    def wipe(self) -> None:
        super().wipe()
        self.preview.clear()
        self.error.clear()


class QueryResultScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.status = label(role="bigNumber")
        self.status.setObjectName("bigNumber")
        self.details_host = QWidget()
        self.details = QGridLayout(self.details_host)
        for widget in (self.title, self.status, self.details_host):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.done_button = big_button(primary=True)
        self.done_button.setObjectName("queryDone")
        self.done_button.clicked.connect(intents.finish_query)
        row.addWidget(self.done_button)
        self.layout_.addLayout(row)

    def render(self, session, view: KioskView) -> None:
        result = session.query_result
        if result is None:
            return
        lang = session.language
        self.title.setText(tr("Progress of your application"))
        self.status.setText(tr(APPLICATION_STATUS.get(result.get("status"), APPLICATION_STATUS["unknown"])))
        service_name = result.get("service_id", "")
        if session.catalog is not None:
            try:
                service_name = session.catalog.service(service_name).name(lang)
            except KeyError:
                pass
        rows = [(tr("Application number"), result.get("application_number", "")),
                (tr("Service"), service_name),
                (tr("Received"), (result.get("received_at") or "")[:16].replace("T", " ")),
                (tr("Expected result"), result.get("expected_completion") or tr("Not set yet"))]
        clear_layout(self.details)
        for index, (caption, value) in enumerate(rows):
            self.details.addWidget(label(caption), index, 0)
            self.details.addWidget(label(value), index, 1)
        self.done_button.setText(tr("Done"))

    def wipe(self) -> None:
        super().wipe()
        self.status.clear()
        clear_layout(self.details)
