"""The citizen-session state machine, driven with a fake clock and fake device events."""
import datetime as dt
import json
from pathlib import Path

import pytest

from kiosk.core import session as s
from kiosk.core.catalog import parse_catalog
from kiosk.core.identity import CardType, IdentityDocument

CATALOG = json.loads((Path(__file__).resolve().parents[1] / "reference_platform" / "catalog.json")
                     .read_text(encoding="utf-8"))
TODAY = dt.date(2026, 11, 23)


def document(birth=dt.date(1938, 1, 1), valid_until=None, card_type=CardType.RESIDENT_ID):
    return IdentityDocument(card_type=card_type, name="张三丰", sex="male", nation="汉", birth_date=birth,
                            address="广东省惠州市惠城区示例路1号", id_number="441202193801011234",
                            issuer="惠州市公安局惠城分局", valid_from=dt.date(2018, 1, 1),
                            valid_until=valid_until, photo_jpeg=b"\xff\xd8fakejpeg")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def harness():
    clock = FakeClock()
    session = s.CitizenSession(kiosk_id="K1", default_language="zh_CN",
                               timeouts=s.Timeouts(idle_s=60, countdown_s=15, card_read_s=30, face_s=25, receipt_s=20),
                               catalog=parse_catalog(CATALOG), clock=clock, today=lambda: TODAY)
    commands = []
    session.on_command(commands.append)
    return session, commands, clock


def walk_to_form(session, commands):
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    read = commands[-1]
    assert isinstance(read, s.ReadCard) and read.timeout_s == 30
    session.card_read(read.token, document())
    verify = commands[-1]
    assert isinstance(verify, s.VerifyFace) and verify.reference_jpeg == b"\xff\xd8fakejpeg"
    session.face_result(verify.token, True, "matched")
    assert session.state is s.State.FORM


def test_full_session_prefills_submits_and_wipes(harness):
    session, commands, _ = harness
    walk_to_form(session, commands)
    assert session.form_values["name"] == "张三丰"
    assert session.form_values["id_number"] == "441202193801011234"
    session.set_field("name", "someone else")          # read-only card field: ignored
    assert session.form_values["name"] == "张三丰"
    session.submit_form()
    assert session.state is s.State.FORM and session.field_errors == {"phone": "required"}
    session.set_field("phone", "12345")
    session.submit_form()
    assert session.field_errors == {"phone": "invalid_phone"}
    session.set_field("phone", "13812345678")
    session.submit_form()
    assert session.state is s.State.CONFIRM
    session.confirm()
    submit = commands[-1]
    assert isinstance(submit, s.Submit) and session.state is s.State.SUBMITTING
    assert submit.body["application_id"] == submit.application_id
    assert submit.body["applicant"]["id_number"] == "441202193801011234"
    session.submission_saved(submit.token, s.Outcome(submit.application_id, "GD20261123000001", False))
    assert session.state is s.State.RECEIPT and isinstance(commands[-1], s.PrintReceipt)
    session.receipt_printed(submit.token)
    session.finish_receipt()
    session.rate("very_satisfied")
    rating = [c for c in commands if isinstance(c, s.SendRating)][-1]
    assert rating.body["application_id"] == submit.application_id and rating.body["level"] == "very_satisfied"
    assert session.state is s.State.IDLE and session.last_end_reason is s.EndReason.COMPLETED
    assert session.document is None and session.form_values == {} and session.outcome is None
    assert "张三丰" not in repr(vars(session)) and "441202193801011234" not in repr(vars(session))


def test_idle_timeout_warns_then_ends_and_wipes(harness):
    session, commands, clock = harness
    walk_to_form(session, commands)
    clock.now += 59
    session.tick()
    assert session.idle_warning_remaining_s is None
    clock.now += 2
    session.tick()
    assert session.idle_warning_remaining_s == pytest.approx(15)
    session.touch()                                  # "I'm still here"
    assert session.idle_warning_remaining_s is None and session.state is s.State.FORM
    clock.now += 61
    session.tick()
    clock.now += 15
    session.tick()
    assert session.state is s.State.IDLE and session.last_end_reason is s.EndReason.TIMEOUT
    assert session.document is None and session.form_values == {}
    assert any(isinstance(c, s.CancelDeviceWork) for c in commands)


