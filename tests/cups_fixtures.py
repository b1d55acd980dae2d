"""The session's real print path: one cupsd + ippeveprinter (sim/document_printer/cups_rig.py),
started once for every test that asks for `cups_rig`, faults reset before each use."""
from __future__ import annotations

import io

import pytest


@pytest.fixture(scope="session")
def cups_rig_session():
    from sim.document_printer.cups_rig import CupsRig, missing_commands
    missing = missing_commands()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/bootstrap.sh installs cups, cups-ipp-utils, poppler-utils)")
    rig = CupsRig.start()
    yield rig
    rig.close()


@pytest.fixture
def cups_rig(cups_rig_session):
    """The shared rig with no fault, cupsd and the printer running."""
    rig = cups_rig_session
    rig.set_fault("ok")
    rig.start_printer()
    rig.start_cupsd()
    yield rig
    rig.set_fault("ok")
    rig.start_printer()
    rig.start_cupsd()


def sample_pdf(pages: int, text: str = "page") -> bytes:
    """A plain test PDF of `pages` A4 pages (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.drawString(72, 760, f"{text} {i + 1}/{pages}")
        c.showPage()
    c.save()
    return buf.getvalue()
