"""The systemd watchdog path: sd_notify over a real AF_UNIX datagram socket, and a supervisor
(this test, doing what systemd does for Type=notify + WatchdogSec + Restart=always) that
kills and restarts a kiosk process whose GUI event loop froze."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.watchdog import sd_notify, watchdog_interval_s

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("watchdog_child.py")
WATCHDOG_SEC = 0.6


def test_sd_notify_sends_one_datagram_and_is_silent_without_systemd(tmp_path):
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        assert sd_notify("READY=1\nSTATUS=ok", {"NOTIFY_SOCKET": path})
        assert server.recv(4096) == b"READY=1\nSTATUS=ok"
    assert sd_notify("READY=1", {}) is False
    assert sd_notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False


def test_sd_notify_abstract_socket():
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        assert sd_notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert server.recv(64) == b"WATCHDOG=1"


def test_watchdog_interval_is_half_of_watchdog_usec():
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert watchdog_interval_s({}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}) is None   # not us
    assert watchdog_interval_s({"WATCHDOG_USEC": "junk"}) is None


class Supervisor:
    """The systemd side of Type=notify, WatchdogSec, Restart=always."""

    def __init__(self, tmp_path: Path):
        self.socket_path = str(tmp_path / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.socket_path)
        self.sock.settimeout(0.05)
        self.marker = tmp_path / "ran-once"
        self.events: list[tuple[int, str]] = []     # (start number, event)

    def spawn(self) -> subprocess.Popen:
        env = dict(os.environ, NOTIFY_SOCKET=self.socket_path, WATCHDOG_USEC=str(int(WATCHDOG_SEC * 1e6)),
                   QT_QPA_PLATFORM="offscreen")
        env.pop("WATCHDOG_PID", None)
        return subprocess.Popen([sys.executable, str(CHILD), str(self.marker)], env=env)

    def run(self, total_s: float) -> int:
        starts = 1
        child = self.spawn()
        ready = False
        last_ping = time.monotonic()
        deadline = time.monotonic() + total_s
        try:
            while time.monotonic() < deadline:
                try:
                    message = self.sock.recv(4096).decode()
                except socket.timeout:
                    message = ""
                for line in message.splitlines():
                    if line == "READY=1":
                        ready = True
                        last_ping = time.monotonic()
                        self.events.append((starts, "ready"))
                    elif line == "WATCHDOG=1":
                        last_ping = time.monotonic()
                        self.events.append((starts, "ping"))
                if ready and time.monotonic() - last_ping > WATCHDOG_SEC:
                    # systemd: "Watchdog timeout, killing" with SIGABRT, then restart.
                    self.events.append((starts, "watchdog timeout"))
                    child.send_signal(signal.SIGABRT)
                    child.wait(5)
                    self.events.append((starts, f"exit {child.returncode}"))
                    starts += 1
                    child = self.spawn()
                    ready = False
                    last_ping = time.monotonic()
                elif child.poll() is not None:
                    raise AssertionError(f"child exited by itself with {child.returncode}")
            return starts
        finally:
            child.kill()
            child.wait(5)
            self.sock.close()


@pytest.mark.faults
def test_frozen_gui_event_loop_is_killed_and_restarted(tmp_path):
    supervisor = Supervisor(tmp_path)
    starts = supervisor.run(total_s=12.0)
    events = supervisor.events
    first = [e for n, e in events if n == 1]
    second = [e for n, e in events if n == 2]
    # First process: ready, pinged while its loop turned, then froze and was killed.
    assert first[0] == "ready" and first.count("ping") >= 2, events
    assert "watchdog timeout" in first and f"exit {-signal.SIGABRT}" in first, events
    # Restarted once, and the new process keeps pinging until the end.
    assert starts == 2, events
    assert second[0] == "ready" and second.count("ping") >= 5, events
    assert "watchdog timeout" not in second


def test_real_kiosk_process_notifies_systemd_and_serves_metrics(tmp_path, platform_server):
    """main.py as systemd starts it: READY=1 once the GUI loop turns, WATCHDOG=1 pings from it,
    and the Prometheus endpoint on 127.0.0.1 with the heartbeat's figures."""
    import requests
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        metrics_port = probe.getsockname()[1]
    config = tmp_path / "kiosk.toml"
    config.write_text(f"""
[kiosk]
id = "WD-KIOSK-1"
demo = true
data_dir = "{tmp_path / 'data'}"
fullscreen = true
[platform]
url = "{platform_server.base_url}"
[heartbeat]
interval_s = 1.0
[metrics]
port = {metrics_port}
[devices.camera]
backend = "sim"
scenario = "no_face"
""")
    notify_path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(notify_path)
        sock.settimeout(30)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="400000", QT_QPA_PLATFORM="offscreen")
        env.pop("WATCHDOG_PID", None)
        child = subprocess.Popen([sys.executable, str(Path(__file__).resolve().parents[1] / "main.py"),
                                  "--config", str(config)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            messages = []
            while messages.count("WATCHDOG=1") < 3:
                messages += sock.recv(4096).decode().splitlines()
            assert messages[0] == "READY=1", messages
            deadline = time.monotonic() + 20
            while True:
                try:
                    text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=2).text
                    if 'kiosk_device_up{device="printer"} 1.0' in text:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, "metrics never showed the printer online"
                time.sleep(0.2)
            assert "kiosk_platform_up 1.0" in text
            # The update guard's view of this kiosk (kiosk/update_beacon.py, docs/updates.md):
            # idle on the attract screen, and this start reached its first idle screen.
            import json
            from kiosk import __version__
            idle = json.loads((tmp_path / "data" / "update-idle.json").read_text())
            health = json.loads((tmp_path / "data" / "update-health.json").read_text())
            assert idle["state"] == "idle" and idle["release"] == __version__ == health["release"]
            assert health["pid"] == child.pid
            child.terminate()            # the kiosk cannot be closed from the screen; SIGTERM from systemd can
            assert child.wait(15) == 0   # a clean exit through the event loop, not death by signal
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(5)
