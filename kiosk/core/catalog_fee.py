"""The fee part of a catalog service (统一支付): fee items in integer fen, exemptions, and
whether the citizen may pay at the counter instead.

    "fee": {
      "items": [{"code": "HJ-ZM", "names": {...}, "amount_fen": 1000}],
      "exemptions": [{"rule": "age_at_least", "age": 80, "names": {...}}],
      "counter_payment_allowed": true
    }

Amounts are whole fen (分), never floats: 0.1 + 0.2 yuan is not 0.3 in binary. A service
without "fee" is free. The rules that turn a fee into what one citizen pays are in
kiosk/core/payment.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kiosk.core.catalog_fields import CatalogError, Localized, parse_localized

EXEMPTION_RULES = ("age_at_least",)
MAX_FEE_FEN = 10_000_000        # 100,000 yuan: anything above is a typo in the catalog, not a kiosk fee
_ITEM_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class FeeItem:
    code: str
    names: Localized
    amount_fen: int


@dataclass(frozen=True)
class Exemption:
    rule: str                   # one of EXEMPTION_RULES
    age: int                    # age_at_least: the citizen's age (from the identity document) on the day
    names: Localized            # shown to the citizen: why nothing is to be paid


@dataclass(frozen=True)
class Fee:
    items: tuple[FeeItem, ...]
    exemptions: tuple[Exemption, ...] = ()
    counter_payment_allowed: bool = True

    @property
    def total_fen(self) -> int:
        return sum(item.amount_fen for item in self.items)


def _whole(value: object, low: int, high: int) -> int | None:
    """`value` if it is a whole number (not a bool) in low..high, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def parse_fee(raw: object, where: str) -> Fee | None:
    """The service's fee, or None for a free service; CatalogError names the exact place."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected an object")
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise CatalogError(f"{where}.items: expected a non-empty list of fee items")
    items: list[FeeItem] = []
    for index, item in enumerate(raw_items):
        at = f"{where}.items[{index}]"
        if not isinstance(item, dict):
            raise CatalogError(f"{at}: expected an object")
        code, amount = item.get("code"), item.get("amount_fen")
        if not isinstance(code, str) or not _ITEM_CODE.fullmatch(code):
            raise CatalogError(f"{at}.code: expected 1-32 letters, digits, '_' or '-'")
        fen = _whole(amount, 1, MAX_FEE_FEN)
        if fen is None:
            raise CatalogError(f"{at}.amount_fen: expected a whole number of fen, 1..{MAX_FEE_FEN} "
                               f"(got {amount!r}; yuan with decimals are not accepted)")
        items.append(FeeItem(code, parse_localized(item.get("names"), f"{at}.names"), fen))
    if len({i.code for i in items}) != len(items):
        raise CatalogError(f"{where}.items: duplicate fee item code")
    if sum(i.amount_fen for i in items) > MAX_FEE_FEN:
        raise CatalogError(f"{where}.items: total above {MAX_FEE_FEN} fen")
    exemptions = tuple(_parse_exemption(e, f"{where}.exemptions[{i}]")
                       for i, e in enumerate(_list(raw.get("exemptions", []), f"{where}.exemptions")))
    counter = raw.get("counter_payment_allowed", True)
    if not isinstance(counter, bool):
        raise CatalogError(f"{where}.counter_payment_allowed: expected true or false")
    return Fee(tuple(items), exemptions, counter)


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise CatalogError(f"{where}: expected a list")
    return value


def _parse_exemption(raw: object, where: str) -> Exemption:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected an object")
    rule = raw.get("rule")
    if rule not in EXEMPTION_RULES:
        raise CatalogError(f"{where}.rule: unknown rule {rule!r} (expected one of {', '.join(EXEMPTION_RULES)})")
    age = _whole(raw.get("age"), 1, 149)
    if age is None:
        raise CatalogError(f"{where}.age: expected a whole number of years, 1..149")
    return Exemption(rule, age, parse_localized(raw.get("names"), f"{where}.names"))
