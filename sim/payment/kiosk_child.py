"""A kiosk-side payment process for the kill -9 rig (tests/test_payment_kill9.py, bench/payment.py).

Usage: python -m sim.payment.kiosk_child DATA_DIR PLATFORM_URL LOG_PATH

Like tests/kiosk_kill_child.py it is a "zygote": it imports everything once and forks a fresh
kiosk process per command on stdin, which the rig kills with SIGKILL at a random moment. Each
forked kiosk runs the product code (kiosk.payments.PaymentRunner on the real encrypted payment
journal and outbox, the real SyncWorker delivering to the platform):

  run SESSION_S POLL_S  resolve earlier payments (start-up recovery), then payment sessions one after
                  another: open the order, poll every POLL_S, close after SESSION_S (the QR countdown)
  finish          resolve earlier payments, deliver the outbox, exit 0

Output lines (os.write, atomic): "child PID", "resolved N UNRESOLVED", "qr APP_ID QR_CONTENT",
"paid APP_ID ORDER_NO T" (the moment the screen would show "paid", time.time()),
"ended APP_ID OUTCOME", "drained", and from the zygote "exited PID STATUS".
"""
from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.payments import PaymentClient, PaymentIntent, PaymentRunner, PaymentTimings  # noqa: E402
from kiosk.platform import PlatformClient  # noqa: E402
from offline_cache.backoff import BackoffPolicy, CircuitBreaker  # noqa: E402
from offline_cache.outbox import Outbox  # noqa: E402
from offline_cache.payments import PaymentJournal  # noqa: E402
from offline_cache.sync import SyncWorker  # noqa: E402

KIOSK_ID = "GD-SZ-FT-0001"
SERVICE_ID = "real-estate-records-copy"
FEE_FEN = 2500
ITEMS = (("BDC-CX", 2000), ("BDC-ZM", 500))
ID_NUMBER = "441202199001011234"
TIMINGS = PaymentTimings(poll_s=0.05, poll_max_s=0.2, code_poll_s=0.05, code_wait_s=0.5, create_timeout_s=1.0,
                         expire_s=120.0)


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def application_body(application_id: str) -> dict:
    return {"application_id": application_id, "service_id": SERVICE_ID, "kiosk_id": KIOSK_ID,
            "applicant": {"id_number": ID_NUMBER, "name": "李四", "address": "广东省肇庆市端州区1号",
                          "phone": "13812345678", "document_type": "resident_id"},
            "form": {"name": "李四", "id_number": ID_NUMBER, "phone": "13812345678"},
            "submitted_at": "2026-12-03T10:00:00+08:00"}


def kiosk(command: list[str], data_dir: Path, url: str) -> None:
    outbox = Outbox(data_dir / "outbox.sqlite3", data_dir / "device.key")
    journal = PaymentJournal(data_dir / "payments.sqlite3", data_dir / "device.key")
    client = PlatformClient(url, KIOSK_ID, connect_timeout=1.0, read_timeout=3.0)
    worker = SyncWorker(outbox, client, policy=BackoffPolicy(base_s=0.01, cap_s=0.05, retry_after_cap_s=0.1),
                        breaker=CircuitBreaker(failure_threshold=1000, cooldown_s=0.05), idle_poll_s=0.02)
    worker.start()
    runner = PaymentRunner(journal, outbox, PaymentClient(client, KIOSK_ID), timings=TIMINGS,
                           on_submitted=lambda _id: worker.kick())
    resolved, unresolved = runner.resolve_pending()
    say(f"resolved {resolved} {unresolved}")
    if command[0] == "finish":
        while runner.resolve_pending()[1]:
            time.sleep(0.05)
        while True:
            stats = outbox.stats()
            if stats.pending == 0 and stats.sending == 0:
                worker.stop()
                say("drained")
                os._exit(0)
            time.sleep(0.02)
    session_s = float(command[1])
    poll_s = float(command[2]) if len(command) > 2 else TIMINGS.poll_s
    while True:
        application_id = str(uuid.uuid4())
        intent = PaymentIntent(application_id, KIOSK_ID, SERVICE_ID, FEE_FEN, ITEMS, application_body(application_id))
        try:
            status = runner.open_order(intent)
        except Exception as exc:
            say(f"ended {application_id} {getattr(getattr(exc, 'status', None), 'outcome', 'error')}")
            continue
        say(f"qr {application_id} {status.qr_content}")
        deadline = time.monotonic() + session_s
        while status.outcome is None and time.monotonic() < deadline:
            time.sleep(poll_s)
            try:
                status = runner.poll(application_id)
            except Exception:
                continue
        if status.outcome is None:
            status = runner.cancel(application_id, "timeout")
        if status.settled:
            say(f"paid {application_id} {status.order_no} {time.time():.6f}")
        else:
            say(f"ended {application_id} {status.outcome}")


def main() -> None:
    data_dir, url, log_path = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        pid = os.fork()
        if pid == 0:
            logging.basicConfig(filename=log_path, level=logging.WARNING,
                                format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
            try:
                kiosk(command, data_dir, url)
            finally:
                os._exit(3)
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"exited {pid} {status}")


if __name__ == "__main__":
    main()
