"""Child process of the power-loss test: enqueue applications, then wait to lose power.

Usage: python tests/powerloss/outbox_child.py DATA_DIR COUNT [SYNCHRONOUS]

Runs under the fsync shadow shim (LD_PRELOAD). Prints "committed ID" right after each
`Outbox.enqueue` returned (the moment the kiosk may print a receipt), then "done", and
sleeps until the test SIGKILLs it. SYNCHRONOUS (e.g. NORMAL or OFF) plants a weaker
setting on every outbox connection after the outbox's own checks, to prove the test sees it.
"""
from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from offline_cache.database import OutboxDatabase  # noqa: E402
from offline_cache.outbox import Attachment, Outbox, Submission  # noqa: E402


def plant_synchronous(level: str) -> None:
    original = OutboxDatabase._connect

    def _connect(self):
        conn = original(self)
        conn.execute(f"PRAGMA synchronous={level}")
        return conn

    OutboxDatabase._connect = _connect


def main() -> None:
    data_dir, count = Path(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3:
        plant_synchronous(sys.argv[3])
    outbox = Outbox(data_dir / "outbox.sqlite3", data_dir / "device.key", spool_threshold=4096)
    for n in range(count):
        sid = str(uuid.uuid4())
        attachments = (Attachment("photo.jpg", "image/jpeg", bytes([n % 256]) * 8192),) if n % 3 == 0 else ()
        outbox.enqueue(Submission(sid, "application",
                                  {"submission_id": sid, "name": "张三丰", "seq": n, "form": {"note": "x" * 1500}},
                                  time.time(), attachments))
        print(f"committed {sid}", flush=True)
    print("done", flush=True)
    time.sleep(600)   # the power cut (SIGKILL) comes first; never close(): that would checkpoint


if __name__ == "__main__":
    main()
