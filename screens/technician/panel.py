"""Technician screens: PIN pad, then tabs (devices, card test, camera, printer, network,
outbox, catalog, logs, about). They render `TechnicianState` and call the service's
intents; they never call a device, HTTP or the database themselves.

Technician texts go through Qt's translate() under the "Technician" context; the
technician audience reads English today (translations can be added to screens/i18n).
"""
from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QTabWidget, QVBoxLayout,
                               QWidget)

from screens.widgets import NumericKeypad, big_button, label


def t(text: str) -> str:
    return QCoreApplication.translate("Technician", text)


def mark(text: str) -> str:
    """A technician text translated when the panel renders (it follows the kiosk's language)."""
    return text


class PinPage(QWidget):
    def __init__(self, service, parent=None):
        super().__init__(parent)
        self.service = service
        column = QVBoxLayout(self)
        self.title = label(role="title")
        self.entry = QLineEdit()
        self.entry.setObjectName("technicianPin")
        self.entry.setEchoMode(QLineEdit.Password)
        self.entry.setMaxLength(12)
        self.entry.setReadOnly(True)          # typed only through the keypad
        self.keypad = NumericKeypad()
        self.keypad.bind(self.entry)
        self.keypad.key_pressed.connect(lambda _k: service.touch())
        self.message = label(role="subtitle")
        self.message.setObjectName("pinMessage")
        row = QHBoxLayout()
        self.cancel_button = big_button(name="pinCancel")
        self.cancel_button.clicked.connect(lambda: service.leave("cancelled"))
        self.ok_button = big_button(primary=True, name="pinEnter")
        self.ok_button.clicked.connect(self._submit)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.ok_button)
        for widget in (self.title, self.entry, self.keypad, self.message):
            column.addWidget(widget)
        column.addLayout(row)

    def _submit(self) -> None:
        pin, _ = self.entry.text(), self.entry.clear()
        self.service.submit_pin(pin)

    def render(self, state) -> None:
        self.title.setText(t(mark("Technician PIN")))
        self.cancel_button.setText(t(mark("Cancel")))
        self.ok_button.setText(t(mark("Enter")))
        locked = state.pin_locked_for_s > 0
        self.message.setText(state.pin_message)
        self.ok_button.setEnabled(not locked and "pin" not in state.busy)
        self.keypad.setEnabled(not locked)


