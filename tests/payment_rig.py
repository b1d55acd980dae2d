"""Shared pieces of the payment tests: a kiosk-side payment stack (journal, outbox, runner) on a
real reference platform, and the simulated citizen's phone."""
from __future__ import annotations

import datetime as dt
import uuid

import requests

from kiosk.payments import PaymentClient, PaymentIntent, PaymentRunner, PaymentTimings
from kiosk.platform import PlatformClient
from offline_cache.outbox import Outbox
from offline_cache.payments import PaymentJournal

KIOSK_ID = "GD-SZ-FT-0001"
SERVICE_ID = "real-estate-records-copy"
FEE_FEN = 2500
ITEMS = (("BDC-CX", 2000), ("BDC-ZM", 500))
YOUNG_ID_NUMBER = "441202199001011234"
FAST = PaymentTimings(poll_s=0.05, poll_max_s=0.2, code_poll_s=0.05, code_wait_s=0.6, create_timeout_s=1.0,
                      expire_s=120.0)


def application_body(application_id: str, id_number: str = YOUNG_ID_NUMBER) -> dict:
    return {"application_id": application_id, "service_id": SERVICE_ID, "kiosk_id": KIOSK_ID,
            "applicant": {"id_number": id_number, "name": "李四", "address": "广东省肇庆市端州区1号",
                          "phone": "13812345678", "document_type": "resident_id"},
            "form": {"name": "李四", "id_number": id_number, "phone": "13812345678"},
            "submitted_at": dt.datetime.now(dt.timezone.utc).isoformat()}


def intent(application_id: str | None = None, amount_fen: int = FEE_FEN) -> PaymentIntent:
    application_id = application_id or str(uuid.uuid4())
    return PaymentIntent(application_id, KIOSK_ID, SERVICE_ID, amount_fen, ITEMS, application_body(application_id))


class Rig:
    def __init__(self, tmp_path, url: str, timings: PaymentTimings = FAST):
        self.url = url
        self.platform = PlatformClient(url, KIOSK_ID, connect_timeout=1.0, read_timeout=3.0)
        self.outbox = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")
        self.journal = PaymentJournal(tmp_path / "payments.sqlite3", tmp_path / "device.key")
        self.runner = PaymentRunner(self.journal, self.outbox, PaymentClient(self.platform, KIOSK_ID), timings=timings)

    def phone_pays(self, qr_content: str) -> requests.Response:
        return requests.post(self.url + "/payments/sim/pay", json={"qr_content": qr_content}, timeout=5)

    def deliver_all(self) -> list[dict]:
        """The sender's job, inline: every pending outbox row to the platform."""
        replies = []
        while (claimed := self.outbox.claim_next()) is not None:
            entry, body = claimed
            reply = self.platform.submit(entry.kind, entry.submission_id, body)
            self.outbox.mark_delivered(entry.submission_id, reply)
            replies.append(reply)
        return replies

    def close(self) -> None:
        self.outbox.close()
        self.journal.close()
        self.platform.close()
