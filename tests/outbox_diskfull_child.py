"""Child process for the disk-full test: a file-size limit (RLIMIT_FSIZE) stands in for a full disk.

Usage: python tests/outbox_diskfull_child.py DB_PATH KEY_PATH LIMIT_BYTES ATTACHMENT_BYTES

Enqueues submissions until `enqueue` raises. Prints `saved <id>` after each returned
enqueue (the point where the kiosk would print a receipt) and finally
`refused <id> <ExceptionClass>` for the one that failed, then exits 0.
"""
from __future__ import annotations

import os
import resource
import signal
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline_cache.outbox import Attachment, Outbox, Submission  # noqa: E402


def main() -> None:
    db_path, key_path, limit, attachment_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    outbox = Outbox(db_path, key_path, spool_threshold=64 * 1024)   # key and schema written before the limit
    # Without this the kernel kills us with SIGXFSZ instead of returning EFBIG (a full disk gives ENOSPC).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    while True:
        sid = str(uuid.uuid4())
        attachments = (Attachment("scan.jpg", "image/jpeg", os.urandom(attachment_bytes)),) if attachment_bytes else ()
        try:
            outbox.enqueue(Submission(sid, "application", {"application_id": sid, "padding": "x" * 2000},
                                      time.time(), attachments=attachments))
        except Exception as exc:
            print(f"refused {sid} {type(exc).__name__}", flush=True)
            return
        print(f"saved {sid}", flush=True)


if __name__ == "__main__":
    main()
