"""Driving one payment against the platform, durably (no Qt): `PaymentRunner`.

The flow (kiosk/flows/payment.py) and the start-up recovery call it on background threads; the
kill -9 rig and the benchmark (sim/payment_kiosk.py, bench/payment.py) drive the very same code.
Every step writes the payment journal (offline_cache/payments.py) *before* it calls out, and
every answer is checked before anything is called paid:

    open_order   intent -> journal `created` -> POST /payments/orders (retried with the same key
                 until `create_timeout_s`) -> amount checked -> `qr_shown` -> the QR content
    poll         GET the order; SUCCESS for the journal's amount -> `settle`
    pay_with_code  journal `code_scanned`, then POST micropay ONCE (a lost answer is followed by
                 queries, never by a second micropay)
    cancel       journal `closing`, then close (QR) or reverse (payment code); a payment that
                 landed first is settled (the platform honours it) or comes back refunded
    settle       journal `paid` (reference) -> the application into the outbox carrying the
                 payment reference (exactly once: the outbox key is the application id) -> `submitted`
    resolve_pending  after a crash: every unfinished row is queried, then settled or closed

Outcome codes (`PaymentStatus.outcome`, what the citizen is told, docs/payment.md fault table):
paid, paid_late, closed, timeout, cancelled, refunded, payerror, amount_mismatch, unavailable,
unresolved.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.core.payment import JournalState, TradeState, is_settled, payment_code_wallet
from offline_cache.outbox import Submission
from offline_cache.payments import JournalRow, PaymentJournal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentTimings:
    poll_s: float = 1.0              # QR shown: query this often (the phone's SUCCESS reaches the screen < ~1 s)
    poll_max_s: float = 8.0          # backoff cap while the platform fails
    code_poll_s: float = 3.0         # payment code USERPAYING: query this often (WeChat: 5 s; Alipay: 3-5 s)
    code_wait_s: float = 30.0        # USERPAYING longer than this -> reverse (WeChat: 30 s)
    create_timeout_s: float = 10.0   # keep trying to create the order this long
    expire_s: float = 300.0          # the platform closes an unpaid order after this long anyway


@dataclass(frozen=True)
class PaymentIntent:
    application_id: str
    kiosk_id: str
    service_id: str
    amount_fen: int
    items: tuple[tuple[str, int], ...]     # (fee item code, fen)
    body: dict[str, Any]                   # the application, submitted once paid


@dataclass(frozen=True)
class PaymentStatus:
    application_id: str
    order_no: str
    amount_fen: int
    trade_state: str | None = None
    qr_content: str | None = None
    reference: str | None = None
    paid_at: str | None = None
    outcome: str | None = None              # set once the payment is over (see the module docstring)

    @property
    def settled(self) -> bool:
        return self.outcome in ("paid", "paid_late")


class PaymentFailed(Exception):
    def __init__(self, status: PaymentStatus):
        super().__init__(status.outcome)
        self.status = status


class PaymentClient:
    """The payment endpoints of the platform, over kiosk.platform.PlatformClient (signed, timed)."""

    def __init__(self, platform_client, kiosk_id: str):
        self.platform = platform_client
        self.kiosk_id = kiosk_id

    def create(self, intent: PaymentIntent, order_no: str, expire_s: float) -> dict:
        body = {"application_id": intent.application_id, "kiosk_id": self.kiosk_id, "service_id": intent.service_id,
                "order_no": order_no, "amount_fen": intent.amount_fen, "expire_s": expire_s,
                "items": [{"code": code, "amount_fen": fen} for code, fen in intent.items]}
        return self.platform.call_json("POST", "/payments/orders", json_body=body,
                                       idempotency_key=intent.application_id)

    def query(self, order_no: str) -> dict:
        return self.platform.call_json("GET", f"/payments/orders/{order_no}", params={"kiosk_id": self.kiosk_id})

    def close(self, order_no: str) -> dict:
        return self.platform.call_json("POST", f"/payments/orders/{order_no}/close", json_body={"kiosk_id": self.kiosk_id})

    def reverse(self, order_no: str) -> dict:
        return self.platform.call_json("POST", f"/payments/orders/{order_no}/reverse",
                                       json_body={"kiosk_id": self.kiosk_id})

    def micropay(self, order_no: str, auth_code: str) -> dict:
        return self.platform.call_json("POST", f"/payments/orders/{order_no}/micropay",
                                       json_body={"kiosk_id": self.kiosk_id, "auth_code": auth_code})

    def bill(self, day: str) -> dict:
        return self.platform.call_json("GET", "/payments/bill", params={"date": day, "kiosk_id": self.kiosk_id})


def _status_code(exc: Exception) -> int | None:
    return getattr(exc, "status", None)


def _retryable(exc: Exception) -> bool:
    return bool(getattr(exc, "retryable", False))


class PaymentRunner:
    def __init__(self, journal: PaymentJournal, outbox, client: PaymentClient, *,
                 timings: PaymentTimings = PaymentTimings(), clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, on_submitted: Callable[[str], None] | None = None):
        self.journal = journal
        self.outbox = outbox
        self.client = client
        self.timings = timings
        self._clock = clock          # monotonic: a wall-clock jump never stretches or cuts a deadline
        self._sleep = sleep
        self._on_submitted = on_submitted or (lambda _id: None)

    # --- a new payment ---------------------------------------------------------------------

    def open_order(self, intent: PaymentIntent) -> PaymentStatus:
        """Intent journalled, order created, amount checked: the QR may be shown. Raises
        PaymentFailed (outcome unavailable / amount_mismatch / unresolved) otherwise."""
        row = self.journal.begin(intent.application_id, intent.kiosk_id, intent.service_id, intent.amount_fen,
                                 intent.body)
        deadline = self._clock() + self.timings.create_timeout_s
        delay = 0.2
        while True:
            try:
                reply = self.client.create(intent, row.order_no, self.timings.expire_s)
                break
            except Exception as exc:
                self.journal.note(intent.application_id, last_error=_error_code(exc))
                if not _retryable(exc) or self._clock() + delay > deadline:
                    log.warning("payment order not created", extra={"order": row.order_no,
                                                                    "error": _error_code(exc)})
                    raise PaymentFailed(self._give_up(row, "unavailable")) from None
                self._sleep(delay)
                delay = min(delay * 2, 2.0)
        if reply.get("amount_fen") != intent.amount_fen or reply.get("order_no") != row.order_no:
            # A QR for another amount is never shown: close it, tell the citizen, alert staff.
            log.error("payment order for another amount refused", extra={"order": row.order_no})
            self.journal.note(intent.application_id, last_error="amount_mismatch")
            raise PaymentFailed(self._give_up(row, "amount_mismatch"))
        if reply.get("state") == TradeState.SUCCESS.value:        # a replayed create of a paid order
            return self._finish_from_reply(self.journal.transition(intent.application_id, JournalState.QR_SHOWN),
                                           reply)
        row = self.journal.transition(intent.application_id, JournalState.QR_SHOWN, method="qr",
                                      trade_state=reply.get("state"))
        return PaymentStatus(row.application_id, row.order_no, row.amount_fen, reply.get("state"),
                             qr_content=reply.get("qr_content"))

    def _give_up(self, row: JournalRow, outcome: str) -> PaymentStatus:
        """The order could not be used: close it at the platform (it may exist) before saying so."""
        self.journal.transition(row.application_id, JournalState.CLOSING, outcome=outcome)
        status = self.cancel(row.application_id, outcome)
        if status.outcome in ("closed", outcome):
            return PaymentStatus(row.application_id, row.order_no, row.amount_fen, status.trade_state, outcome=outcome)
        return status

    # --- while the QR is shown ---------------------------------------------------------------

    def poll(self, application_id: str) -> PaymentStatus:
        """One query. Raises the platform error (the caller backs off)."""
        row = self._row(application_id)
        if row.final:
            return self._final_status(row)
        return self._finish_from_reply(row, self.client.query(row.order_no))

    def pay_with_code(self, application_id: str, auth_code: str) -> PaymentStatus:
        """The citizen's payment code, sent to the platform at most once per order."""
        row = self._row(application_id)
        if row.final or row.state is not JournalState.QR_SHOWN:
            return self._status(row)             # already paying / paid / closed: a second read is ignored
        if payment_code_wallet(auth_code) is None:
            return PaymentStatus(row.application_id, row.order_no, row.amount_fen, row.trade_state,
                                 outcome=None)
        row = self.journal.transition(application_id, JournalState.CODE_SCANNED, method="code")
        try:
            reply = self.client.micropay(row.order_no, auth_code)
        except Exception as exc:
            # The answer may be lost after the charge: ask, never pay again.
            self.journal.note(application_id, last_error=_error_code(exc))
            log.warning("micropay answer lost; querying", extra={"order": row.order_no, "error": _error_code(exc)})
            if _status_code(exc) == 409:
                return self._finish_from_reply(row, self.client.query(row.order_no))
            return self._status(self._row(application_id), trade_state="USERPAYING")
        return self._finish_from_reply(row, reply)

    def wait_for_code(self, application_id: str, stop: Callable[[], bool] = lambda: False) -> PaymentStatus:
        """USERPAYING: query every code_poll_s up to code_wait_s, then reverse (never re-submit)."""
        deadline = self._clock() + self.timings.code_wait_s
        while True:
            try:
                status = self.poll(application_id)
            except Exception as exc:
                self.journal.note(application_id, last_error=_error_code(exc))
                status = self._status(self._row(application_id))
            if status.outcome is not None or stop():
                return status
            if status.trade_state == TradeState.NOTPAY.value:
                # The code never reached the provider (answer lost before it): the QR stays payable;
                # the provider never charges one order twice, whatever arrives late.
                row = self.journal.transition(application_id, JournalState.QR_SHOWN, trade_state="NOTPAY")
                return self._status(row)
            if status.trade_state not in (TradeState.USERPAYING.value, None):
                return status
            if self._clock() >= deadline:
                return self.cancel(application_id, "timeout")
            self._sleep(min(self.timings.code_poll_s, max(0.0, deadline - self._clock())))

    # --- ending ------------------------------------------------------------------------------

    def cancel(self, application_id: str, reason: str = "cancelled") -> PaymentStatus:
        """Close (QR) or reverse (payment code). Returns the final status; outcome `unresolved` when
        the platform cannot be reached (the row stays `closing` for the sweeper)."""
        row = self._row(application_id)
        if row.final:
            return self._final_status(row)
        if row.state is JournalState.PAID:
            return self.settle(application_id)
        if row.state is not JournalState.CLOSING:
            row = self.journal.transition(application_id, JournalState.CLOSING, outcome=row.outcome or reason)
        try:
            reply = (self.client.reverse(row.order_no) if row.method == "code"
                     else self.client.close(row.order_no))
        except Exception as exc:
            if _status_code(exc) == 404:         # the order never reached the platform: nothing to close
                row = self.journal.transition(application_id, JournalState.CLOSED, trade_state="NOTEXIST")
                return PaymentStatus(row.application_id, row.order_no, row.amount_fen, None, outcome=reason)
            self.journal.note(application_id, last_error=_error_code(exc))
            return PaymentStatus(row.application_id, row.order_no, row.amount_fen, row.trade_state,
                                 outcome="unresolved")
        status = self._finish_from_reply(self._row(application_id), reply, late=True)
        if status.outcome == "closed":
            return PaymentStatus(status.application_id, status.order_no, status.amount_fen, status.trade_state,
                                 outcome=reason if reason in ("timeout", "cancelled") else status.outcome)
        return status

    def settle(self, application_id: str) -> PaymentStatus:
        """Paid: the application into the outbox with the payment reference, exactly once."""
        row = self._row(application_id)
        if row.state is JournalState.SUBMITTED:
            return self._final_status(row)
        if row.state is not JournalState.PAID or not row.payment_reference:
            raise RuntimeError(f"settle: payment {row.order_no} is {row.state.value}, not paid")
        if self.outbox.entry(application_id) is None:
            body = self.journal.body(application_id)
            if body is None:
                raise RuntimeError(f"settle: the application of {row.order_no} is gone")
            body["payment"] = {"order_no": row.order_no, "reference": row.payment_reference,
                               "amount_fen": row.amount_fen}
            self.outbox.enqueue(Submission(application_id, "application", body, time.time()))
        row = self.journal.transition(application_id, JournalState.SUBMITTED)
        self._on_submitted(application_id)
        return self._final_status(row)

    # --- after a crash ---------------------------------------------------------------------

    def resolve_pending(self, exclude: frozenset[str] = frozenset()) -> tuple[int, int]:
        """Every unfinished payment queried, then completed or closed. Returns (resolved, unresolved)."""
        resolved = unresolved = 0
        for row in self.journal.pending():
            if row.application_id in exclude:
                continue
            try:
                status = self._resolve(row)
            except Exception as exc:
                log.warning("pending payment not resolved", extra={"order": row.order_no, "error": _error_code(exc)})
                self.journal.note(row.application_id, last_error=_error_code(exc))
                unresolved += 1
                continue
            if status.outcome == "unresolved":
                unresolved += 1
            else:
                resolved += 1
                log.info("pending payment resolved", extra={"order": row.order_no, "outcome": status.outcome})
        return resolved, unresolved

    def _resolve(self, row: JournalRow) -> PaymentStatus:
        if row.state is JournalState.PAID:
            return self.settle(row.application_id)
        if row.state is JournalState.CLOSING:
            return self.cancel(row.application_id, row.outcome or "cancelled")
        try:
            reply = self.client.query(row.order_no)
        except Exception as exc:
            if _status_code(exc) == 404:              # never created: nothing can have been paid
                self.journal.transition(row.application_id, JournalState.CLOSED, trade_state="NOTEXIST",
                                        outcome="interrupted")
                return self._final_status(self._row(row.application_id))
            raise
        status = self._finish_from_reply(row, reply)
        if status.outcome is not None:
            return status
        return self.cancel(row.application_id, "interrupted")  # still payable: close it now

    # --- answers --------------------------------------------------------------------------------

    def _finish_from_reply(self, row: JournalRow, reply: dict, late: bool = False) -> PaymentStatus:
        state = str(reply.get("state"))
        amount = reply.get("amount_fen")
        if is_settled(state, amount if isinstance(amount, int) else -1, row.amount_fen) and reply.get("payment_reference"):
            outcome = "paid_late" if late or row.state is JournalState.CLOSING else "paid"
            self.journal.transition(row.application_id, JournalState.PAID, trade_state=state,
                                    payment_reference=str(reply["payment_reference"]),
                                    paid_at=reply.get("paid_at"), outcome=outcome)
            status = self.settle(row.application_id)
            return PaymentStatus(status.application_id, status.order_no, status.amount_fen, state,
                                 reference=status.reference, paid_at=status.paid_at, outcome=outcome)
        if state in (TradeState.REFUND.value,) or (state == TradeState.REVOKED.value and reply.get("payment_reference")):
            row = self.journal.transition(row.application_id, JournalState.REFUNDED, trade_state=state,
                                          payment_reference=reply.get("payment_reference"), outcome="refunded")
            return self._final_status(row)
        if state == TradeState.PAYERROR.value:
            self.journal.note(row.application_id, trade_state=state, last_error="payerror")
            return self._cancel_after(row, "payerror")
        if state in (TradeState.CLOSED.value, TradeState.REVOKED.value):
            row = self.journal.transition(row.application_id, JournalState.CLOSED, trade_state=state,
                                          outcome=row.outcome or "closed")
            return PaymentStatus(row.application_id, row.order_no, row.amount_fen, state, outcome="closed")
        if state == TradeState.SUCCESS.value:         # SUCCESS for another amount: never "paid"
            log.error("payment SUCCESS with another amount", extra={"order": row.order_no})
            self.journal.note(row.application_id, trade_state=state, last_error="amount_mismatch")
            return PaymentStatus(row.application_id, row.order_no, row.amount_fen, state)
        self.journal.note(row.application_id, trade_state=state)
        return PaymentStatus(row.application_id, row.order_no, row.amount_fen, state)

    def _cancel_after(self, row: JournalRow, outcome: str) -> PaymentStatus:
        status = self.cancel(row.application_id, outcome)
        if status.outcome == "closed":
            return PaymentStatus(status.application_id, status.order_no, status.amount_fen, status.trade_state,
                                 outcome=outcome)
        return status

    def _row(self, application_id: str) -> JournalRow:
        row = self.journal.row(application_id)
        if row is None:
            raise KeyError(application_id)
        return row

    def _status(self, row: JournalRow, trade_state: str | None = None) -> PaymentStatus:
        if row.final:
            return self._final_status(row)
        return PaymentStatus(row.application_id, row.order_no, row.amount_fen, trade_state or row.trade_state)

    @staticmethod
    def _final_status(row: JournalRow) -> PaymentStatus:
        outcome = {JournalState.SUBMITTED: row.outcome if row.outcome in ("paid", "paid_late") else "paid",
                   JournalState.REFUNDED: "refunded"}.get(row.state, row.outcome or "closed")
        return PaymentStatus(row.application_id, row.order_no, row.amount_fen, row.trade_state,
                             reference=row.payment_reference, paid_at=row.paid_at, outcome=outcome)


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "server_code", None) or getattr(exc, "code", None) or type(exc).__name__)[:64]
