"""The outbox's encrypted payloads: a submission sealed into one database record, its large
attachments into spool files beside the database.

The body (personal data) is sealed with per-row envelope encryption (`kiosk.crypto`):
`{"body": ..., "attachments": [manifest]}` (schema v2; v1 rows hold the body alone). An
attachment of at least `threshold` bytes goes to `<spool_dir>/<submission id>.<index>.att`,
encrypted with the row's data key (magic || nonce || AEAD(data) || tag; the AAD binds it to
the submission and its position) and fsynced, file and directory, before the row commits;
smaller ones are inlined in the sealed record. Every attachment is checked against its SM3
when the row is opened. Shredding a row's data key makes its spool files unreadable.
"""
from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
from pathlib import Path

from kiosk.crypto import (NONCE_LEN, CryptoError, EnvelopeCipher, SealedRecord, aead_decrypt, aead_encrypt,
                          fsync_directory, sm3_hex)
from offline_cache.records import Submission

log = logging.getLogger(__name__)

# Of the encrypted body; part of the AAD. v1: the body JSON. v2: {"body": ..., "attachments": [...]}.
SCHEMA_VERSION = 2
SPOOL_THRESHOLD_BYTES = 64 * 1024   # attachments at least this big go to the spool directory
_SPOOL_MAGIC = b"KIOSK-SPOOL-1\n"


def _spool_aad(submission_id: str, index: int) -> bytes:
    return f"kiosk-outbox/attachment/v1/{submission_id}/{int(index)}".encode()


class EncryptedSpool:
    """Seals submissions for the database and keeps the spool directory of large attachments."""

    def __init__(self, envelope: EnvelopeCipher, spool_dir: str | os.PathLike,
                 threshold: int = SPOOL_THRESHOLD_BYTES):
        self.envelope = envelope
        self.spool_dir = Path(spool_dir)
        self._threshold = int(threshold)

    def create_directory(self) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    # --- sealing and opening ---------------------------------------------------------

    def seal(self, submission: Submission, spooled: list[str]) -> SealedRecord:
        """Encrypt the submission (body and manifest) for its row; large attachments are written
        to spool files first, their names appended to `spooled` as they are made (so a caller
        whose commit fails can remove them, even when this raises half-way)."""
        sid = submission.submission_id
        data_key = self.envelope.new_data_key(sid)
        manifest = []
        for index, attachment in enumerate(submission.attachments):
            item = {"name": attachment.name, "content_type": attachment.content_type,
                    "size": len(attachment.data), "sm3": sm3_hex(attachment.data)}
            if len(attachment.data) >= self._threshold:
                item["spool"] = self._write_file(sid, index, data_key[0], attachment.data)
                spooled.append(item["spool"])
            else:
                item["inline"] = base64.b64encode(attachment.data).decode("ascii")
            manifest.append(item)
        envelope = {"body": submission.body, "attachments": manifest}
        plaintext = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        return self.envelope.seal(sid, SCHEMA_VERSION, plaintext, data_key=data_key)

    def open(self, submission_id: str, schema_version: int, sealed: SealedRecord) -> dict:
        """Decrypt a row into the body to send; attachments (inline or spooled) are checked
        against their SM3 and added as body["attachments"] = [{name, content_type, data_base64}]."""
        plaintext = self.envelope.open(submission_id, schema_version, sealed)
        document = json.loads(plaintext)
        if schema_version < 2:
            return document
        body, manifest = document["body"], document["attachments"]
        if not manifest:
            return body
        dek = self.envelope.unwrap_data_key(submission_id, sealed.alg, sealed.wrapped_dek)
        attachments = []
        for index, item in enumerate(manifest):
            if "spool" in item:
                data = self._read_file(submission_id, index, sealed.alg, dek, item["spool"])
            else:
                data = base64.b64decode(item["inline"])
            if sm3_hex(data) != item["sm3"]:
                raise CryptoError(f"attachment {index} of {submission_id} does not match its SM3 digest")
            attachments.append({"name": item["name"], "content_type": item["content_type"],
                                "data_base64": base64.b64encode(data).decode("ascii")})
        return {**body, "attachments": attachments}

    # --- spool files ----------------------------------------------------------------------

    def _write_file(self, submission_id: str, index: int, dek: bytes, data: bytes) -> str:
        """Encrypt one attachment with the submission's DEK into `<id>.<index>.att`.
        tmp -> fsync -> rename -> fsync(dir), so the name exists only with complete content."""
        name = f"{submission_id}.{index}.att"
        nonce = os.urandom(NONCE_LEN)
        ciphertext = aead_encrypt(self.envelope.alg, dek, nonce, data, _spool_aad(submission_id, index))
        tmp = self.spool_dir / (name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(_SPOOL_MAGIC + nonce + ciphertext)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(fd)
        os.replace(tmp, self.spool_dir / name)
        fsync_directory(self.spool_dir)
        return name

    def _read_file(self, submission_id: str, index: int, alg: str, dek: bytes, name: str) -> bytes:
        raw = (self.spool_dir / name).read_bytes()
        if not raw.startswith(_SPOOL_MAGIC):
            raise CryptoError(f"spool file {name} has no spool header")
        body = raw[len(_SPOOL_MAGIC):]
        return aead_decrypt(alg, dek, body[:NONCE_LEN], body[NONCE_LEN:], _spool_aad(submission_id, index))

    def read_stored(self, name: str) -> bytes:
        """A spool file's bytes as stored (still encrypted), for the technician's export."""
        return (self.spool_dir / name).read_bytes()

    def remove(self, names) -> None:
        for name in names or ():
            with contextlib.suppress(OSError):
                os.unlink(self.spool_dir / name)
        if names:
            fsync_directory(self.spool_dir)

    def sweep(self, referenced: set[str]) -> int:
        """Delete spool files no live row refers to (an enqueue that crashed before its
        COMMIT, or a delivered row whose files were not yet unlinked). Returns the count."""
        orphans = [p.name for p in self.spool_dir.iterdir() if p.name not in referenced]
        self.remove(orphans)
        if orphans:
            log.warning("outbox: removed %d orphaned spool file(s)", len(orphans))
        return len(orphans)

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.spool_dir.iterdir())
