"""The outbox's durable SQLite database: connections, settings, transactions, quarantine.

Every connection runs with `journal_mode=WAL` + `synchronous=FULL` (+ `secure_delete=ON`),
set and read back on each connection (synchronous is per connection): a build or a file
that silently ignores them raises `DurabilitySettingsError` instead of passing for durable.
Transactions are `BEGIN IMMEDIATE ... COMMIT` on autocommit connections, so one is exactly
what the code says and takes the write lock up front.

A damaged database (quick_check fails, "not a database") is moved aside with its -wal/-shm
and the directories that only it can describe (the spool) under one timestamped name, the
directory fsynced, and the kiosk continues on an empty one; a technician salvages the old
files (docs/platform-api.md "Corrupt database").
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable

from kiosk.crypto import fsync_directory
from kiosk.private_files import SQLITE_COMPANIONS, create_private_file
from offline_cache.records import DurabilitySettingsError, OutboxAlert, OutboxError, RowState

log = logging.getLogger(__name__)

_STATE_LIST = ", ".join(f"'{state}'" for state in RowState)   # 'pending', 'sending', 'delivered', 'dead'

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,   -- FIFO order; never reused
    submission_id   TEXT    NOT NULL UNIQUE,             -- Idempotency-Key
    kind            TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT '{RowState.PENDING}'
                    CHECK (state IN ({_STATE_LIST})),
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


class CorruptDatabase(Exception):
    """Internal: the database file is damaged (quarantine it)."""


class OutboxDatabase:
    """One SQLite connection per thread (GUI thread enqueues, sync worker claims), all
    with the durability settings asserted; opened, checked, quarantined if damaged."""

    def __init__(self, db_path: str | os.PathLike, *, clock: Callable[[], float] = time.time,
                 busy_timeout_ms: int = 5000, quarantine_corrupt: bool = True,
                 companion_dirs: tuple[Path, ...] = ()):
        self.db_path = Path(db_path)
        self._clock = clock
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._companion_dirs = tuple(companion_dirs)   # moved aside with a quarantined database
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._owners: dict[int, threading.Thread] = {}     # id(connection) -> thread that opened it
        self._closed = False
        self.alerts: list[OutboxAlert] = []
        self.quarantined_to: Path | None = None
        create_private_file(self.db_path, companions=SQLITE_COMPANIONS)   # 0600: -wal/-shm inherit it
        try:
            self._open_schema()
        except CorruptDatabase as exc:
            if not quarantine_corrupt:
                raise OutboxError(str(exc)) from exc.__cause__
            self._quarantine(str(exc))
            create_private_file(self.db_path)
            self._open_schema()
        # Quarantined copies from earlier starts stay a technician item until someone removes them.
        earlier = sorted(p for p in self.db_path.parent.glob(self.db_path.name + ".corrupt-*")
                         if p != self.quarantined_to)
        if earlier:
            self.alerts.append(OutboxAlert(
                "quarantined_database_present",
                f"{len(earlier)} quarantined outbox database(s) await salvage: {', '.join(p.name for p in earlier)}",
                self._clock()))

    def _open_schema(self) -> None:
        """Connect (settings asserted), quick_check, create/upgrade the schema.
        Raises `CorruptDatabase` when the file is damaged or not a database."""
        try:
            conn = self.conn()
            integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
            if integrity != "ok":
                raise CorruptDatabase(f"outbox database {self.db_path} failed its integrity check: {integrity}")
            self.create_schema(conn)
        except sqlite3.DatabaseError as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc) \
                    or "not a database" in str(exc):
                raise CorruptDatabase(
                    f"outbox database {self.db_path}: open failed ({type(exc).__name__}: {exc}); "
                    "the file may be corrupt or not an outbox database") from exc
            raise OutboxError(f"outbox database {self.db_path}: open failed ({type(exc).__name__}: {exc})") from exc

    def _quarantine(self, reason: str) -> None:
        """Move the damaged database (with its -wal/-shm and the companion directories) aside
        under one timestamped name, and start on an empty database. The kiosk keeps accepting
        applications; a technician salvages the old files."""
        self._close_connections()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self._clock()))
        target = self.db_path.with_name(f"{self.db_path.name}.corrupt-{stamp}-{os.getpid()}")
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        for suffix in ("", "-wal", "-shm", "-journal"):
            source = self.db_path.with_name(self.db_path.name + suffix)
            if source.exists():
                os.replace(source, target / source.name)
        for directory in self._companion_dirs:
            if directory.exists():
                os.replace(directory, target / directory.name)
        fsync_directory(self.db_path.parent)
        self.quarantined_to = target
        message = f"{reason}; moved to {target}; continuing on a new database"
        log.error("outbox: %s", message)
        self.alerts.append(OutboxAlert("database_quarantined", message, self._clock()))

    def create_schema(self, conn: sqlite3.Connection) -> None:
        """Create/upgrade the tables (a subclass with other tables overrides this: the payment journal)."""
        conn.executescript(SCHEMA)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}
        if "spool_files" not in columns:   # database from before attachments were spooled
            conn.execute("ALTER TABLE outbox ADD COLUMN spool_files TEXT")

    # --- connections --------------------------------------------------------------

    def conn(self) -> sqlite3.Connection:
        """The calling thread's connection (opened on first use)."""
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
        conn = self.conn()
        return {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous", "secure_delete")}

    @contextlib.contextmanager
    def guard(self, action: str):
        """Turn sqlite3 errors into an OutboxError that names the database file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise OutboxError(
                f"outbox database {self.db_path}: {action} failed ({type(exc).__name__}: {exc}); "
                "the file may be corrupt or not an outbox database"
            ) from exc

    @staticmethod
    def transaction(conn: sqlite3.Connection) -> Transaction:
        return Transaction(conn)

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


class Transaction:
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
