"""A hostile or broken platform against the real PlatformClient, over real loopback sockets:
redirects to another host, replies dripping one byte at a time, odd reply fields.
Each must end as a PlatformError (never a hang, never a crash, never data sent elsewhere)."""
from __future__ import annotations

import socket
import ssl
import threading
import time
import uuid

import pytest

from kiosk.platform import PlatformClient, PlatformError
from tests.test_platform_client import KIOSK_ID, ScriptedServer, application_body
from tests.tls_platform import make_ca_and_server_cert

pytestmark = pytest.mark.faults


@pytest.fixture
def first():
    server = ScriptedServer()
    yield server
    server.close()


@pytest.fixture
def second():
    server = ScriptedServer()
    yield server
    server.close()


# --- redirects (finding 3) --------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_refused_and_the_other_host_receives_nothing(first, second, status):
    first.then(status, b"", {"Location": f"{second.url}/applications"})
    second.then(201, {"application_number": "GD20261123000001", "status": "received"})
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        PlatformClient(first.url, KIOSK_ID).submit("application", key, application_body(key))
    assert info.value.code == "redirect" and info.value.status == status and info.value.retryable
    assert "127.0.0.1" in str(info.value) and "redirect" in str(info.value)
    assert len(first.requests) == 1
    assert second.requests == []          # neither the application nor the signature headers left


def test_a_redirected_progress_query_or_catalog_is_refused(first, second):
    first.then(302, b"", {"Location": f"{second.url}/applications/x"})
    first.then(302, b"", {"Location": f"{second.url}/catalog"})
    client = PlatformClient(first.url, KIOSK_ID)
    for call in (lambda: client.get_application("Abc_def-1234567890xyz"), client.get_catalog_raw):
        with pytest.raises(PlatformError) as info:
            call()
        assert info.value.code == "redirect"
    assert second.requests == []


# --- slow-loris (finding 4) -------------------------------------------------------------

class DrippingServer:
    """Accepts connections and answers one byte every `interval_s`: the status line and headers
    (`phase="headers"`) or a valid head and then the body (`phase="body"`). Never finishes in time."""

    def __init__(self, phase: str, interval_s: float = 0.1, tls_context: ssl.SSLContext | None = None):
        self.phase, self.interval_s = phase, interval_s
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        scheme = "http"
        if tls_context is not None:
            self.sock = tls_context.wrap_socket(self.sock, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except ssl.SSLError:
                continue
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        body = b'{"application_number": "GD20261123000001"}' + b" " * 10_000
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"X-Padding: {'x' * 10_000}\r\n\r\n").encode()
        with conn:
            conn.recv(65536)
            if self.phase == "body":
                conn.sendall(head)
                payload = body
            else:
                payload = head + body
            for i in range(len(payload)):
                if self.stopping.is_set():
                    return
                try:
                    conn.sendall(payload[i:i + 1])
                except OSError:
                    return
                time.sleep(self.interval_s)

    def close(self):
        self.stopping.set()
        self.sock.close()


@pytest.mark.parametrize("phase", ["headers", "body"])
@pytest.mark.slow
def test_a_reply_dripping_one_byte_at_a_time_ends_at_the_overall_deadline(phase):
    server = DrippingServer(phase)
    try:
        # Each read gets a byte well within the 1 s read timeout: only an overall deadline can end it.
        client = PlatformClient(server.url, KIOSK_ID, connect_timeout=1.0, read_timeout=1.0, request_deadline=1.5)
        calls = {
            "progress query": lambda: client.get_application("Abc_def-1234567890xyz"),
            "catalog": client.get_catalog_raw,
            "heartbeat": lambda: client.heartbeat({"kiosk_id": KIOSK_ID}),
        }
        for name, call in calls.items():
            started = time.monotonic()
            with pytest.raises(PlatformError) as info:
                call()
            elapsed = time.monotonic() - started
            assert info.value.code == "deadline_exceeded" and info.value.retryable, name
            assert 1.4 <= elapsed < 3.0, f"{name}: {elapsed:.2f} s"
    finally:
        server.close()


