"""Configuration from the centre (kiosk/central_config.py): signed bundles served by the real
reference platform on loopback, fetched with the kiosk's PlatformClient, verified, validated
against the settings schema, layered over kiosk.toml, applied, kept and restored."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import central_config as cc
from kiosk.config import load_config
from kiosk.platform import PlatformClient
from reference_platform.catalog_signing import write_public_key
from reference_platform.config_bundles import SIGNING_CONTEXT as PLATFORM_CONTEXT
from reference_platform.server import ReferencePlatformServer

REPO = Path(__file__).resolve().parents[1]
KIOSK_ID = "GD-CFG-0001"
GROUP = "canary"


@pytest.fixture
def platform_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def platform(tmp_path, platform_key):
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", catalog_signing_key=platform_key)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(tmp_path, platform, platform_key):
    """kiosk.toml (demo devices) with the platform key, its store and a client."""
    public = write_public_key(platform_key, tmp_path / "platform-public.pem")
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f"""
[kiosk]
id = "{KIOSK_ID}"
data_dir = "data"
demo = true
[platform]
url = "{platform.base_url}"
catalog_public_key = "{public}"
[timeouts]
idle_s = 60.0
countdown_s = 20.0
[fleet]
group = "{GROUP}"
""", encoding="utf-8")
    config = load_config(toml)
    store = cc.store_for(config, cc.verifier_for(config))
    client = PlatformClient(platform.base_url, KIOSK_ID, connect_timeout=1.0, read_timeout=3.0)
    yield toml, store, client
    client.close()


def publish(platform, scope, version, settings, target=None):
    return platform.config_bundles.publish(scope, target or (GROUP if scope == "group" else KIOSK_ID),
                                           version, settings)


def test_signing_context_is_the_same_on_both_sides():
    assert cc.SIGNING_CONTEXT == PLATFORM_CONTEXT


def test_bundles_layer_over_kiosk_toml_with_sources_and_restart_declared(platform, kiosk):
    toml, store, client = kiosk
    publish(platform, "group", 3, {"timeouts": {"idle_s": 90.0, "receipt_s": 25.0}, "heartbeat": {"interval_s": 120.0}})
    publish(platform, "kiosk", 5, {"timeouts": {"idle_s": 75.0}})
    assert cc.fetch_and_stage(client, store) == {"group": "staged v3", "kiosk": "staged v5"}
    assert store.active() == {}                             # staged, not applied before an idle moment
    result = store.apply_pending()
    assert result.restart is True                           # heartbeat.* is declared "restart"
    assert "timeouts.idle_s" in result.changed and "heartbeat.interval_s" in result.changed
    config, sources = store.effective()
    assert config.timeouts.idle_s == 75.0 and sources["timeouts.idle_s"] == "kiosk bundle v5 (GD-CFG-0001)"
    assert config.timeouts.receipt_s == 25.0 and sources["timeouts.receipt_s"] == "group bundle v3 (canary)"
    assert config.heartbeat.interval_s == 120.0
    assert config.timeouts.countdown_s == 20.0 and sources["timeouts.countdown_s"] == "kiosk.toml"
    rows = {key: source for key, _value, source in cc.explain(config, sources)}
    assert rows["timeouts.card_read_s"] == "default"
    assert cc.fetch_and_stage(client, store) == {"group": "unchanged", "kiosk": "unchanged"}
    # A timeouts-only change is applied at runtime, without a restart.
    publish(platform, "kiosk", 6, {"timeouts": {"idle_s": 80.0}})
    assert cc.fetch_and_stage(client, store)["kiosk"] == "staged v6"
    assert store.apply_pending().restart is False
    assert store.summary()["active"]["kiosk"]["version"] == 6


def _signed(platform_key, raw: bytes) -> str:
    return base64.b64encode(platform_key.sign(cc.SIGNING_CONTEXT + raw)).decode()


def _doc(version=5, scope="kiosk", target=KIOSK_ID, settings=None) -> bytes:
    return json.dumps({"format": 1, "kind": "kiosk-config", "scope": scope, "target": target, "version": version,
                       "issued_at": "2026-12-03T08:00:00+00:00",
                       "settings": settings if settings is not None else {"timeouts": {"idle_s": 70.0}}}).encode()


@pytest.mark.faults
def test_bad_bundles_are_refused_and_the_active_one_stays(platform, platform_key, kiosk):
    toml, store, client = kiosk
    publish(platform, "kiosk", 4, {"timeouts": {"idle_s": 66.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    store.confirm_good()
    other_key = Ed25519PrivateKey.generate()
    good = _doc(version=5)
    truncated = good[: len(good) // 2]
    cases = {
        "bad signature": (good, base64.b64encode(other_key.sign(cc.SIGNING_CONTEXT + good)).decode(),
                          "signature_invalid"),
        "catalog-style signature (no context)": (good, base64.b64encode(platform_key.sign(good)).decode(),
                                                 "signature_invalid"),
        "no signature": (good, "", "signature_missing"),
        "wrong kiosk": (_doc(target="GD-OTHER-0002"), None, "wrong_target"),
        "group bundle as kiosk bundle": (_doc(scope="group", target=GROUP), None, "wrong_target"),
        "unknown key": (_doc(settings={"timeouts": {"idle_seconds": 70}}), None, "unknown_key"),
        "unknown section": (_doc(settings={"telemetry": {"on": True}}), None, "unknown_key"),
        "wrong type": (_doc(settings={"timeouts": {"idle_s": "90 s"}}), None, "wrong_type"),
        "local-only key": (_doc(settings={"kiosk": {"demo": False}}), None, "local_only"),
        "local-only section": (_doc(settings={"security": {"key_store": "file"}}), None, "local_only"),
        "invalid value": (_doc(settings={"timeouts": {"idle_s": -5.0}}), None, "invalid_value"),
        "rollback to an older version": (_doc(version=3), None, "rollback"),
        "same version, other content": (_doc(version=4), None, "rollback"),
        "truncated JSON, validly signed": (truncated, None, "not_json"),
        "truncated JSON, original signature": (truncated, _signed(platform_key, good), "signature_invalid"),
        "extra envelope key": (json.dumps({**json.loads(good), "extra": 1}).encode(), None, "bad_envelope"),
    }
    for name, (raw, signature, code) in cases.items():
        platform.config_bundles.put_raw("kiosk", KIOSK_ID, raw, signature if signature is not None
                                        else _signed(platform_key, raw))
        outcome = cc.fetch_and_stage(client, store)
        assert outcome["kiosk"] == f"refused: {code}", name
        assert store.pending() == {} and store.apply_pending() is None, name
        config, sources = store.effective()
        assert config.timeouts.idle_s == 66.0 and store.active()["kiosk"].version == 4, name
        assert store.summary()["last_refusal"]["code"] == code, name


def test_platform_serves_a_kiosk_only_its_own_bundle_when_signatures_are_on(tmp_path, platform_key):
    from kiosk.crypto import load_or_create_device_key
    from kiosk.signing import make_signer
    secret = load_or_create_device_key(tmp_path / "k.key")
    server = ReferencePlatformServer(tmp_path / "p.sqlite3", catalog_signing_key=platform_key,
                                     signature_keys={KIOSK_ID: secret, "GD-OTHER-0002": secret})
    server.start()
    try:
        server.config_bundles.publish("kiosk", "GD-OTHER-0002", 1, {"timeouts": {"idle_s": 70.0}})
        server.config_bundles.publish("kiosk", KIOSK_ID, 1, {"timeouts": {"idle_s": 70.0}})
        client = PlatformClient(server.base_url, KIOSK_ID, signer=make_signer("HMAC-SM3", secret))
        assert client.get_config_bundle("kiosk", KIOSK_ID) is not None
        from kiosk.platform import PlatformError
        with pytest.raises(PlatformError) as refused:
            client.get_config_bundle("kiosk", "GD-OTHER-0002")
        assert refused.value.status == 403
        assert client.get_config_bundle("group", "nobody") is None      # 404: no bundle for that group
    finally:
        server.stop()


@pytest.mark.faults
def test_failed_self_check_restores_the_last_good_and_never_reapplies_that_version(platform, kiosk):
    toml, store, client = kiosk
    publish(platform, "kiosk", 1, {"timeouts": {"idle_s": 61.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    store.confirm_good()
    publish(platform, "kiosk", 2, {"timeouts": {"idle_s": 62.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    assert store.effective()[0].timeouts.idle_s == 62.0 and store.summary()["trial"]
    store.restore_last_good("self-check failed: printer offline")
    assert store.effective()[0].timeouts.idle_s == 61.0
    assert store.summary()["restore_reason"] == "self-check failed: printer offline"
    assert cc.fetch_and_stage(client, store)["kiosk"] == "refused: refused_before"
    publish(platform, "kiosk", 3, {"timeouts": {"idle_s": 63.0}})          # the fixed release
    assert cc.fetch_and_stage(client, store)["kiosk"] == "staged v3"


@pytest.mark.faults
def test_a_kiosk_that_restarts_before_confirming_goes_back_to_the_last_good(platform, kiosk):
    toml, store, client = kiosk
    publish(platform, "group", 1, {"heartbeat": {"interval_s": 90.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    store.confirm_good()
    publish(platform, "group", 2, {"heartbeat": {"interval_s": 30.0}, "display": {"diagonal_in": 32.0}})
    cc.fetch_and_stage(client, store)
    assert store.apply_pending().restart is True
    assert store.note_start() is False                 # first start with the new set: on trial
    assert store.effective()[0].display.diagonal_in == 32.0
    assert store.note_start() is True                  # it died before its self-check: back to v1
    config, sources = store.effective()
    assert config.heartbeat.interval_s == 90.0 and config.display.diagonal_in == 21.5
    assert sources["heartbeat.interval_s"] == "group bundle v1 (canary)"


@pytest.mark.faults
def test_a_bundle_damaged_on_disk_is_not_used(platform, kiosk):
    toml, store, client = kiosk
    publish(platform, "kiosk", 1, {"timeouts": {"idle_s": 61.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    path = store.dir / "active" / "kiosk.json"
    path.write_bytes(path.read_bytes().replace(b"61.0", b"99.0"))
    config, sources = store.effective()
    assert config.timeouts.idle_s == 60.0 and sources["timeouts.idle_s"] == "kiosk.toml"
    # With the active file unusable, an older bundle is still a rollback: the highest version seen counts.
    path.unlink()
    platform.config_bundles.put_raw("kiosk", KIOSK_ID, b"", "")
    publish(platform, "kiosk", 1, {"timeouts": {"idle_s": 61.0}})      # the same version: accepted again
    assert cc.fetch_and_stage(client, store)["kiosk"] == "staged v1"
    store.apply_pending()
    publish(platform, "kiosk", 3, {"timeouts": {"idle_s": 63.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    for sub in ("active", "last-good"):
        for name in ("kiosk.json", "kiosk.sig"):
            (store.dir / sub / name).unlink(missing_ok=True)
    publish(platform, "kiosk", 2, {"timeouts": {"idle_s": 62.0}})
    assert cc.fetch_and_stage(client, store)["kiosk"] == "refused: rollback"


def test_explain_cli_shows_versions_values_and_sources(platform, kiosk):
    toml, store, client = kiosk
    publish(platform, "group", 7, {"timeouts": {"receipt_s": 25.0}})
    cc.fetch_and_stage(client, store)
    store.apply_pending()
    out = subprocess.run([sys.executable, "-m", "kiosk.central_config", "--explain", str(toml)], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "active: group v7" in out.stdout and "ON TRIAL" in out.stdout
    lines = {line.split()[0]: line for line in out.stdout.splitlines()[1:]}
    assert "group bundle v7 (canary); runtime" in lines["timeouts.receipt_s"]
    assert "[kiosk.toml; runtime]" in lines["timeouts.idle_s"]
    assert "[kiosk.toml; local]" in lines["kiosk.id"]
    assert "[default; restart]" in lines["heartbeat.interval_s"]
    show = subprocess.run([sys.executable, "main.py", "config", "show", "--config", str(toml)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert show.returncode == 0 and show.stdout == out.stdout, show.stderr


@pytest.mark.faults
def test_network_faults_during_a_fetch_leave_the_active_bundle_in_force(tmp_path, platform, kiosk):
    """Through tests/fault_proxy.py: a cut connection, a truncated reply, garbage, a 503 and a reply
    held past the read timeout are each "unreachable" or refused; the active set stays; then it works."""
    from tests.fault_proxy import FaultProxy
    toml, store, _client = kiosk
    publish(platform, "kiosk", 1, {"timeouts": {"idle_s": 61.0}})
    publish(platform, "group", 1, {"timeouts": {"receipt_s": 21.0}})
    direct = PlatformClient(platform.base_url, KIOSK_ID, connect_timeout=1.0, read_timeout=3.0)
    cc.fetch_and_stage(direct, store)
    store.apply_pending()
    store.confirm_good()
    publish(platform, "kiosk", 2, {"timeouts": {"idle_s": 62.0}})
    proxy = FaultProxy("127.0.0.1", platform.port, delay_s=1.5)
    url = proxy.start()
    client = PlatformClient(url, KIOSK_ID, connect_timeout=0.5, read_timeout=0.5)
    try:
        for fault in ("drop_before", "reset_after", "truncate", "garbage_json", "503", "delay"):
            proxy.plan.extend(["pass", fault])            # group bundle passes, the kiosk bundle meets the fault
            outcome = cc.fetch_and_stage(client, store)
            assert outcome["kiosk"] == "unreachable" or outcome["kiosk"].startswith("refused: signature"), (
                fault, outcome)
            assert store.pending() == {} and store.active()["kiosk"].version == 1, fault
            assert store.effective()[0].timeouts.idle_s == 61.0
        assert cc.fetch_and_stage(client, store)["kiosk"] == "staged v2"
    finally:
        client.close()
        direct.close()
        proxy.stop()
