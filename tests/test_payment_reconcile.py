"""对账: `main.py payments reconcile DATE` against the reference platform's bill, and the pure rules."""
from __future__ import annotations

import datetime as dt
import json

from kiosk import cli_tools
from kiosk.core.payment_reconcile import KioskPayment, reconcile
from tests.payment_rig import KIOSK_ID, Rig, intent

BEIJING = dt.timezone(dt.timedelta(hours=8))


def test_reconcile_rules():
    bill = [{"order_no": "A", "type": "SUCCESS", "amount_fen": 2500},
            {"order_no": "B", "type": "SUCCESS", "amount_fen": 2500},
            {"order_no": "B", "type": "REFUND", "amount_fen": 2500},
            {"order_no": "C", "type": "SUCCESS", "amount_fen": 2500},
            {"order_no": "D", "type": "SUCCESS", "amount_fen": 2500}]
    rows = [KioskPayment("A", "submitted", 2500), KioskPayment("B", "refunded", 2500),
            KioskPayment("C", "closed", 2500), KioskPayment("E", "paid", 2500), KioskPayment("F", "qr_shown", 2500),
            KioskPayment("G", "closed", 2500)]
    kinds = {(d.order_no, d.kind) for d in reconcile(rows, bill)}
    assert kinds == {("C", "amount_differs"), ("D", "platform_only"), ("E", "kiosk_only"), ("F", "pending")}


def test_reconcile_command_matches_then_reports_a_one_sided_entry(tmp_path, platform_server, capsys):
    rig = Rig(tmp_path, platform_server.base_url)
    try:
        paid, closed = intent(), intent()
        rig.phone_pays(rig.runner.open_order(paid).qr_content)
        assert rig.runner.poll(paid.application_id).outcome == "paid"
        rig.runner.open_order(closed)
        rig.runner.cancel(closed.application_id, "timeout")
    finally:
        rig.close()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nid = "{KIOSK_ID}"\ndemo = true\ndata_dir = "{tmp_path}"\n'
                      f'[platform]\nurl = "{platform_server.base_url}"\n', encoding="utf-8")
    today = dt.datetime.now(BEIJING).date().isoformat()
    assert cli_tools.payments_main(["--config", str(config), "--json", "reconcile", today], "") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["orders"] == 2 and report["differences"] == []
    platform_server.payments.bill_entries.append({      # money taken for an order this kiosk never made
        "date": today, "order_no": "OTHER-1", "kiosk_id": KIOSK_ID, "application_id": "x", "type": "SUCCESS",
        "amount_fen": 2500, "transaction_id": "4200999", "at": today})
    assert cli_tools.payments_main(["--config", str(config), "reconcile", today], "") == 1
    assert "OTHER-1  platform_only" in capsys.readouterr().out
