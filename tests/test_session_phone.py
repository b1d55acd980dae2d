"""Session rules of identity by phone (kiosk.core.session_phone, kiosk.core.phone_identity):
plain Python, fake clock, fake events."""
from __future__ import annotations

import dataclasses

import pytest

from kiosk.core import session as s
from kiosk.core.phone_identity import classify_code, login_poll_outcome
from tests.test_session import document, harness  # noqa: F401  (harness is a fixture)

CODE = "GDID1.eyJ2IjoxLCJqdGkiOiJhYmMifQxxxxxxxx.c2lnbmF0dXJlc2lnbmF0dXJl"


def app_document(source="app_code"):
    return dataclasses.replace(document(), photo_jpeg=None, source=source)


def last(commands, kind):
    return next(c for c in reversed(commands) if isinstance(c, kind))


def to_identify(session, service="elderly-allowance"):
    session.start()
    session.choose_service(service)
    session.begin_service()
    assert session.state is s.State.IDENTIFY


@pytest.mark.parametrize("text,kind", [
    (CODE, "identity"), ("134567890123456789", "payment"), ("102345678901234567", "payment"),
    ("2812345678901234", "payment"), ("301234567890123456789012", "payment"), ("6212345678901234567", "payment"),
    ("https://zwfw.gd.gov.cn/applications/abc", "foreign"), ("MOEID1.abc.def", "foreign"),
    ("164567890123456789", "foreign"),          # 16: not a wallet prefix
    ("13456789012345678", "foreign"),            # 17 digits
    ("GDID1.short.sig", "foreign"), ("", "foreign"),
])
def test_codes_are_routed_by_content(text, kind):
    assert classify_code(text) == kind


def test_poll_answers():
    assert [login_poll_outcome(c) for c in ("authorization_pending", "slow_down", "expired_token", "access_denied",
                                            "invalid_grant", None)] == \
        ["pending", "slow_down", "app_login_expired", "app_login_denied", "app_login_failed", "app_login_failed"]


def test_app_code_consent_scan_exchange_then_face_against_the_photo_on_record(harness):
    session, commands, _ = harness
    to_identify(session)
    assert session.identify_options == ("card", "app_code", "app_login")
    session.use_app_code()
    assert session.state is s.State.APP_CODE and isinstance(commands[-1], s.CancelDeviceWork)   # card read stops
    assert not any(isinstance(c, s.ScanAppCode) for c in commands)      # nothing before consent
    session.scan_app_code()
    scan = last(commands, s.ScanAppCode)
    session.app_code_scanned(scan.token, "134567890123456789")
    assert session.app_error == "app_code_is_payment" and not any(isinstance(c, s.ExchangeAppCode) for c in commands)
    session.scan_app_code()
    session.app_code_scanned(scan.token, " " + CODE + "\n")
    exchange = last(commands, s.ExchangeAppCode)
    assert (exchange.code, exchange.service_id) == (CODE, "elderly-allowance") and CODE not in repr(exchange)
    session.app_identity_received(scan.token + 1, app_document())    # another session's answer: ignored
    assert session.state is s.State.APP_CODE
    session.app_identity_received(scan.token, app_document())
    face = last(commands, s.VerifyFace)
    assert session.state is s.State.VERIFY_FACE
    assert (face.reference_jpeg, face.id_number) == (None, "441202193801011234")   # the photo on record
    session.face_result(face.token, False, "no_reference_face")
    assert session.state is s.State.ERROR and session.error_key == "face_no_photo_on_record"


def test_services_without_phone_identity_refuse_it(harness):
    session, commands, _ = harness
    to_identify(session, "individual-business")
    assert session.identify_options == ("card",)
    session.use_app_code()
    session.use_app_login()
    assert session.state is s.State.IDENTIFY


def test_app_login_expires_and_the_card_is_the_way_forward(harness):
    session, commands, clock = harness
    to_identify(session, "queue-ticket")
    session.use_app_login()
    start = last(commands, s.StartAppLogin)
    assert session.state is s.State.APP_LOGIN and session.app_busy
    session.app_login_started(start.token, {"user_code": "BCDF-GHJK", "verification_uri_complete": "https://x?u=1",
                                            "expires_in": 120})
    clock.now += 100
    session.tick()
    assert session.app_login_remaining_s == pytest.approx(20) and session.idle_warning_remaining_s is None
    clock.now += 26
    session.tick()
    assert session.app_error == "app_login_expired" and session.app_login is None
    session.app_identity_received(start.token, app_document("app_login"))   # too late: no login pending
    assert session.state is s.State.APP_LOGIN and session.document is None
    session.use_id_card()
    assert session.state is s.State.IDENTIFY and isinstance(commands[-1], s.ReadCard)


def test_scan_and_platform_deadlines(harness):
    session, commands, clock = harness
    to_identify(session)
    session.use_app_code()
    session.scan_app_code()
    clock.now += 30 + s.SCAN_GRACE_S
    session.tick()
    assert session.app_error == "app_code_not_found" and not session.app_scanning
    session.scan_app_code()
    session.app_code_scanned(last(commands, s.ScanAppCode).token, CODE)
    clock.now += session.timeouts.query_s
    session.tick()
    assert session.app_error == "app_offline" and not session.app_busy


def test_the_session_end_wipes_the_phone_identity(harness):
    session, commands, _ = harness
    to_identify(session, "queue-ticket")
    session.use_app_login()
    token = last(commands, s.StartAppLogin).token
    session.app_login_started(token, {"user_code": "X", "verification_uri_complete": "u", "expires_in": 60})
    session.app_identity_received(token, app_document("app_login"))
    assert session.state is s.State.FORM and session.document.source == "app_login"
    session.cancel()
    assert session.document is None and session.app_login is None and isinstance(commands[-1], s.SessionEnded)


def test_catalog_phone_identity_is_checked():
    import json
    from pathlib import Path

    from kiosk.core.catalog import CatalogError, validate_catalog
    raw = json.loads((Path(__file__).resolve().parents[1] / "reference_platform" / "catalog.json").read_text("utf-8"))
    catalog = validate_catalog(raw)
    assert catalog.service("elderly-allowance").phone_identity == ("app_code", "app_login")
    assert catalog.service("individual-business").phone_identity == ()
    by_id = {service["id"]: service for service in raw["services"]}
    for service_id, value, problem in (("elderly-allowance", ["app_code", "fingerprint"], "unknown mode"),
                                       ("elderly-allowance", ["app_code", "app_code"], "listed twice"),
                                       ("elderly-allowance", "app_code", "expected a list"),
                                       ("pension-certification", ["app_code"], "only for services that read a card")):
        broken = json.loads(json.dumps(raw))
        next(s for s in broken["services"] if s["id"] == service_id)["phone_identity"] = value
        with pytest.raises(CatalogError, match=problem):
            validate_catalog(broken)
    assert by_id["pension-certification"]["identity"] == "face_only"


def test_reference_photo_unavailable_is_retryable_and_not_counted(harness):
    session, commands, _ = harness
    to_identify(session)
    session.use_app_code()
    session.scan_app_code()
    session.app_code_scanned(last(commands, s.ScanAppCode).token, CODE)
    session.app_identity_received(last(commands, s.ExchangeAppCode).token, app_document())
    session.face_result(last(commands, s.VerifyFace).token, False, "reference_unavailable")
    assert (session.state, session.error_key, session.face_attempts) == \
        (s.State.ERROR, "face_reference_unavailable", 0)
    session.retry()
    assert session.state is s.State.VERIFY_FACE and last(commands, s.VerifyFace).id_number == "441202193801011234"
