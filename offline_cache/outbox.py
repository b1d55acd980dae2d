"""Durable, encrypted outbox of citizen submissions (SQLite).

A submission is "accepted" by the kiosk when `Outbox.enqueue` returns: that happens
only after a COMMIT with `journal_mode=WAL` + `synchronous=FULL`, so a receipt printed
afterwards survives a crash or a power cut (as far as the storage honours flushes).
Both PRAGMAs are set and read back on every connection (synchronous is per connection).

Row life cycle::

    pending --claim_next--> sending --mark_delivered--> delivered (payload crypto-shredded)
       ^                       |----mark_retry-------> pending (next_attempt_at in the future)
       +----recover() at open--+----mark_dead--------> dead (technician-visible, never retried)

Delivery is at-least-once: a crash while `sending` puts the row back to `pending` and it is
re-sent with the same submission id (= Idempotency-Key); the platform removes duplicates.

The body (personal data) is sealed with per-row envelope encryption (`kiosk.crypto`); only
non-personal metadata is stored in clear: ids, kind, state, timing, error codes and the
platform's reply (application number, status, query token). After delivery the ciphertext
and the wrapped data key are deleted in the same transaction (crypto-shredding), with
`secure_delete=ON` so SQLite overwrites the freed pages.

Ordering rule. Rows are claimed in insertion order (`seq`, AUTOINCREMENT: the order
`enqueue` committed them; unlike the wall-clock `created_at` it cannot go backwards when
the clock is corrected after a long offline period). A row whose retry time has not come
yet does NOT block later rows: a single application stuck in backoff (or dead) must not
hold every other citizen's submission hostage. The only cross-row ordering the platform
needs is "a rating after the application it rates", so that is enforced per dependency:
a `rating` whose body names `application_id` (the application's submission id) is
skipped until that application is `delivered`, and goes `dead` with it if it dies.
A rating whose application is not in the outbox at all (delivered and purged, or
submitted online before) is sendable.
"""
from __future__ import annotations

import base64
import contextlib
import errno
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.crypto import (DEFAULT_ALG, NONCE_LEN, CryptoError, EnvelopeCipher, SealedRecord, aead_decrypt,
                          aead_encrypt, fsync_directory, load_or_create_device_key, sm3_hex)
from kiosk.private_files import SQLITE_COMPANIONS, create_private_file

log = logging.getLogger(__name__)

# Of the encrypted body; part of the AAD. v1: the body JSON. v2: {"body": ..., "attachments": [...]}.
SCHEMA_VERSION = 2
SPOOL_THRESHOLD_BYTES = 64 * 1024   # attachments at least this big go to the spool directory
_SPOOL_MAGIC = b"KIOSK-SPOOL-1\n"
_STORAGE_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
STATES = ("pending", "sending", "delivered", "dead")
KINDS = ("application", "rating")


class OutboxError(Exception):
    """The outbox database cannot be used (corrupt, not a database, wrong settings)."""


class DurabilitySettingsError(OutboxError):
    """SQLite would not run with WAL + synchronous=FULL: refuse to pretend it is durable."""


class OutboxWriteError(OutboxError):
    """`enqueue` could not store the submission: nothing was committed, no receipt may be given."""


class OutboxFullError(OutboxWriteError):
    """The disk (or the file-size limit) is full."""


@dataclass(frozen=True)
class OutboxAlert:
    """Something a technician must look at (shown on the technician screen / heartbeat)."""
    code: str            # "database_quarantined" | "spool_file_missing" | ...
    message: str         # file names and counts, never personal data
    at: float


class UndecryptableEntry(OutboxError):
    """A row's payload failed authentication; it was moved to `dead`."""

    def __init__(self, submission_id: str):
        super().__init__(f"submission {submission_id}: payload failed to decrypt; marked dead")
        self.submission_id = submission_id


@dataclass(frozen=True)
class Attachment:
    name: str               # e.g. "household_register.jpg"; kept inside the encryption
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Submission:
    submission_id: str      # uuid4, the Idempotency-Key, also in the body
    kind: str               # "application" | "rating"
    body: dict              # JSON; contains personal data -> encrypted at rest
    created_at: float
    attachments: tuple = ()  # of Attachment; sent as body["attachments"] (base64)


