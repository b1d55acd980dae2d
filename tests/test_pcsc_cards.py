"""Card models and readers without pcscd: published bytes, T=0 chaining, MRZ/DG1, BAC end to end."""
from __future__ import annotations

import datetime as dt

import pytest

from devices.id_reader.pcsc import emrtd, ssse
from devices.id_reader.pcsc.apdu import ApduChannel, StatusWordError, command
from devices.id_reader.pcsc.mrz import MrzError, make_td3_mrz, parse_dg1, parse_mrz, yymmdd_to_date
from sim.id_reader.virtual_card.cards import ICAO_SPECIMEN_MRZ, EmrtdCard, SsseCard
from kiosk.core.identity import CardType

H = bytes.fromhex


class Recorder:
    """Raw transmit into a card model, keeping both directions."""

    def __init__(self, card):
        self.card, self.log = card, []

    def __call__(self, apdu: bytes) -> bytes:
        response = self.card.process(apdu)
        self.log.append((apdu.hex().upper(), response.hex().upper()))
        return response


def test_ssse_aid_is_sx1_sh_and_gbk_shehuibaozhang():
    assert ssse.SSSE_AID == b"sx1.sh." + "社会保障".encode("gbk")


def test_ssse_card_answers_the_published_exchange():
    # id-documents.md §4.3: READ RECORD 08 -> 08 12 + ASCII SSN; 09 -> 09 1E + GBK 张三 + 00 pad.
    card = SsseCard()
    assert card.process(command(0x00, 0xA4, 0x04, 0x00, ssse.SSSE_AID))[:1] == b"\x61"
    assert card.process(H("00A4020002EF06")) == H("9000")
    assert card.process(H("00B2080014")) == H("0812") + b"440305199003071236" + H("9000")
    assert card.process(H("00B2090020")) == H("091E") + H("D5C5C8FD") + bytes(26) + H("9000")


def test_ssse_read_through_channel_handles_61xx_and_6cxx():
    recorder = Recorder(SsseCard(chunk=4, always_61=True, card_number="M123456789"))
    card = ssse.read_card(ApduChannel(recorder))
    doc = card.to_identity()
    assert doc.card_type is CardType.SOCIAL_SECURITY and doc.name == "张三"
    assert doc.valid_until == dt.date(2029, 5, 20) and doc.birth_date == dt.date(1990, 3, 7)
    assert card.card_number == "M123456789"
    sent = [apdu for apdu, _ in recorder.log]
    assert ("00B207000B", "6C0C") in recorder.log and "00B207000C" in sent
    # 4 bytes per GET RESPONSE: the 32-byte name record alone takes 8 of them.
    assert sum(1 for apdu in sent if apdu.startswith("00C0")) >= 8 * 2


def test_ssse_missing_application_is_a_status_word_error():
    with pytest.raises(StatusWordError) as info:
        ssse.read_card(ApduChannel(EmrtdCard().process))
    assert info.value.sw == 0x6A82


@pytest.mark.parametrize("tag,value,message", [
    (0x08, b"44030519900307123", "18-character"),
    (0x09, b"\xff\xff" + bytes(28), "GBK"),
    (0x0A, b"3", "gender"),
    (0x0D, H("19901307"), "not a date"),
    (0x05, H("2019AB20"), "BCD"),
])
def test_ssse_field_errors_are_typed(tag, value, message):
    card = SsseCard()
    records = {t: v for f in card.files.values() for t, v in f.items()}
    records[tag] = value
    with pytest.raises(ssse.SsseError, match=message):
        ssse.parse_records(records)


# --- MRZ / DG1 -------------------------------------------------------------------------

def test_td3_specimen():
    mrz = parse_dg1(EmrtdCard().files[0x0101])
    assert (mrz.document_code, mrz.surname, mrz.given_names) == ("P", "ERIKSSON", "ANNA MARIA")
    assert (mrz.document_number, mrz.birth_yymmdd, mrz.expiry_yymmdd, mrz.sex) == (
        "L898902C", "690806", "940623", "F")


