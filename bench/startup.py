"""Start-up time and GUI-thread responsiveness.

    .venv/bin/python bench/startup.py

* cold_start_s: a fresh process, from launch until the idle screen is shown
  and the event loop has turned once (median of 3; the reference platform runs
  in the parent so only the kiosk is timed).
* gui_stall_ms: the longest gap of a 10 ms QTimer heartbeat on the GUI thread
  while a whole simulated session runs through the real screens, face matching
  in the worker process.
* gui_stall_thread_baseline_ms: the same session with the very same face worker
  code run on a thread inside the GUI process instead (what "just use a
  QThread" would give: dlib holds the GIL while encoding).

Prints one JSON object as its last line.
"""
from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child_cold_start(platform_url: str, data_dir: str) -> None:
    """Runs in the timed child: build the kiosk, show it, report when idle is on screen."""
    from qt_setup import apply_qt_workarounds
    apply_qt_workarounds()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.app import build_kiosk
    from tests.conftest import kiosk_config
    app = QApplication([])
    parts = build_kiosk(kiosk_config(Path(data_dir), platform_url))
    parts.window.resize(1280, 800)
    parts.window.show()
    parts.controller.open()

    def ready():
        print("READY", flush=True)
        parts.close()
        app.quit()
    QTimer.singleShot(0, ready)
    app.exec()


def measure_cold_start(platform_url: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data_dir:
            started = time.perf_counter()
            process = subprocess.Popen([sys.executable, __file__, "--child", platform_url, data_dir],
                                       stdout=subprocess.PIPE, text=True, cwd=ROOT)
            for line in process.stdout:
                if line.strip() == "READY":
                    times.append(time.perf_counter() - started)
                    break
            process.wait(timeout=60)
    return statistics.median(times)


class _ThreadProcess(threading.Thread):
    """Quacks like multiprocessing.Process, but runs the worker on a thread (baseline only)."""

    exitcode = 0
    pid = None

    def terminate(self):
        pass

    kill = terminate


class _ThreadQueue(queue.Queue):
    def close(self):
        pass

    def join_thread(self):
        pass

    def cancel_join_thread(self):
        pass


class _ThreadContext:
    Queue = _ThreadQueue

    @staticmethod
    def Process(target, name, daemon, args):
        return _ThreadProcess(target=target, name=name, daemon=daemon, args=args)


def measure_session_stall(platform_url: str, in_thread: bool) -> float:
    """Longest GUI-thread heartbeat gap during one full autopilot session (ms)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.app import build_kiosk
    from kiosk.face_verification import FaceVerifier
    from kiosk.core.session import State
    from sim.demo.autopilot import Autopilot
    from tests.conftest import kiosk_config

    app = QApplication.instance() or QApplication([])
    verifier = FaceVerifier()
    if in_thread:
        verifier._context = _ThreadContext()
    with tempfile.TemporaryDirectory() as data_dir:
        parts = build_kiosk(kiosk_config(Path(data_dir), platform_url), face_verifier=verifier)
        parts.window.resize(1280, 800)
        parts.window.show()
        parts.controller.open()
        # Wait for models and the catalog first: start-up is measured separately.
        deadline = time.monotonic() + 60
        while not (parts.controller.view.face_models_ready and parts.controller.view.catalog_loaded):
            app.processEvents()
            time.sleep(0.01)
            if time.monotonic() > deadline:
                raise SystemExit("kiosk did not become ready")
        gaps = []
        last = [time.perf_counter()]

        def beat():
            now = time.perf_counter()
            if parts.controller.session.state is not State.IDLE or gaps:
                gap = now - last[0]
                gaps.append(gap)
                if os.environ.get("BENCH_DEBUG") and gap > 0.03:   # which screen stalls, when hunting
                    print(f"gap {gap * 1000:.0f} ms in {parts.controller.session.state.value}", file=sys.stderr)
            last[0] = now
        heartbeat = QTimer()
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(beat)
        heartbeat.start()
        pilot = Autopilot(parts, Path(data_dir) / "shots", language="zh_CN", take_screenshots=False)
        pilot.finished.connect(app.quit)
        pilot.run()
        app.exec()
        heartbeat.stop()
        parts.close()
        if not pilot.succeeded:
            raise SystemExit(f"session failed: {pilot.failure}")
    return max(gaps) * 1000.0


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child_cold_start(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--stall":
        print(json.dumps({"stall_ms": measure_session_stall(sys.argv[2], in_thread=False)}))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--stall-thread":
        print(json.dumps({"stall_ms": measure_session_stall(sys.argv[2], in_thread=True)}))
        return
    from reference_platform.server import ReferencePlatformServer
    with tempfile.TemporaryDirectory() as platform_dir:
        server = ReferencePlatformServer(Path(platform_dir) / "platform.sqlite3")
        url = server.start()
        try:
            cold = measure_cold_start(url)
            stalls = {}
            # Each variant in its own process so one cannot warm up the other.
            for mode in ("--stall", "--stall-thread"):
                out = subprocess.run([sys.executable, __file__, mode, url], capture_output=True, text=True,
                                     cwd=ROOT, timeout=300)
                if out.returncode != 0:
                    raise SystemExit(f"{mode} failed: {out.stderr[-2000:]}")
                stalls[mode] = json.loads(out.stdout.strip().splitlines()[-1])["stall_ms"]
        finally:
            server.stop()
    print(json.dumps({"cold_start_s": round(cold, 3),
                      "gui_stall_ms": round(stalls["--stall"], 1),
                      "gui_stall_thread_baseline_ms": round(stalls["--stall-thread"], 1)}))


if __name__ == "__main__":
    main()
