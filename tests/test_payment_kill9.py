"""kill -9 of a real kiosk-side process at random moments of payment sessions (a few rounds here;
bench/payment.py runs 100+): no double charge, no orphan payment, nothing unpaid shown as paid,
and a paid application reaches the platform exactly once."""
from __future__ import annotations

import pytest

from sim.payment.kill_rig import PaymentKillRig

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def test_random_kills_during_payment_sessions_lose_and_double_nothing(tmp_path):
    rig = PaymentKillRig(tmp_path, seed=7, pay_probability=0.8, session_s=0.5)
    try:
        for _ in range(6):
            rig.kill_round()
        assert rig.finish() == 0                       # the last kiosk resolved everything and drained
        verdict = rig.verdict()
        orders = rig.server.payments.orders()
        applications = rig.server.store.applications()
    finally:
        rig.close()
    assert rig.kill_rounds == 6 and rig.sessions >= 6
    assert verdict == {"double_charged": 0, "orphan_payments": 0, "unpaid_marked_paid": 0}
    paid = [o for o in orders if o.reference]
    assert paid, "the phone paid no QR at all: the test would prove nothing"
    ids = [a["application_id"] for a in applications]
    assert len(ids) == len(set(ids))                    # exactly once
    assert set(ids) <= {o.application_id for o in orders if o.state == "SUCCESS"}
