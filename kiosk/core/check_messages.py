"""Citizen-facing messages for ID-card protocol and document-check failures.

English is the source language; zh_CN and zh_HK live in the `IdDocument`
context of screens/i18n/kiosk_<lang>.ts (compiled by `python -m
kiosk.i18n_build`), so Qt's translator installed by kiosk.i18n serves them.
Keys come from sam_protocol.STATUS_TABLE (`message_key`), text_block
(`TextBlockError.message_key`) and document_checks (`CheckFailure.message_key`).
Part of the domain core (kiosk/core/): plain data, no Qt. The screens look a
key up in the current UI language with `screens.texts.id_document_message(key)`,
which passes these English sources to Qt's translator under `CONTEXT`.
"""
from __future__ import annotations

CONTEXT = "IdDocument"

# key -> (what happened, what to do)
MESSAGES: dict[str, tuple[str, str]] = {
    "card_type_unknown": ("This kind of card cannot be read here.",
                          "Please use a resident ID card or residence permit, or go to the counter."),
    "card_not_genuine": ("The card could not be verified.",
                         "Please go to the counter with your card."),
    "card_data_invalid": ("The data on the card could not be read correctly.",
                          "Place the card on the reader again. If it still fails, please go to the counter."),
    "id_number_format": ("The number on this card is not in a valid format.",
                         "Please go to the counter with your card."),
    "id_check_digit": ("The ID number on this card failed its check.",
                       "Please go to the counter with your card."),
    "id_birth_date_mismatch": ("The birth date on the card does not match the ID number.",
                               "Please go to the counter with your card."),
    "id_unknown_region": ("The region code in the ID number is not recognised.",
                          "Please go to the counter with your card."),
    "id_number_prefix": ("The ID number does not belong to this type of card.",
                         "Please go to the counter with your card."),
    "id_expired": ("This ID card has expired.",
                   "An expired card cannot be used here. Please go to the counter."),
    "id_not_yet_valid": ("This card is not valid yet.",
                         "Please go to the counter with your card."),
    "id_validity_order": ("The validity dates on this card are inconsistent.",
                          "Please go to the counter with your card."),
    "id_birth_in_future": ("The birth date on this card is not possible.",
                           "Please go to the counter with your card."),
}

ALL_SOURCES: tuple[str, ...] = tuple(text for pair in MESSAGES.values() for text in pair)


def source_message(key: str) -> tuple[str, str]:
    """English (message, way forward) for `key`; the generic pair for unknown keys."""
    return MESSAGES.get(key, MESSAGES["card_data_invalid"])
