"""The first three screens: attract (idle), choose a service (screens/finder.py), what you need
(一次告知) -- or, for a service this kiosk cannot do, where to go instead."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.catalog import localized
from screens.base import KioskView, Screen
from screens.finder import ChooseServiceScreen as ChooseServiceScreen   # re-exported for main_window
from screens.payment import fee_notice
from screens.texts import tr
from screens.widgets import big_button, label, touch_scroll_area


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
        self.where_title = label(role="subtitle")
        self.where_title.setObjectName("whereTitle")
        self.where = label()
        self.where.setObjectName("whereToGo")
        self.fee = label()
        self.fee.setObjectName("feeNotice")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        # Where to go first: for a service not done here it is the one thing the citizen needs.
        for widget in (self.where_title, self.where, self.description, self.department, self.materials_title,
                       self.materials, self.fee, self.steps):
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
        # Not done here, but at a counter: the kiosk's own queue ticket is one tap away.
        self.ticket_button = big_button(name="whereTicket")
        self.ticket_button.clicked.connect(self._take_ticket)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.ticket_button)
        row.addWidget(self.start_button)
        self.layout_.addLayout(row)
        self._ticket_service: str | None = None

    def _take_ticket(self) -> None:
        if self._ticket_service is not None:
            self.intents.back()
            self.intents.choose_service(self._ticket_service)

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
            if service.kind == "licence_print":
                steps += [tr("Choose the document and check the preview"), tr("Take it from the A4 printer")]
            else:
                steps += [tr("Check the form and submit"),
                          tr("Take your ticket") if service.kind == "queue_ticket" else tr("Take your receipt")]
        self.steps.setText("\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1)))
        self.back_button.setText(tr("Back"))
        self.start_button.setText(tr("Start"))
        self._render_where_to_go(session, service)

    def _render_where_to_go(self, session, service) -> None:
        """A service this kiosk cannot do: where to go instead, no Start button, no steps."""
        here = service.available
        self.start_button.setVisible(here)
        self.steps.setVisible(here)
        self.materials_title.setVisible(here or bool(service.materials))
        self.where_title.setVisible(not here)
        self.where.setVisible(not here)
        self._ticket_service = None
        if here:
            self.ticket_button.hide()
            return
        self.where_title.setText(tr("This kiosk cannot do this service. Where to go:"))
        self.where.setText(localized(service.where_to_go.texts, session.language) if service.where_to_go
                           else tr("Please ask at the counter."))
        catalog = session.catalog
        if service.where_to_go is None or service.where_to_go.channel in ("counter", "appointment"):
            self._ticket_service = next((s.id for s in (catalog.listed if catalog else ())
                                         if s.kind == "queue_ticket" and s.available), None)
        self.ticket_button.setText(tr("Take a queue ticket"))
        self.ticket_button.setVisible(self._ticket_service is not None)
