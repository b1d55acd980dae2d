"""The service catalog as the platform publishes it (GET /catalog).

Adding or changing a service is a catalog change, not code: the kiosk builds
the service list, the 一次告知 page, the identity steps, the form, the
confirmation page and the receipt from this data. The schema is documented in
docs/catalog-schema.md (JSON Schema: docs/catalog.schema.json).

`validate_catalog(raw)` is strict: anything the kiosk could not show or submit
correctly (unknown field type, a missing translation, a bundle that references
a missing item, a prefill source that an accepted card type does not carry)
becomes a `CatalogError` whose message names the exact place for the
technician. The caller keeps the last good catalog, never a crash in a screen.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

# The form-field part lives in kiosk/core/catalog_fields.py; every name callers
# and tests import from here is re-exported explicitly (`X as X`).
from kiosk.core.catalog_fields import CARD_FIELDS as CARD_FIELDS
from kiosk.core.catalog_fields import DEFAULT_MAX_LENGTH as DEFAULT_MAX_LENGTH
from kiosk.core.catalog_fields import FIELD_TYPES as FIELD_TYPES
from kiosk.core.catalog_fields import KEYBOARD_TYPES as KEYBOARD_TYPES
from kiosk.core.catalog_fields import LANGUAGES as LANGUAGES
from kiosk.core.catalog_fields import PREFILL_SOURCES as PREFILL_SOURCES
from kiosk.core.catalog_fields import CatalogError as CatalogError
from kiosk.core.catalog_fields import Choice as Choice
from kiosk.core.catalog_fields import FormField as FormField
from kiosk.core.catalog_fields import Localized as Localized
from kiosk.core.catalog_fields import check_prefill_sources, parse_field, parse_localized, require
from kiosk.core.catalog_fields import localized as localized
from kiosk.core.catalog_fee import Fee, parse_fee
from kiosk.core.identity import CardType, IdentityDocument

SCHEMA_VERSION = 2
IDENTITY_MODES = ("card_and_face", "card", "face_only", "none")
SERVICE_KINDS = ("application", "progress_query", "queue_ticket")
RECEIPT_KINDS = ("acceptance", "result", "queue_ticket", "none")
# The card type chooses the citizen's language when the session language is
# still the kiosk default (issue 3 item 7): a 港澳台居民居住证 (type J) holder
# reads Traditional Chinese, a foreigner's permanent residence card holder English.
CARD_LANGUAGE = {
    CardType.HMT_RESIDENCE_PERMIT: "zh_HK",
    CardType.FOREIGNER_PERMANENT_2017: "en",
    CardType.FOREIGNER_PERMANENT_2023: "en",
    CardType.EMRTD: "en",      # citizens use their resident ID here: a passport is a visitor's document
}


@dataclass(frozen=True)
class ReceiptOptions:
    print: bool = True
    kind: str = "acceptance"        # acceptance | result | queue_ticket | none


@dataclass(frozen=True)
class Service:
    id: str
    names: Localized
    descriptions: Localized
    department: Localized
    identity: str
    card_types: tuple[CardType, ...]
    min_age: int | None
    materials: tuple[Localized, ...]
    fields: tuple[FormField, ...]
    expected_days: int | None
    available: bool
    kind: str = "application"
    department_code: str = ""
    region_code: str = ""
    listed: bool = True
    items: tuple[str, ...] = ()              # a bundle (一件事): the item services it submits together
    item_names: tuple[Localized, ...] = ()   # their names, for the 一次告知 page and the confirmation
    query_services: tuple[str, ...] = ()     # progress query limited to these services (empty = any)
    receipt: ReceiptOptions = field(default_factory=ReceiptOptions)
    fee: Fee | None = None                   # None = free (kiosk/core/catalog_fee.py, kiosk/core/payment.py)

    @property
    def is_bundle(self) -> bool:
        return bool(self.items)

    def name(self, language: str) -> str:
        return localized(self.names, language)

    def prefilled_values(self, document: IdentityDocument) -> dict[str, str]:
        return {f.id: PREFILL_SOURCES[f.prefill](document) for f in self.fields if f.prefill}

    def eligibility_problem(self, document: IdentityDocument, today: dt.date) -> str | None:
        """Checked right after the card is read, so nobody fills a form in vain."""
        if document.is_expired(today):
            return "card_expired"
        if self.card_types and document.card_type not in self.card_types:
            return "card_type_not_accepted"
        if self.min_age is not None and document.age_on(today) < self.min_age:
            return "too_young"
        return None


@dataclass(frozen=True)
class Catalog:
    version: str
    services: tuple[Service, ...]

    def service(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)

    @property
    def listed(self) -> tuple[Service, ...]:
        """What the choose-service screen offers (bundle-only items are hidden)."""
        return tuple(s for s in self.services if s.listed)


# --- validation ---------------------------------------------------------------

def validate_catalog(raw: object) -> Catalog:
    """The catalog, or CatalogError naming the first problem (technician message)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), list):
        raise CatalogError("catalog: expected an object with a 'services' list")
    schema = raw.get("schema_version")
    if schema != SCHEMA_VERSION:
        raise CatalogError(f"catalog.schema_version: {schema!r} is not supported by this kiosk "
                           f"(it reads version {SCHEMA_VERSION}); update the kiosk or the catalog")
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise CatalogError("catalog.version: expected a non-empty string")
    raw_by_id: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(raw["services"]):
        where = f"services[{index}]"
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: expected an object")
        service_id = require(item, "id", str, where)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", service_id):
            raise CatalogError(f"{where}.id: {service_id!r} must be lower-case letters, digits and '-'")
        if service_id in raw_by_id:
            raise CatalogError(f"{where}.id: duplicate service id {service_id!r}")
        raw_by_id[service_id] = item
    services = tuple(_parse_service(item, f"services[{i}] ({item['id']})", raw_by_id)
                     for i, item in enumerate(raw["services"]))
    _check_not_degenerate(services)
    return Catalog(version=version, services=services)


