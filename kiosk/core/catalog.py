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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from kiosk.core.id_number import is_valid_id_number
from kiosk.core.identity import CardType, IdentityDocument
from kiosk.core.safe_regex import UnsafePattern, check_safe_pattern

SCHEMA_VERSION = 2
LANGUAGES = ("zh_CN", "zh_HK", "en")
IDENTITY_MODES = ("card_and_face", "card", "face_only", "none")
SERVICE_KINDS = ("application", "progress_query", "queue_ticket")
RECEIPT_KINDS = ("acceptance", "result", "queue_ticket", "none")
# "text" is only for values that come from the card: the kiosk has no Chinese
# input method by design (choices instead of typing), so an editable text field
# is a catalog error. "latin" = capital letters and digits on our own keyboard.
FIELD_TYPES = ("text", "id_number", "phone", "digits", "latin", "choice")
KEYBOARD_TYPES = {"phone": "digits", "digits": "digits", "id_number": "id_digits", "latin": "latin"}
DEFAULT_MAX_LENGTH = {"text": 120, "id_number": 18, "phone": 11, "digits": 32, "latin": 32, "choice": 64}

PREFILL_SOURCES: dict[str, Callable[[IdentityDocument], str]] = {
    "card.name": lambda doc: doc.name,
    "card.id_number": lambda doc: doc.id_number,
    "card.address": lambda doc: doc.address,
    "card.sex": lambda doc: doc.sex,
    "card.birth_date": lambda doc: doc.birth_date.isoformat(),
    "card.nationality": lambda doc: doc.nation,
}
# What each card actually carries (GA/T 467 text blocks): the foreigner's
# permanent residence card has no address; only foreigner cards carry a
# nationality code (the resident ID's "nation" is the ethnic group).
CARD_FIELDS = {
    CardType.RESIDENT_ID: {"card.name", "card.id_number", "card.address", "card.sex", "card.birth_date"},
    CardType.HMT_RESIDENCE_PERMIT: {"card.name", "card.id_number", "card.address", "card.sex", "card.birth_date"},
    CardType.FOREIGNER_PERMANENT_2017: {"card.name", "card.id_number", "card.sex", "card.birth_date",
                                        "card.nationality"},
    CardType.FOREIGNER_PERMANENT_2023: {"card.name", "card.id_number", "card.sex", "card.birth_date",
                                        "card.nationality"},
    # PC/SC cards (devices/id_reader/pcsc): no address on either; the social
    # security card's number is the holder's citizen ID number.
    CardType.SOCIAL_SECURITY: {"card.name", "card.id_number", "card.sex", "card.birth_date"},
    CardType.EMRTD: {"card.name", "card.id_number", "card.sex", "card.birth_date", "card.nationality"},
}
# The card type chooses the citizen's language when the session language is
# still the kiosk default (issue 3 item 7): a 港澳台居民居住证 (type J) holder
# reads Traditional Chinese, a foreigner's permanent residence card holder English.
CARD_LANGUAGE = {
    CardType.HMT_RESIDENCE_PERMIT: "zh_HK",
    CardType.FOREIGNER_PERMANENT_2017: "en",
    CardType.FOREIGNER_PERMANENT_2023: "en",
    CardType.EMRTD: "en",      # citizens use their resident ID here: a passport is a visitor's document
}


class CatalogError(ValueError):
    """A catalog the kiosk must not use; the message is for the technician."""


Localized = dict[str, str]  # {"zh_CN": ..., "zh_HK": ..., "en": ...}


def localized(texts: Localized, language: str) -> str:
    return texts.get(language) or texts.get("zh_CN") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Choice:
    value: str
    labels: Localized