def _text_box(name: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setReadOnly(True)
    box.setContextMenuPolicy(Qt.NoContextMenu)
    return box


class TechnicianPanel(QFrame):
    """Covers the kiosk window while technician mode is open."""

    def __init__(self, service, parent=None):
        super().__init__(parent)
        self.service = service
        self.setObjectName("technicianPanel")
        self.setAutoFillBackground(True)
        outer = QVBoxLayout(self)
        self.pin_page = PinPage(service)
        outer.addWidget(self.pin_page)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("technicianTabs")
        outer.addWidget(self.tabs)
        self.pages: dict[str, QWidget] = {}
        self.boxes: dict[str, QPlainTextEdit] = {}
        self._texts: list[tuple[object, str]] = []      # (tab index or button, source text)
        self._add_page("devices", mark("Devices"), [(mark("Run checks"), "runChecks", service.run_checks)])
        self._add_page("card", mark("Card test"), [(mark("Read a card"), "cardTest", service.card_test)])
        camera = self._add_page("camera", mark("Camera"), [(mark("Start preview"), "cameraStart", service.start_camera),
                                                       (mark("Stop"), "cameraStop", service.stop_camera)])
        self.camera_label = QLabel()
        self.camera_label.setTextFormat(Qt.PlainText)   # shows a pixmap; never markup
        self.camera_label.setObjectName("cameraPreview")
        self.camera_label.setMinimumSize(320, 240)
        camera.layout().insertWidget(1, self.camera_label)
        self._add_page("printer", mark("Printer"), [(mark("Test print"), "testPrint", service.test_print),
                                                (mark("Recent receipts"), "receiptsRefresh", service.refresh_receipts),
                                                (mark("Reprint last"), "reprintLast", service.reprint_latest)])
        self._add_page("network", mark("Network"), [(mark("Check platform"), "checkNetwork", service.run_checks)])
        self._add_page("outbox", mark("Outbox"), [(mark("Refresh"), "queueRefresh", service.refresh_queue),
                                              (mark("Retry now"), "queueRetry", service.retry_queue),
                                              (mark("Export (encrypted)"), "queueExport", service.export_queue)])
        self._add_page("catalog", mark("Catalog"), [(mark("Refresh"), "catalogRefresh", service.run_checks)])
        self._add_page("logs", mark("Logs"), [(mark("Refresh"), "logsRefresh", service.refresh_logs),
                                          (mark("Export"), "logsExport", service.export_logs)])
        self._add_page("about", mark("About"), [(mark("Close technician mode"), "technicianClose",
                                              lambda: service.leave("closed")),
                                             (mark("Exit kiosk application"), "exitKiosk", service.quit_kiosk)])
        # Last, so the other tabs keep their places: central configuration bundles and each value's source.
        self._add_page("config", mark("Configuration"), [(mark("Refresh"), "configRefresh", service.refresh_config)])
        # Last, so the other tabs keep their places (technicians' habits, tests).
        self._add_page("scanner", mark("Scanner"), [(mark("Start scanner test"), "scannerStart", service.start_scanner),
                                                (mark("Stop"), "scannerStop", service.stop_camera)])
        # The A4 document printer (issue 15); last, so the other tabs keep their places.
        self._add_page("a4", mark("A4 printer"), [(mark("Test page"), "a4TestPage", service.a4_test_page),
                                              (mark("Refresh"), "a4Refresh", service.a4_refresh)])
        # Last, so the other tabs keep their places (issue 16).
        document = self._add_page("document_camera", mark("Document camera"), [
            (mark("Start test"), "documentCameraStart", service.start_document_camera),
            (mark("Stop"), "documentCameraStop", service.stop_document_camera)])
        self.document_label = QLabel()
        self.document_label.setTextFormat(Qt.PlainText)
        self.document_label.setObjectName("documentCameraPreview")
        self.document_label.setMinimumSize(320, 180)
        document.layout().insertWidget(1, self.document_label)
        # 统一支付 (docs/payment.md); appended last so the other tabs keep their places
        self._add_page("payments", mark("Payments"), [(mark("Refresh"), "paymentsRefresh", service.refresh_payments),
                                                  (mark("Resolve pending"), "paymentsResolve",
                                                   service.resolve_payments)])
        self.status_line = label()
        self.status_line.setObjectName("technicianMessage")
        outer.addWidget(self.status_line)
        self.tabs.currentChanged.connect(lambda _i: service.touch())
        service.changed.connect(self.render)
        self.hide()

    def _retranslate(self) -> None:
        """Tab titles and buttons in the kiosk's current language (Qt's own i18n, "Technician")."""
        for target, source in self._texts:
            if isinstance(target, int):
                self.tabs.setTabText(target, t(source))
            else:
                target.setText(t(source))

    def _add_page(self, key: str, title: str, actions) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        box = _text_box(f"tech-{key}")
        column.addWidget(box, 1)
        row = QHBoxLayout()
        for text, name, slot in actions:
            button = big_button(text, name=name)
            button.clicked.connect(slot)
            row.addWidget(button)
            self._texts.append((button, text))
        row.addStretch(1)
        column.addLayout(row)
        self._texts.append((self.tabs.addTab(page, title), title))
        self.pages[key] = page
        self.boxes[key] = box
        return page

    def render(self) -> None:
        state = self.service.state
        if state.mode == "closed":
            for box in self.boxes.values():
                box.clear()
            self.camera_label.clear()
            self.document_label.clear()
            self.hide()
            return
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self._retranslate()
        self.pin_page.setVisible(state.mode == "pin")
        self.tabs.setVisible(state.mode == "open")
        if state.mode == "pin":
            self.pin_page.render(state)
            return
        report = state.report
        checks = {c.name: c for c in report.checks} if report else {}
        self.boxes["devices"].setPlainText(_checks_text(checks, "device.", state.counters)
                                           if report else t("Running checks…"))
        self.boxes["network"].setPlainText(_checks_text(checks, "platform.", {}) if report else "")
        self.boxes["catalog"].setPlainText(_checks_text(checks, "catalog", {}) if report else "")
        self.boxes["card"].setPlainText(json.dumps(state.card_test, ensure_ascii=False, indent=1)
                                        if state.card_test else t("Press 'Read a card' and present a card."))
        self.boxes["camera"].setPlainText(f"fps {state.camera_fps:.1f}, faces {state.camera_faces}")
        self.boxes["document_camera"].setPlainText(state.document_text or t("Lay a page under the document camera "
                                                                            "and press 'Start test'."))
        if state.document_image is not None:
            self.document_label.setPixmap(QPixmap.fromImage(state.document_image).scaled(
                self.document_label.size(), Qt.KeepAspectRatio))
        else:
            self.document_label.clear()
        if state.camera_image is not None:
            self.camera_label.setPixmap(QPixmap.fromImage(state.camera_image).scaled(
                self.camera_label.size(), Qt.KeepAspectRatio))
        else:
            self.camera_label.clear()
        self.boxes["scanner"].setPlainText(state.scanner_text or t("Hold a code in front of the camera and press "
                                                                   "'Start scanner test'."))
        printer = checks.get("device.printer")
        self.boxes["printer"].setPlainText(
            (f"{printer.summary}\npaper: {printer.details.get('paper')}\n" if printer else "")
            + f"test print: {state.print_test or '-'}\nreprint: {state.reprint or '-'}"
            + _receipts_text(state.receipts))
        self.boxes["a4"].setPlainText(self.service.a4.text())
        self.boxes["outbox"].setPlainText(state.queue_text())
        self.boxes["logs"].setPlainText("\n".join(state.log_lines))
        self.boxes["config"].setPlainText(state.config_text)
        self.boxes["payments"].setPlainText(state.payments_text())
        version = report.software_version if report else ""
        self.boxes["about"].setPlainText(f"kiosk id: {self.service.config.kiosk.id}\n"
                                         f"location: {self.service.config.kiosk.location}\n"
                                         f"software version: {version}\n"
                                         + (_checks_text(checks, "update", {}) if report else ""))
        busy = f"  ({t('working')}: {', '.join(sorted(state.busy))})" if state.busy else ""
        self.status_line.setText(state.message + busy)


def _checks_text(checks: dict, prefix: str, counters: dict) -> str:
    lines = []
    for name, check in checks.items():
        if not name.startswith(prefix):
            continue
        lines.append(f"[{'OK' if check.ok else 'FAIL'}] {name}: {check.summary}")
        if check.warning:
            lines.append(f"      warning: {check.warning}")
        if check.details.get("last_error"):
            lines.append(f"      last error: {check.details['last_error']}")
        device = name.removeprefix("device.")
        if counters.get(device):
            lines.append("      counters: " + ", ".join(f"{k}={v}" for k, v in sorted(counters[device].items())))
    return "\n".join(lines)


def _receipts_text(entries) -> str:
    """The receipt journal, newest first: no personal data (the application number is the staff's key)."""
    if not entries:
        return ""
    lines = ["", t("Recent receipts") + ":"]
    for entry in entries[:10]:
        when = dt.datetime.fromtimestamp(entry.created_at).strftime("%m-%d %H:%M")
        reason = f" ({entry.reason})" if entry.reason else ""
        reprints = f", reprinted ×{entry.reprints}" if entry.reprints else ""
        lines.append(f"{when}  {entry.application_number}  {entry.state}{reason}{reprints}")
    return "\n".join(lines)
