"""Update test rig (tests/test_updates*.py, bench/update.py): stand-in bundles, a signed TUF repository
on a loopback HTTP server, a kiosk configuration pointing at it, and a systemd stand-in that starts
"the kiosk" the way kiosk.service does (ExecStartPre guard, then /opt/kiosk/current/kiosk).

A stand-in bundle is a folder like the PyInstaller one: a `kiosk` executable (a small Python
script with the real `diagnose --json` interface and the real beacon writer, kiosk/update_beacon.py)
and `_internal/` payload files of incompressible bytes (like the .so files that dominate the real
bundle). `behaviour.json` inside decides how this release behaves: diagnose healthy or not,
reaches its idle screen or crashes.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

STANDIN_KIOSK = """#!{python}
import json, sys, time, tomllib
from pathlib import Path
here = Path(__file__).resolve().parent
behaviour = json.loads((here / "behaviour.json").read_text())
sys.path.insert(0, behaviour["repo"])
args = sys.argv[1:]
if args and args[0] == "diagnose":
    ok = behaviour.get("diagnose_ok", True)
    online = not behaviour.get("offline", False)
    checks = [{{"name": "device.printer", "ok": ok, "summary": "stand-in"}},
              {{"name": "platform.tcp", "ok": online, "summary": "stand-in"}}]
    print(json.dumps({{"healthy": ok and online, "checks": checks}}))
    sys.exit(0 if ok and online else 1)
if behaviour.get("crash"):
    print("crashing on start", flush=True)
    sys.exit(3)
config = args[args.index("--config") + 1]
data_dir = Path(tomllib.loads(Path(config).read_text())["kiosk"]["data_dir"])
from kiosk.update_beacon import running_release, write_health_marker, write_idle_beacon
release = running_release(__file__)
if behaviour.get("reach_idle", True):
    now = time.time()
    write_idle_beacon(data_dir, "idle", release, since=now - 3600)
    write_health_marker(data_dir, release, now)
print("running " + release, flush=True)
"""


def make_bundle(path: Path, version: str, size_bytes: int = 2_000_000, *, change: int = 0, files: int = 8,
                **behaviour) -> Path:
    """A bundle folder. `change` > 0 alters that many bytes in one payload file and adds a small
    file (a typical release: most of the bundle identical, as between two builds of one code base)."""
    path.mkdir(parents=True, exist_ok=True)
    exe = path / "kiosk"
    exe.write_text(STANDIN_KIOSK.format(python=PYTHON))
    exe.chmod(0o755)
    (path / "behaviour.json").write_text(json.dumps({"repo": str(REPO), "version": version, **behaviour}))
    internal = path / "_internal"
    internal.mkdir(exist_ok=True)
    per_file = size_bytes // files
    for i in range(files):
        data = bytearray(random.Random(i).randbytes(per_file))
        if change and i == files // 2:
            rnd = random.Random(f"{version}-{i}")
            start = rnd.randrange(0, max(1, per_file - change))
            data[start:start + change] = rnd.randbytes(min(change, per_file))
        (internal / f"lib{i}.so").write_bytes(bytes(data))
    if change:
        (internal / f"new-in-{version}.txt").write_text(f"release {version}\n")
    return path


def write_config(path: Path, *, data_dir: Path, install_root: Path, state_dir: Path, url: str, root_json: Path,
                 kiosk_id: str = "KIOSK-TEST-0001", **update) -> Path:
    values = {"repository_url": url, "trusted_root": str(root_json), "install_root": str(install_root),
              "state_dir": str(state_dir), "min_idle_s": 0.0, "max_download_kib_s": 0.0,
              "free_space_margin_mb": 0.0, "self_check_deadline_s": 30.0, "max_trial_starts": 3,
              "restart_command": ["true"], **update}
    lines = ["[kiosk]", f'id = "{kiosk_id}"', f'data_dir = "{data_dir}"', "", "[update]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    data_dir.mkdir(parents=True, exist_ok=True)
    return path


def main_py(*args: str, env: dict | None = None, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(REPO / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, **kwargs)


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def start_kiosk(config: Path, install_root: Path) -> tuple[dict, subprocess.CompletedProcess]:
    """What systemd does for kiosk.service: ExecStartPre guard, then ExecStart of `current`."""
    guard = main_py("update-guard", "--on-start", "--config", str(config))
    assert guard.returncode == 0, guard.stderr
    run = subprocess.run([str(install_root / "current" / "kiosk"), "--config", str(config)],
                         capture_output=True, text=True, timeout=30)
    return last_json(guard.stdout), run
