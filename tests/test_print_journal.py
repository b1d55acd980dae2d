"""The receipt journal: encrypted at rest with the outbox's envelope, bounded, tamper-evident."""
from __future__ import annotations

import sqlite3

import pytest

from devices.printer.journal import ReceiptJournal
from kiosk.crypto import DecryptionError, load_or_create_device_key
from tests.test_devices_printer import APPLICATION_NUMBER, make_receipt


@pytest.fixture
def paths(tmp_path):
    return tmp_path / "receipts.sqlite3", tmp_path / "device.key"


def test_round_trip_keeps_every_field(paths):
    journal = ReceiptJournal(*paths)
    receipt = make_receipt(applicant_name_masked="\U00020BB7*", queued_offline=True)
    entry_id = journal.add(receipt)
    assert journal.receipt(entry_id) == receipt
    entry = journal.entries()[0]
    assert (entry.state, entry.application_number, entry.queued_offline) == ("queued", APPLICATION_NUMBER, True)
    journal.mark(entry_id, "failed", "paper_out")
    assert [(e.entry_id, e.reason) for e in journal.failed()] == [(entry_id, "paper_out")]


def test_nothing_readable_on_disk(paths):
    journal = ReceiptJournal(*paths)
    journal.add(make_receipt())
    journal.close()
    raw = b"".join(path.read_bytes() for path in paths[0].parent.glob("receipts.sqlite3*"))
    for secret in ("梁**", "4412**********0316", APPLICATION_NUMBER, "老年人优待证办理"):
        assert secret.encode() not in raw and secret.encode("utf-16-le") not in raw
    assert b"SM4-GCM" in raw          # the algorithm is recorded, so rows stay readable after a switch


def test_keeps_only_the_newest_n(paths):
    journal = ReceiptJournal(*paths, keep=3)
    ids = [journal.add(make_receipt(application_number=f"GD2026112300000{i}")) for i in range(5)]
    assert [e.entry_id for e in journal.entries()] == ids[:1:-1]     # newest first, 3 kept
    with pytest.raises(KeyError):
        journal.receipt(ids[0])
    with sqlite3.connect(paths[0]) as db:
        assert db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0] == 3


def test_rows_cannot_be_swapped_or_read_with_another_key(paths, tmp_path):
    journal = ReceiptJournal(*paths)
    first = journal.add(make_receipt(application_number="GD20261123000001"))
    second = journal.add(make_receipt(application_number="GD20261123000002"))
    journal.close()
    with sqlite3.connect(paths[0]) as db:   # move the second row's ciphertext into the first
        row = db.execute("SELECT alg, wrapped_dek, nonce, ciphertext FROM receipts WHERE entry_id = ?",
                         (second,)).fetchone()
        db.execute("UPDATE receipts SET alg = ?, wrapped_dek = ?, nonce = ?, ciphertext = ? WHERE entry_id = ?",
                   (*row, first))
    with pytest.raises(DecryptionError):
        ReceiptJournal(*paths).receipt(first)
    other_key = tmp_path / "other.key"
    load_or_create_device_key(other_key)
    with pytest.raises(DecryptionError):
        ReceiptJournal(paths[0], other_key).receipt(second)


@pytest.mark.slow
def test_technician_cli_lists_and_reprints_through_a_real_process(tmp_path):
    """The CLI in its own process: list (masked), reprint to the emulator, unknown id = exit 2."""
    import subprocess
    import sys
    from pathlib import Path

    from sim.printer.server import PrinterEmulator
    repo = Path(__file__).resolve().parents[1]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    journal = ReceiptJournal(data_dir / "receipts.sqlite3", data_dir / "device.key")
    entry_id = journal.add(make_receipt())
    journal.mark(entry_id, "failed", "paper_out")
    journal.close()
    with PrinterEmulator() as emulator:
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[kiosk]\ndata_dir = "{data_dir}"\ndemo = true\n\n[devices.printer]\nbackend = "network"\n'
                          f'host = "127.0.0.1"\nport = {emulator.port}\ntext_mode = "gb18030"\n')

        def cli(*args):
            return subprocess.run([sys.executable, "-m", "devices.printer.technician", "--config", str(config), *args],
                                  capture_output=True, text=True, timeout=60, cwd=repo,
                                  env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
        listed = cli("list")
        assert listed.returncode == 0, listed.stderr
        assert entry_id in listed.stdout and "failed (paper_out)" in listed.stdout and APPLICATION_NUMBER in listed.stdout
        assert "梁" not in listed.stdout and "4412" not in listed.stdout
        reprinted = cli("reprint", entry_id)
        assert reprinted.returncode == 0, reprinted.stdout + reprinted.stderr
        assert "补打 / REPRINT" in emulator.wait_for_jobs(1)[0].decode().lines
        assert cli("reprint", "nope").returncode == 2
    assert "reprints=1" in cli("list").stdout
