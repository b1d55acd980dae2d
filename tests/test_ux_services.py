"""Each reference service driven end to end through the real screens, offscreen,
against the reference platform over HTTP on 127.0.0.1 (real outbox SQLite file,
simulated card reader / camera / printer on their worker threads).

The face step uses tests.ux_helpers.InstantFaceVerifier (see its docstring).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import cv2
import numpy as np
import pytest
import requests
from PySide6.QtCore import Qt

from kiosk.core.id_number import make_id_number
from sim.identities import SIM_IDENTITIES
from kiosk.core.identity import CardType
from kiosk.qr import qr_png
from kiosk.core.session import State
from tests.ux_helpers import click, make_kiosk, start_service, type_keys, ux_kiosk, wait_state  # noqa: F401

pytestmark = pytest.mark.slow

PHONE = "13812345678"


def finish_with_rating(qtbot, parts, level="satisfied", reasons=()):
    window, session = parts.window, parts.controller.session
    click(qtbot, window, "receiptDone")
    wait_state(qtbot, session, State.RATE)
    click(qtbot, window, f"rate-{level}")
    for reason in reasons:
        click(qtbot, window, f"reason-{reason}")
    click(qtbot, window, "rateSend")
    wait_state(qtbot, session, State.IDLE)


def choose(qtbot, window, field_id, value):
    click(qtbot, window, f"choice-{field_id}-{value}")


def test_elderly_allowance_card_face_form_receipt_rating(qtbot, ux_kiosk, platform_server):
    parts = ux_kiosk
    window, session = parts.window, parts.controller.session
    start_service(qtbot, parts, "elderly-allowance")
    wait_state(qtbot, session, State.FORM)
    form = window.screens[State.FORM]
    assert form.inputs["name"].isReadOnly() and form.inputs["name"].text() == SIM_IDENTITIES["elderly"].name
    click(qtbot, window, "formNext")                          # phone missing: inline error, same screen
    assert session.state is State.FORM
    assert form.errors["phone"].text() == "请填写此项。" or form.errors["phone"].text()
    type_keys(qtbot, form.keypad, "12345")
    click(qtbot, window, "formNext")
    assert session.state is State.FORM and session.field_errors == {"phone": "invalid_phone"}
    type_keys(qtbot, form.keypad, "C" + PHONE)
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
    number = session.outcome.application_number
    assert number.encode() in parts.controller.printer.all_bytes
    finish_with_rating(qtbot, parts, "very_dissatisfied", reasons=("waiting_too_long",))
    qtbot.waitUntil(lambda: len(platform_server.store.ratings()) == 1, timeout=10_000)
    rating = platform_server.store.ratings()[0]
    assert rating["level"] == "very_dissatisfied" and rating["reasons"] == ["waiting_too_long"]
    assert rating["application_id"] == session_application_id(platform_server, number)
    token = session_query_token(platform_server, number)
    assert requests.get(f"{platform_server.base_url}/applications/{token}", timeout=5).status_code == 200


def test_bundle_open_barbershop_is_one_form_and_one_submission(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"id_reader": {"backend": "sim", "identity": "young", "delay_s": 0.1}})
    try:
        window, session = parts.window, parts.controller.session
        start_service(qtbot, parts, "open-barbershop")
        wait_state(qtbot, session, State.FORM)
        form = window.screens[State.FORM]
        # Fields of both items on one form; the shared ones (name, phone, floor area) once.
        assert set(form.inputs) | set(form.choices) == {"name", "id_number", "business_type", "premises_district",
                                                         "premises_area", "phone", "staff_count"}
        choose(qtbot, window, "business_type", "hairdressing")
        choose(qtbot, window, "premises_district", "duanzhou")
        for field_id, digits in (("premises_area", "45"), ("staff_count", "3"), ("phone", PHONE)):
            qtbot.mouseClick(form.inputs[field_id], Qt.LeftButton)
            assert form.keypad.target is form.inputs[field_id]
            type_keys(qtbot, form.keypad, digits)
        click(qtbot, window, "formNext")
        wait_state(qtbot, session, State.CONFIRM)
        summary = " ".join(w.text() for w in window.screens[State.CONFIRM].summary_host.findChildren(type(form.title)))
        assert "美容美发" in summary and "端州区" in summary          # choice labels, not codes
        click(qtbot, window, "confirmSubmit")
        wait_state(qtbot, session, State.RECEIPT)
        finish_with_rating(qtbot, parts)
        applications = platform_server.store.applications()
        assert len(applications) == 1                                # ONE submission for the bundle
        stored = applications[0]
        assert stored["service_id"] == "open-barbershop"
        form_values = stored["form"]
        assert form_values["business_type"] == "hairdressing" and form_values["staff_count"] == "3"
        qtbot.waitUntil(lambda: parts.outbox.stats().delivered == 2, timeout=10_000)   # and the rating
        assert len(platform_server.store.ratings()) == 1
    finally:
        parts.close()


def test_queue_ticket_prints_a_ticket_number(qtbot, ux_kiosk, platform_server):
    parts = ux_kiosk
    window, session = parts.window, parts.controller.session
    start_service(qtbot, parts, "queue-ticket")
    wait_state(qtbot, session, State.FORM)                       # card only: no face step
    choose(qtbot, window, "counter", "social_security")
    click(qtbot, window, "formNext")
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    qtbot.waitUntil(lambda: session.print_status == "printed", timeout=10_000)
    ticket = session.outcome.ticket_number
    assert ticket and ticket[0].isalpha() and ticket[1:] == "001"
    assert window.screens[State.RECEIPT].number.text() == ticket
    assert ticket.encode() in parts.controller.printer.all_bytes
    finish_with_rating(qtbot, parts)


def test_pension_certification_face_only_with_result_receipt(qtbot, ux_kiosk, platform_server):
    """No card: the ID number is typed, the platform's reference photo for it is fetched
    over HTTP (GET /reference-photos/<id>), the face is compared, a result receipt is printed."""
    parts = ux_kiosk
    window, session, controller = parts.window, parts.controller.session, parts.controller
    elderly = SIM_IDENTITIES["elderly"].document()
    platform_server.reference_photos[elderly.id_number] = elderly.photo_jpeg
    start_service(qtbot, parts, "pension-certification")
    wait_state(qtbot, session, State.FORM)                       # no card: the ID number is typed
    form = window.screens[State.FORM]
    assert form.keypad.isVisible() and "X" in form.keypad.buttons   # ID-number keypad has the X key
    wrong = elderly.id_number[:-1] + ("0" if elderly.id_number[-1] != "0" else "1")
    type_keys(qtbot, form.keypad, wrong)
    click(qtbot, window, "formNext")
    assert session.field_errors == {"id_number": "invalid_id_number"}   # check character verified
    type_keys(qtbot, form.keypad, "⌫" + elderly.id_number[-1])
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)                     # face matched against the reference
    assert controller.face_verifier.references == [elderly.photo_jpeg]
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    assert window.screens[State.RECEIPT].title.text() == "认证完成，结果已记录"
    finish_with_rating(qtbot, parts)
    assert platform_server.store.applications()[0]["service_id"] == "pension-certification"


def test_pension_certification_without_a_photo_on_record_goes_to_the_counter(qtbot, ux_kiosk):
    parts = ux_kiosk
    window, session = parts.window, parts.controller.session
    start_service(qtbot, parts, "pension-certification")
    wait_state(qtbot, session, State.FORM)
    type_keys(qtbot, window.screens[State.FORM].keypad, "441202193801010015")
    click(qtbot, window, "formNext")
    qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=10_000)
    assert session.error_key == "face_no_photo_on_record" and session.error_retry is None
    assert window.screens[State.ERROR].message.text() == "该身份证号码没有留存照片，无法在此核验。"


def test_residence_permit_choices_instead_of_free_text(qtbot, tmp_path, platform_server):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"id_reader": {"backend": "sim", "identity": "young", "delay_s": 0.1}})
    try:
        window, session = parts.window, parts.controller.session
        start_service(qtbot, parts, "residence-permit")
        wait_state(qtbot, session, State.FORM)
        form = window.screens[State.FORM]
        editable_text = [f for f in session.service.fields if f.type == "text" and not f.readonly]
        assert editable_text == []
        click(qtbot, window, "formNext")
        assert set(session.field_errors) == {"residence_district", "residence_basis", "phone"}
        assert all(form.errors[f].text() for f in session.field_errors)
        choose(qtbot, window, "residence_district", "gaoyao")
        choose(qtbot, window, "residence_basis", "employment")
        qtbot.mouseClick(form.inputs["phone"], Qt.LeftButton)
        type_keys(qtbot, form.keypad, PHONE)
        click(qtbot, window, "formNext")
        wait_state(qtbot, session, State.CONFIRM)
        click(qtbot, window, "confirmSubmit")
        wait_state(qtbot, session, State.RECEIPT)
        finish_with_rating(qtbot, parts)
        stored = platform_server.store.applications()[0]
        assert stored["service_id"] == "residence-permit"
        assert stored["form"]["residence_district"] == "gaoyao"
    finally:
        parts.close()


class CardAs:
    """The simulated reader presenting a sample holder's card as another card type."""

    def __init__(self, base, card_type, region):
        self.base, self.card_type, self.region = base, card_type, region

    def document(self, **kwargs):
        doc = self.base.document(**kwargs)
        return dataclasses.replace(doc, card_type=self.card_type,
                                   id_number=make_id_number(self.region, doc.birth_date, self.base.sequence))


