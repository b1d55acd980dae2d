"""Catalog fee fields (统一支付): integer fen, exemptions, counter payment; strict validation."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kiosk.core.catalog import CatalogError, validate_catalog

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((ROOT / "reference_platform" / "catalog.json").read_text(encoding="utf-8"))
SERVICE = "real-estate-records-copy"


def with_fee(change):
    raw = copy.deepcopy(REFERENCE)
    service = next(s for s in raw["services"] if s["id"] == SERVICE)
    change(service)
    return raw


def test_reference_catalog_has_a_fee_service_and_free_ones():
    catalog = validate_catalog(REFERENCE)
    fee = catalog.service(SERVICE).fee
    assert fee.total_fen == 2500 and [i.amount_fen for i in fee.items] == [2000, 500]
    assert fee.exemptions[0].age == 80 and fee.counter_payment_allowed
    assert catalog.service("elderly-allowance").fee is None


@pytest.mark.parametrize("change, message", [
    (lambda s: s["fee"]["items"][0].update(amount_fen=20.5), "amount_fen"),
    (lambda s: s["fee"]["items"][0].update(amount_fen="2000"), "amount_fen"),
    (lambda s: s["fee"]["items"][0].update(amount_fen=0), "amount_fen"),
    (lambda s: s["fee"]["items"][0].update(amount_fen=True), "amount_fen"),
    (lambda s: s["fee"].update(items=[]), "items"),
    (lambda s: s["fee"]["items"][1].update(code="BDC-CX"), "duplicate"),
    (lambda s: s["fee"]["items"][0]["names"].pop("zh_HK"), "zh_HK"),
    (lambda s: s["fee"]["exemptions"][0].update(rule="vip"), "rule"),
    (lambda s: s["fee"]["exemptions"][0].update(age=-1), "age"),
    (lambda s: s["fee"].update(counter_payment_allowed="yes"), "counter_payment_allowed"),
    (lambda s: s.update(kind="queue_ticket"), "fee"),
])
def test_bad_fees_are_refused_with_the_exact_place(change, message):
    with pytest.raises(CatalogError) as info:
        validate_catalog(with_fee(change))
    assert f"({SERVICE})" in str(info.value) and message in str(info.value)


def test_platform_model_accepts_the_reference_fee_and_refuses_floats():
    from reference_platform.catalog import Catalog
    Catalog(REFERENCE)
    with pytest.raises(Exception):
        Catalog(with_fee(lambda s: s["fee"]["items"][0].update(amount_fen=20.5)))