def test_late_card_result_from_previous_session_is_ignored(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    old_token = commands[-1].token
    session.cancel()
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    session.card_read(old_token, document())        # arrives after the new session began
    assert session.state is s.State.IDENTIFY and session.document is None


@pytest.mark.parametrize("doc, key", [
    (document(valid_until=dt.date(2020, 1, 1)), "card_expired"),
    (document(birth=dt.date(1990, 5, 5)), "too_young"),
    (document(card_type=CardType.HMT_RESIDENCE_PERMIT), "card_type_not_accepted"),
])
def test_ineligible_cards_fail_early_without_retry(harness, doc, key):
    session, commands, _ = harness
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    session.card_read(commands[-1].token, doc)
    assert session.state is s.State.ERROR and session.error_key == key and session.error_retry is None
    assert session.document is None


def test_card_failure_offers_retry(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    session.card_failed(commands[-1].token, "card_removed")
    assert session.error_key == "card_card_removed"
    session.retry()
    assert session.state is s.State.IDENTIFY and isinstance(commands[-1], s.ReadCard)


def test_three_face_failures_send_the_citizen_to_the_counter(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    session.card_read(commands[-1].token, document())
    for attempt in range(3):
        session.face_result(commands[-1].token, False, "not_matched")
        if attempt < 2:
            assert session.error_key == "face_not_matched"
            session.retry()
            assert isinstance(commands[-1], s.VerifyFace)
    assert session.error_key == "face_go_to_counter" and session.error_retry is None


def test_unsaved_submission_gives_no_receipt(harness):
    session, commands, _ = harness
    walk_to_form(session, commands)
    session.set_field("phone", "13812345678")
    session.submit_form()
    session.confirm()
    token = commands[-1].token
    session.cancel()                                  # cannot cancel half-way through saving
    assert session.state is s.State.SUBMITTING
    session.submission_failed(token, "not_saved")
    assert session.state is s.State.ERROR and session.error_key == "submit_not_saved"
    assert not any(isinstance(c, s.PrintReceipt) for c in commands)
    session.retry()
    assert session.state is s.State.CONFIRM


def test_leaving_the_rating_screen_records_no_rating(harness):
    session, commands, clock = harness
    walk_to_form(session, commands)
    session.set_field("phone", "13812345678")
    session.submit_form()
    session.confirm()
    submit = commands[-1]
    session.submission_saved(submit.token, s.Outcome(submit.application_id, None, True))
    clock.now += 21
    session.tick()                                    # receipt screen times out into the rating
    assert session.state is s.State.RATE
    session.cancel()
    rating = [c for c in commands if isinstance(c, s.SendRating)][-1]
    assert isinstance(rating, s.SendRating) and rating.body["skipped"] and rating.body["level"] is None
    assert session.state is s.State.IDLE


def test_reasons_only_kept_for_negative_ratings(harness):
    session, commands, _ = harness
    walk_to_form(session, commands)
    session.set_field("phone", "13812345678")
    session.submit_form()
    session.confirm()
    submit = commands[-1]
    session.submission_saved(submit.token, s.Outcome(submit.application_id, "GD1", False))
    session.finish_receipt()
    with pytest.raises(ValueError):
        session.rate("great")
    session.rate("satisfied", ("hard_to_use",))
    rating = [c for c in commands if isinstance(c, s.SendRating)][-1]
    assert rating.body["reasons"] == []


def test_language_and_care_mode_reset_per_session(harness):
    session, commands, _ = harness
    session.start()
    session.set_language("en")
    session.set_care_mode(True)
    session.cancel()
    assert session.language == "zh_CN" and session.care_mode is False


# --- passports: the MRZ key step ---------------------------------------------------------

def walk_to_passport_entry(session, commands):
    session.start()
    session.choose_service("queue-ticket")           # any card: passports too
    session.begin_service()
    session.card_failed(commands[-1].token, "mrz_required")
    assert session.state is s.State.MRZ_ENTRY and session.mrz_error is None
    assert session.language == "en"          # a passport holder: English unless they chose


@pytest.mark.parametrize("number,birth,expiry,error", [
    ("", "690806", "310623", "mrz_document_number"),
    ("L89", "690806", "310623", "mrz_document_number"),           # too short
    ("L898902C1X", "690806", "310623", "mrz_document_number"),    # 10 characters: longer than the field
    ("L8989-02C", "690806", "310623", "mrz_document_number"),
    ("L898902C", "69086", "310623", "mrz_birth_date"),
    ("L898902C", "691306", "310623", "mrz_birth_date"),           # month 13
    ("L898902C", "690230", "310623", "mrz_birth_date"),           # 30 February
    ("L898902C", "690806", "31062", "mrz_expiry_date"),
    ("L898902C", "690806", "310631", "mrz_expiry_date"),          # 31 June
])
def test_passport_entry_names_the_field_to_fix_and_reads_nothing(harness, number, birth, expiry, error):
    session, commands, _ = harness
    walk_to_passport_entry(session, commands)
    before = len(commands)
    session.submit_mrz(number, birth, expiry)
    assert session.state is s.State.MRZ_ENTRY and session.mrz_error == error
    assert len(commands) == before


def test_passport_entry_reads_with_the_typed_key_which_stays_out_of_logs(harness):
    session, commands, _ = harness
    walk_to_passport_entry(session, commands)
    session.submit_mrz(" l898902c ", "690806", "310623")          # lower case and spaces forgiven
    read = commands[-1]
    assert session.state is s.State.IDENTIFY and isinstance(read, s.ReadCard)
    assert read.mrz == ("L898902C", "690806", "310623")
    assert "L898902C" not in repr(read) and "690806" not in repr(read)
    assert "L898902C" not in repr(session.__dict__)                # not kept in the session either


def test_wrong_passport_data_is_asked_again_then_staff_help(harness):
    session, commands, _ = harness
    walk_to_passport_entry(session, commands)
    for attempt in (1, 2):
        session.submit_mrz("L898902C", "690806", "310624")
        session.card_failed(commands[-1].token, "mrz_mismatch")
        assert session.state is s.State.MRZ_ENTRY and session.mrz_error == "mrz_mismatch"
        assert session.mrz_attempts == attempt
    session.submit_mrz("L898902C", "690806", "310624")
    session.card_failed(commands[-1].token, "mrz_mismatch")
    assert session.state is s.State.ERROR and session.error_key == "card_mrz_go_to_counter"
    assert session.error_retry is None                             # no endless guessing at the chip
    session.cancel()
    assert session.mrz_attempts == 0 and session.mrz_error is None  # the next citizen starts clean
