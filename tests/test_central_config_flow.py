"""Configuration from the centre in a running kiosk (kiosk/flows/central_config.py, pytest-qt,
offscreen): fetched from the real reference platform on loopback, applied at the idle screen,
confirmed by the self-check or restored, a restart asked for when a section needs it; the
technician's Configuration tab shows the active bundle and each value's source."""
from __future__ import annotations

import logging

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import central_config as cc
from kiosk.app import build_kiosk
from kiosk.config import load_config
from kiosk.core.session_types import State
from kiosk.flows.central_config import CentralConfigFlow
from kiosk.flows.controller import session_timeouts
from kiosk.metrics import KioskMetrics
from reference_platform.catalog_signing import write_public_key
from reference_platform.server import ReferencePlatformServer

pytestmark = pytest.mark.slow
KIOSK_ID = "GD-CFG-0002"


@pytest.fixture
def platform(tmp_path):
    key = Ed25519PrivateKey.generate()
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", catalog_signing_key=key)
    server.start()
    write_public_key(key, tmp_path / "platform-public.pem")
    yield server
    server.stop()


@pytest.fixture
def running(qtbot, tmp_path, platform):
    made = []

    def factory(printer_scenario="ok", confirm_s=15.0):
        toml = tmp_path / "kiosk.toml"
        toml.write_text(f"""
[kiosk]
id = "{KIOSK_ID}"
data_dir = "data"
demo = true
fullscreen = false
[platform]
url = "{platform.base_url}"
catalog_public_key = "{tmp_path / 'platform-public.pem'}"
connect_timeout_s = 1.0
read_timeout_s = 3.0
[devices.printer]
scenario = "{printer_scenario}"
[fleet]
group = "hall-7"
config_poll_s = 3600
config_confirm_s = {confirm_s}
""", encoding="utf-8")
        config, store = cc.at_start(load_config(toml))
        parts = build_kiosk(config)
        qtbot.addWidget(parts.window)
        parts.controller.open()
        parts.controller.metrics = KioskMetrics(KIOSK_ID)      # not served: the registry is read directly
        made.append(parts)
        flow = CentralConfigFlow(parts.controller, store, parts.controller.platform_client,
                                 poll_s=config.fleet.config_poll_s, confirm_s=config.fleet.config_confirm_s,
                                 session_timeouts=session_timeouts)
        flow.start()
        made.append(flow)
        return parts, store, flow
    yield factory
    for item in reversed(made):
        item.stop() if isinstance(item, CentralConfigFlow) else item.close()
    logging.getLogger().handlers.clear()


def test_runtime_setting_applied_at_idle_and_confirmed_and_shown_to_the_technician(qtbot, running, platform):
    parts, store, flow = running()
    assert parts.controller.session.state is State.IDLE
    platform.config_bundles.publish("kiosk", KIOSK_ID, 1, {"timeouts": {"idle_s": 45.0}})
    flow.poll_now()
    qtbot.waitUntil(lambda: parts.controller.session.timeouts.idle_s == 45.0, timeout=30_000)
    assert flow.last_outcome["kiosk"] == "staged v1" and flow.last_outcome["group"] == "none"
    qtbot.waitUntil(lambda: not store.state().get("trial") and "confirmed_at" in store.state(), timeout=30_000)
    assert store.summary()["active"]["kiosk"]["version"] == 1
    registry = parts.controller.metrics.registry
    qtbot.waitUntil(lambda: registry.get_sample_value("kiosk_config_trial") == 0, timeout=15_000)
    assert registry.get_sample_value("kiosk_config_bundle_version", {"scope": "kiosk"}) == 1
    assert registry.get_sample_value("kiosk_config_bundle_version", {"scope": "group"}) == 0

    from screens.technician import install_technician_mode
    mode = install_technician_mode(parts.window, parts.controller, parts.config, log_file=None)
    mode.service.state.mode = "open"
    mode.service.refresh_config()
    qtbot.waitUntil(lambda: "kiosk v1" in mode.service.state.config_text, timeout=30_000)
    mode.panel.render()
    text = mode.panel.boxes["config"].toPlainText()
    assert "timeouts.idle_s" in text and "45.0  [kiosk bundle v1 (GD-CFG-0002); runtime]" in text


