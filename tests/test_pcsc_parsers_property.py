"""Property tests: every PC/SC parser returns a valid result or raises its typed error.

Random and mutated inputs for APDUs, T=0 chaining, SSSE TLV records, BER-TLV,
secure-messaging responses, EF.COM and DG1/MRZ. Any other exception, or a hang
(pytest-timeout), fails the test.
"""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from devices.id_reader.pcsc import emrtd, ssse
from devices.id_reader.pcsc import icao_bac as bac
from devices.id_reader.pcsc.apdu import ApduChannel, ApduError, parse_command, split_response
from devices.id_reader.pcsc.mrz import Mrz, MrzError, encode_dg1, parse_dg1, parse_mrz
from devices.id_reader.pcsc.tlv import TlvError, ber_header_length, parse_ber, parse_simple_record
from sim.id_reader.virtual_card.cards import ICAO_SPECIMEN_MRZ, SPECIMEN_EF_COM, SsseCard

pytestmark = pytest.mark.slow

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
H = bytes.fromhex


def mutated(original: bytes):
    """A valid byte string with a few bytes changed, dropped or appended."""
    return st.one_of(
        st.tuples(st.integers(0, max(0, len(original) - 1)), st.integers(0, 255)).map(
            lambda t: original[:t[0]] + bytes((t[1],)) + original[t[0] + 1:]),
        st.integers(0, len(original)).map(lambda n: original[:n]),
        st.binary(max_size=8).map(lambda extra: original + extra),
    )


@FAST
@given(st.binary(max_size=300))
def test_command_apdu_parser(data):
    try:
        cmd = parse_command(data)
    except ApduError:
        return
    assert len(cmd.header) == 4 and len(cmd.data) <= 255


@FAST
@given(st.binary(max_size=40))
def test_response_split(data):
    try:
        body, sw = split_response(data)
    except ApduError:
        assert len(data) < 2
        return
    assert body + sw.to_bytes(2, "big") == data


@FAST
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=8), st.binary(min_size=4, max_size=12))
def test_t0_channel_with_arbitrary_card_answers(answers, apdu):
    replies = itertools.cycle(answers)          # a card answering garbage forever
    channel = ApduChannel(lambda _apdu: next(replies))
    try:
        data, sw = channel.transmit(apdu)
    except ApduError:
        return
    assert 0 <= sw <= 0xFFFF and sw >> 8 != 0x61
    assert channel.exchanges <= 2 + 64 + 1


def test_t0_channel_gives_up_on_endless_61xx():
    channel = ApduChannel(lambda _apdu: b"\xAA\x61\x01")
    try:
        channel.transmit(H("00B2080014"))
    except ApduError as exc:
        assert "61xx" in str(exc)
    else:
        raise AssertionError("endless 61xx was accepted")


@FAST
@given(st.binary(max_size=64))
def test_simple_record_parser(data):
    try:
        tlv = parse_simple_record(data)
    except TlvError:
        return
    assert bytes((tlv.tag, len(tlv.value))) + tlv.value == data


@FAST
@given(st.one_of(st.binary(max_size=120), mutated(SPECIMEN_EF_COM), mutated(encode_dg1(ICAO_SPECIMEN_MRZ))))
def test_ber_parser(data):
    try:
        objects = parse_ber(data)
    except TlvError:
        pass
    else:
        assert sum(len(o.value) for o in objects) <= len(data)
    try:
        assert ber_header_length(data) >= 2
    except TlvError:
        pass


_CARD = SsseCard()
_VALID_RECORDS = {tag: value for f in _CARD.files.values() for tag, value in f.items()}


@FAST
@given(st.dictionaries(st.sampled_from(sorted(_VALID_RECORDS)), st.binary(max_size=34)),
       st.booleans())
def test_ssse_record_parser(random_records, start_from_valid):
    records = dict(_VALID_RECORDS) if start_from_valid else {}
    records.update(random_records)
    try:
        card = ssse.parse_records(records)
    except ssse.SsseError:
        return
    assert len(card.ssn) == 18 and card.sex in ("male", "female")


