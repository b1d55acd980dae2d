"""The first three screens: attract (idle), choose a service, what you need (一次告知)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.catalog import localized
from screens.base import KioskView, Screen, clear_layout
from screens.hints import CardReaderHint
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
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.description, self.department, self.materials_title, self.materials, self.steps):
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