def test_a_restart_section_waits_for_idle_then_asks_for_a_restart(qtbot, running, platform):
    parts, store, flow = running()
    parts.controller.start()                       # a citizen is using the kiosk
    assert parts.controller.session.state is not State.IDLE
    platform.config_bundles.publish("group", "hall-7", 4, {"heartbeat": {"interval_s": 30.0}})
    requests = []
    flow.restart_requested.connect(requests.append)
    flow.poll_now()
    qtbot.waitUntil(lambda: bool(store.pending()), timeout=30_000)
    qtbot.wait(1500)
    assert requests == [] and store.active() == {}            # never during a session
    parts.controller.cancel()
    qtbot.waitUntil(lambda: bool(requests), timeout=30_000)
    assert "heartbeat.interval_s" in requests[0]
    assert store.active()["group"].version == 4 and store.state()["trial"]


def restart(running, parts, flow, **options):
    """What systemd does after the kiosk exits with RESTART_EXIT_CODE: a new start from kiosk.toml."""
    flow.stop()
    parts.close()
    return running(**options)


@pytest.mark.faults
def test_a_bundle_that_breaks_a_device_after_the_restart_is_rolled_back(qtbot, running, platform):
    parts, store, flow = running(confirm_s=2.0)
    requests = []
    flow.restart_requested.connect(requests.append)
    # A remotely settable device option that takes the printer offline (the sim's scenario stands in
    # for a wrong printer address or port): a "restart" section.
    platform.config_bundles.publish("kiosk", KIOSK_ID, 2, {"devices": {"printer": {"scenario": "offline"}}})
    flow.poll_now()
    qtbot.waitUntil(lambda: bool(requests), timeout=30_000)
    assert store.state()["trial"] and store.state()["healthy_before"] == ["id_reader", "camera", "printer"]

    parts, store, flow = restart(running, parts, flow, confirm_s=2.0)
    assert parts.config.devices.printer.scenario == "offline"        # the new set is in force, on trial
    requests = []
    flow.restart_requested.connect(requests.append)
    qtbot.waitUntil(lambda: bool(requests), timeout=30_000)          # self-check failed: back, and restart
    assert "restored" in requests[0]
    state = store.state()
    assert "printer" in state["restore_reason"] and state["refused"] == {"kiosk": 2} and not state["trial"]

    parts, store, flow = restart(running, parts, flow)
    assert parts.config.devices.printer.scenario == "ok"
    flow.poll_now()                                                   # v2 is still served: never again
    qtbot.waitUntil(lambda: flow.last_outcome.get("kiosk") == "refused: refused_before", timeout=30_000)


@pytest.mark.faults
def test_a_runtime_change_that_keeps_the_kiosk_from_its_idle_screen_is_rolled_back(qtbot, running, platform):
    parts, store, flow = running(confirm_s=1.5)
    platform.config_bundles.publish("kiosk", KIOSK_ID, 2, {"timeouts": {"idle_s": 40.0}})
    flow.poll_now()
    qtbot.waitUntil(lambda: parts.controller.session.timeouts.idle_s == 40.0, timeout=30_000)
    parts.controller.start()          # the session stays open past the trial deadline
    qtbot.waitUntil(lambda: "restore_reason" in store.state(), timeout=30_000)
    assert "idle screen was not reached" in store.state()["restore_reason"]
    qtbot.waitUntil(lambda: parts.controller.session.timeouts.idle_s == 60.0, timeout=15_000)  # the default again
    assert store.active() == {} and store.state()["refused"] == {"kiosk": 2}
