"""Verification before printing (kiosk/licence_verify.py + kiosk/core/licence.py) against the
reference platform's signed sample licences: every bad input refused with its code."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.licence import (EXPIRED, MALFORMED, NO_TRUST_ANCHOR, REVOKED, TAMPERED, UNKNOWN_SIGNER, UNSIGNED,
                                WRONG_HOLDER, LicenceRefused, PrintEntitlement, parse_metadata, refusal)
from kiosk.licence_stamp import stamp_for_print
from kiosk.licence_verify import load_trust_anchors, verify_licence
from reference_platform.licences import (Holder, LicenceStore, make_signer, render_licence_pdf, sign_pdf,
                                         sample_pki)

TODAY = dt.date.today()
ALICE = Holder("441202194403150316", "梁国栋")
BOB = Holder("440106199107080217", "陈志明")


@pytest.fixture(scope="module")
def store():
    store = LicenceStore([ALICE, BOB], today=TODAY)
    store.warm_up(background=False)
    return store


@pytest.fixture(scope="module")
def anchors(store, tmp_path_factory):
    path = tmp_path_factory.mktemp("anchor") / "root.pem"
    path.write_bytes(store.root_pem())
    return load_trust_anchors(path)


def alice_licence(store, licence_type="household_registration"):
    return next(lic for lic in store.for_holder(ALICE.id_number) if lic.licence_type == licence_type)


def refused(pdf, anchors, holder=ALICE.id_number, revoked=False, today=TODAY) -> str:
    with pytest.raises(LicenceRefused) as info:
        verify_licence(pdf, anchors, holder, revoked=revoked, today=today)
    return info.value.code


def test_a_good_licence_verifies_with_its_metadata(store, anchors):
    lic = alice_licence(store, "social_insurance_record")
    verified = verify_licence(lic.pdf, anchors, ALICE.id_number, revoked=False, today=TODAY)
    assert verified.pages == 2 and verified.meta.holder_id == ALICE.id_number
    assert verified.meta.number == lic.number and verified.meta.licence_type == "social_insurance_record"
    assert "Test e-licence issuer" in verified.signer


def test_tampered_content_is_refused(store, anchors):
    pdf = alice_licence(store).pdf
    index = pdf.find(b"GovExpiryDate")
    assert index > 0
    assert refused(pdf[:index] + b"GovExpiryDatf" + pdf[index + 13:], anchors) == TAMPERED


def test_anything_added_after_signing_is_refused(store, anchors):
    lic = alice_licence(store)
    stamped = stamp_for_print(lic.pdf, 1, "http://x.invalid/verify/t", "K", "now")
    assert stamped.startswith(lic.pdf)          # the print copy keeps the signed original intact...
    assert refused(stamped, anchors) == TAMPERED   # ...and is itself never accepted as an original


def test_wrong_holder_is_refused_first(store, anchors):
    bob = store.for_holder(BOB.id_number)[0]
    assert refused(bob.pdf, anchors) == WRONG_HOLDER
    assert refused(bob.pdf, anchors, revoked=True) == WRONG_HOLDER


def test_revoked_and_expired(store, anchors):
    lic = alice_licence(store)
    assert refused(lic.pdf, anchors, revoked=True) == REVOKED
    assert refused(lic.pdf, anchors, today=TODAY + dt.timedelta(days=400)) == EXPIRED


def test_unknown_signer_and_unsigned(store, anchors):
    unsigned = render_licence_pdf(alice_licence(store))
    assert refused(unsigned, anchors) == UNSIGNED
    root, cert, key = sample_pki(dt.date(2001, 1, 1))          # a PKI the kiosk does not trust
    assert refused(sign_pdf(unsigned, make_signer(cert, key, root)), anchors) == UNKNOWN_SIGNER


@pytest.mark.parametrize("pdf", [b"", b"hello", b"%PDF-1.7\n%garbage\n", None])
def test_malformed(store, anchors, pdf):
    if pdf is None:
        good = alice_licence(store).pdf
        pdf = good[: len(good) // 3]
    assert refused(pdf, anchors) == MALFORMED


def test_no_trust_anchor_means_nothing_prints(store):
    assert refused(alice_licence(store).pdf, []) == NO_TRUST_ANCHOR
    assert load_trust_anchors("") == [] and load_trust_anchors("/nonexistent.pem") == []


def test_metadata_rules():
    meta = parse_metadata({"GovLicenceType": "household_registration", "GovLicenceNumber": "1",
                           "GovHolderId": "44120219440315031x", "GovIssuer": "x", "GovIssueDate": "2026-01-01",
                           "GovExpiryDate": "长期", "GovLicenceId": "LIC-1"})
    assert meta.expiry_date is None
    assert refusal(meta, "44120219440315031X", False, dt.date(2030, 1, 1)) is None     # case of the X
    assert refusal(meta, "", False, dt.date(2030, 1, 1)) == WRONG_HOLDER
    with pytest.raises(LicenceRefused):
        parse_metadata({"GovLicenceType": "x"})


def test_entitlement_is_charged_once_and_stays_open_until_pages_ok():
    e = PrintEntitlement("r1", "marriage_record", requires_payment=True)
    assert e.needs_payment
    with pytest.raises(ValueError):
        e.attempt()                                  # no print before the fee
    e = PrintEntitlement("r1", "marriage_record", requires_payment=True, paid=True).attempt()
    e = e.finished(pages_ok=False, reason="paper_out")
    assert e.open and not e.needs_payment and e.attempts == 1
    e = e.attempt().finished(pages_ok=True)          # the reprint: no second charge
    assert e.fulfilled and e.attempts == 2 and not e.needs_payment
    with pytest.raises(ValueError):
        e.attempt()


def test_journal_keeps_the_entitlement_across_failed_attempts(tmp_path):
    from kiosk.licence_journal import LicenceJournal
    journal = LicenceJournal(tmp_path / "j.sqlite3")
    e = journal.open_entitlement("req-1", "marriage_record", requires_payment=True)
    assert e.needs_payment
    with pytest.raises(ValueError):
        journal.start_attempt("req-1", "p1", 1)
    journal.mark_paid("req-1")
    journal.start_attempt("req-1", "p1", 1)
    journal.finish_attempt("p1", 7, pages_ok=False, pages_completed=0, reason="job_timeout")
    again = journal.open_entitlement("req-1", "marriage_record", requires_payment=True)
    assert again.open and not again.needs_payment and again.attempts == 1
    journal.start_attempt("req-1", "p2", 1)
    journal.finish_attempt("p2", 8, pages_ok=True, pages_completed=1, reason="")
    journal.close()
    reopened = LicenceJournal(tmp_path / "j.sqlite3")        # durable across a restart
    final = reopened.entitlement("req-1")
    assert final.fulfilled and final.attempts == 2 and final.paid
    assert [a["state"] for a in reopened.last_attempts()] == ["printed", "failed"]
    with pytest.raises(ValueError):
        reopened.start_attempt("req-1", "p3", 1)