@pytest.mark.slow
def test_a_dripping_reply_over_tls_ends_at_the_deadline_too(tmp_path):
    ca, cert, key = make_ca_and_server_cert(tmp_path / "tls")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = DrippingServer("body", tls_context=context)
    try:
        client = PlatformClient(server.url, KIOSK_ID, connect_timeout=1.0, read_timeout=1.0, request_deadline=1.5,
                                ca_bundle=str(ca))
        started = time.monotonic()
        with pytest.raises(PlatformError) as info:
            client.get_application("Abc_def-1234567890xyz")
        assert info.value.code == "deadline_exceeded" and time.monotonic() - started < 3.0
    finally:
        server.close()


def test_the_default_deadline_is_connect_plus_read_timeout():
    client = PlatformClient("http://127.0.0.1:9", KIOSK_ID, connect_timeout=2.0, read_timeout=5.0)
    assert client.request_deadline == 7.0


def test_a_normal_reply_is_not_cut_by_the_deadline(first):
    first.then(201, {"application_number": "GD20261123000001", "status": "received"}, delay=0.3)
    first.then(201, {"application_number": "GD20261123000002", "status": "received"})
    client = PlatformClient(first.url, KIOSK_ID, request_deadline=2.0)
    for number in ("GD20261123000001", "GD20261123000002"):   # the second one on the kept-alive connection
        key = str(uuid.uuid4())
        assert client.submit("application", key, application_body(key))["application_number"] == number


# --- reply fields (findings 1 and 8) ----------------------------------------------------

GOOD_RECEIPT = {"application_number": "GD20261123000001", "status": "received",
                "received_at": "2026-11-23T10:00:00+08:00", "expected_completion": "2026-12-08",
                "query_token": "Abc_def-1234567890xyz", "query_url": "/applications/Abc_def-1234567890xyz"}


@pytest.mark.parametrize("field,value", [
    ("expected_completion", "soon"),
    ("expected_completion", 20261208),
    ("expected_completion", "2026-12-08T10:00:00+08:00"),
    ("expected_completion", "2026-02-30"),
    ("query_token", "A" * 500_000),
    ("query_token", "abc/../../etc"),
    ("query_token", 12345678),
    ("application_number", "<h1 style='color:red'>已缴费</h1>"),
    ("application_number", ["GD1"]),
    ("application_number", "GD" + "1" * 100),
    ("ticket_number", "A001\n" * 10),
    ("received_at", "yesterday"),
    ("status", {"code": "received"}),
])
def test_an_odd_reply_field_is_a_malformed_reply_error_not_a_crash(first, field, value):
    first.then(201, {**GOOD_RECEIPT, field: value})
    key = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        PlatformClient(first.url, KIOSK_ID).submit("application", key, application_body(key))
    assert info.value.code == "malformed_reply" and info.value.retryable
    assert field in str(info.value) and (not isinstance(value, str) or value[:50] not in str(info.value))


def test_a_valid_reply_passes_unchanged(first):
    first.then(201, {**GOOD_RECEIPT, "expected_completion": None, "ticket_number": "A001", "extra": [1]})
    key = str(uuid.uuid4())
    reply = PlatformClient(first.url, KIOSK_ID).submit("application", key, application_body(key))
    assert reply["ticket_number"] == "A001" and reply["expected_completion"] is None


GOOD_STATUS = {"application_number": "GD20261123000001", "service_id": "elderly-allowance", "status": "received",
               "received_at": "2026-11-23T10:00:00+08:00", "expected_completion": "2026-12-08"}


@pytest.mark.parametrize("field,value", [
    ("status", None), ("status", 3), ("service_id", ["elderly-allowance"]), ("received_at", 1700000000),
    ("expected_completion", {"date": "2026-12-08"}), ("application_number", "<img src=file:///etc/passwd>"),
])
def test_a_progress_reply_with_unexpected_types_is_an_error(first, field, value):
    first.then(200, {**GOOD_STATUS, field: value})
    with pytest.raises(PlatformError) as info:
        PlatformClient(first.url, KIOSK_ID).get_application("Abc_def-1234567890xyz")
    assert info.value.code == "malformed_reply"


def test_a_progress_reply_missing_a_field_is_an_error(first):
    first.then(200, {key: value for key, value in GOOD_STATUS.items() if key != "status"})
    with pytest.raises(PlatformError) as info:
        PlatformClient(first.url, KIOSK_ID).get_application("Abc_def-1234567890xyz")
    assert info.value.code == "malformed_reply"
