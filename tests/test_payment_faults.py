"""Each provider fault and its defined outcome, through the kiosk's PaymentRunner (journal + outbox)
against the real reference platform and its provider simulator (docs/payment.md, fault table)."""
from __future__ import annotations

import uuid

import pytest

from offline_cache.payments import JournalState
from tests.payment_rig import FEE_FEN, KIOSK_ID, Rig, application_body, intent

pytestmark = pytest.mark.faults

CODE = "134567890123456789"


@pytest.fixture
def rig(tmp_path, platform_server):
    rig = Rig(tmp_path, platform_server.base_url)
    yield rig
    rig.close()


def trade_of(server, order_no):
    return next(t for t in server.payments.provider.trades() if t.out_trade_no == order_no)


def test_paid_by_qr_submits_once_with_the_payment_reference(rig, platform_server):
    i = intent()
    status = rig.runner.open_order(i)
    assert rig.runner.poll(i.application_id).outcome is None          # NOTPAY: nothing is paid yet
    assert rig.phone_pays(status.qr_content).status_code == 200
    assert rig.phone_pays(status.qr_content).status_code == 409       # 每个二维码仅限使用一次
    paid = rig.runner.poll(i.application_id)
    assert paid.outcome == "paid" and paid.reference
    assert rig.runner.poll(i.application_id).outcome == "paid"        # idempotent
    [reply] = rig.deliver_all()
    assert reply["application_number"]
    assert len(platform_server.store.applications()) == 1
    assert rig.journal.row(i.application_id).state is JournalState.SUBMITTED


def test_paid_after_the_kiosk_timeout_is_honoured(rig, platform_server):
    i = intent()
    rig.runner.open_order(i)
    platform_server.payments.provider.faults.pay_on_close_next = 1   # the phone pays as the kiosk closes
    status = rig.runner.cancel(i.application_id, "timeout")
    assert status.outcome == "paid_late" and status.reference
    assert len(rig.deliver_all()) == 1


def test_paid_after_the_kiosk_timeout_is_refunded_when_the_platform_says_so(rig, platform_server):
    platform_server.payments.late_payment_policy = "refund"
    i = intent()
    rig.runner.open_order(i)
    platform_server.payments.provider.faults.pay_on_close_next = 1
    status = rig.runner.cancel(i.application_id, "timeout")
    assert status.outcome == "refunded"
    assert rig.deliver_all() == [] and rig.outbox.entry(i.application_id) is None
    kinds = sorted(e["type"] for e in platform_server.payments.bill_entries)
    assert kinds == ["REFUND", "SUCCESS"]


def test_userpaying_longer_than_the_kiosk_waits_is_reversed(rig, platform_server):
    platform_server.payments.provider.faults.userpaying_s = 5.0      # "40 s" scaled to the test
    i = intent()
    rig.runner.open_order(i)
    status = rig.runner.pay_with_code(i.application_id, CODE)
    assert status.outcome is None and status.trade_state == "USERPAYING"
    status = rig.runner.wait_for_code(i.application_id)               # code_wait_s = 0.6 s in tests
    assert status.outcome == "timeout"
    order = platform_server.payments.orders()[0]
    assert order.state == "REVOKED" and not trade_of(platform_server, order.order_no).charges


def test_userpaying_briefly_then_paid(rig, platform_server):
    platform_server.payments.provider.faults.userpaying_s = 0.2
    i = intent()
    rig.runner.open_order(i)
    rig.runner.pay_with_code(i.application_id, CODE)
    status = rig.runner.wait_for_code(i.application_id)
    assert status.outcome == "paid"


def test_provider_5xx_is_retried_and_a_dead_provider_charges_nothing(rig, platform_server):
    platform_server.payments.provider.faults.fail_next = 2
    i = intent()
    assert rig.runner.open_order(i).qr_content                        # two 503s, then the order
    platform_server.payments.provider.faults.fail_next = 1000
    j = intent()
    with pytest.raises(Exception) as info:
        rig.runner.open_order(j)
    assert info.value.status.outcome == "unavailable"
    assert rig.journal.row(j.application_id).state is JournalState.CLOSED


def test_connection_dropped_after_the_charge_is_never_paid_twice(rig, platform_server):
    i = intent()
    status = rig.runner.open_order(i)
    platform_server.faults.drop_after_commit_next(1, path=f"/payments/orders/{status.order_no}/micropay")
    lost = rig.runner.pay_with_code(i.application_id, CODE)            # charged, answer lost
    assert platform_server.faults.responses_dropped == 1 and lost.outcome is None
    final = rig.runner.wait_for_code(i.application_id)                  # queries, never a second micropay
    assert final.outcome == "paid"
    assert len(trade_of(platform_server, status.order_no).charges) == 1


