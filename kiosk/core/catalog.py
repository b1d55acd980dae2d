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
# Identity by phone a service may accept besides the card (docs/phone-identity.md).
PHONE_IDENTITY_MODES = ("app_code", "app_login")
SERVICE_KINDS = ("application", "progress_query", "queue_ticket", "licence_print")
# Licence types the kiosk can print (issue 15; the platform's licence store uses the same codes).
LICENCE_TYPES = ("marriage_record", "household_registration", "social_insurance_record")
RECEIPT_KINDS = ("acceptance", "result", "queue_ticket", "none")
CATEGORY_KINDS = ("department", "life_event")
# How a citizen gets a service this kiosk does not do end to end (`where_to_go.channel`).
WHERE_CHANNELS = ("counter", "appointment", "online", "app", "phone")
MAX_KEYWORDS = 20
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


# A material item may carry "scan": {"id": ..., "max_pages": 1-10, "required": bool}: the citizen
# may (or, when required, must) photograph it at the kiosk (docs/documents.md).
MATERIAL_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_SCAN_PAGES = 10


@dataclass(frozen=True)
class ScanMaterial:
    """A material the kiosk's camera may take: its id (attachment names start with it), its
    name in the three languages, how many pages at most and whether the application needs it."""
    id: str
    names: Localized
    max_pages: int = 4
    required: bool = False

    def name(self, language: str) -> str:
        return localized(self.names, language)


@dataclass(frozen=True)
class Category:
    """A way to browse the services: by department (社保, 医保, ...) or by life event (生育, 退休, ...).
    `icon` is an icon purpose of screens/icons.py (checked by the tests, not here: the core has no Qt)."""
    id: str
    kind: str            # department | life_event
    icon: str
    names: Localized

    def name(self, language: str) -> str:
        return localized(self.names, language)


