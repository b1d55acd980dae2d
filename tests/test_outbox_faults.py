"""Outbox + sync worker + real reference platform through a fault-injecting TCP/HTTP proxy.

Every fault the network or a broken gateway can produce between kiosk and platform, one
per request, while a batch of applications drains: each application must end up at the
platform exactly once, and the kiosk's copy must be `delivered` with the platform's number.
Also: personal data never appears in clear in the database, the spool or the logs.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
import uuid

import pytest

from kiosk.platform import PlatformClient
from kiosk.signing import HmacSm3Signer
from offline_cache.backoff import BackoffPolicy, CircuitBreaker
from offline_cache.outbox import Attachment, Outbox, Submission
from offline_cache.sync import SyncWorker
from reference_platform.server import ReferencePlatformServer
from tests.fault_proxy import FaultProxy
from tests.test_platform_client import ID_NUMBER, KIOSK_ID, application_body

pytestmark = [pytest.mark.slow, pytest.mark.faults]

NAME = "张三丰"
KEY = b"s" * 32
FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, retry_after_cap_s=0.2)   # Retry-After: 1 capped to 0.2 s here
ALL_FAULTS = ["drop_before", "reset_before", "drop_after", "reset_after", "delay", "truncate", "500_after",
              "503", "429", "garbage_json", "wrong_type", "huge"]


def wait_for(predicate, timeout=30.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def rig(tmp_path):
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", signature_keys={KIOSK_ID: KEY})
    server.start()
    proxy = FaultProxy("127.0.0.1", server.port, delay_s=1.0)
    url = proxy.start()
    outbox = Outbox(tmp_path / "kiosk" / "outbox.sqlite3", tmp_path / "kiosk" / "device.key", spool_threshold=4096)
    client = PlatformClient(url, KIOSK_ID, connect_timeout=0.5, read_timeout=0.5, signer=HmacSm3Signer(KEY))
    worker = SyncWorker(outbox, client, policy=FAST, breaker=CircuitBreaker(failure_threshold=1000, cooldown_s=0.05),
                        idle_poll_s=0.05)
    yield server, proxy, outbox, worker, tmp_path
    worker.stop()
    outbox.close()
    proxy.stop()
    server.stop()


def enqueue_applications(outbox, n, with_scan=False):
    subs = []
    for i in range(n):
        sid = str(uuid.uuid4())
        scan = (Attachment("id_card_front.jpg", "image/jpeg", (ID_NUMBER + NAME).encode() * 1000 + os.urandom(64)),
                ) if with_scan and i % 2 == 0 else ()
        sub = Submission(sid, "application", application_body(sid), time.time(), attachments=scan)
        outbox.enqueue(sub)
        subs.append(sub)
    return subs


def assert_each_delivered_exactly_once(server, outbox, subs):
    rows = server.store.applications()
    by_id = {}
    for row in rows:
        by_id.setdefault(row["application_id"], []).append(row)
    assert len(rows) == len(subs), f"{len(rows)} platform rows for {len(subs)} applications"
    for sub in subs:
        assert len(by_id.get(sub.submission_id, [])) == 1, f"{sub.submission_id} not exactly once"
        entry = outbox.entry(sub.submission_id)
        assert entry.state == "delivered"
        assert entry.result["application_number"] == by_id[sub.submission_id][0]["application_number"]


def test_every_network_and_gateway_fault_still_delivers_each_application_once(rig):
    server, proxy, outbox, worker, _ = rig
    subs = enqueue_applications(outbox, len(ALL_FAULTS) + 3, with_scan=True)
    proxy.plan.extend(ALL_FAULTS)
    worker.start()
    assert wait_for(lambda: outbox.stats().delivered == len(subs)), outbox.stats()
    for fault in ALL_FAULTS:
        assert proxy.fired(fault) == 1, fault
    assert_each_delivered_exactly_once(server, outbox, subs)
    # The scans arrived intact (decrypted from the spool, base64 over the wire, stored by the platform).
    for sub in subs:
        if sub.attachments:
            [stored] = server.store.attachments(sub.submission_id)
            assert stored["sha256"] == hashlib.sha256(sub.attachments[0].data).hexdigest()
    assert list(outbox.spool_dir.iterdir()) == []     # spool removed after delivery


@pytest.mark.parametrize("fault", ["drop_after", "reset_after", "delay", "truncate", "500_after", "garbage_json"])
def test_response_lost_after_the_commit_is_resent_with_the_same_key_and_replayed(rig, fault):
    server, proxy, outbox, worker, _ = rig
    [sub] = enqueue_applications(outbox, 1)
    proxy.plan.extend([fault, fault])       # twice in a row: still one application
    worker.start()
    assert wait_for(lambda: outbox.stats().delivered == 1)
    assert outbox.entry(sub.submission_id).attempts == 3
    assert_each_delivered_exactly_once(server, outbox, [sub])
    assert [r["state"] for r in server.store.idempotency_records()] == ["done"]


def test_garbage_4xx_goes_to_dead_letter_and_a_technician_retry_delivers_it(rig):
    server, proxy, outbox, worker, _ = rig
    [sub] = enqueue_applications(outbox, 1)
    proxy.plan.append("garbage_422")
    worker.start()
    assert wait_for(lambda: outbox.stats().dead == 1)
    entry = outbox.entry(sub.submission_id)
    assert entry.last_error == "http_422" and entry.attempts == 1
    time.sleep(0.3)
    assert outbox.entry(sub.submission_id).attempts == 1     # not retried on its own
    assert worker.connectivity().dead == 1
    assert outbox.retry_dead() == 1
    worker.kick()
    assert wait_for(lambda: outbox.stats().delivered == 1)
    assert_each_delivered_exactly_once(server, outbox, [sub])


def test_connectivity_reports_offline_with_queue_depth_then_online(rig):
    server, proxy, outbox, worker, _ = rig
    server.stop()
    subs = enqueue_applications(outbox, 3)
    worker.start()
    assert wait_for(lambda: worker.connectivity().online is False)
    state = worker.connectivity()
    assert state.pending + state.sending == 3 and state.last_error.startswith(("connection_error", "http_"))
    server.start()
    assert wait_for(lambda: outbox.stats().delivered == 3)
    state = worker.connectivity()
    assert state.online is True and state.pending == 0 and state.last_error is None
    assert_each_delivered_exactly_once(server, outbox, subs)


def test_personal_data_is_never_in_clear_in_database_spool_or_logs(rig):
    server, proxy, outbox, worker, tmp_path = rig
    log_file = tmp_path / "kiosk.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        subs = enqueue_applications(outbox, 4, with_scan=True)

        def kiosk_bytes() -> bytes:
            kiosk_dir = tmp_path / "kiosk"
            return b"".join(p.read_bytes() for p in kiosk_dir.rglob("*") if p.is_file())

        queued = kiosk_bytes()
        assert len(list(outbox.spool_dir.iterdir())) == 2        # the scans really are in the spool
        proxy.plan.extend(["503", "drop_after", "garbage_422"])   # errors and dead letters get logged too
        worker.start()
        assert wait_for(lambda: outbox.stats().delivered + outbox.stats().dead == len(subs))
        handler.flush()
        logs = log_file.read_bytes()
        assert b"submission" in logs                             # the log did capture the worker's lines
        for secret in (ID_NUMBER.encode(), NAME.encode("utf-8"), base64.b64encode(NAME.encode("utf-8"))):
            assert secret not in queued
            assert secret not in kiosk_bytes()
            assert secret not in logs
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
