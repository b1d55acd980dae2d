"""Document checks (GB 11643, GB/T 2260, validity, age) and their three-language messages."""
from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core import document_checks as checks
from kiosk.core.check_messages import CONTEXT, MESSAGES
from kiosk.core.id_number import check_character
from devices.id_reader.sam_protocol import STATUS_TABLE
from sim.id_reader.sam_sim_cards import sim_card
from devices.id_reader.text_block import TextBlockError, UnknownCardTypeError
from kiosk.core.identity import CardType

TODAY = dt.date(2026, 11, 23)
I18N = Path(__file__).resolve().parents[1] / "screens" / "i18n"


def reasons(failures):
    return sorted(f.reason for f in failures)


@pytest.mark.parametrize("number, card_type", [
    ("11010519491231002X", CardType.RESIDENT_ID),        # the standard's own example
    ("440524188001010014", CardType.RESIDENT_ID),        # 440524: an abolished code, still valid on old cards
    ("440305199003071236", CardType.RESIDENT_ID),
    ("810000199408230021", CardType.HMT_RESIDENCE_PERMIT),
    ("830000199201300022", CardType.HMT_RESIDENCE_PERMIT),
    ("931586198001010028", CardType.FOREIGNER_PERMANENT_2023),
])
def test_published_valid_numbers_pass(number, card_type):
    assert checks.check_id_number(number, card_type) == []


def test_published_invalid_number_fails_the_check_digit():
    assert reasons(checks.check_id_number("44030519900307123X")) == [checks.BAD_CHECK_DIGIT]


@pytest.mark.parametrize("number, card_type, expected", [
    ("4403051990030712", CardType.RESIDENT_ID, [checks.BAD_FORMAT]),
    ("44030519900307123Y", CardType.RESIDENT_ID, [checks.BAD_FORMAT]),
    ("４４０３０５１９９００３０７１２３６", CardType.RESIDENT_ID, [checks.BAD_FORMAT]),   # full-width digits
    ("440399" + "19900101001", CardType.RESIDENT_ID, None),      # built below with a right check char
    ("810000199408230021", CardType.RESIDENT_ID, [checks.WRONG_PREFIX]),
    ("440305199003071236", CardType.HMT_RESIDENCE_PERMIT, [checks.WRONG_PREFIX]),
    ("440305199003071236", CardType.FOREIGNER_PERMANENT_2023, [checks.WRONG_PREFIX]),
    ("CAN4490070821", CardType.FOREIGNER_PERMANENT_2017, [checks.BAD_FORMAT]),
])
def test_number_rules(number, card_type, expected):
    if expected is None:
        number += check_character(number)
        expected = [checks.UNKNOWN_REGION]   # 440399 is no GB/T 2260 division, now or ever
    assert reasons(checks.check_id_number(number, card_type)) == expected


def test_impossible_date_in_the_number():
    first17 = "44030519900230123"       # 30 February
    assert checks.BAD_FORMAT in reasons(checks.check_id_number(first17 + check_character(first17)))


def test_unknown_province_in_a_2023_number():
    first17 = "90058619800101002"       # province 00
    assert reasons(checks.check_id_number(first17 + check_character(first17),
                                          CardType.FOREIGNER_PERMANENT_2023)) == [checks.UNKNOWN_REGION]


@pytest.mark.parametrize("card", ["resident", "hmt", "foreigner2017", "foreigner2023"])
def test_sample_cards_of_every_type_pass(card):
    assert checks.check_document(sim_card("young", card, TODAY, with_photo=False), TODAY) == []


def test_expired_card_and_age():
    doc = sim_card("expired", "resident", TODAY, with_photo=False)
    assert reasons(checks.check_document(doc, TODAY)) == [checks.EXPIRED]
    elderly = sim_card("elderly", "resident", TODAY, with_photo=False)
    assert checks.age_on(elderly, TODAY) == 82 and checks.check_document(elderly, TODAY) == []