def test_a_qr_paid_twice_is_refunded_once_and_the_citizen_pays_once(rig, platform_server):
    i = intent()
    status = rig.runner.open_order(i)
    platform_server.payments.provider.faults.pay_twice_next = 1
    rig.phone_pays(status.qr_content)
    assert rig.runner.poll(i.application_id).outcome == "paid"
    trade = trade_of(platform_server, status.order_no)
    assert len(trade.charges) == 2 and sum(r.amount_fen for r in trade.refunds) == FEE_FEN


def test_duplicate_notifications_are_counted_once(rig, platform_server):
    platform_server.payments.provider.faults.duplicate_notifications = 3
    i = intent()
    status = rig.runner.open_order(i)
    rig.phone_pays(status.qr_content)
    assert platform_server.payments.notifications_received == 3
    assert len(platform_server.payments.bill_entries) == 1


def test_a_qr_for_another_amount_is_never_shown(rig, platform_server):
    platform_server.payments.wrong_amount_next = 1
    i = intent()
    with pytest.raises(Exception) as info:
        rig.runner.open_order(i)
    assert info.value.status.outcome == "amount_mismatch" and info.value.status.qr_content is None
    assert platform_server.payments.orders()[0].state == "CLOSED"


def test_payerror_charges_nothing(rig, platform_server):
    platform_server.payments.provider.faults.payerror_next = 1
    i = intent()
    rig.runner.open_order(i)
    assert rig.runner.pay_with_code(i.application_id, CODE).outcome == "payerror"
    assert rig.journal.row(i.application_id).state is JournalState.CLOSED


def test_the_platform_refuses_a_fee_application_without_its_settled_payment(rig, platform_server):
    application_id = str(uuid.uuid4())
    body = application_body(application_id)
    with pytest.raises(Exception) as info:
        rig.platform.submit("application", application_id, body)
    assert info.value.server_code == "payment_required"
    body["fee_exemption"] = "age_at_least"                              # 35 years old: not exempt
    with pytest.raises(Exception) as info:
        rig.platform.submit("application", application_id, body)
    assert info.value.server_code == "exemption_not_met"
    body.pop("fee_exemption")
    body["payment"] = {"order_no": "X-1", "reference": "4200", "amount_fen": FEE_FEN}
    with pytest.raises(Exception) as info:
        rig.platform.submit("application", application_id, body)
    assert info.value.server_code == "payment_not_settled"


def test_create_is_idempotent_on_the_application_key(rig, platform_server):
    i = intent()
    first = rig.runner.open_order(i)
    reply = rig.runner.client.create(i, first.order_no, 120.0)
    assert reply["order_no"] == first.order_no and reply["qr_content"] == first.qr_content
    assert len(platform_server.payments.orders()) == 1


def test_journal_keeps_the_application_encrypted(rig, tmp_path):
    i = intent()
    rig.runner.open_order(i)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("payments.sqlite3*"))
    assert "李四".encode() not in raw and b"13812345678" not in raw
    assert rig.journal.body(i.application_id)["applicant"]["name"] == "李四"


def test_start_up_resolves_every_kind_of_interrupted_payment(rig, platform_server, tmp_path):
    # 1. intent written, order never created (killed before the POST)
    never = intent()
    rig.journal.begin(never.application_id, KIOSK_ID, never.service_id, FEE_FEN, never.body)
    # 2. QR shown, the phone paid after the kiosk died
    paid = intent()
    rig.phone_pays(rig.runner.open_order(paid).qr_content)
    # 3. QR shown, nobody paid
    unpaid = intent()
    qr = rig.runner.open_order(unpaid).qr_content
    # 4. paid and journalled, killed before the outbox commit
    stored = intent()
    rig.phone_pays(rig.runner.open_order(stored).qr_content)
    reply = rig.runner.client.query(rig.journal.row(stored.application_id).order_no)
    rig.journal.transition(stored.application_id, JournalState.PAID, payment_reference=reply["payment_reference"])
    resolved, unresolved = rig.runner.resolve_pending()
    assert (resolved, unresolved) == (4, 0) and rig.journal.pending() == []
    assert rig.journal.row(never.application_id).state is JournalState.CLOSED
    assert rig.journal.row(unpaid.application_id).state is JournalState.CLOSED
    assert rig.phone_pays(qr).status_code == 409                        # closed: cannot be paid any more
    assert len(rig.deliver_all()) == 2 and len(platform_server.store.applications()) == 2
    assert rig.runner.resolve_pending() == (0, 0)
