"""ICAO 9303 Part 11 Appendix D worked example, value by value.

Every hex string below is copied from the published example (D.2 key
derivation, D.3 mutual authentication, D.4 secure messaging); cases 2 and 3 of
D.4 as carried by ZeroPass/dmrtd test/sm_test.dart.
"""
from __future__ import annotations

import pytest

from devices.id_reader.pcsc import icao_bac as bac

H = bytes.fromhex

RND_IC = H("4608F91988702212")
RND_IFD = H("781723860C06C226")
K_IFD = H("0B795240CB7049B01C19B33E32804F0B")
K_IC = H("0B4F80323EB3191CB04970CB4052790B")
CHIP_RESPONSE = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")


@pytest.fixture
def keys():
    return bac.derive_bac_keys("L898902C", "690806", "940623")


def test_mrz_information_and_check_digits():
    assert bac.mrz_information("L898902C", "690806", "940623") == "L898902C<369080619406236"
    assert bac.check_digit("L898902C<") == "3"
    assert bac.check_digit("690806") == "1"
    assert bac.check_digit("940623") == "6"


def test_key_derivation(keys):
    assert keys.seed == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    assert keys.k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert keys.k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_parity_adjustment_sets_odd_parity():
    raw = H("AB94FDECF2674FDFB9B391F85D7F76F2")
    adjusted = bac.adjust_parity(bytes(b ^ 1 for b in raw))   # break every parity bit
    assert adjusted == raw
    assert all(bin(b).count("1") % 2 == 1 for b in adjusted)


def test_terminal_external_authenticate(keys):
    data = bac.terminal_authenticate_data(keys, RND_IC, RND_IFD, K_IFD)
    assert data[:32] == H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
    assert data[32:] == H("5F1448EEA8AD90A7")


def test_terminal_checks_chip_response_and_derives_session(keys):
    session = bac.terminal_finish(keys, CHIP_RESPONSE, RND_IC, RND_IFD, K_IFD)
    assert session.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert session.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert session.ssc.to_bytes(8, "big") == H("887022120C06C226")


def test_chip_side_produces_the_published_response(keys):
    command = bac.terminal_authenticate_data(keys, RND_IC, RND_IFD, K_IFD)
    response, session = bac.chip_authenticate(keys, command, RND_IC, K_IC)
    assert response == CHIP_RESPONSE
    assert session.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")


def test_wrong_mrz_is_refused_by_the_chip(keys):
    wrong = bac.derive_bac_keys("L898902C", "690806", "940624")
    command = bac.terminal_authenticate_data(wrong, RND_IC, RND_IFD, K_IFD)
    with pytest.raises(bac.BacError):
        bac.chip_authenticate(keys, command, RND_IC, K_IC)


def test_tampered_chip_response_is_refused(keys):
    tampered = bytearray(CHIP_RESPONSE)
    tampered[5] ^= 0x01
    with pytest.raises(bac.BacError):
        bac.terminal_finish(keys, bytes(tampered), RND_IC, RND_IFD, K_IFD)


def test_chip_response_with_a_wrong_mac_is_refused(keys):
    # Only M_IC is wrong: E_IC still decrypts to the right challenges, so nothing but the MAC
    # check can notice (removing that check made every other test pass).
    bad_mac = bytearray(CHIP_RESPONSE)
    bad_mac[-1] ^= 0x01
    with pytest.raises(bac.ChipAuthenticationError, match="MAC"):
        bac.terminal_finish(keys, bytes(bad_mac), RND_IC, RND_IFD, K_IFD)


def _terminal_sm():
    return bac.SecureMessaging(bac.SessionKeys(H("979EC13B1CBFE9DCD01AB0FED307EAE5"),
                                               H("F1CB1F1FB5ADF208806B89DC579DC1F8"),
                                               0x887022120C06C226))


def test_sm_select_ef_com():
    sm = _terminal_sm()
    assert sm.wrap(0x00, 0xA4, 0x02, 0x0C, H("011E")) == H(
        "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert sm.ssc == 0x887022120C06C227
    data, sw = sm.unwrap(H("990290008E08FA855A5D4C50A8ED9000"))
    assert (data, sw) == (b"", 0x9000)
    assert sm.ssc == 0x887022120C06C228


def test_sm_read_binary_cases_2_and_3():
    sm = _terminal_sm()
    sm.wrap(0x00, 0xA4, 0x02, 0x0C, H("011E"))
    sm.unwrap(H("990290008E08FA855A5D4C50A8ED9000"))
    assert sm.wrap(0x00, 0xB0, 0x00, 0x00, le=4) == H("0CB000000D9701048E08ED6705417E96BA5500")
    assert sm.unwrap(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")) == (H("60145F01"), 0x9000)
    assert sm.wrap(0x00, 0xB0, 0x00, 0x04, le=0x12) == H("0CB000040D9701128E082EA28A70F3C7B53500")


def test_chip_side_sm_matches_terminal_side():
    terminal, chip = _terminal_sm(), _terminal_sm()
    protected = terminal.wrap(0x00, 0xB0, 0x00, 0x00, le=4)
    data, le = chip.chip_unwrap(protected[:4], protected[5:-1])
    assert (data, le) == (b"", 4)
    # The chip's reply to the published READ BINARY decrypts on the terminal side.
    reply = chip.chip_wrap(H("60145F01"), 0x9000)
    assert terminal.unwrap(reply) == (H("60145F01"), 0x9000)


def test_sm_response_with_wrong_mac_is_refused():
    sm = _terminal_sm()
    sm.wrap(0x00, 0xA4, 0x02, 0x0C, H("011E"))
    with pytest.raises(bac.SecureMessagingError):
        sm.unwrap(H("990290008E08FA855A5D4C50A8EE9000"))
