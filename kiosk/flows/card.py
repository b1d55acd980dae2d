"""Card flow: reading the citizen's ID card or passport for the session."""
from __future__ import annotations

import logging

from kiosk.core import session as s
from kiosk.core.document_gate import document_problems
from kiosk.flows.context import Coordinator, FlowContext
from kiosk.logging_setup import SensitiveNames

log = logging.getLogger(__name__)


class CardFlow(Coordinator):
    """Owns the ID reader's part of a session: the ReadCard command (with a passport's
    MRZ key), the document checks on what was read, read failures, and the "card left on
    the reader" reminder after the session ends. Results are fed to the session tagged
    with the token of the read that produced them."""

    def __init__(self, ctx: FlowContext, parent=None):
        super().__init__(ctx, parent)
        self.token = 0      # session token of the card read in progress
        reader = ctx.id_reader
        reader.card_read.connect(self._on_card_read)
        reader.read_failed.connect(self._on_card_failed)
        reader.media_status_changed.connect(self._on_media_status)

    def read_card(self, command: s.ReadCard) -> None:
        self.token = command.token
        if command.mrz is not None:
            # A passport's BAC key, typed by the citizen: handed to the reader for this one read.
            set_mrz_key = getattr(self.ctx.id_reader, "set_mrz_key", None)
            try:
                if set_mrz_key is None:
                    raise ValueError("this reader cannot read passports")
                set_mrz_key(*command.mrz)
            except ValueError:
                self.session.card_failed(command.token, "mrz_mismatch")
                return
        self.ctx.id_reader.read_card(command.timeout_s)

    def cancel(self) -> None:
        self.ctx.id_reader.cancel()

    def session_ended(self) -> None:
        if self.ctx.id_reader.media_status() == "present":
            # A card reader (unlike a motorised one) cannot hand the card back: remind the
            # citizen on the idle screen until the reader reports the card gone.
            self.view.card_left_on_reader = True
            log.info("card left on the reader")
            self.ctx.changed()

    def _on_media_status(self, media: str) -> None:
        if media == "present" and self.session.state is s.State.IDLE and not self.view.card_left_on_reader:
            # A card placed on the reader at the attract screen starts a session (the card
            # stays there and is read once a service that needs it is chosen).
            log.info("session started by a card on the reader")
            self.session.start()
            return
        if media != "present" and self.view.card_left_on_reader:
            self.view.card_left_on_reader = False
            log.info("card taken from the reader")
            self.ctx.changed()

    def _on_card_read(self, document) -> None:
        SensitiveNames.set(document.name)
        log.info("card read", extra={"card": repr(document)})
        problems = document_problems(document)
        if problems:
            # The technician sees which check failed; the citizen is sent to the counter.
            log.warning("card failed document checks", extra={"reasons": problems})
            self.session.card_failed(self.token, "invalid_document")
            return
        self.session.card_read(self.token, document)

    def _on_card_failed(self, reason: str, detail: str) -> None:
        log.warning("card read failed", extra={"reason": reason, "detail": detail})
        self.session.card_failed(self.token, reason)
