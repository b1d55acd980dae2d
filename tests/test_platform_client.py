"""PlatformClient over real HTTP: the reference platform on 127.0.0.1, plus a tiny scripted
stdlib server for replies the reference platform never gives (malformed 2xx, odd Retry-After)."""
from __future__ import annotations

import email.utils
import http.server
import json
import socket
import threading
import time
import uuid
from datetime import datetime, timezone

import pytest

from kiosk.platform import PlatformClient, PlatformError, parse_retry_after
from reference_platform.server import ReferencePlatformServer

KIOSK_ID = "GD-SZ-FT-0001"
ID_NUMBER = "441202193801011234"


def application_body(application_id: str, phone: str = "13812345678") -> dict:
    return {
        "application_id": application_id,
        "service_id": "elderly-allowance",
        "kiosk_id": KIOSK_ID,
        "applicant": {"id_number": ID_NUMBER, "name": "张三丰", "address": "广东省深圳市福田区福华路1号",
                      "phone": phone},
        "form": {},
        "submitted_at": datetime.now(timezone.utc).isoformat(),
    }


def rating_body(rating_id: str, application_id: str) -> dict:
    return {"rating_id": rating_id, "application_id": application_id, "kiosk_id": KIOSK_ID,
            "level": "very_satisfied", "skipped": False, "reasons": [],
            "rated_at": datetime.now(timezone.utc).isoformat()}