def test_hk_macau_permit_holder_gets_traditional_chinese_and_cross_region_routing(qtbot, ux_kiosk, platform_server):
    parts = ux_kiosk
    window, session = parts.window, parts.controller.session
    parts.controller.id_reader._identity = CardAs(SIM_IDENTITIES["young"], CardType.HMT_RESIDENCE_PERMIT, "810000")
    start_service(qtbot, parts, "hmt-social-insurance")
    wait_state(qtbot, session, State.FORM)
    assert session.language == "zh_HK"                           # card type J -> Traditional Chinese
    assert window.screens[State.FORM].title.text() == "請核對您的資料"
    choose(qtbot, window, "insured_as", "employee")
    qtbot.mouseClick(window.screens[State.FORM].inputs["phone"], Qt.LeftButton)
    type_keys(qtbot, window.screens[State.FORM].keypad, "61234567")   # a Hong Kong mobile number
    click(qtbot, window, "formNext")
    wait_state(qtbot, session, State.CONFIRM)
    click(qtbot, window, "confirmSubmit")
    wait_state(qtbot, session, State.RECEIPT)
    finish_with_rating(qtbot, parts)
    assert session.language == "zh_CN"                           # reset for the next citizen
    entry = parts.outbox.entry(platform_server.store.applications()[0]["application_id"])
    assert entry.state == "delivered"