def test_td3_builder_reproduces_the_icao_specimen_and_round_trips():
    assert make_td3_mrz(surname="ERIKSSON", given_names="ANNA MARIA", document_number="L898902C",
                        nationality="UTO", birth_yymmdd="690806", sex="F", expiry_yymmdd="940623",
                        optional_data="ZE184226B") == ICAO_SPECIMEN_MRZ
    mrz = parse_mrz(make_td3_mrz(surname="CHAN", given_names="TAI MAN", document_number="K12345678",
                                 nationality="GBR", birth_yymmdd="440315", sex="M", expiry_yymmdd="310101"))
    assert (mrz.surname, mrz.given_names, mrz.document_number, mrz.nationality) == (
        "CHAN", "TAI MAN", "K12345678", "GBR")
    assert (mrz.birth_yymmdd, mrz.expiry_yymmdd, mrz.sex, mrz.optional_data) == ("440315", "310101", "M", "")


def test_td1_specimen():
    # ICAO 9303 Part 5 specimen ID card.
    mrz = parse_mrz("I<UTOD231458907<<<<<<<<<<<<<<<" "7408122F1204159UTO<<<<<<<<<<<6"
                    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    assert (mrz.document_number, mrz.birth_yymmdd, mrz.expiry_yymmdd) == ("D23145890", "740812", "120415")


@pytest.mark.parametrize("position", [53, 63, 71, 87])   # doc no, birth, expiry, composite check digits
def test_wrong_check_digit_is_refused(position):
    text = ICAO_SPECIMEN_MRZ
    broken = text[:position] + str((int(text[position]) + 1) % 10) + text[position + 1:]
    with pytest.raises(MrzError, match="check digit"):
        parse_mrz(broken)


def test_two_digit_years():
    today = dt.date(2026, 11, 23)
    assert yymmdd_to_date("690806", future=False, today=today) == dt.date(1969, 8, 6)
    assert yymmdd_to_date("200101", future=False, today=today) == dt.date(2020, 1, 1)
    assert yymmdd_to_date("940623", future=True, today=today) == dt.date(1994, 6, 23)
    assert yymmdd_to_date("340623", future=True, today=today) == dt.date(2034, 6, 23)
    with pytest.raises(MrzError):
        yymmdd_to_date("690231", future=False, today=today)


# --- BAC end to end with the worked example's random numbers ---------------------------------

def test_bac_read_reproduces_the_worked_example_bytes():
    card = EmrtdCard(rng=lambda n: H("4608F91988702212"), k_ic=H("0B4F80323EB3191CB04970CB4052790B"))
    terminal_random = iter([H("781723860C06C226"), H("0B795240CB7049B01C19B33E32804F0B")])
    recorder = Recorder(card)
    contents = emrtd.read_document(ApduChannel(recorder), emrtd.MrzKey("L898902C", "690806", "940623"),
                                   rng=lambda n: next(terminal_random))
    log = recorder.log
    assert log[1] == ("0084000008", "4608F91988702212" + "9000")
    assert log[2][0] == ("008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
                         "5F1448EEA8AD90A728")
    assert log[2][1] == ("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
                         "2F2D235D074D7449" "9000")
    # First protected command = SELECT EF.COM of Appendix D, and the chip's published answer.
    assert log[3] == ("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
                      "990290008E08FA855A5D4C50A8ED9000")
    assert log[4][0] == "0CB000000D9701048E08ED6705417E96BA5500"
    assert contents.lds_version == "0106" and contents.data_groups == (0x61, 0x75)
    doc = contents.to_identity(today=dt.date(2026, 11, 23))
    assert doc.card_type is CardType.EMRTD and doc.name == "ERIKSSON ANNA MARIA"
    assert doc.valid_from is None and doc.is_expired(dt.date(2026, 11, 23))


def test_plain_read_after_bac_is_refused_by_the_chip():
    card = EmrtdCard()
    channel = ApduChannel(card.process)
    emrtd.authenticate(channel, emrtd.MrzKey("L898902C", "690806", "940623"))
    assert channel.transmit(H("00A4020C02011E"))[1] == 0x6982
