"""Telemetry through Prometheus's own engine, with the real binaries on loopback: the kiosk-side
agent (deploy/telemetry/prometheus-agent.yml.in) scrapes the kiosk's real metrics endpoint and
remote-writes to a central Prometheus with the receiver enabled; a network cut is bridged by the
agent's WAL; the alert rules fire centrally on the pushed series (sim/telemetry_rig.py)."""
from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sim import telemetry_rig as rig

REPO = Path(__file__).resolve().parents[1]
TELEMETRY = REPO / "deploy" / "telemetry"
UNIT = TELEMETRY / "kiosk-prometheus-agent.service"
FIELD_VALUES = dict(line.split("#")[0].strip().split("=", 1)
                    for line in (TELEMETRY / "fleet.env.example").read_text().splitlines()
                    if "=" in line.split("#")[0])

needs_prometheus = pytest.mark.skipif(shutil.which("prometheus") is None or shutil.which("promtool") is None,
                                      reason="prometheus not installed (scripts/bootstrap.sh)")


def test_unit_substitutes_every_template_variable_and_example_env_sets_them():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNIT)
    service = parser["Service"]
    render_line = next(line for line in UNIT.read_text().splitlines()
                       if line.startswith("ExecStartPre=") and "envsubst" in line)
    template_vars = set(rig.template_variables(rig.AGENT_TEMPLATE.read_text()))
    substituted = set(re.findall(r"\$\$([A-Z_]+)", render_line))
    assert template_vars == substituted, "the unit's envsubst list must name exactly the template's variables"
    assert template_vars | {"KIOSK_WAL_MAX_AGE"} <= set(FIELD_VALUES)
    assert "--enable-feature=agent" in service["ExecStart"]
    assert "--storage.agent.retention.max-time=${KIOSK_WAL_MAX_AGE}" in service["ExecStart"]
    assert "127.0.0.1:" in service["ExecStart"]       # the agent's web port stays on this machine


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_agent_unit_passes_systemd_analyze_verify(tmp_path):
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text())
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if UNIT.name in line]
    assert not problems, result.stderr
    broken = tmp_path / "broken-agent.service"
    broken.write_text(UNIT.read_text().replace("Restart=always", "Restart=sometimes"))
    result = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True)
    assert any("broken-agent.service" in line for line in result.stderr.splitlines())


def test_render_refuses_a_missing_value():
    with pytest.raises(ValueError, match="KIOSK_ID"):
        rig.render_agent_config({k: v for k, v in FIELD_VALUES.items() if k != "KIOSK_ID"})


@needs_prometheus
def test_field_config_passes_promtool_in_agent_mode(tmp_path):
    rendered = rig.render_agent_config(FIELD_VALUES)
    assert "${" not in rendered and 'kiosk: "GD-SZ-FT-0001"' in rendered
    path = tmp_path / "agent.yml"
    path.write_text(rendered)
    result = subprocess.run(["promtool", "check", "config", "--agent", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(rendered.replace("batch_send_deadline: 60s", "batch_send_deadline: soon"))
    assert subprocess.run(["promtool", "check", "config", "--agent", str(broken)],
                          capture_output=True).returncode != 0


@needs_prometheus
def test_central_alert_rules_pass_promtool_unit_tests():
    result = subprocess.run(["promtool", "test", "rules", str(REPO / "tests" / "prometheus" / "fleet_alerts_test.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.faults
@needs_prometheus
def test_samples_from_a_network_cut_arrive_from_the_wal_and_alerts_fire_centrally(tmp_path):
    result = rig.run_outage(tmp_path, outage_s=5.0, scrape_interval_s=1.0, warmup_s=2.0)
    info = result.as_dict()
    # During the cut nothing from the outage window reached the centre ...
    assert result.delivered_during_outage == 0, info
    # ... and after the restore every scrape of the window is there, without a hole.
    assert result.arrived_after_restore >= result.expected_in_outage >= 3, info
    assert result.max_gap_s <= 2.5, info
    assert result.catch_up_s < 15, info
    assert result.wal_bytes > 0
    # The existing kiosk alert rule fires on the central server, on the pushed series, with the
    # agent's external labels and the instance named after the kiosk.
    labels = result.central_alert_labels
    assert labels.get("alertname") == "KioskTechnicianPinLockout", info
    assert (labels["kiosk"], labels["instance"], labels["site"], labels["group"], labels["job"]) == (
        rig.KIOSK_ID, rig.KIOSK_ID, "rig-hall", "rig", "kiosk")
    assert result.series_after_outage_ok
