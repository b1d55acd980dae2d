"""The service catalog as the platform publishes it (GET /catalog).

Parsing is strict: a malformed catalog from the server becomes a
`CatalogError` (the kiosk keeps its cached catalog), never a crash in a screen.
The schema is documented in docs/catalog.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.identity import CardType, IdentityDocument

IDENTITY_MODES = ("card_and_face", "card", "face_only", "none")
FIELD_TYPES = ("text", "id_number", "phone", "digits", "choice")
PREFILL_SOURCES = {
    "card.name": lambda doc: doc.name,
    "card.id_number": lambda doc: doc.id_number,
    "card.address": lambda doc: doc.address,
    "card.sex": lambda doc: doc.sex,
    "card.birth_date": lambda doc: doc.birth_date.isoformat(),
}


class CatalogError(ValueError):
    pass


Localized = dict  # {"zh_CN": ..., "zh_HK": ..., "en": ...}


def localized(texts: Localized, language: str) -> str:
    return texts.get(language) or texts.get("zh_CN") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class FormField:
    id: str
    type: str
    labels: Localized
    required: bool = True
    readonly: bool = False
    prefill: str | None = None
    pattern: str | None = None

    def validate(self, value: str) -> str | None:
        """Returns an error key (for the screen to translate) or None."""
        value = (value or "").strip()
        if not value:
            return "required" if self.required else None
        if self.pattern and not re.fullmatch(self.pattern, value):
            return f"invalid_{self.type}"
        return None


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

    def name(self, language: str) -> str:
        return localized(self.names, language)

    def prefilled_values(self, document: IdentityDocument) -> dict[str, str]:
        return {f.id: PREFILL_SOURCES[f.prefill](document) for f in self.fields if f.prefill}

    def eligibility_problem(self, document: IdentityDocument, today) -> str | None:
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


def parse_catalog(data) -> Catalog:
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        raise CatalogError("catalog: expected an object with a 'services' list")
    version = data.get("version")
    if not isinstance(version, str):
        raise CatalogError("catalog.version: expected a string")
    services = tuple(_parse_service(s, i) for i, s in enumerate(data["services"]))
    ids = [s.id for s in services]
    if len(set(ids)) != len(ids):
        raise CatalogError("catalog.services: duplicate service id")
    return Catalog(version=version, services=services)


def _require(obj: dict, key: str, kind, where: str):
    value = obj.get(key)
    if not isinstance(value, kind):
        raise CatalogError(f"{where}.{key}: missing or wrong type")
    return value


def _localized(obj: dict, key: str, where: str) -> Localized:
    texts = _require(obj, key, dict, where)
    if not texts or not all(isinstance(v, str) for v in texts.values()):
        raise CatalogError(f"{where}.{key}: expected language -> text")
    return dict(texts)


def _parse_service(raw, index: int) -> Service:
    where = f"services[{index}]"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected an object")
    identity = _require(raw, "identity", str, where)
    if identity not in IDENTITY_MODES:
        raise CatalogError(f"{where}.identity: unknown mode {identity!r}")
    try:
        card_types = tuple(CardType(t) for t in raw.get("card_types", []))
    except ValueError as exc:
        raise CatalogError(f"{where}.card_types: {exc}") from None
    department = raw.get("department") or {}
    return Service(
        id=_require(raw, "id", str, where),
        names=_localized(raw, "names", where),
        descriptions=_localized(raw, "descriptions", where) if "descriptions" in raw else {},
        department=_localized(department, "names", where + ".department") if department else {},
        identity=identity,
        card_types=card_types,
        min_age=(raw.get("eligibility") or {}).get("min_age"),
        materials=tuple(_materials(raw.get("materials", []), where)),
        fields=tuple(_parse_field(f, f"{where}.fields[{i}]") for i, f in enumerate(raw.get("fields", []))),
        expected_days=raw.get("expected_days"),
        available=bool(raw.get("available", True)),
    )


def _materials(items, where: str):
    if not isinstance(items, list):
        raise CatalogError(f"{where}.materials: expected a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not all(isinstance(v, str) for v in item.values()):
            raise CatalogError(f"{where}.materials[{i}]: expected language -> text")
        yield dict(item)


def _parse_field(raw, where: str) -> FormField:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected an object")
    field_type = _require(raw, "type", str, where)
    if field_type not in FIELD_TYPES:
        raise CatalogError(f"{where}.type: unknown field type {field_type!r}")
    prefill = raw.get("prefill")
    if prefill is not None and prefill not in PREFILL_SOURCES:
        raise CatalogError(f"{where}.prefill: unknown source {prefill!r}")
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error:
            raise CatalogError(f"{where}.pattern: not a valid regular expression") from None
    return FormField(
        id=_require(raw, "id", str, where),
        type=field_type,
        labels=_localized(raw, "labels", where),
        required=bool(raw.get("required", True)),
        readonly=bool(raw.get("readonly", False)),
        prefill=prefill,
        pattern=pattern,
    )
