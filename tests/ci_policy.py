"""Under CI (`CI=true`), a skipped test is a failed test.

Every skip in this suite means "a tool or a privilege the test needs is missing": pcscd and
the vpcd reader or root for the PC/SC tests, systemd-analyze and systemd-creds, promtool, a C
compiler, QtTextToSpeech. On a developer's machine that may be fine; in CI it would turn the
device tests into a green run that tested nothing. scripts/bootstrap.sh installs all of it (as
root) and fails loudly under CI when it cannot, and this hook makes sure nothing slips through.

Loaded from tests/conftest.py. An expected failure (xfail) is not a skip and stays as it is.
"""
from __future__ import annotations

import os

import pytest

CI_VALUES = ("true", "1", "yes")


def running_in_ci(environ=os.environ) -> bool:
    return environ.get("CI", "").strip().lower() in CI_VALUES


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and running_in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"skipped under CI=true, where every test must run: {reason} "
                           "(scripts/bootstrap.sh installs what the tests need, as root)")
