"""`python main.py diagnose` and `python main.py queue` as a technician runs them over SSH:
real subprocesses, real reference platform (plain and TLS uvicorn on 127.0.0.1),
real outbox files."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tls_platform import TlsPlatform, make_ca_and_server_cert

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def run_main(*args, timeout=60, stdin=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, input=stdin)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(tmp_path: Path, url: str, extra: str = "", devices: str | None = None) -> Path:
    devices = devices if devices is not None else """
[devices.id_reader]
backend = "sim"
[devices.camera]
backend = "sim"
scenario = "no_face"
[devices.printer]
backend = "sim"
"""
    path = tmp_path / "kiosk.toml"
    path.write_text(f"""
[kiosk]
id = "TEST-KIOSK-9"
demo = true
data_dir = "{tmp_path / 'data'}"
fullscreen = false
[platform]
url = "{url}"
connect_timeout_s = 2.0
read_timeout_s = 3.0
{extra}
{devices}
""", encoding="utf-8")
    return path


def checks_by_name(report: dict) -> dict:
    return {check["name"]: check for check in report["checks"]}


def test_diagnose_demo_is_healthy_and_exits_zero():
    result = run_main("diagnose", "--json", "--demo")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["healthy"] is True
    checks = checks_by_name(report)
    for name in ("device.id_reader", "device.camera", "device.printer", "platform.dns", "platform.tcp",
                 "platform.http", "platform.heartbeat"):
        assert checks[name]["ok"], checks[name]
    assert checks["device.printer"]["details"]["paper"] == "full"


@pytest.mark.faults
def test_every_device_missing_and_platform_down(tmp_path):
    closed = free_port()      # nothing listens here: the platform is down, the printer unreachable
    config = write_config(tmp_path, f"http://127.0.0.1:{closed}", devices=f"""
