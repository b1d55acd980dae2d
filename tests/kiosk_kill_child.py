"""Kiosk-like processes for the kill -9 test, forked from a pre-imported "zygote".

Usage: python tests/kiosk_kill_child.py DB_PATH KEY_PATH PLATFORM_URL SIGNING_KEY_HEX LOG_PATH

Python start-up plus imports take longer than a whole round, so this process imports
everything once and then, per command on stdin, forks a fresh kiosk process (a real
process with its own PID, SQLite connections and sender thread, killed with SIGKILL by
the test). The zygote itself never opens the database or starts a thread.

Commands (one per line) and what the forked kiosk does:
  enqueue N   open the outbox, start the SyncWorker, enqueue N applications, then keep draining
  drain       open the outbox, start the SyncWorker, drain
  finish      like drain, but exit 0 once nothing is pending or sending
Output lines (os.write, atomic): "child PID", "recovered N" (rows found `sending`, i.e. a kill
landed mid-delivery), "committed ID" (after enqueue() returned, i.e. after the durable
COMMIT), "drained", and from the zygote "exited PID STATUS".
"""
from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.platform import PlatformClient  # noqa: E402
from kiosk.signing import HmacSm3Signer  # noqa: E402
from offline_cache.backoff import BackoffPolicy, CircuitBreaker  # noqa: E402
from offline_cache.outbox import Outbox, Submission  # noqa: E402
from offline_cache.sync import SyncWorker  # noqa: E402
from tests.test_platform_client import KIOSK_ID, application_body  # noqa: E402


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def kiosk(command: list[str], db_path: str, key_path: str, url: str, signing_key: bytes) -> None:
    outbox = Outbox(db_path, key_path, spool_threshold=1024)
    say(f"recovered {outbox.recovered_count}")   # rows the previous kill left mid-send
    client = PlatformClient(url, KIOSK_ID, connect_timeout=1.0, read_timeout=3.0, signer=HmacSm3Signer(signing_key))
    worker = SyncWorker(outbox, client, policy=BackoffPolicy(base_s=0.01, cap_s=0.05, retry_after_cap_s=0.1),
                        breaker=CircuitBreaker(failure_threshold=1000, cooldown_s=0.05), idle_poll_s=0.02)
    worker.start()
    if command[0] == "enqueue":
        for _ in range(int(command[1])):
            sid = str(uuid.uuid4())
            body = application_body(sid)
            body["form"] = {"note": "x" * 1500}     # ~2 KB like a real form
            outbox.enqueue(Submission(sid, "application", body, time.time()))
            say(f"committed {sid}")
            worker.kick()
    while True:
        stats = outbox.stats()
        if command[0] == "finish" and stats.pending == 0 and stats.sending == 0:
            worker.stop()
            say("drained")
            os._exit(0)
        time.sleep(0.01)


def main() -> None:
    db_path, key_path, url, key_hex, log_path = sys.argv[1:6]
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        pid = os.fork()
        if pid == 0:
            logging.basicConfig(filename=log_path, level=logging.INFO,
                                format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
            try:
                kiosk(command, db_path, key_path, url, bytes.fromhex(key_hex))
            finally:
                os._exit(3)
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"exited {pid} {status}")


if __name__ == "__main__":
    main()
