"""Printing an electronic licence through the kiosk's flow (no window): the real reference platform
on loopback (signed sample licences), the real outbox and journal files, the in-process A4 transport.
Never the wrong person: late replies, replies for another identity, foreign documents."""
from __future__ import annotations

import threading

import pytest

from kiosk.app import build_kiosk
from kiosk.core.session import State
from sim.identities import SIM_IDENTITIES
from tests.conftest import kiosk_config
from tests.ux_helpers import InstantFaceVerifier


@pytest.fixture
def kiosk(qtbot, tmp_path, platform_server):
    anchor = tmp_path / "licence-root.pem"
    anchor.write_bytes(platform_server.licences.root_pem())
    platform_server.licences.warm_up(background=False)   # signed samples: made once per test process
    config = kiosk_config(tmp_path, platform_server.base_url, certificates={"trust_anchor": str(anchor)},
                          devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 0.05},
                                   "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"},
                                   "document_printer": {"backend": "sim", "job_deadline_s": 0.5,
                                                        "poll_interval_s": 0.05}})
    parts = build_kiosk(config, with_window=False, face_verifier=InstantFaceVerifier())
    parts.controller.open()
    qtbot.waitUntil(lambda: parts.controller.view.catalog_loaded, timeout=10_000)
    yield parts
    parts.close()


def to_list(qtbot, controller, identity: str = "elderly"):
    controller.id_reader._identity = SIM_IDENTITIES[identity]     # the next card on the reader
    session = controller.session
    session.start()
    session.choose_service("print-certificate")
    session.begin_service()
    qtbot.waitUntil(lambda: session.state is State.CERT_LIST and session.certificates.licences is not None,
                    timeout=15_000)
    return session


def choose(qtbot, session, licence_type: str):
    licence = next(lic for lic in session.certificates.licences if lic.licence_type == licence_type)
    session.choose_licence(licence.licence_id)
    return licence


