"""Finding 5: the catalog signature is checked when a key is configured, the platform is
https unless it is on this machine (or explicitly marked insecure), and a refused catalog
keeps the last good one and tells the technician why."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.app import build_kiosk
from kiosk.config import ConfigError, PlatformSection, config_from_dict
from reference_platform.catalog import DEFAULT_CATALOG_PATH
from reference_platform.catalog_signing import load_or_create_signing_key, public_key_pem, write_public_key
from reference_platform.server import ReferencePlatformServer
from tests.conftest import kiosk_config
from tests.ux_helpers import InstantFaceVerifier

REFERENCE_VERSION = json.loads(DEFAULT_CATALOG_PATH.read_bytes())["version"]


def platform_config(**platform) -> None:
    config_from_dict({"platform": platform}, demo=True)


# --- configuration --------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://192.0.2.10:8700", "http://platform.example.gov.cn/api"])
def test_plain_http_to_another_host_is_refused(url):
    with pytest.raises(ConfigError) as error:
        platform_config(url=url)
    assert error.value.key == "platform.url" and "https" in str(error.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8700", "http://127.5.0.1", "http://localhost:8700",
                                 "http://[::1]:8700", "https://platform.example.gov.cn"])
def test_https_or_loopback_is_accepted(url):
    platform_config(url=url)


def test_plain_http_to_another_host_only_when_explicitly_marked_insecure():
    platform_config(url="http://192.0.2.10:8700", allow_insecure_http=True)
    with pytest.raises(ConfigError, match="expected true or false"):
        platform_config(url="http://192.0.2.10:8700", allow_insecure_http="yes")


def test_catalog_public_key_must_be_a_readable_ed25519_key(tmp_path):
    with pytest.raises(ConfigError) as error:
        platform_config(catalog_public_key=str(tmp_path / "missing.pem"))
    assert error.value.key == "platform.catalog_public_key"
    (tmp_path / "garbage.pem").write_text("not a key")
    with pytest.raises(ConfigError, match="not a PEM public key"):
        platform_config(catalog_public_key=str(tmp_path / "garbage.pem"))
    ec = generate_private_key(SECP256R1()).public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "ec.pem").write_bytes(ec)
    with pytest.raises(ConfigError, match="not an Ed25519 public key"):
        platform_config(catalog_public_key=str(tmp_path / "ec.pem"))
    good = write_public_key(Ed25519PrivateKey.generate(), tmp_path / "good.pem")
    platform_config(catalog_public_key=str(good))


def test_new_keys_are_declared_once_with_help_text_and_documented():
    import dataclasses
    repo = Path(__file__).resolve().parents[1]
    fields = {f.name: f for f in dataclasses.fields(PlatformSection)}
    for name in ("catalog_public_key", "allow_insecure_http"):
        assert len(fields[name].metadata.get("help", "")) > 40, name
        for doc in ("kiosk.toml", "docs/deploy.md"):
            assert name in (repo / doc).read_text(encoding="utf-8"), (name, doc)
    assert fields["catalog_public_key"].default == "" and fields["allow_insecure_http"].default is False


# --- the running kiosk --------------------------------------------------------------------

# The platform's copy is asked for after the cached one is published, which includes building its
# search index in a child process: 1-4 s on a quiet machine, over 10 s with four test workers on two cores.
CATALOG_WAIT_MS = 40_000


def start_kiosk(qtbot, tmp_path, url: str, public_key: Path | None):
    overrides = {"platform": {"catalog_public_key": str(public_key)}} if public_key else {}
    config = kiosk_config(tmp_path, url, **overrides)
    parts = build_kiosk(config, face_verifier=InstantFaceVerifier())
    qtbot.addWidget(parts.window)
    parts.controller.open()
    return parts


@pytest.fixture
def signed_platform(tmp_path):
    """A reference platform whose catalog (a changed version) is signed by its own key."""
    catalog = json.loads(DEFAULT_CATALOG_PATH.read_bytes())
    catalog["version"] = "from-the-platform"
    (tmp_path / "served.json").write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    key = load_or_create_signing_key(tmp_path / "platform-catalog.pem")
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", catalog_path=tmp_path / "served.json",
                                     catalog_signing_key=key)
    server.start()
    yield server, key
    server.stop()


def seed_last_good_catalog(tmp_path) -> bytes:
    cache = tmp_path / "kiosk-data" / "catalog.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_CATALOG_PATH, cache)
    return cache.read_bytes()


@pytest.mark.slow
def test_a_catalog_signed_with_another_key_keeps_the_last_good_one(qtbot, tmp_path, signed_platform):
    server, _key = signed_platform
    last_good = seed_last_good_catalog(tmp_path)
    other = write_public_key(Ed25519PrivateKey.generate(), tmp_path / "other.pem")
    parts = start_kiosk(qtbot, tmp_path, server.base_url, other)
    try:
        view = parts.controller.view
        qtbot.waitUntil(lambda: view.catalog_error is not None and "signature" in view.catalog_error, timeout=CATALOG_WAIT_MS)
        assert parts.controller.session.catalog.version == REFERENCE_VERSION    # the last good one
        assert (tmp_path / "kiosk-data" / "catalog.json").read_bytes() == last_good
        from kiosk.diagnostics import check_catalog_cache
        check = check_catalog_cache(parts.controller.catalog_cache)           # the technician's Catalog page
        assert "signature_invalid" in (check.warning or ""), check
    finally:
        parts.close()


def test_an_unsigned_catalog_is_refused_when_a_key_is_configured(qtbot, tmp_path):
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3")          # does not sign
    server.start()
    key = write_public_key(Ed25519PrivateKey.generate(), tmp_path / "key.pem")
    parts = start_kiosk(qtbot, tmp_path, server.base_url, key)
    try:
        view = parts.controller.view
        qtbot.waitUntil(lambda: view.catalog_error is not None, timeout=CATALOG_WAIT_MS)
        assert "no signature" in view.catalog_error and not view.catalog_loaded
    finally:
        parts.close()
        server.stop()


def test_the_matching_key_loads_the_signed_catalog(qtbot, tmp_path, signed_platform):
    """What the demo does: the reference platform signs, the kiosk has the public key."""
    server, key = signed_platform
    seed_last_good_catalog(tmp_path)
    public = tmp_path / "public.pem"
    public.write_bytes(public_key_pem(key))
    parts = start_kiosk(qtbot, tmp_path, server.base_url, public)
    try:
        qtbot.waitUntil(lambda: parts.controller.session.catalog is not None
                        and parts.controller.session.catalog.version == "from-the-platform", timeout=CATALOG_WAIT_MS)
        assert parts.controller.view.catalog_error is None
    finally:
        parts.close()

