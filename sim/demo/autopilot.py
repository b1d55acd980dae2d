"""A scripted citizen session through the real screens, for headless demos
and screenshots: it presses the same buttons a citizen would, waits for each
state, and saves a screenshot of every step plus the printed receipt.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk.core.session import State
from screens.passport import MRZ_FIELDS

# Steps a service may skip: screenshot only when their own screen is showing.
STEP_SCREENS = {"passport": State.MRZ_ENTRY, "verify-face": State.VERIFY_FACE}
STEP_TIMEOUT_S = 90.0   # the first face check waits for the models to load
PHONE = "13812345678"
SETTLE_ROUNDS = 3       # show (queued) -> layout (posted) -> paint: a few rounds of events


class Autopilot(QObject):
    finished = Signal()

    def __init__(self, parts, output_dir: Path, language: str = "zh_CN", service_id: str = "elderly-allowance",
                 take_screenshots: bool = True, phone_pays=None, fee_service_id: str = "real-estate-records-copy"):
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
        self.application_number: str | None = None
        self.succeeded = False
        self.failure: str | None = None
        self._steps = self._script()
        self._step_started = 0.0
        self._settling = False
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)

    # Each step: (name, ready-condition, action after the screenshot). A step whose screen the
    # service skips (no face check for a queue ticket, no passport data for an ID card) is
    # passed without a screenshot.
    def _script(self):
        s = self.session
        return [
            ("idle", lambda: s.state is State.IDLE and self.controller.view.catalog_loaded,
             lambda: self._set_language_and_start()),
            ("choose-service", lambda: s.state is State.CHOOSE_SERVICE and self._button(f"service-{self.service_id}"),
             lambda: self._click(f"service-{self.service_id}")),
            ("service-info", lambda: s.state is State.SERVICE_INFO, lambda: self._click("beginService")),
            ("identify", lambda: s.state in (State.IDENTIFY, State.MRZ_ENTRY, State.VERIFY_FACE, State.FORM), None),
            ("passport", lambda: s.state in (State.MRZ_ENTRY, State.VERIFY_FACE, State.FORM),
             self._enter_passport_data),
            ("verify-face", lambda: s.state is State.FORM or (
                s.state is State.VERIFY_FACE and self.controller.view.camera_image is not None), None),
            ("form", lambda: s.state is State.FORM, self._fill_form),
            ("form-filled", lambda: s.state is State.FORM and self._form_complete(),
             lambda: self._click("formNext")),
            ("confirm", lambda: s.state is State.CONFIRM, lambda: self._click("confirmSubmit")),
            ("receipt", lambda: s.state is State.RECEIPT and s.print_status not in (None, "printing"),
             self._collect_receipt_then_continue),
            ("rate", lambda: s.state is State.RATE, self._rate),
            ("idle-again", lambda: s.state is State.IDLE, None),
        ] + (self._payment_script() if self.phone_pays is not None else [])

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
        receipts = sorted(self.parts.config.receipts_dir.glob("receipt-*"), key=lambda p: p.stat().st_mtime)
        if self.session.print_status == "printed":
            for source in receipts[-2:]:
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
        if self.application_number:
            lines.append(f"Application number: {self.application_number}")
        if self.payment_reference:
            lines.append(f"Fee paid by QR, payment reference: {self.payment_reference}")
        lines.append(f"Screenshots ({len(self.screenshots)}) in {self.output_dir}:")
        lines += [f"  {p}" for p in self.screenshots]
        lines += [f"Receipt: {p}" for p in self.receipt_files]
        return "\n".join(lines)

    # --- driving ---------------------------------------------------------------

    def _poll(self) -> None:
        if self._settling:          # a timer tick inside _settle's event processing
            return
        if not self._steps:
            self._finish(success=True)
            return
        name, ready, action = self._steps[0]
        if self.session.state is State.ERROR:
            self._shoot("error")
            self._finish(success=False, failure=f"error screen during '{name}': {self.session.error_key}")
            return
        if not ready():
            if time.monotonic() - self._step_started > STEP_TIMEOUT_S:
                self._finish(success=False, failure=f"step '{name}' timed out in state {self.session.state.value}")
            return
        self._steps.pop(0)
        if self.session.state is STEP_SCREENS.get(name, self.session.state):
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
        button = self.window.findChild(QPushButton, object_name)
        return button if button is not None and button.isVisible() and button.isEnabled() else None

    def _click(self, object_name: str) -> None:
        button = self._button(object_name)
        if button is None:
            self._finish(success=False, failure=f"button {object_name} not found")
            return
        QTest.mouseClick(button, Qt.LeftButton, Qt.NoModifier, QPoint(button.width() // 2, button.height() // 2))

    def _set_language_and_start(self) -> None:
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

    def _enter_passport_data(self) -> None:
        """A passport (the pcsc_sim virtual one): type its photo-page data as a citizen would."""
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

    def _collect_receipt_then_continue(self) -> None:
        outcome = self.session.outcome
        self.application_number = outcome.application_number if outcome else None
        receipts = sorted(self.parts.config.receipts_dir.glob("receipt-*"), key=lambda p: p.stat().st_mtime)
        if self.session.print_status != "printed":
            receipts = []      # nothing printed this time (printer out of paper, ...): no stale copy
        for source in receipts[-2:]:
            target = self.output_dir / ("receipt" + source.suffix)
            shutil.copyfile(source, target)
            self.receipt_files.append(target)
        self._click("receiptDone")

    def _rate(self) -> None:
        self._click("rate-very_satisfied")
        self._shoot("rate-chosen")
        self._click("rateSend")

    def _finish(self, success: bool, failure: str | None = None) -> None:
        self._timer.stop()
        self.succeeded = success
        self.failure = failure
        QTimer.singleShot(0, self.finished.emit)
