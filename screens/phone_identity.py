"""Identity by phone: the government app's identity code shown to the camera (APP_CODE), and
app login by the kiosk's QR (APP_LOGIN). Render state only; every button is an intent.

Messages are literals in tr(...) calls (functions below), so the translation check sees them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from screens.base import KioskView, Screen
from screens.texts import tr
from screens.widgets import big_button, label, qr_pixmap


def phone_message(key: str | None) -> str:
    """The message and way forward for a phone-identity key (kiosk.core.session_phone)."""
    if key is None:
        return ""
    messages = {
        "app_code_not_found": lambda: tr("No app code was recognised. Hold the phone still, about 20 cm from the "
                                         "camera, with the screen bright, and press Scan again."),
        "app_code_is_payment": lambda: tr("This is a payment code, not an identity code. Nothing was paid. Open "
                                          "the identity code page in the government app and press Scan again."),
        "app_code_foreign": lambda: tr("This code is not a government app identity code. Open the identity code "
                                       "page in the government app, or use your ID card."),
        "app_code_expired": lambda: tr("This code has expired. Refresh it in the app and press Scan again."),
        "app_code_used": lambda: tr("This code has already been used. Refresh it in the app and press Scan "
                                    "again."),
        "app_code_unknown": lambda: tr("This code was not recognised by the government platform. Refresh it in "
                                       "the app, or use your ID card."),
        "app_offline": lambda: tr("Identity by app needs the network, which is not available right now. Please "
                                  "use your ID card, or go to the counter."),
        "app_failed": lambda: tr("Identity by app is not available right now. Please use your ID card, or go to "
                                 "the counter."),
        "app_camera_unavailable": lambda: tr("The camera is not working right now. Please use your ID card, or go "
                                             "to the counter."),
        "app_login_expired": lambda: tr("The login was not confirmed in time. Press Try again for a new code, or "
                                        "use your ID card."),
        "app_login_denied": lambda: tr("The login was declined in the app. Press Try again, or use your ID card."),
        "app_login_failed": lambda: tr("The login could not be completed. Press Try again, or use your ID card."),
    }
    return messages.get(key, messages["app_failed"])()


def phone_options(screen: Screen, row: QHBoxLayout) -> None:
    """The identify step's other ways: "phone (government app code)" and "app login"."""
    screen.app_code_button = big_button(name="useAppCode")
    screen.app_code_button.clicked.connect(screen.intents.use_app_code)
    screen.app_login_button = big_button(name="useAppLogin")
    screen.app_login_button.clicked.connect(screen.intents.use_app_login)
    row.addWidget(screen.app_code_button)
    row.addWidget(screen.app_login_button)


def render_phone_options(screen: Screen, session) -> None:
    options = session.identify_options
    screen.app_code_button.setText(tr("Use the government app code"))
    screen.app_login_button.setText(tr("Log in with the government app"))
    screen.app_code_button.setVisible("app_code" in options)
    screen.app_login_button.setVisible("app_login" in options)


def _bottom_row(screen: Screen, prefix: str) -> QHBoxLayout:
    row = QHBoxLayout()
    screen.cancel_button = big_button(name=f"{prefix}Cancel")
    screen.cancel_button.clicked.connect(screen.intents.cancel)
    screen.card_button = big_button(name=f"{prefix}UseCard")
    screen.card_button.clicked.connect(screen.intents.use_id_card)
    row.addWidget(screen.cancel_button)
    row.addStretch(1)
    row.addWidget(screen.card_button)
    return row


