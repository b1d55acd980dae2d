"""The licence-printing states of the citizen session (kiosk/core/session_certificates.py):
every event must carry the current session token AND request id; a print failure leaves a
reprint on the same request; every state ends without input (drivers used by
tests/test_session_deadlines.py)."""
from __future__ import annotations

from kiosk.core import session as s
from tests.test_session import document, harness  # noqa: F401  (fixture)

LICENCES = [{"licence_id": "LIC-A", "licence_type": "household_registration", "title_zh": "户籍证明",
             "title_en": "Household registration certificate", "issuer": "x", "expiry_date": "2030-01-01",
             "status": "valid"},
            {"licence_id": "LIC-X", "licence_type": "not_printed_here", "title_zh": "x", "title_en": "x",
             "issuer": "x", "expiry_date": "2030-01-01", "status": "valid"}]


def to_cert_list_waiting(session, commands):
    session.start()
    session.choose_service("print-certificate")
    session.begin_service()
    session.card_read(commands[-1].token, document())
    session.face_result(commands[-1].token, True, "matched")
    assert session.state is s.State.CERT_LIST and isinstance(commands[-1], s.ListLicences)


def to_cert_list(session, commands):
    to_cert_list_waiting(session, commands)
    session.licences_listed(commands[-1].token, LICENCES)


def to_cert_preview(session, commands):
    to_cert_list(session, commands)
    session.choose_licence("LIC-A")
    fetch = commands[-1]
    session.licence_verified(fetch.token, fetch.request_id, 1, b"\x89PNG")


def to_cert_printing(session, commands):
    to_cert_preview(session, commands)
    session.print_licence()


def to_cert_done(session, commands):
    to_cert_printing(session, commands)
    job = commands[-1]
    session.licence_print_finished(job.token, job.request_id, False, "paper_out", 0)


CERT_DRIVERS = {"cert_list_busy": to_cert_list_waiting, "cert_list": to_cert_list, "cert_preview": to_cert_preview,
                "cert_printing": to_cert_printing, "cert_done": to_cert_done}


def test_only_the_services_types_are_listed_and_the_id_number_stays_out_of_repr(harness):
    session, commands, _ = harness
    to_cert_list_waiting(session, commands)
    assert "441202193801011234" not in repr(commands[-1])
    assert commands[-1].licence_types == ("marriage_record", "household_registration", "social_insurance_record")
    session.licences_listed(commands[-1].token, LICENCES)
    assert [lic.licence_id for lic in session.certificates.licences] == ["LIC-A"]


def test_replies_for_another_session_or_request_are_ignored(harness):
    session, commands, _ = harness
    to_cert_list(session, commands)
    session.choose_licence("LIC-A")
    first = commands[-1]
    session.back_to_licences()
    assert isinstance(commands[-1], s.DiscardLicence) and commands[-1].request_id == first.request_id
    session.choose_licence("LIC-A")
    second = commands[-1]
    assert second.request_id != first.request_id
    session.licence_verified(first.token, first.request_id, 1, b"old")       # the earlier request
    session.licence_verified(first.token + 1, second.request_id, 1, b"x")    # another session's token
    assert session.certificates.pages == 0 and session.certificates.preview_png is None
    session.licence_verified(second.token, second.request_id, 1, b"new")
    assert session.certificates.preview_png == b"new"


def test_print_failure_then_reprint_on_the_same_request_and_no_cancel_while_printing(harness):
    session, commands, _ = harness
    to_cert_printing(session, commands)
    job = commands[-1]
    session.cancel()
    assert session.state is s.State.CERT_PRINTING       # a job in flight is not half-cancelled
    session.licence_print_finished(job.token, job.request_id, False, "paper_out", 0)
    assert session.state is s.State.CERT_DONE and session.certificates.refusal == "paper_out"
    session.print_licence()
    again = commands[-1]
    assert isinstance(again, s.PrintLicence) and again.request_id == job.request_id
    session.licence_print_finished(again.token, again.request_id, True, "", 1)
    assert session.certificates.printed and session.certificates.attempts == 2
    session.print_licence()                                # printed: no third attempt
    assert commands[-1] is again


def test_a_refused_document_cannot_be_printed(harness):
    session, commands, _ = harness
    to_cert_list(session, commands)
    session.choose_licence("LIC-A")
    fetch = commands[-1]
    session.licence_refused(fetch.token, fetch.request_id, "wrong_holder")
    session.print_licence()
    assert session.state is s.State.CERT_PREVIEW and not isinstance(commands[-1], s.PrintLicence)


def test_the_wipe_drops_the_list_and_preview(harness):
    session, commands, _ = harness
    to_cert_preview(session, commands)
    session.finish_certificates()
    assert session.state is s.State.IDLE and session.certificates is None
