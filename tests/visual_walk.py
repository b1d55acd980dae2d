"""Walks every screen state the kiosk window can show and runs screens.visual_check on each,
in every language and care mode, at one panel size.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.visual_walk 1280x800 [1920x1080 ...]

prints every problem found (exit status 1 if any). tests/test_visual_check.py runs the same
walk in CI at 1280x800 and 1920x1080.

The walk drives a real kiosk (simulated reader, camera and printer; the reference platform on
127.0.0.1; an instant face verifier) through the citizen's intents, like a citizen would:
scripted scenes reach each state. Every state in `screens.main_window.SCREEN_CLASSES` that no
scene reached is then shown *out of flow* (its screen rendered with the last session), so a
screen added later on another branch is checked too, and reported as such until a scene
reaches it properly.

Panels (the physical density sets what 20 mm is in pixels, from the [display] settings):
1920x1080 = 21.5" (102.5 dpi, 4.04 px/mm: 20 mm = 81 px, the default kiosk panel);
1280x800 = 15.4" (98 dpi, 3.86 px/mm: 20 mm = 77 px, a common 16:10 industrial panel).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PANELS = {(1920, 1080): 21.5, (1280, 800): 15.4}
LANGUAGES = ("zh_CN", "zh_HK", "en")
COMBOS = [(language, care) for care in (False, True) for language in LANGUAGES]
# Scenes after the first few: English (the longest texts) and one Chinese script per mode;
# the walk's first scenes and the out-of-flow screens still get all six.
SAMPLED = [("zh_CN", False), ("en", False), ("zh_HK", True), ("en", True)]
# The face step shows the simulated camera's picture: a photo of a real person whose rights
# were never cleared (../shared/faces/README.md), so it is checked but never saved.
NOT_PHOTOGRAPHED = {"verify_face"}
GALLERY_WIDTH = {(1920, 1080): 960, (1280, 800): 640}


@dataclasses.dataclass
class Finding:
    scene: str
    language: str
    care: bool
    problem: object

    def __str__(self) -> str:
        return f"{self.scene}/{self.language}/{'care' if self.care else 'normal'}: {self.problem}"


class Walker:
    def __init__(self, app, parts, panel: tuple[int, int]):
        from kiosk.core.session import State
        self.app, self.parts, self.panel = app, parts, panel
        self.window, self.controller = parts.window, parts.controller
        self.session = parts.controller.session
        self.findings: list[Finding] = []
        self.visited: dict[str, str] = {}      # state value -> first scene that showed it
        self.checks = 0
        self.scenes: list[str] = []
        self.State = State
        self.shots: Path | None = None
        self.shot_width = 960

    def pump(self, seconds: float = 0.0) -> None:
        end = time.monotonic() + seconds
        while True:
            self.app.processEvents()
            if time.monotonic() >= end:
                break
            time.sleep(0.005)
        self.app.processEvents()

    def wait(self, condition, what: str, timeout_s: float = 30.0) -> None:
        end = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > end:
                raise RuntimeError(f"visual walk: timed out waiting for {what} "
                                   f"(state {self.session.state.value}, error {self.session.error_key})")
            self.pump(0.02)

    def wait_state(self, state, timeout_s: float = 30.0) -> None:
        self.wait(lambda: self.session.state is state, state.value, timeout_s)

    def click(self, object_name: str) -> None:
        from PySide6.QtWidgets import QPushButton
        from kiosk.core.session import State
        if object_name.startswith("service-"):   # it may be on a later page of the Popular tab
            self.wait(lambda: self.session.state is not State.CHOOSE_SERVICE
                      or self.window.screens[State.CHOOSE_SERVICE].reveal(object_name.removeprefix("service-")),
                      f"service {object_name} listed")
        self.wait(lambda: (b := self.window.findChild(QPushButton, object_name)) is not None and b.isVisible()
                  and b.isEnabled(), f"button {object_name}")
        self.window.findChild(QPushButton, object_name).click()
        self.pump()

    def check(self, scene: str, combos=SAMPLED) -> None:
        """The current screen in the given languages x care modes (the state must not change)."""
        from screens.visual_check import check_window
        if self.shots is not None:
            combos = COMBOS          # the gallery has every language and mode
        state = self.session.state
        self.visited.setdefault(state.value, scene)
        self.scenes.append(scene)
        for language, care in combos:
            self.controller.set_language(language)
            self.controller.set_care_mode(care)
            self.pump()
            if self.session.state is not state:
                raise RuntimeError(f"visual walk: {scene} left {state.value} while switching language")
            self.checks += 1
            problems = check_window(self.window, self.window.px_per_mm, self.panel)
            if problems:
                # A language or care-mode switch may still have layout requests queued (seen on a
                # loaded machine: a label measured before its row grew). Let Qt finish, then judge.
                self.pump(0.3)
                problems = check_window(self.window, self.window.px_per_mm, self.panel)
            for problem in problems:
                self.findings.append(Finding(scene, language, care, problem))
            self.shoot(scene, language, care)
        self.controller.set_care_mode(False)
        self.controller.set_language("zh_CN")
        self.pump()

    def shoot(self, scene: str, language: str, care: bool) -> None:
        """With `shots` set (a folder): a PNG of what was checked, at `shot_width` pixels wide."""
        if self.shots is None:
            return
        if scene in NOT_PHOTOGRAPHED:
            return
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage
        folder = self.shots / f"{self.panel[0]}x{self.panel[1]}" / language / ("care" if care else "")
        folder.mkdir(parents=True, exist_ok=True)
        image = self.window.grab().toImage().scaledToWidth(self.shot_width, Qt.SmoothTransformation)
        # 256 colours: a screen of flat colours and text; a third of the bytes of full colour.
        image = image.convertToFormat(QImage.Format_Indexed8, Qt.ThresholdDither | Qt.AvoidDither)
        image.save(str(folder / f"{scene}.png"), "PNG", 9)

    def out_of_flow(self) -> list[str]:
        """Every screen state no scene reached: shown with the last session, checked, reported."""
        from screens.main_window import SCREEN_CLASSES
        from screens.visual_check import check_window
        missing = [state for state in SCREEN_CLASSES if state.value not in self.visited]
        window = self.window
        for state in missing:
            screen = window.screens[state]
            for language, care in COMBOS:
                self.controller.set_language(language)
                self.controller.set_care_mode(care)
                try:
                    screen.render(self.session, self.controller.view)
                except Exception as exc:   # noqa: BLE001 - reported as a finding, the walk goes on
                    self.findings.append(Finding(f"{state.value} (out of flow)", language, care,
                                                 f"render failed: {exc!r}"))
                    break
                window.stack.setCurrentWidget(screen)
                self.pump()
                self.checks += 1
                for problem in check_window(window, window.px_per_mm, self.panel):
                    self.findings.append(Finding(f"{state.value} (out of flow)", language, care, problem))
            self.visited[state.value] = "out of flow"
        self.controller.set_care_mode(False)
        self.controller.set_language("zh_CN")
        window.render()
        self.pump()
        return [state.value for state in missing]

    # --- the scenes -------------------------------------------------------------------

    def run(self, face_verifier) -> None:
        State, c, s = self.State, self.controller, self.session
        self.wait(lambda: c.view.catalog_loaded, "catalog")
        self.check("idle", COMBOS)
        c.start()
        self.wait_state(State.CHOOSE_SERVICE)
        self.check("choose_service", COMBOS)
        self.still_there()
        self.click("service-elderly-allowance")
        self.wait_state(State.SERVICE_INFO)
        self.check("service_info")
        self.click("beginService")
        self.wait_state(State.IDENTIFY)
        self.check("identify", COMBOS)
        self.wait_state(State.VERIFY_FACE)
        self.wait(lambda: c.view.camera_image is not None, "camera preview")
        self.check("verify_face", COMBOS)
        face_verifier.release()
        self.wait_state(State.FORM)
        self.check("form", COMBOS)
        self.click("formNext")                              # nothing typed: inline errors
        self.check("form_errors", combos=[("en", False), ("zh_HK", True), ("en", True)])
        c.set_field("phone", "13812345678")
        self.click("formNext")
        self.wait_state(State.CONFIRM)
        self.check("confirm")
        self.submitting()
        self.wait(lambda: s.state is State.RECEIPT and s.print_status not in (None, "printing"), "receipt")
        query_token = s.outcome.query_token
        self.check("receipt")
        self.click("receiptDone")
        self.wait_state(State.RATE)
        self.click("rate-dissatisfied")                     # shows the reasons
        self.check("rate")
        self.click("rateSkip")
        self.wait_state(State.IDLE)

        c.start()
        self.click("service-open-barbershop")               # a bundle: the longest form
        self.click("beginService")
        self.wait(lambda: face_verifier.release() or s.state is State.FORM, "bundle form", 60)
        self.check("bundle_form", combos=[("en", False), ("zh_CN", True), ("en", True)])
        c.cancel()
        self.wait_state(State.IDLE)

        c.start()
        self.click("service-progress-query")
        self.click("beginService")
        self.wait_state(State.QUERY)
        self.check("query")
        screen = self.window.screens[State.QUERY]
        for key in "GD20000101999999":                       # a number, not the receipt's QR token:
            screen.keyboard.buttons[key].click()             # the longest message, "scan the QR code"
        self.click("querySearch")
        self.wait(lambda: s.query_error == "query_token_required", "query error")
        self.check("query_error", combos=[("en", False), ("zh_HK", True), ("en", True)])
        c.query_number(query_token)
        self.wait_state(State.QUERY_RESULT)
        self.check("query_result")
        c.finish_query()
        self.wait_state(State.IDLE)

        c.start()
        self.click("service-hmt-social-insurance")          # a resident ID for a permit-holders' service
        self.click("beginService")
        self.wait_state(State.ERROR)
        self.check("error")
        c.cancel()
        self.wait_state(State.IDLE)

        c.start()
        self.click("service-queue-ticket")
        self.click("beginService")
        self.wait_state(State.IDENTIFY)
        s.card_failed(s.token, "mrz_required")              # what the PC/SC reader reports for a passport
        self.wait_state(State.MRZ_ENTRY)
        self.check("mrz_entry")
        screen = self.window.screens[State.MRZ_ENTRY]
        for key in "E12345678":                              # the passport number, then Next
            screen.keyboard.buttons[key].click()
        self.click("mrzSubmit")
        for key in "6908":                                   # half a date, then Next: the error
            screen.keyboard.buttons[key].click()
        self.click("mrzSubmit")
        self.wait(lambda: s.mrz_error == "mrz_birth_date", "date of birth error")
        self.check("mrz_date_error")
        c.cancel()
        self.wait_state(State.IDLE)

        reader = c.id_reader
        if hasattr(reader, "set_delay"):         # the simulated reader: no screen to hold any more
            reader.set_delay(0.2)
        self.documents(face_verifier)
        self.phone_identity()
        self.certificates(face_verifier)
        self.payment(face_verifier)          # last: a younger citizen's card (no fee exemption)

    # The screens merged later (payment, phone identity, certificates, document scan), reached
    # the way a citizen reaches them: through the intents, with the simulated devices.

    def to_form(self, service: str, face_verifier) -> None:
        State, c, s = self.State, self.controller, self.session
        c.start()
        self.click(f"service-{service}")
        self.click("beginService")
        self.wait(lambda: face_verifier.release() or s.state is State.FORM, f"{service} form", 60)
        c.set_field("phone", "13812345678")
        self.click("formNext")
        self.wait_state(State.CONFIRM)

    def documents(self, face_verifier) -> None:
        """Supporting materials by camera, from the confirm page (a service that lists them)."""
        State = self.State
        import numpy as np

        from sim.documents import camera_view, demo_material_pages
        camera = self.controller.camera
        self.to_form("elderly-allowance", face_verifier)
        # The household register's first page under the camera (a drawn page, no one's photo).
        camera.show(camera_view(demo_material_pages()[0], np.random.default_rng(16), fill=0.86, angle_deg=4.0,
                                tilt=0.04, blur=0.5))
        self.click("openDocuments")
        self.wait_state(State.SCAN_DOCUMENTS)
        self.wait(lambda: self.controller.view.document_image is not None, "document preview")
        self.check("scan_documents")
        self.controller.cancel()
        self.wait_state(State.IDLE)
        camera.show(None)

    def phone_identity(self) -> None:
        """Identity by phone instead of the card: the app's identity code, then the app login."""
        State, c, s = self.State, self.controller, self.session
        set_scenario = getattr(c.id_reader, "set_scenario", None)
        if set_scenario is not None:
            set_scenario("no_card")              # the phone citizen left the card at home
        c.start()
        self.click("service-elderly-allowance")
        self.click("beginService")
        self.click("useAppCode")
        self.wait_state(State.APP_CODE)
        self.check("app_code")
        c.cancel()
        self.wait_state(State.IDLE)
        c.start()
        self.click("service-queue-ticket")
        self.click("beginService")
        self.click("useAppLogin")
        self.wait(lambda: s.state is State.APP_LOGIN and s.app_login is not None
                  and c.view.app_login_qr_png is not None, "app login QR")
        self.check("app_login")
        c.cancel()
        self.wait_state(State.IDLE)
        if set_scenario is not None:
            set_scenario("ok")

    def certificates(self, face_verifier) -> None:
        """Print my certificate: the licence list, the preview, printing (held by the simulated A4
        printer until its job deadline), and the end page (after that failure: print again)."""
        State, c, s = self.State, self.controller, self.session
        if c.document_printer is None or self.platform is None:
            return
        c.start()
        self.click("service-print-certificate")
        self.click("beginService")
        self.wait(lambda: face_verifier.release() or (s.state is State.CERT_LIST and s.certificates is not None
                                                      and bool(s.certificates.licences)), "licence list", 60)
        self.check("cert_list")
        self.click("licence-social_insurance_record")
        self.wait(lambda: s.state is State.CERT_PREVIEW and s.certificates.pages > 0, "certificate preview")
        preview = self.window.screens[State.CERT_PREVIEW].preview
        self.wait(lambda: preview.pixmap() is not None and not preview.pixmap().isNull(), "preview picture")
        self.check("cert_preview")
        c.document_printer.transport.set_scenario("hang")
        self.click("certPrint")
        self.wait_state(State.CERT_PRINTING)
        self.check("cert_printing")
        c.document_printer.transport.set_scenario("ok")
        self.wait_state(State.CERT_DONE, 60)
        self.check("cert_done")
        self.click("certDone")
        self.wait(lambda: s.state in (State.IDLE, State.RATE), "end of the certificate session")
        c.cancel()
        self.wait_state(State.IDLE)

    def payment(self, face_verifier) -> None:
        """A fee-bearing service: after Submit, the payment QR (the order is then cancelled)."""
        State, c, s = self.State, self.controller, self.session
        present = getattr(c.id_reader, "present", None)
        if present is not None:
            present("young")
        self.wait(lambda: not s.payments_recovering, "payments recovered")
        self.to_form("real-estate-records-copy", face_verifier)
        self.click("confirmSubmit")
        self.wait(lambda: s.state is State.PAYMENT and s.payment is not None and s.payment.phase == "waiting"
                  and c.view.payment_qr_png is not None, "payment QR")
        self.check("payment")
        c.cancel()
        self.wait(lambda: s.state is not State.PAYMENT, "payment cancelled", 30)
        if s.state is not State.IDLE:
            c.cancel()
        self.wait_state(State.IDLE)

    def submitting(self) -> None:
        """Submit, with the platform slow to answer (its fault injection): "Submitting" is shown
        until it does (well within the walk's read timeout and submit_wait_s, so the receipt is the
        usual one)."""
        if self.platform is None:
            self.click("confirmSubmit")
            return
        self.platform.faults.delay_s = 6.0 if self.shots is not None else 3.0
        try:
            self.click("confirmSubmit")
            self.wait_state(self.State.SUBMITTING)
            self.check("submitting", combos=[("en", True), ("zh_HK", False)])
        finally:
            self.platform.faults.delay_s = 0.0

    def still_there(self) -> None:
        """The "Are you still there?" warning over the current screen."""
        s = self.session
        timeouts = s.timeouts
        s.timeouts = dataclasses.replace(timeouts, idle_s=0.0)
        s.tick()
        s.timeouts = timeouts
        self.wait(lambda: self.window.overlay.isVisible(), "idle warning")
        self.check("still_there")
        self.controller.touch()
        self.pump()


