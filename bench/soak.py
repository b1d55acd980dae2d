"""Soak: simulated citizen sessions back to back through the real screens (offscreen).

    .venv/bin/python bench/soak.py                  # 8-minute budget (the default run)
    .venv/bin/python bench/soak.py --sessions 1000  # a fixed count, for a longer soak
    .venv/bin/python bench/soak.py --minutes 1      # quick look during development

One kiosk is built once (simulated reader, camera and printer, the real outbox file,
face matching in the worker process with the real dlib models, the reference platform
in its own process over HTTP on 127.0.0.1) and sim/demo/autopilot.py drives one session after another:
choose service, card, face, form, confirm, submit, receipt, rating, back to idle.

Measured after WARMUP_SESSIONS (first-use caches, fonts, models are not leaks):
RSS of the kiosk process, open file descriptors, OS threads, live Qt widgets and
QObjects under the window, and the longest gap of a 10 ms GUI-thread timer.
RSS growth is scaled to 1,000 sessions. The face worker process's RSS is reported
too (`worker_rss_*`), since a leak there would also end a kiosk's month.

Settings for throughput (not realism): 1 face frame per check at 30 fps, a page taken on its
first good frame, the simulated citizen looking for the next step every 15 ms, and a short
simulated card delay, so 300+ sessions fit in 8 minutes on 2 cores; every step still
goes through the same code as a real session.

Last line: JSON with sessions, rss_start_mb, rss_end_mb, rss_growth_mb (per 1,000
sessions), fd_growth, thread_growth, gui_stall_ms (+ extra keys, among them the RSS growth
without the simulated printer's capture buffer, which keeps every receipt's bytes, and
`rss_growth_after_trim_mb`: the growth left after glibc's malloc_trim at each measurement,
i.e. memory still in use — a leak — rather than freed memory the allocator kept, and
`rss_slope_second_half_mb`: the trend over the later half of the run, after the first-use
caches have filled — what decides whether a kiosk survives a month of sessions).
SOAK_TRACEMALLOC=1 prints the largest Python allocations made after the warm-up; SOAK_SMAPS=1
prints which memory mappings ([heap], anonymous, a library) grew; SOAK_STALLS=1 samples the GUI
thread's stack whenever the heartbeat is late and prints where the stalls are.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def release_freed_memory() -> None:
    """glibc's malloc_trim(0): give free heap pages back, so what stays in RSS is in use."""
    import ctypes
    import ctypes.util
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass

WARMUP_SESSIONS = 5
PAGE_SETTLE_S = 0.25    # a scanned page shown to the camera: 7 frames at 30 fps before "Take this page"
POLL_MS = 15            # the simulated citizen looks for the next step this often (the demo: 50 ms)
MIN_SESSIONS = 300


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def rss_by_mapping() -> dict[str, int]:
    """KiB of RSS per mapped file (or [heap] / [anon]) from /proc/self/smaps."""
    totals: dict[str, int] = {}
    name = "[anon]"
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                name = fields[5] if len(fields) > 5 else "[anon]"
            elif fields and fields[0] == "Rss:":
                totals[name] = totals.get(name, 0) + int(fields[1])
    return totals


def second_half_slope(points: list[tuple[int, float]]) -> float | None:
    """MB per 1,000 sessions: least-squares slope of (session, RSS) over the later half."""
    later = points[len(points) // 2:]
    if len(later) < 3:
        return None
    n = len(later)
    mean_x = sum(x for x, _ in later) / n
    mean_y = sum(y for _, y in later) / n
    var = sum((x - mean_x) ** 2 for x, _ in later)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in later)
    return round(cov / var * 1000.0, 2) if var else None