def test_list_preview_print_journal_and_report(qtbot, kiosk, platform_server):
    controller = kiosk.controller
    session = to_list(qtbot, controller)
    assert {lic.licence_type for lic in session.certificates.licences} == {
        "marriage_record", "household_registration", "social_insurance_record"}
    licence = choose(qtbot, session, "social_insurance_record")
    qtbot.waitUntil(lambda: session.certificates.pages == 2, timeout=15_000)
    assert session.certificates.preview_png.startswith(b"\x89PNG")
    request_id = session.certificates.request_id
    session.print_licence()
    qtbot.waitUntil(lambda: session.state is State.CERT_DONE, timeout=10_000)
    assert session.certificates.printed and session.certificates.pages_completed == 2
    transport = controller.document_printer.transport
    assert len(transport.printed) == 1
    original = platform_server.licences.get(licence.licence_id).pdf
    assert transport.printed[0].startswith(original) and len(transport.printed[0]) > len(original)
    entitlement = controller.certificates.journal.entitlement(request_id)
    assert entitlement.fulfilled and entitlement.attempts == 1
    attempts = controller.certificates.journal.last_attempts()
    assert attempts[0]["state"] == "printed" and attempts[0]["pages_completed"] == 2
    # journal rows carry no personal data
    holder = SIM_IDENTITIES["elderly"].document().id_number
    assert holder not in repr(attempts) and licence.licence_id not in repr(attempts)
    qtbot.waitUntil(lambda: len(platform_server.licences.reports()) == 1, timeout=15_000)
    report = platform_server.licences.reports()[0]
    assert report["outcome"] == "printed" and report["pages_completed"] == 2
    assert holder not in repr(report)
    # the QR token of that print resolves on the platform's verification page
    token = platform_server.licences.token(report["token"])
    assert token is not None and token.licence_id == licence.licence_id
    # ...and its public page shows the licence and the print, never the ID number or the full name
    import requests
    page = requests.get(f"{platform_server.base_url}/verify/{report['token']}", timeout=5)
    assert page.status_code == 200 and "VALID" in page.text and "TEST-KIOSK-1" in page.text
    assert holder not in page.text and SIM_IDENTITIES["elderly"].name not in page.text
    # the QR on the printed page (rendered like paper, decoded with the kiosk's zxing decoder) is that URL
    import cv2
    import numpy as np

    from kiosk.barcodes import decode_codes
    from kiosk.licence_preview import render_first_page
    page_png = render_first_page(transport.printed[0], dpi=150)
    image = cv2.imdecode(np.frombuffer(page_png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert [code.text for code in decode_codes(image, "qr")] == [
        f"{platform_server.base_url}/verify/{report['token']}"]
    platform_server.licences.revoke(licence.licence_id)
    assert "REVOKED" in requests.get(f"{platform_server.base_url}/verify/{report['token']}", timeout=5).text
    assert requests.get(f"{platform_server.base_url}/verify/nosuchtoken", timeout=5).status_code == 404
    session.finish_certificates()
    assert session.state is State.IDLE and session.certificates is None


def test_revoked_licence_is_refused_and_nothing_prints(qtbot, kiosk, platform_server):
    controller = kiosk.controller
    session = to_list(qtbot, controller)
    licence = next(lic for lic in session.certificates.licences if lic.licence_type == "marriage_record")
    platform_server.licences.revoke(licence.licence_id)
    session.choose_licence(licence.licence_id)
    qtbot.waitUntil(lambda: session.certificates.refusal == "revoked", timeout=15_000)
    session.print_licence()
    assert session.state is State.CERT_PREVIEW
    assert controller.document_printer.transport.printed == []


def test_a_document_of_another_holder_is_refused(qtbot, kiosk, platform_server, monkeypatch):
    """The platform (or anything between) answers with someone else's valid, signed licence."""
    controller = kiosk.controller
    session = to_list(qtbot, controller)
    other_id = SIM_IDENTITIES["young"].document().id_number
    foreign = platform_server.licences.for_holder(other_id)[0].pdf
    monkeypatch.setattr(controller.platform_client, "licence_document", lambda licence_id, id_number: (foreign, "valid"))
    choose(qtbot, session, "household_registration")
    qtbot.waitUntil(lambda: session.certificates.refusal == "wrong_holder", timeout=15_000)
    assert session.certificates.preview_png is None
    assert controller.document_printer.transport.printed == []


def test_late_document_after_the_session_ended_is_discarded(qtbot, kiosk, monkeypatch):
    controller = kiosk.controller
    session = to_list(qtbot, controller)
    real = controller.platform_client.licence_document
    gate, asked = threading.Event(), threading.Event()

    def slow(licence_id, id_number):
        result = real(licence_id, id_number)
        asked.set()
        gate.wait(10)
        return result
    monkeypatch.setattr(controller.platform_client, "licence_document", slow)
    choose(qtbot, session, "household_registration")
    qtbot.waitUntil(asked.is_set, timeout=10_000)
    session.cancel()                                     # the citizen walks away
    assert session.state is State.IDLE
    before = controller.certificates.discarded
    gate.set()
    qtbot.waitUntil(lambda: controller.certificates.discarded == before + 1, timeout=10_000)
    assert controller.certificates._prepared == {}
    assert session.state is State.IDLE and session.certificates is None
    assert controller.document_printer.transport.printed == []


def test_concurrent_replies_never_cross_sessions(qtbot, kiosk, monkeypatch):
    """Session A's document arrives while session B (another person) is at the preview."""
    controller = kiosk.controller
    real = controller.platform_client.licence_document
    gates = {}

    def held(licence_id, id_number):
        gate = gates.setdefault(id_number, threading.Event())
        result = real(licence_id, id_number)
        gate.wait(10)
        return result
    monkeypatch.setattr(controller.platform_client, "licence_document", held)
    session = to_list(qtbot, controller, "elderly")
    a_id = session.document.id_number
    choose(qtbot, session, "household_registration")
    qtbot.waitUntil(lambda: a_id in gates, timeout=10_000)
    session.cancel()
    session = to_list(qtbot, controller, "young")
    b_id = session.document.id_number
    assert b_id != a_id
    choose(qtbot, session, "household_registration")
    b_request = session.certificates.request_id
    qtbot.waitUntil(lambda: b_id in gates, timeout=10_000)
    before = controller.certificates.discarded
    gates[a_id].set()                                    # A's (late) reply first
    qtbot.waitUntil(lambda: controller.certificates.discarded == before + 1, timeout=10_000)
    assert session.certificates.pages == 0 and session.certificates.preview_png is None
    gates[b_id].set()
    qtbot.waitUntil(lambda: session.certificates.pages == 1, timeout=10_000)
    assert list(controller.certificates._prepared) == [b_request]
    prepared = controller.certificates._prepared[b_request]
    assert prepared.verified.meta.holder_id == b_id


def test_paper_out_mid_job_then_reprint_on_the_same_entitlement(qtbot, kiosk):
    controller = kiosk.controller
    transport = controller.document_printer.transport
    session = to_list(qtbot, controller)
    choose(qtbot, session, "social_insurance_record")
    qtbot.waitUntil(lambda: session.certificates.pages == 2, timeout=15_000)
    request_id = session.certificates.request_id
    transport.set_scenario("paper_out_mid_job")
    session.print_licence()
    qtbot.waitUntil(lambda: session.state is State.CERT_DONE, timeout=10_000)
    assert not session.certificates.printed and session.certificates.refusal == "paper_out"
    assert session.certificates.pages_completed == 1
    entitlement = controller.certificates.journal.entitlement(request_id)
    assert entitlement.open and entitlement.attempts == 1
    transport.set_scenario("ok")                         # paper loaded
    session.print_licence()                              # "print again"
    qtbot.waitUntil(lambda: session.state is State.CERT_DONE and session.certificates.printed, timeout=10_000)
    entitlement = controller.certificates.journal.entitlement(request_id)
    assert entitlement.fulfilled and entitlement.attempts == 2 and len(transport.printed) == 1


def test_job_stuck_past_its_deadline_is_cancelled_citizen_told_reprint_when_fixed(qtbot, kiosk):
    controller = kiosk.controller
    transport = controller.document_printer.transport
    session = to_list(qtbot, controller)
    choose(qtbot, session, "household_registration")
    qtbot.waitUntil(lambda: session.certificates.pages == 1, timeout=15_000)
    transport.set_scenario("hang")
    session.print_licence()
    qtbot.waitUntil(lambda: session.state is State.CERT_DONE, timeout=10_000)
    assert session.certificates.refusal == "job_timeout"
    assert transport.recent_jobs(1)[0].state_name == "canceled"
    transport.set_scenario("ok")
    session.print_licence()
    qtbot.waitUntil(lambda: session.certificates.printed, timeout=10_000)
