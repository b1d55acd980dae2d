"""Every session state ends without any input: no device answer, no platform answer, no touch.
A state the kiosk waits in (SUBMITTING, a progress query, a QR scan) has its own deadline and a
sensible outcome: never a lost application, never a receipt for something not stored."""
from __future__ import annotations

import pytest

from kiosk.core import session as s
from tests.test_session import document, harness, walk_to_form  # noqa: F401  (fixture)
from tests.test_session_certificates import CERT_DRIVERS

PHONE = "13812345678"
FAKE_HOUR_S = 3600.0


def to_confirm(session, commands):
    walk_to_form(session, commands)
    session.set_field("phone", PHONE)
    session.submit_form()
    assert session.state is s.State.CONFIRM


def to_submitting(session, commands):
    to_confirm(session, commands)
    session.confirm()


def to_receipt(session, commands):
    to_submitting(session, commands)
    submit = commands[-1]
    session.submission_saved(submit.token, s.Outcome(submit.application_id, "GD20261123000001", False))


def to_query(session, commands):
    session.start()
    session.choose_service("progress-query")
    session.begin_service()


def to_query_busy(session, commands):
    to_query(session, commands)
    session.query_number("Abc_def-1234567890xyz")
    assert session.query_busy


def to_query_scanning(session, commands):
    to_query(session, commands)
    session.scan_receipt_qr()
    assert session.query_scanning


def to_query_result(session, commands):
    to_query_busy(session, commands)
    session.query_answered(commands[-1].token, {"service_id": "elderly-allowance", "status": "received"})


def to_mrz_entry(session, commands):
    session.start()
    session.choose_service("queue-ticket")
    session.begin_service()
    session.card_failed(commands[-1].token, "mrz_required")


def to_verify_face(session, commands):
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()
    session.card_read(commands[-1].token, document())


def to_identify(session, commands):
    session.start()
    session.choose_service("elderly-allowance")
    session.begin_service()


def to_error(session, commands):
    to_identify(session, commands)
    session.card_failed(commands[-1].token, "unreadable")


def to_rate(session, commands):
    to_receipt(session, commands)
    session.finish_receipt()


def to_service_info(session, commands):
    session.start()
    session.choose_service("elderly-allowance")


def to_app_code(session, commands):
    to_identify(session, commands)
    session.use_app_code()
    assert session.state is s.State.APP_CODE


def to_app_code_scanning(session, commands):
    to_app_code(session, commands)
    session.scan_app_code()
    assert session.app_scanning


def to_app_code_busy(session, commands):
    to_app_code_scanning(session, commands)
    session.app_code_scanned(commands[-1].token, "GDID1.eyJ2IjoxLCJqdGkiOiJhYmMifQxxxxxxxx.c2lnbmF0dXJlc2lnbmF0dXJl")
    assert session.app_busy


def to_app_login_busy(session, commands):
    to_identify(session, commands)
    session.use_app_login()
    assert session.state is s.State.APP_LOGIN and session.app_busy


def to_app_login(session, commands):
    to_app_login_busy(session, commands)
    session.app_login_started(commands[-1].token, {"user_code": "BCDF-GHJK", "verification_uri_complete": "u",
                                                   "expires_in": 600})
    assert session.app_login is not None


def to_payment(session, commands):
    """A fee-bearing service, nobody answers the StartPayment (the flow is gone)."""
    import datetime as dt
    session.start()
    session.choose_service("real-estate-records-copy")
    session.begin_service()
    session.card_read(commands[-1].token, document(birth=dt.date(1990, 1, 1)))
    session.set_field("phone", PHONE)
    session.submit_form()
    session.confirm()
    assert session.state is s.State.PAYMENT


def to_payment_busy(session, commands):
    """The QR is shown; nobody pays, nobody answers the close."""
    to_payment(session, commands)
    start = commands[-1]
    session.payment_opened(start.token, "K1-1", "weixin://x")


