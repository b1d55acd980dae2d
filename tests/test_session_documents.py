"""The session's camera steps (kiosk/core/session_documents.py): MRZ by camera with typing as
the fallback, and supporting materials scanned into the application -- the state machine
alone, with fake device events."""
import copy

import pytest

from kiosk.core import session as s
from kiosk.core.catalog import CatalogError, parse_catalog
from tests.test_session import CATALOG, FakeClock, TODAY, walk_to_form

JPEG = b"\xff\xd8\xff\xe0" + b"page-one" * 10


@pytest.fixture
def harness():
    return make_harness(CATALOG)


def make_harness(catalog_raw):
    clock = FakeClock()
    session = s.CitizenSession(kiosk_id="K1", default_language="zh_CN",
                               timeouts=s.Timeouts(idle_s=60, countdown_s=15, card_read_s=30, face_s=25, receipt_s=20),
                               catalog=parse_catalog(catalog_raw), clock=clock, today=lambda: TODAY)
    commands = []
    session.on_command(commands.append)
    return session, commands


def to_mrz_entry(session, commands):
    session.start()
    session.choose_service("queue-ticket")
    session.begin_service()
    session.card_failed(commands[-1].token, "mrz_required")
    assert session.state is s.State.MRZ_ENTRY


def fill_phone_and_confirm_page(session, commands):
    walk_to_form(session, commands)
    session.set_field("phone", "13812345678")
    session.submit_form()


# --- MRZ by camera -----------------------------------------------------------------------------

def test_camera_key_starts_the_chip_read(harness):
    session, commands = harness
    to_mrz_entry(session, commands)
    session.scan_mrz()
    scan = commands[-1]
    assert isinstance(scan, s.ScanMrz) and scan.timeout_s == 30 and session.mrz_scanning
    session.scan_mrz()                                            # a second press does not start another
    assert commands[-1] is scan
    session.mrz_scanned(scan.token, ("L898902C3", "740812", "320415"))
    read = commands[-1]
    assert isinstance(read, s.ReadCard) and read.mrz == ("L898902C3", "740812", "320415")
    assert "L898902C3" not in repr(read)                          # the key stays out of logs
    assert session.state is s.State.IDENTIFY and session.mrz_from_camera


@pytest.mark.parametrize("problem", ["mrz_camera_unreadable", "mrz_camera_check_digits", "mrz_camera_unavailable"])
def test_no_camera_key_falls_back_to_typing_with_the_reason(harness, problem):
    session, commands = harness
    to_mrz_entry(session, commands)
    session.scan_mrz()
    session.mrz_scanned(commands[-1].token, None, problem)
    assert session.state is s.State.MRZ_ENTRY and session.mrz_error == problem and not session.mrz_scanning
    assert session.mrz_attempts == 0                              # the chip was not asked: no attempt used
    session.submit_mrz("L898902C3", "740812", "320415")           # typing still works
    assert commands[-1].mrz == ("L898902C3", "740812", "320415") and session.mrz_error is None


def test_chip_refusing_a_camera_key_asks_to_type_and_counts_an_attempt(harness):
    session, commands = harness
    to_mrz_entry(session, commands)
    session.scan_mrz()
    session.mrz_scanned(commands[-1].token, ("L898902C3", "740812", "320415"))
    session.card_failed(commands[-1].token, "mrz_mismatch")
    assert session.state is s.State.MRZ_ENTRY and session.mrz_error == "mrz_camera_mismatch"
    assert session.mrz_attempts == 1 and not session.mrz_from_camera


def test_stop_scan_and_late_or_foreign_answers_are_ignored(harness):
    session, commands = harness
    to_mrz_entry(session, commands)
    session.scan_mrz()
    token = commands[-1].token
    session.cancel()                                              # "Type instead" / Cancel while reading
    assert isinstance(commands[-1], s.CancelDeviceWork) and session.state is s.State.MRZ_ENTRY
    session.mrz_scanned(token, ("L898902C3", "740812", "320415"))
    assert session.state is s.State.MRZ_ENTRY                     # stopped: the late key is dropped
    session.scan_mrz()
    session.mrz_scanned(token + 99, ("L898902C3", "740812", "320415"))
    assert session.state is s.State.MRZ_ENTRY and session.mrz_scanning


# --- supporting materials -----------------------------------------------------------------------

