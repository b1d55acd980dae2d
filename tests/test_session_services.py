"""Session rules for the catalog-driven services (plain Python, fake clock, fake events)."""
from __future__ import annotations

import dataclasses

import pytest

from kiosk.core import session as s
from kiosk.core.identity import CardType
from tests.test_session import document, harness  # noqa: F401  (harness is a fixture)

VALID_ID = "441202193801010015"   # check character per GB 11643 (ISO 7064 MOD 11-2)


def read_card(session, commands, doc):
    read = next(c for c in reversed(commands) if isinstance(c, s.ReadCard))
    session.card_read(read.token, doc)


def test_card_type_j_switches_to_traditional_chinese_and_foreigner_to_english(harness):
    session, commands, _ = harness
    for card_type, language in ((CardType.HMT_RESIDENCE_PERMIT, "zh_HK"),
                                (CardType.FOREIGNER_PERMANENT_2023, "en"), (CardType.RESIDENT_ID, "zh_CN")):
        session.start()
        session.choose_service("queue-ticket")
        session.begin_service()
        read_card(session, commands, dataclasses.replace(document(), card_type=card_type))
        assert session.state is s.State.FORM and session.language == language
        session.cancel()
        assert session.language == "zh_CN"


def test_a_language_the_citizen_chose_beats_the_card(harness):
    session, commands, _ = harness
    session.start()
    session.set_language("zh_CN")
    session.choose_service("queue-ticket")
    session.begin_service()
    read_card(session, commands, dataclasses.replace(document(), card_type=CardType.FOREIGNER_PERMANENT_2017))
    assert session.language == "zh_CN"


def test_care_mode_doubles_every_timeout_and_resets(harness):
    session, commands, clock = harness
    session.start()
    session.set_care_mode(True)
    clock.now += 61                                         # past the normal 60 s idle limit
    session.tick()
    assert session.idle_warning_remaining_s is None         # care mode: 120 s
    clock.now += 60
    session.tick()
    assert session.idle_warning_remaining_s == pytest.approx(30)   # countdown 15 s -> 30 s
    clock.now += 31
    session.tick()
    assert session.state is s.State.IDLE and session.last_end_reason is s.EndReason.TIMEOUT
    assert session.care_mode is False


def test_care_mode_gives_the_card_reader_more_time(harness):
    session, commands, _ = harness
    session.start()
    session.set_care_mode(True)
    session.choose_service("queue-ticket")
    session.begin_service()
    assert commands[-1].timeout_s == 60


def test_help_is_a_command_and_keeps_the_session(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("elderly-allowance")
    session.call_staff()
    assert isinstance(commands[-1], s.CallStaff) and commands[-1].state == "service_info"
    assert session.state is s.State.SERVICE_INFO and session.help_requested


def test_bundle_submits_once_with_its_items_and_routing(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("open-barbershop")
    session.begin_service()
    read_card(session, commands, dataclasses.replace(document(), birth_date=document().birth_date))
    verify = commands[-1]
    session.face_result(verify.token, True, "matched")
    for field_id, value in (("business_type", "hairdressing"), ("premises_district", "dinghu"),
                            ("premises_area", "40"), ("staff_count", "2"), ("phone", "13812345678")):
        session.set_field(field_id, value)
    session.submit_form()
    assert session.state is s.State.CONFIRM, session.field_errors
    session.confirm()
    submits = [c for c in commands if isinstance(c, s.Submit)]
    assert len(submits) == 1
    body = submits[0].body
    assert body["service_id"] == "open-barbershop"
    assert body["items"] == ["individual-business", "public-place-health-permit"]
    assert body["routing"] == {"region_code": "441200", "department": "ZSJ"}
    assert body["form"]["staff_count"] == "2"


def test_face_only_asks_the_id_number_then_the_face_then_confirms(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("pension-certification")
    session.begin_service()
    assert session.state is s.State.FORM and not any(isinstance(c, s.ReadCard) for c in commands)
    session.set_field("id_number", VALID_ID)
    session.submit_form()
    verify = commands[-1]
    assert isinstance(verify, s.VerifyFace) and verify.reference_jpeg is None and verify.id_number == VALID_ID
    session.face_result(verify.token, True, "matched")
    assert session.state is s.State.CONFIRM


def test_progress_query_events(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("real-estate-progress")
    session.begin_service()
    assert session.state is s.State.QUERY
    session.query_number("  ")
    assert session.query_error == "query_number_required"
    session.query_number("gd20261123000001")
    lookup = commands[-1]
    assert isinstance(lookup, s.LookupApplication) and lookup.reference == "GD20261123000001"
    session.query_answered(lookup.token, {"service_id": "elderly-allowance", "status": "received"})
    assert session.query_error == "query_other_service" and session.state is s.State.QUERY
    session.scan_receipt_qr()
    scan = commands[-1]
    assert isinstance(scan, s.ScanQr)
    session.qr_scanned(scan.token, "WIFI:S:cafe;T:WPA;P:secret;;")
    assert session.query_error == "query_qr_not_ours"
    session.scan_receipt_qr()
    session.qr_scanned(scan.token, "http://127.0.0.1:8700/applications/Abc_def-1234567890xyz")
    assert commands[-1] == s.LookupApplication(scan.token, "Abc_def-1234567890xyz")
    session.query_answered(scan.token, {"service_id": "real-estate-registration", "status": "received",
                                        "application_number": "GD20261123000007"})
    assert session.state is s.State.QUERY_RESULT
    session.finish_query()
    assert session.state is s.State.IDLE and session.query_result is None


def test_a_late_answer_from_a_previous_session_is_ignored(harness):
    session, commands, _ = harness
    session.start()
    session.choose_service("progress-query")
    session.begin_service()
    session.query_number("GD20261123000001")
    old = commands[-1]
    session.cancel()
    session.start()
    session.choose_service("progress-query")
    session.begin_service()
    session.query_answered(old.token, {"service_id": "x", "status": "received"})
    assert session.state is s.State.QUERY and session.query_result is None


@pytest.mark.parametrize("payload, reference", [
    ("http://10.0.0.5:8700/applications/GD20261123000001", "GD20261123000001"),
    ("https://gov.example/applications/3f2b1c9e-1111-4222-8333-444455556666/", "3f2b1c9e-1111-4222-8333-444455556666"),
    ("GD20261123000001", "GD20261123000001"),
    ("https://example.com/", None),
    ("http://x/applications/short", None),
])
def test_reference_from_qr(payload, reference):
    assert s.reference_from_qr(payload) == reference
