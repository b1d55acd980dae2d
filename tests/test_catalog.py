"""Catalog schema v2: the reference catalog validates, and each kind of bad
catalog is rejected with a message that tells the technician where and what."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kiosk.core.catalog import CatalogError, validate_catalog
from kiosk.core.identity import CardType

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((ROOT / "reference_platform" / "catalog.json").read_text(encoding="utf-8"))


def service(raw, service_id):
    return next(s for s in raw["services"] if s["id"] == service_id)


def broken(mutate):
    raw = copy.deepcopy(REFERENCE)
    mutate(raw)
    return raw


def test_reference_catalog_has_every_issue_7_service():
    catalog = validate_catalog(REFERENCE)
    listed = {s.id for s in catalog.listed}
    assert {"elderly-allowance", "pension-certification", "real-estate-progress", "progress-query",
            "residence-permit", "individual-business", "open-barbershop", "queue-ticket",
            "hmt-social-insurance"} <= listed
    assert catalog.service("pension-certification").identity == "face_only"
    assert catalog.service("pension-certification").receipt.kind == "result"
    assert catalog.service("real-estate-progress").query_services == ("real-estate-registration",)
    assert catalog.service("queue-ticket").kind == "queue_ticket"
    hmt = catalog.service("hmt-social-insurance")
    assert hmt.card_types == (CardType.HMT_RESIDENCE_PERMIT,) and hmt.region_code == "440300"   # 跨区通办
    bundle = catalog.service("open-barbershop")
    assert bundle.items == ("individual-business", "public-place-health-permit")
    ids = [f.id for f in bundle.fields]
    assert len(ids) == len(set(ids)) and {"business_type", "staff_count", "phone"} <= set(ids)


@pytest.mark.parametrize("mutate, message", [
    (lambda raw: service(raw, "elderly-allowance")["fields"][3].update(type="signature"),
     "services[0] (elderly-allowance).fields[3] (phone).type: unknown field type 'signature'"),
    (lambda raw: service(raw, "residence-permit")["names"].pop("zh_HK"),
     "(residence-permit).names: missing translation for zh_HK"),
    (lambda raw: service(raw, "queue-ticket")["fields"][2]["choices"][1]["labels"].update(en=" "),
     "(queue-ticket).fields[2] (counter).choices[1].labels: missing translation for en"),
    (lambda raw: service(raw, "open-barbershop").update(items=["individual-business", "barber-permit"]),
     "(open-barbershop).items: bundle references missing service 'barber-permit'"),
    (lambda raw: service(raw, "queue-ticket")["fields"].append(
        {"id": "address", "type": "text", "prefill": "card.address", "readonly": True,
         "labels": {"zh_CN": "地址", "zh_HK": "地址", "en": "Address"}}),
     "field 'address' is prefilled from 'card.address', which card type 'foreigner_permanent_2017' does not carry"),
    (lambda raw: service(raw, "pension-certification")["fields"].append(
        {"id": "name", "type": "text", "prefill": "card.name", "readonly": True,
         "labels": {"zh_CN": "姓名", "zh_HK": "姓名", "en": "Name"}}),
     "is prefilled from the card, but identity 'face_only' reads no card"),
    (lambda raw: service(raw, "residence-permit")["fields"].append(
        {"id": "street", "type": "text", "labels": {"zh_CN": "街道", "zh_HK": "街道", "en": "Street"}}),
     "editable 'text' fields are not allowed"),
    (lambda raw: service(raw, "individual-business")["fields"][2].update(choices=[]),
     "a choice field needs a non-empty list of choices"),
    (lambda raw: raw.update(schema_version=3), "schema_version: 3 is not supported"),
    (lambda raw: service(raw, "elderly-allowance").update(identity="fingerprint"), "unknown mode 'fingerprint'"),
    (lambda raw: service(raw, "progress-query").update(query_services=["nope"]), "unknown service 'nope'"),
    (lambda raw: service(raw, "elderly-allowance").update(region_code="44"), "is not a 6-digit region code"),
    (lambda raw: raw["services"].append(copy.deepcopy(raw["services"][0])), "duplicate service id"),
    (lambda raw: service(raw, "elderly-allowance")["fields"][3].update(pattern="^(1[3-9"),
     "not a valid regular expression"),
])
def test_bad_catalogs_are_rejected_with_a_technician_message(mutate, message):
    with pytest.raises(CatalogError) as error:
        validate_catalog(broken(mutate))
    assert message in str(error.value)


def test_nested_bundle_is_rejected():
    def nest(raw):
        raw["services"].append({**copy.deepcopy(service(raw, "open-barbershop")), "id": "bigger-bundle",
                                "items": ["open-barbershop", "queue-ticket"]})
    with pytest.raises(CatalogError, match="is itself a bundle"):
        validate_catalog(broken(nest))


def test_adding_a_service_is_a_catalog_change_only():
    def add(raw):
        raw["services"].append({
            "id": "dog-licence", "category": "animals",
            "names": {"zh_CN": "犬只登记", "zh_HK": "犬隻登記", "en": "Dog licence"},
            "descriptions": {"zh_CN": "养犬登记", "zh_HK": "養犬登記", "en": "Register a dog"},
            "department": {"code": "GAJ", "names": {"zh_CN": "公安局", "zh_HK": "公安局", "en": "Police"}},
            "region_code": "441200", "identity": "card", "card_types": ["resident_id"],
            "materials": [], "fields": [
                {"id": "chip", "type": "latin", "max_length": 15,
                 "labels": {"zh_CN": "芯片号", "zh_HK": "晶片號", "en": "Chip number"}}]})
    catalog = validate_catalog(broken(add))
    dog = catalog.service("dog-licence")
    assert dog.fields[0].keyboard == "latin"
    assert dog.fields[0].validate("ABC123") is None
    assert dog.fields[0].validate("abc 123") == "invalid_latin"
    assert dog.fields[0].validate("A" * 16) == "too_long"


def test_field_validation_limits():
    catalog = validate_catalog(REFERENCE)
    elderly = catalog.service("elderly-allowance")
    address = next(f for f in elderly.fields if f.id == "address")
    assert address.validate("广东省" + "很长的地址" * 30) == "too_long"        # long card address -> counter
    assert address.validate("广东省肇庆市端州区𠮷野路1号") is None               # rare character outside the BMP
    phone = next(f for f in elderly.fields if f.id == "phone")
    assert phone.validate("") == "required" and phone.validate("   ") == "required"
    assert phone.validate("23812345678") == "invalid_phone"
    counter = next(f for f in catalog.service("queue-ticket").fields if f.id == "counter")
    assert counter.validate("cashier") == "invalid_choice"


def test_controller_keeps_the_last_good_catalog(tmp_path):
    """A bad catalog from the platform is refused and the cached one stays in use."""
    from offline_cache.catalog_cache import CatalogCache
    cache = CatalogCache(tmp_path / "catalog.json")
    cache.save(REFERENCE)
    bad = broken(lambda raw: service(raw, "open-barbershop").update(items=["individual-business", "gone"]))
    with pytest.raises(CatalogError):
        validate_catalog(bad)
    assert validate_catalog(cache.load()).version == REFERENCE["version"]


def test_json_schema_file_matches_the_reference_catalog():
    schema = json.loads((ROOT / "docs" / "catalog.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["schema_version"]["const"] == REFERENCE["schema_version"]
    field_types = schema["$defs"]["field"]["properties"]["type"]["enum"]
    from kiosk.core.catalog import FIELD_TYPES, IDENTITY_MODES
    assert tuple(field_types) == FIELD_TYPES
    assert tuple(schema["$defs"]["service"]["properties"]["identity"]["enum"]) == IDENTITY_MODES
    from kiosk.core.catalog import LICENCE_TYPES, SERVICE_KINDS
    assert tuple(schema["$defs"]["service"]["properties"]["kind"]["enum"]) == SERVICE_KINDS
    assert tuple(schema["$defs"]["service"]["properties"]["licence_types"]["items"]["enum"]) == LICENCE_TYPES


@pytest.mark.slow
def test_kiosk_refuses_a_bad_platform_catalog_and_keeps_the_cached_one(qtbot, tmp_path):
    """Real platform over HTTP serving a catalog with a missing translation; the kiosk
    keeps serving citizens from its last good (cached) catalog and tells the technician."""
    from offline_cache.catalog_cache import CatalogCache
    from reference_platform.server import ReferencePlatformServer
    from tests.ux_helpers import make_kiosk

    bad = broken(lambda raw: (service(raw, "queue-ticket")["names"].pop("zh_HK"), raw.update(version="2099.1")))
    bad_path = tmp_path / "bad-catalog.json"
    bad_path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", catalog_path=bad_path)
    url = server.start()
    CatalogCache(tmp_path / "kiosk-data" / "catalog.json").save(REFERENCE)
    parts = make_kiosk(qtbot, tmp_path, url)
    try:
        controller = parts.controller
        qtbot.waitUntil(lambda: controller.view.catalog_error is not None, timeout=10_000)
        assert controller.view.catalog_error.startswith("platform: ") and \
            "services[8] (queue-ticket).names: missing translation for zh_HK" in controller.view.catalog_error
        assert controller.session.catalog.version == REFERENCE["version"]     # last good kept
        assert json.loads((tmp_path / "kiosk-data" / "catalog.json").read_text(encoding="utf-8")) == REFERENCE
    finally:
        parts.close()
        server.stop()
