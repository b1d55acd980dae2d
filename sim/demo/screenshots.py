"""Renders every citizen screen in zh_CN, zh_HK and en, normal and care mode,
to DIR/<lang>/NN-name.png and DIR/<lang>/care/NN-name.png, with the real face verifier.

    python -m sim.demo.screenshots [demo-output/screens]

(The committed gallery, docs/screens, is made at both panel sizes by the visual check's walk:
`python -m tests.visual_walk --gallery docs/screens`.)

Real screens, simulated devices, the reference platform on 127.0.0.1 and the
real face verifier, offscreen, at the configured panel resolution (1920x1080),
saved at half size. The face-check step is not saved: its picture is a photo of
a real person whose rights were never cleared (../shared/faces/README.md).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("zh_CN", "zh_HK", "en")
STEP_TIMEOUT_S = 120.0


class Shooter:
    def __init__(self, app, parts, target: Path):
        self.app, self.parts, self.target = app, parts, target
        self.window, self.controller = parts.window, parts.controller
        self.session = parts.controller.session
        self.files: list[Path] = []

    def pump(self, seconds: float = 0.15) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def wait(self, condition, what: str) -> None:
        from kiosk.core.session import State
        end = time.monotonic() + STEP_TIMEOUT_S
        while not condition():
            if self.session.state is State.ERROR and "error" not in what:
                raise RuntimeError(f"error screen while waiting for {what}: {self.session.error_key}")
            if time.monotonic() > end:
                raise RuntimeError(f"timed out waiting for {what} (state {self.session.state.value})")
            self.pump(0.05)

    def shoot(self, name: str) -> None:
        """The current screen in every language and both modes; the state is not changed."""
        from PySide6.QtCore import Qt
        state = self.session.state
        for care in (False, True):
            for language in LANGUAGES:
                self.controller.set_language(language)
                self.controller.set_care_mode(care)
                self.pump()
                assert self.session.state is state, f"{name}: state changed while switching"
                folder = self.target / language / ("care" if care else "")
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{name}.png"
                image = self.window.grab().toImage().scaledToWidth(960, Qt.SmoothTransformation)
                image.save(str(path))
                self.files.append(path)
        self.controller.set_care_mode(False)
        self.controller.set_language("zh_CN")
        self.pump()

    def click(self, object_name: str) -> None:
        from PySide6.QtWidgets import QPushButton
        button = self.window.findChild(QPushButton, object_name)
        if button is None or not button.isVisible():
            raise RuntimeError(f"button {object_name} not on screen")
        button.click()
        self.pump()


def shoot_document_scan(s: Shooter, parts) -> None:
    """From the confirmation page: "Scan documents", the live outline, two pages taken."""
    import numpy as np

    from kiosk.core.session import State
    from sim.documents import camera_view, demo_material_pages
    session, camera = parts.controller.session, parts.controller.camera
    rng = np.random.default_rng(16)
    pages = [camera_view(page, rng, fill=0.86, angle_deg=angle, tilt=0.04, blur=0.5)
             for page, angle in zip(demo_material_pages(), (4.0, -6.0))]
    camera.show(pages[0])
    s.click("openDocuments")
    s.wait(lambda: session.state is State.SCAN_DOCUMENTS and parts.controller.view.document_guidance is None
           and parts.controller.view.document_image is not None, "document scan")
    s.shoot("08b-documents")
    for count, page in enumerate(pages, start=1):
        camera.show(page)
        s.pump(1.0)
        s.click("capturePage")
        s.wait(lambda count=count: session.page_count == count, f"page {count}")
    s.shoot("08c-documents-pages")
    camera.show(None)
    s.click("documentsDone")
    s.wait(lambda: session.state is State.CONFIRM, "confirm with pages")


def run(target: Path) -> list[Path]:
    from kiosk.pyside_refcount_fix import apply as apply_pyside_refcount_fix
    apply_pyside_refcount_fix()   # a Qt program's start-up (see the module)
    from PySide6.QtWidgets import QApplication

    from kiosk.app import build_kiosk
    from kiosk.config import config_from_dict
    from kiosk.core.session import State
    from reference_platform.server import ReferencePlatformServer

    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="kiosk-screens-"))
    server = ReferencePlatformServer(work / "platform.sqlite3")
    url = server.start()
    server.licences.warm_up(background=False)              # electronic licences (issue 15)
    anchor = work / "licence-root.pem"
    anchor.write_bytes(server.licences.root_pem())
    config = config_from_dict({
        "kiosk": {"id": "GD-ZQ-DZ-0001", "data_dir": str(work / "kiosk"), "fullscreen": False, "demo": True},
        "platform": {"url": url},
        "timeouts": {"idle_s": 600.0, "receipt_s": 600.0},
        "devices": {"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 8.0},
                    "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"},
                    "document_printer": {"backend": "sim"}},
        "certificates": {"trust_anchor": str(anchor)},
    })
    parts = build_kiosk(config)
    parts.window.resize(config.display.width_px, config.display.height_px)
    parts.window.show()
    parts.controller.open()
    shooter = Shooter(app, parts, target)
    s, session = shooter, parts.controller.session
    try:
        s.wait(lambda: parts.controller.view.catalog_loaded, "catalog")
        s.shoot("01-idle")
        parts.controller.start()
        s.wait(lambda: session.state is State.CHOOSE_SERVICE, "choose")
        s.shoot("02-choose-service")
        s.click("service-open-barbershop")
        s.shoot("03-service-info")
        s.click("beginService")
        s.wait(lambda: session.state is State.IDENTIFY, "identify")
        s.shoot("04-identify")
        s.wait(lambda: session.state is State.FORM, "face check and form")   # face step: not saved
        s.shoot("06-form")
        s.click("formNext")
        s.shoot("07-form-errors")
        for field_id, value in (("business_type", "hairdressing"), ("premises_district", "duanzhou"),
                                ("premises_area", "45"), ("staff_count", "3"), ("phone", "13812345678")):
            parts.controller.set_field(field_id, value)
        s.click("formNext")
        s.wait(lambda: session.state is State.CONFIRM, "confirm")
        s.shoot("08-confirm")
        shoot_document_scan(s, parts)            # the lease, two pages, by the camera (issue 16)
        s.click("confirmSubmit")
        s.wait(lambda: session.state is State.RECEIPT and session.print_status not in (None, "printing"), "receipt")
        query_token = session.outcome.query_token   # what the receipt QR carries
        s.shoot("09-receipt")
        s.click("receiptDone")
        s.wait(lambda: session.state is State.RATE, "rate")
        s.shoot("10-rate")
        s.click("rate-dissatisfied")
        s.shoot("11-rate-reasons")
        s.click("rateSkip")
        s.wait(lambda: session.state is State.IDLE, "idle")

        parts.controller.start()
        s.click("service-progress-query")
        s.click("beginService")
        s.wait(lambda: session.state is State.QUERY, "query")
        s.shoot("13-query")
        parts.controller.query_number(query_token)   # as if scanned: progress is looked up by token
        s.wait(lambda: session.state is State.QUERY_RESULT, "query result")
        s.shoot("14-query-result")
        parts.controller.finish_query()
        s.wait(lambda: session.state is State.IDLE, "idle")

        parts.controller.start()
        s.click("service-hmt-social-insurance")
        s.click("beginService")
        s.wait(lambda: session.state is State.ERROR, "error (resident ID for a permit-holders' service)")
        s.shoot("15-error")
        parts.controller.cancel()
        s.wait(lambda: session.state is State.IDLE, "idle")

        parts.controller.start()
        s.click("service-queue-ticket")
        s.click("beginService")
        s.wait(lambda: session.state is State.IDENTIFY, "identify (passport)")
        session.card_failed(session.token, "mrz_required")   # what the PC/SC reader reports for a passport
        s.wait(lambda: session.state is State.MRZ_ENTRY, "passport data entry")
        s.shoot("16-passport")
        parts.controller.scan_mrz()              # the camera step, answered as when check digits fail
        s.shoot("17-passport-camera")
        session.mrz_scanned(session.token, None, "mrz_camera_check_digits")
        s.shoot("18-passport-camera-failed")
        parts.controller.cancel()
        s.wait(lambda: session.state is State.IDLE, "idle")

        # Identity by phone (issue 16): the app-code screen with a message, the app-login QR.
        parts.controller.start()
        s.click("service-elderly-allowance")
        s.click("beginService")
        s.wait(lambda: session.state is State.IDENTIFY, "identify (phone options)")
        s.click("useAppCode")
        s.wait(lambda: session.state is State.APP_CODE, "app code")
        session.scan_app_code()
        session.app_code_scanned(session.token, "134567890123456789")   # a payment code held up by mistake
        s.shoot("17-app-code")
        parts.controller.cancel()
        s.wait(lambda: session.state is State.IDLE, "idle")
        parts.controller.start()
        s.click("service-queue-ticket")
        s.click("beginService")
        s.wait(lambda: session.state is State.IDENTIFY, "identify (app login)")
        s.click("useAppLogin")
        s.wait(lambda: session.app_login is not None and parts.controller.view.app_login_qr_png is not None,
               "app login QR")
        s.shoot("18-app-login")
        parts.controller.cancel()
        s.wait(lambda: session.state is State.IDLE, "idle")
        parts.controller.start()                               # electronic licences on A4 (issue 15)
        s.click("service-print-certificate")
        s.click("beginService")
        s.wait(lambda: session.state is State.CERT_LIST and bool(session.certificates.licences), "licences")
        s.shoot("19-cert-list")
        s.click("licence-social_insurance_record")
        s.wait(lambda: session.state is State.CERT_PREVIEW and session.certificates.pages > 0, "preview")
        s.shoot("20-cert-preview")
        s.click("certPrint")
        s.wait(lambda: session.state is State.CERT_DONE, "certificate printed")
        s.shoot("21-cert-printed")
        parts.controller.intents.finish_certificates()
        s.wait(lambda: session.state is State.IDLE, "idle")
        # 统一支付: a younger citizen (no age exemption) pays the fee service by QR.
        parts.controller.id_reader.present("young")
        parts.controller.start()
        s.click("service-real-estate-records-copy")
        s.shoot("22-fee-service-info")
        s.click("beginService")
        s.wait(lambda: session.state is State.FORM, "fee service form")
        parts.controller.set_field("phone", "13812345678")
        s.click("formNext")
        s.wait(lambda: session.state is State.CONFIRM, "fee confirm")
        s.shoot("23-fee-confirm")
        s.click("confirmSubmit")
        s.wait(lambda: session.state is State.PAYMENT and session.payment.phase == "waiting"
               and parts.controller.view.payment_qr_png is not None, "payment QR")
        s.shoot("24-payment")
        server.payments.phone_pays(session.payment.qr_content)      # the citizen's phone
        s.wait(lambda: session.state is State.RECEIPT and session.print_status not in (None, "printing"),
               "paid receipt")
        s.shoot("25-paid-receipt")
        parts.controller.finish_receipt()
        receipts = sorted(config.receipts_dir.glob("receipt-*.png"))
        if receipts:
            for language in LANGUAGES:   # the printed receipt (bundle, zh_CN) once per gallery
                (target / language).mkdir(parents=True, exist_ok=True)
            (target / "receipt.png").write_bytes(receipts[0].read_bytes())
            shooter.files.append(target / "receipt.png")
    finally:
        parts.close()
        server.stop()
    return shooter.files


def main(target: str = "demo-output/screens") -> int:
    target_path = Path(target)
    for old in target_path.glob("*/**/*.png"):
        old.unlink()
    files = run(target_path)
    print(f"{len(files)} screenshots in {target_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
