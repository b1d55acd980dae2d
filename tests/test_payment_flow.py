"""The payment step through the real kiosk (controller, screens, outbox, journal, sim devices)
against the real reference platform and its provider simulator."""
from __future__ import annotations

import logging

import pytest
import requests

from kiosk.app import build_kiosk
from kiosk.core.session import State
from offline_cache.payments import JournalState
from tests.conftest import kiosk_config
from tests.ux_helpers import click, wait_state

SERVICE = "real-estate-records-copy"
PHONE = "13812345678"
FAST_PAYMENT = {"qr_timeout_s": 3.0, "poll_s": 0.1, "code_poll_s": 0.1, "code_wait_s": 1.0,
                "create_timeout_s": 2.0, "settle_wait_s": 10.0, "sweep_interval_s": 60.0}


def make_kiosk(qtbot, tmp_path, url, identity="young", scanner="sim", **payment):
    config = kiosk_config(tmp_path, url, payment={**FAST_PAYMENT, **payment},
                          devices={"id_reader": {"backend": "sim", "identity": identity, "delay_s": 0.1},
                                   "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"},
                                   "scanner": {"backend": scanner}})
    parts = build_kiosk(config)
    qtbot.addWidget(parts.window)
    parts.window.resize(1280, 800)
    parts.window.show()
    parts.controller.open()
    return parts


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    yield parts
    parts.close()
    logging.getLogger().handlers.clear()


def to_payment(qtbot, parts):
    controller, session = parts.controller, parts.controller.session
    qtbot.waitUntil(lambda: controller.view.catalog_loaded and not session.payments_recovering, timeout=10_000)
    controller.start()
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    controller.choose_service(SERVICE)
    wait_state(qtbot, session, State.SERVICE_INFO)
    controller.begin_service()
    wait_state(qtbot, session, State.FORM)
    controller.set_field("phone", PHONE)
    controller.submit_form()
    wait_state(qtbot, session, State.CONFIRM)
    click(qtbot, parts.window, "confirmSubmit")
    wait_state(qtbot, session, State.PAYMENT)
    qtbot.waitUntil(lambda: session.payment.phase == "waiting", timeout=10_000)
    return session


def test_qr_paid_by_phone_gives_a_receipt_with_amount_and_reference(qtbot, kiosk, platform_server):
    session = to_payment(qtbot, kiosk)
    screen = kiosk.window.screens[State.PAYMENT]
    assert "25.00" in screen.amount.text() and screen.qr.pixmap() is not None and not screen.qr.pixmap().isNull()
    assert session.payment.qr_content.startswith("weixin://")
    # Nothing is "paid" before the platform says SUCCESS.
    assert session.payment.reference is None and session.state is State.PAYMENT
    reply = requests.post(platform_server.base_url + "/payments/sim/pay",
                          json={"qr_content": session.payment.qr_content}, timeout=5)
    assert reply.status_code == 200 and reply.json()["state"] == "SUCCESS"
    wait_state(qtbot, session, State.RECEIPT)
    order = platform_server.payments.orders()[0]
    assert session.payment.reference == order.reference and order.state == "SUCCESS"
    assert session.outcome.application_number
    applications = platform_server.store.applications()
    assert len(applications) == 1
    qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
    printed = kiosk.controller.printer.all_bytes
    assert order.reference.encode() in printed and b"25.00" in printed
    assert order.reference in kiosk.window.screens[State.RECEIPT].paid.text().replace(" ", "")
    row = kiosk.controller.payment.journal.row(order.application_id)
    assert row.state is JournalState.SUBMITTED and kiosk.controller.payment.journal.body(order.application_id) is None


def test_payment_code_from_the_scanner_read_twice_charges_once(qtbot, kiosk, platform_server):
    session = to_payment(qtbot, kiosk)
    scanner = kiosk.controller.scanner
    qtbot.waitUntil(lambda: scanner.enabled, timeout=5_000)
    scanner.inject(b"\x00garbage\r")                      # garbage: refused before the platform
    qtbot.waitUntil(lambda: session.payment.code_error is not None, timeout=5_000)
    code = b"134567890123456789"
    scanner.inject(code + b"\r" + code + b"\r")           # the same code read twice
    wait_state(qtbot, session, State.RECEIPT)
    order = platform_server.payments.orders()[0]
    trade = platform_server.payments.provider.trades()[0]
    assert len(trade.charges) == 1 and order.state == "SUCCESS" and order.kind == "micropay"
    assert len(platform_server.store.applications()) == 1


