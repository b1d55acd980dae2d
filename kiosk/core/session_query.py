"""Citizen session, part 3 of 5: the progress query (办事进度查询).

`QueryFlowMixin` holds the citizen's query intents (type a number, scan the receipt
QR, finish), the events that answer them (`qr_scanned`, `query_answered`), the
query deadline (`_query_overdue`, called by `tick()`), and `reference_from_qr`.
"""
from __future__ import annotations

import re
from typing import Any

from kiosk.core.session_base import SessionBase
from kiosk.core.session_types import SCAN_GRACE_S, CancelDeviceWork, EndReason, LookupApplication, ScanQr, State


class QueryFlowMixin(SessionBase):
    """Progress-query intents, events and deadline of `CitizenSession`."""

    def query_number(self, reference: str) -> None:
        """The citizen typed an application number and pressed Search."""
        if self.state is not State.QUERY or self.query_busy:
            return
        reference = (reference or "").strip()
        if re.fullmatch(r"GD[0-9]{14}", reference, re.IGNORECASE):
            reference = reference.upper()     # a typed number; tokens and UUIDs keep their case
        if not reference:
            self.query_error = "query_number_required"
            self._changed()
            return
        self._lookup(reference)

    def scan_receipt_qr(self) -> None:
        if self.state is not State.QUERY or self.query_busy:
            return
        self.query_error = None
        self.query_scanning = True
        self._query_started = self._clock()
        self.touch()
        self._command(ScanQr(self.token, self.effective_timeouts.card_read_s))
        self._changed()

    def qr_scanned(self, token: int, payload: str | None) -> None:
        """Decoded receipt QR (a progress-query link), or None when nothing was found in time."""
        if token != self.token or self.state is not State.QUERY or not self.query_scanning:
            return
        self.query_scanning = False
        reference = reference_from_qr(payload) if payload else None
        if reference is None:
            self.query_error = "query_qr_not_found" if payload is None else "query_qr_not_ours"
            self._changed()
            return
        self._lookup(reference)

    def query_answered(self, token: int, status: dict[str, Any] | None, error: str | None = None,
                       reference: str | None = None) -> None:
        """The platform's answer: the status record, or an error key (not_found, offline).
        With `reference`, an answer to an earlier lookup (one that ran past its deadline) is ignored."""
        if token != self.token or self.state is not State.QUERY or not self.query_busy:
            return
        if reference is not None and reference != self._query_reference:
            return
        self.query_busy = False
        if status is None:
            self.query_error = f"query_{error or 'not_found'}"
            self._changed()
            return
        scope = self._service.query_services
        if scope and status.get("service_id") not in scope:
            self.query_error = "query_other_service"
            self._changed()
            return
        self.query_result = dict(status)
        self._go(State.QUERY_RESULT)

    def finish_query(self) -> None:
        if self.state is State.QUERY_RESULT:
            self._end(EndReason.COMPLETED)

    def _lookup(self, reference: str) -> None:
        self.query_error = None
        self.query_busy = True
        self._query_reference = reference
        self._query_started = self._clock()
        self.touch()
        self._command(LookupApplication(self.token, reference))
        self._changed()

    def _query_overdue(self, waited_s: float) -> None:
        timeouts = self.effective_timeouts
        if self.query_busy and waited_s >= timeouts.query_s:
            self.query_busy = False
            self.query_error = "query_offline"
            self._changed()
        elif self.query_scanning and waited_s >= timeouts.card_read_s + SCAN_GRACE_S:
            self.query_scanning = False
            self.query_error = "query_qr_not_found"
            self._command(CancelDeviceWork(self.token))
            self._changed()


def reference_from_qr(payload: str) -> str | None:
    """The application reference in a receipt QR: the last path segment of the
    progress-query link (…/applications/<number|token|uuid>), or a bare number."""
    import re
    payload = payload.strip()
    match = re.search(r"/applications/([A-Za-z0-9_-]{8,64})/?$", payload)
    if match:
        return match.group(1)
    if re.fullmatch(r"GD[0-9]{14}", payload):
        return payload
    return None
