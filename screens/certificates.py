"""Electronic licences on A4 (issue 15): the holder's licences, the verified preview, printing,
and the result (with "print again" after a printer fault). Renders the session's
`certificates` data; calls the licence intents only."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from screens.base import KioskView, Screen, clear_layout
from screens.texts import tr
from screens.widgets import big_button, label


def licence_title(choice, language: str) -> str:
    if language == "en":
        return choice.title_en
    return (choice.title_zh_hk or choice.title_zh) if language == "zh_HK" else choice.title_zh


def refusal_text(code: str | None) -> str:
    """The citizen's message for a refusal or print failure code (kiosk.core.licence, the flow)."""
    messages = {
        "revoked": tr("This licence has been revoked by its issuer. It cannot be printed."),
        "expired": tr("This licence has expired. It cannot be printed."),
        "wrong_holder": tr("This document does not belong to you. Nothing was printed."),
        "tampered": tr("The document failed the authenticity check. Nothing was printed. Please go to the counter."),
        "unknown_signer": tr("The document is not signed by a recognised issuer. Nothing was printed."),
        "unsigned": tr("The document is not signed by a recognised issuer. Nothing was printed."),
        "malformed": tr("The document could not be read. Nothing was printed. Please go to the counter."),
        "no_trust_anchor": tr("Certificates cannot be printed at this kiosk today. Please go to the counter."),
        "fetch_failed": tr("The document could not be fetched. Please try again or go to the counter."),
        "paper_out": tr("The printer ran out of paper. Staff have been told. When it is fixed, press Print again: "
                        "you will not pay twice."),
        "paper_jam": tr("The paper jammed. Staff have been told. When it is fixed, press Print again."),
        "door_open": tr("A printer door is open. Staff have been told. When it is closed, press Print again."),
        "job_timeout": tr("The printer did not finish in time; the job was cancelled. Take any partly printed pages "
                          "to the counter. Press Print again when the printer is fixed."),
        "printer_unavailable": tr("The A4 printer is not available right now. Please go to the counter."),
        "payment_unavailable": tr("This document has a fee; paying at this kiosk is not available yet. "
                                  "Please go to the counter."),
        "already_printed": tr("This document has already been printed."),
    }
    return messages.get(code or "", tr("The document could not be printed. Please try again or go to the counter."))


class CertListScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        self.items_host = QWidget()
        self.items = QVBoxLayout(self.items_host)
        for widget in (self.title, self.hint, self.items_host):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.done_button = big_button(name="certListDone")
        self.done_button.clicked.connect(intents.finish_certificates)
        row.addWidget(self.done_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self._shown: tuple = ()

    def render(self, session, view: KioskView) -> None:
        cert = session.certificates
        self.title.setText(tr("Your electronic licences"))
        self.done_button.setText(tr("Done"))
        if cert is None or cert.licences is None:
            self.hint.setText(tr("Looking up your licences…"))
            self._rebuild((), session.language)
            return
        if cert.list_error:
            self.hint.setText(tr("Your licences could not be fetched. Please try again later or go to the counter."))
        elif not cert.licences:
            self.hint.setText(tr("No licence of these kinds is on record for you."))
        else:
            self.hint.setText(tr("Choose the document to print on A4 paper."))
        self._rebuild(tuple(cert.licences), session.language)

    def _rebuild(self, licences: tuple, language: str) -> None:
        key = (licences, language)
        if key == self._shown:
            return
        self._shown = key
        clear_layout(self.items)
        for choice in licences:
            text = f"{licence_title(choice, language)}   ·   " + tr("valid until %s") % choice.expiry_date
            button = big_button(text, name=f"licence-{choice.licence_type}")
            button.clicked.connect(lambda _=False, lid=choice.licence_id: self.intents.choose_licence(lid))
            self.items.addWidget(button)

    def wipe(self) -> None:
        super().wipe()
        self._shown = ()
        clear_layout(self.items)


class CertPreviewScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.status = label(role="subtitle")
        self.status.setObjectName("certStatus")
        self.preview = label()
        self.preview.setObjectName("certPreview")
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)   # the page fits the space left
        self.issuer = label()
        self.issuer.setProperty("cardValue", True)      # the issuer's official name, shown as issued
        for widget in (self.title, self.status, self.issuer):
            self.layout_.addWidget(widget)
        self.layout_.addWidget(self.preview, 1)
        row = QHBoxLayout()
        self.back_button = big_button(name="certBack")
        self.back_button.clicked.connect(intents.back_to_licences)
        self.print_button = big_button(primary=True, name="certPrint")
        self.print_button.clicked.connect(intents.print_licence)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.print_button)
        self.layout_.addLayout(row)
        self._png: bytes | None = None
        self._pixmap: QPixmap | None = None

    def _show_preview(self) -> None:
        """The whole first page, as large as the space left allows."""
        if self._pixmap is None:
            self.preview.clear()
            return
        size = self.preview.size()
        self.preview.setPixmap(self._pixmap.scaled(max(size.width(), 120), max(size.height(), 160),
                                                   Qt.KeepAspectRatio, Qt.SmoothTransformation))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show_preview()

    def render(self, session, view: KioskView) -> None:
        cert = session.certificates
        if cert is None or cert.chosen is None:
            return
        self.title.setText(licence_title(cert.chosen, session.language))
        ready = cert.pages > 0 and cert.refusal is None
        if cert.refusal:
            self.status.setText(refusal_text(cert.refusal))
        elif ready and not view_can_print(view):
            self.status.setText(refusal_text("printer_unavailable"))
        elif ready:
            self.status.setText(tr("Signature verified: issued by the authority below, to you. %d page(s) on A4.")
                                % cert.pages)
        else:
            self.status.setText(tr("Checking the issuer's signature…"))
        if cert.preview_png != self._png:
            self._png = cert.preview_png
            self._pixmap = QPixmap()
            if not (cert.preview_png and self._pixmap.loadFromData(cert.preview_png, "PNG")):
                self._pixmap = None
            self._show_preview()
        self.issuer.setText(tr("Issued by: %s") % cert.chosen.issuer)
        self.back_button.setText(tr("Back"))
        self.print_button.setText(tr("Print on A4"))
        self.print_button.setEnabled(ready and view_can_print(view))

    def wipe(self) -> None:
        super().wipe()
        self._png = None
        self._pixmap = None
        self.preview.clear()
        self.status.clear()
        self.issuer.clear()


def view_can_print(view: KioskView) -> bool:
    """Print is offered only when the A4 printer reported ready at its last refresh (or is not known yet)."""
    return view.document_printer_ready is not False


class CertPrintingScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.hint = label(role="subtitle")
        for widget in (self.title, self.hint):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)

    def render(self, session, view: KioskView) -> None:
        self.title.setText(tr("Printing…"))
        self.hint.setText(tr("Please wait by the A4 printer. The kiosk checks that every page comes out."))


class CertDoneScreen(Screen):
    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.title = label(role="title")
        self.message = label(role="subtitle")
        self.message.setObjectName("certResult")
        for widget in (self.title, self.message):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.back_button = big_button(name="certAnother")
        self.back_button.clicked.connect(intents.back_to_licences)
        self.again_button = big_button(name="certPrintAgain")
        self.again_button.clicked.connect(intents.print_licence)
        self.done_button = big_button(primary=True, name="certDone")
        self.done_button.clicked.connect(intents.finish_certificates)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.again_button)
        row.addWidget(self.done_button)
        self.layout_.addLayout(row)

    def render(self, session, view: KioskView) -> None:
        cert = session.certificates
        if cert is None:
            return
        if cert.printed:
            self.title.setText(tr("Printed"))
            self.message.setText(tr("%d page(s) printed. Take your document from the A4 printer. Its QR code lets "
                                    "anyone check it with the issuer.") % cert.pages_completed)
        else:
            self.title.setText(tr("Not printed"))
            self.message.setText(refusal_text(cert.refusal))
        self.again_button.setVisible(not cert.printed and cert.refusal in (
            "paper_out", "paper_jam", "door_open", "job_timeout", "printer_unavailable", "job_failed"))
        self.again_button.setText(tr("Print again"))
        self.back_button.setText(tr("Another document"))
        self.done_button.setText(tr("Done"))