@FAST
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=6))
def test_ssse_read_with_arbitrary_card_answers(answers):
    replies = itertools.cycle(answers)
    try:
        ssse.read_card(ApduChannel(lambda _apdu: next(replies)))
    except (ApduError, ssse.SsseError):
        pass


@FAST
@given(st.integers(0, 200), st.integers(0, 255))
def test_ssse_read_with_one_corrupted_answer(position, value):
    card = SsseCard()
    count = itertools.count()

    def transmit(apdu):
        response = card.process(apdu)
        if next(count) == position % 40:
            i = value % len(response)
            response = response[:i] + bytes(((response[i] + 1 + value) & 0xFF,)) + response[i + 1:]
        return response
    try:
        result = ssse.read_card(ApduChannel(transmit))
    except (ApduError, ssse.SsseError):
        return
    assert isinstance(result, ssse.SocialSecurityCard)


def _sm():
    return bac.SecureMessaging(bac.SessionKeys(H("979EC13B1CBFE9DCD01AB0FED307EAE5"),
                                               H("F1CB1F1FB5ADF208806B89DC579DC1F8"),
                                               0x887022120C06C227))


VALID_SM_REPLY = H("990290008E08FA855A5D4C50A8ED9000")
VALID_SM_DATA_REPLY = _sm().chip_wrap(H("60145F01"), 0x9000)


@FAST
@given(st.one_of(st.binary(max_size=60), mutated(VALID_SM_REPLY), mutated(VALID_SM_DATA_REPLY)))
def test_sm_unwrap(response):
    try:
        data, sw = _sm().unwrap(response)
    except bac.SecureMessagingError:
        return
    # Only the untouched replies verify (a collision on an 8-byte MAC is not going to happen).
    assert response in (VALID_SM_REPLY, VALID_SM_DATA_REPLY)


@FAST
@given(st.binary(max_size=60))
def test_sm_chip_unwrap(body):
    try:
        _sm().chip_unwrap(H("0CB00000"), body)
    except bac.SecureMessagingError:
        pass


MRZ_ALPHABET = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


@FAST
@given(st.one_of(st.text(max_size=100),
                 st.text(MRZ_ALPHABET, min_size=88, max_size=88),
                 st.text(MRZ_ALPHABET, min_size=90, max_size=90),
                 st.tuples(st.integers(0, 87), MRZ_ALPHABET).map(
                     lambda t: ICAO_SPECIMEN_MRZ[:t[0]] + t[1] + ICAO_SPECIMEN_MRZ[t[0] + 1:])))
def test_mrz_parser(text):
    try:
        mrz = parse_mrz(text)
    except MrzError:
        return
    assert isinstance(mrz, Mrz) and len(mrz.birth_yymmdd) == 6


@FAST
@given(st.one_of(st.binary(max_size=120), mutated(encode_dg1(ICAO_SPECIMEN_MRZ))))
def test_dg1_parser(data):
    try:
        parse_dg1(data)
    except MrzError:
        pass


@FAST
@given(st.one_of(st.binary(max_size=60), mutated(SPECIMEN_EF_COM)))
def test_ef_com_parser(data):
    try:
        version, tags = emrtd.parse_ef_com(data)
    except emrtd.EmrtdError:
        return
    assert isinstance(version, str) and isinstance(tags, tuple)


@FAST
@given(st.lists(st.binary(max_size=48), min_size=1, max_size=6))
def test_emrtd_read_with_arbitrary_chip_answers(answers):
    replies = itertools.cycle(answers)
    key = emrtd.MrzKey("L898902C", "690806", "940623")
    try:
        emrtd.read_document(ApduChannel(lambda _apdu: next(replies)), key)
    except (ApduError, bac.BacError, bac.SecureMessagingError, emrtd.EmrtdError):
        pass
