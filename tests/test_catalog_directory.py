"""The reference catalog's directory (issue 17): ~300 realistic services across departments, built
from the data table in reference_platform/catalog_directory.py; categories by department and
life event with icons; services not built end to end say where to go; schema and kiosk
validation; size and load time; a not-built service's page is reachable but cannot be started."""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import jsonschema_rs
import pytest

from kiosk.core.catalog import CatalogError, validate_catalog
from kiosk.core.session import CitizenSession, State, Timeouts
from offline_cache.catalog_cache import CatalogCache
from reference_platform import catalog_directory
from reference_platform.catalog import Catalog as PlatformCatalog
from screens.icons import ICONS

ROOT = Path(__file__).resolve().parents[1]
RAW_BYTES = (ROOT / "reference_platform" / "catalog.json").read_bytes()
REFERENCE = json.loads(RAW_BYTES)
SCHEMA = json.loads((ROOT / "docs" / "catalog.schema.json").read_text(encoding="utf-8"))
BUILT = ("elderly-allowance", "pension-certification", "real-estate-progress", "progress-query", "residence-permit",
         "individual-business", "open-barbershop", "queue-ticket", "hmt-social-insurance")


def service(raw, service_id):
    return next(s for s in raw["services"] if s["id"] == service_id)


def test_catalog_json_is_the_directory_table_applied():
    """catalog.json is generated: editing the table without re-running the script fails here."""
    assert catalog_directory.main(["--check"]) == 0


def test_reference_catalog_has_300_services_across_departments_and_life_events():
    catalog = validate_catalog(REFERENCE)
    assert len(catalog.listed) >= 300
    departments = {c.id for c in catalog.categories if c.kind == "department"}
    events = {c.id for c in catalog.categories if c.kind == "life_event"}
    assert {"social_insurance", "medical_insurance", "household", "real_estate", "market", "civil_affairs",
            "housing_fund", "hk_macau", "tax", "employment", "education", "health", "vehicle",
            "disability"} <= departments
    assert {"birth", "schooling", "work", "marriage", "retirement", "bereavement", "home", "start_business",
            "travel"} <= events
    for category in catalog.categories:
        assert category.icon in ICONS, category           # drawn from screens/icons.py
        assert len(catalog.in_category(category.id)) >= 3, category.id
    for listed in catalog.listed:
        assert set(listed.category_ids) & departments, listed.id      # every service under a department
    assert len({s.department_code for s in catalog.services}) >= 15
    # The end-to-end services are unchanged, still offered, and first on the Popular tab.
    assert {s.id for s in catalog.popular[:len(BUILT)]} == set(BUILT)
    assert all(catalog.service(i).available for i in BUILT)


def test_services_not_built_say_where_to_go_in_three_languages():
    catalog = validate_catalog(REFERENCE)
    elsewhere = [s for s in catalog.listed if not s.available]
    assert len(elsewhere) >= 290
    channels = {s.where_to_go.channel for s in elsewhere}
    assert {"counter", "appointment", "online", "app", "phone"} <= channels
    for item in elsewhere:
        texts = item.where_to_go.texts
        assert set(texts) == {"zh_CN", "zh_HK", "en"} and all(len(t) > 15 for t in texts.values()), item.id
        assert texts["zh_CN"] != texts["zh_HK"] or texts["zh_CN"].isascii()
    passport = catalog.service("ee-passport-apply")
    assert "出入境" in passport.where_to_go.texts["zh_CN"] and passport.names["zh_HK"] == "普通護照申領"


def test_reference_catalog_is_valid_against_the_json_schema_and_the_platform_model():
    validator = jsonschema_rs.validator_for(SCHEMA)
    assert validator.is_valid(REFERENCE), next(iter(validator.iter_errors(REFERENCE)), None)
    broken = copy.deepcopy(REFERENCE)
    service(broken, "ee-passport-apply").pop("where_to_go")
    assert not validator.is_valid(broken)                 # available: false needs where_to_go
    broken = copy.deepcopy(REFERENCE)
    broken["categories"][0]["kind"] = "hobby"
    assert not validator.is_valid(broken)
    PlatformCatalog(REFERENCE)                             # the reference platform's pydantic model


@pytest.mark.parametrize("mutate, message", [
    (lambda raw: service(raw, "ee-passport-apply").pop("where_to_go"),
     "(ee-passport-apply).where_to_go: a service that is not available needs where_to_go"),
    (lambda raw: service(raw, "ee-passport-apply")["where_to_go"].update(channel="carrier-pigeon"),
     "(ee-passport-apply).where_to_go.channel: unknown channel 'carrier-pigeon'"),
    (lambda raw: service(raw, "ee-passport-apply")["where_to_go"]["texts"].pop("zh_HK"),
     "(ee-passport-apply).where_to_go.texts: missing translation for zh_HK"),
    (lambda raw: service(raw, "elderly-allowance")["category_ids"].append("hobbies"),
     "(elderly-allowance).category_ids: unknown category 'hobbies'"),
    (lambda raw: service(raw, "elderly-allowance").update(popularity=-1),
     "(elderly-allowance).popularity: expected a whole number >= 0"),
    (lambda raw: service(raw, "elderly-allowance").update(keywords=["x" * 41]),
     "(elderly-allowance).keywords: expected at most 20 words of 1-40 characters"),
    (lambda raw: raw["categories"][1].update(id="social_insurance"),
     "categories[1] (social_insurance).id: duplicate category id"),
    (lambda raw: raw["categories"][0].update(kind="hobby"),
     "categories[0] (social_insurance).kind: unknown kind 'hobby'"),
    (lambda raw: raw["categories"][0]["names"].pop("en"),
     "categories[0] (social_insurance).names: missing translation for en"),
])
def test_bad_directory_entries_are_refused_with_a_technician_message(mutate, message):
    raw = copy.deepcopy(REFERENCE)
    mutate(raw)
    with pytest.raises(CatalogError) as error:
        validate_catalog(raw)
    assert message in str(error.value)


def test_catalog_size_and_load_time_with_500_services(tmp_path):
    """Fits the cache's 1 MB limit as served (compact JSON) even at 500 services, and loads well
    within a second (generous bound; the figure is in bench/catalog.py's output)."""
    from bench.catalog import TARGET, padded_catalog
    served = json.dumps(padded_catalog(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert len(served) < CatalogCache.MAX_BYTES
    started = time.perf_counter()
    catalog = validate_catalog(CatalogCache(tmp_path / "catalog.json").accept(served))
    assert time.perf_counter() - started < 3.0
    assert len(catalog.services) == TARGET


def test_a_service_not_built_opens_its_page_but_cannot_be_started():
    session = CitizenSession(kiosk_id="K1", default_language="zh_CN", catalog=validate_catalog(REFERENCE),
                             timeouts=Timeouts(idle_s=60, countdown_s=15, card_read_s=30, face_s=25, receipt_s=20))
    session.start()
    session.choose_service("ee-passport-apply")
    assert session.state is State.SERVICE_INFO and not session.service.available
    session.begin_service()
    assert session.state is State.SERVICE_INFO                    # no identity step, no form
    session.back()
    session.choose_service("no-such-service")
    assert session.state is State.CHOOSE_SERVICE
    session.choose_service("elderly-allowance")
    session.begin_service()
    assert session.state is State.IDENTIFY                        # the built ones work as before