class StallSampler:
    """SOAK_STALLS=1: while the GUI heartbeat is late by more than `late_s`, sample the GUI
    thread's stack every 5 ms and count where it is (innermost frames of the project, plus
    the innermost frame of all): the places that stall the GUI thread, most frequent first."""

    def __init__(self, state: dict, late_s: float = 0.04):
        import collections
        import threading
        self.state, self.late_s = state, late_s
        self.counts = collections.Counter()
        self.main_id = threading.main_thread().ident
        self.stop = threading.Event()
        threading.Thread(target=self._run, name="stall-sampler", daemon=True).start()

    def _run(self) -> None:
        import traceback
        while not self.stop.wait(0.005):
            if not self.state.get("measuring") or time.perf_counter() - self.state["last"] < self.late_s:
                continue
            frame = sys._current_frames().get(self.main_id)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack if str(ROOT) in f.filename
                    and ".venv" not in f.filename][-3:]
            self.counts[" < ".join(reversed(ours)) + f"  [in {stack[-1].name}]"] += 1

    def report(self) -> None:
        self.stop.set()
        for where, samples in self.counts.most_common(8):
            print(f"soak: stall samples {samples:4d} (~{samples * 5} ms): {where}", file=sys.stderr)


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=8.0, help="time budget (default 8)")
    parser.add_argument("--sessions", type=int, default=0, help="run exactly this many sessions instead")
    args = parser.parse_args()

    from qt_setup import apply_qt_workarounds
    apply_qt_workarounds()
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.app import build_kiosk
    from kiosk.face_verification import FaceVerifier
    from kiosk.logging_setup import configure_logging
    from sim.demo.autopilot import Autopilot
    from tests.conftest import kiosk_config

    app = QApplication.instance() or QApplication([])
    workdir = tempfile.TemporaryDirectory(prefix="kiosk-soak-")
    data = Path(workdir.name)
    # The platform runs in its own process: its database and caches grow with every
    # submission, and that growth must not be counted as the kiosk's.
    server = subprocess.Popen([sys.executable, "-m", "reference_platform", "--port", "0",
                               "--db", str(data / "platform.sqlite3")], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    first_line = server.stdout.readline()
    if "http://" not in first_line:
        raise SystemExit(f"soak: reference platform did not start: {first_line!r}")
    url = first_line.split()[2]
    configure_logging("INFO", data / "kiosk.log", stream=None)   # the kiosk logs as in the field
    config = kiosk_config(data, url, face={"frames_needed": 1}, documents={"good_frames": 1},
                          devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 0.05},
                                   "camera": {"backend": "sim", "fps": 30},
                                   "printer": {"backend": "sim"}})
    verifier = FaceVerifier()
    parts = build_kiosk(config, face_verifier=verifier)
    parts.window.resize(1280, 800)
    parts.window.show()
    parts.controller.open()
    deadline = time.monotonic() + 120
    view = parts.controller.view     # ready = models loaded, catalog offered and its search index in
    while not (view.face_models_ready and view.catalog_loaded and view.service_search is not None):
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() > deadline:
            raise SystemExit("soak: kiosk did not become ready in 120 s")

    state = {"done": 0, "failed": 0, "failures": [], "max_gap": 0.0, "last": time.perf_counter(),
             "measuring": False, "baseline": None}
    budget_end = time.monotonic() + args.minutes * 60

    def beat():
        now = time.perf_counter()
        if state["measuring"]:
            state["max_gap"] = max(state["max_gap"], now - state["last"])
        state["last"] = now
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    def snapshot() -> dict:
        gc.collect()
        worker_pid = getattr(getattr(verifier, "_process", None), "pid", None)
        rss_as_is = rss_mb()
        release_freed_memory()          # memory the allocator holds but nobody uses is not a leak
        return {"rss": rss_as_is, "rss_trimmed": rss_mb(), "fds": fd_count(), "threads": thread_count(),
                "widgets": len(QApplication.allWidgets()),
                "qobjects": len(parts.window.findChildren(QObject)) + len(parts.controller.findChildren(QObject)),
                "worker_rss": rss_mb(worker_pid) if worker_pid else 0.0,
                # The simulated printer keeps every byte it ever printed (tests read them back):
                # ~50 KB per receipt that a real printer never holds. Measured to subtract it.
                "sim_capture_mb": len(parts.controller.printer.all_bytes) / 1e6
                if hasattr(parts.controller.printer, "all_bytes") else 0.0,
                "at": time.monotonic()}

    pilot_holder = {}

    def next_session():
        done = state["done"]
        if done == WARMUP_SESSIONS:
            if os.environ.get("SOAK_TRACEMALLOC"):      # hunting a leak: Python allocations by line
                import tracemalloc
                tracemalloc.start(8)
            state["baseline"] = snapshot()
            state["smaps"] = rss_by_mapping() if os.environ.get("SOAK_SMAPS") else None
            state["measuring"] = True
            state["last"] = time.perf_counter()
        enough = (done >= args.sessions) if args.sessions else (time.monotonic() >= budget_end)
        if enough:
            app.quit()
            return
        pilot = Autopilot(parts, data / "shots", language=("zh_CN", "zh_HK", "en")[done % 3],
                          take_screenshots=False, page_settle_s=PAGE_SETTLE_S,
                          poll_ms=POLL_MS)
        pilot_holder["p"] = pilot

        def finished():
            if not pilot.succeeded:
                state["failed"] += 1
                state["failures"].append(pilot.failure)
                if state["failed"] > 10:
                    print("soak: too many failed sessions: " + "; ".join(state["failures"][-3:]), file=sys.stderr)
                    app.quit()
                    return
                parts.controller.cancel()
            state["done"] += 1
            if state.get("measuring") and state["done"] % 10 == 0:
                printer = parts.controller.printer      # minus the simulated printer's capture buffer
                capture_mb = len(printer.all_bytes) / 1e6 if hasattr(printer, "all_bytes") else 0.0
                state.setdefault("rss_points", []).append((state["done"], rss_mb() - capture_mb))
            if state["done"] % 50 == 0:
                print(f"soak: {state['done']} sessions, rss {rss_mb():.1f} MB, fds {fd_count()}, "
                      f"threads {thread_count()}", file=sys.stderr, flush=True)
            pilot.deleteLater()
            QTimer.singleShot(0, next_session)
        pilot.finished.connect(finished)
        pilot.run()

    sampler = StallSampler(state) if os.environ.get("SOAK_STALLS") else None
    started = time.monotonic()
    QTimer.singleShot(0, next_session)
    app.exec()
    heartbeat.stop()
    if sampler is not None:
        sampler.report()
    if os.environ.get("SOAK_TRACEMALLOC"):
        import tracemalloc
        if tracemalloc.is_tracing():
            for stat in tracemalloc.take_snapshot().statistics("traceback")[:8]:
                print(f"soak: {stat.size / 1024:.0f} KiB in {stat.count} blocks", file=sys.stderr)
                for line in stat.traceback.format()[-6:]:
                    print("    " + line, file=sys.stderr)
    end = snapshot()
    if state.get("smaps"):       # hunting native growth: which mapping grew
        after = rss_by_mapping()
        growth = sorted(((after.get(k, 0) - state["smaps"].get(k, 0), k) for k in after), reverse=True)
        for kib, name in growth[:6]:
            print(f"soak: RSS +{kib} KiB in {name}", file=sys.stderr)
    base = state["baseline"] or end
    measured = max(1, state["done"] - WARMUP_SESSIONS)
    elapsed = time.monotonic() - started
    parts.close()
    server.terminate()
    server.wait(10)
    workdir.cleanup()

    result = {
        "sessions": state["done"],
        "rss_start_mb": round(base["rss"], 1),
        "rss_end_mb": round(end["rss"], 1),
        "rss_growth_mb": round((end["rss"] - base["rss"]) / measured * 1000.0, 2),
        "rss_growth_excl_sim_printer_capture_mb": round(
            ((end["rss"] - base["rss"]) - (end["sim_capture_mb"] - base["sim_capture_mb"])) / measured * 1000.0, 2),
        # The trend once first-use caches have filled: RSS rises in steps early on (fonts,
        # glyph and style caches, allocator arenas) and then flattens; a leak keeps rising.
        # Least-squares slope over the second half of the run, per 1,000 sessions, without the
        # simulated printer's capture buffer.
        "rss_slope_second_half_mb": second_half_slope(state.get("rss_points", [])),
        # Growth that survives malloc_trim: memory still referenced (a leak) or fragmented beyond return.
        "rss_growth_after_trim_mb": round(
            ((end["rss_trimmed"] - base["rss_trimmed"]) - (end["sim_capture_mb"] - base["sim_capture_mb"]))
            / measured * 1000.0, 2),
        "sim_printer_capture_growth_mb": round(end["sim_capture_mb"] - base["sim_capture_mb"], 2),
        "fd_growth": end["fds"] - base["fds"],
        "thread_growth": end["threads"] - base["threads"],
        "gui_stall_ms": round(state["max_gap"] * 1000.0, 1),
        "qt_widget_growth": end["widgets"] - base["widgets"],
        "qt_object_growth": end["qobjects"] - base["qobjects"],
        "worker_rss_start_mb": round(base["worker_rss"], 1),
        "worker_rss_end_mb": round(end["worker_rss"], 1),
        "failed_sessions": state["failed"],
        "warmup_sessions": WARMUP_SESSIONS,
        "elapsed_s": round(elapsed, 1),
        "sessions_per_min": round(state["done"] / max(1e-6, elapsed) * 60.0, 1),
        "meets_min_sessions": state["done"] >= (args.sessions or MIN_SESSIONS),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
