"""The printer inside the kiosk: the controller knows before the receipt step, asks for an
SMS receipt, reports the printer in the heartbeat, and the receipt screen offers the on-screen
alternative. Real parts: the emulator on loopback (backend "emulator"), the reference platform
over HTTP, the outbox in SQLite."""
from __future__ import annotations

import logging
import uuid
from types import SimpleNamespace

import pytest

from kiosk import session as s
from kiosk.app import build_kiosk
from tests.conftest import kiosk_config
from tests.test_reference_platform import application_body, post

PHONE = "13812345678"


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    config = kiosk_config(tmp_path, platform_server.base_url,
                          devices={"printer": {"backend": "emulator", "poll_interval_s": 0.2,
                                               "status_timeout_s": 0.5}})
    parts = build_kiosk(config, with_window=False)
    yield parts
    parts.controller.printer.close()
    parts.outbox.close()


def submit_body(phone: str) -> dict:
    return {"application_id": str(uuid.uuid4()), "service_id": "elderly-allowance", "kiosk_id": "TEST-KIOSK-1",
            "applicant": {"id_number": "44030019400101123X", "name": "陈美玲", "address": "x", "phone": phone},
            "form": {"phone": phone}, "submitted_at": "2026-11-23T10:00:00+08:00"}


def saved_body(qtbot, outbox, application_id: str) -> dict:
    qtbot.waitUntil(lambda: outbox.entry(application_id) is not None, timeout=5000)
    entry, body = outbox.claim_next()
    assert entry.submission_id == application_id
    return body


def test_paper_out_is_known_before_the_receipt_and_sms_is_requested(qtbot, kiosk):
    controller, printer = kiosk.controller, kiosk.controller.printer
    printer.emulator.set(paper="out")
    printer.open()
    qtbot.waitUntil(lambda: controller.view.paper_status == "out", timeout=5000)
    assert controller.view.printer_available is False
    report = controller.heartbeat_body()["printer"]
    assert (report["alert"], report["can_print"]) == ("paper_out", False)

    body = submit_body(PHONE)
    controller._submit(s.Submit(controller.session.token, body["application_id"], body))
    assert saved_body(qtbot, kiosk.outbox, body["application_id"])["sms_receipt"] is True
    assert controller.view.receipt_sms_to == "138****5678"

    printer.emulator.set(paper="ok")          # roll replaced: the poll brings printing back
    qtbot.waitUntil(lambda: controller.view.printer_available is True, timeout=5000)
    assert controller.heartbeat_body()["printer"]["alert"] is None


def test_no_sms_flag_when_the_printer_works_or_no_phone_was_given(qtbot, kiosk):
    controller, printer = kiosk.controller, kiosk.controller.printer
    printer.open()
    qtbot.waitUntil(lambda: controller.view.printer_available is True, timeout=5000)
    body = submit_body(PHONE)
    controller._submit(s.Submit(controller.session.token, body["application_id"], body))
    assert "sms_receipt" not in saved_body(qtbot, kiosk.outbox, body["application_id"])
    assert controller.view.receipt_sms_to is None


def test_reference_platform_accepts_the_sms_flag(platform_server, caplog):
    body = application_body(sms_receipt=True)
    with caplog.at_level(logging.INFO, logger="reference_platform"):
        response = post(platform_server.base_url, "/applications", body)
    assert response.status_code == 201, response.text
    assert any("SMS receipt requested" in r.getMessage() for r in caplog.records)
    assert body["applicant"]["phone"] not in caplog.text


def test_receipt_screen_offers_number_qr_and_sms_when_printing_is_unavailable(qtbot):
    from screens.base import KioskView
    from screens.finish import ReceiptScreen
    screen = ReceiptScreen(SimpleNamespace(finish_receipt=lambda: None))
    qtbot.addWidget(screen)
    outcome = s.Outcome(application_id=str(uuid.uuid4()), application_number="GD20261123000007",
                        queued_offline=False, query_token="tok", expected_completion=None)
    view = KioskView(printer_available=False, receipt_sms_to="138****5678")
    screen.render(SimpleNamespace(outcome=outcome, print_status="printing"), view)
    assert screen.number.text() == "GD20261123000007"
    assert "cannot be printed" in screen.print_status.text()
    assert "138****5678" in screen.print_status.text()
    screen.render(SimpleNamespace(outcome=outcome, print_status="failed:paper_out"),
                  KioskView(printer_available=True))
    assert "could not be printed" in screen.print_status.text() and "SMS" not in screen.print_status.text()
