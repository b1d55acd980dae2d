"""A payment provider simulator (WeChat Pay / Alipay shapes) with the real trade state machine.

Only the platform talks to it (the kiosk never holds merchant keys). States, as WeChat Pay's
`trade_state`::

    NOTPAY --citizen's phone pays the QR--> SUCCESS --refund--> REFUND
    NOTPAY --micropay (payment code)-----> USERPAYING --(userpaying_s later)--> SUCCESS | PAYERROR
    NOTPAY/USERPAYING --close/reverse--> CLOSED / REVOKED;  SUCCESS --reverse--> REVOKED (money returned)

A closed or revoked order cannot be paid; an order past `time_expire` cannot be paid. Every
SUCCESS and REFUND is notified to the platform `duplicate_notifications` times (providers
retry: duplicates are normal and must be harmless).

Fault injection (`ProviderFaults`, set by tests and the bench; durations are parameters so
a test can use a fraction of a second for the real "USERPAYING for 40 s"):

* `userpaying_s`          a payment code stays USERPAYING this long (the citizen types a password)
* `fail_next`             the provider answers 5xx to the next N calls (nothing done)
* `pay_on_close_next`     the citizen's payment lands just as the kiosk closes (paid after its timeout)
* `pay_twice_next`        the next QR payment is charged twice (a provider-side duplicate charge)
* `payerror_next`         the next payment code fails (insufficient balance)
"""
from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable


class ProviderUnavailable(Exception):
    """The provider answered 5xx or not at all: nothing was done."""