def walk(panel: tuple[int, int], platform_url: str, work: Path, shots: Path | None = None, platform=None):
    """Builds a kiosk for the panel, walks it; returns the Walker (findings, visited, checks).
    `platform`: the ReferencePlatformServer behind `platform_url`, when the caller runs it: its
    licence issuer is the kiosk's trust anchor (the certificate screens), and its fault injection
    holds a submission long enough to see "Submitting". Without it those screens are shown out
    of flow."""
    from kiosk.pyside_refcount_fix import apply as apply_pyside_refcount_fix
    apply_pyside_refcount_fix()
    from PySide6.QtWidgets import QApplication

    from kiosk.app import build_kiosk
    from tests.conftest import kiosk_config
    from tests.ux_helpers import InstantFaceVerifier

    app = QApplication.instance() or QApplication([])
    width, height = panel
    work.mkdir(parents=True, exist_ok=True)
    certificates = {}
    if platform is not None:
        (work / "licence-root.pem").write_bytes(platform.licences.root_pem())
        certificates = {"trust_anchor": str(work / "licence-root.pem")}
    config = kiosk_config(work, platform_url, display={"width_px": width, "height_px": height,
                                                       "diagonal_in": PANELS[panel], "voice_guidance": False},
                          devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 5.0},
                                   "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"},
                                   # a held job ends (as failed) after 3 s: the end page's "print again"
                                   "document_printer": {"backend": "sim", "job_deadline_s": 3.0}},
                          certificates=certificates,
                          # "Submitting" is looked at while the platform holds its answer (below)
                          platform={"read_timeout_s": 10.0, "submit_wait_s": 12.0},
                          # one kiosk per panel: payment order numbers are per kiosk, and the panels
                          # may share one platform (tests/test_visual_check.py does)
                          kiosk={"id": f"TEST-KIOSK-{width}"})
    verifier = InstantFaceVerifier(hold=True)
    parts = build_kiosk(config, face_verifier=verifier)
    parts.window.setFixedSize(width, height)      # the panel: content that does not fit is squeezed
    parts.window.show()
    parts.controller.open()
    walker = Walker(app, parts, panel)
    walker.platform = platform
    walker.shots = shots
    walker.shot_width = GALLERY_WIDTH.get(panel, 960)
    try:
        walker.run(verifier)
        walker.out_of_flow_states = walker.out_of_flow()
    finally:
        parts.close()
    return walker


