"""The certificate screens in the real window, every language x care mode (the same checks as
tests/test_ux_screens.py: translations, touch targets, clipping, one primary action)."""
from __future__ import annotations

import pytest

from kiosk.core.session import State
from tests.test_ux_screens import walk_combinations
from tests.ux_helpers import click, make_kiosk, start_service, wait_state

pytestmark = pytest.mark.slow      # a whole-window walk (like tests/test_ux_screens.py)


@pytest.fixture
def cert_kiosk(qtbot, tmp_path, platform_server):
    anchor = tmp_path / "licence-root.pem"
    anchor.write_bytes(platform_server.licences.root_pem())
    platform_server.licences.warm_up(background=False)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, certificates={"trust_anchor": str(anchor)},
                       devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 0.05},
                                "camera": {"backend": "sim", "fps": 10}, "printer": {"backend": "sim"},
                                "document_printer": {"backend": "sim", "job_deadline_s": 0.5}})
    yield parts
    parts.close()


def test_certificate_screens_in_every_language_and_care_mode(qtbot, cert_kiosk):
    parts = cert_kiosk
    window, session = parts.window, parts.controller.session
    problems: list[str] = []
    start_service(qtbot, parts, "print-certificate")
    qtbot.waitUntil(lambda: session.state is State.CERT_LIST and bool(session.certificates.licences), timeout=15_000)
    walk_combinations(qtbot, parts, "cert_list", problems)
    click(qtbot, window, "licence-social_insurance_record")
    wait_state(qtbot, session, State.CERT_PREVIEW)
    qtbot.waitUntil(lambda: session.certificates.pages == 2, timeout=15_000)
    preview = window.screens[State.CERT_PREVIEW].preview
    qtbot.waitUntil(lambda: preview.pixmap() is not None and not preview.pixmap().isNull(), timeout=5000)
    walk_combinations(qtbot, parts, "cert_preview", problems)
    parts.controller.document_printer.transport.set_scenario("paper_out_mid_job")
    click(qtbot, window, "certPrint")
    wait_state(qtbot, session, State.CERT_DONE)
    assert window.screens[State.CERT_DONE].again_button.isVisible()
    walk_combinations(qtbot, parts, "cert_failed", problems)
    parts.controller.document_printer.transport.set_scenario("ok")
    click(qtbot, window, "certPrintAgain")
    qtbot.waitUntil(lambda: session.state is State.CERT_DONE and session.certificates.printed, timeout=10_000)
    walk_combinations(qtbot, parts, "cert_printed", problems)
    click(qtbot, window, "certDone")
    wait_state(qtbot, session, State.IDLE)
    assert preview.pixmap() is None or preview.pixmap().isNull()      # wiped with the session
    assert not problems, "\n".join(problems[:40])
