"""Identity by phone end to end through the real screens, offscreen: the kiosk (real zxing decoder
thread, simulated camera fed by the phone-app simulator) against the reference platform over HTTP.
App code -> face check against the photo on record -> prefilled form; replayed, expired, payment and
foreign codes; platform down; app login confirmed, declined, expired; a login confirmed after the
session ended is discarded and revoked."""
from __future__ import annotations

import time

import pytest

from kiosk.core.session import State
from reference_platform.app_identity import AppIdentity
from reference_platform.photos import enrol_sim_identities
from reference_platform.server import ReferencePlatformServer
from sim.code_scenes import code_scene
from sim.identities import SIM_IDENTITIES
from sim.phone_app import PhoneApp
from tests.ux_helpers import InstantFaceVerifier, click, make_kiosk, start_service, wait_state

pytestmark = pytest.mark.slow

NO_CARD = {"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 120.0}}   # nobody puts a card down


class ShiftedClock:
    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.time() + self.offset


@pytest.fixture
def platform(tmp_path):
    clock = ShiftedClock()
    app_identity = AppIdentity({}, clock=clock, login_interval_s=0.2, login_ttl_s=60)
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", app_identity=app_identity)
    enrol_sim_identities(server.reference_photos, server.app_identity.people)
    server.clock = clock
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(qtbot, tmp_path, platform):
    verifier = InstantFaceVerifier()
    parts = make_kiosk(qtbot, tmp_path, platform.base_url, face_verifier=verifier, devices=NO_CARD)
    parts.verifier = verifier
    yield parts
    parts.close()


def elderly_phone(platform) -> PhoneApp:
    return PhoneApp(platform.base_url, SIM_IDENTITIES["elderly"].document().id_number)


def to_app_code(qtbot, parts, service="elderly-allowance"):
    start_service(qtbot, parts, service)
    wait_state(qtbot, parts.controller.session, State.IDENTIFY)
    click(qtbot, parts.window, "useAppCode")
    wait_state(qtbot, parts.controller.session, State.APP_CODE)


def scan(qtbot, parts, frame):
    parts.controller.camera.show(frame)
    click(qtbot, parts.window, "appCodeScan")


def test_app_code_identifies_and_the_face_check_uses_the_photo_on_record(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)
    to_app_code(qtbot, kiosk)
    assert kiosk.window.screens[State.APP_CODE].consent.text()        # the consent line is on screen
    code = phone.identity_code()
    scan(qtbot, kiosk, code_scene(code, "qr", degradation="perspective", seed=3))   # a tilted phone
    wait_state(qtbot, session, State.FORM)
    card = SIM_IDENTITIES["elderly"].document()
    assert (session.document.source, session.document.id_number, session.document.photo_jpeg) == \
        ("app_code", card.id_number, None)
    assert kiosk.verifier.references[-1] == platform.reference_photos[card.id_number]   # photo on record
    assert kiosk.controller.phone.scanner.decode_threads == {"app-code-decoder"}     # never the GUI thread
    kiosk.controller.cancel()
    wait_state(qtbot, session, State.IDLE)
    # The same code again (a photo of the phone, a replay): refused by the platform.
    to_app_code(qtbot, kiosk)
    scan(qtbot, kiosk, code_scene(code, "qr", seed=4))
    qtbot.waitUntil(lambda: session.app_error == "app_code_used", timeout=15_000)
    assert session.state is State.APP_CODE and session.document is None


def test_expired_payment_and_foreign_codes_get_their_own_messages(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)
    to_app_code(qtbot, kiosk)
    scan(qtbot, kiosk, code_scene("134567890123456789", "qr", seed=1))        # WeChat Pay code
    qtbot.waitUntil(lambda: session.app_error == "app_code_is_payment", timeout=15_000)
    message = kiosk.window.screens[State.APP_CODE].message.text()
    assert message and "payment" in message.lower() or "付款" in message or "支付" in message
    scan(qtbot, kiosk, code_scene("MOEID1:8f2e7c1a-foreign-region-eid", "qr", seed=2))   # another region's app
    qtbot.waitUntil(lambda: session.app_error == "app_code_foreign", timeout=15_000)
    code = phone.identity_code()
    platform.clock.offset += 120                                            # the code's 60 s have passed
    scan(qtbot, kiosk, code_scene(code, "qr", degradation="glare", seed=2))
    qtbot.waitUntil(lambda: session.app_error == "app_code_expired", timeout=15_000)
    click(qtbot, kiosk.window, "appCodeUseCard")                                  # the way forward: the card
    wait_state(qtbot, session, State.IDENTIFY)


@pytest.mark.faults
def test_platform_down_app_identity_needs_the_network(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)
    code = phone.identity_code()
    platform.stop()
    try:
        to_app_code(qtbot, kiosk)
        scan(qtbot, kiosk, code_scene(code, "qr", degradation="blur", seed=5))
        qtbot.waitUntil(lambda: session.app_error == "app_offline", timeout=15_000)
        screen = kiosk.window.screens[State.APP_CODE]
        assert screen.card_button.isVisible() and screen.message.text()       # the way forward: card or counter
    finally:
        platform.start()


def to_app_login(qtbot, parts, service="queue-ticket"):
    start_service(qtbot, parts, service)
    wait_state(qtbot, parts.controller.session, State.IDENTIFY)
    click(qtbot, parts.window, "useAppLogin")
    wait_state(qtbot, parts.controller.session, State.APP_LOGIN)
    qtbot.waitUntil(lambda: parts.controller.session.app_login is not None, timeout=10_000)
    return parts.controller.session.app_login


def test_app_login_confirmed_then_revoked_when_the_session_ends(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)
    login = to_app_login(qtbot, kiosk)
    assert kiosk.controller.view.app_login_qr_png.startswith(b"\x89PNG")
    assert kiosk.window.screens[State.APP_LOGIN].user_code.text() == login["user_code"]
    phone.confirm_login(PhoneApp.user_code_from_qr(login["verification_uri_complete"]))
    wait_state(qtbot, session, State.FORM)       # queue ticket: identity "card", no face step
    assert session.document.source == "app_login" and len(session.document.app_subject) >= 20
    kiosk.controller.cancel()
    qtbot.waitUntil(lambda: len(platform.app_identity.revoked) == 1, timeout=10_000)   # ends with the session


def test_app_login_declined_and_expired(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)
    login = to_app_login(qtbot, kiosk)
    phone.confirm_login(login["user_code"].replace("-", ""), approve=False)
    qtbot.waitUntil(lambda: session.app_error == "app_login_denied", timeout=10_000)
    click(qtbot, kiosk.window, "appLoginRetry")                               # a new login QR
    qtbot.waitUntil(lambda: session.app_login is not None, timeout=10_000)
    platform.clock.offset += 61
    qtbot.waitUntil(lambda: session.app_error == "app_login_expired", timeout=10_000)
    assert session.state is State.APP_LOGIN and session.document is None


@pytest.mark.faults
def test_a_login_confirmed_after_the_session_ended_is_discarded_and_revoked(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)
    login = to_app_login(qtbot, kiosk)
    platform.faults.delay_s = 0.8                     # the next poll is in flight when the citizen leaves
    phone.confirm_login(login["user_code"].replace("-", ""))
    qtbot.waitUntil(lambda: "app-login-poll" in kiosk.controller.jobs.running, timeout=5_000)
    assert session.state is State.APP_LOGIN           # not confirmed yet, as far as the kiosk knows
    kiosk.controller.cancel()
    wait_state(qtbot, session, State.IDLE)
    qtbot.waitUntil(lambda: len(platform.app_identity.revoked) == 1, timeout=10_000)
    assert session.document is None and session.state is State.IDLE


def test_phone_screens_in_every_language_and_care_mode(qtbot, kiosk, platform):
    """The identify step's phone options, the app-code screen with a message and the login screen
    with its QR: every text translated, nothing cut off, larger in care mode."""
    from tests.test_ux_screens import walk_combinations
    problems: list[str] = []
    session = kiosk.controller.session
    start_service(qtbot, kiosk, "elderly-allowance")
    wait_state(qtbot, session, State.IDENTIFY)
    walk_combinations(qtbot, kiosk, "identify", problems)
    click(qtbot, kiosk.window, "useAppCode")
    wait_state(qtbot, session, State.APP_CODE)
    scan(qtbot, kiosk, code_scene("134567890123456789", "qr", seed=1))
    qtbot.waitUntil(lambda: session.app_error == "app_code_is_payment", timeout=15_000)
    walk_combinations(qtbot, kiosk, "app_code", problems)
    click(qtbot, kiosk.window, "appCodeCancel")
    wait_state(qtbot, session, State.IDLE)
    to_app_login(qtbot, kiosk)
    walk_combinations(qtbot, kiosk, "app_login", problems)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.faults
def test_photo_on_record_unreachable_is_not_no_photo_and_not_a_failed_try(qtbot, kiosk, platform):
    session, phone = kiosk.controller.session, elderly_phone(platform)

    def unreachable(_id_number):
        raise ConnectionError("platform gone")
    kiosk.controller.reference_photo_source = unreachable
    to_app_code(qtbot, kiosk)
    scan(qtbot, kiosk, code_scene(phone.identity_code(), "qr", seed=6))
    qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=15_000)
    assert session.error_key == "face_reference_unavailable" and session.face_attempts == 0
    assert session.error_retry is not None                         # Try again fetches it again
