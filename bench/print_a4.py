"""Electronic licences on A4: a mixed run of good and bad documents through a real cupsd.

    .venv/bin/python bench/print_a4.py

Starts a private cupsd + virtual IPP Everywhere printer (sim/document_printer/cups_rig.py), makes
the reference platform's signed sample licences for three holders (reference_platform/licences.py)
and feeds the kiosk's own pipeline, one document per job, the session being holder A's:

  good           A's licences (3 types, 1-2 pages), in rounds            -> verify, stamp, print, follow
  wrong holder   B's and C's licences (valid, signed)                     -> must be refused
  tampered       A's licence with one byte of the signed content changed,
                 or with an incremental update appended after signing    -> must be refused
  unknown signer A's licence re-signed by a key outside the trust anchor  -> must be refused
  revoked        A's licence with the platform's revoked flag             -> must be refused
  malformed      truncated / not a PDF                                    -> must be refused

Verification is kiosk/licence_verify.py (pyhanko, PAdES, holder and status rules in
kiosk/core/licence.py), the stamp kiosk/licence_stamp.py, the print path
devices/document_printer (pycups streaming to cupsd, job followed until its pages are counted).
A refused document never reaches cupsd; the *_printed counters count documents of the bad
kinds that cupsd reported completed (they must be 0). Last line: one JSON object.
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.document_printer.cups import CupsTransport  # noqa: E402
from devices.document_printer.jobs import follow_job  # noqa: E402
from kiosk.core.licence import LicenceRefused, job_title  # noqa: E402
from kiosk.licence_stamp import stamp_for_print  # noqa: E402
from kiosk.licence_verify import load_trust_anchors, verify_licence  # noqa: E402
from reference_platform.licences import (Holder, LicenceStore, make_signer, sign_pdf,  # noqa: E402
                                         sample_pki)
from sim.document_printer.cups_rig import CupsRig  # noqa: E402

ROUNDS = 4             # good jobs = ROUNDS x 3 licence types
HOLDERS = [Holder("441202194403150316", "梁国栋"), Holder("440106199107080217", "陈志明"),
           Holder("110101199003070419", "王小明")]


def foreign_signed(pdf_unsigned_source: bytes) -> bytes:
    """The same document signed by a PKI the kiosk does not trust (made for another day)."""
    root, cert, key = sample_pki(dt.date(2000, 1, 1))
    return sign_pdf(pdf_unsigned_source, make_signer(cert, key, root))


def tamper_content(pdf: bytes) -> bytes:
    index = pdf.find(b"GovIssueDate")
    return pdf[:index] + b"GovIssueDatf" + pdf[index + 12:]


def appended_update(pdf: bytes) -> bytes:
    from kiosk.licence_stamp import stamp_for_print as add_update
    return add_update(pdf, 1, "http://attacker.invalid/", "X", "now")


def main() -> int:
    import logging
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)   # refused documents log their diffs: expected here
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    today = dt.date.today()
    store = LicenceStore(HOLDERS, today=today)
    anchor_path = Path("/tmp") / f"print_a4_anchor_{time.time_ns()}.pem"
    anchor_path.write_bytes(store.root_pem())
    anchors = load_trust_anchors(anchor_path)
    anchor_path.unlink()
    mine = store.for_holder(HOLDERS[0].id_number)
    others = store.for_holder(HOLDERS[1].id_number) + store.for_holder(HOLDERS[2].id_number)
    from reference_platform.licences import render_licence_pdf
    unsigned_mine = render_licence_pdf(mine[0])

    cases: list[tuple[str, bytes, bool]] = []       # (kind, pdf, revoked)
    for _ in range(ROUNDS):
        cases += [("good", lic.pdf, False) for lic in mine]
    cases += [("wrong_holder", lic.pdf, False) for lic in others[:4]]
    cases += [("tampered", tamper_content(mine[0].pdf), False), ("tampered", tamper_content(mine[1].pdf), False),
              ("tampered", appended_update(mine[2].pdf), False)]
    cases += [("unknown_signer", foreign_signed(unsigned_mine), False)]
    cases += [("revoked", mine[1].pdf, True)]
    cases += [("malformed", mine[0].pdf[: len(mine[0].pdf) // 2], False), ("malformed", b"not a pdf", False),
              ("unsigned", unsigned_mine, False)]

    rig = CupsRig.start()
    try:
        transport = CupsTransport(rig.server, rig.queue, job_deadline_s=30.0, poll_interval_s=0.05)
        transport.configure_queue("abort-job")
        verify_ms, done_ms = [], []
        counts = {"jobs": 0, "good_jobs": 0, "pages_ok": 0, "wrong_holder_printed": 0, "tampered_printed": 0}
        refused: dict[str, int] = {}
        for index, (kind, pdf, revoked) in enumerate(cases):
            t0 = time.perf_counter()
            try:
                verified = verify_licence(pdf, anchors, HOLDERS[0].id_number, revoked=revoked, today=today)
            except LicenceRefused as exc:
                if kind != "good":
                    verify_ms.append((time.perf_counter() - t0) * 1000)
                refused[f"{kind}->{exc.code}"] = refused.get(f"{kind}->{exc.code}", 0) + 1
                continue
            verify_ms.append((time.perf_counter() - t0) * 1000)
            stamped = stamp_for_print(pdf, verified.pages, f"http://127.0.0.1:8700/verify/bench{index:04d}",
                                      "BENCH-KIOSK", dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
            t1 = time.perf_counter()
            job_id = transport.submit(job_title(f"bench-{index:04d}"), stamped)
            outcome = follow_job(transport, job_id, verified.pages, transport.job_deadline_s, poll_s=transport.poll_s)
            done_ms.append((time.perf_counter() - t1) * 1000)
            counts["jobs"] += 1
            printed = outcome.state == "completed" and outcome.pages_completed > 0
            if kind == "good":
                counts["good_jobs"] += 1
                counts["pages_ok"] += int(outcome.ok)
            elif kind == "wrong_holder" and printed:
                counts["wrong_holder_printed"] += 1
            elif kind in ("tampered", "unknown_signer", "malformed", "unsigned", "revoked") and printed:
                counts["tampered_printed"] += 1
        counts["jobs"] = len(cases)   # every document handled, printed or refused
        print(f"cases {len(cases)}; refused {json.dumps(refused)}; spool left {len(rig.spooled_documents())}",
              file=sys.stderr)
    finally:
        rig.close()
    result = {**counts,
              "verify_ms": round(statistics.median(verify_ms), 1),
              "submit_to_done_ms": round(statistics.median(done_ms), 1) if done_ms else None}
    result = {k: result[k] for k in ("jobs", "good_jobs", "pages_ok", "verify_ms", "submit_to_done_ms",
                                     "wrong_holder_printed", "tampered_printed")}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