class AppCodeScreen(Screen):
    """Consent line, "Agree and scan", the camera preview while scanning, one message line.
    While scanning the preview takes the consent's place (it was agreed to); a message takes
    the instruction's place (it says what to do next): all of it fits 1280 x 800 in care mode."""

    compact_spacing = True

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.instruction = label(role="subtitle")
        self.consent = label(role="hint")
        self.consent.setObjectName("appConsent")
        self.preview = label()
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setMinimumSize(480, 270)
        self.message = label(role="error")
        self.message.setObjectName("error")
        for widget in (self.title, self.instruction, self.consent, self.preview, self.message):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        row = _bottom_row(self, "appCode")
        self.scan_button = big_button(primary=True, name="appCodeScan")
        self.scan_button.clicked.connect(intents.scan_app_code)
        row.addWidget(self.scan_button)
        self.layout_.addLayout(row)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Show the app's identity code"))
        if session.app_busy:
            self.instruction.setText(tr("Checking your code with the government platform…"))
        elif session.app_scanning:
            self.instruction.setText(tr("Hold the phone's code in front of the camera."))
        else:
            self.instruction.setText(tr("Open your government app (for example Yue Sheng Shi or Macau One Account), "
                                        "go to its identity code page, then press Agree and scan."))
        self.consent.setText(tr("By scanning, you agree that this kiosk fetches your name, ID number, address and "
                                "photo on record from the government platform, for this service only. Nothing is "
                                "kept after you leave."))
        self.message.setText(phone_message(session.app_error))
        self.message.setVisible(bool(self.message.text()))
        self.instruction.setVisible(not self.message.text())
        self.consent.setVisible(not session.app_scanning)
        self.preview.setVisible(session.app_scanning)
        self.scan_button.setText(tr("Agree and scan") if session.app_error is None else tr("Scan again"))
        self.scan_button.setEnabled(not (session.app_scanning or session.app_busy))
        self.card_button.setText(tr("Use my ID card instead"))
        self.cancel_button.setText(tr("Cancel"))
        self.render_preview(session, view)

    def render_preview(self, session, view: KioskView) -> None:
        if session.app_scanning and view.camera_image is not None:
            self.preview.setPixmap(QPixmap.fromImage(view.camera_image).scaled(
                480, 270, Qt.KeepAspectRatio, Qt.FastTransformation))
        elif not session.app_scanning:
            self.preview.clear()

    def wipe(self) -> None:
        super().wipe()
        self.preview.clear()
        self.message.clear()


class AppLoginScreen(Screen):
    """The kiosk's login QR, the code to compare on the phone, the time left, one message line."""

    compact_spacing = True

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.instruction = label(role="subtitle")
        self.qr = label()
        self.qr.setObjectName("appLoginQr")
        self.qr.setMinimumSize(300, 300)        # never squeezed: a cut QR cannot be scanned
        self.qr.setAlignment(Qt.AlignCenter)
        self.user_code = label(role="title")
        self.user_code.setObjectName("appLoginUserCode")
        self.user_code.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.user_code.setProperty("cardValue", True)    # a code shown as is, in every language
        self.countdown = label(role="hint")
        self.countdown.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.message = label(role="error")
        self.message.setObjectName("error")
        # The QR on the left, what to do and the code to compare beside it (one above the other
        # did not fit 1280 x 800 in care mode).
        self.layout_.addWidget(self.title)
        body = QHBoxLayout()
        body.addWidget(self.qr, 0, Qt.AlignTop)
        column = QVBoxLayout()
        for widget in (self.instruction, self.user_code, self.countdown, self.message):
            column.addWidget(widget)
        column.addStretch(1)
        body.addLayout(column, 1)
        self.layout_.addLayout(body)
        self.layout_.addStretch(1)
        row = _bottom_row(self, "appLogin")
        self.retry_button = big_button(primary=True, name="appLoginRetry")
        self.retry_button.clicked.connect(intents.use_app_login)
        row.addWidget(self.retry_button)
        self.layout_.addLayout(row)
        self._png: bytes | None = None

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Log in with the government app"))
        login = session.app_login
        if session.app_busy:
            self.instruction.setText(tr("Preparing the login code…"))
        elif login is not None:
            self.instruction.setText(tr("In the government app, tap Scan and point the phone at this code. Check "
                                        "that the app shows the same letters, then confirm on your phone."))
        else:
            self.instruction.setText("")
        png = view.app_login_qr_png if login is not None else None
        if png is None:
            self.qr.clear()
            self._png = None
        elif png is not self._png:
            self.qr.setPixmap(qr_pixmap(png, 300))
            self._png = png
        self.user_code.setText(login["user_code"] if login else "")
        remaining = session.app_login_remaining_s
        self.countdown.setText(tr("Waiting for your confirmation… %d s left") % int(remaining)
                               if login is not None and remaining is not None else "")
        self.message.setText(phone_message(session.app_error))
        self.message.setVisible(bool(self.message.text()))
        self.instruction.setVisible(not self.message.text())      # the message says what to do now
        self.retry_button.setText(tr("Try again"))
        self.retry_button.setVisible(session.app_error is not None)
        self.card_button.setText(tr("Use my ID card instead"))
        self.cancel_button.setText(tr("Cancel"))

    def wipe(self) -> None:
        super().wipe()
        self.qr.clear()
        self.user_code.clear()
        self._png = None
