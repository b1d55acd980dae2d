"""The PAYMENT step of the session state machine (kiosk/core/session_payment.py), no Qt, fake clock."""
from __future__ import annotations

import datetime as dt

from kiosk.core import session as s
from kiosk.core.catalog import parse_catalog
from kiosk.core.payment import format_fen, payable, payment_code_wallet
from tests.test_session import CATALOG, TODAY, document, harness  # noqa: F401  (fixture)

SERVICE = "real-estate-records-copy"
YOUNG = dt.date(1990, 1, 1)


def to_payment(session, commands, birth=YOUNG):
    session.start()
    session.choose_service(SERVICE)
    session.begin_service()
    read = commands[-1]
    session.card_read(read.token, document(birth=birth))
    assert session.state is s.State.FORM
    session.set_field("phone", "13812345678")
    session.submit_form()
    session.confirm()
    return commands[-1]


def test_fee_service_goes_to_payment_before_anything_is_submitted(harness):
    session, commands, _clock = harness
    start = to_payment(session, commands)
    assert session.state is s.State.PAYMENT
    assert isinstance(start, s.StartPayment) and start.amount_fen == 2500
    assert start.items == (("BDC-CX", 2000), ("BDC-ZM", 500))
    assert not any(isinstance(c, s.Submit) for c in commands)


def test_aged_80_is_exempt_and_the_exemption_travels_with_the_application(harness):
    session, commands, _clock = harness
    submit = to_payment(session, commands, birth=dt.date(1938, 1, 1))
    assert isinstance(submit, s.Submit) and submit.body["fee_exemption"] == "age_at_least"
    assert session.state is s.State.SUBMITTING


def test_settled_payment_submits_the_stored_application(harness):
    session, commands, _clock = harness
    start = to_payment(session, commands)
    session.payment_opened(start.token, "K1-0000000001", "weixin://x")
    assert session.payment.phase == "waiting"
    session.payment_settled(start.token, "paid", "4200001", "2026-11-23T10:00:00+08:00")
    submit = commands[-1]
    assert isinstance(submit, s.Submit) and submit.stored and submit.application_id == start.application_id
    assert session.state is s.State.SUBMITTING and session.payment.reference == "4200001"


def test_countdown_end_closes_the_order_and_waits_for_the_platform(harness):
    session, commands, clock = harness
    start = to_payment(session, commands)
    session.payment_opened(start.token, "K1-1", "weixin://x")
    clock.now += session.timeouts.payment_s + 1
    session.tick()
    close = commands[-1]
    assert isinstance(close, s.ClosePayment) and close.reason == "timeout"
    assert session.state is s.State.PAYMENT and session.payment.phase == "closing"
    session.payment_ended(start.token, "timeout")
    assert session.state is s.State.ERROR and session.error_key == "payment_timeout" and session.error_retry


def test_a_late_payment_while_closing_is_honoured(harness):
    session, commands, clock = harness
    start = to_payment(session, commands)
    session.payment_opened(start.token, "K1-1", "weixin://x")
    session.cancel()
    assert isinstance(commands[-1], s.ClosePayment) and session.state is s.State.PAYMENT
    session.payment_settled(start.token, "paid_late", "4200002", None)
    assert session.state is s.State.SUBMITTING and session.payment.outcome == "paid_late"


def test_cancel_while_the_wallet_is_charging_waits_for_the_answer(harness):
    session, commands, _clock = harness
    start = to_payment(session, commands)
    session.payment_opened(start.token, "K1-1", "weixin://x")
    session.payment_code_read("134567890123456789")
    assert isinstance(commands[-1], s.PayWithCode) and session.payment.phase == "code_paying"
    session.cancel()
    assert not isinstance(commands[-1], s.ClosePayment)


def test_garbage_and_a_second_read_never_reach_the_platform(harness):
    session, commands, _clock = harness
    start = to_payment(session, commands)
    session.payment_opened(start.token, "K1-1", "weixin://x")
    for bad in ("", "hello", "1345678901234567", "https://example.com/x", "9" * 300):
        session.payment_code_read(bad)
        assert session.payment.code_error == "not_a_payment_code"
    assert not any(isinstance(c, s.PayWithCode) for c in commands)
    session.payment_code_read("134567890123456789")
    session.payment_code_read("134567890123456789")
    assert sum(isinstance(c, s.PayWithCode) for c in commands) == 1


def test_wall_clock_jump_does_not_touch_the_countdown(harness):
    session, commands, clock = harness
    start = to_payment(session, commands)
    session._now = lambda: dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)   # the wall clock jumps years
    session.payment_opened(start.token, "K1-1", "weixin://x")
    session.tick()
    assert session.state is s.State.PAYMENT and session.payment_remaining_s == session.timeouts.payment_s


def test_offline_fee_service_is_sent_to_the_counter(harness):
    session, commands, _clock = harness
    session.payments_available = False
    to_payment(session, commands)
    assert session.state is s.State.ERROR and session.error_key == "payment_offline"
    assert not any(isinstance(c, (s.StartPayment, s.Submit)) for c in commands)


def test_unanswered_payment_ends_unresolved_not_paid(harness):
    session, commands, clock = harness
    start = to_payment(session, commands)
    clock.now += session.timeouts.payment_settle_s + 1
    session.tick()
    assert session.state is s.State.ERROR and session.error_key == "payment_unresolved"
    assert session.error_retry is None and start.application_id


def test_payment_rules():
    fee = parse_catalog(CATALOG).service(SERVICE).fee
    assert payable(fee, document(birth=YOUNG), TODAY).amount_fen == 2500
    assert payable(fee, document(birth=dt.date(1946, 11, 23)), TODAY).amount_fen == 0     # 80 today
    assert payable(fee, document(birth=dt.date(1946, 11, 24)), TODAY).amount_fen == 2500  # 80 tomorrow
    assert payable(fee, None, TODAY).amount_fen == 2500
    assert format_fen(2500) == "25.00" and format_fen(5) == "0.05"
    assert payment_code_wallet("134567890123456789") == "wechat"
    assert payment_code_wallet("28" + "1" * 16) == "alipay"
    assert payment_code_wallet("62" + "1" * 17) == "unionpay"
    assert payment_code_wallet("13456789012345678") is None      # truncated
