"""Citizen session: printing an electronic licence (电子证照) on A4 (issue 15).

After card + face, a `licence_print` service lists the holder's licences (ListLicences), the
citizen picks one: a new *request* (uuid) is made and the flow fetches, verifies and previews it
(FetchLicence). Printing (PrintLicence) follows the A4 job to its last page; after a failure
the citizen may print again when the printer is fixed: the same request, so the same print
entitlement (never charged twice). Every event carries the session token AND the request id:
a reply for an ended session, an earlier request or another licence is ignored.

Personal data (the list, the preview) lives in `_data.certificates` and goes with the wipe.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from kiosk.core.session_base import SessionBase
from kiosk.core.session_types import DiscardLicence, EndReason, FetchLicence, ListLicences, PrintLicence, State


@dataclass(frozen=True)
class LicenceChoice:
    licence_id: str
    licence_type: str
    title_zh: str
    title_en: str
    issuer: str
    expiry_date: str
    status: str
    title_zh_hk: str = ""

    @classmethod
    def from_reply(cls, item: dict[str, Any]) -> LicenceChoice:
        return cls(*(str(item.get(name, "")) for name in (
            "licence_id", "licence_type", "title_zh", "title_en", "issuer", "expiry_date", "status",
            "title_zh_hk")))


@dataclass
class CertificateData:
    licences: list[LicenceChoice] | None = None     # None while the platform is asked
    list_error: str | None = None
    request_id: str | None = None
    chosen: LicenceChoice | None = None
    preview_png: bytes | None = field(default=None, repr=False)
    pages: int = 0
    refusal: str | None = None      # why it was refused or did not print (code)
    printed: bool = False
    attempts: int = 0
    pages_completed: int = 0


class CertificatesMixin(SessionBase):
    """The licence-printing states of `CitizenSession`."""

    @property
    def certificates(self) -> CertificateData | None:
        data = self._data.certificates
        return data if isinstance(data, CertificateData) else None

    @property
    def _cert(self) -> CertificateData:
        if not isinstance(self._data.certificates, CertificateData):
            self._data.certificates = CertificateData()
        return self._data.certificates

    def _holder_id(self) -> str:
        return self._data.document.id_number if self._data.document else ""

    def _start_licence_list(self) -> None:
        self._data.certificates = CertificateData()
        self._go(State.CERT_LIST)
        self._command(ListLicences(self.token, self._service.licence_types, self._holder_id()))

    # --- events --------------------------------------------------------------

    def licences_listed(self, token: int, licences: list[dict[str, Any]] | None, error: str | None = None) -> None:
        if token != self.token or self.state is not State.CERT_LIST or self._cert.licences is not None:
            return
        if licences is None:
            self._cert.list_error = error or "platform_unavailable"
            self._cert.licences = []
        else:
            wanted = set(self._service.licence_types)
            self._cert.licences = [LicenceChoice.from_reply(item) for item in licences
                                   if str(item.get("licence_type")) in wanted]
        self._changed()

    def licence_verified(self, token: int, request_id: str, pages: int, preview_png: bytes | None) -> None:
        if not self._is_current(token, request_id, State.CERT_PREVIEW):
            return
        self._cert.pages = pages
        self._cert.preview_png = preview_png
        self._changed()

    def licence_refused(self, token: int, request_id: str, code: str) -> None:
        if not self._is_current(token, request_id, (State.CERT_PREVIEW, State.CERT_PRINTING)):
            return
        self._cert.refusal = code
        self._cert.preview_png = None
        if self.state is State.CERT_PRINTING:
            self._go(State.CERT_DONE)
        else:
            self._changed()

    def licence_print_finished(self, token: int, request_id: str, ok: bool, reason: str,
                               pages_completed: int) -> None:
        if not self._is_current(token, request_id, State.CERT_PRINTING):
            return
        self._cert.printed = ok
        self._cert.refusal = None if ok else (reason or "job_failed")
        self._cert.pages_completed = pages_completed
        self._go(State.CERT_DONE)

    def _is_current(self, token: int, request_id: str, states: State | tuple[State, ...]) -> bool:
        allowed = states if isinstance(states, tuple) else (states,)
        return token == self.token and self.state in allowed and self.certificates is not None \
            and self._cert.request_id == request_id

    # --- citizen intents ------------------------------------------------------

    def choose_licence(self, licence_id: str) -> None:
        if self.state is not State.CERT_LIST or not self._cert.licences:
            return
        chosen = next((lic for lic in self._cert.licences if lic.licence_id == licence_id), None)
        if chosen is None:
            return
        cert = self._cert
        cert.request_id, cert.chosen = str(uuid.uuid4()), chosen
        cert.preview_png, cert.pages, cert.refusal, cert.printed, cert.attempts = None, 0, None, False, 0
        self._go(State.CERT_PREVIEW)
        self._command(FetchLicence(self.token, cert.request_id, chosen.licence_id, self._holder_id()))

    def print_licence(self) -> None:
        """Print the previewed licence, or print it again after a failed attempt (same request)."""
        cert = self._cert
        ready = self.state is State.CERT_PREVIEW and cert.pages > 0 and cert.refusal is None
        reprint = self.state is State.CERT_DONE and not cert.printed and cert.pages > 0 \
            and cert.refusal not in _FINAL_REFUSALS
        if not (ready or reprint) or cert.request_id is None:
            return
        cert.attempts += 1
        cert.refusal = None
        self._go(State.CERT_PRINTING)
        self._command(PrintLicence(self.token, cert.request_id, self._service.requires_payment))

    def back_to_licences(self) -> None:
        if self.state not in (State.CERT_PREVIEW, State.CERT_DONE):
            return
        cert = self._cert
        if cert.request_id is not None:
            self._command(DiscardLicence(self.token, cert.request_id))
        cert.request_id, cert.chosen, cert.preview_png, cert.pages = None, None, None, 0
        cert.refusal, cert.printed = None, False
        self._go(State.CERT_LIST)

    def finish_certificates(self) -> None:
        if self.state in (State.CERT_LIST, State.CERT_PREVIEW, State.CERT_DONE):
            self._end(EndReason.COMPLETED)

    def _licence_overdue(self, waited_s: float) -> None:
        """tick(): the printer driver should have answered long ago (its own job deadline is shorter)."""
        if self.state is State.CERT_PRINTING and waited_s >= self.timeouts.print_s:
            self._cert.refusal = "job_timeout"
            self._go(State.CERT_DONE)
        elif self.state is State.CERT_LIST and self._cert.licences is None and waited_s >= self.timeouts.query_s:
            self.licences_listed(self.token, None, "platform_timeout")


# Refusals a reprint cannot fix (the document itself is wrong): only "back".
_FINAL_REFUSALS = ("malformed", "unsigned", "unknown_signer", "tampered", "wrong_holder", "revoked", "expired",
                   "no_trust_anchor")
