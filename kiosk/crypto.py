"""Encryption at rest for queued submissions (envelope encryption, 国密 by default).

Every record gets its own random data key (DEK). The record is sealed with an AEAD
(SM4-GCM by default, AES-256-GCM when selected by name) and the DEK is itself sealed
("wrapped") with the device key-encryption key (KEK), using the same AEAD. Only the
wrapped DEK is stored next to the ciphertext, so deleting it crypto-shreds the record
(overwriting ciphertext is unreliable on flash storage with wear levelling).

The AAD binds a ciphertext to its record (submission id + schema version), and the
wrapped DEK to its record and algorithm, so rows cannot be swapped or replayed into
another submission without the authentication failing.

The KEK lives in a file outside the database (mode 0600). That protects against
other local users only; a TPM / systemd-creds / 国密 module can replace
`load_or_create_device_key` later without touching callers.

pyca/cryptography has no SM4-GCM AEAD class, so SM4 runs through `Cipher(SM4, GCM)`.
Its availability depends on the bundled OpenSSL: `assert_sm4_gcm_supported()` runs a
known-answer test (RFC 8998 A.1) and fails closed.
"""
from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALG_SM4_GCM = "SM4-GCM"
ALG_AES_256_GCM = "AES-256-GCM"
DEFAULT_ALG = ALG_SM4_GCM

NONCE_LEN = 12          # 96-bit IV: the GCM fast path, random per encryption
TAG_LEN = 16
KEK_LEN = 32            # master device key; per-algorithm wrapping keys are derived from it

# Data-key length per algorithm (SM4 is a 128-bit cipher; AES-256 wants 32 bytes).
_KEY_LEN = {ALG_SM4_GCM: 16, ALG_AES_256_GCM: 32}
_CIPHER = {ALG_SM4_GCM: algorithms.SM4, ALG_AES_256_GCM: algorithms.AES}


class CryptoError(Exception):
    """Base class for encryption-at-rest failures."""


class CryptoUnavailableError(CryptoError):
    """The crypto backend cannot do SM4-GCM correctly; refuse to store personal data."""


class DecryptionError(CryptoError):
    """Authentication failed: wrong key, tampered ciphertext or AAD of another record."""


class KeyFileError(CryptoError):
    """The device key file is missing, unsafe (group/other permissions) or malformed."""


def supported_algorithms() -> tuple[str, ...]:
    return tuple(_KEY_LEN)


def _check_alg(alg: str) -> None:
    if alg not in _KEY_LEN:
        raise CryptoError(f"unknown encryption algorithm {alg!r}; expected one of {supported_algorithms()}")


# --- raw AEAD ---------------------------------------------------------------------

def aead_encrypt(alg: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and return `ciphertext || 16-byte tag`. The caller supplies a fresh nonce."""
    _check_alg(alg)
    if len(nonce) != NONCE_LEN:
        raise CryptoError(f"nonce must be {NONCE_LEN} bytes")
    encryptor = Cipher(_CIPHER[alg](key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext + encryptor.tag


def aead_decrypt(alg: str, key: bytes, nonce: bytes, ciphertext_and_tag: bytes, aad: bytes) -> bytes:
    """Inverse of `aead_encrypt`; raises `DecryptionError` if anything was altered."""
    _check_alg(alg)
    if len(ciphertext_and_tag) < TAG_LEN or len(nonce) != NONCE_LEN:
        raise DecryptionError("ciphertext too short or nonce malformed")
    ciphertext, tag = ciphertext_and_tag[:-TAG_LEN], ciphertext_and_tag[-TAG_LEN:]
    decryptor = Cipher(_CIPHER[alg](key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError(
            f"{alg} authentication failed (tampered data, wrong key, or a record's data used for another record)"
        ) from None


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


# --- fail-closed self test --------------------------------------------------------

# RFC 8998 Appendix A.1 (SM4-GCM).
_KAT_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
_KAT_IV = bytes.fromhex("00001234567800000000ABCD")
_KAT_AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
_KAT_PLAINTEXT = b"".join(bytes([b]) * 8 for b in (0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0xEE, 0xAA))
_KAT_CIPHERTEXT_AND_TAG = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    "83DE3541E4C2B58177E065A9BF7B62EC"
)


def assert_sm4_gcm_supported() -> None:
    """Raise `CryptoUnavailableError` unless SM4-GCM works and matches RFC 8998 A.1.

    Run at start-up: a kiosk whose OpenSSL lacks SM4 must not fall back silently.
    """
    try:
        produced = aead_encrypt(ALG_SM4_GCM, _KAT_KEY, _KAT_IV, _KAT_PLAINTEXT, _KAT_AAD)
    except Exception as exc:  # UnsupportedAlgorithm, or anything the backend throws
        raise CryptoUnavailableError(
            f"SM4-GCM is not available from the cryptography/OpenSSL backend ({type(exc).__name__}: {exc}); "
            "refusing to store personal data without it"
        ) from exc
    if produced != _KAT_CIPHERTEXT_AND_TAG:
        raise CryptoUnavailableError("SM4-GCM self-test (RFC 8998 A.1) produced a wrong result; refusing to run")


# --- device key (KEK) -------------------------------------------------------------

def load_or_create_device_key(path: str | os.PathLike) -> bytes:
    """Return the device KEK from `path`, creating it (0600, O_EXCL) on first start.

    Refuses a key file that group/other can access, that is not a regular file,
    or whose length is wrong, with a `KeyFileError` naming the file.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        try:
            _create_key_file(path)
        except FileExistsError:
            pass  # another process created it first; read theirs
    return _read_key_file(path)


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEK_LEN)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_directory(path.parent)  # make the new directory entry itself durable


