"""Key store: the device key and the request-signing key as sealed systemd credentials, not as two
plain files next to the outbox that a disk thief copies together with it.

systemd-creds works in this container (no systemd as PID 1, so LoadCredentialEncrypted= itself
cannot run here): the tests seal keys with `systemd-creds encrypt --with-key=host` and decrypt
them with `systemd-creds decrypt` into a directory exactly as systemd does for the unit, then run
the kiosk's loading path from that $CREDENTIALS_DIRECTORY. The unit's directives are checked by
`systemd-analyze verify` (tests/test_deploy_files.py) and against the credential names here.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from kiosk.config import ConfigError, config_from_dict
from kiosk.crypto import load_or_create_device_key
from kiosk.diagnostics import check_key_store
from kiosk.keystore import CREDENTIALS_ENV, DEVICE_KEY_CREDENTIAL, SIGNING_KEY_CREDENTIAL
from offline_cache.outbox import Outbox, Submission, UndecryptableEntry

REPO = Path(__file__).resolve().parents[1]


def systemd_creds(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-creds", *args], input=data, capture_output=True, timeout=60)


@pytest.fixture
def sealed_credentials(tmp_path, monkeypatch):
    """Both keys sealed as .cred files (as provisioning does), then decrypted into a credentials
    directory (as systemd does at service start). Returns (creds dir, {name: key bytes}, cred files)."""
    if shutil.which("systemd-creds") is None:
        pytest.skip("systemd-creds is not installed (Debian package systemd; scripts/bootstrap.sh installs it)")
    store, creds = tmp_path / "etc-kiosk-credentials", tmp_path / "run-credentials"
    store.mkdir()
    creds.mkdir(mode=0o700)
    keys, sealed = {}, {}
    for name in (DEVICE_KEY_CREDENTIAL, SIGNING_KEY_CREDENTIAL):
        keys[name] = secrets.token_bytes(32)
        sealed[name] = store / f"{name}.cred"
        result = systemd_creds("encrypt", "--with-key=host", f"--name={name}", "-", str(sealed[name]), data=keys[name])
        if result.returncode != 0:
            pytest.skip(f"systemd-creds cannot encrypt here (root needed for the host key): {result.stderr.decode()}")
        result = systemd_creds("decrypt", f"--name={name}", str(sealed[name]), str(creds / name))
        assert result.returncode == 0, result.stderr.decode()
        os.chmod(creds / name, 0o400)        # as systemd leaves them: read-only, the service user's
    monkeypatch.setenv(CREDENTIALS_ENV, str(creds))
    return creds, keys, sealed


def creds_config(tmp_path, **security):
    return config_from_dict({"kiosk": {"data_dir": str(tmp_path / "data")},
                             "security": {"key_store": "systemd-creds", **security}}, demo=True)


def application(sid: str) -> Submission:
    return Submission(sid, "application", {"submission_id": sid, "name": "张三丰", "id_number": "441202193801011234"},
                      time.time())


def test_sealed_credentials_hold_no_key_in_clear_and_are_bound_to_their_name(sealed_credentials):
    _creds, keys, sealed = sealed_credentials
    for name, path in sealed.items():
        assert keys[name] not in path.read_bytes() and keys[name].hex().encode() not in path.read_bytes()
    swapped = systemd_creds("decrypt", f"--name={SIGNING_KEY_CREDENTIAL}", str(sealed[DEVICE_KEY_CREDENTIAL]), "-")
    assert swapped.returncode != 0          # a credential cannot be loaded under another name


def test_kiosk_reads_its_keys_from_the_credentials_directory_and_none_from_data_dir(tmp_path, sealed_credentials):
    creds, keys, _sealed = sealed_credentials
    config = creds_config(tmp_path)
    assert config.device_key_path == creds / DEVICE_KEY_CREDENTIAL
    assert config.signing_key_path == creds / SIGNING_KEY_CREDENTIAL
    assert load_or_create_device_key(config.signing_key_path) == keys[SIGNING_KEY_CREDENTIAL]
    sid = str(uuid.uuid4())
    outbox = Outbox(config.outbox_path, config.device_key_path)
    outbox.enqueue(application(sid))
    outbox.close()
    # The disk thief: a copy of the data directory holds the outbox and no key at all.
    assert sorted(p.name for p in config.data_dir.iterdir() if p.name.endswith(".key")) == []
    thief = tmp_path / "stolen"
    shutil.copytree(config.data_dir, thief)
    stolen = Outbox(thief / "outbox.sqlite3", thief / "device.key")     # no key there: a new one is made
    with pytest.raises(UndecryptableEntry):
        stolen.claim_next(now=float("inf"))
    stolen.close()
    # The kiosk, with its credential, still opens it.
    outbox = Outbox(config.outbox_path, config.device_key_path)
    entry, body = outbox.claim_next(now=float("inf"))
    assert entry.submission_id == sid and body["id_number"] == "441202193801011234"
    outbox.close()


def test_missing_credentials_stop_the_kiosk_with_one_line_naming_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv(CREDENTIALS_ENV, raising=False)
    with pytest.raises(ConfigError) as info:
        creds_config(tmp_path)
    assert info.value.key == "security.key_store" and CREDENTIALS_ENV in str(info.value)
    monkeypatch.setenv(CREDENTIALS_ENV, str(tmp_path))
    with pytest.raises(ConfigError) as info:
        creds_config(tmp_path)
    assert info.value.key == "security.key_store" and DEVICE_KEY_CREDENTIAL in str(info.value)


@pytest.mark.parametrize("raw,key", [
    ({"security": {"key_store": "tpm"}}, "security.key_store"),
    ({"security": {"key_store": 1}}, "security.key_store"),
])
def test_key_store_is_validated(raw, key):
    with pytest.raises(ConfigError) as info:
        config_from_dict(raw, demo=True)
    assert info.value.key == key


def test_plain_file_paths_are_refused_with_systemd_creds(tmp_path, sealed_credentials):
    with pytest.raises(ConfigError) as info:
        creds_config(tmp_path, device_key_path=str(tmp_path / "device.key"))
    assert info.value.key == "security.device_key_path"


def test_plain_file_store_is_the_default_and_diagnose_warns_about_it(tmp_path):
    config = config_from_dict({"kiosk": {"data_dir": str(tmp_path)}}, demo=True)
    assert config.security.key_store == "file" and config.device_key_path == tmp_path / "device.key"
    check = check_key_store("file", tmp_path)
    assert check.ok and "plain files" in check.summary
    if check.details["data_dir_encrypted"] is not True:
        assert "full-disk encryption" in check.warning
    assert check_key_store("systemd-creds", tmp_path).warning is None


def test_the_unit_loads_both_credentials_sealed():
    lines = (REPO / "deploy" / "kiosk.service").read_text().splitlines()
    loaded = [line.split("=", 1)[1] for line in lines if line.startswith("LoadCredentialEncrypted=")]
    assert sorted(item.split(":", 1)[0] for item in loaded) == sorted([DEVICE_KEY_CREDENTIAL, SIGNING_KEY_CREDENTIAL])
    assert all(item.split(":", 1)[1].startswith("/etc/kiosk/credentials/") for item in loaded)
    assert not any(line.startswith("LoadCredential=") for line in lines)     # never the unsealed variant
    admin = (REPO / "deploy" / "kiosk-admin").read_text()
    assert all(f"LoadCredentialEncrypted={item}" in admin for item in loaded)
