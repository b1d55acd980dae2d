"""The outbox on real SQLite files: durability settings, encryption at rest, ordering, crash recovery."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from offline_cache.outbox import Attachment, Outbox, OutboxError, Submission, UndecryptableEntry

ID_NUMBER = "441202193801011234"
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def paths(tmp_path):
    return tmp_path / "data" / "outbox.sqlite3", tmp_path / "keys" / "device.key"


@pytest.fixture
def outbox(paths):
    box = Outbox(*paths)
    yield box
    box.close()


def application(created_at: float = 1000.0, **extra) -> Submission:
    submission_id = str(uuid.uuid4())
    body = {"submission_id": submission_id, "service": "elderly_allowance",
            "applicant": {"name": "张三丰", "id_number": ID_NUMBER}, **extra}
    return Submission(submission_id, "application", body, created_at)


def rating(application_id: str, created_at: float = 1001.0) -> Submission:
    submission_id = str(uuid.uuid4())
    return Submission(submission_id, "rating",
                      {"submission_id": submission_id, "application_id": application_id, "stars": 5}, created_at)


def raw_row(db_path, submission_id):
    conn = sqlite3.connect(db_path)
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM outbox WHERE submission_id = ?", (submission_id,)).fetchone()
    finally:
        conn.close()


def all_db_bytes(db_path: Path) -> bytes:
    """Every byte of the database, its -wal/-shm and its spool directory."""
    return b"".join(p.read_bytes() for p in db_path.parent.rglob("*")
                    if p.is_file() and p.relative_to(db_path.parent).parts[0].startswith(db_path.name))


# --- settings -------------------------------------------------------------------------

def test_every_connection_runs_wal_full_secure_delete(outbox):
    expected = {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1}
    assert outbox.connection_settings() == expected
    seen = {}
    worker = threading.Thread(target=lambda: seen.update(outbox.connection_settings()))
    worker.start()
    worker.join()
    assert seen == expected


def test_refuses_a_connection_where_full_sync_does_not_stick(paths, monkeypatch):
    real_connect = sqlite3.connect

    class IgnoresSynchronous:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql.strip().upper() == "PRAGMA SYNCHRONOUS=FULL":
                sql = "PRAGMA synchronous=NORMAL"
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: IgnoresSynchronous(real_connect(*a, **k)))
    with pytest.raises(OutboxError, match="synchronous=1"):
        Outbox(*paths)


# --- happy path and encryption --------------------------------------------------------

def test_enqueue_is_committed_before_it_returns(outbox, paths):
    sub = application()
    outbox.enqueue(sub)
    row = raw_row(paths[0], sub.submission_id)  # a separate connection sees it: committed
    assert row["state"] == "pending" and row["kind"] == "application" and row["alg"] == "SM4-GCM"


def test_enqueue_claim_deliver_shreds_the_payload(outbox, paths):
    sub = application()
    outbox.enqueue(sub)
    entry, body = outbox.claim_next(now=2000.0)
    assert entry.submission_id == sub.submission_id and entry.state == "sending" and entry.attempts == 1
    assert body == sub.body
    assert outbox.claim_next(now=2000.0) is None  # claimed rows are not handed out twice

    result = {"application_number": "GD20261123000001", "status": "received", "query_token": "q-abc"}
    delivered = outbox.mark_delivered(sub.submission_id, result, now=2001.0)
    assert delivered.state == "delivered" and delivered.result == result and delivered.delivered_at == 2001.0
    row = raw_row(paths[0], sub.submission_id)
    assert row["wrapped_dek"] is None and row["ciphertext"] is None and row["nonce"] is None
    assert outbox.stats(now=2001.0).delivered == 1


def test_personal_data_never_reaches_the_database_files_in_clear(outbox, paths):
    subs = [application(created_at=1000.0 + i) for i in range(5)]
    for sub in subs:
        outbox.enqueue(sub)
    raw = all_db_bytes(paths[0])
    assert paths[0].with_name(paths[0].name + "-wal").exists()  # WAL really in use, and grepped
    assert ID_NUMBER.encode() not in raw
    assert "张三丰".encode() not in raw
    assert "elderly_allowance".encode() not in raw
    # ...and neither in the other obvious encodings.
    assert ID_NUMBER.encode("utf-16-le") not in raw

    entry, body = outbox.claim_next(now=5000.0)
    outbox.mark_delivered(entry.submission_id, {"application_number": "GD1"})
    outbox.close()
    assert ID_NUMBER.encode() not in all_db_bytes(paths[0])


@pytest.mark.faults
def test_tampered_row_is_refused_and_moved_to_dead(outbox, paths):
    sub = application()
    outbox.enqueue(sub)
    conn = sqlite3.connect(paths[0])
    ciphertext = conn.execute("SELECT ciphertext FROM outbox").fetchone()[0]
    conn.execute("UPDATE outbox SET ciphertext = ?", (bytes([ciphertext[0] ^ 1]) + ciphertext[1:],))
    conn.commit()
    conn.close()
    with pytest.raises(UndecryptableEntry):
        outbox.claim_next(now=5000.0)
    assert outbox.entry(sub.submission_id).state == "dead"
    assert outbox.entry(sub.submission_id).last_error == "undecryptable"


def test_swapped_payload_between_rows_is_detected(outbox, paths):
    first, second = application(created_at=1.0), application(created_at=2.0)
    outbox.enqueue(first)
    outbox.enqueue(second)
    conn = sqlite3.connect(paths[0])
    a = conn.execute("SELECT wrapped_dek, nonce, ciphertext FROM outbox WHERE submission_id=?",
                     (second.submission_id,)).fetchone()
    conn.execute("UPDATE outbox SET wrapped_dek=?, nonce=?, ciphertext=? WHERE submission_id=?",
                 (*a, first.submission_id))
    conn.commit()
    conn.close()
    with pytest.raises(UndecryptableEntry):
        outbox.claim_next(now=5000.0)


# --- scheduling and ordering ----------------------------------------------------------

def test_fifo_and_backoff_does_not_block_later_rows(outbox):
    first, second = application(created_at=10.0), application(created_at=11.0)
    outbox.enqueue(first)
    outbox.enqueue(second)
    entry, _ = outbox.claim_next(now=100.0)
    assert entry.submission_id == first.submission_id
    retried = outbox.mark_retry(first.submission_id, "http_503", next_attempt_at=160.0)
    assert retried.state == "pending" and retried.last_error == "http_503" and retried.next_attempt_at == 160.0

    entry, _ = outbox.claim_next(now=100.0)
    assert entry.submission_id == second.submission_id    # first is backing off
    assert outbox.claim_next(now=159.0) is None
    entry, _ = outbox.claim_next(now=160.0)
    assert entry.submission_id == first.submission_id and entry.attempts == 2
    assert outbox.next_due_at() is None


def test_fifo_follows_commit_order_not_the_wall_clock(outbox):
    later_clock, earlier_clock = application(created_at=5000.0), application(created_at=10.0)
    outbox.enqueue(later_clock)    # enqueued first, before the clock was stepped back
    outbox.enqueue(earlier_clock)
    assert outbox.claim_next(now=9999.0)[0].submission_id == later_clock.submission_id


def test_rating_waits_for_its_application(outbox):
    app = application(created_at=1.0)
    rate = rating(app.submission_id, created_at=2.0)
    outbox.enqueue(app)
    outbox.enqueue(rate)
    entry, _ = outbox.claim_next(now=100.0)
    assert entry.submission_id == app.submission_id
    outbox.mark_retry(app.submission_id, "connection_error", next_attempt_at=200.0)
    assert outbox.claim_next(now=100.0) is None          # the rating must not overtake
    assert outbox.entry(rate.submission_id).depends_on == app.submission_id

    outbox.claim_next(now=200.0)
    outbox.mark_delivered(app.submission_id, {"application_number": "GD1"})
    entry, body = outbox.claim_next(now=200.0)
    assert entry.submission_id == rate.submission_id and body["application_id"] == app.submission_id


def test_rating_dies_with_its_application(outbox):
    app = application(created_at=1.0)
    rate = rating(app.submission_id)
    outbox.enqueue(app)
    outbox.enqueue(rate)
    outbox.claim_next(now=100.0)
    changed = outbox.mark_dead(app.submission_id, "http_422")
    assert [(e.submission_id, e.state) for e in changed] == [
        (app.submission_id, "dead"), (rate.submission_id, "dead")]
    assert outbox.entry(rate.submission_id).last_error == "dependency_dead"
    assert outbox.entry(app.submission_id).last_error == "http_422"


def test_rating_for_an_application_not_in_the_outbox_is_sendable(outbox):
    rate = rating("already-delivered-and-purged")
    outbox.enqueue(rate)
    assert outbox.claim_next(now=5000.0)[0].submission_id == rate.submission_id


def test_stats_and_purge(outbox):
    a, b, c = application(created_at=100.0), application(created_at=200.0), application(created_at=300.0)
    for sub in (a, b, c):
        outbox.enqueue(sub)
    outbox.claim_next(now=400.0)
    outbox.mark_delivered(a.submission_id, {"application_number": "GD1"}, now=400.0)
    outbox.claim_next(now=400.0)
    outbox.mark_dead(b.submission_id, "http_400")
    stats = outbox.stats(now=500.0)
    assert (stats.pending, stats.sending, stats.delivered, stats.dead) == (1, 0, 1, 1)
    assert stats.oldest_pending_age_s == pytest.approx(200.0)
    assert outbox.purge_delivered(older_than_s=200.0, now=500.0) == 0
    assert outbox.purge_delivered(older_than_s=50.0, now=500.0) == 1
    assert outbox.entry(a.submission_id) is None
    assert outbox.entry(b.submission_id).state == "dead"   # dead rows are never purged silently


def test_concurrent_enqueue_and_claim_from_two_threads(outbox):
    subs = [application(created_at=float(i)) for i in range(40)]
    claimed = []

    def producer():
        for sub in subs:
            outbox.enqueue(sub)

    def consumer():
        deadline = time.monotonic() + 5
        while len(claimed) < len(subs) and time.monotonic() < deadline:
            item = outbox.claim_next(now=1e12)
            if item:
                claimed.append(item[0].submission_id)
                outbox.mark_delivered(item[0].submission_id, {"application_number": "x"})

    threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert claimed == [s.submission_id for s in subs]


# --- crashes and corruption -----------------------------------------------------------

@pytest.mark.faults
def test_row_left_sending_by_a_crash_is_pending_again_after_reopen(paths):
    box = Outbox(*paths)
    sub = application()
    box.enqueue(sub)
    box.claim_next(now=5000.0)
    assert box.entry(sub.submission_id).state == "sending"
    box.close()   # no mark_*: as if the process died mid-request

    reopened = Outbox(*paths)
    try:
        assert reopened.recovered_count == 1
        entry = reopened.entry(sub.submission_id)
        assert entry.state == "pending" and entry.attempts == 1
        again, body = reopened.claim_next(now=5000.0)
        assert again.submission_id == sub.submission_id and body == sub.body  # same key, same body
    finally:
        reopened.close()


@pytest.mark.faults
@pytest.mark.slow
def test_sigkill_mid_loop_loses_no_acknowledged_submission(paths):
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    acknowledged: list[str] = []
    started = time.monotonic()
    for _round in range(3):
        child = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "tests" / "outbox_writer_child.py"), str(paths[0]), str(paths[1])],
            stdout=subprocess.PIPE, env=env, cwd=REPO_ROOT,
        )
        try:
            first = child.stdout.readline()   # the child is up and writing
            assert first.endswith(b"\n"), "child produced no output"
            time.sleep(rng.uniform(0.05, 0.4))
            os.kill(child.pid, signal.SIGKILL)
            rest = child.stdout.read()
        finally:
            child.kill()
            child.wait(timeout=5)
        assert child.returncode == -signal.SIGKILL
        lines = (first + rest).split(b"\n")
        # A line without its newline was cut by the kill mid-write; it was acknowledged
        # only if complete, so the last (possibly partial) fragment is ignored.
        acknowledged += [line.decode() for line in lines[:-1]]
        assert len(lines) > 2

    assert time.monotonic() - started < 10
    box = Outbox(*paths)
    try:
        claimed = {}
        while (item := box.claim_next(now=1e12)) is not None:
            entry, body = item
            assert body["id_number"] == ID_NUMBER and body["submission_id"] == entry.submission_id
            claimed[entry.submission_id] = body["seq"]
        missing = [sid for sid in acknowledged if sid not in claimed]
        assert not missing, f"{len(missing)} acknowledged submissions lost"
        # Committed-but-not-yet-printed rows may exceed the acknowledged ones by one per kill.
        assert len(acknowledged) <= len(claimed) <= len(acknowledged) + 3
    finally:
        box.close()


@pytest.mark.faults
def test_garbage_file_is_quarantined_and_a_new_database_used(paths):
    db_path, key_path = paths
    db_path.parent.mkdir(parents=True)
    garbage = os.urandom(8192)
    db_path.write_bytes(garbage)
    box = Outbox(db_path, key_path)
    try:
        assert box.quarantined_to is not None and (box.quarantined_to / db_path.name).read_bytes() == garbage
        [alert] = box.alerts()
        assert alert.code == "database_quarantined" and str(db_path) in alert.message
        sub = application()
        box.enqueue(sub)              # the kiosk keeps working on the new database
        assert box.entry(sub.submission_id).state == "pending"
    finally:
        box.close()
    reopened = Outbox(db_path, key_path)   # the new database is healthy: no second quarantine...
    try:
        # ...but the quarantined copy stays a technician item across restarts.
        assert [a.code for a in reopened.alerts()] == ["quarantined_database_present"]
        assert reopened.stats().pending == 1
    finally:
        reopened.close()


@pytest.mark.faults
def test_garbage_file_without_quarantine_gives_a_clear_error_naming_it(paths):
    db_path, key_path = paths
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(os.urandom(8192))
    with pytest.raises(OutboxError) as info:
        Outbox(db_path, key_path, quarantine_corrupt=False)
    assert str(db_path) in str(info.value)


@pytest.mark.faults
def test_damaged_pages_are_detected_and_quarantined_with_the_spool(paths):
    db_path, key_path = paths
    box = Outbox(db_path, key_path, spool_threshold=1000)
    for i in range(200):
        box.enqueue(application(created_at=float(i), padding="p" * 500))
    box.enqueue(Submission(str(uuid.uuid4()), "application", {"x": 1}, 1.0,
                           attachments=(Attachment("scan.jpg", "image/jpeg", os.urandom(5000)),)))
    box.close()
    conn = sqlite3.connect(db_path)   # fold the WAL into the main file, then damage it
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for offset in (2 * page, 4 * page):
        data[offset:offset + page] = os.urandom(page)
    db_path.write_bytes(bytes(data))
    with pytest.raises(OutboxError) as info:
        Outbox(db_path, key_path, quarantine_corrupt=False)
    assert str(db_path) in str(info.value)
    box = Outbox(db_path, key_path)
    try:
        assert [a.code for a in box.alerts()] == ["database_quarantined"]
        moved = box.quarantined_to
        assert (moved / db_path.name).exists() and len(list((moved / box.spool_dir.name).iterdir())) == 1
        assert box.stats().pending == 0 and list(box.spool_dir.iterdir()) == []
    finally:
        box.close()


# --- attachments in the spool directory -----------------------------------------------------

def test_large_attachment_is_spooled_encrypted_and_sent_then_removed(paths):
    box = Outbox(*paths, spool_threshold=10_000)
    try:
        big = (ID_NUMBER.encode() + b"-scan-") * 20_000
        small = b"small-" + ID_NUMBER.encode()
        sub = application(created_at=1.0)
        sub = Submission(sub.submission_id, "application", sub.body, 1.0,
                         attachments=(Attachment("id_front.jpg", "image/jpeg", big),
                                      Attachment("note.txt", "text/plain", small)))
        box.enqueue(sub)
        files = list(box.spool_dir.iterdir())
        assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
        assert ID_NUMBER.encode() not in all_db_bytes(paths[0])
        assert b"id_front.jpg" not in all_db_bytes(paths[0])   # names are inside the encryption too
        entry, body = box.claim_next(now=1e9)
        import base64 as _b64
        assert [(a["name"], _b64.b64decode(a["data_base64"])) for a in body["attachments"]] == [
            ("id_front.jpg", big), ("note.txt", small)]
        box.mark_delivered(entry.submission_id, {"application_number": "N1"})
        assert list(box.spool_dir.iterdir()) == []
    finally:
        box.close()


@pytest.mark.faults
def test_tampered_or_missing_spool_file_sends_the_row_dead_not_garbage(paths):
    box = Outbox(*paths, spool_threshold=100)
    try:
        subs = [Submission(str(uuid.uuid4()), "application", {"n": i}, float(i),
                           attachments=(Attachment("a.bin", "application/octet-stream", os.urandom(500)),))
                for i in range(2)]
        for sub in subs:
            box.enqueue(sub)
        first = box.spool_dir / f"{subs[0].submission_id}.0.att"
        data = bytearray(first.read_bytes())
        data[-1] ^= 1
        first.write_bytes(bytes(data))
        (box.spool_dir / f"{subs[1].submission_id}.0.att").unlink()
        for sub in subs:
            with pytest.raises(UndecryptableEntry):
                box.claim_next(now=1e9)
            assert box.entry(sub.submission_id).state == "dead"
    finally:
        box.close()


def test_orphan_spool_file_of_an_uncommitted_enqueue_is_swept_at_open(paths):
    box = Outbox(*paths, spool_threshold=100)
    kept = Submission(str(uuid.uuid4()), "application", {"n": 1}, 1.0,
                      attachments=(Attachment("a.bin", "application/octet-stream", os.urandom(500)),))
    box.enqueue(kept)
    orphan = box.spool_dir / f"{uuid.uuid4()}.0.att"   # as left by a crash between fsync and COMMIT
    orphan.write_bytes(b"x" * 600)
    box.close()
    box = Outbox(*paths, spool_threshold=100)
    try:
        assert box.orphans_removed == 1 and not orphan.exists()
        assert box.claim_next(now=1e9)[1]["attachments"][0]["name"] == "a.bin"
    finally:
        box.close()


def test_delivered_rows_are_kept_only_for_the_retention_period(paths):
    box = Outbox(*paths, receipt_retention_days=1, clock=lambda: 100_000.0)
    try:
        sub = application()
        box.enqueue(sub)
        box.claim_next(now=1e9)
        box.mark_delivered(sub.submission_id, {"application_number": "N"}, now=100_000.0)
    finally:
        box.close()
    box = Outbox(*paths, receipt_retention_days=1, clock=lambda: 100_000.0 + 86_000)
    assert box.entry(sub.submission_id).state == "delivered"
    box.close()
    box = Outbox(*paths, receipt_retention_days=1, clock=lambda: 100_000.0 + 86_401)
    try:
        assert box.entry(sub.submission_id) is None
    finally:
        box.close()


# --- technician operations ----------------------------------------------------------------

def test_retry_dead_revives_dead_rows_selected_or_all(outbox):
    subs = [application(created_at=float(i)) for i in range(3)]
    for sub in subs:
        outbox.enqueue(sub)
    for sub in subs:
        outbox.claim_next(now=1e9)
        outbox.mark_dead(sub.submission_id, "http_422:invalid_form")
    assert outbox.stats().dead == 3
    assert outbox.retry_dead([subs[0].submission_id], now=5.0) == 1
    entry = outbox.entry(subs[0].submission_id)
    assert (entry.state, entry.attempts, entry.next_attempt_at) == ("pending", 0, 5.0)
    assert outbox.retry_dead([], now=5.0) == 0
    assert outbox.retry_dead(now=6.0) == 2
    assert [e.state for e in outbox.entries(state="pending")] == ["pending"] * 3
    claimed, body = outbox.claim_next(now=7.0)
    assert body == subs[0].body   # payload kept while dead


def test_export_encrypted_contains_ciphertext_only(outbox, tmp_path):
    import base64
    import json as _json
    subs = [application(created_at=float(i)) for i in range(3)]
    for sub in subs:
        outbox.enqueue(sub)
    outbox.claim_next(now=1e9)
    outbox.mark_delivered(subs[0].submission_id, {"application_number": "X"})
    target = tmp_path / "export.jsonl"
    assert outbox.export_encrypted(target) == 2
    raw = target.read_bytes()
    assert ID_NUMBER.encode() not in raw and "张三丰".encode() not in raw
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    rows = [_json.loads(line) for line in raw.decode().splitlines()]
    assert [r["submission_id"] for r in rows] == [s.submission_id for s in subs[1:]]
    # What was exported is exactly what is stored, and opens with the device key.
    from kiosk.crypto import SealedRecord
    r = rows[0]
    sealed = SealedRecord(r["alg"], base64.b64decode(r["wrapped_dek"]), base64.b64decode(r["nonce"]),
                          base64.b64decode(r["ciphertext"]))
    plain = outbox._envelope.open(r["submission_id"], r["schema_version"], sealed)
    assert _json.loads(plain) == {"body": subs[1].body, "attachments": []}


# --- disk full ---------------------------------------------------------------------------

@pytest.mark.parametrize("attachment_bytes, errors, expect_saved", [
    (0, ("OutboxFullError", "OutboxWriteError"), True),          # the database/WAL hits the limit
    (300_000, ("OutboxFullError", "OutboxWriteError"), True),    # spooled attachments fill it
    (700_000, ("OutboxFullError",), False),                      # the spool file itself: EFBIG
])
@pytest.mark.faults
def test_disk_full_refuses_with_a_typed_error_and_keeps_every_saved_submission(paths, attachment_bytes, errors,
                                                                               expect_saved):
    db_path, key_path = paths
    child = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tests" / "outbox_diskfull_child.py"), str(db_path), str(key_path),
         str(600_000), str(attachment_bytes)],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert child.returncode == 0, child.stderr[-2000:]
    lines = child.stdout.splitlines()
    saved = [line.split()[1] for line in lines if line.startswith("saved ")]
    refused = [line.split() for line in lines if line.startswith("refused ")]
    assert len(refused) == 1, child.stdout[-500:]
    _, refused_id, error_class = refused[0]
    assert error_class in errors
    assert bool(saved) == expect_saved
    box = Outbox(db_path, key_path)   # no limit now
    try:
        assert box.alerts() == []     # a full disk must not damage the database
        assert box.entry(refused_id) is None          # no row for the one the citizen was told failed
        claimed = set()
        while (item := box.claim_next(now=1e12)) is not None:
            claimed.add(item[0].submission_id)
        assert claimed == set(saved)
        assert list(box.spool_dir.glob(f"{refused_id}*")) == []
    finally:
        box.close()


def test_delivery_and_next_claim_commit_together_and_unclaim_returns_the_row(outbox):
    first, second = application(created_at=1.0), application(created_at=2.0)
    outbox.enqueue(first)
    outbox.enqueue(second)
    outbox.claim_next(now=10.0)
    delivered, claimed, undecryptable = outbox.mark_delivered_and_claim_next(
        first.submission_id, {"application_number": "N1"}, now=10.0)
    assert delivered.state == "delivered" and undecryptable is None
    entry, body = claimed
    assert (entry.submission_id, entry.state, entry.attempts, body) == (second.submission_id, "sending", 1, second.body)
    outbox.unclaim(second.submission_id)
    entry = outbox.entry(second.submission_id)
    assert (entry.state, entry.attempts) == ("pending", 0)


@pytest.mark.slow
def test_claim_walks_the_fifo_index_instead_of_sorting_the_backlog(outbox):
    conn = outbox._conn()
    plan = " ".join(row[3] for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT o.seq FROM outbox o INDEXED BY outbox_fifo"
        " WHERE o.state = 'pending' AND o.next_attempt_at <= 1 ORDER BY o.seq LIMIT 1"))
    assert "outbox_fifo" in plan and "TEMP B-TREE" not in plan
    for i in range(3000):
        outbox.enqueue(application(created_at=float(i)))
    started = time.perf_counter()
    for _ in range(50):
        entry, _body = outbox.claim_next(now=1e9)
        outbox.mark_delivered(entry.submission_id, {"application_number": "N"})
    per_claim_ms = (time.perf_counter() - started) / 50 * 1000
    first = outbox.entries(state="pending", limit=1)[0]
    assert first.created_at == 50.0        # still strict FIFO
    assert per_claim_ms < 100, per_claim_ms
