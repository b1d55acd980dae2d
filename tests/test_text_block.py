"""The 256-byte text block: four card types, the tables, and bad input."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.id_reader.sam_sim_cards import CARD_TYPES, sim_card
from devices.id_reader.text_block import (NATIONS, SEX_CODES, TEXT_BLOCK_SIZE, FieldError, TextBlockError,
                                          TextBlockSizeError, TextEncodingError, UnknownCardTypeError,
                                          card_type_of, encode_text_block, parse_text_block)
from kiosk.core.identity import CardType

TODAY = dt.date(2026, 11, 23)


def ucs2(text: str) -> bytes:
    return text.encode("utf-16-le")


def hand_made_resident_block(valid_until: str = "20301231", nation: str = "01", sex: str = "2") -> bytes:
    """A resident block laid out by hand from the offsets in the fact sheet §2.2,
    independent of the encoder under test."""
    fields = [
        (0, 30, "张三"), (30, 2, sex), (32, 4, nation), (36, 16, "19491231"),
        (52, 70, "北京市朝阳区某街道1号"), (122, 36, "11010519491231002X"), (158, 30, "北京市公安局朝阳分局"),
        (188, 16, "20101231"), (204, 16, valid_until),
    ]
    block = bytearray(ucs2(" ") * 128)
    for offset, size, value in fields:
        encoded = ucs2(value)
        assert len(encoded) <= size
        block[offset:offset + len(encoded)] = encoded
    return bytes(block)


def test_resident_block_laid_out_by_hand():
    block = hand_made_resident_block()
    assert len(block) == TEXT_BLOCK_SIZE and block[248:250] == b"\x20\x00"
    doc = parse_text_block(block)
    assert doc.card_type is CardType.RESIDENT_ID
    assert (doc.name, doc.sex, doc.nation) == ("张三", "female", "汉")
    assert doc.birth_date == dt.date(1949, 12, 31)
    assert doc.id_number == "11010519491231002X"
    assert doc.address == "北京市朝阳区某街道1号" and doc.issuer == "北京市公安局朝阳分局"
    assert doc.valid_from == dt.date(2010, 12, 31) and doc.valid_until == dt.date(2030, 12, 31)
    assert doc.photo_jpeg is None


def test_long_term_validity():
    doc = parse_text_block(hand_made_resident_block(valid_until="长期"))
    assert doc.valid_until is None and not doc.is_expired(dt.date(2099, 1, 1))


def test_nation_and_sex_tables():
    assert len(NATIONS) == 58 and NATIONS["01"] == "汉" and NATIONS["56"] == "基诺"
    assert NATIONS["97"] == "其他" and NATIONS["98"] == "外国血统中国籍人士"
    assert [f"{n:02d}" for n in range(1, 57)] == [code for code in NATIONS if code < "57"]
    assert parse_text_block(hand_made_resident_block(nation="98")).nation == "外国血统中国籍人士"
    assert SEX_CODES == {"1": "male", "2": "female", "0": "unknown", "9": "unstated"}
    assert parse_text_block(hand_made_resident_block(sex="9")).sex == "unstated"


@pytest.mark.parametrize("card", list(CARD_TYPES))
@pytest.mark.parametrize("identity", ["elderly", "young", "expired"])
def test_every_card_type_round_trips(identity, card):
    doc = sim_card(identity, card, TODAY, with_photo=False)
    block = encode_text_block(doc)
    assert len(block) == TEXT_BLOCK_SIZE
    assert block[248:250] == ucs2({"resident": " ", "hmt": "J", "foreigner2017": "I", "foreigner2023": "Y"}[card])
    assert card_type_of(block) is doc.card_type
    assert parse_text_block(block) == doc


def test_hmt_permit_fields_at_their_offsets():
    doc = sim_card("young", "hmt", TODAY, with_photo=False)
    block = encode_text_block(doc)
    assert block[220:238].decode("utf-16-le").strip() == doc.pass_number == "H60000217"
    assert block[238:242].decode("utf-16-le") == "01"
    assert block[32:36] == ucs2("  ")          # no nation on a permit
    parsed = parse_text_block(block)
    assert parsed.id_number.startswith("810000") and parsed.issue_count == 1 and parsed.nation == ""


def test_foreigner_2017_fields_at_their_offsets():
    doc = sim_card("young", "foreigner2017", TODAY, with_photo=False)
    block = encode_text_block(doc)
    assert block[0:120].decode("utf-16-le").strip() == "CHAN CHI MING"
    assert block[122:152].decode("utf-16-le") == doc.id_number and len(doc.id_number) == 15
    assert block[152:158].decode("utf-16-le") == "CAN"
    assert block[158:188].decode("utf-16-le").strip() == "陈志明"
    assert block[220:236].decode("utf-16-le") == f"{doc.birth_date:%Y%m%d}"
    parsed = parse_text_block(block)
    assert (parsed.name, parsed.english_name, parsed.nationality) == ("陈志明", "CHAN CHI MING", "CAN")


def test_foreigner_2023_long_english_name_is_split_over_two_fields():
    long_name = "ABCDEFGHIJ KLMNOPQRST UVWXYZABCD EFGH IJKLMNOP"     # 46 characters, the maximum
    doc = dataclasses.replace(sim_card("young", "foreigner2023", TODAY, with_photo=False),
                              english_name=long_name, name=long_name)
    block = encode_text_block(doc)
    assert block[52:122].decode("utf-16-le") == long_name[:35]
    assert block[220:242].decode("utf-16-le") == long_name[35:]
    assert block[0:30] == ucs2(" " * 15)     # no Chinese name: the English one stands in
    parsed = parse_text_block(block)
    assert parsed.english_name == long_name and parsed.name == long_name
    assert parsed.id_number.startswith("9") and parsed.nationality == "124"


# --- bad input ---------------------------------------------------------------------------

def test_unknown_card_type_byte():
    block = bytearray(hand_made_resident_block())
    block[248:250] = ucs2("Q")
    with pytest.raises(UnknownCardTypeError) as caught:
        parse_text_block(bytes(block))
    assert caught.value.message_key == "card_type_unknown" and "U+0051" in str(caught.value)


@pytest.mark.parametrize("size", [0, 255, 257, 1024])
def test_wrong_size(size):
    with pytest.raises(TextBlockSizeError):
        parse_text_block(bytes(size))


def test_not_ucs2():
    block = bytearray(hand_made_resident_block())
    block[0:2] = b"\x00\xD8"          # a lone high surrogate
    with pytest.raises(TextEncodingError) as caught:
        parse_text_block(bytes(block))
    assert caught.value.field == "name"
    block = bytearray(hand_made_resident_block())
    block[52:54] = b"\x07\x00"        # BEL in the address
    with pytest.raises(TextEncodingError):
        parse_text_block(bytes(block))


@pytest.mark.parametrize("offset, value, field", [
    (36, "19491331", "birth_date"),     # month 13
    (36, "1949123X", "birth_date"),
    (188, "20230229", "valid_from"),    # not a leap year
    (204, "永久有效", "valid_until"),
    (30, "5", "sex"),
    (32, "57", "nation"),
])
def test_impossible_fields_name_the_field(offset, value, field):
    block = bytearray(hand_made_resident_block())
    encoded = ucs2(value)
    block[offset:offset + len(encoded)] = encoded
    with pytest.raises(FieldError) as caught:
        parse_text_block(bytes(block))
    assert caught.value.field == field
    assert value not in str(caught.value)      # the message never echoes card data


def test_empty_name_is_refused():
    block = bytearray(hand_made_resident_block())
    block[0:30] = ucs2(" " * 15)
    with pytest.raises(FieldError, match="name"):
        parse_text_block(bytes(block))


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_random_blocks_give_a_document_or_a_typed_error(block):
    try:
        doc = parse_text_block(block)
    except TextBlockError:
        return
    assert doc.card_type in CardType


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(list(CARD_TYPES)), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_mutated_real_blocks_give_a_document_or_a_typed_error(card, position, value, second):
    block = bytearray(encode_text_block(sim_card("elderly", card, TODAY, with_photo=False)))
    block[position] = value
    block[(position * 7 + 3) % 256] = second
    try:
        doc = parse_text_block(bytes(block))
    except TextBlockError as exc:
        assert exc.reason and exc.message_key
        return
    assert isinstance(doc.birth_date, dt.date)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cc", "Cs", "Cn")),
               min_size=1, max_size=15).map(str.strip).filter(bool))
def test_any_printable_name_round_trips(name):
    doc = dataclasses.replace(sim_card("young", "resident", TODAY, with_photo=False), name=name)
    assert parse_text_block(encode_text_block(doc)).name == name.strip(" \x00")


def test_encoder_refuses_what_ucs2_cannot_hold():
    doc = sim_card("young", "resident", TODAY, with_photo=False)
    with pytest.raises(ValueError, match="BMP"):
        encode_text_block(dataclasses.replace(doc, name="\U00020000"))   # CJK extension B
    with pytest.raises(ValueError, match="fit"):
        encode_text_block(dataclasses.replace(doc, name="长" * 16))


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=256, max_size=256), st.sampled_from([" ", "J", "I", "Y"]))
def test_random_blocks_of_each_card_type_give_a_document_or_a_typed_error(noise, type_char):
    # Valid type character, so the field parsers (not just the type check) see the garbage.
    block = noise[:248] + type_char.encode("utf-16-le") + noise[250:]
    try:
        doc = parse_text_block(block)
    except TextBlockError as exc:
        assert exc.reason in ("not_ucs2", "bad_field") and exc.field
        return
    assert doc.card_type is card_type_of(block)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(CARD_TYPES)), st.sampled_from(["name", "birth_date", "valid_until", "id_number",
                                                           "sex", "issue_count"]),
       st.text(alphabet="0123456789长期X -/", max_size=8))
def test_digit_like_garbage_in_date_and_code_fields(card, field_name, value):
    from devices.id_reader.text_block import LAYOUTS
    doc = sim_card("elderly", card, TODAY, with_photo=False)
    layout = LAYOUTS[doc.card_type]
    if field_name not in layout:
        return
    field = layout[field_name]
    block = bytearray(encode_text_block(doc))
    block[field.offset:field.offset + field.size] = (value.encode("utf-16-le") + b" \x00" * 64)[:field.size]
    try:
        parse_text_block(bytes(block))
    except TextBlockError as exc:
        assert exc.field == field_name
