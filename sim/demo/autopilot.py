"""A scripted citizen session through the real screens, for headless demos
and screenshots: it presses the same buttons a citizen would, waits for each
state, and saves a screenshot of every step plus the printed receipt.

With `phone_sessions` (the default with the simulated card reader) two more citizens
follow who left their ID card at home: one shows the government app's identity code to
the camera (sim/phone_app.py holds the phone up; the face check uses the photo on record),
one logs in with the app by the kiosk's QR (the phone app confirms it at the platform).
"""
from __future__ import annotations

import functools

import shutil
import time
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

import numpy as np

from devices.camera.sim import SimCamera
from devices.printer.sim import SimPrinter
from kiosk.core.session import State
from screens.passport import MRZ_FIELDS
from sim.documents import camera_view, demo_material_pages, passport_page
from sim.printer.emulated import EmulatedReceiptPrinter

# Steps a service may skip: screenshot only when their own screen is showing.
STEP_SCREENS = {"passport": State.MRZ_ENTRY, "passport-camera": State.MRZ_ENTRY, "verify-face": State.VERIFY_FACE,
                "app-code-scanning": State.APP_CODE,
                "open-documents": State.SCAN_DOCUMENTS, "document-page-1": State.SCAN_DOCUMENTS,
                "document-page-2": State.SCAN_DOCUMENTS, "next-page": State.IDLE, "documents-scanned": State.SCAN_DOCUMENTS}
PHONE_SERVICES = {"app-code": "elderly-allowance", "app-login": "queue-ticket"}   # per phone session
PAGE_SETTLE_S = 1.0     # a newly shown page: let the camera's earlier frames drain before "Take this page"
STEP_TIMEOUT_S = 90.0   # the first face check waits for the models to load
PHONE = "13812345678"
SETTLE_ROUNDS = 3       # show (queued) -> layout (posted) -> paint: a few rounds of events


@functools.lru_cache(maxsize=1)
def _document_frames() -> tuple[np.ndarray, np.ndarray]:
    """The two material pages as the camera sees them: drawn once per process (about 0.3 s of
    image work), not on the GUI thread at every session."""
    rng = np.random.default_rng(16)
    first, second = (camera_view(page, rng, fill=0.86, angle_deg=angle, tilt=0.04, blur=0.5)
                     for page, angle in zip(demo_material_pages(), (4.0, -6.0)))
    for frame in (first, second):
        frame.setflags(write=False)     # shared by every session: nobody may draw on it
    return first, second


