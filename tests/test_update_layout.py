"""The crash-safe A/B layout and state file (kiosk/update_layout.py), the kiosk's beacon (kiosk/update_beacon.py),
the updater's configuration sections and its line in `diagnose`."""
from __future__ import annotations

import pytest

from kiosk.update_layout import ReleaseLayout, read_json, write_json_atomic


def _release(layout: ReleaseLayout, version: str) -> None:
    folder = layout.releases / version
    folder.mkdir(parents=True)
    (folder / "kiosk").write_text("#!/bin/sh\n")
    (folder / "kiosk").chmod(0o755)


def test_layout_switches_links_atomically_and_cleans_leftovers(tmp_path):
    layout = ReleaseLayout(tmp_path / "opt", tmp_path / "state")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "kiosk").write_text("#!/bin/sh\n")
    (bundle / "kiosk").chmod(0o755)
    layout.adopt("1.0", bundle)
    assert layout.version_of("current") == layout.version_of("good") == "1.0"
    _release(layout, "2.0")
    layout.switch("previous", "1.0")
    layout.switch("current", "2.0")
    assert (layout.root / "current").is_symlink() and layout.version_of("current") == "2.0"
    assert (layout.root / "current" / "kiosk").is_file()
    (layout.releases / "2.1").mkdir()                     # incomplete: no executable
    with pytest.raises(FileNotFoundError):
        layout.switch("current", "2.1")
    (layout.releases / ".staging-3.0").mkdir()
    _release(layout, "0.9")
    removed = layout.remove_leftovers(keep=set())
    assert set(removed) == {".staging-3.0", "0.9", "2.1"}
    assert layout.installed_versions() == ["1.0", "2.0"]
    with pytest.raises(ValueError):
        layout.release_dir("../etc")


def test_state_file_is_replaced_whole(tmp_path):
    path = tmp_path / "state.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"a": 2})
    assert read_json(path) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    path.write_text("{torn")
    assert read_json(path) == {}


def test_beacon_tells_the_guard_idle_busy_and_the_first_idle_screen(tmp_path):
    from kiosk.update_beacon import HEALTH_FILE, IDLE_FILE, UpdateBeacon, read_beacon, running_release
    beacon = UpdateBeacon(tmp_path, release="2.0.0")
    beacon.observe("choose_service")
    beacon.observe("idle")
    beacon.observe("idle")                       # no change, no write
    beacon.observe("identify")
    beacon.stop()
    assert read_beacon(tmp_path / IDLE_FILE)["state"] == "busy"
    health = read_beacon(tmp_path / HEALTH_FILE)
    assert health["release"] == "2.0.0" and health["idle_at"] > 0
    release = tmp_path / "opt" / "releases" / "3.1.0"
    release.mkdir(parents=True)
    (release / "kiosk").write_text("")
    (tmp_path / "opt" / "current").symlink_to("releases/3.1.0")
    assert running_release(str(tmp_path / "opt" / "current" / "kiosk")) == "3.1.0"


def test_updater_reads_only_its_sections_of_the_configuration(tmp_path):
    from kiosk.config import ConfigError, load_config_sections
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nid = "K-1"\ndata_dir = "data"\n[devices.printer]\nbackend = "from-a-newer-release"\n'
                    '[update]\nrepository_url = "https://updates.example"\nmax_trial_starts = 5\n')
    config = load_config_sections(path, ("kiosk", "update"))
    assert config.kiosk.id == "K-1" and config.update.max_trial_starts == 5
    assert config.kiosk.data_dir == str(tmp_path / "data")
    path.write_text('[update]\nmax_trial_starts = "many"\n')
    with pytest.raises(ConfigError):
        load_config_sections(path, ("kiosk", "update"))


def test_diagnose_reports_updates_off_and_a_missing_layout(tmp_path):
    from kiosk.diagnostics import check_updates
    from kiosk.settings import UpdateSection
    off = check_updates(UpdateSection(install_root=str(tmp_path / "opt"), state_dir=str(tmp_path / "st")))
    assert off.ok and off.summary.startswith("updates off") and off.warning is None
    on = check_updates(UpdateSection(repository_url="https://u.example", install_root=str(tmp_path / "opt"),
                                     state_dir=str(tmp_path / "st")))
    assert on.ok and "no A/B layout" in on.warning
