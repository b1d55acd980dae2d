"""Documents the kiosk refuses right after the read (kiosk.core.document_gate), and how
the session then treats the citizen (counter, no pointless "Try again")."""
import dataclasses
import datetime as dt

from kiosk.core.id_number import check_character
from kiosk.core import session as s
from kiosk.core.document_gate import document_problems
from kiosk.core.identity import CardType, IdentityDocument
from tests.test_session import harness  # noqa: F401  (fixture)

BODY = "44120219380101123"        # Huizhou Huicheng, born 1938-01-01
GOOD = BODY + check_character(BODY)
BAD_CHECK = BODY + ("0" if check_character(BODY) != "0" else "1")


def card(number=GOOD, card_type=CardType.RESIDENT_ID, birth=dt.date(1938, 1, 1), valid_until=None):
    return IdentityDocument(card_type=card_type, name="张三丰", sex="male", nation="汉", birth_date=birth,
                            address="广东省惠州市惠城区示例路1号", id_number=number,
                            issuer="惠州市公安局惠城分局", valid_from=dt.date(2018, 1, 1),
                            valid_until=valid_until, photo_jpeg=None)


def test_a_genuine_number_passes():
    assert document_problems(card()) == []


def test_wrong_check_character_is_refused():
    assert document_problems(card(BAD_CHECK)) == ["check_digit"]


def test_birth_date_contradicting_the_number_is_refused():
    assert "birth_date_mismatch" in document_problems(card(birth=dt.date(1938, 1, 2)))


def test_unknown_region_is_refused():
    body = "00000019380101123"
    assert "unknown_region" in document_problems(card(body + check_character(body)))


def test_expired_card_is_left_to_the_service_rules():
    # The session says "this card has expired" in the citizen's words; not a forgery.
    assert document_problems(card(valid_until=dt.date(2020, 1, 1))) == []


def test_social_security_number_is_checked_as_a_citizen_id_number():
    ssc = dataclasses.replace(card(BAD_CHECK), card_type=CardType.SOCIAL_SECURITY)
    assert document_problems(ssc) == ["check_digit"]
    assert document_problems(dataclasses.replace(ssc, id_number=GOOD)) == []


def test_passport_numbers_are_not_gb11643():
    passport = dataclasses.replace(card("L898902C3"), card_type=CardType.EMRTD)
    assert document_problems(passport) == []


def test_invalid_document_sends_the_citizen_to_the_counter_without_retry(harness):  # noqa: F811
    session, commands, _ = harness
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    session.card_failed(commands[-1].token, "invalid_document")
    assert session.state is s.State.ERROR
    assert session.error_key == "card_invalid_document" and session.error_retry is None


def test_warm_up_builds_the_region_table_before_the_first_card():
    # The first lookup builds the GB/T 2260 table (~50 ms): the controller does it on a
    # background thread at start, so the check on the GUI thread finds it cached.
    from kiosk.core.document_checks import _region_codes
    from kiosk.core.document_gate import warm_up_document_checks
    _region_codes.cache_clear()
    warm_up_document_checks()
    assert _region_codes.cache_info().currsize == 1
    document_problems(card())
    assert _region_codes.cache_info().misses == 1      # the read itself built nothing
