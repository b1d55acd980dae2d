"""Where the kiosk's two secrets live: the device key (KEK of the outbox and the receipt
journal) and the request-signing key shared with the platform.

`[security] key_store` chooses (docs/deploy.md, README "Security"):

* ``"systemd-creds"`` - production. Each key is a systemd credential, encrypted on disk
  with ``systemd-creds encrypt --with-key=tpm2`` (or ``auto``: TPM2 + host key where a
  TPM exists, the host key alone otherwise) and decrypted by systemd when it starts the
  service (``LoadCredentialEncrypted=`` in deploy/kiosk.service) into a private,
  memory-only ``$CREDENTIALS_DIRECTORY`` that only the service can read. Nothing in
  ``data_dir`` opens the outbox: copying the data directory, or the disk of a kiosk with
  a TPM, gives ciphertext only. The kiosk never creates these keys; a missing credential
  stops it with one line naming ``security.key_store``.
* ``"file"`` - DEMO AND TESTS ONLY, or a disk with full-disk encryption. The keys are
  plain 32-byte files (0600) in ``data_dir``, created on first start. Whoever copies
  the data directory (or the disk) can decrypt every pending application with them.
"""
from __future__ import annotations

import os
from pathlib import Path

from kiosk.crypto import KeyFileError
from kiosk.settings import KEY_STORES  # noqa: F401  (re-exported: the choices live with the setting)

DEVICE_KEY_CREDENTIAL = "kiosk-device-key"
SIGNING_KEY_CREDENTIAL = "kiosk-signing-key"
CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"


class KeyStoreError(KeyFileError):
    """A key the configured key store should provide is not there (e.g. no systemd credential)."""


def credential_path(name: str, environ=os.environ) -> Path:
    """The decrypted credential `name` that systemd placed in $CREDENTIALS_DIRECTORY.
    Raises `KeyStoreError`, phrased for a technician, when the service got no credentials."""
    directory = environ.get(CREDENTIALS_ENV, "")
    if not directory:
        raise KeyStoreError(
            f"key_store = \"systemd-creds\" but ${CREDENTIALS_ENV} is not set: run the kiosk from "
            f"deploy/kiosk.service (LoadCredentialEncrypted={name}:...), see docs/deploy.md")
    path = Path(directory) / name
    if not path.is_file():
        raise KeyStoreError(
            f"credential {name!r} not found in ${CREDENTIALS_ENV} ({directory}): create "
            f"/etc/kiosk/credentials/{name}.cred with systemd-creds encrypt, see docs/deploy.md")
    return path


def on_encrypted_block_device(path: str | os.PathLike, sys_block: str = "/sys/dev/block") -> bool | None:
    """True when `path` lies on a dm-crypt (LUKS) device, directly or under LVM; False on a plain
    disk; None when it cannot be told (overlay, network or in-memory file system, no sysfs)."""
    try:
        device = os.stat(path).st_dev
    except OSError:
        return None
    node = Path(sys_block) / f"{os.major(device)}:{os.minor(device)}"
    if not node.exists():
        return None

    def encrypted(block: Path, depth: int = 0) -> bool:
        try:
            if (block / "dm" / "uuid").read_text().startswith("CRYPT-"):
                return True
        except OSError:
            pass
        slaves = block / "slaves"
        return depth < 8 and slaves.is_dir() and any(encrypted(s.resolve(), depth + 1) for s in slaves.iterdir())

    return encrypted(node.resolve())


def key_store_warning(key_store: str, data_dir: str | os.PathLike) -> str | None:
    """What a technician must hear about the key store (start-up log, `diagnose`), or None."""
    if key_store != "file":
        return None
    encrypted = on_encrypted_block_device(data_dir)
    if encrypted:
        return None
    where = "an unencrypted disk" if encrypted is False else "a disk not known to be encrypted"
    return (f'key_store = "file": the device and signing keys are plain files in {data_dir} on {where}; '
            'whoever copies them can decrypt pending applications. Demo/tests only: use key_store = '
            '"systemd-creds" or full-disk encryption (docs/deploy.md)')