def _check_not_degenerate(services: tuple[Service, ...]) -> None:
    """A catalog that would leave the citizen with nothing to choose replaces nothing:
    the last good catalog stays (an outage of the platform's catalog job looks like this)."""
    if not services:
        raise CatalogError("catalog.services: no services (an empty catalog never replaces the last good one)")
    if not any(s.listed and s.available for s in services):
        raise CatalogError("catalog.services: no service to offer (none is both listed and available)")


parse_catalog = validate_catalog  # the name the controller and older tests use




def _parse_service(raw: dict[str, Any], where: str, raw_by_id: dict[str, dict[str, Any]]) -> Service:
    kind = raw.get("kind", "application")
    if kind not in SERVICE_KINDS:
        raise CatalogError(f"{where}.kind: unknown kind {kind!r} (expected one of {', '.join(SERVICE_KINDS)})")
    identity = require(raw, "identity", str, where)
    if identity not in IDENTITY_MODES:
        raise CatalogError(f"{where}.identity: unknown mode {identity!r} "
                           f"(expected one of {', '.join(IDENTITY_MODES)})")
    try:
        card_types = tuple(CardType(t) for t in raw.get("card_types", []))
    except ValueError as exc:
        raise CatalogError(f"{where}.card_types: {exc}") from None
    department = raw.get("department")
    if not isinstance(department, dict):
        raise CatalogError(f"{where}.department: expected {{code, names}}")
    region_code = require(raw, "region_code", str, where)
    if not re.fullmatch(r"[0-9]{6}", region_code):
        raise CatalogError(f"{where}.region_code: {region_code!r} is not a 6-digit region code")
    min_age = (raw.get("eligibility") or {}).get("min_age")
    if min_age is not None and (not isinstance(min_age, int) or isinstance(min_age, bool) or min_age < 0):
        raise CatalogError(f"{where}.eligibility.min_age: expected a whole number of years or null")

    items = raw.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise CatalogError(f"{where}.items: expected a list of service ids")
    for item_id in items:
        target = raw_by_id.get(item_id)
        if target is None:
            raise CatalogError(f"{where}.items: bundle references missing service {item_id!r}")
        if target.get("items"):
            raise CatalogError(f"{where}.items: {item_id!r} is itself a bundle; bundles cannot nest")
    if items and len(items) < 2:
        raise CatalogError(f"{where}.items: a bundle needs at least two items")

    if items:
        # One form for the whole bundle: the items' fields, each id once (a
        # shared field such as the phone number is asked for only once).
        field_specs, seen = [], set()
        for item_id in items:
            for spec in raw_by_id[item_id].get("fields", []):
                if isinstance(spec, dict) and spec.get("id") not in seen:
                    seen.add(spec.get("id"))
                    field_specs.append(spec)
        field_specs += [f for f in raw.get("fields", []) if isinstance(f, dict) and f.get("id") not in seen]
    else:
        field_specs = raw.get("fields", [])
    if not isinstance(field_specs, list):
        raise CatalogError(f"{where}.fields: expected a list")
    fields = tuple(parse_field(f, f"{where}.fields[{i}]") for i, f in enumerate(field_specs))
    ids = [f.id for f in fields]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{where}.fields: duplicate field id")
    check_prefill_sources(fields, identity, card_types, where)

    query_services = tuple(raw.get("query_services", []))
    for target in query_services:
        if target not in raw_by_id:
            raise CatalogError(f"{where}.query_services: unknown service {target!r}")
    if kind == "progress_query" and identity != "none":
        raise CatalogError(f"{where}.identity: a progress query needs no identity (use 'none')")

    receipt_raw = raw.get("receipt", {})
    if not isinstance(receipt_raw, dict):
        raise CatalogError(f"{where}.receipt: expected an object")
    receipt_kind = receipt_raw.get("kind", "acceptance")
    if receipt_kind not in RECEIPT_KINDS:
        raise CatalogError(f"{where}.receipt.kind: unknown kind {receipt_kind!r}")
    materials = raw.get("materials", [])
    if not isinstance(materials, list):
        raise CatalogError(f"{where}.materials: expected a list")
    expected_days = raw.get("expected_days")
    if expected_days is not None and (not isinstance(expected_days, int) or expected_days < 0):
        raise CatalogError(f"{where}.expected_days: expected a whole number of days or null")
    return Service(
        id=raw["id"],
        kind=kind,
        names=parse_localized(raw.get("names"), f"{where}.names"),
        descriptions=parse_localized(raw.get("descriptions"), f"{where}.descriptions"),
        department=parse_localized(department.get("names"), f"{where}.department.names"),
        department_code=require(department, "code", str, f"{where}.department"),
        region_code=region_code,
        identity=identity,
        card_types=card_types,
        min_age=min_age,
        materials=tuple(parse_localized(m, f"{where}.materials[{i}]") for i, m in enumerate(materials)),
        fields=fields,
        expected_days=expected_days,
        available=bool(raw.get("available", True)),
        listed=bool(raw.get("listed", True)),
        items=tuple(items),
        item_names=tuple(parse_localized(raw_by_id[i].get("names"), f"{where}.items[{i}]") for i in items),
        query_services=query_services,
        receipt=ReceiptOptions(print=bool(receipt_raw.get("print", True)), kind=receipt_kind),
        fee=_service_fee(raw, kind, items, where),
    )


def _service_fee(raw: dict[str, Any], kind: str, items: list[str], where: str) -> Fee | None:
    fee = parse_fee(raw.get("fee"), f"{where}.fee")
    if fee is not None and (kind != "application" or items):
        raise CatalogError(f"{where}.fee: only a single application service can carry a fee")
    return fee