@dataclass(frozen=True)
class OutboxEntry:
    """Clear-text view of a row: no personal data."""
    submission_id: str
    kind: str
    state: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: float
    result: dict | None          # the platform's reply once delivered
    delivered_at: float | None
    depends_on: str | None       # submission id this row must wait for


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    sending: int
    delivered: int
    dead: int
    oldest_pending_age_s: float | None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,   -- FIFO order; never reused
    submission_id   TEXT    NOT NULL UNIQUE,             -- Idempotency-Key
    kind            TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    depends_on      TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL    NOT NULL,
    last_error      TEXT,                                -- error code / status, never payload
    created_at      REAL    NOT NULL,
    schema_version  INTEGER NOT NULL,
    alg             TEXT    NOT NULL,
    wrapped_dek     BLOB,                                -- NULL once delivered (crypto-shredded)
    nonce           BLOB,
    ciphertext      BLOB,
    result_json     TEXT,
    delivered_at    REAL,
    spool_files     TEXT                                 -- JSON list of spool file names (no PII)
);
CREATE INDEX IF NOT EXISTS outbox_claim ON outbox (state, next_attempt_at, seq);
-- Claiming walks pending rows in seq order and stops at the first sendable one. Through
-- outbox_claim SQLite would instead collect every due row and sort them (a temp B-tree plus a
-- dependency sub-query per row): with a 10,000-row backlog that made each claim O(n).
CREATE INDEX IF NOT EXISTS outbox_fifo ON outbox (state, seq);
CREATE INDEX IF NOT EXISTS outbox_depends ON outbox (depends_on) WHERE depends_on IS NOT NULL;
"""

# A row may be sent when nothing it depends on is still undelivered in the outbox.
_DEPENDENCY_MET = ("NOT EXISTS (SELECT 1 FROM outbox d"
                   " WHERE d.submission_id = o.depends_on AND d.state != 'delivered')")

_ENTRY_COLUMNS = (
    "submission_id, kind, state, attempts, next_attempt_at, last_error, created_at, "
    "result_json, delivered_at, depends_on"
)


def _entry_from_row(row: tuple) -> OutboxEntry:
    (submission_id, kind, state, attempts, next_attempt_at, last_error,
     created_at, result_json, delivered_at, depends_on) = row
    return OutboxEntry(
        submission_id=submission_id, kind=kind, state=state, attempts=attempts,
        next_attempt_at=next_attempt_at, last_error=last_error, created_at=created_at,
        result=json.loads(result_json) if result_json else None,
        delivered_at=delivered_at, depends_on=depends_on,
    )


class Outbox:
    """Thread-safe: each thread gets its own connection (GUI thread enqueues, sync worker claims)."""

    def __init__(self, db_path: str | os.PathLike, key_path: str | os.PathLike, *,
                 alg: str = DEFAULT_ALG, clock=time.time, busy_timeout_ms: int = 5000,
                 spool_dir: str | os.PathLike | None = None, spool_threshold: int = SPOOL_THRESHOLD_BYTES,
                 receipt_retention_days: float | None = 30.0, quarantine_corrupt: bool = True):
        self.db_path = Path(db_path)
        self.spool_dir = Path(spool_dir) if spool_dir is not None else self.db_path.with_name(
            self.db_path.name + ".spool")
        self._spool_threshold = int(spool_threshold)
        self._clock = clock
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._envelope = EnvelopeCipher(load_or_create_device_key(key_path), alg=alg)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._owners: dict[int, threading.Thread] = {}     # id(connection) -> thread that opened it
        self._closed = False
        self._alerts: list[OutboxAlert] = []
        self.quarantined_to: Path | None = None
        create_private_file(self.db_path, companions=SQLITE_COMPANIONS)   # 0600: -wal/-shm inherit it
        try:
            self._open_schema()
        except _CorruptDatabase as exc:
            if not quarantine_corrupt:
                raise OutboxError(str(exc)) from exc.__cause__
            self._quarantine(str(exc))
            create_private_file(self.db_path)
            self._open_schema()
        self.spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Quarantined copies from earlier starts stay a technician item until someone removes them.
        earlier = sorted(p for p in self.db_path.parent.glob(self.db_path.name + ".corrupt-*")
                         if p != self.quarantined_to)
        if earlier:
            self._alerts.append(OutboxAlert(
                "quarantined_database_present",
                f"{len(earlier)} quarantined outbox database(s) await salvage: {', '.join(p.name for p in earlier)}",
                self._clock()))
        self.recovered_count = self.recover()
        self.orphans_removed = self._sweep_spool()
        if receipt_retention_days is not None:
            self.purge_delivered(receipt_retention_days * 86400.0)

    def _open_schema(self) -> None:
        """Connect (settings asserted), quick_check, create/upgrade the schema.
        Raises `_CorruptDatabase` when the file is damaged or not a database."""
        try:
            conn = self._conn()
            integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
            if integrity != "ok":
                raise _CorruptDatabase(f"outbox database {self.db_path} failed its integrity check: {integrity}")
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}
            if "spool_files" not in columns:   # database from before attachments were spooled
                conn.execute("ALTER TABLE outbox ADD COLUMN spool_files TEXT")
        except sqlite3.DatabaseError as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc) \
                    or "not a database" in str(exc):
                raise _CorruptDatabase(
                    f"outbox database {self.db_path}: open failed ({type(exc).__name__}: {exc}); "
                    "the file may be corrupt or not an outbox database") from exc
            raise OutboxError(f"outbox database {self.db_path}: open failed ({type(exc).__name__}: {exc})") from exc

    def _quarantine(self, reason: str) -> None:
        """Move the damaged database (with its -wal/-shm and its spool directory, which only it
        can describe) aside under one timestamped name, and start on an empty database. The
        kiosk keeps accepting applications; a technician salvages the old files (see
        docs/platform-api.md "Corrupt database")."""
        self._close_connections()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self._clock()))
        target = self.db_path.with_name(f"{self.db_path.name}.corrupt-{stamp}-{os.getpid()}")
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        for suffix in ("", "-wal", "-shm", "-journal"):
            source = self.db_path.with_name(self.db_path.name + suffix)
            if source.exists():
                os.replace(source, target / source.name)
        if self.spool_dir.exists():
            os.replace(self.spool_dir, target / self.spool_dir.name)
        fsync_directory(self.db_path.parent)
        self.quarantined_to = target
        message = f"{reason}; moved to {target}; continuing on a new database"
        log.error("outbox: %s", message)
        self._alerts.append(OutboxAlert("database_quarantined", message, self._clock()))

    def alerts(self) -> list[OutboxAlert]:
        """Technician alerts raised since this outbox was opened (corrupt DB moved aside, ...)."""
        return list(self._alerts)

    # --- connections --------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise OutboxError(f"outbox {self.db_path} is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._connections_lock:
                self._close_connections_of_finished_threads()
                self._connections.append(conn)
                self._owners[id(conn)] = threading.current_thread()
        return conn

    def _close_connections_of_finished_threads(self) -> None:
        """The controller saves each submission on a short-lived thread; without this every
        one of them left an open connection (2 fds) behind: ~4 fds per citizen session, and
        the kiosk hit the 1024-fd limit after a few hundred sessions (found by bench/soak.py).
        A finished thread can no longer use its connection, so closing it here is safe."""
        for conn in list(self._connections):
            owner = self._owners.get(id(conn))
            if owner is not None and not owner.is_alive():
                self._connections.remove(conn)
                del self._owners[id(conn)]
                conn.close()

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE/COMMIT ourselves, so a transaction
        # is exactly what the code says (and the write lock is taken up front).
        # check_same_thread=False only so close() can close every thread's connection;
        # each connection is still used by the one thread that created it.
        conn = sqlite3.connect(self.db_path, isolation_level=None, timeout=self._busy_timeout_ms / 1000,
                               check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA secure_delete=ON")
            synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
            secure_delete = conn.execute("PRAGMA secure_delete").fetchone()[0]
        except BaseException:
            conn.close()
            raise
        # Read back: a build or a file that silently ignores them must not pass for durable.
        if str(mode).lower() != "wal" or synchronous != 2 or secure_delete != 1:
            conn.close()
            raise DurabilitySettingsError(
                f"outbox database {self.db_path}: durability settings not in effect "
                f"(journal_mode={mode}, synchronous={synchronous}, secure_delete={secure_delete})"
            )
        return conn

    def connection_settings(self) -> dict[str, Any]:
        """The PRAGMAs as seen by the calling thread's connection (for tests and diagnostics)."""
        conn = self._conn()
        return {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous", "secure_delete")}

    @contextlib.contextmanager
    def _guard(self, action: str):
        """Turn sqlite3 errors into an OutboxError that names the database file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise OutboxError(
                f"outbox database {self.db_path}: {action} failed ({type(exc).__name__}: {exc}); "
                "the file may be corrupt or not an outbox database"
            ) from exc

    def _transaction(self, conn: sqlite3.Connection):
        return _Transaction(conn)

    def close(self) -> None:
        self._closed = True
        self._close_connections()

    def _close_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
            self._owners.clear()
        for conn in connections:
            conn.close()
        self._local = threading.local()

    # --- capture side ---------------------------------------------------------------

    def enqueue(self, submission: Submission) -> None:
        """Store a submission durably. Returns only after COMMIT (WAL fsynced).

        Large attachments are encrypted into the spool directory and fsynced (file and
        directory) *before* the row commits, so a committed row never points at a file
        that a power cut could lose. On any storage failure nothing is committed and an
        `OutboxWriteError` (`OutboxFullError` when the disk is full) is raised: the
        citizen must be told, and must not get a receipt.
        """
        if submission.kind not in KINDS:
            raise ValueError(f"unknown submission kind {submission.kind!r}")
        sid = submission.submission_id
        data_key = self._envelope.new_data_key(sid)
        manifest, spooled = [], []
        try:
            for index, attachment in enumerate(submission.attachments):
                item = {"name": attachment.name, "content_type": attachment.content_type,
                        "size": len(attachment.data), "sm3": sm3_hex(attachment.data)}
                if len(attachment.data) >= self._spool_threshold:
                    item["spool"] = self._write_spool_file(sid, index, data_key[0], attachment.data)
                    spooled.append(item["spool"])
                else:
                    item["inline"] = base64.b64encode(attachment.data).decode("ascii")
                manifest.append(item)
            envelope = {"body": submission.body, "attachments": manifest}
            plaintext = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
            sealed = self._envelope.seal(sid, SCHEMA_VERSION, plaintext, data_key=data_key)
            depends_on = None
            if submission.kind == "rating":
                depends_on = submission.body.get("application_id") or None
            conn = self._conn()
            with self._transaction(conn):
                conn.execute(
                    "INSERT INTO outbox (submission_id, kind, state, depends_on, next_attempt_at, created_at,"
                    " schema_version, alg, wrapped_dek, nonce, ciphertext, spool_files)"
                    " VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sid, submission.kind, depends_on, submission.created_at,
                     submission.created_at, SCHEMA_VERSION, sealed.alg, sealed.wrapped_dek,
                     sealed.nonce, sealed.ciphertext, json.dumps(spooled) if spooled else None),
                )
        except OSError as exc:
            self._remove_spool_files(spooled)
            if exc.errno in _STORAGE_FULL_ERRNOS:
                raise OutboxFullError(f"outbox {self.db_path}: storage full while saving a submission "
                                      f"({errno.errorcode.get(exc.errno, exc.errno)})") from exc
            raise OutboxWriteError(f"outbox {self.db_path}: could not write the spool ({exc.strerror})") from exc
        except sqlite3.Error as exc:
            self._remove_spool_files(spooled)
            name = getattr(exc, "sqlite_errorname", "")
            if name == "SQLITE_FULL" or "full" in str(exc):
                raise OutboxFullError(f"outbox {self.db_path}: storage full while saving a submission "
                                      f"({name or exc})") from exc
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise OutboxWriteError(f"outbox {self.db_path}: could not save a submission "
                                   f"({type(exc).__name__}: {name or exc})") from exc
        except BaseException:
            self._remove_spool_files(spooled)
            raise

    # --- spool directory ----------------------------------------------------------------

    def _write_spool_file(self, submission_id: str, index: int, dek: bytes, data: bytes) -> str:
        """Encrypt one attachment with the submission's DEK into `<id>.<index>.att`:
        magic || nonce || AEAD(data) || tag; AAD binds it to the submission and position.
        tmp -> fsync -> rename -> fsync(dir), so the name exists only with complete content."""
        name = f"{submission_id}.{index}.att"
        nonce = os.urandom(NONCE_LEN)
        ciphertext = aead_encrypt(self._envelope.alg, dek, nonce, data, _spool_aad(submission_id, index))
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

    def _read_spool_file(self, submission_id: str, index: int, alg: str, dek: bytes, name: str) -> bytes:
        raw = (self.spool_dir / name).read_bytes()
        if not raw.startswith(_SPOOL_MAGIC):
            raise CryptoError(f"spool file {name} has no spool header")
        body = raw[len(_SPOOL_MAGIC):]
        return aead_decrypt(alg, dek, body[:NONCE_LEN], body[NONCE_LEN:], _spool_aad(submission_id, index))

    def _remove_spool_files(self, names) -> None:
        for name in names or ():
            with contextlib.suppress(OSError):
                os.unlink(self.spool_dir / name)
        if names:
            fsync_directory(self.spool_dir)

    def _sweep_spool(self) -> int:
        """At open: delete spool files no live row refers to (an enqueue that crashed before
        its COMMIT, or a delivered row whose files were not yet unlinked)."""
        with self._guard("sweep spool"):
            referenced = set()
            for (names,) in self._conn().execute(
                    "SELECT spool_files FROM outbox WHERE spool_files IS NOT NULL AND wrapped_dek IS NOT NULL"):
                referenced.update(json.loads(names))
        orphans = [p.name for p in self.spool_dir.iterdir() if p.name not in referenced]
        self._remove_spool_files(orphans)
        if orphans:
            log.warning("outbox: removed %d orphaned spool file(s)", len(orphans))
        return len(orphans)

    def spool_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.spool_dir.iterdir())

    # --- queries ----------------------------------------------------------------------

    def entry(self, submission_id: str) -> OutboxEntry | None:
        with self._guard("read"):
            row = self._conn().execute(
                f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE submission_id = ?", (submission_id,)
            ).fetchone()
        return _entry_from_row(row) if row else None

    def entries(self, state: str | None = None, limit: int = 100) -> list[OutboxEntry]:
        """Oldest first; for the technician screen."""
        with self._guard("read"):
            if state is None:
                rows = self._conn().execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
            else:
                rows = self._conn().execute(
                    f"SELECT {_ENTRY_COLUMNS} FROM outbox WHERE state = ? ORDER BY seq LIMIT ?",
                    (state, limit)).fetchall()
        return [_entry_from_row(row) for row in rows]

    def stats(self, now: float | None = None) -> OutboxStats:
        now = self._clock() if now is None else now
        with self._guard("read"):
            conn = self._conn()
            counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
            oldest = conn.execute(
                "SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending')").fetchone()[0]
        return OutboxStats(
            pending=counts.get("pending", 0), sending=counts.get("sending", 0),
            delivered=counts.get("delivered", 0), dead=counts.get("dead", 0),
            oldest_pending_age_s=None if oldest is None else max(0.0, now - oldest),
        )

    def next_due_at(self) -> float | None:
        """Earliest next_attempt_at among pending rows that could be claimed (the worker sleeps
        until then; a rating still waiting for its application does not count)."""
        with self._guard("read"):
            return self._conn().execute(
                f"SELECT MIN(o.next_attempt_at) FROM outbox o WHERE o.state = 'pending' AND {_DEPENDENCY_MET}"
            ).fetchone()[0]

    # --- sync worker side -------------------------------------------------------------

    def claim_next(self, now: float | None = None) -> tuple[OutboxEntry, dict] | None:
        """Mark the oldest sendable pending row `sending` and return it with its decrypted body.

        Sendable = next_attempt_at <= now and (no dependency, or the dependency delivered or
        unknown). Raises `UndecryptableEntry` after moving a row whose payload fails
        authentication to `dead` (the caller reports it and claims again).
        """
        now = self._clock() if now is None else now
        with self._guard("claim"):
            conn = self._conn()
            with self._transaction(conn):
                claimed = self._claim_in(conn, now)
        if claimed is None:
            return None
        submission_id, body = claimed
        if body is None:
            raise UndecryptableEntry(submission_id)
        return self.entry(submission_id), body

    def _claim_in(self, conn: sqlite3.Connection, now: float) -> tuple[str, dict | None] | None:
        """Inside a transaction: claim the next sendable row. (id, None) = it was undecryptable and is now dead."""
        row = conn.execute(
            "SELECT o.seq, o.submission_id, o.schema_version, o.alg, o.wrapped_dek, o.nonce, o.ciphertext"
            "  FROM outbox o INDEXED BY outbox_fifo"
            f" WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND {_DEPENDENCY_MET}"
            " ORDER BY o.seq LIMIT 1",
            (now,),
        ).fetchone()
        if row is None:
            return None
        seq, submission_id, schema_version, alg, wrapped_dek, nonce, ciphertext = row
        try:
            body = self._open_body(submission_id, schema_version, SealedRecord(alg, wrapped_dek, nonce, ciphertext))
        except (CryptoError, ValueError, OSError) as exc:
            log.error("outbox: submission %s cannot be decrypted (%s); marking dead",
                      submission_id, type(exc).__name__)
            self._set_dead(conn, submission_id, "undecryptable")
            return submission_id, None
        conn.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE seq = ?", (seq,))
        return submission_id, body

    def _open_body(self, submission_id: str, schema_version: int, sealed: SealedRecord) -> dict:
        """Decrypt a row into the body to send; attachments (inline or spooled) are checked
        against their SM3 and added as body["attachments"] = [{name, content_type, data_base64}]."""
        plaintext = self._envelope.open(submission_id, schema_version, sealed)
        document = json.loads(plaintext)
        if schema_version < 2:
            return document
        body, manifest = document["body"], document["attachments"]
        if not manifest:
            return body
        dek = self._envelope.unwrap_data_key(submission_id, sealed.alg, sealed.wrapped_dek)
        attachments = []
        for index, item in enumerate(manifest):
            if "spool" in item:
                data = self._read_spool_file(submission_id, index, sealed.alg, dek, item["spool"])
            else:
                data = base64.b64decode(item["inline"])
            if sm3_hex(data) != item["sm3"]:
                raise CryptoError(f"attachment {index} of {submission_id} does not match its SM3 digest")
            attachments.append({"name": item["name"], "content_type": item["content_type"],
                                "data_base64": base64.b64encode(data).decode("ascii")})
        return {**body, "attachments": attachments}

    def mark_delivered(self, submission_id: str, result: dict, now: float | None = None) -> OutboxEntry:
        """Record the platform's reply and crypto-shred the payload, in one transaction; then
        unlink the spool files (already unreadable without the shredded data key)."""
        return self.mark_delivered_and_claim_next(submission_id, result, now, claim_next=False)[0]

    def mark_delivered_and_claim_next(self, submission_id: str, result: dict, now: float | None = None, *,
                                      claim_next: bool = True):
        """`mark_delivered` and, in the same transaction (one fsync instead of two while draining a
        backlog), `claim_next`. Returns (delivered entry, (entry, body) or None, undecryptable id or None)."""
        now = self._clock() if now is None else now
        with self._guard("mark delivered"):
            conn = self._conn()
            with self._transaction(conn):
                spool = conn.execute("SELECT spool_files FROM outbox WHERE submission_id = ?",
                                     (submission_id,)).fetchone()
                conn.execute(
                    "UPDATE outbox SET state = 'delivered', result_json = ?, delivered_at = ?, last_error = NULL,"
                    " wrapped_dek = NULL, nonce = NULL, ciphertext = NULL, spool_files = NULL"
                    " WHERE submission_id = ? AND state IN ('sending', 'pending')",
                    (json.dumps(result, ensure_ascii=False), now, submission_id),
                )
                claimed = self._claim_in(conn, now) if claim_next else None
        if spool and spool[0]:
            self._remove_spool_files(json.loads(spool[0]))
        delivered = self._require(submission_id)
        if claimed is None:
            return delivered, None, None
        next_id, body = claimed
        if body is None:
            return delivered, None, next_id
        return delivered, (self.entry(next_id), body), None

    def unclaim(self, submission_id: str) -> None:
        """A claimed row that was never sent goes back to `pending` (attempt not counted)."""
        with self._guard("unclaim"):
            conn = self._conn()
            with self._transaction(conn):
                conn.execute("UPDATE outbox SET state = 'pending', attempts = MAX(0, attempts - 1)"
                             " WHERE submission_id = ? AND state = 'sending'", (submission_id,))

    def mark_retry(self, submission_id: str, error: str, next_attempt_at: float) -> OutboxEntry:
        """Back to pending; `error` is a short code/status for technicians, never payload."""
        with self._guard("mark retry"):
            conn = self._conn()
            with self._transaction(conn):
                conn.execute(
                    "UPDATE outbox SET state = 'pending', last_error = ?, next_attempt_at = ?"
                    " WHERE submission_id = ? AND state = 'sending'",
                    (error[:200], next_attempt_at, submission_id),
                )
        return self._require(submission_id)

    def mark_dead(self, submission_id: str, error: str) -> list[OutboxEntry]:
        """Give up on a row (permanent rejection). Ratings waiting on it die with it.

        Returns every entry that changed (the row first), so the caller can report each.
        The payload is kept: a technician may need to re-capture or re-submit it.
        """
        with self._guard("mark dead"):
            conn = self._conn()
            with self._transaction(conn):
                changed = self._set_dead(conn, submission_id, error[:200])
        return [self._require(sid) for sid in changed]

    def expedite_pending(self, now: float | None = None) -> int:
        """Make every pending row due now (the platform just answered again after an outage)."""
        now = self._clock() if now is None else now
        with self._guard("expedite"):
            conn = self._conn()
            with self._transaction(conn):
                cursor = conn.execute(
                    "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?",
                    (now, now))
        return cursor.rowcount

    def recover(self) -> int:
        """After a crash: rows left `sending` go back to `pending` (re-sent with the same key).

        Also kills ratings whose application died while they waited. Called at open.
        """
        with self._guard("recover"):
            conn = self._conn()
            with self._transaction(conn):
                reset = conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'").rowcount
                dead_parents = [r[0] for r in conn.execute(
                    "SELECT DISTINCT d.submission_id FROM outbox d JOIN outbox o ON o.depends_on = d.submission_id"
                    " WHERE d.state = 'dead' AND o.state = 'pending'").fetchall()]
                for parent in dead_parents:
                    self._cascade_dead(conn, parent)
        if reset:
            log.warning("outbox: %d submission(s) interrupted while sending; will re-send with the same key", reset)
        return reset

    def purge_delivered(self, older_than_s: float, now: float | None = None) -> int:
        """Delete delivered rows older than `older_than_s` (their payload is already shredded)."""
        now = self._clock() if now is None else now
        with self._guard("purge"):
            conn = self._conn()
            with self._transaction(conn):
                return conn.execute(
                    "DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?",
                    (now - older_than_s,)).rowcount

    # --- technician operations (main.py queue {status,retry,export}) ---------------------

    def retry_dead(self, ids: list[str] | None = None, now: float | None = None) -> int:
        """Put dead rows back to `pending`, due now, attempts reset (technician action after
        fixing the cause). `ids=None` means every dead row. Rows that lost their payload
        (undecryptable) stay dead: re-sending them cannot work. Returns the number revived."""
        now = self._clock() if now is None else now
        with self._guard("retry dead"):
            conn = self._conn()
            with self._transaction(conn):
                sql = ("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,"
                       " last_error = 'retried_by_technician'"
                       " WHERE state = 'dead' AND ciphertext IS NOT NULL AND wrapped_dek IS NOT NULL"
                       " AND last_error IS NOT 'undecryptable'")
                params: list = [now]
                if ids is not None:
                    if not ids:
                        return 0
                    sql += f" AND submission_id IN ({', '.join('?' for _ in ids)})"
                    params += list(ids)
                return conn.execute(sql, params).rowcount

    def export_encrypted(self, path: str | os.PathLike) -> int:
        """Write every undelivered row (pending/sending/dead) to `path` as JSON lines, with the
        payload exactly as stored: ciphertext, nonce and wrapped data key (base64), never
        plaintext. Only a holder of this kiosk's device key can open it (for hand-carrying a
        queue off a broken kiosk). Written to a temp file, fsynced, renamed; mode 0600.
        Returns the number of rows exported."""
        import base64

        def b64(value):
            return None if value is None else base64.b64encode(value).decode("ascii")

        with self._guard("export"):
            rows = self._conn().execute(
                "SELECT submission_id, kind, state, depends_on, attempts, last_error, created_at, schema_version,"
                " alg, wrapped_dek, nonce, ciphertext FROM outbox"
                " WHERE state IN ('pending', 'sending', 'dead') ORDER BY seq").fetchall()
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for (submission_id, kind, state, depends_on, attempts, last_error, created_at, schema_version,
                 alg, wrapped_dek, nonce, ciphertext) in rows:
                handle.write(json.dumps({
                    "submission_id": submission_id, "kind": kind, "state": state, "depends_on": depends_on,
                    "attempts": attempts, "last_error": last_error, "created_at": created_at,
                    "schema_version": schema_version, "alg": alg, "wrapped_dek": b64(wrapped_dek),
                    "nonce": b64(nonce), "ciphertext": b64(ciphertext),
                    "attachments": self._export_attachments(submission_id),
                }) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        return len(rows)

    def _export_attachments(self, submission_id: str) -> list:
        """Spooled attachment files of a row, base64 of the encrypted file as stored."""
        row = self._conn().execute("SELECT spool_files FROM outbox WHERE submission_id = ?",
                                   (submission_id,)).fetchone()
        files = []
        for name in json.loads(row[0]) if row and row[0] else []:
            try:
                files.append({"file": name, "content": base64.b64encode((self.spool_dir / name).read_bytes())
                              .decode("ascii")})
            except OSError:
                files.append({"file": name, "content": None})
        return files

    # --- helpers ------------------------------------------------------------------------

    def _require(self, submission_id: str) -> OutboxEntry:
        entry = self.entry(submission_id)
        if entry is None:
            raise KeyError(f"no outbox entry {submission_id}")
        return entry

    def _set_dead(self, conn: sqlite3.Connection, submission_id: str, error: str) -> list[str]:
        conn.execute("UPDATE outbox SET state = 'dead', last_error = ?"
                     " WHERE submission_id = ? AND state IN ('pending', 'sending')", (error, submission_id))
        return [submission_id] + self._cascade_dead(conn, submission_id)

    def _cascade_dead(self, conn: sqlite3.Connection, parent_id: str) -> list[str]:
        dependents = [r[0] for r in conn.execute(
            "SELECT submission_id FROM outbox WHERE depends_on = ? AND state = 'pending'", (parent_id,))]
        for child in dependents:
            conn.execute("UPDATE outbox SET state = 'dead', last_error = 'dependency_dead' WHERE submission_id = ?",
                         (child,))
        return dependents


class _CorruptDatabase(Exception):
    """Internal: the database file is damaged (quarantine it)."""


def _spool_aad(submission_id: str, index: int) -> bytes:
    return f"kiosk-outbox/attachment/v1/{submission_id}/{int(index)}".encode()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error:
                # A COMMIT that failed (disk full, I/O error) leaves the transaction open:
                # roll it back so this connection is usable again, then report the failure.
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise
        else:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        return False
