"""Electronic licences on A4 (issue 15): list, fetch + verify + preview, print, report.

Owns the session's ListLicences / FetchLicence / PrintLicence / DiscardLicence commands.
Never the wrong person (the Japanese コンビニ交付 incidents):

* every piece of work carries the session token AND the request id it was started for; a reply
  arriving for an ended session, an earlier request or another identity is discarded (logged
  without personal data) and its bytes dropped;
* the document is verified for the identity the session holds when the reply arrives (not only
  the one it was asked for): issuer signature against the trust anchor, nothing added after
  signing, holder = the session's identity, not revoked, not expired (kiosk/licence_verify.py);
* the document lives in memory only (the preview renders through pdftoppm's stdin/stdout, the
  printer driver streams it to cupsd) and is dropped when the request ends or the session ends;
* each attempt is journalled before a byte is sent (kiosk/licence_journal.py, no personal data)
  and reported to the platform through the outbox (kind "licence_print", exactly once).

Fees: the catalog's `requires_payment` is honoured through the print entitlement; the payment
flow itself is another issue, so a fee-bearing service is refused here with
"payment_unavailable" (TODO(payment): call the payment flow before the first attempt, then
LicenceJournal.mark_paid).
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer

from kiosk.core import session as s
from kiosk.core.licence import LicenceRefused, job_title, normalise_id
from kiosk.flows.context import Coordinator, FlowContext
from kiosk.licence_preview import PreviewError, render_first_page
from kiosk.licence_stamp import stamp_for_print
from kiosk.licence_verify import VerifiedLicence, load_trust_anchors, verify_licence

log = logging.getLogger(__name__)
STATE_POLL_MS = 15_000


@dataclass
class _Prepared:
    """A verified document, bound to one session and one request. Personal: memory only."""
    token: int
    request_id: str
    licence_id: str
    id_number: str = field(repr=False)
    pdf: bytes = field(repr=False)
    verified: VerifiedLicence = field(repr=False)


@dataclass
class _InFlight:
    token: int
    request_id: str
    print_id: str
    licence_type: str
    pages: int
    token_for_qr: str
    printed_at: str


class CertificatesFlow(Coordinator):
    def __init__(self, ctx: FlowContext, document_printer, journal, parent=None):
        super().__init__(ctx, parent)
        self.printer = document_printer
        self.journal = journal
        cert = ctx.config.certificates
        self.trust_anchors = load_trust_anchors(cert.trust_anchor)
        self._prepared: dict[str, _Prepared] = {}
        self._in_flight: dict[str, _InFlight] = {}
        self.discarded = 0          # replies dropped because their session/request/identity moved on
        if document_printer is not None:
            document_printer.job_finished.connect(self._on_job_finished)
            document_printer.state_changed.connect(self._on_printer_state)
            # The printer's state (paper, doors, queue) for the preview's Print button and the technician.
            self._poll = QTimer(self)
            self._poll.setInterval(STATE_POLL_MS)
            self._poll.timeout.connect(document_printer.refresh)
            self._poll.start()

    def _on_printer_state(self, state) -> None:
        ready = bool(state.ready)
        if self.view.document_printer_ready != ready:
            self.view.document_printer_ready = ready
            self.ctx.changed()

    # --- helpers ---------------------------------------------------------------------------

    def _session_identity(self) -> str:
        document = self.session.document
        return normalise_id(document.id_number) if document is not None else ""

    def _current(self, token: int, request_id: str | None = None) -> bool:
        if token != self.session.token or token == 0:
            return False
        if request_id is None:
            return True
        cert = self.session.certificates
        return cert is not None and cert.request_id == request_id

    def _discard(self, what: str, token: int, request_id: str | None) -> None:
        self.discarded += 1
        self._prepared.pop(request_id or "", None)
        log.warning("licences: discarded a %s for an ended session or another request", what,
                    extra={"session": token})

    # --- ListLicences ----------------------------------------------------------------------

    def list_licences(self, command: s.ListLicences) -> None:
        def work():
            return self.ctx.platform_client.search_licences(command.id_number)
        self.ctx.jobs.run("licence-list", work, lambda items: self._listed(command, items),
                          lambda exc: self._listed(command, None, getattr(exc, "code", "platform_unavailable")))

    def _listed(self, command: s.ListLicences, items, error: str | None = None) -> None:
        if not self._current(command.token) or self._session_identity() != normalise_id(command.id_number):
            self._discard("licence list", command.token, None)
            return
        self.session.licences_listed(command.token, items, error)

    # --- FetchLicence: fetch, verify, preview ----------------------------------------------

    def fetch(self, command: s.FetchLicence) -> None:
        cert = self.ctx.config.certificates
        anchors = self.trust_anchors

        def work():
            pdf, status = self.ctx.platform_client.licence_document(command.licence_id, command.id_number)
            verified = verify_licence(pdf, anchors, command.id_number, revoked=status == "revoked",
                                      max_bytes=cert.max_document_bytes, max_pages=cert.max_pages)
            try:
                preview = render_first_page(pdf, cert.preview_dpi)
            except PreviewError as exc:
                log.warning("licences: no preview: %s", exc)
                preview = None
            return _Prepared(command.token, command.request_id, command.licence_id, command.id_number, pdf,
                             verified), preview
        self.ctx.jobs.run("licence-fetch", work, lambda result: self._fetched(command, *result),
                          lambda exc: self._fetch_failed(command, exc))

    def _fetched(self, command: s.FetchLicence, prepared: _Prepared, preview: bytes | None) -> None:
        # Bound twice: to the session + request that asked, and to the identity the session holds NOW.
        if not self._current(command.token, command.request_id) \
                or normalise_id(prepared.verified.meta.holder_id) != self._session_identity():
            self._discard("licence document", command.token, command.request_id)
            return
        self._prepared[command.request_id] = prepared
        self.session.licence_verified(command.token, command.request_id, prepared.verified.pages, preview)

    def _fetch_failed(self, command: s.FetchLicence, exc: Exception) -> None:
        code = exc.code if isinstance(exc, LicenceRefused) else "fetch_failed"
        log.info("licences: request refused before printing", extra={"reason": code})
        if self._current(command.token, command.request_id):
            self.session.licence_refused(command.token, command.request_id, code)

    def discard(self, command: s.DiscardLicence) -> None:
        self._prepared.pop(command.request_id, None)

    def session_ended(self, token: int) -> None:
        for request_id, prepared in list(self._prepared.items()):
            if prepared.token == token:
                del self._prepared[request_id]

    # --- PrintLicence ----------------------------------------------------------------------

    def print_licence(self, command: s.PrintLicence) -> None:
        prepared = self._prepared.get(command.request_id)
        if prepared is None or prepared.token != command.token or not self._current(command.token, command.request_id):
            self._discard("print request", command.token, command.request_id)
            self.session.licence_refused(command.token, command.request_id, "fetch_failed")
            return
        if self.printer is None:
            self.session.licence_print_finished(command.token, command.request_id, False, "printer_unavailable", 0)
            return
        kiosk_id = self.ctx.config.kiosk.id
        licence_type = prepared.verified.meta.licence_type

        def work():
            entitlement = self.journal.open_entitlement(command.request_id, licence_type, command.requires_payment)
            if entitlement.fulfilled:
                raise LicenceRefused("already_printed")
            if entitlement.needs_payment:   # TODO(payment): the payment flow (another issue) goes here
                raise LicenceRefused("payment_unavailable")
            qr_token, verify_url = self.ctx.platform_client.licence_print_token(prepared.licence_id,
                                                                                 prepared.id_number)
            printed_at = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")
            stamped = stamp_for_print(prepared.pdf, prepared.verified.pages, verify_url, kiosk_id, printed_at)
            print_id = str(uuid.uuid4())
            self.journal.start_attempt(command.request_id, print_id, prepared.verified.pages)
            return stamped, _InFlight(command.token, command.request_id, print_id, licence_type,
                                      prepared.verified.pages, qr_token, printed_at)
        self.ctx.jobs.run("licence-stamp", work, lambda result: self._send(command, *result),
                          lambda exc: self._print_failed(command, exc))

    def _send(self, command: s.PrintLicence, stamped: bytes, flight: _InFlight) -> None:
        self._in_flight[command.request_id] = flight
        self.printer.print_document(command.request_id, job_title(command.request_id), stamped, flight.pages)

    def _print_failed(self, command: s.PrintLicence, exc: Exception) -> None:
        code = exc.code if isinstance(exc, LicenceRefused) else getattr(exc, "code", "print_failed")
        log.warning("licences: print not started", extra={"reason": code})
        if self._current(command.token, command.request_id):
            self.session.licence_print_finished(command.token, command.request_id, False, code, 0)

    def _on_job_finished(self, request_id: str, outcome) -> None:
        flight = self._in_flight.pop(request_id, None)
        if flight is None:
            return    # a technician test page, or a job from before a restart
        reason = outcome.reason or ("" if outcome.ok else outcome.state)
        if not outcome.ok and outcome.printer_reasons:
            reason = f"{reason}:{outcome.printer_reasons[0]}"
        if outcome.ok:
            self._prepared.pop(request_id, None)    # done: the document goes
        report = {"print_id": flight.print_id, "kiosk_id": self.ctx.config.kiosk.id, "token": flight.token_for_qr,
                  "licence_type": flight.licence_type, "outcome": "printed" if outcome.ok else "failed",
                  "pages_sent": outcome.pages_sent, "pages_completed": outcome.pages_completed,
                  "reason": reason[:64], "printed_at": flight.printed_at}

        def record():
            self.journal.finish_attempt(flight.print_id, outcome.job_id, outcome.ok, outcome.pages_completed, reason)
            from offline_cache.records import Submission
            import time as _time
            self.ctx.outbox.enqueue(Submission(flight.print_id, "licence_print", report, _time.time()))
            self.ctx.sync_worker.kick()
        self.ctx.jobs.run("licence-journal", record)
        log.info("licences: print finished", extra={"reason": reason or "ok", "pages": outcome.pages_completed})
        if self._current(flight.token, request_id):
            code = "" if outcome.ok else _citizen_reason(outcome)
            self.session.licence_print_finished(flight.token, request_id, outcome.ok, code, outcome.pages_completed)
        else:
            self._discard("print outcome", flight.token, request_id)


def _citizen_reason(outcome) -> str:
    """One code for the citizen's message: paper/jam/door first, then timeout, then the rest."""
    for reason in outcome.printer_reasons:
        if reason in ("media-empty", "media-needed"):
            return "paper_out"
        if reason == "media-jam":
            return "paper_jam"
        if reason in ("door-open", "cover-open"):
            return "door_open"
    if outcome.reason == "job_timeout":
        return "job_timeout"
    if outcome.reason in ("server_unreachable", "printer_not_ready", "submit_failed"):
        return "printer_unavailable"
    return "job_failed"
