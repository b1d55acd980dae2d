"""Catalog cache: only a catalog that parses, validates and (when configured) verifies replaces the
last good one; everything else keeps the old one and raises a technician alert."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.platform import PlatformClient
from offline_cache.catalog_cache import CatalogCache, CatalogRejected, Ed25519CatalogVerifier
from reference_platform.server import ReferencePlatformServer

CATALOG_JSON = Path(__file__).resolve().parents[1] / "reference_platform" / "catalog.json"


@pytest.fixture
def good() -> bytes:
    return CATALOG_JSON.read_bytes()


def test_good_catalog_is_accepted_persisted_and_reloaded(tmp_path, good):
    cache = CatalogCache(tmp_path / "catalog.json")
    assert cache.load() is None
    catalog = cache.accept(good)
    assert catalog == json.loads(good)
    assert CatalogCache(tmp_path / "catalog.json").load() == catalog
    assert cache.alerts() == []


@pytest.mark.parametrize("mutate, code", [
    (lambda raw: raw[: len(raw) // 2], "not_json"),                                   # truncated download
    (lambda raw: b"\x00\xff" + raw, "not_json"),
    (lambda raw: b"[1, 2, 3]", "not_json"),
    (lambda raw: json.dumps({**json.loads(raw), "services": "nope"}).encode(), "schema_invalid"),
    (lambda raw: json.dumps({"version": "2"}).encode(), "schema_invalid"),
])
def test_bad_catalog_keeps_the_last_good_one_and_alerts(tmp_path, good, mutate, code):
    cache = CatalogCache(tmp_path / "catalog.json")
    cache.accept(good)
    with pytest.raises(CatalogRejected) as info:
        cache.accept(mutate(good))
    assert info.value.code == code
    assert (tmp_path / "catalog.json").read_bytes() == good
    assert cache.load() == json.loads(good)
    assert [a.code for a in cache.alerts()] == [code]


@pytest.mark.faults
def test_corrupt_cache_file_on_disk_is_not_trusted(tmp_path, good):
    (tmp_path / "catalog.json").write_bytes(good[:100])
    cache = CatalogCache(tmp_path / "catalog.json")
    assert cache.load() is None
    assert [a.code for a in cache.alerts()] == ["cache_corrupt"]


def test_validator_is_resolved_by_name(tmp_path, good):
    cache = CatalogCache(tmp_path / "catalog.json", validator="json:dumps")   # accepts anything serialisable
    assert cache.accept(b'{"anything": 1}') == {"anything": 1}
    with pytest.raises(ModuleNotFoundError):
        CatalogCache(tmp_path / "c2.json", validator="no_such_module:f").accept(good)


@pytest.fixture
def signing():
    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return key, Ed25519CatalogVerifier(pem)


def test_signed_catalog_from_the_platform_verifies_end_to_end(tmp_path, signing):
    key, verifier = signing
    server = ReferencePlatformServer(tmp_path / "p.sqlite3", catalog_signing_key=key)
    url = server.start()
    try:
        raw, signature = PlatformClient(url, "K-1").get_catalog_raw()
    finally:
        server.stop()
    cache = CatalogCache(tmp_path / "catalog.json", verifier=verifier)
    assert cache.accept(raw, signature)["services"]
    assert (tmp_path / "catalog.json").read_bytes() == raw


def test_bad_or_missing_signature_is_refused(tmp_path, good, signing):
    key, verifier = signing
    cache = CatalogCache(tmp_path / "catalog.json", verifier=verifier)
    cache.accept(good, base64.b64encode(key.sign(good)).decode())
    altered = good.replace(b'"version"', b'"version" ', 1)      # still valid JSON, different bytes
    for signature, code in [(None, "signature_missing"), (key.sign(good), "signature_invalid"),
                            (Ed25519PrivateKey.generate().sign(altered), "signature_invalid"),
                            ("***", "signature_invalid")]:
        with pytest.raises(CatalogRejected) as info:
            cache.accept(altered, signature)
        assert info.value.code == code
    assert (tmp_path / "catalog.json").read_bytes() == good
    with pytest.raises(CatalogRejected):
        cache.save(json.loads(good))        # a dict cannot be verified: refused when signatures are required