@dataclass(frozen=True)
class WhereToGo:
    """For a service this kiosk cannot do end to end: the honest way to get it done instead."""
    channel: str         # counter | appointment | online | app | phone
    texts: Localized


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
    phone_identity: tuple[str, ...] = ()     # identity by phone accepted besides the card (PHONE_IDENTITY_MODES)
    receipt: ReceiptOptions = field(default_factory=ReceiptOptions)
    licence_types: tuple[str, ...] = ()      # kind licence_print: which electronic licences it prints
    requires_payment: bool = False           # a fee before the first print (payment flow: another issue)
    category_ids: tuple[str, ...] = ()       # browse categories (department and life events)
    popularity: int = 0                      # higher first on the choose-service screen
    keywords: tuple[str, ...] = ()           # search aliases (e.g. 低保 for 最低生活保障)
    where_to_go: WhereToGo | None = None     # required when not available
    scan_materials: tuple[ScanMaterial, ...] = ()   # materials that may be scanned at the kiosk
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
    categories: tuple[Category, ...] = ()
    _by_id: dict[str, Service] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The choose screen asks for these on every render: computed once per catalog.
    _lists: dict[str, tuple[Service, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((s.id, s) for s in self.services)   # 500 services: no linear search per tap

    def service(self, service_id: str) -> Service:
        service = self._by_id.get(service_id)
        if service is None:
            raise KeyError(service_id)
        return service

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    @property
    def popular(self) -> tuple[Service, ...]:
        """Listed services, most popular first (ties: catalog order)."""
        if "" not in self._lists:
            listed = self.listed
            order = {s.id: i for i, s in enumerate(listed)}
            self._lists[""] = tuple(sorted(listed, key=lambda s: (-s.popularity, order[s.id])))
        return self._lists[""]

    def in_category(self, category_id: str) -> tuple[Service, ...]:
        """The listed services of one category, most popular first."""
        key = f"category:{category_id}"
        if key not in self._lists:
            self._lists[key] = tuple(s for s in self.popular if category_id in s.category_ids)
        return self._lists[key]

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
    categories = _parse_categories(raw.get("categories", []))
    category_ids = {c.id for c in categories}
    services = tuple(_parse_service(item, f"services[{i}] ({item['id']})", raw_by_id)
                     for i, item in enumerate(raw["services"]))
    for index, service in enumerate(services):
        unknown = [c for c in service.category_ids if c not in category_ids]
        if unknown:
            raise CatalogError(f"services[{index}] ({service.id}).category_ids: unknown category {unknown[0]!r}")
    _check_not_degenerate(services)
    return Catalog(version=version, services=services, categories=categories)


def _parse_categories(raw: object) -> tuple[Category, ...]:
    if not isinstance(raw, list):
        raise CatalogError("catalog.categories: expected a list")
    categories: list[Category] = []
    for index, item in enumerate(raw):
        where = f"categories[{index}]"
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: expected an object")
        category_id = require(item, "id", str, where)
        where = f"{where} ({category_id})"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,63}", category_id):
            raise CatalogError(f"{where}.id: must be lower-case letters, digits and '_'")
        if any(c.id == category_id for c in categories):
            raise CatalogError(f"{where}.id: duplicate category id")
        kind = require(item, "kind", str, where)
        if kind not in CATEGORY_KINDS:
            raise CatalogError(f"{where}.kind: unknown kind {kind!r} (expected one of {', '.join(CATEGORY_KINDS)})")
        icon = require(item, "icon", str, where)
        if not re.fullmatch(r"[a-z0-9_]{1,64}", icon):
            raise CatalogError(f"{where}.icon: {icon!r} is not an icon purpose name")
        categories.append(Category(id=category_id, kind=kind, icon=icon,
                                   names=parse_localized(item.get("names"), f"{where}.names")))
    return tuple(categories)


def _parse_finding(raw: dict[str, Any], where: str, available: bool
                   ) -> tuple[tuple[str, ...], int, tuple[str, ...], WhereToGo | None]:
    """The finder's keys of one service: category ids, popularity, keywords, where to go."""
    category_ids = raw.get("category_ids", [])
    if not isinstance(category_ids, list) or not all(isinstance(c, str) for c in category_ids):
        raise CatalogError(f"{where}.category_ids: expected a list of category ids")
    popularity = raw.get("popularity", 0)
    if not isinstance(popularity, int) or isinstance(popularity, bool) or popularity < 0:
        raise CatalogError(f"{where}.popularity: expected a whole number >= 0")
    keywords = raw.get("keywords", [])
    if (not isinstance(keywords, list) or len(keywords) > MAX_KEYWORDS
            or not all(isinstance(k, str) and 0 < len(k.strip()) <= 40 for k in keywords)):
        raise CatalogError(f"{where}.keywords: expected at most {MAX_KEYWORDS} words of 1-40 characters")
    where_raw = raw.get("where_to_go")
    where_to_go = None
    if where_raw is not None:
        if not isinstance(where_raw, dict):
            raise CatalogError(f"{where}.where_to_go: expected {{channel, texts}}")
        channel = require(where_raw, "channel", str, f"{where}.where_to_go")
        if channel not in WHERE_CHANNELS:
            raise CatalogError(f"{where}.where_to_go.channel: unknown channel {channel!r} "
                               f"(expected one of {', '.join(WHERE_CHANNELS)})")
        where_to_go = WhereToGo(channel=channel,
                                texts=parse_localized(where_raw.get("texts"), f"{where}.where_to_go.texts"))
    elif not available:
        # A citizen who finds a service the kiosk cannot do is told where to go, never a dead end.
        raise CatalogError(f"{where}.where_to_go: a service that is not available needs where_to_go "
                           f"(counter, appointment or another channel)")
    return tuple(dict.fromkeys(category_ids)), popularity, tuple(k.strip() for k in keywords), where_to_go


def _check_not_degenerate(services: tuple[Service, ...]) -> None:
    """A catalog that would leave the citizen with nothing to choose replaces nothing:
    the last good catalog stays (an outage of the platform's catalog job looks like this)."""
    if not services:
        raise CatalogError("catalog.services: no services (an empty catalog never replaces the last good one)")
    if not any(s.listed and s.available for s in services):
        raise CatalogError("catalog.services: no service to offer (none is both listed and available)")


parse_catalog = validate_catalog  # the name the controller and older tests use




def _parse_phone_identity(value: object, identity: str, where: str) -> tuple[str, ...]:
    """The service's phone identity modes: known, each once, and only where a card would be read
    (the phone stands in for the card; the face check then uses the photo on record)."""
    if not isinstance(value, list) or not all(isinstance(mode, str) for mode in value):
        raise CatalogError(f"{where}.phone_identity: expected a list of modes")
    for mode in value:
        if mode not in PHONE_IDENTITY_MODES:
            raise CatalogError(f"{where}.phone_identity: unknown mode {mode!r} "
                               f"(expected {', '.join(PHONE_IDENTITY_MODES)})")
    if len(set(value)) != len(value):
        raise CatalogError(f"{where}.phone_identity: a mode is listed twice")
    if value and identity not in ("card_and_face", "card"):
        raise CatalogError(f"{where}.phone_identity: only for services that read a card "
                           f"(identity card_and_face or card), not {identity!r}")
    return tuple(value)


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

    phone_identity = _parse_phone_identity(raw.get("phone_identity", []), identity, where)
    licence_types = raw.get("licence_types", [])
    if not isinstance(licence_types, list) or any(t not in LICENCE_TYPES for t in licence_types):
        raise CatalogError(f"{where}.licence_types: expected a list of {', '.join(LICENCE_TYPES)}")
    if (kind == "licence_print") != bool(licence_types):
        raise CatalogError(f"{where}.licence_types: required for kind licence_print, and only there")
    if kind == "licence_print" and identity != "card_and_face":
        raise CatalogError(f"{where}.identity: printing a licence needs card_and_face")
    requires_payment = raw.get("requires_payment", False)
    if not isinstance(requires_payment, bool):
        raise CatalogError(f"{where}.requires_payment: expected true or false")

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
    available = bool(raw.get("available", True))
    category_ids, popularity, keywords, where_to_go = _parse_finding(raw, where, available)
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
        available=available,
        listed=bool(raw.get("listed", True)),
        items=tuple(items),
        item_names=tuple(parse_localized(raw_by_id[i].get("names"), f"{where}.items[{i}]") for i in items),
        query_services=query_services,
        phone_identity=phone_identity,
        receipt=ReceiptOptions(print=bool(receipt_raw.get("print", True)), kind=receipt_kind),
        licence_types=tuple(licence_types),
        requires_payment=requires_payment,
        category_ids=category_ids, popularity=popularity, keywords=keywords, where_to_go=where_to_go,
        scan_materials=parse_scan_materials(materials, kind, where),
        fee=_service_fee(raw, kind, items, materials, where),
    )