def test_resident_id_card_cannot_use_the_hk_macau_service(qtbot, ux_kiosk):
    parts = ux_kiosk
    start_service(qtbot, parts, "hmt-social-insurance")
    qtbot.waitUntil(lambda: parts.controller.session.state is State.ERROR, timeout=10_000)
    assert parts.controller.session.error_key == "card_type_not_accepted"


def test_foreigner_card_switches_to_english_unless_the_citizen_chose(qtbot, ux_kiosk):
    parts = ux_kiosk
    session = parts.controller.session
    parts.controller.id_reader._identity = CardAs(SIM_IDENTITIES["young"], CardType.FOREIGNER_PERMANENT_2023,
                                                  "944840")   # 9 + province 44 + nationality 840
    start_service(qtbot, parts, "queue-ticket")
    wait_state(qtbot, session, State.FORM)
    assert session.language == "en"
    parts.controller.cancel()
    wait_state(qtbot, session, State.IDLE)
    qtbot.mouseClick(parts.window.language_buttons["zh_HK"], Qt.LeftButton)   # the citizen picks a language
    start_service(qtbot, parts, "queue-ticket")
    wait_state(qtbot, session, State.FORM)
    assert session.language == "zh_HK"


def submit_at_counter(base_url, service_id, form, card):
    """An application filed elsewhere (a counter or another kiosk), straight to the platform."""
    application_id = str(uuid.uuid4())
    body = {"application_id": application_id, "service_id": service_id, "kiosk_id": "COUNTER-1",
            "applicant": {"id_number": card.id_number, "name": card.name, "address": card.address, "phone": PHONE},
            "form": form, "submitted_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    response = requests.post(f"{base_url}/applications", json=body, timeout=5,
                             headers={"Idempotency-Key": application_id})
    assert response.status_code == 201, response.text
    return response.json()


def test_real_estate_progress_query_by_typed_number_asks_for_the_receipt_qr(qtbot, ux_kiosk, platform_server):
    """Application numbers are sequential: the platform answers progress queries only for the receipt's
    QR token (or the application UUID), so a typed number gets a clear "scan the QR code" message."""
    parts = ux_kiosk
    window, session = parts.window, parts.controller.session
    card = SIM_IDENTITIES["young"].document()
    filed = submit_at_counter(platform_server.base_url, "real-estate-registration",
                              {"name": card.name, "id_number": card.id_number, "phone": PHONE}, card)
    start_service(qtbot, parts, "real-estate-progress")
    wait_state(qtbot, session, State.QUERY)
    query = window.screens[State.QUERY]
    click(qtbot, window, "querySearch")
    assert session.query_error == "query_number_required"
    type_keys(qtbot, query.keyboard, "CC")
    assert query.number.text() == "CC"                                 # C is a letter on this keyboard
    for number in (filed["application_number"], "GD20000101999999"):  # a real one and a made-up one alike
        type_keys(qtbot, query.keyboard, "✕" + number)
        click(qtbot, window, "querySearch")
        qtbot.waitUntil(lambda: not session.query_busy and session.query_error == "query_token_required",
                        timeout=10_000)
        assert query.error.text() == "为保护您的隐私，请扫描回执上的二维码查询办理进度。"
    assert session.state is State.QUERY and session.query_result is None


