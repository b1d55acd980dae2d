"""Prometheus metrics over real HTTP on 127.0.0.1, the heartbeat figures they mirror, and the
example alert rules (YAML shape, metric names, promtool check + promtool unit tests)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from kiosk.heartbeat import build_heartbeat
from kiosk.metrics import KioskMetrics
from offline_cache.outbox import OutboxStats

REPO = Path(__file__).resolve().parents[1]
ALERTS = REPO / "docs" / "prometheus-alerts.yml"


def sample_heartbeat(paper="low", reader="noDevice"):
    stats = OutboxStats(pending=3, sending=0, delivered=10, dead=1, oldest_pending_age_s=90_000.0)
    return build_heartbeat("GD-TEST-1", {"id_reader": reader, "camera": "online", "printer": "online"},
                           paper, stats, catalog_version="2026.11.1")


def scrape(port: int) -> dict:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


@pytest.fixture
def metrics():
    m = KioskMetrics("GD-TEST-1")
    yield m
    m.stop()


def test_metrics_endpoint_serves_the_heartbeat_figures(metrics):
    port = metrics.serve("127.0.0.1", 0)
    body = sample_heartbeat()
    metrics.update(body)
    metrics.heartbeat_result(True, now=1_700_000_000.0)
    values = scrape(port)
    assert values[("kiosk_device_up", (("device", "id_reader"),))] == 0
    assert values[("kiosk_device_up", (("device", "camera"),))] == 1
    assert values[("kiosk_device_state", (("device", "id_reader"), ("state", "noDevice")))] == 1
    assert values[("kiosk_printer_paper_state", (("state", "low"),))] == 1
    assert values[("kiosk_printer_paper_state", (("state", "full"),))] == 0
    assert values[("kiosk_outbox_pending", ())] == body["queue"]["pending"] == 3
    assert values[("kiosk_outbox_dead", ())] == 1
    assert values[("kiosk_outbox_oldest_pending_age_seconds", ())] == 90_000.0
    assert values[("kiosk_last_heartbeat_success_timestamp_seconds", ())] == 1_700_000_000.0
    assert values[("kiosk_platform_up", ())] == 1
    info = [k for k in values if k[0] == "kiosk_build_info"][0]
    assert ("software", "0.9.0") in info[1] and ("kiosk_id", "GD-TEST-1") in info[1]
    # A change is visible at the next scrape; a rejected heartbeat keeps the last success time.
    metrics.update(sample_heartbeat(paper="full", reader="online"))
    metrics.heartbeat_result(False)
    values = scrape(port)
    assert values[("kiosk_device_up", (("device", "id_reader"),))] == 1
    assert values[("kiosk_printer_paper_state", (("state", "low"),))] == 0
    assert values[("kiosk_platform_up", ())] == 0
    assert values[("kiosk_last_heartbeat_success_timestamp_seconds", ())] == 1_700_000_000.0


def test_metrics_bind_only_where_configured(metrics):
    port = metrics.serve("127.0.0.1", 0)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://[::1]:{port}/metrics", timeout=2)


def test_alert_rules_yaml_names_only_metrics_the_kiosk_exports():
    rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    alerts = {rule["alert"]: rule for group in rules["groups"] for rule in group["rules"]}
    for needed in ("KioskPaperLow", "KioskOutboxOlderThan24h", "KioskDeviceOffline", "KioskNoHeartbeat"):
        assert needed in alerts
    m = KioskMetrics("X")
    m.update(sample_heartbeat())
    exported = {sample.name for family in m.registry.collect() for sample in family.samples}
    for name, rule in alerts.items():
        assert {"expr", "labels", "annotations"} <= set(rule), name
        used = set(re.findall(r"\bkiosk_[a-z_]+", rule["expr"]))
        assert used <= exported, (name, used - exported)


@pytest.mark.skipif(shutil.which("promtool") is None,
                    reason="promtool comes with the Debian 'prometheus' package (scripts/bootstrap.sh installs it)")
def test_promtool_checks_and_unit_tests_the_rules():
    check = subprocess.run(["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    unit = subprocess.run(["promtool", "test", "rules", str(REPO / "tests" / "prometheus" / "alerts_test.yml")],
                          capture_output=True, text=True)
    assert unit.returncode == 0, unit.stdout + unit.stderr
