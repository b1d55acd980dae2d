"""Signed OTA updates end to end (docs/updates.md): a real TUF repository made by the release tooling
(tufup/python-tuf, Ed25519 keys), served by a loopback HTTP server; the kiosk side run as real
processes (`main.py update fetch`, `main.py update-guard`, the release's own `kiosk` executable)
on the A/B layout in tmp_path. Stand-in bundles: tests/update_fixtures.py."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kiosk import update_release as rel
from kiosk.config import load_config_sections
from kiosk.diagnostics import check_updates
from kiosk.core.update_policy import in_rollout
from kiosk.update_client import fetch_and_stage
from kiosk.update_guard import UpdateGuard
from kiosk.update_layout import ReleaseLayout
from tests.update_fixtures import PYTHON, REPO, last_json, main_py, make_bundle, start_kiosk, write_config

pytestmark = pytest.mark.slow


class Rig:
    """A release workspace, its web root on a loopback HTTP server, and one kiosk's A/B layout."""

    def __init__(self, tmp: Path, *, v1_size: int = 400_000, kiosk_id: str = "KIOSK-TEST-0001", **update):
        self.tmp = tmp
        self.ws = tmp / "ws"
        self.web = tmp / "web"
        self.root_json = rel.init(self.ws)
        self.size = v1_size
        self.add("1.0.0", change=0)
        self.server, self.url = rel.serve(self.web)
        self.kiosk = self.make_kiosk("k1", kiosk_id, **update)
        self.config, self.layout = self.kiosk

    def add(self, version: str, *, rollout: float = 100.0, change: int = 4000, **behaviour) -> Path:
        bundle = make_bundle(self.tmp / f"bundle-{version}", version, self.size, change=change, **behaviour)
        rel.add(self.ws, bundle, version, rollout)
        rel.publish(self.ws, self.web)
        return bundle

    def make_kiosk(self, name: str, kiosk_id: str, **update):
        base = self.tmp / name
        config = write_config(base / "kiosk.toml", data_dir=base / "data", install_root=base / "opt",
                              state_dir=base / "state", url=self.url, root_json=self.root_json,
                              kiosk_id=kiosk_id, **update)
        layout = ReleaseLayout(base / "opt", base / "state")
        layout.adopt("1.0.0", self.tmp / "bundle-1.0.0")
        return config, layout

    def fetch(self, config: Path | None = None, *, cli: bool = False) -> dict:
        """`main.py update fetch --now`, in this process (tufup imported once) unless cli=True."""
        if cli:
            result = main_py("update", "fetch", "--now", "--config", str(config or self.config))
            assert result.stdout.strip(), result.stderr
            return last_json(result.stdout)
        c = load_config_sections(config or self.config, ("kiosk", "update"))
        return fetch_and_stage(ReleaseLayout(c.update.install_root, c.update.state_dir),
                               repository_url=c.update.repository_url, trusted_root=c.update.trusted_root,
                               kiosk_id=c.kiosk.id, max_download_kib_s=c.update.max_download_kib_s,
                               free_space_margin_mb=c.update.free_space_margin_mb).to_dict()

    def guard_object(self) -> UpdateGuard:
        c = load_config_sections(self.config, ("kiosk", "update"))
        return UpdateGuard(self.layout, c.update, c.data_dir, config_path=str(self.config))

    def guard(self) -> str:
        """One `main.py update-guard` step (in this process; the CLI runs in the kill -9 tests)."""
        return self.guard_object().step()

    def start(self, *, cli: bool = False):
        """kiosk.service starting: ExecStartPre guard, then the `current` release's executable."""
        if cli:
            return start_kiosk(self.config, self.layout.root)
        guard = {"guard": self.guard_object().on_start()}
        run = subprocess.run([str(self.layout.root / "current" / "kiosk"), "--config", str(self.config)],
                             capture_output=True, text=True, timeout=30)
        return guard, run

    def close(self):
        self.server.shutdown()


@pytest.fixture
def rig(tmp_path):
    made = []

    def build(**kwargs) -> Rig:
        made.append(Rig(tmp_path, **kwargs))
        return made[-1]
    yield build
    for r in made:
        r.close()