[devices.id_reader]
backend = "sim"
scenario = "unplugged"
[devices.camera]
backend = "opencv"
device = "/dev/video-missing"
[devices.printer]
backend = "network"
host = "127.0.0.1"
port = {closed}
""")
    result = run_main("diagnose", "--json", "--config", str(config))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    checks = checks_by_name(json.loads(result.stdout))
    assert not checks["device.id_reader"]["ok"] and "unplugged" in checks["device.id_reader"]["summary"]
    assert not checks["device.camera"]["ok"]
    assert not checks["device.printer"]["ok"] and checks["device.printer"]["details"]["status"] == "noDevice"
    assert checks["platform.dns"]["ok"]
    assert not checks["platform.tcp"]["ok"] and "refused" in checks["platform.tcp"]["summary"].lower()
    assert "platform.http" not in checks          # stops at the first failing layer
    # The text form names every failure and says UNHEALTHY.
    text = run_main("diagnose", "--config", str(config))
    assert text.returncode == 1 and text.stdout.strip().endswith("UNHEALTHY")
    assert text.stdout.count("[FAIL]") == 4


@pytest.fixture
def tls_platform(tmp_path):
    started = []

    def start(**cert_args):
        ca, cert, key = make_ca_and_server_cert(tmp_path / f"certs{len(started)}", **cert_args)
        server = TlsPlatform(tmp_path / f"platform{len(started)}.sqlite3", cert, key)
        port = server.start()
        started.append(server)
        return ca, port
    yield start
    for server in started:
        server.stop()


def test_tls_platform_with_valid_certificate_is_healthy(tmp_path, tls_platform):
    ca, port = tls_platform()
    config = write_config(tmp_path, f"https://127.0.0.1:{port}", extra=f'ca_bundle = "{ca}"')
    result = run_main("diagnose", "--json", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    checks = checks_by_name(json.loads(result.stdout))
    assert checks["platform.tls"]["ok"] and 88 <= checks["platform.tls"]["details"]["days_left"] <= 90
    assert checks["platform.heartbeat"]["ok"]


def test_tls_certificate_expired_is_named(tmp_path, tls_platform):
    ca, port = tls_platform(expired=True)
    config = write_config(tmp_path, f"https://127.0.0.1:{port}", extra=f'ca_bundle = "{ca}"')
    result = run_main("diagnose", "--json", "--config", str(config))
    assert result.returncode == 1
    tls = checks_by_name(json.loads(result.stdout))["platform.tls"]
    assert not tls["ok"] and "EXPIRED" in tls["summary"] and tls["details"]["verify_code"] == 10
    assert tls["details"]["not_after"] is not None


def test_tls_certificate_for_another_host_is_named(tmp_path, tls_platform):
    ca, port = tls_platform(hosts=("platform.example.gov.cn",))
    config = write_config(tmp_path, f"https://127.0.0.1:{port}", extra=f'ca_bundle = "{ca}"')
    result = run_main("diagnose", "--json", "--config", str(config))
    assert result.returncode == 1
    tls = checks_by_name(json.loads(result.stdout))["platform.tls"]
    assert not tls["ok"] and "does not match the host name" in tls["summary"]


def test_bad_config_is_one_line_exit_2(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[metrics]\nport = 99999\n', encoding="utf-8")
    result = run_main("diagnose", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "metrics.port" in result.stderr


def make_outbox_with_dead_entry(data_dir: Path) -> str:
    from offline_cache.outbox import Outbox, Submission
    outbox = Outbox(data_dir / "outbox.sqlite3", data_dir / "device.key")
    submission_id = "5d1c1e2a-8c53-4c7e-9d0c-6f8f1f7e2b10"
    outbox.enqueue(Submission(submission_id, "application",
                              {"application_id": submission_id, "name": "测试人名", "id_number": "440101199001011234"},
                              time.time() - 30))
    outbox.mark_dead(submission_id, "http_422:invalid_request")
    outbox.close()
    return submission_id


def test_queue_status_retry_export(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:9")
    submission_id = make_outbox_with_dead_entry(tmp_path / "data")

    status = run_main("queue", "--config", str(config), "--json", "status")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["stats"]["dead"] == 1
    assert data["dead"][0]["submission_id"] == submission_id
    assert data["dead"][0]["last_error"] == "http_422:invalid_request"
    assert "440101199001011234" not in status.stdout and "测试人名" not in status.stdout
    text = run_main("queue", "--config", str(config), "status")   # what a technician reads over SSH
    assert text.returncode == 0, text.stderr
    assert "dead 1" in text.stdout
    assert f"dead {submission_id} application after 0 attempts: http_422:invalid_request" in text.stdout

    retry = run_main("queue", "--config", str(config), "retry", submission_id)
    assert retry.returncode == 0 and retry.stdout.startswith("1 ")
    after = json.loads(run_main("queue", "--config", str(config), "--json", "status").stdout)
    assert after["stats"]["dead"] == 0 and after["stats"]["pending"] == 1
    again = run_main("queue", "--config", str(config), "retry")
    assert again.returncode == 1            # nothing dead any more: says so with exit 1

    target = tmp_path / "usb" / "outbox-export.jsonl"
    export = run_main("queue", "--config", str(config), "--json", "export", str(target))
    assert export.returncode == 0, export.stderr
    assert json.loads(export.stdout)["entries"] == 1
    raw = target.read_bytes()
    assert b"440101199001011234" not in raw and "测试人名".encode() not in raw
    exported = [json.loads(line) for line in raw.decode().splitlines()]
    assert [e["submission_id"] for e in exported] == [submission_id] and exported[0]["ciphertext"]


def test_queue_without_outbox_is_a_clear_error(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:9")
    result = run_main("queue", "--config", str(config), "status")
    assert result.returncode == 2 and "no outbox" in result.stderr and "Traceback" not in result.stderr


def test_set_pin_prints_a_hash_that_verifies():
    from kiosk.technician_pin import verify_pin
    result = run_main("set-pin", stdin="135790\n135790\n")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith('pin_hash = "scrypt$')
    stored = line.split('"')[1]
    assert verify_pin("135790", stored) and not verify_pin("135791", stored)
    mismatch = run_main("set-pin", stdin="135790\n135791\n")
    assert mismatch.returncode == 2 and "differ" in mismatch.stderr


def test_platform_with_another_signing_key_is_named(tmp_path):
    """The platform requires KSIG1 signatures but holds a different key for this kiosk."""
    from reference_platform.server import ReferencePlatformServer
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", signature_keys={"TEST-KIOSK-9": b"k" * 32})
    url = server.start()
    try:
        config = write_config(tmp_path, url)
        result = run_main("diagnose", "--json", "--config", str(config))
    finally:
        server.stop()
    assert result.returncode == 1
    http = checks_by_name(json.loads(result.stdout))["platform.http"]
    assert not http["ok"] and "signature rejected (signature_invalid)" in http["summary"]
    assert "different signing key" in http["summary"]


def test_demo_heartbeat_is_signed_and_accepted():
    result = run_main("diagnose", "--json", "--demo")
    beat = checks_by_name(json.loads(result.stdout))["platform.heartbeat"]
    assert beat["ok"] and "signed request" in beat["summary"]
