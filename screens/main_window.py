"""The kiosk window: top bar (place, language, care mode), one screen per
session state, status strip (platform link, queue), and the "Are you still
there?" overlay. It renders whatever the controller says has changed; a camera
preview frame repaints only the current screen's preview (`render_preview`).
Screens and buttons call the citizen's intents (`controller.intents`), nothing else.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QMainWindow, QSizePolicy, QVBoxLayout, QWidget)

from kiosk.i18n import LanguageSwitcher
from kiosk.core.session import State
from screens.base import KioskView
from screens.certificates import CertDoneScreen, CertListScreen, CertPreviewScreen, CertPrintingScreen
from screens.documents import DocumentScanScreen
from screens.finish import ErrorScreen, RateScreen, ReceiptScreen, SubmittingScreen
from screens.form import ConfirmScreen, FormScreen
from screens.identity import IdentifyScreen, VerifyFaceScreen
from screens.passport import MrzEntryScreen
from screens.phone_identity import AppCodeScreen, AppLoginScreen
from screens.payment import PaymentScreen
from screens.query import QueryResultScreen, QueryScreen
from screens.start import ChooseServiceScreen, IdleScreen, ServiceInfoScreen
from screens.texts import tr
from screens.theme import Theme
from screens.widgets import ScreenStack, big_button, label
from kiosk.voice import VoiceGuide

LANGUAGE_BUTTONS = (("zh_CN", "简体"), ("zh_HK", "繁體"), ("en", "EN"))

SCREEN_CLASSES = {
    State.IDLE: IdleScreen,
    State.CHOOSE_SERVICE: ChooseServiceScreen,
    State.SERVICE_INFO: ServiceInfoScreen,
    State.IDENTIFY: IdentifyScreen,
    State.MRZ_ENTRY: MrzEntryScreen,
    State.VERIFY_FACE: VerifyFaceScreen,
    State.FORM: FormScreen,
    State.CONFIRM: ConfirmScreen,
    State.PAYMENT: PaymentScreen,
    State.SUBMITTING: SubmittingScreen,
    State.RECEIPT: ReceiptScreen,
    State.RATE: RateScreen,
    State.ERROR: ErrorScreen,
    State.QUERY: QueryScreen,
    State.QUERY_RESULT: QueryResultScreen,
    State.APP_CODE: AppCodeScreen,
    State.APP_LOGIN: AppLoginScreen,
    State.CERT_LIST: CertListScreen,
    State.CERT_PREVIEW: CertPreviewScreen,
    State.CERT_PRINTING: CertPrintingScreen,
    State.CERT_DONE: CertDoneScreen,
    State.SCAN_DOCUMENTS: DocumentScanScreen,
}

# The visible step indicator: (source text, states that belong to the step).
APPLICATION_STEPS = (
    ("Choose", {State.CHOOSE_SERVICE}), ("What you need", {State.SERVICE_INFO}),
    ("Identity", {State.IDENTIFY, State.MRZ_ENTRY, State.VERIFY_FACE, State.APP_CODE, State.APP_LOGIN}),
    ("Form", {State.FORM, State.SCAN_DOCUMENTS}),
    ("Confirm", {State.CONFIRM, State.PAYMENT, State.SUBMITTING}), ("Receipt", {State.RECEIPT}), ("Rating", {State.RATE}),
)
FACE_ONLY_STEPS = (
    ("Choose", {State.CHOOSE_SERVICE}), ("What you need", {State.SERVICE_INFO}), ("Form", {State.FORM}),
    ("Identity", {State.VERIFY_FACE}), ("Confirm", {State.CONFIRM, State.PAYMENT, State.SUBMITTING}),
    ("Receipt", {State.RECEIPT}), ("Rating", {State.RATE}),
)
QUERY_STEPS = (
    ("Choose", {State.CHOOSE_SERVICE}), ("What you need", {State.SERVICE_INFO}), ("Search", {State.QUERY}),
    ("Result", {State.QUERY_RESULT}),
)

CERTIFICATE_STEPS = (
    ("Choose", {State.CHOOSE_SERVICE}), ("What you need", {State.SERVICE_INFO}),
    ("Identity", {State.IDENTIFY, State.VERIFY_FACE}), ("Your licences", {State.CERT_LIST}),
    ("Preview", {State.CERT_PREVIEW}), ("Print", {State.CERT_PRINTING, State.CERT_DONE}),
)


def steps_for(service) -> tuple:
    if service is not None and service.kind == "progress_query":
        return QUERY_STEPS
    if service is not None and service.kind == "licence_print":
        return CERTIFICATE_STEPS
    if service is not None and service.identity == "face_only":
        return FACE_ONLY_STEPS
    return APPLICATION_STEPS


class StepIndicator(QFrame):
    """"Step 3 of 7" plus the names of all steps; the current one is bold,
    underlined and marked with ▶ (colour is never the only cue)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("stepBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(48, 8, 48, 0)
        self.text = label(role="steps", rich=True)   # our markup; step names are html.escape'd
        row.addWidget(self.text)
        self._current = 0
        self.current_name = ""

    def render(self, session) -> None:
        if session.state is State.IDLE:
            self.hide()
            return
        steps = steps_for(session.service)
        current = next((i for i, (_, states) in enumerate(steps) if session.state in states), None)
        if current is not None:
            self._current = min(current, len(steps) - 1)
        self._current = min(self._current, len(steps) - 1)
        parts = []
        for index, (name, _) in enumerate(steps):
            text = html.escape(f"{index + 1}. {tr(name)}")
            if index == self._current:
                parts.append(f"<b><u>▶ {text}</u></b>")
            elif not session.care_mode:      # care mode: only where the citizen is (one line, less to read)
                parts.append(text)
        self.current_name = tr(steps[self._current][0])
        position = html.escape(tr("Step %d of %d") % (self._current + 1, len(steps)))
        self.text.setText(f"<b>{position}</b>&nbsp;&nbsp;&nbsp;" + "&nbsp;&nbsp;·&nbsp;&nbsp;".join(parts))
        self.show()


class TouchActivityFilter(QObject):
    """Any touch, click or key anywhere counts as activity for the idle timer.

    Installed on the window's QWindow, where the platform delivers every input event before
    Qt hands it to a widget: an application-wide filter saw every event of every object
    (tens of thousands per session: polish, layout, paint, language change) in Python, and
    showed up in the soak's GUI-stall samples."""

    ACTIVITY = {QEvent.MouseButtonPress, QEvent.TouchBegin, QEvent.KeyPress}

    def __init__(self, on_activity, parent=None):
        super().__init__(parent)
        self._on_activity = on_activity

    def eventFilter(self, watched, event) -> bool:
        if event.type() in self.ACTIVITY:
            self._on_activity()
        return False


class StillThereOverlay(QFrame):
    def __init__(self, intents, parent):
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setProperty("visualOverlay", True)   # covers the screen on purpose (screens.visual_check)
        outer = QVBoxLayout(self)
        dialog = self.dialog = QFrame()
        dialog.setObjectName("dialog")
        inner = QVBoxLayout(dialog)
        inner.setContentsMargins(48, 40, 48, 40)
        self.question = label(role="title")
        self.countdown = label(role="subtitle")
        row = QHBoxLayout()
        self.end_button = big_button()
        self.end_button.clicked.connect(intents.cancel)
        self.continue_button = big_button(primary=True)
        self.continue_button.setObjectName("stillHere")
        self.continue_button.clicked.connect(intents.touch)
        row.addWidget(self.end_button)
        row.addStretch(1)
        row.addWidget(self.continue_button)
        inner.addWidget(self.question)
        inner.addWidget(self.countdown)
        inner.addLayout(row)
        outer.addStretch(1)
        outer.addWidget(dialog, alignment=Qt.AlignCenter)
        outer.addStretch(1)
        self.hide()

    def render(self, remaining_s: float | None) -> None:
        if remaining_s is None:
            self.hide()
            return
        self.question.setText(tr("Are you still there?"))
        self.countdown.setText(tr("For your privacy this session will end in %d seconds.") % round(remaining_s))
        self.end_button.setText(tr("End now"))
        self.continue_button.setText(tr("Continue"))
        self.setGeometry(self.parentWidget().rect())
        # A fixed width lets the word-wrapped question and countdown take the
        # height they need (care mode, English) instead of being cut off.
        width = int(self.parentWidget().width() * 0.7)
        self.dialog.setFixedWidth(width)
        inner = self.dialog.layout()
        self.dialog.setFixedHeight(inner.totalHeightForWidth(width) if inner.hasHeightForWidth()
                                   else inner.totalSizeHint().height())
        self.show()
        self.raise_()


class KioskWindow(QMainWindow):
    def __init__(self, controller, fullscreen: bool):
        super().__init__()
        self.controller = controller
        self.allow_close = not fullscreen
        self.setWindowTitle("Government Self-Service Kiosk")
        if fullscreen:
            self.setWindowFlags(Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._build_top_bar())
        self.steps = StepIndicator()
        column.addWidget(self.steps)
        # The panel's size is fixed: a screen whose content is taller must page or scroll
        # (or fail the visual check), never push the window past the panel.
        self.stack = ScreenStack()
        intents = controller.intents
        self.screens = {state: cls(intents) for state, cls in SCREEN_CLASSES.items()}
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        column.addWidget(self.stack, 1)
        column.addWidget(self._build_status_bar())
        self.setCentralWidget(central)
        self.overlay = StillThereOverlay(intents, central)
        self._theme = None
        self._rendered_state: State | None = None
        display = getattr(controller.config, "display", None)
        self.px_per_mm = display.px_per_mm if display is not None else 4.0
        self.voice = VoiceGuide() if display is None or display.voice_guidance else None
        self.languages = LanguageSwitcher(QApplication.instance())
        self._activity_filter = TouchActivityFilter(intents.touch, self)
        self.winId()                       # creates the QWindow the platform sends input to
        self.windowHandle().installEventFilter(self._activity_filter)
        # While the kiosk stands idle, the first screen of a session is prepared (_prepare_first_step).
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setSingleShot(True)
        self._prepare_timer.setInterval(0)          # the next turn of the event loop, after the idle render
        self._prepare_timer.timeout.connect(self._prepare_first_step)
        controller.changed.connect(self.render)
        controller.preview_changed.connect(self.render_preview)
        self.render()

    def _build_top_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("topBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 8, 24, 8)
        # Wraps (and gives way) when care mode's larger buttons need the room.
        self.location_label = label(wrap=True)
        self.location_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        row.addWidget(self.location_label, 1)
        self.help_button = big_button(name="langButton")
        self.help_button.setObjectName("helpButton")
        self.help_button.setProperty("topBar", "true")
        intents = self.controller.intents
        self.help_button.clicked.connect(intents.call_staff)
        row.addWidget(self.help_button)
        # Care mode with voice guidance: say the step's instruction again (ADA 707.5.1).
        self.repeat_button = big_button(name="langButton")
        self.repeat_button.setObjectName("repeatVoice")
        self.repeat_button.setProperty("topBar", "true")
        self.repeat_button.clicked.connect(self._repeat_voice)
        self.repeat_button.hide()
        row.addWidget(self.repeat_button)
        self.care_button = big_button(name="langButton")
        self.care_button.setObjectName("careButton")
        self.care_button.setProperty("topBar", "true")
        self.care_button.setCheckable(True)
        self.care_button.clicked.connect(lambda checked: intents.set_care_mode(checked))
        row.addWidget(self.care_button)
        self.language_buttons = {}
        for code, text in LANGUAGE_BUTTONS:
            button = big_button(text, name="langButton")
            button.setObjectName(f"lang-{code}")
            button.setProperty("topBar", "true")
            button.clicked.connect(lambda _=False, c=code: intents.set_language(c))
            row.addWidget(button)
            self.language_buttons[code] = button
        return bar

    def _build_status_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("statusBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 6, 24, 6)
        self.link_label = label(wrap=False)
        self.kiosk_label = label(wrap=False)
        row.addWidget(self.link_label)
        row.addStretch(1)
        row.addWidget(self.kiosk_label)
        return bar

    def render(self) -> None:
        session = self.controller.session
        view: KioskView = self.controller.view
        self.languages.switch(session.language)
        theme = Theme(care_mode=session.care_mode, px_per_mm=self.px_per_mm)
        if theme != self._theme:
            self.setStyleSheet(theme.style_sheet())
            self._theme = theme
            self._apply_theme(theme)
        self.location_label.setText(self.controller.config.kiosk.location)
        self.care_button.setText(tr("Care mode"))
        self.care_button.setChecked(session.care_mode)
        self.repeat_button.setText(tr("Repeat"))
        self.repeat_button.setVisible(session.care_mode and self.voice is not None
                                      and session.state is not State.IDLE)
        self.help_button.setText(tr("Help"))
        self.steps.render(session)
        for code, button in self.language_buttons.items():
            button.setVisible(code in self.controller.config.kiosk.languages)
            selected = "true" if code == session.language else "false"
            if button.property("selected") != selected:
                # Re-polishing restyles the button: only when its state changed, not on every
                # render (it showed up in the soak's GUI-stall samples).
                button.setProperty("selected", selected)
                button.style().unpolish(button)
                button.style().polish(button)
        link = self._link_text(view)
        if session.help_requested:
            link = tr("Staff have been called and will come to you.") + "   " + link
        self.link_label.setText(link)
        self.kiosk_label.setText(tr("Kiosk %s") % self.controller.config.kiosk.id)
        screen = self.screens[session.state]
        if session.state is State.IDLE and self._rendered_state is not State.IDLE:
            # Once when a session ends, not on every idle render (status changes re-render the
            # attract screen: wiping every screen each time was GUI time for nothing).
            for other in self.screens.values():
                other.wipe()
        self._rendered_state = session.state
        screen.render(session, view)
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
        self.overlay.render(session.idle_warning_remaining_s)
        self._speak(session, screen)
        if session.state is State.IDLE:
            self._prepare_timer.start()

    def _prepare_first_step(self) -> None:
        """While the kiosk stands idle, fill and lay out the service finder (a session's first screen)
        in the current language and mode, hidden, in a turn of the event loop of its own: the
        citizen's first tap then only shows it. Filling and laying it out on the tap took 20-30 ms
        of the GUI thread (bench/soak.py; the finder keeps what it filled, screens/finder.py)."""
        session = self.controller.session
        if session.state is not State.IDLE:
            return
        screen = self.screens[State.CHOOSE_SERVICE]
        screen.render(session, self.controller.view)
        screen.setGeometry(self.stack.contentsRect())
        if screen.layout() is not None:
            screen.layout().activate()

    def _apply_theme(self, theme: Theme) -> None:
        """Icons and drawn hints in the new palette (once per theme change, not per render)."""
        from screens.icons import icon
        on_bar = theme.palette.on_accent
        size = QSize(theme.small_px + 8, theme.small_px + 8)
        # The care-mode button is checked in care mode: its background turns on_accent.
        for button, purpose, colour in ((self.help_button, "staff", on_bar), (self.repeat_button, "repeat", on_bar),
                                        (self.care_button, "care_mode",
                                         theme.palette.accent if theme.care_mode else on_bar)):
            button.setIcon(icon(purpose, colour))
            button.setIconSize(size)
        for screen in self.screens.values():
            screen.apply_theme(theme)

    def render_preview(self) -> None:
        """A camera preview frame arrived: only the current screen's preview repaints."""
        session = self.controller.session
        self.screens[session.state].render_preview(session, self.controller.view)

    def _repeat_voice(self) -> None:
        if self.voice is not None:
            self.voice.repeat()

    def _speak(self, session, screen) -> None:
        """Care mode: read each step's instruction aloud (silent without a TTS engine)."""
        if self.voice is None:
            return
        if not session.care_mode or session.state is State.IDLE:
            if self.voice.last_spoken is not None:
                self.voice.stop()
            return
        title = getattr(screen, "title", None)
        text = title.text() if title is not None else ""
        hint = getattr(screen, "hint", None) or getattr(screen, "instruction", None)
        if hint is not None and hint.text():
            text = f"{text}。{hint.text()}" if session.language != "en" else f"{text}. {hint.text()}"
        self.voice.say(text, session.language)

    @staticmethod
    def _link_text(view: KioskView) -> str:
        if view.platform_online is False:
            text = tr("Offline — your application is saved and will be sent automatically.")
        elif view.platform_online:
            text = tr("Online")
        else:
            text = tr("Connecting…")
        if view.queue_pending:
            text += "  " + tr("(%d waiting to be sent)") % view.queue_pending
        return text

    def visible_texts(self) -> list[str]:
        """Every text any widget holds (used by the privacy tests)."""
        texts = []
        for widget in self.findChildren(QWidget):
            for getter in ("text", "toolTip", "placeholderText"):
                value = getattr(widget, getter, None)
                if callable(value):
                    try:
                        result = value()
                    except TypeError:
                        continue
                    if isinstance(result, str) and result:
                        texts.append(result)
        return texts

    def closeEvent(self, event) -> None:
        # A citizen must not be able to close the kiosk (Alt+F4 without a WM).
        if self.allow_close:
            if self.voice is not None:
                self.voice.close()
            event.accept()
        else:
            event.ignore()
