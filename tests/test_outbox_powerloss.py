"""Power loss: an application for which a receipt was allowed survives losing every unsynced write.

The kill -9 test cannot see `synchronous=NORMAL`: after a process crash the operating system
still writes the page cache out. A power cut does not. Here a child process enqueues
applications under an LD_PRELOAD shim (`tests/powerloss/fsync_shadow.c`) that copies each
file's content aside at every fsync; after SIGKILL the copies are the disk as it would be
after the power came back (only fsynced data). The outbox opened on that image must hold,
and decrypt, every application whose `enqueue()` had returned.

The second test is the control: with `synchronous=NORMAL` (or OFF) planted on the outbox's
connections the same image loses committed applications, so the first test can fail.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox

pytestmark = [pytest.mark.slow, pytest.mark.faults]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIM_SOURCE = REPO_ROOT / "tests" / "powerloss" / "fsync_shadow.c"
CHILD = REPO_ROOT / "tests" / "powerloss" / "outbox_child.py"
COUNT = 12


@pytest.fixture(scope="module")
def shim(tmp_path_factory) -> Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler (scripts/bootstrap.sh installs gcc)")
    library = tmp_path_factory.mktemp("shim") / "fsync_shadow.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(SHIM_SOURCE), "-ldl"],
                   check=True, capture_output=True)
    return library


def lose_power(shim: Path, tmp_path: Path, synchronous: str | None = None) -> tuple[list[str], Path]:
    """Run the child until it has committed COUNT applications, cut the power (SIGKILL), and
    return the committed ids and the directory holding only what was fsynced."""
    data, image = tmp_path / "data", tmp_path / "after-power-loss"
    data.mkdir()
    image.mkdir()
    env = {**os.environ, "LD_PRELOAD": str(shim), "POWERLOSS_WATCH": str(data), "POWERLOSS_SHADOW": str(image),
           "PYTHONPATH": str(REPO_ROOT)}
    args = [sys.executable, str(CHILD), str(data), str(COUNT)] + ([synchronous] if synchronous else [])
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
    committed = []
    try:
        for line in child.stdout:
            words = line.split()
            if words[0] == "committed":
                committed.append(words[1])
            elif words[0] == "done":
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert len(committed) == COUNT, "the child did not commit every application"
    assert (data / "outbox.sqlite3-wal").exists(), "nothing was left unsynced to lose: the test proves nothing"
    return committed, image


def surviving_applications(image: Path) -> dict[str, dict]:
    """Open the outbox on the after-power-loss image and decrypt every pending application."""
    if not (image / "device.key").exists():
        return {}
    outbox = Outbox(image / "outbox.sqlite3", image / "device.key", spool_threshold=4096)
    try:
        found = {}
        while (claimed := outbox.claim_next(now=float("inf"))) is not None:
            entry, body = claimed
            found[entry.submission_id] = body
        return found
    finally:
        outbox.close()


def test_committed_applications_survive_a_power_cut(shim, tmp_path):
    committed, image = lose_power(shim, tmp_path)
    found = surviving_applications(image)
    missing = [sid for sid in committed if sid not in found]
    assert not missing, f"{len(missing)} of {len(committed)} applications with a receipt lost in a power cut"
    for sid in committed:
        assert found[sid]["submission_id"] == sid


@pytest.mark.parametrize("weaker", ["NORMAL", "OFF"])
def test_the_power_cut_catches_a_weaker_synchronous_setting(shim, tmp_path, weaker):
    committed, image = lose_power(shim, tmp_path, synchronous=weaker)
    found = surviving_applications(image)
    assert [sid for sid in committed if sid not in found], \
        f"synchronous={weaker} lost nothing: the power-loss image does not model lost writes"