def parse_scan_materials(materials: list[Any], kind: str, where: str) -> tuple[ScanMaterial, ...]:
    """The materials whose item has a "scan" object, checked: a unique lower-case id, 1-10 pages."""
    found: list[ScanMaterial] = []
    for index, item in enumerate(materials):
        spec = item.get("scan") if isinstance(item, dict) else None
        if spec is None:
            continue
        place = f"{where}.materials[{index}].scan"
        if not isinstance(spec, dict):
            raise CatalogError(f"{place}: expected {{id, max_pages, required}}")
        unknown = set(spec) - {"id", "max_pages", "required"}
        if unknown:
            raise CatalogError(f"{place}: unknown key(s) {', '.join(sorted(unknown))}")
        material_id = spec.get("id")
        if not isinstance(material_id, str) or not MATERIAL_ID.match(material_id):
            raise CatalogError(f"{place}.id: expected lower-case letters, digits and _ (at most 40)")
        if any(m.id == material_id for m in found):
            raise CatalogError(f"{place}.id: {material_id!r} is used twice")
        max_pages = spec.get("max_pages", 4)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or not 1 <= max_pages <= MAX_SCAN_PAGES:
            raise CatalogError(f"{place}.max_pages: expected a whole number from 1 to {MAX_SCAN_PAGES}")
        required = spec.get("required", False)
        if not isinstance(required, bool):
            raise CatalogError(f"{place}.required: expected true or false")
        if kind != "application":
            raise CatalogError(f"{place}: only applications take scanned materials (this service is {kind!r})")
        found.append(ScanMaterial(material_id, parse_localized(item, f"{where}.materials[{index}]"),
                                  max_pages, required))
    return tuple(found)


def _service_fee(raw: dict[str, Any], kind: str, items: list[str], materials: list[Any], where: str) -> Fee | None:
    fee = parse_fee(raw.get("fee"), f"{where}.fee")
    if fee is not None and (kind != "application" or items):
        raise CatalogError(f"{where}.fee: only a single application service can carry a fee")
    if fee is not None and any(isinstance(item, dict) and "scan" in item for item in materials):
        # The payment journal holds the application body until the payment settles, not pages.
        raise CatalogError(f"{where}.fee: a fee-bearing service cannot take scanned materials (not supported yet)")
    return fee
