"""The outbox's parts (issue 13 item 5): row states as a StrEnum with the stored strings
unchanged, a database written before the split opens, the sync worker delivers through the
`offline_cache.delivery` protocol without loading `kiosk.platform`, no module over 400 lines."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from offline_cache.delivery import Delivery, DeliveryError
from offline_cache.outbox import Outbox, RowState, Submission
from offline_cache.sync import SyncWorker

REPO = Path(__file__).resolve().parents[1]

# The table as the pre-split offline_cache/outbox.py created it (verbatim).
PRE_SPLIT_SCHEMA = """
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
CREATE INDEX IF NOT EXISTS outbox_fifo ON outbox (state, seq);
CREATE INDEX IF NOT EXISTS outbox_depends ON outbox (depends_on) WHERE depends_on IS NOT NULL;
"""


def application(created_at: float | None = None) -> Submission:
    sid = str(uuid.uuid4())
    return Submission(sid, "application", {"application_id": sid, "name": "张三"},
                      time.time() if created_at is None else created_at)


def test_row_states_are_the_stored_strings(tmp_path):
    assert [state.value for state in RowState] == ["pending", "sending", "delivered", "dead"]
    outbox = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")
    try:
        sub = application()
        outbox.enqueue(sub)
        entry = outbox.entry(sub.submission_id)
        assert entry.state is RowState.PENDING and entry.state == "pending" and f"{entry.state}" == "pending"
        outbox.claim_next(now=time.time() + 1)
        outbox.mark_delivered(sub.submission_id, {"application_number": "N1"})
        stored = outbox._conn().execute("SELECT state, typeof(state) FROM outbox").fetchall()
        assert stored == [("delivered", "text")]
        assert [e.submission_id for e in outbox.entries(state=RowState.DELIVERED)] == [sub.submission_id]
        assert [e.submission_id for e in outbox.entries(state="delivered")] == [sub.submission_id]
    finally:
        outbox.close()


def test_a_database_written_before_the_split_opens_unchanged(tmp_path):
    db_path = tmp_path / "outbox.sqlite3"
    conn = sqlite3.connect(db_path)
    conn.executescript(PRE_SPLIT_SCHEMA)
    now = time.time()
    conn.execute("INSERT INTO outbox (submission_id, kind, state, next_attempt_at, created_at, schema_version, alg,"
                 " result_json, delivered_at) VALUES ('a', 'application', 'delivered', ?, ?, 2, 'SM4-GCM',"
                 " '{\"application_number\": \"GD1\"}', ?)", (now, now, now))
    conn.execute("INSERT INTO outbox (submission_id, kind, state, next_attempt_at, created_at, schema_version, alg,"
                 " last_error) VALUES ('b', 'application', 'dead', ?, ?, 2, 'SM4-GCM', 'http_422')", (now, now))
    conn.commit()
    table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'outbox'").fetchone()[0]
    conn.close()
    outbox = Outbox(db_path, tmp_path / "device.key")
    try:
        assert outbox.alerts() == [] and outbox.quarantined_to is None
        assert outbox.entry("a").state is RowState.DELIVERED and outbox.entry("a").result == {"application_number": "GD1"}
        assert (outbox.entry("b").state, outbox.entry("b").last_error) == (RowState.DEAD, "http_422")
        stats = outbox.stats()
        assert (stats.pending, stats.delivered, stats.dead) == (0, 1, 1)
        assert outbox._conn().execute("SELECT sql FROM sqlite_master WHERE name = 'outbox'").fetchone()[0] == table_sql
    finally:
        outbox.close()


class RefusingDelivery:
    """A Delivery that is not kiosk.platform: refuses every submission permanently."""

    def __init__(self):
        self.calls = []

    def submit(self, kind: str, submission_id: str, body: dict) -> dict:
        self.calls.append(submission_id)
        raise DeliveryError("no", retryable=False, status=422, code="http_422")


def test_the_sync_worker_delivers_through_any_delivery(tmp_path):
    delivery: Delivery = RefusingDelivery()
    outbox = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")
    worker = SyncWorker(outbox, delivery, idle_poll_s=0.05)
    try:
        sub = application()
        outbox.enqueue(sub)
        worker.start()
        deadline = time.monotonic() + 10
        while outbox.entry(sub.submission_id).state != RowState.DEAD and time.monotonic() < deadline:
            time.sleep(0.01)
        entry = outbox.entry(sub.submission_id)
        assert (entry.state, entry.last_error) == (RowState.DEAD, "http_422")
        assert delivery.calls == [sub.submission_id]
    finally:
        worker.stop()
        outbox.close()


def test_the_outbox_loads_no_platform_client():
    check = "import sys, offline_cache.sync, offline_cache.outbox; print('kiosk.platform' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", check], cwd=str(REPO), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr[-2000:]


def test_no_outbox_module_over_400_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (REPO / "offline_cache").glob("*.py")}
    assert max(sizes.values()) <= 400, sizes
