"""Benchmark: signed OTA updates of a bundle-sized stand-in against a TUF repository on loopback.

    .venv/bin/python bench/update.py            (BENCH_UPDATE_MB=100 by default)

The bundle is a STAND-IN, not the PyInstaller build: a folder with the same interface
(`kiosk` executable with `diagnose --json`, tests/update_fixtures.py) and BENCH_UPDATE_MB of
incompressible payload in 8 files under _internal/ (like the .so files that make up most of the
real 100-250 MB bundle; incompressible = the worst case for the full download). A release changes
64 KiB in one file and adds one. Steps, each through the real release tooling (tufup, Ed25519
keys) and the real kiosk-side code (fetch_and_stage, UpdateGuard, the release's own executable):

1. full update 1.0.0 -> 2.0.0 (no archive of 1.0.0 on the kiosk: the whole archive), switch, confirm
2. patch update 2.0.0 -> 3.0.0 (tufup's bsdiff patch), switch, confirm
3. tampered target: 4.0.0's archive with one byte flipped on the server -> must be refused
4. 4.0.0 (genuine) fails its self-check (diagnose unhealthy) -> must be rolled back to 3.0.0
5. the remote-write outage (bench/remote_write.py, the telemetry part of issue 18)

With BENCH_UPDATE_BUNDLE=dist/kiosk (a PyInstaller build, `scripts/build.sh`), the real bundle is
also pushed through once before the stand-in run: a full update to a copy of it with one file
changed, and the self-check running the real release's `kiosk diagnose --json` (simulated devices,
no platform listening: expected `passed_offline`). Its figures are printed, not in the JSON line.

Last line: one JSON object with update_s (seconds of the full update: check, download, verify,
unpack, stage), patch_bytes and full_bytes (bytes downloaded for the patch update and for the full
archive), tamper_refused, rollback_ok, series_after_outage_ok.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from kiosk import update_release as rel  # noqa: E402
from kiosk.config import load_config_sections  # noqa: E402
from kiosk.update_client import fetch_and_stage  # noqa: E402
from kiosk.update_guard import UpdateGuard  # noqa: E402
from kiosk.update_layout import ReleaseLayout  # noqa: E402
from tests.update_fixtures import make_bundle, write_config  # noqa: E402


def real_bundle_run(bundle: Path) -> None:
    """The PyInstaller bundle itself: full update, real `diagnose` as the self-check."""
    import shutil
    with tempfile.TemporaryDirectory(prefix="bench-update-real-") as tmp_name:
        tmp = Path(tmp_name)
        root_json = rel.init(tmp / "ws")
        started = time.monotonic()
        rel.add(tmp / "ws", bundle, "1.0.0", 100.0)
        second = tmp / "b-1.0.1"
        shutil.copytree(bundle, second, symlinks=True)
        (second / "_internal" / "RELEASE").write_text("1.0.1\n")
        rel.add(tmp / "ws", second, "1.0.1", 100.0, skip_patch=True)
        rel.publish(tmp / "ws", tmp / "web")
        print(f"real bundle: two releases built and signed in {time.monotonic() - started:.1f} s", flush=True)
        server, url = rel.serve(tmp / "web")
        config_path = write_config(tmp / "kiosk" / "kiosk.toml", data_dir=tmp / "kiosk" / "data",
                                   install_root=tmp / "kiosk" / "opt", state_dir=tmp / "kiosk" / "state",
                                   url=url, root_json=root_json)
        text = config_path.read_text().replace("[kiosk]\n", "[kiosk]\ndemo = true\n", 1)
        # No platform listening (port 9) and the simulated camera without the sample photos (never bundled).
        config_path.write_text(text + '\n[platform]\nurl = "http://127.0.0.1:9"\n'
                               '\n[devices.camera]\nbackend = "sim"\nscenario = "no_face"\n')
        config = load_config_sections(config_path, ("kiosk", "update"))
        layout = ReleaseLayout(config.update.install_root, config.update.state_dir)
        layout.adopt("1.0.0", bundle)
        # The fetch as production runs it: the installed release's own executable (its bundled tufup).
        fetch = subprocess.run([str(layout.executable("1.0.0")), "update", "fetch", "--now", "--config",
                                str(config_path)], capture_output=True, text=True, timeout=600)
        result = json.loads(fetch.stdout.strip().splitlines()[-1]) if fetch.stdout.strip() else {"error": fetch.stderr}
        guard = UpdateGuard(layout, config.update, config.data_dir, config_path=str(config_path))
        outcome, why = guard.self_check("1.0.1") if result.get("result") == "staged" else ("not run", "")
        size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
        print(f"real bundle ({size / 2**20:.0f} MiB unpacked): full update by the bundle's own `kiosk update fetch`: "
              f"{result}; self-check of the real release: {outcome} ({why})", flush=True)
        server.shutdown()


def main() -> None:
    if os.environ.get("BENCH_UPDATE_BUNDLE"):
        real_bundle_run(Path(os.environ["BENCH_UPDATE_BUNDLE"]))
    size = int(float(os.environ.get("BENCH_UPDATE_MB", "100")) * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.monotonic()
        root_json = rel.init(tmp / "ws")

        def release(version: str, *, change: int = 65536, skip_patch: bool = False, **behaviour) -> Path:
            started = time.monotonic()
            bundle = make_bundle(tmp / f"b-{version}", version, size, change=change, **behaviour)
            rel.add(tmp / "ws", bundle, version, 100.0, skip_patch=skip_patch)
            rel.publish(tmp / "ws", tmp / "web")
            print(f"release {version} built and signed in {time.monotonic() - started:.1f} s", flush=True)
            return bundle

        release("1.0.0", change=0)
        server, url = rel.serve(tmp / "web")
        config_path = write_config(tmp / "kiosk" / "kiosk.toml", data_dir=tmp / "kiosk" / "data",
                                   install_root=tmp / "kiosk" / "opt", state_dir=tmp / "kiosk" / "state",
                                   url=url, root_json=root_json)
        config = load_config_sections(config_path, ("kiosk", "update"))
        layout = ReleaseLayout(config.update.install_root, config.update.state_dir)
        layout.adopt("1.0.0", tmp / "b-1.0.0")
        guard = UpdateGuard(layout, config.update, config.data_dir, config_path=str(config_path))

        def fetch() -> dict:
            return fetch_and_stage(layout, repository_url=url, trusted_root=str(root_json), kiosk_id=config.kiosk.id,
                                   free_space_margin_mb=0).to_dict()

        def start_kiosk() -> str:
            guard.on_start()
            run = subprocess.run([str(layout.root / "current" / "kiosk"), "--config", str(config_path)],
                                 capture_output=True, text=True, timeout=60)
            return run.stdout.strip()

        def switch_and_confirm(version: str) -> bool:
            start_kiosk()                          # the running kiosk reports idle
            switched = guard.step() == "switched"
            running = start_kiosk()
            return switched and running == f"running {version}" and guard.step() == "confirmed"

        # 1. full update
        release("2.0.0", skip_patch=True)
        full = fetch()
        full_ok = full["result"] == "staged" and not full["patch"] and switch_and_confirm("2.0.0")
        print(f"full update: {full}, switched and confirmed: {full_ok}", flush=True)

        # 2. patch update
        release("3.0.0")
        patch = fetch()
        patch_ok = patch["result"] == "staged" and patch["patch"] and switch_and_confirm("3.0.0")
        print(f"patch update: {patch}, switched and confirmed: {patch_ok}", flush=True)

        # 3. tampered target
        release("4.0.0", skip_patch=True, diagnose_ok=False)
        archive = tmp / "web" / "targets" / "kiosk-4.0.0.tar.gz"
        genuine = archive.read_bytes()
        with open(archive, "r+b") as handle:
            handle.seek(len(genuine) // 2)
            handle.write(bytes([genuine[len(genuine) // 2] ^ 0xFF]))
        tampered = fetch()
        tamper_refused = (tampered["result"] == "refused" and "LengthOrHashMismatch" in tampered["reason"]
                          and not layout.release_dir("4.0.0").exists())
        print(f"tampered target: {tampered['result']}: {tampered['reason'][:120]}", flush=True)
        archive.write_bytes(genuine)

        # 4. a release failing its self-check
        staged = fetch()
        start_kiosk()
        switched = guard.step() == "switched"
        running = start_kiosk()                   # ExecStartPre: diagnose fails -> rolled back before the start
        state = layout.load_state()
        rollback_ok = (staged["result"] == "staged" and switched and running == "running 3.0.0"
                       and layout.version_of("current") == "3.0.0" and "4.0.0" in state.get("refused", []))
        print(f"self-check failure: staged {staged['result']}, switched {switched}, then {running!r}, "
              f"last event {state.get('last_event')}", flush=True)
        server.shutdown()
        print(f"total {time.monotonic() - t0:.1f} s; stand-in bundle {size / 2**20:.0f} MiB incompressible",
              flush=True)

    # 5. remote-write outage: the telemetry engineer's bench/remote_write.py (wired at merge)
    try:
        from remote_write import measure_remote_write
    except ImportError:
        print("bench/remote_write.py is missing (telemetry part of issue 18): series_after_outage_ok = false")
        series_ok = False
    else:
        series_ok = bool(measure_remote_write())

    print(json.dumps({"update_s": full["seconds"] if full_ok else None,
                      "patch_bytes": patch["downloaded_bytes"] if patch_ok else None,
                      "full_bytes": full["downloaded_bytes"] if full_ok else None,
                      "tamper_refused": tamper_refused, "rollback_ok": rollback_ok,
                      "series_after_outage_ok": series_ok}))


if __name__ == "__main__":
    main()
