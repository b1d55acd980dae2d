"""Child process for the kill -9 test: enqueue submissions forever.

Usage: python tests/outbox_writer_child.py DB_PATH KEY_PATH

Prints each submission id on its own line only AFTER `Outbox.enqueue` returned, i.e.
after the durable COMMIT. The parent SIGKILLs us at a random moment and then checks
that every id it saw is in the database and decrypts.
"""
from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline_cache.outbox import Outbox, Submission  # noqa: E402


def main() -> None:
    db_path, key_path = sys.argv[1], sys.argv[2]
    outbox = Outbox(db_path, key_path)
    n = 0
    while True:
        submission_id = str(uuid.uuid4())
        outbox.enqueue(Submission(
            submission_id=submission_id,
            kind="application",
            body={"submission_id": submission_id, "id_number": "441202193801011234",
                  "name": "张三丰", "seq": n, "padding": "x" * 1500},
            created_at=time.time(),
        ))
        sys.stdout.write(submission_id + "\n")
        sys.stdout.flush()
        n += 1


if __name__ == "__main__":
    main()
