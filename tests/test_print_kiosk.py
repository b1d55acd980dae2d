"""The printer inside the kiosk: the controller knows before the receipt step, asks for an
SMS receipt, reports the printer in the heartbeat, and the receipt screen offers the on-screen
alternative. Real parts: the emulator on loopback (backend "emulator"), the reference platform
over HTTP, the outbox in SQLite."""
from __future__ import annotations

import logging
import threading
import uuid
from types import SimpleNamespace

import pytest

from kiosk.core import session as s
from kiosk.app import build_kiosk
from tests.conftest import kiosk_config
from tests.test_reference_platform import application_body, post

pytestmark = pytest.mark.slow

PHONE = "13812345678"


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    config = kiosk_config(tmp_path, platform_server.base_url, platform={"submit_wait_s": 0.2},
                          devices={"printer": {"backend": "emulator", "poll_interval_s": 0.2,
                                               "status_timeout_s": 0.5}})
    parts = build_kiosk(config, with_window=False)
    yield parts
    for thread in threading.enumerate():   # the controller's save-and-deliver thread reads the outbox last
        if thread.name == "submit":
            thread.join(5)
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
    screen.render(SimpleNamespace(service=None, outcome=outcome, print_status="printing"), view)
    assert screen.number.text() == "GD20261123000007"
    # Whatever translator another test left installed: compare with the translated sources.
    from screens.texts import PRINT_STATUS, tr
    unavailable, sms = screen.print_status.text().split("\n")
    assert unavailable == tr(PRINT_STATUS["unavailable"]) != tr(PRINT_STATUS["failed"])
    assert sms == tr("The receipt will also be sent by SMS to %s.") % "138****5678"
    screen.render(SimpleNamespace(service=None, outcome=outcome, print_status="failed:paper_out"),
                  KioskView(printer_available=True))
    assert screen.print_status.text() == tr(PRINT_STATUS["failed"])


@pytest.mark.parametrize("printer, key", [
    ({"text_mode": "utf8"}, "devices.printer.text_mode"),
    ({"printer_charset": "big5"}, "devices.printer.printer_charset"),
    ({"write_timeout_s": 0}, "devices.printer.write_timeout_s"),
    ({"reprint_keep": 0}, "devices.printer.reprint_keep"),
    ({"confirm_s": -1}, "devices.printer.confirm_s"),
    ({"backend": "laser"}, "devices.printer.backend"),
])
def test_bad_printer_settings_name_the_key(printer, key):
    from kiosk.config import ConfigError, config_from_dict
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        config_from_dict({"devices": {"printer": printer}}, demo=True)


def test_printer_settings_reach_the_driver():
    from kiosk.config import config_from_dict
    from devices.printer import create_printer
    config = config_from_dict({"devices": {"printer": {"backend": "network", "host": "192.0.2.10",
                                                       "text_mode": "gb18030", "printer_charset": "gb2312"}}}, demo=True)
    printer = create_printer(config.devices.printer)
    assert (printer._text_mode, printer._printer_charset, printer._write_timeout_s) == ("gb18030", "gb2312", 10.0)


@pytest.mark.parametrize("scenario, paper, available", [("ok", "full", True), ("paper_low", "low", True),
                                                        ("paper_out", "out", False), ("cover_open", "full", False)])
def test_demo_emulator_backend_takes_the_sim_scenarios(qtbot, tmp_path, scenario, paper, available):
    from devices.printer import create_printer
    from kiosk.config import PrinterSection
    printer = create_printer(PrinterSection(backend="emulator", scenario=scenario, poll_interval_s=0),
                             output_dir=tmp_path)
    printer.open()
    try:
        qtbot.waitUntil(lambda: printer.paper_status() == paper, timeout=5000)
        assert printer.can_print() is available
    finally:
        printer.close()
    with pytest.raises(ValueError, match="scenario"):
        create_printer(PrinterSection(backend="emulator", scenario="on_fire"))
