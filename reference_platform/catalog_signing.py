"""The platform's catalog-signing key (Ed25519): `GET /catalog` carries a detached signature
over the exact bytes in `X-Catalog-Signature` (docs/platform-api.md).

The demo and the tests make a throw-away key pair: the private key stays with the reference
platform, the public key goes into the kiosk's `[platform] catalog_public_key`.
A real platform keeps its private key in an HSM; this file is for the reference platform only.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat, PublicFormat,
                                                          load_pem_private_key)


def load_or_create_signing_key(path: str | os.PathLike) -> Ed25519PrivateKey:
    """The Ed25519 private key in `path` (PEM), created 0600 on first use."""
    path = Path(path)
    if path.exists():
        key = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def write_public_key(key: Ed25519PrivateKey, path: str | os.PathLike) -> Path:
    """Writes the matching public key (what the kiosk configures) and returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(public_key_pem(key))
    return path
