"""The reference platform counts the deliveries it received per Idempotency-Key (the kill -9 test's
"sent twice" check reads it), also in a database made before the count existed."""
from __future__ import annotations

import sqlite3

from reference_platform.store import SCHEMA, Store

OLD_COLUMN = "    deliveries    INTEGER NOT NULL DEFAULT 1,   -- requests answered with this result (1 + replays)\n"


def test_a_replay_counts_as_a_delivery(tmp_path):
    store = Store(tmp_path / "platform.sqlite3")
    assert store.claim_key("K1", "key-1", "application", "fp").outcome == "claimed"
    with store.transaction() as tx:
        tx.complete_key("K1", "key-1", 201, {"application_number": "GD20261123000001"}, "2026-11-23T10:00:00+08:00")
    assert store.claim_key("K1", "key-1", "application", "fp").outcome == "replay"
    assert store.claim_key("K1", "key-1", "application", "other").outcome == "mismatch"     # not a delivery
    assert [r["deliveries"] for r in store.idempotency_records()] == [2]
    store.close()


def test_an_older_database_gets_the_count(tmp_path):
    assert OLD_COLUMN in SCHEMA
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA.replace(OLD_COLUMN, ""))
    conn.close()
    store = Store(path)
    store.claim_key("K1", "key-1", "application", "fp")
    assert store.idempotency_records()[0]["deliveries"] == 1
    store.close()