def fsync_directory(directory: Path) -> None:
    """Make a directory's entries (a new or renamed file) durable; a no-op where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform (e.g. Windows)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_key_file(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise KeyFileError(f"device key file {path}: cannot open ({exc.strerror}); symlinks are refused") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"device key file {path}: not a regular file")
        if info.st_mode & 0o077:
            raise KeyFileError(
                f"device key file {path}: permissions {stat.S_IMODE(info.st_mode):04o} allow group/other access; "
                "expected 0600 (chmod 600 it, and consider the key compromised)"
            )
        key = os.read(fd, KEK_LEN + 1)
    finally:
        os.close(fd)
    if len(key) != KEK_LEN:
        raise KeyFileError(f"device key file {path}: expected {KEK_LEN} bytes, found {len(key)}")
    return key


# --- envelope encryption ----------------------------------------------------------

@dataclass(frozen=True)
class SealedRecord:
    """What is stored per record. `nonce` belongs to the body; the wrapped DEK carries its own."""
    alg: str
    wrapped_dek: bytes   # nonce || AEAD(KEK, DEK) || tag
    nonce: bytes
    ciphertext: bytes    # AEAD(DEK, plaintext) || tag


def record_aad(record_id: str, schema_version: int) -> bytes:
    """AAD for a record body: binds the ciphertext to its submission and schema."""
    return f"kiosk-outbox/body/v{int(schema_version)}/{record_id}".encode()


def _wrap_aad(alg: str, record_id: str) -> bytes:
    return f"kiosk-outbox/dek/{alg}/{record_id}".encode()


class EnvelopeCipher:
    """Seal/open records with per-record DEKs wrapped by the device KEK."""

    def __init__(self, kek: bytes, alg: str = DEFAULT_ALG):
        if len(kek) != KEK_LEN:
            raise KeyFileError(f"device key must be {KEK_LEN} bytes")
        _check_alg(alg)
        if alg == ALG_SM4_GCM:
            assert_sm4_gcm_supported()
        self.alg = alg
        # One derived wrapping key per algorithm: the same key bytes are never used by
        # two different ciphers, and SM4 gets its 128-bit key from the 256-bit master.
        self._kek = kek
        self._wrapping_keys: dict[str, bytes] = {}

    def _wrapping_key(self, alg: str) -> bytes:
        if alg not in self._wrapping_keys:
            self._wrapping_keys[alg] = _derive_wrapping_key(self._kek, alg)
        return self._wrapping_keys[alg]

    def new_data_key(self, record_id: str) -> tuple[bytes, bytes]:
        """A fresh random DEK for one record and its wrapped form (nonce || AEAD(KEK, DEK) || tag).
        The same DEK also seals the record's spooled attachments (each with its own nonce and AAD)."""
        alg = self.alg
        dek = secrets.token_bytes(_KEY_LEN[alg])
        wrap_nonce = secrets.token_bytes(NONCE_LEN)
        wrapped = wrap_nonce + aead_encrypt(alg, self._wrapping_key(alg), wrap_nonce, dek, _wrap_aad(alg, record_id))
        return dek, wrapped

    def unwrap_data_key(self, record_id: str, alg: str, wrapped: bytes | None) -> bytes:
        _check_alg(alg)
        wrapped = wrapped or b""
        wrap_nonce, wrapped_key = wrapped[:NONCE_LEN], wrapped[NONCE_LEN:]
        return aead_decrypt(alg, self._wrapping_key(alg), wrap_nonce, wrapped_key, _wrap_aad(alg, record_id))

    def seal(self, record_id: str, schema_version: int, plaintext: bytes,
             data_key: tuple[bytes, bytes] | None = None) -> SealedRecord:
        alg = self.alg
        dek, wrapped = data_key or self.new_data_key(record_id)
        nonce = secrets.token_bytes(NONCE_LEN)
        ciphertext = aead_encrypt(alg, dek, nonce, plaintext, record_aad(record_id, schema_version))
        return SealedRecord(alg=alg, wrapped_dek=wrapped, nonce=nonce, ciphertext=ciphertext)

    def open(self, record_id: str, schema_version: int, sealed: SealedRecord) -> bytes:
        """Decrypt with the algorithm stored in the record (old AES rows stay readable after a switch)."""
        alg = sealed.alg
        dek = self.unwrap_data_key(record_id, alg, sealed.wrapped_dek)
        return aead_decrypt(alg, dek, sealed.nonce, sealed.ciphertext, record_aad(record_id, schema_version))


def _derive_wrapping_key(kek: bytes, alg: str) -> bytes:
    # HKDF-SM3 for the 国密 suite so an SM4 record depends on no non-GM primitive.
    kdf_hash = hashes.SM3() if alg == ALG_SM4_GCM else hashes.SHA256()
    return HKDF(algorithm=kdf_hash, length=_KEY_LEN[alg], salt=None, info=f"kiosk-outbox/kek/{alg}".encode()).derive(kek)
