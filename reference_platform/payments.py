"""The platform's payment desk (统一支付): payment notices (orders) for applications, on top of the
provider simulator (reference_platform/payment_provider.py). The kiosk never talks to the provider.

* create   idempotent on (kiosk, application_id): the same key returns the same order; the amount
           must be the catalog fee of the service (the platform, not the kiosk, decides fees)
* query    the order's state, reference (transaction id) and paid time; the query also drives the
           provider (a USERPAYING code payment finishes), like a real query
* close    cancel/timeout; a payment that landed first is honoured or refunded per
           `late_payment_policy` ("honour": the application goes ahead; "refund": money returned)
* micropay the citizen's payment code; never charges an order twice (same code -> same answer)
* reverse  payment-code order: unpaid -> REVOKED, paid -> REVOKED with the money returned
* bill     the day's charges and refunds (对账单) for reconciliation

Provider notifications and queries are equal inputs, handled idempotently by transaction id. A
second charge on one order (a QR paid twice) is refunded at once: the citizen pays once.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from reference_platform.catalog import Catalog
from reference_platform.errors import ApiError
from reference_platform.numbers import BEIJING
from reference_platform.payment_provider import ProviderRefused, ProviderSim, ProviderUnavailable, Trade

log = logging.getLogger("reference_platform")

LATE_PAYMENT_POLICIES = ("honour", "refund")
MAX_EXPIRE_S = 2 * 3600.0


@dataclass
class Order:
    order_no: str
    application_id: str
    kiosk_id: str
    service_id: str
    amount_fen: int
    items: list[dict]
    created_at: float
    kind: str = "native"                   # native (kiosk shows the QR) | micropay (kiosk scans the code)
    state: str = "NOTPAY"
    reference: str | None = None           # the first charge's transaction id
    paid_at: float | None = None
    refunded_fen: int = 0
    closed_by_kiosk: bool = False
    seen_events: set[str] = field(default_factory=set)


class PaymentDesk:
    def __init__(self, catalog: Catalog, *, clock: Callable[[], float] = time.time,
                 late_payment_policy: str = "honour"):
        self.catalog = catalog
        self._clock = clock
        self._lock = threading.RLock()
        self._orders: dict[str, Order] = {}
        self._by_application: dict[tuple[str, str], str] = {}
        self.bill_entries: list[dict] = []
        self.late_payment_policy = late_payment_policy
        self.wrong_amount_next = 0             # fault: the next order's QR is for another amount
        self.notifications_received = 0
        self.provider = ProviderSim(self.on_notify, clock=clock)

    # --- operations -----------------------------------------------------------------------

    def create(self, kiosk_id: str, key: str, body: dict) -> tuple[int, dict]:
        application_id, order_no = str(body["application_id"]), body["order_no"]
        if key.strip('"').lower() != application_id.lower():
            raise ApiError(422, "idempotency_key_mismatch", "Idempotency-Key differs from application_id")
        service = self.catalog.service(body["service_id"])
        if service is None:
            raise ApiError(422, "unknown_service", "unknown service_id")
        fee = service.get("fee")
        if not fee:
            raise ApiError(422, "service_is_free", "this service has no fee")
        total = sum(item["amount_fen"] for item in fee["items"])
        if body["amount_fen"] != total:
            raise ApiError(422, "amount_mismatch", "amount_fen is not the catalog fee of the service")
        with self._lock:
            existing = self._by_application.get((kiosk_id, application_id))
            if existing is not None:
                order = self._orders[existing]
                if order.order_no != order_no:
                    raise ApiError(422, "idempotency_key_reused", "this application already has another order")
                return 200, self._view(order, replayed=True)
            if order_no in self._orders:
                raise ApiError(422, "order_no_reused", "order_no already used for another application")
            amount = total + 1 if self.wrong_amount_next > 0 else total
            self.wrong_amount_next = max(0, self.wrong_amount_next - 1)
            expire_s = min(float(body.get("expire_s", 300)), MAX_EXPIRE_S)
            trade = self._provider(lambda: self.provider.create_native(order_no, amount, expire_s))
            order = Order(order_no, application_id, kiosk_id, body["service_id"], amount,
                          [{"code": i["code"], "amount_fen": i["amount_fen"]} for i in fee["items"]],
                          self._clock())
            self._orders[order_no] = order
            self._by_application[(kiosk_id, application_id)] = order_no
            view = self._view(order)
            view["qr_content"] = trade.code_url
            view["expires_at"] = _iso(trade.expire_at)
            log.info("payment order %s created (%d fen)", order_no, amount)
            return 201, view

    def query(self, kiosk_id: str, order_no: str) -> dict:
        order = self._order(kiosk_id, order_no)
        try:
            trade = self._provider(lambda: self.provider.query(order_no))
        except ApiError as exc:
            if exc.code == "order_not_found":   # created at the platform, never at the provider
                return self._view(order)
            raise
        return self._sync(order, trade)

    def close(self, kiosk_id: str, order_no: str) -> dict:
        order = self._order(kiosk_id, order_no)
        order.closed_by_kiosk = True
        try:
            trade = self._provider(lambda: self.provider.close(order_no))
        except ApiError as exc:
            if exc.code != "ORDERPAID":
                raise
            trade = self._provider(lambda: self.provider.query(order_no))
            if self.late_payment_policy == "refund" and trade.state == "SUCCESS":
                trade = self._provider(lambda: self.provider.refund(order_no, order.amount_fen))
        return self._sync(order, trade)

    def micropay(self, kiosk_id: str, order_no: str, auth_code: str) -> dict:
        order = self._order(kiosk_id, order_no)
        with self._lock:
            order.kind = "micropay"
        trade = self._provider(lambda: self.provider.micropay(order_no, order.amount_fen, auth_code))
        return self._sync(order, trade)

    def reverse(self, kiosk_id: str, order_no: str) -> dict:
        order = self._order(kiosk_id, order_no)
        order.closed_by_kiosk = True
        trade = self._provider(lambda: self.provider.reverse(order_no))
        return self._sync(order, trade)

    def bill(self, day: dt.date, kiosk_id: str | None = None) -> dict:
        with self._lock:
            entries = [e for e in self.bill_entries
                       if e["date"] == day.isoformat() and (kiosk_id is None or e["kiosk_id"] == kiosk_id)]
        return {"date": day.isoformat(), "entries": entries}

    def phone_pays(self, qr_content: str) -> dict:
        """The simulated citizen's phone pays a QR (demo and tests)."""
        try:
            trade = self.provider.pay_qr(qr_content)
        except ProviderRefused as exc:
            raise ApiError(409, exc.code.lower(), str(exc)) from None
        return {"out_trade_no": trade.out_trade_no, "state": trade.state, "amount_fen": trade.amount_fen}

    # --- the settled-payment check for applications ------------------------------------------

    def settled_payment(self, kiosk_id: str, application_id: str) -> Order | None:
        with self._lock:
            order_no = self._by_application.get((kiosk_id, application_id))
            order = self._orders.get(order_no) if order_no else None
        if order is None:
            return None
        if order.state not in ("SUCCESS",):
            self.query(kiosk_id, order.order_no)        # notifications may be late: ask the provider
        return order if order.state == "SUCCESS" else None

    def orders(self) -> list[Order]:
        with self._lock:
            return list(self._orders.values())

    # --- notifications (provider -> platform), idempotent -----------------------------------

    def on_notify(self, event: dict) -> None:
        refund_extra = 0
        with self._lock:
            self.notifications_received += 1
            order = self._orders.get(event["out_trade_no"])
            if order is None or event["transaction_id"] in order.seen_events:
                return                                          # duplicate notification: already handled
            order.seen_events.add(event["transaction_id"])
            day = dt.datetime.fromtimestamp(event["at"], BEIJING).date().isoformat()
            kind = "SUCCESS" if event["event_type"] == "TRANSACTION.SUCCESS" else "REFUND"
            self.bill_entries.append({"date": day, "order_no": order.order_no, "kiosk_id": order.kiosk_id,
                                      "application_id": order.application_id, "type": kind,
                                      "amount_fen": event["amount_fen"], "transaction_id": event["transaction_id"],
                                      "at": _iso(event["at"])})
            if kind == "SUCCESS":
                if order.reference is None:
                    order.reference, order.paid_at = event["transaction_id"], event["at"]
                    order.state = "SUCCESS"
                else:
                    refund_extra = event["amount_fen"]          # charged twice: the second charge goes back
            else:
                order.refunded_fen += event["amount_fen"]
        if refund_extra:
            log.warning("payment order %s charged twice: refunding the duplicate", order.order_no)
            self.provider.refund(order.order_no, refund_extra)

    # --- internals ------------------------------------------------------------------------

    def _order(self, kiosk_id: str, order_no: str) -> Order:
        with self._lock:
            order = self._orders.get(order_no)
        if order is None or order.kiosk_id != kiosk_id:
            raise ApiError(404, "unknown_order", "no such payment order for this kiosk")
        return order

    def _provider(self, call: Callable[[], Trade]) -> Trade:
        try:
            return call()
        except ProviderUnavailable:
            raise ApiError(503, "provider_unavailable", "the payment provider is unavailable; nothing was done",
                           {"Retry-After": "1"}) from None
        except ProviderRefused as exc:
            if exc.code == "ORDERNOTEXIST":
                raise ApiError(404, "order_not_found", str(exc)) from None
            raise ApiError(409, exc.code, str(exc)) from None

    def _sync(self, order: Order, trade: Trade) -> dict:
        with self._lock:
            if trade.state == "SUCCESS" and order.reference is None and trade.charges:
                order.reference, order.paid_at = trade.charges[0].transaction_id, trade.charges[0].at
            order.state = trade.state
            return self._view(order)

    def _view(self, order: Order, replayed: bool = False) -> dict:
        view = {"order_no": order.order_no, "application_id": order.application_id, "state": order.state,
                "amount_fen": order.amount_fen, "items": order.items, "payment_reference": order.reference,
                "paid_at": _iso(order.paid_at) if order.paid_at else None, "refunded_fen": order.refunded_fen}
        if replayed:
            trade = next((t for t in self.provider.trades() if t.out_trade_no == order.order_no), None)
            if trade is not None:
                view["qr_content"], view["expires_at"] = trade.code_url, _iso(trade.expire_at)
        return view


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, BEIJING).isoformat(timespec="seconds")
