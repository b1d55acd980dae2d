"""The first three screens: attract (idle), choose a service, what you need (一次告知)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.catalog import localized
from screens.base import KioskView, Screen, clear_layout
from screens.payment import fee_notice
from screens.texts import tr
from screens.widgets import WrappingButton, big_button, label, touch_scroll_area


class IdleScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.layout_.addStretch(2)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignCenter)
        self.subtitle = label(role="subtitle")
        self.subtitle.setAlignment(Qt.AlignCenter)
        self.notice = label(role="hint")
        self.notice.setAlignment(Qt.AlignCenter)
        self.start_button = big_button(primary=True)
        self.start_button.clicked.connect(intents.start)
        for widget in (self.title, self.subtitle):
            self.layout_.addWidget(widget)
        self.layout_.addSpacing(40)
        self.layout_.addWidget(self.start_button, alignment=Qt.AlignCenter)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.notice)
        self.layout_.addStretch(1)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Government Self-Service"))
        self.subtitle.setText(tr("Apply, check progress and get receipts here — no queue."))
        self.start_button.setText(tr("Touch to start"))
        notices = []
        if view.card_left_on_reader:
            notices.append(tr("Please take your ID card from the reader."))
        if view.printer_available is False or view.paper_status == "out" \
                or view.device_status.get("printer") in ("offline", "noDevice", "hardwareError"):
            notices.append(tr("Receipts cannot be printed right now; your number will be shown on screen."))
        if view.platform_online is False:
            notices.append(tr("Working offline: applications are saved and sent automatically."))
        self.notice.setText("\n".join(notices))


class ChooseServiceScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.layout_.addWidget(self.title)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(16)
        self.scroll = touch_scroll_area(self.grid_host)
        self.layout_.addWidget(self.scroll, 1)
        self.empty = label(role="subtitle")
        self.layout_.addWidget(self.empty)
        row = QHBoxLayout()
        self.home_button = big_button()
        self.home_button.clicked.connect(intents.cancel)
        row.addWidget(self.home_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self._rendered_key = None

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Choose a service"))
        self.home_button.setText(tr("Home"))
        catalog = session.catalog
        self.empty.setText("" if catalog else tr("The service list is loading. Please wait a moment."))
        key = (session.language, catalog.version if catalog else None, session.care_mode)
        if key == self._rendered_key:
            return
        self._rendered_key = key
        clear_layout(self.grid)
        if not catalog:
            return
        # Three columns, height from the text: care mode's larger text makes the
        # buttons taller instead of clipping it (no fixed pixel height).
        columns = 2 if session.care_mode else 3
        for index, service in enumerate(catalog.listed):
            text = service.name(session.language)
            if not service.available:
                text += "\n" + tr("(at the counter only)")
            # Every service is a choice, not "the" action: none is primary.
            button = WrappingButton(text)
            button.setObjectName(f"service-{service.id}")
            button.setEnabled(service.available)
            button.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
            button.clicked.connect(lambda _=False, sid=service.id: self.intents.choose_service(sid))
            self.grid.addWidget(button, index // columns, index % columns)
            # A scroll area does not pass height-for-width down: with more services than fit, rows were
            # squeezed and wrapped names clipped. Give each button the height its wrapped text needs.
            width = max(1, (self.scroll.viewport().width() - self.grid.spacing() * (columns - 1)) // columns - 24)
            button.setMinimumHeight(button.label.heightForWidth(width) + 16)


class ServiceInfoScreen(Screen):
    """一次告知: everything needed, shown before the citizen starts."""

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.description = label(role="subtitle")
        self.department = label(role="hint")
        self.materials_title = label()
        self.materials = label()
        self.steps = label(role="hint")
        self.fee = label()
        self.fee.setObjectName("feeNotice")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.description, self.department, self.materials_title, self.materials, self.fee,
                       self.steps):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = touch_scroll_area(content)   # long material lists in care mode scroll, never clip
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.back_button = big_button()
        self.back_button.clicked.connect(intents.back)
        self.start_button = big_button(primary=True)
        self.start_button.setObjectName("beginService")
        self.start_button.clicked.connect(intents.begin_service)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.start_button)
        self.layout_.addLayout(row)

    def render(self, session, view: KioskView) -> None:
        service = session.service
        if service is None:
            return
        lang = session.language
        self.title.setText(service.name(lang))
        self.description.setText(localized(service.descriptions, lang) if service.descriptions else "")
        self.department.setText(tr("Handled by: %s") % localized(service.department, lang)
                                if service.department else "")
        self.materials_title.setText(tr("You will need:"))
        self.materials.setText("\n".join(f"•  {localized(m, lang)}" for m in service.materials))
        self.fee.setText(fee_notice(session, view, for_confirm=False))   # 统一支付 (screens/payment.py)
        if service.is_bundle:
            self.materials_title.setText(tr("One form, one submission for all of these:") + "\n"
                                         + "\n".join(f"•  {localized(n, lang)}" for n in service.item_names)
                                         + "\n\n" + tr("You will need:"))
        steps = []
        if service.kind == "progress_query":
            steps += [tr("Enter the application number or scan the receipt's QR code"), tr("Read the progress")]
        else:
            if service.identity == "face_only":
                steps.append(tr("Enter your ID number"))
            if service.identity in ("card", "card_and_face"):
                steps.append(tr("Place your ID card on the reader"))
            if service.identity in ("face_only", "card_and_face"):
                steps.append(tr("Look at the camera"))
            steps += [tr("Check the form and submit"),
                      tr("Take your ticket") if service.kind == "queue_ticket" else tr("Take your receipt")]
        self.steps.setText("\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1)))
        self.back_button.setText(tr("Back"))
        self.start_button.setText(tr("Start"))