def test_card_valid_on_its_last_day():
    doc = sim_card("young", "resident", TODAY, with_photo=False)
    last_day = doc.valid_until
    assert checks.check_document(doc, last_day) == []
    assert reasons(checks.check_document(doc, last_day + dt.timedelta(days=1))) == [checks.EXPIRED]


def test_birth_date_must_match_the_number():
    doc = sim_card("young", "resident", TODAY, with_photo=False)
    other = dataclasses.replace(doc, birth_date=doc.birth_date - dt.timedelta(days=1))
    assert reasons(checks.check_document(other, TODAY)) == [checks.BAD_BIRTH_DATE]


def test_inconsistent_validity_and_future_dates():
    doc = sim_card("young", "resident", TODAY, with_photo=False)
    assert checks.NOT_YET_VALID in reasons(checks.check_document(
        dataclasses.replace(doc, valid_from=TODAY + dt.timedelta(days=3)), TODAY))
    assert checks.BAD_VALIDITY in reasons(checks.check_document(
        dataclasses.replace(doc, valid_until=doc.valid_from - dt.timedelta(days=1)), TODAY))
    future = dataclasses.replace(doc, birth_date=TODAY + dt.timedelta(days=10))
    assert checks.BIRTH_IN_FUTURE in reasons(checks.check_document(future, TODAY))


def test_failures_never_carry_the_number():
    number = "44030519900307123X"
    for failure in checks.check_id_number(number):
        assert number not in failure.detail and "440305" not in failure.detail


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=24), st.sampled_from(list(CardType)))
def test_any_string_gives_a_list_of_typed_failures(number, card_type):
    for failure in checks.check_id_number(number, card_type):
        assert failure.message_key in MESSAGES


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**17 - 1))
def test_check_character_catches_every_single_digit_change(value):
    first17 = f"{value:017d}"
    number = first17 + check_character(first17)
    position = value % 17
    changed = first17[:position] + str((int(first17[position]) + 1) % 10) + first17[position + 1:]
    assert checks.BAD_CHECK_DIGIT in reasons(checks.check_id_number(changed + number[17]))


# --- messages in three languages --------------------------------------------------------

def test_every_key_has_an_english_message():
    from screens.texts import ERROR_MESSAGES
    check_keys = {f"id_{reason}" for reason in (
        checks.BAD_FORMAT, checks.BAD_CHECK_DIGIT, checks.BAD_BIRTH_DATE, checks.UNKNOWN_REGION,
        checks.WRONG_PREFIX, checks.EXPIRED, checks.NOT_YET_VALID, checks.BAD_VALIDITY, checks.BIRTH_IN_FUTURE)}
    assert check_keys | {TextBlockError.message_key, UnknownCardTypeError.message_key} <= set(MESSAGES)
    # SW3 keys are either the session's existing card_<reason> messages or ours.
    for info in STATUS_TABLE.values():
        if info.message_key:
            assert info.message_key in MESSAGES or info.message_key in ERROR_MESSAGES, info


@pytest.mark.parametrize("language", ["zh_CN", "zh_HK"])
def test_every_message_is_translated(language):
    root = ET.parse(I18N / f"kiosk_{language}.ts").getroot()
    translated = {}
    for context in root.iter("context"):
        if context.findtext("name") == CONTEXT:
            for item in context.iter("message"):
                translation = item.find("translation")
                if translation is not None and translation.text and translation.get("type") != "unfinished":
                    translated[item.findtext("source")] = translation.text
    for text, action in MESSAGES.values():
        assert text in translated and action in translated, text


@pytest.mark.parametrize("language, expected", [
    ("en", "This ID card has expired."),
    ("zh_CN", "此身份证已过期。"),
    ("zh_HK", "此身份證已過期。"),
])
def test_messages_through_qt_translator(qapp, language, expected):
    from kiosk.i18n import LanguageSwitcher
    from kiosk.i18n_build import compile_all
    from screens.texts import id_document_message
    compile_all()
    switcher = LanguageSwitcher(qapp)
    try:
        switcher.switch(language)
        text, action = id_document_message("id_expired")
        assert text == expected and action
    finally:
        switcher.switch("en")
