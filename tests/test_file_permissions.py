"""The data directory, databases, keys and log are the kiosk user's alone (0700 / 0600), whatever the umask.

Before, they were created 0755/0644 under the usual umask 022: any local account could read
the outbox's metadata, the receipt journal and the log. Checked with os.stat on what a real
kiosk build creates, under umask 022, and on files left 0644 by an older version.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import build_kiosk
from kiosk.logging_setup import configure_logging
from kiosk.technician_pin import PinGuard, hash_pin, lockout_state_path
from tests.conftest import kiosk_config

REPO = Path(__file__).resolve().parents[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.slow
def test_a_kiosk_creates_its_data_dir_databases_keys_and_log_private(tmp_path, umask_022):
    config = kiosk_config(tmp_path, "http://127.0.0.1:9")
    log_file = config.data_dir / "kiosk.log"
    configure_logging("INFO", log_file, stream=None)
    parts = build_kiosk(config, with_window=False)
    try:
        parts.outbox.stats()          # a connection of this thread: -wal and -shm exist
        PinGuard(hash_pin("246813"), lockout_state_path(config.data_dir)).attempt("000000")
        import logging
        logging.getLogger("kiosk.test").warning("a line in the log")
    finally:
        parts.close()
        configure_logging("INFO", None, stream=None)
    assert mode(config.data_dir) == 0o700
    files = [config.outbox_path, config.data_dir / "outbox.sqlite3-wal", config.data_dir / "outbox.sqlite3-shm",
             config.data_dir / "receipts.sqlite3", config.device_key_path, config.signing_key_path,
             log_file, lockout_state_path(config.data_dir)]
    for path in files:
        assert path.exists(), path
    assert {path.name: oct(mode(path)) for path in files} == {path.name: "0o600" for path in files}


def test_files_an_older_version_left_readable_are_tightened(tmp_path, umask_022):
    config = kiosk_config(tmp_path, "http://127.0.0.1:9")
    config.data_dir.mkdir(mode=0o755)
    os.chmod(config.data_dir, 0o755)
    first = build_kiosk(config, with_window=False)
    first.outbox.stats()
    first.close()
    for path in (config.outbox_path, config.data_dir / "receipts.sqlite3"):
        os.chmod(path, 0o644)
    os.chmod(config.data_dir, 0o755)
    again = build_kiosk(config, with_window=False)
    again.close()
    assert mode(config.data_dir) == 0o700
    assert mode(config.outbox_path) == 0o600 and mode(config.data_dir / "receipts.sqlite3") == 0o600


def test_main_restricts_the_umask_before_anything_is_created(tmp_path):
    # set-pin with two different PINs: main() returns 2, after setting the umask.
    code = ("import os, sys, main; os.umask(0o022); rc = main.main(['set-pin']); "
            "print(oct(os.umask(0)), rc)")
    result = subprocess.run([sys.executable, "-c", code], input="135790\n135791\n", capture_output=True,
                            text=True, cwd=REPO, timeout=60)
    assert result.stdout.split()[-2:] == ["0o77", "2"], result.stdout + result.stderr


def test_a_shared_directory_is_never_tightened(tmp_path, umask_022):
    from kiosk.private_files import create_private_file, make_private_dir
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)                  # like /tmp: a log file there must not lock others out
    create_private_file(shared / "kiosk.log")
    make_private_dir(shared)
    assert mode(shared) == 0o1777 and mode(shared / "kiosk.log") == 0o600
