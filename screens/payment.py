"""The payment step (统一支付): amount, fee items, the dynamic QR with a countdown, and the
citizen's payment code by scanner or camera. Also the fee notices of the service-information and
confirmation screens (`fee_notice`).

The screen never says "paid": the session leaves PAYMENT only when the platform reported SUCCESS
(then the submitting and receipt screens show the amount and the payment reference).
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.catalog import localized
from kiosk.core.payment import format_fen, payable
from screens.base import KioskView, Screen
from screens.texts import tr
from screens.widgets import big_button, label, qr_pixmap, touch_scroll_area


def yuan(fen: int) -> str:
    return "¥" + format_fen(fen)


def fee_notice(session, view: KioskView, *, for_confirm: bool) -> str:
    """The fee lines for a service ("" for a free one), in the session's language."""
    service = session.service
    fee = getattr(service, "fee", None)
    if fee is None:
        return ""
    lang = session.language
    items = ", ".join(f"{localized(item.names, lang)} {yuan(item.amount_fen)}" for item in fee.items)
    lines = [tr("Fee: %s") % yuan(fee.total_fen) + f"  ({items})"]
    if for_confirm:
        due = payable(fee, session.document, dt.date.today())
        if due.exemption is not None:
            lines.append(tr("No fee is due for you: %s") % localized(due.exemption.names, lang))
        else:
            lines.append(tr("Next you pay %s by QR code (WeChat Pay, Alipay, UnionPay).") % yuan(due.amount_fen))
    else:
        lines += [f"•  {localized(exemption.names, lang)}" for exemption in fee.exemptions]
        lines.append(tr("Pay here by scanning a QR code with WeChat Pay, Alipay or UnionPay, "
                        "or show your payment code."))
    if view.platform_online is False or not session.payments_available:
        lines.append(tr("Paying needs the network, which is not available now."))
        if fee.counter_payment_allowed:
            lines.append(tr("You can apply and pay at the counter instead."))
    elif fee.counter_payment_allowed and not for_confirm:
        lines.append(tr("You may also pay at the counter instead."))
    return "\n".join(lines)


def paid_text(payment) -> str:
    """Receipt screen: amount and payment reference of a settled payment ("" otherwise)."""
    if payment is None or payment.phase != "paid" or not payment.reference:
        return ""
    reference = " ".join(payment.reference[i:i + 4] for i in range(0, len(payment.reference), 4))  # wraps, reads
    text = tr("Fee paid: %s") % yuan(payment.amount_fen) + "   " + tr("Payment reference: %s") % reference
    if payment.outcome == "paid_late":
        text += "\n" + tr("Your payment arrived as the time ran out; it was accepted.")
    return text


PHASE_TEXT = {
    "creating": "Preparing your payment…",
    "waiting": "Scan this QR code with WeChat Pay, Alipay or UnionPay QuickPass and confirm on your phone.",
    "code_paying": "Payment in progress. Please confirm on your phone if it asks you to.",
    "closing": "Ending the payment. Please wait for the result…",
    "paid": "Payment received.",
}


class PaymentScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.service_name = label(role="subtitle")
        self.amount = label(role="title")
        self.amount.setObjectName("paymentAmount")
        self.items = label(role="hint")
        self.qr = label(wrap=False)
        self.qr.setAlignment(Qt.AlignCenter)
        self.qr.setObjectName("paymentQr")
        self.status = label()
        self.code_hint = label(role="hint")
        self.code_error = label()
        self.code_error.setObjectName("error")
        self.countdown = label(role="subtitle")
        self.countdown.setObjectName("paymentCountdown")
        self.reassure = label(role="hint")
        self.order = label(role="hint")
        body = QHBoxLayout()                      # left: what and how much; right: the QR code
        content = QWidget()
        left = QVBoxLayout(content)
        left.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.service_name, self.amount, self.items, self.countdown, self.status,
                       self.code_hint, self.code_error, self.reassure, self.order):
            left.addWidget(widget)
        left.addStretch(1)
        body.addWidget(touch_scroll_area(content), 3)   # care mode's larger text scrolls, never clips
        body.addWidget(self.qr, 2, Qt.AlignTop | Qt.AlignHCenter)
        self.layout_.addLayout(body, 1)
        self.cancel_button = big_button()
        self.cancel_button.setObjectName("cancelPayment")
        self.cancel_button.clicked.connect(intents.cancel)
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self._qr_png: bytes | None = None

    def render(self, session, view: KioskView) -> None:
        payment = session.payment
        if payment is None or session.service is None:
            return
        lang = session.language
        qr_size = 420 if session.care_mode else 340
        self.title.setText(tr("Pay the fee"))
        self.service_name.setText(session.service.name(lang))
        self.amount.setText(tr("Amount: %s") % yuan(payment.amount_fen))
        self.items.setText("   ".join(f"{localized(item.names, lang)} {yuan(item.amount_fen)}"
                                      for item in payment.items))
        png = view.payment_qr_png if payment.phase == "waiting" else None
        if png is None:
            self.qr.clear()
            self._qr_png = None
        elif png is not self._qr_png or self.qr.minimumWidth() != qr_size:
            self.qr.setMinimumSize(qr_size, qr_size)
            self.qr.setPixmap(qr_pixmap(png, qr_size))
            self._qr_png = png
        self.status.setText(tr(PHASE_TEXT.get(payment.phase, PHASE_TEXT["creating"])))
        self.code_hint.setText(tr("You can also show your payment code to the scanner or the camera.")
                               if payment.phase == "waiting" else "")
        self.code_error.setText(tr("That was not a payment code. Please open the payment code in your "
                                   "wallet app and show it again.") if payment.code_error else "")
        for widget in (self.code_hint, self.code_error):
            widget.setVisible(bool(widget.text()))
        remaining = session.payment_remaining_s
        if payment.phase == "waiting" and remaining is not None:
            self.countdown.setText(tr("Time left: %s") % f"{int(remaining) // 60}:{int(remaining) % 60:02d}")
        else:
            self.countdown.setText("")
        self.reassure.setText(tr("Nothing is charged until you confirm on your phone. "
                                 "If the time runs out, the payment is closed."))
        self.order.setText(tr("Payment order: %s") % payment.order_no if payment.order_no else "")
        self.cancel_button.setText(tr("Cancel payment"))
        self.cancel_button.setEnabled(payment.phase in ("creating", "waiting"))

    def wipe(self) -> None:
        super().wipe()
        self.qr.clear()
        self._qr_png = None