def test_cancel_closes_the_order_and_ends_the_session(qtbot, kiosk, platform_server):
    session = to_payment(qtbot, kiosk)
    click(qtbot, kiosk.window, "cancelPayment")
    wait_state(qtbot, session, State.IDLE)
    order = platform_server.payments.orders()[0]
    assert order.state == "CLOSED" and platform_server.store.applications() == []
    assert requests.post(platform_server.base_url + "/payments/sim/pay",
                         json={"qr_content": "weixin://unknown"}, timeout=5).status_code == 409


def test_countdown_end_closes_unpaid_order_and_offers_a_new_try(qtbot, tmp_path, platform_server):
    kiosk = make_kiosk(qtbot, tmp_path, platform_server.base_url, qr_timeout_s=1.0)
    try:
        session = to_payment(qtbot, kiosk)
        qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=15_000)
        assert session.error_key == "payment_timeout" and session.error_retry is not None
        assert platform_server.payments.orders()[0].state == "CLOSED"
        assert platform_server.store.applications() == []
    finally:
        kiosk.close()


def test_elderly_citizen_is_exempt_and_submits_without_paying(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, identity="elderly")
    try:
        controller, session = parts.controller, parts.controller.session
        qtbot.waitUntil(lambda: controller.view.catalog_loaded and not session.payments_recovering, timeout=10_000)
        controller.start()
        controller.choose_service(SERVICE)
        controller.begin_service()
        wait_state(qtbot, session, State.FORM)
        controller.set_field("phone", PHONE)
        controller.submit_form()
        wait_state(qtbot, session, State.CONFIRM)
        assert "80" in parts.window.screens[State.CONFIRM].fee.text()
        controller.confirm()
        wait_state(qtbot, session, State.RECEIPT)
        assert platform_server.payments.orders() == [] and len(platform_server.store.applications()) == 1
    finally:
        parts.close()


def test_payment_screens_fit_in_every_language_and_care_mode(qtbot, kiosk, platform_server):
    """Confirmation with the fee, the payment screen and the paid receipt: no clipped text in
    zh_CN / zh_HK / en, normal and care mode (the checks of tests/test_ux_screens.py)."""
    from tests.test_ux_screens import walk_combinations
    problems: list[str] = []
    kiosk.window.resize(1920, 1080)            # the configured panel, as tests/test_ux_screens.py uses
    session = to_payment(qtbot, kiosk)
    walk_combinations(qtbot, kiosk, "payment", problems)
    requests.post(platform_server.base_url + "/payments/sim/pay",
                  json={"qr_content": session.payment.qr_content}, timeout=5)
    wait_state(qtbot, session, State.RECEIPT)
    qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
    walk_combinations(qtbot, kiosk, "paid_receipt", problems)
    assert not problems


def test_payment_code_shown_to_the_camera(qtbot, kiosk, platform_server):
    """The citizen's payment code (a QR with the 18 digits) in a camera frame: decoded off the GUI
    thread with kiosk.barcodes (purpose "payment"), paid once."""
    import numpy as np
    import qrcode
    session = to_payment(qtbot, kiosk)
    image = qrcode.make("134567890123456789", border=4).convert("RGB").resize((480, 480))
    frame = np.ascontiguousarray(np.array(image)[:, :, ::-1])
    flow = kiosk.controller.payment
    qtbot.waitUntil(lambda: flow._code_scanner is not None and flow._code_scanner.active, timeout=5_000)
    # The simulated camera keeps offering its own frames (latest-only queue): offer ours until it is read.
    qtbot.waitUntil(lambda: flow._on_frame(frame) or session.state is not State.PAYMENT
                    or session.payment.phase != "waiting", timeout=5_000)
    wait_state(qtbot, session, State.RECEIPT)
    assert platform_server.payments.orders()[0].kind == "micropay"
    assert "qr-decoder" in flow._code_scanner.decode_threads


def test_cancel_while_the_order_is_being_created_closes_it(qtbot, kiosk, platform_server):
    controller, session = kiosk.controller, kiosk.controller.session
    platform_server.faults.delay_s = 0.5          # the platform is slow to create the order
    qtbot.waitUntil(lambda: controller.view.catalog_loaded and not session.payments_recovering, timeout=10_000)
    controller.start()
    controller.choose_service(SERVICE)
    controller.begin_service()
    wait_state(qtbot, session, State.FORM)
    controller.set_field("phone", PHONE)
    controller.submit_form()
    controller.confirm()
    assert session.state is State.PAYMENT and session.payment.phase == "creating"
    controller.cancel()
    wait_state(qtbot, session, State.IDLE)
    qtbot.waitUntil(lambda: [o.state for o in platform_server.payments.orders()] == ["CLOSED"], timeout=10_000)
    assert not kiosk.controller.scanner.enabled