@dataclass(frozen=True)
class FormField:
    id: str
    type: str
    labels: Localized
    required: bool = True
    readonly: bool = False
    prefill: str | None = None
    pattern: str | None = None
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()

    @property
    def limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH[self.type]

    @property
    def keyboard(self) -> str | None:
        """Which on-screen keyboard types into this field (None: not typed)."""
        return None if self.readonly else KEYBOARD_TYPES.get(self.type)

    def choice_label(self, value: str, language: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return localized(choice.labels, language)
        return value

    def validate(self, value: str) -> str | None:
        """Returns an error key (for the screen to translate) or None."""
        value = (value or "").strip()
        if not value:
            return "required" if self.required else None
        if len(value) > self.limit:
            # A card value longer than the platform accepts (very long address):
            # the counter handles it, the kiosk does not cut it silently.
            return "too_long"
        if self.type == "choice" and value not in {c.value for c in self.choices}:
            return "invalid_choice"
        # The check character is verified for typed numbers; a number read from
        # the chip is what the card says (the reader has checked it already).
        if self.type == "id_number" and not self.readonly and not is_valid_id_number(value):
            return "invalid_id_number"
        if self.type == "digits" and not value.isdigit():
            return "invalid_digits"
        if self.type == "latin" and not re.fullmatch(r"[A-Z0-9]+", value):
            return "invalid_latin"
        # The pattern passed check_safe_pattern at catalog load, and the value is at most
        # `limit` (<= 500) characters long: the match is bounded (kiosk/core/safe_regex.py).
        if self.pattern and not re.fullmatch(self.pattern, value):
            return f"invalid_{self.type}"
        return None


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
        service_id = _require(item, "id", str, where)
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


def _require(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise CatalogError(f"{where}.{key}: missing or wrong type (expected {kind.__name__})")
    return value


def _localized(value: object, where: str) -> Localized:
    """All three kiosk languages, each non-empty: a missing translation is a catalog error."""
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected {{language: text}}")
    missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        raise CatalogError(f"{where}: missing translation for {', '.join(missing)}")
    return {lang: value[lang] for lang in LANGUAGES}


def _parse_service(raw: dict[str, Any], where: str, raw_by_id: dict[str, dict[str, Any]]) -> Service:
    kind = raw.get("kind", "application")
    if kind not in SERVICE_KINDS:
        raise CatalogError(f"{where}.kind: unknown kind {kind!r} (expected one of {', '.join(SERVICE_KINDS)})")
    identity = _require(raw, "identity", str, where)
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
    region_code = _require(raw, "region_code", str, where)
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
    fields = tuple(_parse_field(f, f"{where}.fields[{i}]") for i, f in enumerate(field_specs))
    ids = [f.id for f in fields]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{where}.fields: duplicate field id")
    _check_prefill_sources(fields, identity, card_types, where)

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
        names=_localized(raw.get("names"), f"{where}.names"),
        descriptions=_localized(raw.get("descriptions"), f"{where}.descriptions"),
        department=_localized(department.get("names"), f"{where}.department.names"),
        department_code=_require(department, "code", str, f"{where}.department"),
        region_code=region_code,
        identity=identity,
        card_types=card_types,
        min_age=min_age,
        materials=tuple(_localized(m, f"{where}.materials[{i}]") for i, m in enumerate(materials)),
        fields=fields,
        expected_days=expected_days,
        available=bool(raw.get("available", True)),
        listed=bool(raw.get("listed", True)),
        items=tuple(items),
        item_names=tuple(_localized(raw_by_id[i].get("names"), f"{where}.items[{i}]") for i in items),
        query_services=query_services,
        receipt=ReceiptOptions(print=bool(receipt_raw.get("print", True)), kind=receipt_kind),
    )


def _check_prefill_sources(fields: tuple[FormField, ...], identity: str, card_types: tuple[CardType, ...],
                           where: str) -> None:
    prefilled = [f for f in fields if f.prefill]
    if not prefilled:
        return
    if identity not in ("card", "card_and_face"):
        raise CatalogError(f"{where}: field {prefilled[0].id!r} is prefilled from the card, "
                           f"but identity {identity!r} reads no card")
    for card_type in card_types or tuple(CardType):
        for form_field in prefilled:
            if form_field.prefill not in CARD_FIELDS[card_type]:
                raise CatalogError(f"{where}: field {form_field.id!r} is prefilled from {form_field.prefill!r}, "
                                   f"which card type {card_type.value!r} does not carry")


def _parse_field(raw: object, where: str) -> FormField:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected an object")
    field_id = _require(raw, "id", str, where)
    where = f"{where} ({field_id})"
    field_type = _require(raw, "type", str, where)
    if field_type not in FIELD_TYPES:
        raise CatalogError(f"{where}.type: unknown field type {field_type!r} "
                           f"(expected one of {', '.join(FIELD_TYPES)})")
    prefill = raw.get("prefill")
    if prefill is not None and prefill not in PREFILL_SOURCES:
        raise CatalogError(f"{where}.prefill: unknown source {prefill!r} "
                           f"(expected one of {', '.join(PREFILL_SOURCES)})")
    readonly = bool(raw.get("readonly", False))
    if field_type == "text" and not (prefill and readonly):
        raise CatalogError(f"{where}: editable 'text' fields are not allowed (the kiosk has no Chinese "
                           f"keyboard by design); prefill it read-only from the card or use 'choice'")
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            check_safe_pattern(pattern)   # runs on the GUI thread per key press: safe subset only
        except UnsafePattern as exc:
            raise CatalogError(f"{where}.pattern: {exc}") from None
    max_length = raw.get("max_length")
    if max_length is not None and (not isinstance(max_length, int) or isinstance(max_length, bool)
                                   or not 1 <= max_length <= 500):
        raise CatalogError(f"{where}.max_length: expected 1..500")
    choices: tuple[Choice, ...] = ()
    if field_type == "choice":
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            raise CatalogError(f"{where}.choices: a choice field needs a non-empty list of choices")
        choices = tuple(Choice(value=_require(c, "value", str, f"{where}.choices[{i}]"),
                               labels=_localized(c.get("labels"), f"{where}.choices[{i}].labels"))
                        if isinstance(c, dict) else _bad_choice(f"{where}.choices[{i}]")
                        for i, c in enumerate(raw_choices))
        if len({c.value for c in choices}) != len(choices):
            raise CatalogError(f"{where}.choices: duplicate value")
    elif "choices" in raw:
        raise CatalogError(f"{where}.choices: only 'choice' fields have choices")
    return FormField(
        id=field_id, type=field_type, labels=_localized(raw.get("labels"), f"{where}.labels"),
        required=bool(raw.get("required", True)), readonly=readonly, prefill=prefill, pattern=pattern,
        max_length=max_length, choices=choices,
    )


def _bad_choice(where: str) -> NoReturn:
    raise CatalogError(f"{where}: expected {{value, labels}}")