DRIVERS = {
    "app_code": to_app_code,
    "app_code_scanning": to_app_code_scanning,
    "app_code_busy": to_app_code_busy,
    "app_login_busy": to_app_login_busy,
    "app_login": to_app_login,
    "choose_service": lambda session, commands: session.start(),
    "service_info": to_service_info,
    "identify": to_identify,
    "mrz_entry": to_mrz_entry,
    "verify_face": to_verify_face,
    "form": walk_to_form,
    "confirm": to_confirm,
    "submitting": to_submitting,
    "receipt": to_receipt,
    "rate": to_rate,
    "error": to_error,
    "query": to_query,
    "query_busy": to_query_busy,
    "query_scanning": to_query_scanning,
    "query_result": to_query_result,
    "payment": to_payment,
    "payment_busy": to_payment_busy,
}


DRIVERS.update(CERT_DRIVERS)    # electronic licences (issue 15)
def to_scan_documents(session, commands):
    to_confirm(session, commands)
    session.open_documents()


def to_scan_documents_capturing(session, commands):     # the camera never answers
    to_scan_documents(session, commands)
    session.capture_page()


def to_mrz_entry_scanning(session, commands):           # the MRZ camera never answers
    to_mrz_entry(session, commands)
    session.scan_mrz()


DRIVERS.update({"scan_documents": to_scan_documents, "scan_documents_scanning": to_scan_documents_capturing,
                "mrz_entry_scanning": to_mrz_entry_scanning})


def test_every_state_is_covered():
    assert {state.value for state in s.State} - {"idle"} <= {name.split("_busy")[0].split("_scanning")[0]
                                                              for name in DRIVERS}


def run_without_input(session, clock, limit_s: float = FAKE_HOUR_S, step_s: float = 1.0) -> float:
    """Ticks like the controller (no touches, no answers) until IDLE; returns the fake seconds it took."""
    started = clock.now
    while session.state is not s.State.IDLE and clock.now - started < limit_s:
        clock.now += step_s
        session.tick()
    return clock.now - started


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_every_state_ends_without_any_input(harness, name):
    session, commands, clock = harness
    DRIVERS[name](session, commands)
    assert session.state is not s.State.IDLE
    took = run_without_input(session, clock)
    assert session.state is s.State.IDLE, f"{name}: still {session.state.value} after an hour without input"
    assert took <= 10 * 60, f"{name}: {took:.0f} s"
    assert session.document is None and session.outcome is None and session.form_values == {}


def test_a_stored_submission_without_an_answer_gets_the_saved_will_be_sent_receipt(harness):
    session, commands, clock = harness
    to_submitting(session, commands)
    submit = commands[-1]
    session.submission_stored(submit.token)          # the outbox committed it; then the worker went silent
    clock.now += session.timeouts.submitting_s - 1
    session.tick()
    assert session.state is s.State.SUBMITTING
    clock.now += 1
    session.tick()
    assert session.state is s.State.RECEIPT
    assert session.outcome == s.Outcome(submit.application_id, None, queued_offline=True)
    assert isinstance(commands[-1], s.PrintReceipt)
    # The worker's late answer changes nothing.
    session.submission_saved(submit.token, s.Outcome(submit.application_id, "GD20261123000001", False))
    assert session.outcome.queued_offline


def test_an_unconfirmed_submission_gives_no_receipt_and_no_retry(harness):
    session, commands, clock = harness
    to_submitting(session, commands)
    clock.now += session.timeouts.submitting_s
    session.tick()
    assert session.state is s.State.ERROR and session.error_key == "submit_not_confirmed"
    assert session.error_retry is None and session.outcome is None
    assert not any(isinstance(c, s.PrintReceipt) for c in commands)


def test_a_progress_query_without_an_answer_ends_with_an_error_and_ignores_the_late_answer(harness):
    session, commands, clock = harness
    to_query_busy(session, commands)
    first = commands[-1]
    clock.now += session.timeouts.query_s
    session.tick()
    assert not session.query_busy and session.query_error == "query_offline" and session.state is s.State.QUERY
    session.query_number("Xyz_abc-0987654321abc")
    session.query_answered(first.token, {"service_id": "elderly-allowance", "status": "received"},
                           reference=first.reference)    # the first lookup's answer, too late
    assert session.state is s.State.QUERY and session.query_busy