class ProviderRefused(Exception):
    """The provider refused the operation (code as the provider names it, e.g. ORDERPAID)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass
class ProviderFaults:
    userpaying_s: float = 0.0
    fail_next: int = 0
    pay_on_close_next: int = 0
    pay_twice_next: int = 0
    payerror_next: int = 0
    duplicate_notifications: int = 2

    def take(self, name: str) -> bool:
        remaining = getattr(self, name)
        if remaining > 0:
            setattr(self, name, remaining - 1)
            return True
        return False


@dataclass
class Charge:
    transaction_id: str
    amount_fen: int
    at: float


@dataclass
class Trade:
    out_trade_no: str
    amount_fen: int
    code_url: str
    expire_at: float
    state: str = "NOTPAY"
    charges: list[Charge] = field(default_factory=list)
    refunds: list[Charge] = field(default_factory=list)
    userpaying_until: float | None = None
    auth_code: str | None = None


class ProviderSim:
    """Thread-safe in-memory provider. `notify(event)` is the platform's notification handler."""

    def __init__(self, notify: Callable[[dict], None], clock: Callable[[], float] = time.time):
        self._notify = notify
        self._clock = clock
        self._lock = threading.Lock()
        self._trades: dict[str, Trade] = {}
        self._by_code: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.faults = ProviderFaults()
        self.calls = 0

    # --- merchant API (used by the platform) -----------------------------------------

    def create_native(self, out_trade_no: str, amount_fen: int, expire_s: float) -> Trade:
        events: list[dict] = []
        with self._lock:
            self._call()
            trade = self._trades.get(out_trade_no)
            if trade is not None:            # same out_trade_no = idempotent re-entry
                if trade.amount_fen != amount_fen:
                    raise ProviderRefused("OUT_TRADE_NO_USED", "out_trade_no reused with another amount")
                return trade
            code_url = f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(9)}"
            trade = Trade(out_trade_no, amount_fen, code_url, self._clock() + expire_s)
            self._trades[out_trade_no] = trade
            self._by_code[code_url] = out_trade_no
        self._send(events)
        return trade

    def query(self, out_trade_no: str) -> Trade:
        with self._lock:
            self._call()
            trade = self._trade(out_trade_no)
            events = self._advance(trade)
        self._send(events)
        return trade

    def close(self, out_trade_no: str) -> Trade:
        """Close an unpaid order; raises ProviderRefused("ORDERPAID") if it was paid meanwhile."""
        events: list[dict] = []
        with self._lock:
            self._call()
            trade = self._trade(out_trade_no)
            events += self._advance(trade)
            if trade.state == "NOTPAY" and self.faults.take("pay_on_close_next"):
                events += self._charge(trade)        # the citizen's phone was a moment faster
            if trade.state in ("SUCCESS", "REFUND"):
                paid = True
            else:
                if trade.state in ("NOTPAY", "USERPAYING"):
                    trade.state = "CLOSED"
                paid = False
        self._send(events)
        if paid:
            raise ProviderRefused("ORDERPAID", "the order was paid before it could be closed")
        return trade

    def micropay(self, out_trade_no: str, amount_fen: int, auth_code: str) -> Trade:
        events: list[dict] = []
        with self._lock:
            self._call()
            trade = self._trades.get(out_trade_no)
            if trade is None:
                trade = Trade(out_trade_no, amount_fen, "", self._clock() + 120.0)
                self._trades[out_trade_no] = trade
            events += self._advance(trade)
            if trade.state != "NOTPAY":
                if trade.auth_code == auth_code:
                    return trade              # the same code again: no second charge, the same answer
                raise ProviderRefused("ORDERPAID" if trade.state in ("SUCCESS", "REFUND") else "TRADE_STATE_ERROR",
                                      f"order is {trade.state}")
            if amount_fen != trade.amount_fen:
                raise ProviderRefused("PARAM_ERROR", "amount differs from the order's")
            trade.auth_code = auth_code
            if self.faults.take("payerror_next"):
                trade.state = "PAYERROR"
            elif self.faults.userpaying_s > 0:
                trade.state = "USERPAYING"
                trade.userpaying_until = self._clock() + self.faults.userpaying_s
            else:
                events += self._charge(trade)
        self._send(events)
        return trade

    def reverse(self, out_trade_no: str) -> Trade:
        """Cancel a payment-code order: unpaid -> REVOKED; paid -> REVOKED and the money returned."""
        events: list[dict] = []
        with self._lock:
            self._call()
            trade = self._trade(out_trade_no)
            events += self._advance(trade)
            if trade.state == "SUCCESS":
                events += self._refund(trade, sum(c.amount_fen for c in trade.charges) - self._refunded(trade))
                trade.state = "REVOKED"
            elif trade.state in ("NOTPAY", "USERPAYING", "PAYERROR"):
                trade.state = "REVOKED"
        self._send(events)
        return trade

    def refund(self, out_trade_no: str, amount_fen: int) -> Trade:
        events: list[dict] = []
        with self._lock:
            self._call()
            trade = self._trade(out_trade_no)
            if amount_fen > 0:
                events += self._refund(trade, amount_fen)
                if self._refunded(trade) >= sum(c.amount_fen for c in trade.charges):
                    trade.state = "REFUND"
        self._send(events)
        return trade

    # --- the citizen's phone -----------------------------------------------------------

    def pay_qr(self, code_url: str) -> Trade:
        """The citizen scans the kiosk's QR and pays (the demo's and the tests' simulated phone)."""
        events: list[dict] = []
        with self._lock:
            no = self._by_code.get(code_url)
            if no is None:
                raise ProviderRefused("INVALID_QR", "not a payment QR of this merchant")
            trade = self._trades[no]
            events += self._advance(trade)
            if trade.state in ("SUCCESS", "REFUND"):
                raise ProviderRefused("ORDERPAID", "每个二维码仅限使用一次: already paid")
            if trade.state != "NOTPAY" or self._clock() > trade.expire_at:
                raise ProviderRefused("ORDERCLOSED", "the order is closed or expired")
            events += self._charge(trade)
            if self.faults.take("pay_twice_next"):
                events += self._charge(trade)    # provider-side duplicate charge
        self._send(events)
        return trade

    def trades(self) -> list[Trade]:
        with self._lock:
            return list(self._trades.values())

    # --- internals (lock held) ----------------------------------------------------------

    def _call(self) -> None:
        self.calls += 1
        if self.faults.take("fail_next"):
            raise ProviderUnavailable("provider answered 500 (injected)")

    def _trade(self, out_trade_no: str) -> Trade:
        trade = self._trades.get(out_trade_no)
        if trade is None:
            raise ProviderRefused("ORDERNOTEXIST", "no such order")
        return trade

    def _advance(self, trade: Trade) -> list[dict]:
        if trade.state == "USERPAYING" and trade.userpaying_until is not None \
                and self._clock() >= trade.userpaying_until:
            trade.userpaying_until = None
            return self._charge(trade)
        return []

    def _charge(self, trade: Trade) -> list[dict]:
        charge = Charge(f"4200{next(self._ids):012d}{secrets.randbelow(10**6):06d}", trade.amount_fen, self._clock())
        trade.charges.append(charge)
        trade.state = "SUCCESS"
        return [{"event_type": "TRANSACTION.SUCCESS", "out_trade_no": trade.out_trade_no,
                 "transaction_id": charge.transaction_id, "amount_fen": charge.amount_fen, "at": charge.at}]

    def _refund(self, trade: Trade, amount_fen: int) -> list[dict]:
        refund = Charge(f"5030{next(self._ids):012d}", amount_fen, self._clock())
        trade.refunds.append(refund)
        return [{"event_type": "REFUND.SUCCESS", "out_trade_no": trade.out_trade_no,
                 "transaction_id": refund.transaction_id, "amount_fen": amount_fen, "at": refund.at}]

    @staticmethod
    def _refunded(trade: Trade) -> int:
        return sum(r.amount_fen for r in trade.refunds)

    def _send(self, events: list[dict]) -> None:
        for event in events:
            for _ in range(max(1, self.faults.duplicate_notifications)):
                self._notify(dict(event))