class Autopilot(QObject):
    finished = Signal()

    def __init__(self, parts, output_dir: Path, language: str = "zh_CN", service_id: str = "elderly-allowance",
                 take_screenshots: bool = True, phone_sessions: bool = False, certificate: bool = False,
                 phone_pays=None, fee_service_id: str = "real-estate-records-copy",
                 page_settle_s: float = PAGE_SETTLE_S, poll_ms: int = 50):
        super().__init__()
        self.parts = parts
        self.window = parts.window
        self.controller = parts.controller
        self.session = parts.controller.session
        self.output_dir = Path(output_dir)
        self.language = language
        self.service_id = service_id
        self.take_screenshots = take_screenshots   # off for benchmarks: PNG encoding is not kiosk work
        # 统一支付: with `phone_pays(qr_content)` (the simulated citizen's phone, supplied by the demo
        # composition) a second citizen (the "young" sample card) applies for a fee service and pays by QR.
        self.phone_pays = phone_pays
        self.fee_service_id = fee_service_id
        self.payment_reference: str | None = None
        self.screenshots: list[Path] = []
        self.receipt_files: list[Path] = []
        self.certificate = certificate      # then a second citizen prints a certificate on A4 (issue 15)
        self.certificate_files: list[Path] = []
        self.application_number: str | None = None
        self.application_numbers: list[str] = []
        self.succeeded = False
        self.failure: str | None = None
        self._phone = None
        self._phone_held = False
        self._shown_at = 0.0
        self.page_settle_s = page_settle_s   # the soak shortens it (throughput, not realism)
        self._steps = self._script(self.service_id, "")
        if phone_sessions:
            for method, service in PHONE_SERVICES.items():
                self._steps += self._script(service, method)
        if certificate:
            self._steps += self._certificate_script()
        if self.phone_pays is not None:
            self._steps += self._payment_script()
        self._step_started = 0.0
        self._settling = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)     # how often the next step's condition is checked
        self._timer.timeout.connect(self._poll)

    # Each step: (name, ready-condition, action after the screenshot). A step whose screen the
    # service skips (no face check for a queue ticket, no passport data for an ID card) is
    # passed without a screenshot. `method` "" reads the card; "app-code" / "app-login" use the phone.
    def _script(self, service_id: str, method: str):
        s = self.session
        prefix = f"{method}-" if method else ""
        identify_action = {"": None, "app-code": lambda: self._click("useAppCode"),
                           "app-login": lambda: self._click("useAppLogin")}[method]
        steps = [
            ("idle", lambda: s.state is State.IDLE and self.controller.view.catalog_loaded,
             lambda: self._set_language_and_start(method)),
            ("choose-service", lambda: s.state is State.CHOOSE_SERVICE and self._button(f"service-{service_id}"),
             lambda: self._click(f"service-{service_id}")),
            ("service-info", lambda: s.state is State.SERVICE_INFO, lambda: self._click("beginService")),
            ("identify", lambda: s.state in (State.IDENTIFY, State.MRZ_ENTRY, State.VERIFY_FACE, State.FORM)
             and (not method or self._button("useAppCode") is not None), identify_action),
        ]
        if method == "app-code":
            steps += [
                ("app-code", lambda: s.state is State.APP_CODE, self._show_app_code),
                ("app-code-scanning", lambda: s.state is not State.APP_CODE or s.app_busy
                 or self.controller.view.camera_image is not None, None),
            ]
        elif method == "app-login":
            steps += [("app-login", lambda: s.state is State.APP_LOGIN and s.app_login is not None
                       and self.controller.view.app_login_qr_png is not None, self._confirm_app_login)]
        steps += [
            ("passport", lambda: s.state in (State.MRZ_ENTRY, State.VERIFY_FACE, State.FORM),
             self._read_passport_by_camera),
            ("passport-camera", lambda: s.state is not State.MRZ_ENTRY or not s.mrz_scanning,
             self._enter_passport_data),
            ("verify-face", lambda: s.state is State.FORM or (
                s.state is State.VERIFY_FACE and self.controller.view.camera_image is not None), None),
            ("form", lambda: s.state is State.FORM, self._fill_form),
            ("form-filled", lambda: s.state is State.FORM and self._form_complete(),
             lambda: self._click("formNext")),
            # Supporting materials (issue 16): two pages of the household register under the camera.
            ("open-documents", lambda: s.state is State.CONFIRM, self._open_documents),
            ("document-page-1", lambda: not self._scans() or self._page_ready(0), self._take_page),
            ("next-page", lambda: not self._scans() or s.page_count == 1, self._show_second_page),
            ("document-page-2", lambda: not self._scans() or self._page_ready(1), self._take_page),
            ("documents-scanned", lambda: not self._scans() or s.page_count == 2, self._finish_documents),
            ("confirm", lambda: s.state is State.CONFIRM, lambda: self._click("confirmSubmit")),
            ("receipt", lambda: s.state is State.RECEIPT and s.print_status not in (None, "printing"),
             lambda: self._collect_receipt_then_continue(prefix)),
            ("rate", lambda: s.state is State.RATE, self._rate),
            ("idle-again", lambda: s.state is State.IDLE, self._phone_session_over if method else None),
        ]
        return [(prefix + name, ready, action) for name, ready, action in steps]

    def _payment_script(self):
        """The second citizen: a fee-bearing service, paid by scanning the kiosk's QR code."""
        s, view = self.session, self.controller.view
        fee = self.fee_service_id
        return [
            ("pay-idle", lambda: s.state is State.IDLE and not s.payments_recovering, self._next_citizen),
            ("pay-choose-service", lambda: s.state is State.CHOOSE_SERVICE and self._button(f"service-{fee}"),
             lambda: self._click(f"service-{fee}")),
            ("pay-service-info", lambda: s.state is State.SERVICE_INFO, lambda: self._click("beginService")),
            ("pay-form", lambda: s.state is State.FORM, self._fill_form),
            ("pay-form-filled", lambda: s.state is State.FORM and self._form_complete(),
             lambda: self._click("formNext")),
            ("pay-confirm", lambda: s.state is State.CONFIRM, lambda: self._click("confirmSubmit")),
            ("payment", lambda: s.state is State.PAYMENT and s.payment is not None
             and s.payment.phase == "waiting" and view.payment_qr_png is not None,
             lambda: self.phone_pays(s.payment.qr_content)),
            ("pay-receipt", lambda: s.state is State.RECEIPT and s.print_status not in (None, "printing"),
             self._collect_paid_receipt),
            ("pay-rate", lambda: s.state is State.RATE, self._rate),
            ("pay-idle-again", lambda: s.state is State.IDLE, None),
        ]

    def _certificate_script(self):
        """A second citizen: "print my certificate" (card + face, list, preview, A4 print)."""
        s = self.session
        return [
            ("cert-start", lambda: s.state is State.IDLE, self._set_language_and_start),
            ("cert-choose-service", lambda: s.state is State.CHOOSE_SERVICE and self._button("service-print-certificate"),
             lambda: self._click("service-print-certificate")),
            ("cert-service-info", lambda: s.state is State.SERVICE_INFO, lambda: self._click("beginService")),
            ("cert-list", lambda: s.state is State.CERT_LIST and bool(s.certificates and s.certificates.licences)
             and self._button("licence-social_insurance_record"),
             lambda: self._click("licence-social_insurance_record")),
            ("cert-preview", lambda: s.state is State.CERT_PREVIEW and s.certificates.pages > 0
             and self._button("certPrint"), lambda: self._click("certPrint")),
            ("cert-printed", lambda: s.state is State.CERT_DONE, self._collect_certificate_then_finish),
            ("cert-idle", lambda: s.state is State.IDLE, None),
        ]

    # --- the phone sessions (sim/phone_app.py) ------------------------------------

    def _phone_app(self):
        if self._phone is None:
            from sim.identities import SIM_IDENTITIES
            from sim.phone_app import PhoneApp
            self._phone = PhoneApp(self.parts.config.platform.url, SIM_IDENTITIES["elderly"].document().id_number)
        return self._phone

    def _without_card(self, leave_at_home: bool) -> None:
        """The phone citizens left the ID card at home: the simulated reader finds none."""
        from devices.id_reader.sim import SimIdReader
        reader = self.controller.id_reader
        if isinstance(reader, SimIdReader):
            reader.set_scenario("no_card" if leave_at_home else "ok")

    def _show_app_code(self) -> None:
        """The citizen opens the identity code page and holds the phone up (a short loopback call for
        the code, as the app's own request to its backend), then presses Agree and scan."""
        try:
            self._phone_app().show_code_to(self.controller.camera, degradation="perspective")
        except Exception as exc:     # the platform has no app account for the demo citizen, or is down
            self._finish(success=False, failure=f"phone app: {exc}")
            return
        self._phone_held = True
        self._click("appCodeScan")

    def _confirm_app_login(self) -> None:
        """The citizen scans the kiosk's QR with the app and confirms: off the GUI thread, like a phone."""
        import threading
        payload = self.session.app_login["verification_uri_complete"]
        phone = self._phone_app()
        threading.Thread(target=lambda: phone.confirm_login(phone.user_code_from_qr(payload)),
                         name="demo-phone", daemon=True).start()

    def _phone_session_over(self) -> None:
        self.controller.camera.show(None)
        self._without_card(False)

    def _collect_certificate_then_finish(self) -> None:
        """Keep what the A4 printer printed (the sim transport's PDF) and a PNG of its first page."""
        import subprocess
        transport = self.controller.document_printer.transport
        if transport.printed:
            pdf = self.output_dir / "certificate-printed.pdf"
            pdf.write_bytes(transport.printed[-1])
            self.certificate_files.append(pdf)
            png = self.output_dir / "certificate-printed-page1"
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png)],
                           check=False, timeout=30)
            if png.with_suffix(".png").exists():
                self.certificate_files.append(png.with_suffix(".png"))
        elif self.session.certificates is not None:
            self.failure = f"certificate not printed: {self.session.certificates.refusal}"
        self._click("certDone")

    def _next_citizen(self) -> None:
        present = getattr(self.controller.id_reader, "present", None)   # the sim reader only
        if present is None:
            self._finish(success=False, failure="the fee demo needs the simulated ID reader")
            return
        present("young")
        self._set_language_and_start()

    def _collect_paid_receipt(self) -> None:
        payment = self.session.payment
        self.payment_reference = payment.reference if payment else None
        if self.session.print_status == "printed":
            for source in self._last_receipt_files():
                target = self.output_dir / ("receipt-paid" + source.suffix)
                shutil.copyfile(source, target)
                self.receipt_files.append(target)
        self._click("receiptDone")

    def run(self) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        for old in self.output_dir.glob("*.png"):
            old.unlink()
        self._step_started = time.monotonic()
        self._timer.start()

    def summary(self) -> str:
        lines = [f"Demo {'completed' if self.succeeded else 'FAILED: ' + str(self.failure)}."]
        if self.application_numbers:
            lines.append(f"Application number: {self.application_numbers[0]}")
        if len(self.application_numbers) > 1:
            lines.append(f"By phone (app code, app login): {', '.join(self.application_numbers[1:])}")
        if self.payment_reference:
            lines.append(f"Fee paid by QR, payment reference: {self.payment_reference}")
        lines.append(f"Screenshots ({len(self.screenshots)}) in {self.output_dir}:")
        lines += [f"  {p}" for p in self.screenshots]
        lines += [f"Receipt: {p}" for p in self.receipt_files]
        lines += [f"Certificate printed on A4: {p}" for p in self.certificate_files]
        return "\n".join(lines)

    # --- driving ---------------------------------------------------------------

    def _poll(self) -> None:
        if self._settling:          # a timer tick inside _settle's event processing
            return
        if self._phone_held and (self.session.state is not State.APP_CODE or self.session.app_busy):
            self.controller.camera.show(None)   # the code was read: the phone goes back into the pocket
            self._phone_held = False
        if not self._steps:
            self._finish(success=True)
            return
        name, ready, action = self._steps[0]
        cert = self.session.certificates
        if cert is not None and cert.refusal and self.session.state is State.CERT_PREVIEW:
            self._shoot("cert-refused")
            self._finish(success=False, failure=f"certificate refused: {cert.refusal}")
            return
        if self.session.state is State.ERROR:
            self._shoot("error")
            self._finish(success=False, failure=f"error screen during '{name}': {self.session.error_key}")
            return
        if not ready():
            if time.monotonic() - self._step_started > STEP_TIMEOUT_S:
                self._finish(success=False, failure=f"step '{name}' timed out in state {self.session.state.value}")
            return
        self._steps.pop(0)
        base = name.split("-", 2)[-1] if name.startswith(("app-code-", "app-login-")) else name
        if self.session.state is STEP_SCREENS.get(base, self.session.state):
            self._shoot(name)
        if action is not None:
            action()
        self._step_started = time.monotonic()

    def _shoot(self, name: str) -> None:
        if not self.take_screenshots:
            return
        self.window.render()
        self._settle()
        path = self.output_dir / f"{len(self.screenshots) + 1:02d}-{name}.png"
        self.window.grab().save(str(path))
        self.screenshots.append(path)

    def _settle(self) -> None:
        """Let the screen finish drawing before the grab: Qt shows the widgets render() has just
        added (e.g. the confirm table's rows) and lays them out through queued and posted events."""
        self._settling = True
        try:
            app = QApplication.instance()
            for _ in range(SETTLE_ROUNDS):
                app.sendPostedEvents()
                app.processEvents()
        finally:
            self._settling = False

    def _button(self, object_name: str) -> QPushButton | None:
        if object_name.startswith("service-") and self.session.state is State.CHOOSE_SERVICE:
            # The service may be on a later page of the Popular tab: turn to it, as a citizen would.
            self.window.screens[State.CHOOSE_SERVICE].reveal(object_name.removeprefix("service-"))
        button = self.window.findChild(QPushButton, object_name)
        return button if button is not None and button.isVisible() and button.isEnabled() else None

    def _click(self, object_name: str) -> None:
        button = self._button(object_name)
        if button is None:
            self._finish(success=False, failure=f"button {object_name} not found")
            return
        QTest.mouseClick(button, Qt.LeftButton, Qt.NoModifier, QPoint(button.width() // 2, button.height() // 2))

    def _set_language_and_start(self, method: str = "") -> None:
        self._without_card(bool(method))
        self.controller.set_language(self.language)
        self.controller.start()

    def _type_phone(self) -> None:
        keypad = self.window.screens[State.FORM].keypad
        for digit in PHONE:
            keypad.buttons[digit].click()

    def _fill_form(self) -> None:
        """What the demo citizen enters: the phone number, and the first option of each choice."""
        for field in self.session.service.fields:
            if field.readonly or self.session.form_values.get(field.id):
                continue
            if field.type == "choice" and field.choices:
                self._click(f"choice-{field.id}-{field.choices[0].value}")
            elif field.id == "phone":
                self._type_phone()

    def _form_complete(self) -> bool:
        return all(self.session.form_values.get(f.id) for f in self.session.service.fields
                   if f.required and not f.readonly)

    # --- paper under the camera -------------------------------------------------------

    def _scans(self) -> bool:
        """The service takes scanned materials and the camera can be shown paper (the sim camera)."""
        service = self.session.service
        return bool(service and service.scan_materials) and isinstance(self.controller.camera, SimCamera)

    def _show(self, frame) -> None:
        self.controller.camera.show(frame)
        self._shown_at = time.monotonic()

    def _open_documents(self) -> None:
        if not self._scans():
            return
        self._show(self._document_frames()[0])
        self._click("openDocuments")

    def _document_frames(self):
        return _document_frames()

    def _page_ready(self, captured: int) -> bool:
        view = self.controller.view
        return (self.session.state is State.SCAN_DOCUMENTS and self.session.page_count == captured
                and not self.session.page_capturing and time.monotonic() - self._shown_at >= self.page_settle_s
                and view.document_image is not None and view.document_guidance is None)

    def _take_page(self) -> None:
        if self._scans():
            self._click("capturePage")

    def _show_second_page(self) -> None:
        if self._scans():
            self._show(self._document_frames()[1])

    def _finish_documents(self) -> None:
        if not self._scans():
            return
        self._click("documentsDone")
        self.controller.camera.show(None)

    def _read_passport_by_camera(self) -> None:
        """A passport (the pcsc_sim virtual one): its photo page under the camera, "Read"."""
        if self.session.state is not State.MRZ_ENTRY:
            return
        mrz = getattr(self.controller.id_reader, "passport_mrz", lambda: None)()
        if mrz is None or not isinstance(self.controller.camera, SimCamera):
            return                                           # the next step types it
        self._show(camera_view(passport_page(mrz), np.random.default_rng(9), fill=0.84, angle_deg=-6.0,
                               tilt=0.03, blur=0.6))
        self._click("mrzCamera")
        self._shoot("passport-camera-reading")

    def _enter_passport_data(self) -> None:
        """The camera could not read it (or there is none): type the photo-page data as a citizen would."""
        if isinstance(self.controller.camera, SimCamera):
            self.controller.camera.show(None)
        if self.session.state is not State.MRZ_ENTRY:
            return
        key = getattr(self.controller.id_reader, "demo_mrz_key", lambda: None)()
        if key is None:
            self._finish(success=False, failure="passport on the reader, but no demo photo-page data")
            return
        screen = self.window.screens[State.MRZ_ENTRY]
        for (field, _length), text in zip(MRZ_FIELDS, key):
            edit = screen.fields[field]
            QTest.mouseClick(edit, Qt.LeftButton, Qt.NoModifier, QPoint(edit.width() // 2, edit.height() // 2))
            for character in text:
                screen.keyboard.buttons[character].click()
        self._shoot("passport-typed")
        self._click("mrzSubmit")

    def _collect_receipt_then_continue(self, prefix: str = "") -> None:
        outcome = self.session.outcome
        self.application_number = outcome.application_number if outcome else None
        if self.application_number:
            self.application_numbers.append(self.application_number)
        # Nothing printed this time (printer out of paper, ...): no stale copy.
        receipts = self._last_receipt_files() if self.session.print_status == "printed" else ()
        for source in receipts:
            target = self.output_dir / (prefix + "receipt" + source.suffix)
            shutil.copyfile(source, target)
            self.receipt_files.append(target)
        self._click("receiptDone")

    def _last_receipt_files(self) -> tuple[Path, ...]:
        """The simulated printer's files of the receipt just printed. Asked of the printer, not found
        by listing the receipts folder: this runs on the GUI thread, thousands of times in a soak."""
        printer = self.controller.printer
        return printer.last_job_files if isinstance(printer, (SimPrinter, EmulatedReceiptPrinter)) else ()

    def _rate(self) -> None:
        self._click("rate-very_satisfied")
        self._shoot("rate-chosen")
        self._click("rateSend")

    def _finish(self, success: bool, failure: str | None = None) -> None:
        if success and self.certificate and not self.certificate_files:
            success, failure = False, self.failure or "no certificate was printed"
        self._timer.stop()
        self.succeeded = success
        self.failure = failure
        QTimer.singleShot(0, self.finished.emit)