def receipt_camera_frame(tmp_path, payload: str) -> str:
    """A camera frame with a printed receipt held up: the receipt's QR (as the kiosk
    prints it) on white paper, smaller than the frame, slightly rotated, on a grey room."""
    qr = cv2.imdecode(np.frombuffer(qr_png(payload), np.uint8), cv2.IMREAD_COLOR)
    qr = cv2.resize(qr, (260, 260), interpolation=cv2.INTER_NEAREST)
    paper = np.full((420, 320, 3), 245, np.uint8)
    cv2.putText(paper, "GD RECEIPT", (40, 60), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (30, 30, 30), 2)
    paper[120:380, 30:290] = qr
    frame = np.full((720, 1280, 3), (90, 100, 110), np.uint8)
    rotation = cv2.getRotationMatrix2D((160, 210), 8, 1.0)
    rotated = cv2.warpAffine(paper, rotation, (320, 420), borderValue=(90, 100, 110))
    frame[150:570, 480:800] = rotated
    frame = cv2.GaussianBlur(frame, (3, 3), 0)
    path = tmp_path / "receipt-in-front-of-camera.png"
    cv2.imwrite(str(path), frame)
    return str(path)


def test_progress_query_by_scanning_the_receipt_qr_with_the_camera(qtbot, tmp_path, platform_server):
    card = SIM_IDENTITIES["elderly"].document()
    filed = submit_at_counter(platform_server.base_url, "elderly-allowance",
                              {"name": card.name, "id_number": card.id_number, "address": card.address,
                               "phone": PHONE}, card)
    # What the kiosk prints in the receipt QR: the progress link with the opaque query token.
    payload = f"{platform_server.base_url}/applications/{filed['query_token']}"
    frame_path = receipt_camera_frame(tmp_path, payload)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"camera": {"backend": "sim", "fps": 10, "source": frame_path}})
    try:
        window, session = parts.window, parts.controller.session
        start_service(qtbot, parts, "progress-query")
        wait_state(qtbot, session, State.QUERY)
        click(qtbot, window, "scanQr")
        assert session.query_scanning
        wait_state(qtbot, session, State.QUERY_RESULT, timeout_ms=20_000)
        assert session.query_result["application_number"] == filed["application_number"]
        assert parts.controller.camera.status().value == "online" and not parts.controller.qr_scanner.active
        assert parts.controller.qr_scanner.decode_threads == {"qr-decoder"}   # never on the GUI thread
        click(qtbot, window, "queryDone")
        wait_state(qtbot, session, State.IDLE)
    finally:
        parts.close()


def test_qr_scan_of_a_foreign_code_is_refused(qtbot, tmp_path, platform_server):
    frame_path = receipt_camera_frame(tmp_path, "https://example.com/not-a-receipt")
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url,
                       devices={"camera": {"backend": "sim", "fps": 10, "source": frame_path}})
    try:
        session = parts.controller.session
        start_service(qtbot, parts, "progress-query")
        wait_state(qtbot, session, State.QUERY)
        click(qtbot, parts.window, "scanQr")
        qtbot.waitUntil(lambda: session.query_error == "query_qr_not_ours", timeout=20_000)
        assert session.state is State.QUERY and not session.query_scanning
    finally:
        parts.close()


def test_help_button_calls_staff_from_any_screen(qtbot, ux_kiosk):
    parts = ux_kiosk
    window, session = parts.window, parts.controller.session
    start_service(qtbot, parts, "queue-ticket")
    wait_state(qtbot, session, State.FORM)
    qtbot.mouseClick(window.help_button, Qt.LeftButton)
    assert session.help_requested and parts.controller.view.help_requested_state == "form"
    assert "已呼叫工作人员" in window.link_label.text()
    assert session.state is State.FORM                              # the citizen's work is kept


def session_application_id(platform_server, number):
    """The rating is tied to the application (its id resolves to the application number)."""
    return next(a["application_id"] for a in platform_server.store.applications() if a["application_number"] == number)


def session_query_token(platform_server, number):
    """The receipt QR's token for an application number (progress is looked up by token, not number)."""
    return next(a["query_token"] for a in platform_server.store.applications() if a["application_number"] == number)
