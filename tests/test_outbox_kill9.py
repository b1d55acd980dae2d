"""kill -9 of a kiosk process at random moments during enqueue and during drain.

KILL_ROUNDS rounds (default 100, as in CI). Each round forks a kiosk process (outbox +
sync worker sending to the real reference platform on 127.0.0.1), lets it enqueue and/or
send, and SIGKILLs it after a random 5-250 ms. A last, unkilled process drains the rest.
Every application whose COMMIT returned (reported on the pipe right after enqueue())
must be at the platform; the platform counts the requests it received per Idempotency-Key,
and an application may arrive more than once only when a kill landed while it was being
sent (re-sent after recovery, answered as a replay). The kiosk's database must pass its
integrity check and hold no personal data in clear.
"""
from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox
from reference_platform.server import ReferencePlatformServer
from tests.test_platform_client import ID_NUMBER, KIOSK_ID

pytestmark = [pytest.mark.slow, pytest.mark.faults]

REPO_ROOT = Path(__file__).resolve().parents[1]
SIGNING_KEY = b"k" * 32
ROUNDS = int(os.environ.get("KILL_ROUNDS", "100"))


class Zygote:
    def __init__(self, tmp_path: Path, url: str):
        self.log_path = tmp_path / "kiosk.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "tests" / "kiosk_kill_child.py"), str(tmp_path / "outbox.sqlite3"),
             str(tmp_path / "device.key"), url, SIGNING_KEY.hex(), str(self.log_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        self.committed: list[str] = []
        self.recovered = 0

    def _line(self) -> list[str]:
        line = self.proc.stdout.readline()
        assert line, "zygote died"
        return line.decode().split()

    def run(self, command: str, kill_after_s: float | None, timeout_s: float = 60.0) -> int:
        """Start a kiosk; SIGKILL it after kill_after_s (None: let it finish). Returns its wait status."""
        self.proc.stdin.write((command + "\n").encode())
        self.proc.stdin.flush()
        words = self._line()
        assert words[0] == "child", words
        pid = int(words[1])
        if kill_after_s is not None:
            time.sleep(kill_after_s)
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout_s
        while True:
            assert time.monotonic() < deadline, "kiosk process did not finish"
            words = self._line()
            if words[0] == "committed":
                self.committed.append(words[1])
            elif words[0] == "recovered":
                self.recovered += int(words[1])
            elif words[0] == "exited" and int(words[1]) == pid:
                return int(words[2])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def test_kill9_during_enqueue_and_drain_delivers_every_committed_application_exactly_once(tmp_path):
    started = time.monotonic()
    rng = random.Random(int(os.environ.get("KILL_SEED", "20261123")))
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3", signature_keys={KIOSK_ID: SIGNING_KEY})
    url = server.start()
    zygote = Zygote(tmp_path, url)
    try:
        killed = 0
        for round_no in range(ROUNDS):
            command = "enqueue 3" if round_no % 2 == 0 else "drain"
            status = zygote.run(command, kill_after_s=rng.uniform(0.005, 0.25))
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
                killed += 1
        assert zygote.run("finish", kill_after_s=None) == 0
    finally:
        zygote.close()
        server.stop()
    elapsed = time.monotonic() - started

    assert killed >= ROUNDS * 0.9, f"only {killed} of {ROUNDS} kiosk processes were really killed"
    assert zygote.committed, "nothing was committed: the rounds were too short to test anything"
    assert zygote.recovered > 0, "no kill landed while a submission was being sent"

    server.store.open()
    try:
        rows = server.store.applications()
        keys = server.store.idempotency_records()
    finally:
        server.store.close()
    platform_ids = [row["application_id"] for row in rows]
    # Deliveries received at the platform, per Idempotency-Key (= submission id).
    deliveries = {key["idem_key"]: key["deliveries"] for key in keys if key["operation"] == "application"}
    assert set(deliveries) == set(platform_ids)
    resent = sum(count - 1 for count in deliveries.values())
    # A repeat is legitimate after a kill mid-send (the row is found `sending` and sent again) or after
    # an attempt that failed on the kiosk's side (e.g. a read timeout on a loaded machine) and was retried.
    retried = len(re.findall(r"attempt \d+ failed", zygote.log_path.read_text(errors="replace")))
    assert resent <= zygote.recovered + retried, (
        f"the platform received {resent} repeated deliveries but only {zygote.recovered} kills landed mid-send "
        f"and {retried} attempts were retried: the kiosk sends applications again that were already delivered")
    missing = set(zygote.committed) - set(platform_ids)
    assert not missing, f"{len(missing)} committed applications never reached the platform"

    outbox = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")
    try:
        assert outbox.alerts() == []
        delivered = {e.submission_id: e for e in outbox.entries(state="delivered", limit=100_000)}
        assert outbox.stats().pending == outbox.stats().sending == outbox.stats().dead == 0
        # Committed-but-unreported rows (killed between COMMIT and the pipe write) are delivered too,
        # and nothing reached the platform that the kiosk had not committed.
        assert set(platform_ids) == set(delivered)
        numbers = {row["application_id"]: row["application_number"] for row in rows}
        assert all(delivered[i].result["application_number"] == numbers[i] for i in platform_ids)
    finally:
        outbox.close()
    conn = sqlite3.connect(tmp_path / "outbox.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    for path in [tmp_path / "kiosk.log", *tmp_path.glob("outbox.sqlite3*")]:
        if path.is_file():
            assert ID_NUMBER.encode() not in path.read_bytes(), path
    print(f"kill -9: {ROUNDS} rounds, {killed} killed, {len(zygote.committed)} committed, "
          f"{len(platform_ids)} at the platform, {resent} re-sent, {zygote.recovered} killed mid-send, {retried} retried, "
          f"{elapsed:.1f} s")
