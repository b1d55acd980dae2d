"""Fleet health: the running kiosk's heartbeat (real controller thread, real HTTP on 127.0.0.1)
lands in the reference platform, which shows it on the /fleet page; a rejected heartbeat
is a clear result, not a crash."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
import requests

from kiosk import diagnostics as d
from kiosk.app import build_kiosk
from kiosk.metrics import KioskMetrics
from kiosk.platform import PlatformClient
from kiosk.technician_pin import PinGuard, hash_pin, lockout_state_path
from reference_platform.fleet import render_fleet_page
from tests.conftest import kiosk_config


@pytest.mark.slow
def test_kiosk_heartbeat_reaches_fleet_page_and_metrics(qtbot, tmp_path, platform_server):
    config = kiosk_config(tmp_path, platform_server.base_url, devices={
        "id_reader": {"backend": "sim"}, "camera": {"backend": "sim", "scenario": "no_face"},
        "printer": {"backend": "sim", "scenario": "paper_low"}})
    config = dataclasses.replace(config, heartbeat=dataclasses.replace(config.heartbeat, interval_s=1.0))
    parts = build_kiosk(config, with_window=False)
    parts.controller.metrics = metrics = KioskMetrics(config.kiosk.id)
    guard = PinGuard(hash_pin("246813"), lockout_state_path(config.data_dir), max_failures=2)
    guard.attempt("000000"), guard.attempt("000000")          # someone guessing: the pad locks
    parts.controller.open()
    try:
        def reported():
            beat = platform_server.store.latest_heartbeat("TEST-KIOSK-1")
            return beat is not None and beat.get("paper") == "low" and beat["devices"].get("printer") == "online"
        qtbot.waitUntil(reported, timeout=15_000)
        beat = platform_server.store.latest_heartbeat("TEST-KIOSK-1")
        assert beat["versions"]["software"] == "0.9.0" and beat["uptime_s"] >= 0
        assert beat["queue"] == {"pending": 0, "dead": 0, "oldest_pending_age_s": None}
        assert beat["technician"]["pin_lockouts_total"] == 1 and beat["technician"]["pin_locked_for_s"] > 800
        qtbot.waitUntil(lambda: metrics.platform_up._value.get() == 1, timeout=5_000)
        assert metrics.paper.labels("low")._value.get() == 1
    finally:
        parts.close()
        logging.getLogger().handlers.clear()
    page = requests.get(platform_server.base_url + "/fleet", timeout=5).text
    row = next(line for line in page.splitlines() if "TEST-KIOSK-1" in line)
    assert 'class="attention"' in row and "paper low" in row and "printer: online" in row
    assert "technician PIN locked" in row


def test_fleet_page_flags_silent_and_unhealthy_kiosks():
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    beats = [
        {"kiosk_id": "K-OK", "received_at": "2026-11-23T11:59:30+00:00",
         "body": {"devices": {"printer": "online"}, "paper": "full", "queue": {"pending": 0, "dead": 0}}},
        {"kiosk_id": "K-SILENT", "received_at": "2026-11-23T10:00:00+00:00",
         "body": {"devices": {"printer": "online"}, "paper": "full"}},
        {"kiosk_id": "K-BAD", "received_at": "2026-11-23T11:59:50+00:00",
         "body": {"devices": {"id_reader": "noDevice"}, "paper": "out",
                  "queue": {"pending": 4, "dead": 2, "oldest_pending_age_s": 90000}}},
    ]
    page = render_fleet_page(beats, now=now)
    rows = {line.split("<td>")[1].split("</td>")[0]: line for line in page.splitlines() if line.startswith("<tr")}
    assert "attention" not in rows["K-OK"] and rows["K-OK"].endswith("<td>ok</td></tr>")
    assert "no heartbeat" in rows["K-SILENT"]
    for reason in ("id_reader noDevice", "paper out", "queue older than 24 h", "2 dead-lettered"):
        assert reason in rows["K-BAD"]
    assert "3 kiosks, 2 need attention" in page


def test_rejected_heartbeat_is_a_clear_result(platform_server):
    client = PlatformClient(platform_server.base_url, "bad id with spaces", connect_timeout=1, read_timeout=3)
    results = d.check_platform_api(client, {"kiosk_id": "bad id with spaces"})
    beat = next(r for r in results if r.name == "platform.heartbeat")
    assert not beat.ok and beat.summary.startswith("heartbeat rejected: http_422")
