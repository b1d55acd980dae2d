"""Finding 1 of issue 19 through the real controller and screens: whatever the platform answers
to a submission, the citizen's session ends (a receipt, or "saved, will be sent"), the
application is durably in the outbox, and the platform got it once."""
from __future__ import annotations

import http.client
import http.server
import json
import logging
import threading

import pytest
from PySide6.QtCore import Qt

from sim.identities import SIM_IDENTITIES
from kiosk.core.session import State
from kiosk.flows import submission as submission_flow
from tests.test_ux_services import submit_at_counter
from tests.ux_helpers import click, make_kiosk, start_service, wait_state

pytestmark = [pytest.mark.slow, pytest.mark.faults]

PHONE = "13812345678"


class RewritingProxy:
    """Forwards to the reference platform; `rewrite(reply)` changes the JSON of 2xx replies to
    `method` on paths starting with `path` (default: POST /applications, the submission)."""

    def __init__(self, upstream_url: str, rewrite, method: str = "POST", path: str = "/applications"):
        host, port = upstream_url.split("//")[1].split(":")
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = http.client.HTTPConnection(host, int(port), timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                reply = upstream.getresponse()
                content = reply.read()
                if self.command == method and self.path.startswith(path) and 200 <= reply.status < 300:
                    content = json.dumps(outer.rewrite(json.loads(content))).encode()
                self.send_response(reply.status)
                for name, value in reply.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                upstream.close()

            do_GET = do_POST = _forward

            def log_message(self, *args):
                pass

        self.rewrite = rewrite
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def submit_elderly_allowance(qtbot, parts):
    window, session = parts.window, parts.controller.session
    start_service(qtbot, parts, "elderly-allowance")
    wait_state(qtbot, session, State.FORM, timeout_ms=30_000)
    for digit in PHONE:
        qtbot.mouseClick(window.screens[State.FORM].keypad.buttons[digit], Qt.LeftButton)
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)
    click(qtbot, window, "confirmSubmit")


ODD_REPLIES = {
    "expected_completion soon": lambda reply: {**reply, "expected_completion": "soon"},
    "expected_completion integer": lambda reply: {**reply, "expected_completion": 20261208},
    "expected_completion datetime": lambda reply: {**reply, "expected_completion": "2026-12-08T10:00:00+08:00"},
    "500 kB query_token": lambda reply: {**reply, "query_token": "A" * 500_000},
}


@pytest.mark.parametrize("odd", sorted(ODD_REPLIES))
def test_an_odd_submission_reply_still_ends_in_a_saved_will_be_sent_receipt(qtbot, tmp_path, platform_server, odd):
    proxy = RewritingProxy(platform_server.base_url, ODD_REPLIES[odd])
    # Long enough for a delivery to finish first: the odd reply must reach the submit thread.
    parts = make_kiosk(qtbot, tmp_path, proxy.url, platform={"submit_wait_s": 4.0})
    try:
        session = parts.controller.session
        submit_elderly_allowance(qtbot, parts)
        wait_state(qtbot, session, State.RECEIPT, timeout_ms=15_000)
        assert session.outcome.queued_offline and session.outcome.application_number is None
        entry = parts.outbox.entry(session.outcome.application_id)
        assert entry is not None and entry.state in ("pending", "sending")   # durably kept, retried later
        assert "malformed_reply" in (entry.last_error or "malformed_reply")
        assert platform_server.store.application_count() == 1                # filed once at the platform
    finally:
        parts.close()
        proxy.close()
        logging.getLogger().handlers.clear()


def test_an_exception_in_the_submit_thread_still_produces_an_outcome(qtbot, tmp_path, platform_server, monkeypatch):
    def broken_qr(payload):
        raise ValueError("Invalid version (was 41, expected 1 to 40)")   # what qrcode says on overflow
    monkeypatch.setattr(submission_flow, "qr_png", broken_qr)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, platform={"submit_wait_s": 5.0})
    try:
        session = parts.controller.session
        submit_elderly_allowance(qtbot, parts)
        wait_state(qtbot, session, State.RECEIPT, timeout_ms=15_000)
        assert session.outcome.application_number.startswith("GD")       # the platform's answer is kept
        assert parts.controller.view.receipt_qr_png is None                # no QR image, the number is shown
    finally:
        parts.close()
        logging.getLogger().handlers.clear()


def test_a_broken_outbox_read_after_the_commit_gives_the_queued_receipt(qtbot, tmp_path, platform_server,
                                                                        monkeypatch):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, platform={"submit_wait_s": 0.5})
    try:
        def broken_entry(submission_id):
            raise RuntimeError("database disk image is malformed")
        monkeypatch.setattr(parts.outbox, "entry", broken_entry)
        session = parts.controller.session
        submit_elderly_allowance(qtbot, parts)
        wait_state(qtbot, session, State.RECEIPT, timeout_ms=15_000)
        assert session.outcome.queued_offline
    finally:
        monkeypatch.undo()
        parts.close()
        logging.getLogger().handlers.clear()


@pytest.mark.parametrize("odd", [{"status": 3}, {"received_at": None}, {"service_id": ["elderly-allowance"]},
                                 {"application_number": "<img src='file:///etc/passwd'>"}])
def test_a_progress_reply_with_unexpected_types_gives_a_clear_error_not_half_a_result(qtbot, tmp_path,
                                                                                      platform_server, odd):
    card = SIM_IDENTITIES["young"].document()
    filed = submit_at_counter(platform_server.base_url, "real-estate-registration",
                              {"name": card.name, "id_number": card.id_number, "phone": PHONE}, card)
    proxy = RewritingProxy(platform_server.base_url, lambda reply: {**reply, **odd}, "GET", "/applications/")
    parts = make_kiosk(qtbot, tmp_path, proxy.url)
    try:
        window, session = parts.window, parts.controller.session
        start_service(qtbot, parts, "real-estate-progress")
        wait_state(qtbot, session, State.QUERY)
        parts.controller.query_number(filed["query_token"])      # as the receipt QR gives it
        qtbot.waitUntil(lambda: not session.query_busy, timeout=10_000)
        assert session.state is State.QUERY and session.query_result is None
        assert session.query_error == "query_unavailable"
        assert window.screens[State.QUERY].error.text() == "暂时无法显示办理进度，请稍后再试或到窗口咨询。"
    finally:
        parts.close()
        proxy.close()
        logging.getLogger().handlers.clear()