def same_tree(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    return files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()) and all(
        (a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_full_then_patch_update_applied_switched_at_idle_and_confirmed(rig):
    r = rig()
    bundle2 = r.add("1.1.0")
    first = r.fetch(cli=True)
    assert first["result"] == "staged" and first["version"] == "1.1.0"
    assert first["patch"] is False            # no archive of 1.0.0 on the kiosk yet: the full archive
    assert r.layout.version_of("current") == "1.0.0"                 # staged, not switched
    assert same_tree(r.layout.release_dir("1.1.0"), bundle2)
    assert r.guard() == "staged, waiting for idle"                    # the kiosk never said it was idle
    hour = time.localtime().tm_hour
    closed = write_config(r.tmp / "window.toml", data_dir=r.tmp / "k1" / "data", install_root=r.layout.root,
                          state_dir=r.layout.state_dir, url=r.url, root_json=r.root_json,
                          switch_window=f"{(hour + 1) % 24}-{(hour + 2) % 24}")   # opening hours now
    outside = main_py("update-guard", "--config", str(closed))
    assert last_json(outside.stdout) == {"guard": "staged, waiting for the switch window"}, outside.stderr
    bad = main_py("update-guard", "--config", str(write_config(
        r.tmp / "bad.toml", data_dir=r.tmp / "k1" / "data", install_root=r.layout.root, state_dir=r.layout.state_dir,
        url=r.url, root_json=r.root_json, switch_window="after lunch")))
    assert bad.returncode == 2 and "update.switch_window" in bad.stderr
    guard, run = r.start(cli=True)
    assert guard == {"guard": "no trial"} and run.stdout.strip() == "running 1.0.0"
    assert r.guard() == "switched"
    assert r.layout.version_of("current") == "1.1.0" and r.layout.version_of("previous") == "1.0.0"
    guard, run = r.start()
    assert guard == {"guard": "wait"} and run.stdout.strip() == "running 1.1.0"
    assert r.guard() == "confirmed"
    assert r.layout.version_of("good") == "1.1.0"

    bundle3 = r.add("1.2.0", change=6000)
    full = (r.web / "targets" / "kiosk-1.2.0.tar.gz").stat().st_size
    second = r.fetch()
    assert second["result"] == "staged" and second["patch"] is True
    assert second["downloaded_bytes"] < full / 10, (second, full)
    assert same_tree(r.layout.release_dir("1.2.0"), bundle3)

    # The kiosk's copy of the installed archive rotted: the patch cannot rebuild 1.3.0 (hash signed
    # with the patch) -> the full archive instead, in the same check.
    r.guard()
    r.start()
    assert r.guard() == "confirmed" and r.layout.version_of("current") == "1.2.0"
    cached = r.layout.state_dir / "targets" / "kiosk-1.2.0.tar.gz"
    shutil.copyfile(r.web / "targets" / "kiosk-1.0.0.tar.gz", cached)
    bundle4 = r.add("1.3.0")
    third = r.fetch()
    assert third["result"] == "staged" and third["patch"] is False, third
    assert same_tree(r.layout.release_dir("1.3.0"), bundle4)


def test_tampered_metadata_and_tampered_target_are_refused(rig):
    r = rig()
    r.add("1.1.0")
    targets = r.web / "metadata" / "targets.json"
    meta = json.loads(targets.read_text())
    meta["signed"]["targets"]["kiosk-1.1.0.tar.gz"]["custom"]["user"]["rollout_basis_points"] = 10000
    meta["signed"]["expires"] = "2099-01-01T00:00:00Z"                 # changed without the targets key
    targets.write_text(json.dumps(meta))
    result = r.fetch()
    assert result["result"] == "refused" and "UnsignedMetadataError" in result["reason"], result
    assert not r.layout.release_dir("1.1.0").exists()

    shutil.copyfile(r.ws / "repository" / "metadata" / "targets.json", targets)
    archive = r.web / "targets" / "kiosk-1.1.0.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF                                      # same length, one byte changed
    archive.write_bytes(bytes(data))
    result = r.fetch()
    assert result["result"] == "refused" and "LengthOrHashMismatchError" in result["reason"], result
    assert not r.layout.release_dir("1.1.0").exists() and r.layout.version_of("current") == "1.0.0"
    assert not list((r.layout.state_dir / "targets").glob("kiosk-1.1.0*"))


def test_signed_archive_with_paths_outside_its_folder_is_not_unpacked(rig):
    """A compromised build with a valid signature: tarfile's data filter still keeps it in its folder."""
    import io
    import tarfile
    r = rig()
    r.add("1.1.0")
    evil = r.ws / "repository" / "targets" / "kiosk-1.1.0.tar.gz"
    escape = r.tmp / "escaped.txt"
    with tarfile.open(evil, "w:gz") as tar:
        for name, data in (("./kiosk", b"#!/bin/sh\n"), (f"../../../../../../..{escape}", b"owned")):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    repo = rel.open_repository(r.ws)
    repo._load_keys_and_roles()
    custom = repo.roles.targets.signed.targets["kiosk-1.1.0.tar.gz"].unrecognized_fields["custom"]
    repo.roles.add_or_update_target(evil, custom=custom)               # re-signed with the real targets key
    repo.publish_changes(private_key_dirs=[r.ws / "keys"])
    rel.publish(r.ws, r.web)
    result = r.fetch()
    assert result["result"] == "failed" and "OutsideDestinationError" in result["reason"], result
    assert not escape.exists() and r.layout.version_of("current") == "1.0.0"
    assert not r.layout.release_dir("1.1.0").exists() and not list(r.layout.releases.glob(".staging-*"))


def test_expired_and_rolled_back_metadata_are_refused(rig):
    r = rig()
    assert r.fetch()["result"] == "up_to_date"                       # the kiosk trusts timestamp v1 now
    old_metadata = r.tmp / "old-metadata"
    shutil.copytree(r.web / "metadata", old_metadata)
    rel.refresh(r.ws)
    rel.publish(r.ws, r.web)
    assert r.fetch()["result"] == "up_to_date"                       # ... and timestamp v2
    for path in old_metadata.iterdir():                              # a mirror replays old metadata
        shutil.copyfile(path, r.web / "metadata" / path.name)
    result = r.fetch()
    assert result["result"] == "refused" and "BadVersionNumberError" in result["reason"], result

    rel.refresh(r.ws, days={"snapshot": 7, "timestamp": -1})        # the online job stopped: expired
    rel.publish(r.ws, r.web)
    result = r.fetch()
    assert result["result"] == "refused" and "ExpiredMetadataError" in result["reason"], result

    r.server.shutdown()                                               # the update server is unreachable
    r.server.server_close()
    result = r.fetch()
    assert result["result"] == "failed" and result["reason"].startswith("download"), result
    assert r.layout.version_of("current") == "1.0.0"


def test_rotated_targets_key_is_accepted_through_the_root_chain(rig):
    r = rig()
    assert r.fetch()["result"] == "up_to_date"                       # the kiosk trusts root v1
    rotated = main_py("release", "rotate-key", str(r.ws), "targets", "targets2")
    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["metadata_versions"]["root"] == 2
    (r.ws / "keys" / "targets").unlink()                              # the old targets key is gone
    r.add("1.1.0")                                                    # signed with the new targets key only
    assert r.fetch()["result"] == "staged"                            # root 1 -> 2 verified, new key trusted
    assert (r.layout.state_dir / "metadata" / "root.json").read_text().count('"version": 2') == 1


def test_release_failing_its_self_check_is_rolled_back_and_not_retried(rig):
    r = rig()
    (r.layout.state_dir / "targets").mkdir(parents=True)         # the installed release's archive, as provisioned
    shutil.copyfile(r.web / "targets" / "kiosk-1.0.0.tar.gz", r.layout.state_dir / "targets" / "kiosk-1.0.0.tar.gz")
    r.add("1.1.0", diagnose_ok=False)
    assert r.fetch()["patch"] is True
    r.start()
    assert r.guard() == "switched"
    guard, run = r.start()                                            # ExecStartPre: diagnose fails
    assert guard == {"guard": "rolled back"} and run.stdout.strip() == "running 1.0.0"
    state = r.layout.load_state()
    assert r.layout.version_of("current") == "1.0.0" and state["refused"] == ["1.1.0"]
    assert state["last_event"]["event"] == "rolled_back" and "self-check" in state["last_event"]["reason"]
    check = check_updates(load_config_sections(r.config, ("kiosk", "update")).update)   # what `diagnose` shows
    assert check.ok and check.summary.startswith("release 1.0.0 (good 1.0.0)")
    assert "release 1.1.0 was rolled back: self-check (diagnose) failed" in check.warning
    assert r.fetch()["result"] == "up_to_date"                       # the refused version is not fetched again

    r.add("1.2.0", offline=True)                  # healthy, but the platform is unreachable during the trial
    fetched = r.fetch()
    assert fetched["result"] == "staged" and fetched["version"] == "1.2.0"
    assert fetched["patch"] is True               # patches 1.0.0 -> 1.1.0 (refused here) -> 1.2.0 chained
    assert r.guard() == "switched"
    guard, run = r.start()
    assert guard == {"guard": "wait"} and run.stdout.strip() == "running 1.2.0"
    assert r.layout.load_state()["trial"]["self_check"] == "passed_offline"
    assert r.guard() == "confirmed"                                   # a 4G outage does not roll it back


def test_release_that_never_reaches_idle_or_cannot_start_is_rolled_back_by_itself(rig, tmp_path):
    restarted = tmp_path / "restarted"
    r = rig(self_check_deadline_s=4.0, max_trial_starts=2, restart_command=["touch", str(restarted)])
    r.add("1.1.0", reach_idle=False)                                  # starts, but no idle screen
    assert r.fetch()["result"] == "staged"
    r.start()
    assert r.guard() == "switched" and restarted.exists()
    restarted.unlink()
    guard, run = r.start()
    assert guard == {"guard": "wait"} and run.stdout.strip() == "running 1.1.0"
    assert r.guard() == "on trial"
    time.sleep(max(0.0, r.layout.load_state()["trial"]["started_at"] + 4.1 - time.time()))
    assert r.guard() == "rolled back" and restarted.exists()         # the deadline passed: back, restarted
    assert r.layout.version_of("current") == "1.0.0"

    r.add("1.2.0", crash=True)                                        # exits at once, every start
    assert r.fetch()["result"] == "staged"
    r.start()
    assert r.guard() == "switched"
    outcomes = [r.start()[0]["guard"] for _ in range(3)]
    assert outcomes == ["wait", "wait", "rolled back"]                # crash loop: third start rolls back
    assert r.layout.version_of("current") == "1.0.0"
    assert r.start()[1].stdout.strip() == "running 1.0.0"

    bundle = r.add("1.3.0")
    assert r.fetch()["result"] == "staged"
    (r.layout.release_dir("1.3.0") / "kiosk").write_bytes(b"\x7fELF garbage")   # cannot even be executed
    r.start()
    assert r.guard() == "switched"
    guard, run = r.start()
    assert guard == {"guard": "rolled back"} and run.stdout.strip() == "running 1.0.0"
    assert "did not run" in r.layout.load_state()["history"][-2]["detail"] and bundle.exists()


@pytest.mark.faults
def test_kill9_during_download_leaves_the_running_release(rig, tmp_path):
    r = rig(v1_size=1_500_000, max_download_kib_s=200.0)
    r.add("1.1.0")
    child = subprocess.Popen([PYTHON, str(REPO / "main.py"), "update", "fetch", "--now", "--progress",
                              "--config", str(r.config)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = []
    try:
        for line in child.stdout:
            seen.append((time.monotonic(), json.loads(line).get("progress", 0)))
            if seen[-1][1] > 300_000:                                  # the archive is coming in
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    (t0, b0), (t1, b1) = seen[0], seen[-1]
    assert (b1 - b0) / (t1 - t0) < 200 * 1024 * 1.25                 # the bandwidth cap holds
    assert r.layout.version_of("current") == "1.0.0" and r.layout.is_runnable("1.0.0")
    assert not r.layout.release_dir("1.1.0").exists() and not r.layout.load_state().get("staged")
    guard, run = r.start()
    assert run.stdout.strip() == "running 1.0.0"
    fast = write_config(tmp_path / "fast.toml", data_dir=tmp_path / "k1" / "data", install_root=r.layout.root,
                        state_dir=r.layout.state_dir, url=r.url, root_json=r.root_json)
    assert r.fetch(fast, cli=True)["result"] == "staged"                    # the next attempt completes
    assert not list(r.layout.releases.glob(".staging-*"))


@pytest.mark.faults
def test_kill9_during_the_switch_leaves_a_runnable_release(rig):
    r = rig()
    r.start()
    for point, old, new in (("after_trial_recorded", "1.0.0", "1.1.0"), ("after_previous_link", "1.1.0", "1.2.0")):
        r.add(new)
        assert r.fetch()["result"] == "staged"
        child = subprocess.Popen([PYTHON, str(REPO / "main.py"), "update-guard", "--config", str(r.config)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 env={**os.environ, "KIOSK_UPDATE_TEST_PAUSE_AT": point})
        try:
            assert child.stdout.readline().strip() == f"paused at {point}"
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
        assert r.layout.version_of("current") == old and r.layout.is_runnable(old), point
        guard, run = r.start()                                        # systemd restarts the kiosk
        assert run.stdout.strip() == f"running {old}" and guard == {"guard": "no trial"}, point
        assert r.layout.load_state()["history"][-1]["event"] == "switch_cancelled"
        assert r.guard() == "switched"                                # tried again at the next idle moment
        guard, run = r.start()
        assert run.stdout.strip() == f"running {new}"
        assert r.guard() == "confirmed"


@pytest.mark.faults
def test_disk_full_during_download_is_reported_and_cleaned_up(rig, tmp_path):
    r = rig(v1_size=2_000_000)
    r.add("1.1.0")
    child = subprocess.run([PYTHON, str(REPO / "tests" / "update_diskfull_child.py"), str(r.config), "500000"],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    result = last_json(child.stdout)
    assert result["result"] == "disk_full" and "File too large" in result["reason"], result
    assert r.layout.version_of("current") == "1.0.0" and r.layout.is_runnable("1.0.0")
    assert not r.layout.release_dir("1.1.0").exists() and not list(r.layout.releases.glob(".staging-*"))
    assert not (r.layout.state_dir / "tmp").exists()
    assert r.layout.load_state()["last_check"]["result"] == "disk_full"
    # Checked before downloading: no room for archive + unpacked release + margin.
    roomy = write_config(tmp_path / "margin.toml", data_dir=tmp_path / "k1" / "data", install_root=r.layout.root,
                         state_dir=r.layout.state_dir, url=r.url, root_json=r.root_json,
                         free_space_margin_mb=10.0 ** 9)
    result = r.fetch(roomy)
    assert result["result"] == "disk_full" and "needs" in result["reason"] and result["downloaded_bytes"] < 10_000
    assert r.fetch()["result"] == "staged"                            # space again: it completes


def test_canary_share_from_signed_metadata_is_respected(rig):
    ids = [f"KIOSK-SZ-{n:04d}" for n in range(400)]
    canary = next(i for i in ids if in_rollout(i, 10))
    other = next(i for i in ids if not in_rollout(i, 10))
    r = rig(kiosk_id=canary)
    other_config, other_layout = r.make_kiosk("k2", other)
    r.add("1.1.0", rollout=10.0)
    assert r.fetch()["result"] == "staged"
    assert r.fetch(other_config)["result"] == "up_to_date" and not other_layout.release_dir("1.1.0").exists()
    widened = main_py("release", "rollout", str(r.ws), "1.1.0", "100")
    assert widened.returncode == 0, widened.stderr
    assert json.loads(widened.stdout)["targets"]["kiosk-1.1.0.tar.gz"]["custom"]["rollout_basis_points"] == 10000
    rel.publish(r.ws, r.web)
    assert r.fetch(other_config)["result"] == "staged"
    stopped = main_py("release", "rollout", str(r.ws), "1.1.0", "0")
    assert stopped.returncode == 0
    rel.publish(r.ws, r.web)
    third_config, third_layout = r.make_kiosk("k3", canary)
    assert r.fetch(third_config)["result"] == "up_to_date"           # 0 % stops it everywhere


def test_guard_watch_fetches_when_idle_switches_and_confirms(rig):
    """kiosk-update-guard.service's loop: `update fetch` child when idle and due, switch, confirm."""
    import threading

    from kiosk.update_guard import fetch_command
    r = rig()
    r.add("1.1.0")
    r.start()                                                         # the kiosk is on its idle screen
    outcome = []
    watcher = threading.Thread(target=lambda: outcome.append(
        r.guard_object().watch(0.1, fetch_command(str(r.config)), stop_after=40)))
    watcher.start()
    deadline = time.monotonic() + 30
    while r.layout.version_of("current") != "1.1.0" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert r.layout.version_of("current") == "1.1.0"                # fetched by the child, switched at idle
    assert r.start()[1].stdout.strip() == "running 1.1.0"           # systemd's restart of the kiosk
    watcher.join(timeout=30)
    assert outcome == ["confirmed"] and r.layout.version_of("good") == "1.1.0"
