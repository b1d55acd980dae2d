"""Fixtures for tests through a real pcscd with the vpcd virtual reader.

`pcscd_daemon` starts pcscd itself (session-wide) with its own reader.conf.d
holding only the vpcd reader. It needs root (pcscd's socket lives in /run/pcscd);
CI runs as root. A pcscd that is already running is used as it is, if it offers
the vpcd reader. Otherwise the tests skip, saying why.

Import in a test module: `from tests.pcsc_fixtures import pcscd_daemon, virtual_card  # noqa: F401`
"""
from __future__ import annotations

import os
import time

import pytest

from devices.id_reader.pcsc import pcscd
from sim.id_reader.virtual_card.process import VirtualCardProcess

VPCD_PORT = 35963
READER = "Virtual PCD 00 00"        # slot 0 = VPCD_PORT


@pytest.fixture(scope="session")
def pcscd_daemon(tmp_path_factory):
    """A PcscDaemon (ours, restartable) or None when a foreign pcscd with vpcd is used."""
    pcscd.stop_leftover()          # one an earlier, killed test run left behind
    if pcscd.running_pid() is not None:
        if READER not in pcscd.list_readers():
            pytest.skip(f"a pcscd (pid {pcscd.running_pid()}) is running without the vpcd reader "
                        f"{READER!r}; stop it so the tests can start their own")
        yield None
        return
    if pcscd.pcscd_binary() is None and os.geteuid() != 0:
        pytest.skip("pcscd is not installed and we are not root to install it "
                    "(apt-get install pcscd vsmartcard-vpcd; CI runs as root)")
    if os.geteuid() != 0:
        pytest.skip("starting pcscd needs root (its socket lives in /run/pcscd); CI runs as root")
    log_path = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
    daemon = pcscd.PcscDaemon(vpcd_port=VPCD_PORT, log_path=log_path, apdu_log=True)
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def virtual_card(pcscd_daemon):
    """The virtual card process, no card inserted yet."""
    if pcscd_daemon is not None and not pcscd_daemon.running:
        pcscd_daemon.start()               # a previous test killed it
    process = VirtualCardProcess(VPCD_PORT)
    # A card the previous test left in the slot may still be seen by pcscd (it polls
    # vpcd): a reader opened now would report it, then its removal. Start empty.
    wait_for_empty_slot()
    yield process
    if process.running():
        try:
            process.remove()
        except Exception:
            pass                             # a test may have broken the link on purpose
    process.stop()
    wait_for_empty_slot()


def wait_for_empty_slot(timeout_s: float = 10.0) -> None:
    """Until pcscd sees no card in the vpcd reader (or it is not there at all)."""
    deadline = time.monotonic() + timeout_s
    while pcscd.card_present(READER):
        if time.monotonic() > deadline:
            raise AssertionError(f"pcscd still sees a card in {READER!r} after {timeout_s:g} s")
        time.sleep(0.05)
