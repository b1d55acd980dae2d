"""统一支付, the rules (no I/O): what one citizen pays, the payment's life cycle, payment codes.

* `payable(fee, document, today)`: the amount after exemptions (e.g. aged 80 or over: free),
  computed from the identity document, never typed by anyone.
* `JournalState` and `TRANSITIONS`: the kiosk's persisted state machine of one payment
  (docs/payment.md). Every transition is written to the journal *before* the kiosk calls out.
* `TradeState`: the provider's states as the platform reports them (WeChat Pay names).
* `payment_code_wallet(code)`: which wallet a scanned 付款码 belongs to, by length and prefix;
  anything else (a receipt QR, garbage, a truncated read) is refused before reaching the platform.
* `format_fen(fen)`: amounts are integer fen everywhere and shown as yuan with two decimals.

A payment counts as paid only when the platform says SUCCESS for the right order and amount
(`is_settled`); nothing else (a scan, USERPAYING, a screen tap) ever does.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from kiosk.core.catalog_fee import Exemption, Fee, FeeItem
from kiosk.core.identity import IdentityDocument


@dataclass(frozen=True)
class Payable:
    """What this citizen pays for this service today."""
    amount_fen: int
    items: tuple[FeeItem, ...]
    exemption: Exemption | None = None          # set when an exemption made it free

    @property
    def due(self) -> bool:
        return self.amount_fen > 0


def payable(fee: Fee | None, document: IdentityDocument | None, today: dt.date) -> Payable:
    """The amount due. Exemptions need facts from the identity document; without one
    (a service without a card read) no exemption applies: the full fee is due."""
    if fee is None:
        return Payable(0, ())
    for exemption in fee.exemptions:
        if exemption.rule == "age_at_least" and document is not None and document.age_on(today) >= exemption.age:
            return Payable(0, fee.items, exemption)
    return Payable(fee.total_fen, fee.items)


def format_fen(fen: int) -> str:
    """12.50 for 1250: integer arithmetic, no float rounding."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class TradeState(str, Enum):
    """The provider's trade states (WeChat Pay trade_state), as the platform relays them."""
    NOTPAY = "NOTPAY"
    USERPAYING = "USERPAYING"
    SUCCESS = "SUCCESS"
    CLOSED = "CLOSED"
    REVOKED = "REVOKED"
    PAYERROR = "PAYERROR"
    REFUND = "REFUND"


FINAL_UNPAID = frozenset({TradeState.CLOSED, TradeState.REVOKED, TradeState.PAYERROR})
IN_PROGRESS = frozenset({TradeState.NOTPAY, TradeState.USERPAYING})


class JournalState(str, Enum):
    """The kiosk journal's state of one payment (offline_cache/payments.py)."""
    CREATED = "created"            # intent written; order maybe not yet at the platform
    QR_SHOWN = "qr_shown"          # the platform's order exists; its QR is (or may be) on screen
    CODE_SCANNED = "code_scanned"  # a payment code went (or may have gone) to the platform: never re-send
    CLOSING = "closing"            # cancel / timeout: close (or reverse) requested
    PAID = "paid"                  # the platform reported SUCCESS for the right amount
    SUBMITTED = "submitted"        # the application (with the payment reference) is in the outbox
    CLOSED = "closed"              # final: nothing was charged
    REFUNDED = "refunded"          # final: money was taken and is being returned (late payment, reverse)


FINAL_STATES = frozenset({JournalState.SUBMITTED, JournalState.CLOSED, JournalState.REFUNDED})
PENDING_STATES = frozenset(JournalState) - FINAL_STATES

TRANSITIONS: dict[JournalState, frozenset[JournalState]] = {
    JournalState.CREATED: frozenset({JournalState.QR_SHOWN, JournalState.CLOSING, JournalState.CLOSED,
                                     JournalState.PAID}),
    JournalState.QR_SHOWN: frozenset({JournalState.CODE_SCANNED, JournalState.CLOSING, JournalState.PAID,
                                      JournalState.CLOSED, JournalState.REFUNDED}),
    JournalState.CODE_SCANNED: frozenset({JournalState.CLOSING, JournalState.PAID, JournalState.QR_SHOWN,
                                          JournalState.CLOSED, JournalState.REFUNDED}),
    JournalState.CLOSING: frozenset({JournalState.CLOSED, JournalState.REFUNDED, JournalState.PAID}),
    JournalState.PAID: frozenset({JournalState.SUBMITTED}),
    JournalState.SUBMITTED: frozenset(),
    JournalState.CLOSED: frozenset(),
    JournalState.REFUNDED: frozenset(),
}


class IllegalTransition(ValueError):
    """A journal transition the state machine does not allow (a bug, never ignored)."""


def check_transition(current: JournalState, new: JournalState) -> None:
    if new is not current and new not in TRANSITIONS[current]:
        raise IllegalTransition(f"payment journal: {current.value} -> {new.value} is not allowed")


def is_settled(state: str, order_amount_fen: int, expected_fen: int) -> bool:
    """Paid = the platform says SUCCESS *and* for the amount this kiosk asked for."""
    return state == TradeState.SUCCESS.value and order_amount_fen == expected_fen


# --- payment codes (付款码) shown by the citizen's phone ----------------------------------

_WALLETS = (
    ("wechat", re.compile(r"1[0-5][0-9]{16}")),           # 18 digits, prefix 10-15
    ("alipay", re.compile(r"(2[5-9]|30)[0-9]{14,22}")),   # 16-24 digits, prefix 25-30
    ("unionpay", re.compile(r"62[0-9]{17}")),             # 19 digits, prefix 62
)
MAX_CODE_LENGTH = 64


def payment_code_wallet(code: str) -> str | None:
    """"wechat" / "alipay" / "unionpay" for a well-formed payment code, else None
    (garbage, a truncated read, a QR that is not a payment code)."""
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        return None
    for wallet, pattern in _WALLETS:
        if pattern.fullmatch(code):
            return wallet
    return None


def order_number(kiosk_id: str, sequence: int) -> str:
    """out_trade_no = kiosk id + journal sequence (<= 32 chars of [0-9A-Za-z_-]); reused only to
    retry the same order."""
    kiosk = re.sub(r"[^0-9A-Za-z]", "", kiosk_id)[-18:] or "K"
    return f"{kiosk}-{sequence:010d}"
