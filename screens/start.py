"""The first three screens: attract (idle), choose a service (screens/finder.py), what you need
(一次告知) -- or, for a service this kiosk cannot do, where to go instead."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.core.catalog import localized
from screens.base import KioskView, Screen, clear_layout
from screens.finder import ChooseServiceScreen as ChooseServiceScreen   # re-exported for main_window
from screens.hints import CardReaderHint
from screens.payment import fee_notice
from screens.texts import tr
from screens.widgets import WrappingButton, big_button, label, touch_scroll_area


POPULAR_COUNT = 6


def popular_services(catalog, count: int = POPULAR_COUNT) -> list:
    """The services the attract screen offers: the catalog's most used first. The catalog's
    `popularity` (added with the new catalog) orders them when present; until then, the
    catalog's own order. Only listed services a citizen can do here."""
    candidates = [s for s in catalog.listed if s.available]
    ranked = sorted(enumerate(candidates), key=lambda item: (-(getattr(item[1], "popularity", 0) or 0), item[0]))
    return [service for _index, service in ranked[:count]]


class NoticeLabel(QLabel):
    """A plain-text, word-wrapped label that takes no room while it has nothing to say."""

    def __init__(self):
        super().__init__()
        self.setTextFormat(Qt.PlainText)
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        super().setText(text)
        self.setVisible(bool(text))


class IdleScreen(Screen):
    """Attract screen: what the kiosk does, where the card goes (placing it starts a session,
    kiosk.flows.card), the popular services one touch away, and a big start button.
    Static: no carousel, no advertising (适老化)."""

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignCenter)
        self.subtitle = label(role="subtitle")
        self.subtitle.setAlignment(Qt.AlignCenter)
        self.notice = NoticeLabel()
        self.notice.setObjectName("hint")
        self.notice.setAlignment(Qt.AlignCenter)
        self.start_button = big_button(primary=True)
        self.start_button.setObjectName("touchToStart")
        self.start_button.clicked.connect(intents.start)
        for widget in (self.title, self.subtitle):
            self.layout_.addWidget(widget)
        body = QHBoxLayout()
        body.setSpacing(32)
        card_column = QVBoxLayout()
        self.card_hint = CardReaderHint()
        self.card_hint.setObjectName("idleCardHint")
        self.card_caption = label(role="subtitle")
        self.card_caption.setAlignment(Qt.AlignCenter)
        card_column.addWidget(self.card_hint, 1)
        card_column.addWidget(self.card_caption)
        body.addLayout(card_column, 2)
        popular_column = QVBoxLayout()
        self.popular_caption = label(role="subtitle")
        popular_column.addWidget(self.popular_caption)
        self.popular_host = QWidget()
        self.popular = QGridLayout(self.popular_host)
        self.popular.setContentsMargins(0, 0, 0, 0)
        self.popular.setSpacing(12)
        popular_column.addWidget(self.popular_host)
        popular_column.addStretch(1)
        popular_column.addWidget(self.start_button, alignment=Qt.AlignRight)
        body.addLayout(popular_column, 3)
        self.layout_.addLayout(body, 1)
        self.layout_.addWidget(self.notice)
        self.popular_buttons: dict[str, WrappingButton] = {}
        self._popular_key = None

    def apply_theme(self, theme) -> None:
        super().apply_theme(theme)
        self.card_hint.set_palette(theme.palette)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Government Self-Service"))
        self.subtitle.setText(tr("Apply, check progress and get receipts here — no queue."))
        self.start_button.setText(tr("Touch to start"))
        self.card_caption.setText(tr("Place your ID card on the reader to begin"))
        self.popular_caption.setText(tr("Popular services"))
        self._render_popular(session)
        notices = []
        if view.card_left_on_reader:
            notices.append(tr("Please take your ID card from the reader."))
        if view.printer_available is False or view.paper_status == "out" \
                or view.device_status.get("printer") in ("offline", "noDevice", "hardwareError"):
            notices.append(tr("Receipts cannot be printed right now; your number will be shown on screen."))
        if view.platform_online is False:
            notices.append(tr("Working offline: applications are saved and sent automatically."))
        self.notice.setText("\n".join(notices))

    def _render_popular(self, session) -> None:
        """Built when the catalog or care mode changes; a language change only re-texts."""
        catalog = session.catalog
        key = (catalog.version if catalog else None, session.care_mode)
        if key == self._popular_key:
            for service_id, button in self.popular_buttons.items():
                name = catalog.service(service_id).name(session.language)
                if button.text() != name:
                    button.setText(name)
            return
        self._popular_key = key
        clear_layout(self.popular)
        self.popular_buttons = {}
        services = popular_services(catalog) if catalog else []
        self.popular_caption.setVisible(bool(services))
        columns = 1 if session.care_mode else 2
        shown = services[:2] if session.care_mode else services      # care mode: fewer, larger
        for index, service in enumerate(shown):
            button = WrappingButton(service.name(session.language))
            button.setObjectName(f"popular-{service.id}")
            button.clicked.connect(lambda _=False, sid=service.id: self._choose(sid))
            self.popular.addWidget(button, index // columns, index % columns)
            self.popular_buttons[service.id] = button

    def _choose(self, service_id: str) -> None:
        self.intents.start()
        self.intents.choose_service(service_id)


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
