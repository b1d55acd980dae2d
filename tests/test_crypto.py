"""Encryption at rest: published 国密 vectors, envelope sealing, tamper detection, key file rules."""
from __future__ import annotations

import os
import stat

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kiosk import crypto
from kiosk.crypto import (
    ALG_AES_256_GCM,
    ALG_SM4_GCM,
    DecryptionError,
    EnvelopeCipher,
    KeyFileError,
    aead_decrypt,
    aead_encrypt,
    load_or_create_device_key,
)

KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")


def test_sm4_block_cipher_matches_gbt_32907_vector():
    encryptor = Cipher(algorithms.SM4(KEY), modes.ECB()).encryptor()
    assert encryptor.update(KEY) + encryptor.finalize() == bytes.fromhex("681EDF34D206965E86B3E94F536E4246")


def test_sm4_gcm_matches_rfc8998_a1_vector():
    iv = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = b"".join(bytes([b]) * 8 for b in (0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0xEE, 0xAA))
    assert len(plaintext) == 64
    sealed = aead_encrypt(ALG_SM4_GCM, KEY, iv, plaintext, aad)
    ciphertext, tag = sealed[:-16], sealed[-16:]
    assert ciphertext == bytes.fromhex(
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert tag == bytes.fromhex("83DE3541E4C2B58177E065A9BF7B62EC")
    assert aead_decrypt(ALG_SM4_GCM, KEY, iv, sealed, aad) == plaintext


def test_sm3_matches_gbt_32905_vector():
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_self_test_passes_on_this_backend():
    crypto.assert_sm4_gcm_supported()


def test_self_test_fails_closed_when_backend_is_wrong(monkeypatch):
    monkeypatch.setattr(crypto, "_KAT_CIPHERTEXT_AND_TAG", b"\x00" * 80)
    with pytest.raises(crypto.CryptoUnavailableError):
        crypto.assert_sm4_gcm_supported()


def test_wrong_aad_and_tampered_ciphertext_are_refused():
    iv = os.urandom(12)
    sealed = aead_encrypt(ALG_SM4_GCM, KEY, iv, b"secret", b"record-1")
    with pytest.raises(DecryptionError, match="authentication failed"):
        aead_decrypt(ALG_SM4_GCM, KEY, iv, sealed, b"record-2")
    flipped = bytes([sealed[0] ^ 1]) + sealed[1:]
    with pytest.raises(DecryptionError):
        aead_decrypt(ALG_SM4_GCM, KEY, iv, flipped, b"record-1")


@pytest.mark.parametrize("alg", [ALG_SM4_GCM, ALG_AES_256_GCM])
def test_envelope_round_trip_and_binding(tmp_path, alg):
    kek = load_or_create_device_key(tmp_path / "device.key")
    envelope = EnvelopeCipher(kek, alg=alg)
    sealed = envelope.seal("sub-1", 1, b'{"id_number": "441202193801011234"}')
    assert sealed.alg == alg
    assert b"441202193801011234" not in sealed.ciphertext + sealed.wrapped_dek
    assert envelope.open("sub-1", 1, sealed) == b'{"id_number": "441202193801011234"}'
    # The ciphertext of one submission cannot be passed off as another's, nor as another schema.
    with pytest.raises(DecryptionError):
        envelope.open("sub-2", 1, sealed)
    with pytest.raises(DecryptionError):
        envelope.open("sub-1", 2, sealed)
    # Another device's key cannot unwrap the data key.
    other = EnvelopeCipher(load_or_create_device_key(tmp_path / "other.key"), alg=alg)
    with pytest.raises(DecryptionError):
        other.open("sub-1", 1, sealed)


def test_records_keep_their_algorithm_after_default_changes(tmp_path):
    kek = load_or_create_device_key(tmp_path / "device.key")
    old = EnvelopeCipher(kek, alg=ALG_AES_256_GCM).seal("sub-1", 1, b"body")
    assert EnvelopeCipher(kek, alg=ALG_SM4_GCM).open("sub-1", 1, old) == b"body"


def test_each_record_gets_fresh_data_key_and_nonce(tmp_path):
    envelope = EnvelopeCipher(load_or_create_device_key(tmp_path / "device.key"))
    first, second = envelope.seal("s", 1, b"same"), envelope.seal("s", 1, b"same")
    assert first.nonce != second.nonce and first.wrapped_dek != second.wrapped_dek
    assert first.ciphertext != second.ciphertext


def test_unknown_algorithm_is_refused(tmp_path):
    with pytest.raises(crypto.CryptoError, match="unknown encryption algorithm"):
        EnvelopeCipher(load_or_create_device_key(tmp_path / "k"), alg="DES")


def test_key_file_is_created_0600_and_reused(tmp_path):
    path = tmp_path / "keys" / "device.key"
    key = load_or_create_device_key(path)
    assert len(key) == crypto.KEK_LEN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_device_key(path) == key


def test_key_file_readable_by_group_is_refused(tmp_path):
    path = tmp_path / "device.key"
    load_or_create_device_key(path)
    path.chmod(0o640)
    with pytest.raises(KeyFileError, match="0640"):
        load_or_create_device_key(path)


def test_key_file_with_wrong_length_is_refused(tmp_path):
    path = tmp_path / "device.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"short")
    os.close(fd)
    with pytest.raises(KeyFileError, match="expected 32 bytes, found 5"):
        load_or_create_device_key(path)


def test_key_file_symlink_is_refused(tmp_path):
    real = tmp_path / "real.key"
    load_or_create_device_key(real)
    link = tmp_path / "link.key"
    link.symlink_to(real)
    with pytest.raises(KeyFileError, match="link.key"):
        load_or_create_device_key(link)
