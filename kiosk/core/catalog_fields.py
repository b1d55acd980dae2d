"""The form-field part of the service catalog: field types, validation rules, prefill.

Split from kiosk/core/catalog.py (issue 13): what a form field is (`FormField`,
its keyboard, length limit and `validate()` rules), where a prefilled value
comes from on the card (`PREFILL_SOURCES`, `CARD_FIELDS`), and the strict
parsing of one field spec (`parse_field`) with the small helpers the service
parser shares (`require`, `parse_localized`). `kiosk.core.catalog` re-exports
every public name, so callers keep importing from there.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from kiosk.core.id_number import is_valid_id_number
from kiosk.core.identity import CardType, IdentityDocument
from kiosk.core.safe_regex import UnsafePattern, check_safe_pattern

LANGUAGES = ("zh_CN", "zh_HK", "en")
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


# --- parsing (used by kiosk.core.catalog.validate_catalog) ----------------------

def require(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise CatalogError(f"{where}.{key}: missing or wrong type (expected {kind.__name__})")
    return value


def parse_localized(value: object, where: str) -> Localized:
    """All three kiosk languages, each non-empty: a missing translation is a catalog error."""
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected {{language: text}}")
    missing = [lang for lang in LANGUAGES if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        raise CatalogError(f"{where}: missing translation for {', '.join(missing)}")
    return {lang: value[lang] for lang in LANGUAGES}


def check_prefill_sources(fields: tuple[FormField, ...], identity: str, card_types: tuple[CardType, ...],
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


def parse_field(raw: object, where: str) -> FormField:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected an object")
    field_id = require(raw, "id", str, where)
    where = f"{where} ({field_id})"
    field_type = require(raw, "type", str, where)
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
        choices = tuple(Choice(value=require(c, "value", str, f"{where}.choices[{i}]"),
                               labels=parse_localized(c.get("labels"), f"{where}.choices[{i}].labels"))
                        if isinstance(c, dict) else _bad_choice(f"{where}.choices[{i}]")
                        for i, c in enumerate(raw_choices))
        if len({c.value for c in choices}) != len(choices):
            raise CatalogError(f"{where}.choices: duplicate value")
    elif "choices" in raw:
        raise CatalogError(f"{where}.choices: only 'choice' fields have choices")
    return FormField(
        id=field_id, type=field_type, labels=parse_localized(raw.get("labels"), f"{where}.labels"),
        required=bool(raw.get("required", True)), readonly=readonly, prefill=prefill, pattern=pattern,
        max_length=max_length, choices=choices,
    )


def _bad_choice(where: str) -> NoReturn:
    raise CatalogError(f"{where}: expected {{value, labels}}")