def write_gallery_index(target: Path, scenes: list[str]) -> None:
    """docs/screens/README.md: one table per panel size, a row per screen."""
    lines = ["# Screen gallery", "",
             "Every citizen screen in Simplified Chinese, Traditional Chinese and English, in normal and care",
             "mode (长者模式: text x1.4, high-contrast palette, paged forms, voice guidance with a Repeat",
             "button, timeouts x2), at both panel sizes the visual check runs on. Generated by the same walk",
             "as tests/test_visual_check.py (real screens, simulated devices, the reference platform on",
             "127.0.0.1), each picture checked for overlap, clipping, missing glyphs and < 20 mm targets:", "",
             "```sh", "QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.visual_walk --gallery docs/screens", "```",
             "", "Saved in 256 colours, 960 px (1920x1080) or 640 px (1280x800) wide. The face step is",
             "checked but not saved: its picture is a photo of a real person whose rights were never cleared.",
             "No known defects are open: every screen below passes the check (docs/visual-check.md).", ""]
    for panel in PANELS:
        size = f"{panel[0]}x{panel[1]}"
        lines += [f"## {size} ({PANELS[panel]}\" panel)", "",
                  "| screen | 简体 | 繁體 | English | 简体 care | 繁體 care | English care |",
                  "|---|---|---|---|---|---|---|"]
        for scene in scenes:
            cells = []
            for care in (False, True):
                for language in LANGUAGES:
                    path = f"{size}/{language}/{'care/' if care else ''}{scene}.png"
                    cells.append(f"![{language}{' care' if care else ''} {scene}]({path})"
                                 if (target / path).exists() else "–")
            lines.append(f"| {scene} | " + " | ".join(cells) + " |")
        lines.append("")
    (target / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str]) -> int:
    from reference_platform.server import ReferencePlatformServer
    gallery = None
    if argv[:1] == ["--gallery"]:
        gallery, argv = Path(argv[1]), argv[2:]
        os.environ["VISUAL_WALK_SHOTS"] = str(gallery)
    panels = [tuple(int(n) for n in arg.split("x")) for arg in argv] or list(PANELS)
    if gallery is not None:
        # Only the walk's own folders: docs/screens/<language>/ holds the demo's screenshots
        # (sim/demo/screenshots.py).
        for panel in panels:
            for old in (gallery / f"{panel[0]}x{panel[1]}").glob("**/*.png"):
                old.unlink()
    scenes: list[str] = []
    found = 0
    with tempfile.TemporaryDirectory(prefix="kiosk-visual-") as tmp:
        server = ReferencePlatformServer(Path(tmp) / "platform.sqlite3")
        url = server.start()
        server.licences.warm_up(background=False)
        try:
            for panel in panels:
                started = time.monotonic()
                shots = os.environ.get("VISUAL_WALK_SHOTS")
                walker = walk(panel, url, Path(tmp) / f"{panel[0]}x{panel[1]}", Path(shots) if shots else None,
                              server)
                print(f"== {panel[0]}x{panel[1]}: {walker.checks} screen checks, "
                      f"{len(walker.findings)} problems; out of flow: {walker.out_of_flow_states}; "
                      f"{time.monotonic() - started:.1f} s")
                for finding in walker.findings:
                    print("   ", finding)
                found += len(walker.findings)
                scenes += [scene for scene in walker.scenes if scene not in scenes and scene not in NOT_PHOTOGRAPHED]
        finally:
            server.stop()
    if gallery is not None:
        write_gallery_index(gallery, scenes)
    return 1 if found and gallery is None else 0   # the gallery is made even with known defects


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
