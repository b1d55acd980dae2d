"""What happens to a submitted application or rating: checks, numbering, storage."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import re
import sqlite3
from typing import Callable

from reference_platform.catalog import Catalog, form_problems
from reference_platform.errors import ApiError
from reference_platform.faults import Faults
from reference_platform.idempotency import (Outcome, body_fingerprint, parse_key_header, require_key_matches,
                                            run_idempotent)
from reference_platform.models import ApplicationIn, RatingIn
from reference_platform.numbers import application_number, iso_seconds, new_query_token
from reference_platform.store import Store, Transaction

log = logging.getLogger("reference_platform")

# A page scanned at the kiosk: `<material id>-p<page>.<ext>` (kiosk.core.session_documents).
SCANNED_PAGE = re.compile(r"^([a-z][a-z0-9_]{0,39})-p([1-9][0-9]?)\.(jpg|webp)$")
SCANNED_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}
IMAGE_MAGIC = {"image/jpeg": (b"\xff\xd8\xff",), "image/webp": (b"RIFF",)}


def scanned_page_problems(service: dict, attachments: list[dict]) -> list[str]:
    """Pages scanned at the kiosk against the catalog: a material the service lets the kiosk
    scan, its page limit, a content type matching the name and the bytes; and every required
    scannable material present. Attachments with other names are not kiosk scans (kept as is)."""
    scannable = {m["scan"]["id"]: m["scan"] for m in service.get("materials", []) if m.get("scan")}
    problems, pages = [], {}
    for attachment in attachments:
        match = SCANNED_PAGE.match(attachment["name"])
        if match is None:
            continue
        material, extension = match.group(1), match.group(3)
        spec = scannable.get(material)
        if spec is None:
            problems.append(f"{attachment['name']}: material {material!r} may not be scanned for this service")
            continue
        if attachment["content_type"] != SCANNED_TYPES[extension] \
                or not attachment["data"].startswith(IMAGE_MAGIC[SCANNED_TYPES[extension]]):
            problems.append(f"{attachment['name']}: not a {SCANNED_TYPES[extension]} image")
        pages[material] = pages.get(material, 0) + 1
    for material, spec in scannable.items():
        count = pages.get(material, 0)
        if count > spec.get("max_pages", 4):
            problems.append(f"{material}: {count} pages, at most {spec.get('max_pages', 4)}")
        if spec.get("required") and count == 0:
            problems.append(f"{material}: required material missing")
    return problems


class Submissions:
    def __init__(self, store: Store, catalog: Catalog, faults: Faults, clock: Callable[[], dt.datetime],
                 payments=None):
        self.payments = payments   # reference_platform.payments.PaymentDesk: fee-bearing services need it
        self.store = store
        self.catalog = catalog
        self.faults = faults
        self.clock = clock

    def submit_application(self, key_header: str | None, raw_body: bytes, body: ApplicationIn) -> Outcome:
        key = require_key_matches(parse_key_header(key_header), body.application_id, "application_id")
        service = self.catalog.service(body.service_id)
        if service is None:
            raise ApiError(422, "unknown_service", f"unknown service_id {body.service_id!r}")
        # Prefilled card fields may come in the applicant block, the form, or both; the form wins.
        problems = form_problems(service, {**body.applicant.model_dump(), **body.form},
                                 self.catalog.fields_of(service), body.applicant.document_type)
        if problems:
            raise ApiError(422, "invalid_form", "; ".join(problems))
        if service.get("fee"):
            self._check_fee_settled(service, body)
        documents = []
        for index, attachment in enumerate(body.attachments):
            try:
                data = base64.b64decode(attachment.data_base64, validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(422, "invalid_attachment", f"attachments.{index}.data_base64 is not base64") from None
            documents.append({"idx": index, "name": attachment.name, "content_type": attachment.content_type,
                              "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "data": data})
        problems = scanned_page_problems(service, documents)
        if problems:
            raise ApiError(422, "invalid_attachment", "; ".join(problems))

        def work(tx: Transaction) -> tuple[int, dict]:
            received = self.clock()
            day = received.date()
            number = application_number(day, tx.next_daily_sequence(f"{day:%Y%m%d}"))
            expected = day + dt.timedelta(days=service["expected_days"]) if service.get("expected_days") else None
            token = new_query_token()
            row = {
                "application_id": key, "application_number": number, "query_token": token,
                "service_id": body.service_id, "kiosk_id": body.kiosk_id,
                "id_number": body.applicant.id_number, "name": body.applicant.name,
                "address": body.applicant.address, "phone": body.applicant.phone,
                "form_json": json.dumps(body.form, ensure_ascii=False, sort_keys=True),
                "submitted_at": body.submitted_at.isoformat(), "received_at": iso_seconds(received),
                "expected_completion": expected.isoformat() if expected else None, "status": "received",
            }
            try:
                tx.insert_application(row)
            except sqlite3.IntegrityError:
                # Same application_id from another kiosk (its own idempotency scope): never a second row.
                raise ApiError(422, "application_id_conflict", "application_id already used by another kiosk")
            for document in documents:
                tx.insert_attachment({"application_id": key, **document})
            reply = {
                "application_id": key, "application_number": number, "status": "received",
                "received_at": row["received_at"], "expected_completion": row["expected_completion"],
                "query_token": token, "query_url": f"/applications/{token}",
            }
            if service.get("kind") == "queue_ticket":
                # A short ticket number per counter and day (A001, B001, ...), called out in the hall.
                counter = str(body.form.get("counter", ""))
                letter = "ABCDEFGH"[sum(map(ord, counter)) % 8]
                reply["ticket_number"] = f"{letter}{tx.next_daily_sequence(f'ticket-{day:%Y%m%d}-{counter}'):03d}"
            return 201, reply

        outcome = self._run(body.kiosk_id, key, "application", raw_body, work)
        log.info("application %s %s (service %s)", outcome.body["application_number"],
                 "replayed" if outcome.replayed else "received", body.service_id)
        if body.sms_receipt and not outcome.replayed:
            # Stand-in for the SMS gateway: a real platform texts number + progress link to applicant.phone.
            log.info("application %s: SMS receipt requested", outcome.body["application_number"])
        return outcome

    def _check_fee_settled(self, service: dict, body: ApplicationIn) -> None:
        """A fee-bearing application is accepted only with its own order paid (SUCCESS, the catalog
        amount), or with an exemption the platform can check itself (age from the ID number)."""
        if body.fee_exemption is not None:
            if not _exemption_holds(service["fee"], body.fee_exemption, body.applicant.id_number,
                                    self.clock().date()):
                raise ApiError(422, "exemption_not_met", "the fee exemption does not apply to this applicant")
            return
        if body.payment is None or self.payments is None:
            raise ApiError(422, "payment_required", "this service has a fee: no settled payment given")
        order = self.payments.settled_payment(body.kiosk_id, str(body.application_id))
        if order is None or order.order_no != body.payment.order_no or order.reference != body.payment.reference \
                or order.amount_fen != body.payment.amount_fen:
            raise ApiError(422, "payment_not_settled", "no settled payment of this application matches")

    def submit_rating(self, key_header: str | None, raw_body: bytes, body: RatingIn) -> Outcome:
        key = require_key_matches(parse_key_header(key_header), body.rating_id, "rating_id")
        if body.skipped != (body.level is None):
            raise ApiError(422, "invalid_rating", "level must be null exactly when skipped is true")
        application_id = str(body.application_id)

        def work(tx: Transaction) -> tuple[int, dict]:
            application = tx.application_by_id(application_id)
            if application is None:
                raise ApiError(422, "unknown_application", "no application with this application_id")
            if tx.rating_for_application(application_id) is not None:
                raise ApiError(409, "already_rated", "this application already has a rating")
            tx.insert_rating({
                "rating_id": key, "application_id": application_id, "kiosk_id": body.kiosk_id,
                "level": body.level, "skipped": int(body.skipped),
                "reasons_json": json.dumps(body.reasons, ensure_ascii=False),
                "rated_at": body.rated_at.isoformat(), "recorded_at": iso_seconds(self.clock()),
            })
            return 201, {"rating_id": key, "application_number": application["application_number"], "recorded": True}

        return self._run(body.kiosk_id, key, "rating", raw_body, work)

    def _run(self, kiosk_id: str, key: str, operation: str, raw_body: bytes,
             work: Callable[[Transaction], tuple[int, dict]]) -> Outcome:
        return run_idempotent(self.store, client_id=kiosk_id, key=key, operation=operation,
                              fingerprint=body_fingerprint(raw_body), work=work,
                              completed_at=lambda: iso_seconds(self.clock()),
                              before_work=self.faults.sleep_if_delayed,
                              # Separate claim commit only while a delay is injected (to exercise 409s).
                              two_phase=self.faults.delay_s > 0)


def _exemption_holds(fee: dict, rule: str, id_number: str, today: dt.date) -> bool:
    """age_at_least: the birth date is digits 7-14 of an 18-character resident ID / permit number."""
    for exemption in fee.get("exemptions", []):
        if exemption["rule"] == rule == "age_at_least" and len(id_number) == 18 and id_number[6:14].isdigit():
            try:
                born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            except ValueError:
                return False
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            return age >= exemption["age"]
    return False
