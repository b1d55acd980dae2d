"""对账: the kiosk's payment journal against the platform's bill for one day (pure, no I/O).

`reconcile(kiosk_rows, bill_entries)` returns the differences a technician must look at:

* platform_only        the platform has money movements for an order this kiosk has no row for
* kiosk_only           the kiosk recorded a payment (paid/submitted) the bill does not show
* amount_differs       the bill's net amount (charges - refunds) differs from what the kiosk expects
                       (paid -> the order's amount; closed/refunded -> 0)
* pending              the kiosk still has the payment unresolved (the sweeper should finish it)

`main.py payments reconcile DATE` prints them and exits 1 when there is any.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PAID_STATES = ("paid", "submitted")
UNPAID_FINAL_STATES = ("closed", "refunded")


@dataclass(frozen=True)
class KioskPayment:
    order_no: str
    state: str               # kiosk.core.payment.JournalState value
    amount_fen: int


@dataclass(frozen=True)
class Difference:
    order_no: str
    kind: str                # platform_only | kiosk_only | amount_differs | pending
    kiosk_fen: int | None
    platform_fen: int

    def describe(self) -> str:
        kiosk = "-" if self.kiosk_fen is None else str(self.kiosk_fen)
        return f"{self.order_no}  {self.kind:15s} kiosk={kiosk} fen  platform={self.platform_fen} fen"


def reconcile(kiosk_rows: Iterable[KioskPayment], bill_entries: Iterable[Mapping[str, object]]) -> list[Difference]:
    net: dict[str, int] = {}
    for entry in bill_entries:
        amount = entry.get("amount_fen")
        order_no = str(entry.get("order_no"))
        if not isinstance(amount, int):
            continue
        net[order_no] = net.get(order_no, 0) + (amount if entry.get("type") == "SUCCESS" else -amount)
    rows = {row.order_no: row for row in kiosk_rows}
    differences: list[Difference] = []
    for order_no in sorted(set(net) | set(rows)):
        row, platform = rows.get(order_no), net.get(order_no, 0)
        if row is None:
            if platform != 0:
                differences.append(Difference(order_no, "platform_only", None, platform))
            continue
        if row.state in PAID_STATES:
            expected = row.amount_fen
        elif row.state in UNPAID_FINAL_STATES:
            expected = 0
        else:
            differences.append(Difference(order_no, "pending", None, platform))
            continue
        if order_no not in net and expected:
            differences.append(Difference(order_no, "kiosk_only", expected, 0))
        elif platform != expected:
            differences.append(Difference(order_no, "amount_differs", expected, platform))
    return differences