class ScriptedServer:
    """Answers each request with the next scripted (status, headers, body, delay_s); records requests."""

    def __init__(self):
        self.script: list[tuple[int, dict, bytes, float]] = []
        self.requests: list[tuple[str, str, dict]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests.append((self.command, self.path, dict(self.headers)))
                status, headers, body, delay = outer.script.pop(0) if outer.script else (200, {}, b"{}", 0.0)
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def then(self, status: int, body: bytes | dict = b"", headers: dict | None = None, delay: float = 0.0):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        self.script.append((status, headers or {}, body, delay))
        return self

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def platform(tmp_path):
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", host="127.0.0.1", port=0)
    url = server.start()
    yield server, url
    server.stop()


@pytest.fixture
def scripted():
    server = ScriptedServer()
    yield server
    server.close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"   # nothing listens there any more


# --- against the reference platform ---------------------------------------------------

def test_submit_application_and_replay_with_same_key(platform):
    server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    key = str(uuid.uuid4())
    body = application_body(key)
    first = client.submit("application", key, body)
    assert first["application_number"].startswith("GD") and first["status"] == "received"
    again = client.submit("application", key, body)
    assert again["application_number"] == first["application_number"]
    assert server.store.application_count() == 1
    assert client.get_application(first["query_token"])["application_number"] == first["application_number"]


def test_catalog_and_heartbeat(platform):
    _server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    assert any(s["id"] == "elderly-allowance" for s in client.get_catalog()["services"])
    assert client.heartbeat({"kiosk_id": KIOSK_ID, "outbox_pending": 0})["ok"] is True


def test_validation_error_is_permanent_and_does_not_echo_personal_data(platform):
    server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        client.submit("application", key, application_body(key, phone="123"))
    err = info.value
    assert not err.retryable and err.status == 422 and err.code == "http_422"
    assert err.server_code == "invalid_form"
    assert ID_NUMBER not in str(err) and ID_NUMBER not in repr(err)
    assert server.store.application_count() == 0


def test_same_key_with_different_body_is_permanent(platform):
    _server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    key = str(uuid.uuid4())
    client.submit("application", key, application_body(key))
    with pytest.raises(PlatformError) as info:
        client.submit("application", key, application_body(key, phone="13900000000"))
    assert not info.value.retryable and info.value.server_code == "idempotency_key_reused"


def test_injected_503_is_retryable_with_retry_after(platform):
    server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    server.faults.fail_next(1, status=503, retry_after=7)
    key = str(uuid.uuid4())
    body = application_body(key)
    with pytest.raises(PlatformError) as info:
        client.submit("application", key, body)
    assert info.value.retryable and info.value.status == 503 and info.value.retry_after == 7
    assert server.store.application_count() == 0
    assert client.submit("application", key, body)["application_number"]
    assert server.store.application_count() == 1


@pytest.mark.faults
def test_lost_response_after_commit_then_retry_gets_the_same_number(platform):
    server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    server.faults.drop_after_commit_next(1)
    key = str(uuid.uuid4())
    body = application_body(key)   # a retry re-sends the very same body (the outbox stores it)
    with pytest.raises(PlatformError) as info:
        client.submit("application", key, body)
    assert info.value.retryable and info.value.status is None
    assert server.store.application_count() == 1          # the platform did commit
    reply = client.submit("application", key, body)
    assert server.store.application_count() == 1
    assert reply["application_number"] == server.store.applications()[0]["application_number"]


def test_rating_for_unknown_application_is_permanent(platform):
    _server, url = platform
    client = PlatformClient(url, KIOSK_ID)
    rating_id = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        client.submit("rating", rating_id, rating_body(rating_id, str(uuid.uuid4())))
    assert not info.value.retryable and info.value.server_code == "unknown_application"


@pytest.mark.faults
def test_platform_down_is_a_retryable_connection_error():
    client = PlatformClient(closed_port_url(), KIOSK_ID, connect_timeout=1.0)
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        client.submit("application", key, application_body(key))
    assert info.value.retryable and info.value.code == "connection_error"


# --- replies the reference platform does not give ------------------------------------

def test_idempotency_key_header_and_kiosk_id_are_sent(scripted):
    scripted.then(201, {"application_number": "GD20261123000001", "status": "received"})
    key = str(uuid.uuid4())
    PlatformClient(scripted.url, KIOSK_ID).submit("application", key, application_body(key))
    method, path, headers = scripted.requests[0]
    assert (method, path) == ("POST", "/applications")
    assert headers["Idempotency-Key"] == f'"{key}"' and headers["X-Kiosk-Id"] == KIOSK_ID


@pytest.mark.parametrize("body", [b"<html>proxy login</html>", b"[1, 2]", b'{"status": "received"}', b""])
@pytest.mark.faults
def test_malformed_2xx_reply_is_a_retryable_error_not_a_crash(scripted, body):
    scripted.then(200, body, {"Content-Type": "application/json"})
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        PlatformClient(scripted.url, KIOSK_ID).submit("application", key, application_body(key))
    assert info.value.retryable and info.value.code == "malformed_reply"


@pytest.mark.parametrize("status,server_code,retryable", [
    (500, None, True), (502, None, True), (429, None, True), (408, None, True),
    (409, "request_in_progress", True), (409, "already_rated", False),
    (400, "bad_request", False), (404, "not_found", False), (413, None, False), (422, "invalid_form", False),
])
def test_status_classification(scripted, status, server_code, retryable):
    body = {"error": {"code": server_code, "message": f"field x: {ID_NUMBER}"}} if server_code else b"oops"
    scripted.then(status, body)
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        PlatformClient(scripted.url, KIOSK_ID).submit("application", key, application_body(key))
    assert info.value.retryable is retryable and info.value.status == status
    assert info.value.server_code == server_code
    assert ID_NUMBER not in str(info.value)   # free-text server messages are not copied


def test_retry_after_is_parsed_and_capped(scripted):
    scripted.then(429, b"", {"Retry-After": "86400"})
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        PlatformClient(scripted.url, KIOSK_ID).submit("application", key, application_body(key))
    assert info.value.retry_after == 300.0


def test_parse_retry_after_forms():
    now = time.time()
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("0") == 0.0
    http_date = email.utils.formatdate(now + 60, usegmt=True)
    assert 55 <= parse_retry_after(http_date, now=now) <= 61
    assert parse_retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None and parse_retry_after("-5") is None


def test_read_timeout_is_retryable(scripted):
    scripted.then(201, {"application_number": "GD1"}, delay=1.0)
    key = str(uuid.uuid4())
    client = PlatformClient(scripted.url, KIOSK_ID, read_timeout=0.2)
    with pytest.raises(PlatformError) as info:
        client.submit("application", key, application_body(key))
    assert info.value.retryable and info.value.code == "read_timeout"


def test_mismatched_body_id_is_a_programming_error(scripted):
    with pytest.raises(ValueError):
        PlatformClient(scripted.url, KIOSK_ID).submit("application", str(uuid.uuid4()),
                                                      application_body(str(uuid.uuid4())))
    assert scripted.requests == []