def test_two_pages_go_with_the_application_and_leave_the_session(harness):
    session, commands = harness
    fill_phone_and_confirm_page(session, commands)
    assert session.state is s.State.CONFIRM                       # optional material: not a forced step
    session.open_documents()
    assert session.state is s.State.SCAN_DOCUMENTS and session.current_material == "household_register"
    for number in (1, 2):
        session.capture_page()
        capture = commands[-1]
        assert isinstance(capture, s.CapturePage) and capture.material_id == "household_register"
        session.page_captured(capture.token, s.ScannedPage("household_register", "image/jpeg", JPEG + bytes([number])))
    assert session.page_count == 2
    session.retake_page("household_register", 1)
    session.capture_page()
    session.page_captured(commands[-1].token, s.ScannedPage("household_register", "image/jpeg", JPEG + b"R"))
    session.finish_documents()
    assert session.state is s.State.CONFIRM
    session.confirm()
    submit = commands[-1]
    assert isinstance(submit, s.Submit)
    assert [(name, kind) for name, kind, _ in submit.attachments] == [
        ("household_register-p1.jpg", "image/jpeg"), ("household_register-p2.jpg", "image/jpeg")]
    assert submit.attachments[1][2] == JPEG + b"R"
    assert "page-one" not in repr(submit)
    assert session.page_count == 0                                # handed to the outbox, not kept


def test_rejected_page_shows_the_guidance_and_pages_are_wiped_on_cancel(harness):
    session, commands = harness
    fill_phone_and_confirm_page(session, commands)
    session.open_documents()
    session.capture_page()
    token = commands[-1].token
    session.page_rejected(token, "glare")
    assert session.page_problem == "glare" and not session.page_capturing
    session.capture_page()
    session.page_captured(commands[-1].token, s.ScannedPage("household_register", "image/jpeg", JPEG))
    data = session._data
    session.cancel()
    assert session.state is s.State.IDLE and session.page_count == 0 and data.pages == {}
    session.page_captured(token, s.ScannedPage("household_register", "image/jpeg", JPEG))   # late: ignored
    assert session.page_count == 0


def test_page_limit_and_unknown_types_are_refused(harness):
    session, commands = harness
    fill_phone_and_confirm_page(session, commands)
    session.open_documents()
    session.capture_page()
    session.page_captured(commands[-1].token, s.ScannedPage("household_register", "application/pdf", JPEG))
    assert session.page_count == 0
    for _ in range(4):
        session.capture_page()
        session.page_captured(commands[-1].token, s.ScannedPage("household_register", "image/webp", b"RIFF"))
    before = len(commands)
    session.capture_page()
    assert len(commands) == before and session.page_problem == "too_many_pages"
    assert session.page_count == 4


def test_a_required_material_is_a_step_that_cannot_be_skipped():
    raw = copy.deepcopy(CATALOG)
    elderly = next(sv for sv in raw["services"] if sv["id"] == "elderly-allowance")
    next(m for m in elderly["materials"] if m.get("scan"))["scan"]["required"] = True
    session, commands = make_harness(raw)
    fill_phone_and_confirm_page(session, commands)
    assert session.state is s.State.SCAN_DOCUMENTS
    session.finish_documents()
    assert session.state is s.State.SCAN_DOCUMENTS and session.documents_error == "documents_missing"
    session.capture_page()
    session.page_captured(commands[-1].token, s.ScannedPage("household_register", "image/jpeg", JPEG))
    session.finish_documents()
    assert session.state is s.State.CONFIRM
    session.back()
    assert session.state is s.State.SCAN_DOCUMENTS and session.page_count == 1


@pytest.mark.parametrize("scan, message", [
    ({"id": "Bad Id"}, "scan.id"),
    ({"id": "ok", "max_pages": 0}, "max_pages"),
    ({"id": "ok", "max_pages": 11}, "max_pages"),
    ({"id": "ok", "required": "yes"}, "required"),
    ({"id": "ok", "colour": True}, "unknown key"),
    ("ok", "expected"),
])
def test_catalog_scan_specs_are_checked(scan, message):
    raw = copy.deepcopy(CATALOG)
    elderly = next(sv for sv in raw["services"] if sv["id"] == "elderly-allowance")
    elderly["materials"][0]["scan"] = scan
    with pytest.raises(CatalogError, match=message):
        parse_catalog(raw)


def test_catalog_scan_ids_are_unique_and_only_for_applications():
    raw = copy.deepcopy(CATALOG)
    elderly = next(sv for sv in raw["services"] if sv["id"] == "elderly-allowance")
    elderly["materials"][0]["scan"] = {"id": "household_register"}
    with pytest.raises(CatalogError, match="used twice"):
        parse_catalog(raw)
    raw = copy.deepcopy(CATALOG)
    ticket = next(sv for sv in raw["services"] if sv["id"] == "queue-ticket")
    ticket["materials"][0]["scan"] = {"id": "id_card"}
    with pytest.raises(CatalogError, match="only applications"):
        parse_catalog(raw)
    catalog = parse_catalog(CATALOG)
    assert [m.id for m in catalog.service("residence-permit").scan_materials] == ["proof_of_address",
                                                                                  "proof_of_employment"]
