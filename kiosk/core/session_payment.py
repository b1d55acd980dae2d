"""Citizen session, the payment step (统一支付): state PAYMENT between CONFIRM and SUBMITTING.

`PaymentMixin.begin_payment_or_submit()` is what "Confirm" does for a fee-bearing service: the
amount due is computed from the catalog fee and the identity document (exemptions, e.g. aged
80 or over: free, and then the application is submitted as before with the exemption named). If
something is due the session goes to PAYMENT and asks the flow to journal the intent and create
the order (`StartPayment`). The flow reports back:

* `payment_opened`   the order exists and its QR may be shown: the countdown starts
* `payment_code_busy` a payment code went to the platform (the citizen may be typing a password)
* `payment_settled`  the platform said SUCCESS for the right amount and the application is in the
                     outbox with the payment reference: SUBMITTING (waiting for the number) -> receipt
* `payment_ended`    not paid (or paid and returned): an error screen saying exactly that

Cancel and the countdown's end close the order (`ClosePayment`); the session waits for the
platform's last word, because a payment that lands while closing is honoured and the citizen
must learn so. Nothing here is ever called paid except by `payment_settled`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.core.catalog_fee import Exemption, FeeItem
from kiosk.core.payment import payable, payment_code_wallet
from kiosk.core.session_base import SessionBase
from kiosk.core.session_types import ClosePayment, EndReason, PayWithCode, StartPayment, State, Submit

# Citizen-facing error screen for each way a payment can end unpaid (docs/payment.md, fault table).
PAYMENT_ERRORS = {
    "timeout": "payment_timeout",               # nothing charged; try again or pay at the counter
    "closed": "payment_timeout",
    "interrupted": "payment_timeout",
    "payerror": "payment_failed",               # the wallet refused (balance, password): nothing charged
    "refunded": "payment_refunded",             # money arrived after closing and is being returned
    "amount_mismatch": "payment_amount_mismatch",   # a QR for another amount: never shown; staff alerted
    "unavailable": "payment_unavailable",       # the payment service did not answer: nothing charged
    "unresolved": "payment_unresolved",         # could not confirm: resolved automatically, slip to staff
}
RETRYABLE_PAYMENT_ERRORS = frozenset({"timeout", "closed", "interrupted", "payerror", "unavailable"})


@dataclass
class PaymentView:
    """What the payment screen shows (no personal data)."""
    application_id: str
    amount_fen: int
    items: tuple[FeeItem, ...]
    phase: str = "creating"          # creating | waiting | code_paying | closing | paid
    qr_content: str | None = None
    order_no: str | None = None
    deadline: float | None = None     # monotonic: a wall-clock jump changes nothing
    phase_started: float = 0.0
    code_error: str | None = None     # "not_a_payment_code" after a bad scan
    reference: str | None = None
    paid_at: str | None = None
    outcome: str | None = None        # paid | paid_late once settled
    exemption: Exemption | None = None


class PaymentMixin(SessionBase):
    """The payment step of `CitizenSession`."""

    def begin_payment_or_submit(self, application_id: str, body: dict[str, Any],
                                attachments: tuple[tuple[str, str, bytes], ...] = ()) -> None:
        """Free (or exempt): SUBMITTING at once, scanned pages with it. Fee due: PAYMENT first; a
        fee-bearing service takes no scanned pages (the catalog refuses the combination), because
        the payment journal keeps only the body until the payment settles."""
        due = payable(self._service.fee, self._data.document, self._today())
        if self._service.fee is not None and not due.due and due.exemption is not None:
            body["fee_exemption"] = due.exemption.rule
        self._pending_application_id = application_id
        self._submission_stored = False
        if not due.due:
            self._go(State.SUBMITTING)
            self._command(Submit(self.token, application_id, body, attachments))
            return
        if not self.payments_available:
            # Offline or earlier payments not yet resolved: payment needs the network.
            self._fail("payment_offline", retry=None)
            return
        self.payment = PaymentView(application_id, due.amount_fen, due.items, phase_started=self._clock())
        self._go(State.PAYMENT)
        self._command(StartPayment(self.token, application_id, self._service.id, due.amount_fen,
                                   tuple((i.code, i.amount_fen) for i in due.items), body))

    @property
    def payment_remaining_s(self) -> float | None:
        """Seconds left on the payment countdown (None before the QR is shown)."""
        view: PaymentView | None = self.payment
        if view is None or view.deadline is None:
            return None
        return max(0.0, view.deadline - self._clock())

    # --- events from the flow ---------------------------------------------------------

    def _paying(self, token: int) -> PaymentView | None:
        if token != self.token or self.state is not State.PAYMENT or self.payment is None:
            return None
        view: PaymentView = self.payment
        return view

    def payment_opened(self, token: int, order_no: str, qr_content: str) -> None:
        view = self._paying(token)
        if view is None or view.phase != "creating":
            return
        view.order_no, view.qr_content, view.phase = order_no, qr_content, "waiting"
        view.phase_started = self._clock()
        view.deadline = view.phase_started + self.effective_timeouts.payment_s
        self._changed()

    def payment_code_read(self, code: str) -> None:
        """Scanner or camera: a code while the QR is shown. Bad codes never reach the platform."""
        view = self.payment
        if self.state is not State.PAYMENT or view is None or view.phase != "waiting":
            return          # paying already, closing, paid: a second read changes nothing
        self.touch()
        if payment_code_wallet(code) is None:
            view.code_error = "not_a_payment_code"
            self._changed()
            return
        view.code_error = None
        view.phase, view.phase_started = "code_paying", self._clock()
        self._changed()
        self._command(PayWithCode(self.token, view.application_id, code))

    def payment_code_back_to_qr(self, token: int, error: str | None = None) -> None:
        """The code did not go through (no charge): the QR is shown again."""
        view = self._paying(token)
        if view is not None and view.phase == "code_paying":
            view.phase, view.code_error = "waiting", error
            self._changed()

    def payment_settled(self, token: int, outcome: str, reference: str, paid_at: str | None) -> None:
        view = self._paying(token)
        if view is None:
            return
        view.phase, view.outcome, view.reference, view.paid_at = "paid", outcome, reference, paid_at
        self._submission_stored = True           # the payment step put it in the outbox
        self._go(State.SUBMITTING)
        self._command(Submit(self.token, view.application_id, {}, stored=True))

    def payment_ended(self, token: int, outcome: str) -> None:
        view = self._paying(token)
        if view is None:
            return
        view.outcome = outcome
        if outcome == "cancelled":
            self._end(EndReason.CANCELLED)
            return
        retry = self._back_to_confirm if outcome in RETRYABLE_PAYMENT_ERRORS else None
        self._fail(PAYMENT_ERRORS.get(outcome, "payment_unresolved"), retry=retry)

    # --- cancel and deadlines -----------------------------------------------------------

    def cancel_payment(self) -> None:
        self._close_payment("cancelled")

    def _close_payment(self, reason: str) -> None:
        view = self.payment
        if self.state is not State.PAYMENT or view is None or view.phase in ("closing", "paid"):
            return
        if view.phase == "code_paying" and reason == "cancelled":
            return      # the wallet is charging: wait for its answer (the screen says so)
        view.phase, view.phase_started = "closing", self._clock()
        self._changed()
        self._command(ClosePayment(self.token, view.application_id, reason))

    def _payment_tick(self, now: float) -> None:
        view = self.payment
        if view is None:
            return
        if view.phase == "waiting" and view.deadline is not None and now >= view.deadline:
            self._close_payment("timeout")
        elif view.phase in ("creating", "closing", "code_paying") \
                and now - view.phase_started >= self.timeouts.payment_settle_s:
            # The kiosk is waiting on the platform too long: the sweeper resolves it later.
            self.payment_ended(self.token, "unresolved")
        else:
            self._changed()     # the countdown on screen
