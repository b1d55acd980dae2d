"""Request signatures (HMAC-SM3, KSIG1) and TLS/mTLS against the real reference platform on 127.0.0.1.

The TLS tests generate a throw-away CA, a server certificate for 127.0.0.1 and client
certificates with `cryptography.x509`, and run uvicorn with client certificates required.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac as std_hmac
import ipaddress
import ssl
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.platform import PlatformClient, PlatformError
from kiosk.signing import HmacSm3Signer, canonical_message, make_signer, signature_headers
from reference_platform.server import ReferencePlatformServer
from tests.test_platform_client import KIOSK_ID, application_body

KEY = bytes(range(32))


def test_hmac_sm3_equals_the_rfc2104_construction_from_the_stdlib_hash():
    """Two independent implementations: cryptography's HMAC(SM3) and stdlib hmac over OpenSSL's sm3."""
    try:
        hashlib.new("sm3")
    except ValueError:
        pytest.skip("this Python's OpenSSL has no sm3 in hashlib")  # the cryptography wheel always has it
    message = canonical_message("POST", "/applications", KIOSK_ID, "1700000000", "ab" * 16, "00" * 32)
    assert HmacSm3Signer(KEY).sign(message) == std_hmac.new(KEY, message, "sm3").digest()


def test_signer_registry_and_short_keys():
    assert make_signer("HMAC-SM3", KEY).algorithm == "HMAC-SM3"
    with pytest.raises(ValueError):
        make_signer("SM2-SM3", KEY)       # not implemented yet: refused by name, not silently unsigned
    with pytest.raises(ValueError):
        HmacSm3Signer(b"short")


@pytest.fixture
def signed_platform(tmp_path):
    skew = {"offset": 0.0}
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", signature_keys={KIOSK_ID: KEY},
                                     signature_window_s=300, signature_clock=lambda: time.time() + skew["offset"])
    url = server.start()
    yield server, url, skew
    server.stop()


def signed_client(url, key=KEY, kiosk_id=KIOSK_ID):
    return PlatformClient(url, kiosk_id, connect_timeout=1, read_timeout=5, signer=HmacSm3Signer(key))


def test_signed_requests_are_accepted_and_unsigned_ones_refused(signed_platform):
    server, url, _ = signed_platform
    app_id = str(uuid.uuid4())
    reply = signed_client(url).submit("application", app_id, application_body(app_id))
    assert reply["application_number"]
    with pytest.raises(PlatformError) as info:
        PlatformClient(url, KIOSK_ID).get_catalog()
    assert (info.value.status, info.value.server_code, info.value.retryable) == (401, "signature_missing", False)
    with pytest.raises(PlatformError) as info:
        signed_client(url, key=b"k" * 32).get_catalog()
    assert info.value.server_code == "signature_invalid"
    assert server.store.application_count() == 1


@pytest.mark.parametrize("offset, accepted", [(200.0, True), (-200.0, True), (400.0, False), (-400.0, False)])
def test_clock_skew_window(signed_platform, offset, accepted):
    _, url, skew = signed_platform
    skew["offset"] = offset
    client = signed_client(url)
    if accepted:
        assert client.get_catalog()["services"]
    else:
        with pytest.raises(PlatformError) as info:
            client.get_catalog()
        assert (info.value.status, info.value.server_code) == (401, "signature_expired")


def _raw_signed_post(url, body: bytes, nonce: str, headers_override=None):
    headers = signature_headers(HmacSm3Signer(KEY), method="POST", path="/heartbeat", kiosk_id=KIOSK_ID,
                                body=body, nonce=nonce)
    headers.update(headers_override or {})
    return requests.post(url + "/heartbeat", data=body, timeout=5,
                         headers={**headers, "Content-Type": "application/json"})


def heartbeat_bytes() -> bytes:
    return (b'{"kiosk_id": "%s", "sent_at": "2026-01-01T00:00:00+08:00", "devices": {}, "paper": "ok",'
            b' "queue": {"pending": 0, "dead": 0, "oldest_pending_age_s": null}}' % KIOSK_ID.encode())


@pytest.mark.slow
def test_replayed_nonce_is_refused_even_after_a_platform_restart(signed_platform):
    server, url, _ = signed_platform
    body = heartbeat_bytes()
    nonce = "0123456789abcdef0123456789abcdef"
    assert _raw_signed_post(url, body, nonce).status_code == 200
    again = _raw_signed_post(url, body, nonce)
    assert again.status_code == 401 and again.json()["error"]["code"] == "nonce_replayed"
    server.stop()
    server.start()
    assert _raw_signed_post(url, body, nonce).json()["error"]["code"] == "nonce_replayed"
    assert _raw_signed_post(url, body, "f" * 32).status_code == 200


def test_body_and_signature_tampering_is_detected(signed_platform):
    _, url, _ = signed_platform
    body = heartbeat_bytes()
    headers = signature_headers(HmacSm3Signer(KEY), method="POST", path="/heartbeat", kiosk_id=KIOSK_ID,
                                body=body)
    tampered = body.replace(b'"ok"', b'"out"')
    r = requests.post(url + "/heartbeat", data=tampered, headers=headers, timeout=5)
    assert r.status_code == 401 and r.json()["error"]["code"] == "digest_mismatch"
    other_path = signature_headers(HmacSm3Signer(KEY), method="POST", path="/ratings", kiosk_id=KIOSK_ID, body=body)
    r = requests.post(url + "/heartbeat", data=body, headers=other_path, timeout=5)
    assert r.status_code == 401 and r.json()["error"]["code"] == "signature_invalid"


def test_a_kiosk_cannot_submit_in_another_kiosks_name(signed_platform, tmp_path):
    server, url, _ = signed_platform
    server.signature_verifier.keys["OTHER-KIOSK"] = b"o" * 32
    app_id = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        signed_client(url, key=b"o" * 32, kiosk_id="OTHER-KIOSK").submit("application", app_id,
                                                                         application_body(app_id))
    assert (info.value.status, info.value.server_code) == (403, "kiosk_mismatch")
    assert server.store.application_count() == 0


def test_every_retry_is_signed_afresh_and_still_deduplicated(signed_platform):
    server, url, _ = signed_platform
    server.faults.drop_after_commit_next(1)
    client = signed_client(url)
    app_id = str(uuid.uuid4())
    body = application_body(app_id)
    with pytest.raises(PlatformError):
        client.submit("application", app_id, body)   # committed, response lost
    reply = client.submit("application", app_id, body)   # same key and body, new nonce and timestamp
    assert reply["application_number"] == server.store.applications()[0]["application_number"]
    assert server.store.application_count() == 1
    assert server.store.nonce_count() == 2


# --- TLS and client certificates --------------------------------------------------------------

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(key, path: Path):
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _issue(ca_key, ca_cert, cn, path_prefix: Path, *, server: bool):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                        critical=False)
        usage = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH
    else:
        usage = x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    path_prefix.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, path_prefix.with_suffix(".key"))
    return str(path_prefix.with_suffix(".crt")), str(path_prefix.with_suffix(".key"))


def _make_ca(directory: Path, cn: str):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    path = directory / f"{cn}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, str(path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca_key, ca_cert, ca_pem = _make_ca(d, "test-platform-ca")
    rogue_key, rogue_cert, _ = _make_ca(d, "rogue-ca")
    return {
        "ca": ca_pem,
        "server": _issue(ca_key, ca_cert, "platform", d / "server", server=True),
        "kiosk": _issue(ca_key, ca_cert, KIOSK_ID, d / "kiosk", server=False),
        "rogue_kiosk": _issue(rogue_key, rogue_cert, KIOSK_ID, d / "rogue", server=False),
    }


@pytest.fixture
def mtls_platform(tmp_path, pki):
    cert, key = pki["server"]
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", signature_keys={KIOSK_ID: KEY}, tls={
        "ssl_certfile": cert, "ssl_keyfile": key, "ssl_ca_certs": pki["ca"], "ssl_cert_reqs": ssl.CERT_REQUIRED})
    url = server.start()
    yield server, url
    server.stop()


def test_mtls_with_the_kiosk_certificate_and_the_pinned_ca(mtls_platform, pki, monkeypatch):
    server, url = mtls_platform
    # As on this CI image: an environment CA bundle must not replace the pinned platform CA.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert url.startswith("https://127.0.0.1:")
    client = PlatformClient(url, KIOSK_ID, ca_bundle=pki["ca"], client_cert=pki["kiosk"], signer=HmacSm3Signer(KEY))
    app_id = str(uuid.uuid4())
    assert client.submit("application", app_id, application_body(app_id))["application_number"]
    assert server.store.application_count() == 1


@pytest.mark.parametrize("case", ["no_client_cert", "client_cert_from_another_ca", "server_not_in_trust_store"])
def test_tls_failures_are_retryable_transport_errors_and_nothing_is_stored(mtls_platform, pki, case):
    server, url = mtls_platform
    kwargs = {"ca_bundle": pki["ca"], "client_cert": pki["kiosk"]}
    if case == "no_client_cert":
        kwargs.pop("client_cert")
    elif case == "client_cert_from_another_ca":
        kwargs["client_cert"] = pki["rogue_kiosk"]
    else:
        kwargs.pop("ca_bundle")       # system trust store: our test CA is not in it
    client = PlatformClient(url, KIOSK_ID, connect_timeout=2, read_timeout=3, signer=HmacSm3Signer(KEY), **kwargs)
    app_id = str(uuid.uuid4())
    with pytest.raises(PlatformError) as info:
        client.submit("application", app_id, application_body(app_id))
    assert info.value.retryable and info.value.code in ("tls_error", "connection_error")
    if case == "server_not_in_trust_store":
        assert info.value.code == "tls_error"
    assert server.store.application_count() == 0
