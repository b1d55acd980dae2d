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
without the simulated printer's capture buffer (its last jobs' bytes), and
`rss_growth_after_trim_mb`: the growth left after glibc's malloc_trim at each measurement,
i.e. memory still in use — a leak — rather than freed memory the allocator kept, and
`rss_slope_second_half_mb`: the trend over the later half of the run, after the first-use
caches have filled — what decides whether a kiosk survives a month of sessions. Every 10 sessions
RSS is sampled as it is and again after what the kiosk does once it has stood idle
`trim_memory_idle_s`: a full garbage collection (kiosk/gui_gc.py collect_all) and the trim
(kiosk.native_memory.give_back): the slope is taken on the trimmed
samples, memory in use, since the untrimmed ones move ±5 MB with whatever freed memory the
allocator holds at that instant; `rss_slope_second_half_untrimmed_mb` is the same slope before
the trim).
`rss_slope_second_half_stderr_mb` is that slope's standard error: how far noise alone moves it.
For the longest GUI gap: the GUI thread's own CPU time in it (`gui_stall_cpu_ms`), its wait for a
core (`gui_stall_run_queue_ms`) and the CPU time the hypervisor took from the virtual machine
meanwhile (`gui_stall_steal_ms`, /proc/stat steal, summed over the CPUs; `steal_share` over the
run, `gaps_over_50ms_with_steal`); the rest of a gap the thread was blocked. `gui_gc_*`: the
GUI thread's garbage collections after the warm-up (kiosk/gui_gc.py), longest and count per generation.
`gui_cpu_ms_per_session` / `gui_run_queue_ms_per_session`: over all measured sessions, the GUI
thread's CPU time and its time runnable without a core (a steadier measure than the longest gap).
The kiosk runs with the product's scheduling and allocator settings (PRODUCT_SCHEDULING), not the
test suite's.
SOAK_KIOSK='{"worker_thread_niceness": 0}' (JSON) overrides [kiosk] settings, to compare one
setting's effect (A/B) in runs of the same code. SOAK_TRACEMALLOC=1 prints the Python allocations that grew most from session 55 to the end
(where they were made; the largest live ones when the run is shorter); SOAK_CENSUS=1 counts the
collector's live objects by type every 100 sessions; SOAK_GARBAGE=N prints, at session N, what a full
collection finds unreachable; SOAK_ANON=N compares, at the end, the anonymous mappings outside malloc's
arenas (address, size, RSS; a thread's stack named) with session N; SOAK_SMAPS=1
prints which memory mappings ([heap], glibc's other malloc arenas, other anonymous memory, a
library) grew, every 50 sessions and at the end, and at the end the later half's RSS slope split by
kind of mapping, with CPython's and glibc's memory in use beside it; SOAK_STALLS=1 samples every thread's stack whenever
the heartbeat is late (by 40 ms; SOAK_STALLS=15: by 15 ms) and prints where the stalls are and, for the longest gaps, what each thread
was doing (the sampler costs CPU itself: not for the figures); SOAK_GAPS=20 counts the GUI gaps over
20 ms by the screen shown when each ended, with the longest and its GUI CPU.
"""
from __future__ import annotations

import argparse
import atexit
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


def run_queue_s() -> float:
    """Seconds the calling thread has spent runnable but waiting for a CPU (Linux schedstat)."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def steal_s() -> float:
    """CPU time the hypervisor took from this virtual machine so far, summed over its CPUs
    (/proc/stat "steal", in clock ticks). While it is taken, no thread of the kiosk runs, yet the
    time counts as neither the thread's CPU nor its run-queue wait: a gap with little of either and
    steal in it was the machine, not the kiosk. 0 on bare metal."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            return int(fh.readline().split()[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def thread_cpu_report() -> str:
    """CPU seconds per thread of this process, by Python thread name where there is one."""
    import threading
    names = {t.native_id: t.name for t in threading.enumerate()}
    rows = []
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            comm = (task / "comm").read_text().strip()
        except OSError:
            continue
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        rows.append((cpu, names.get(int(task.name), comm)))
    return ", ".join(f"{name} {cpu:.1f}s" for cpu, name in sorted(rows, reverse=True)[:10])


WARMUP_SESSIONS = 5
# [kiosk] settings the test configuration (tests/conftest.py kiosk_config) sets otherwise and the soak
# takes from the product's defaults (kiosk/settings.py); main() checks that they are in force.
PRODUCT_SCHEDULING = ("helper_niceness", "worker_thread_niceness", "gil_switch_interval_ms", "malloc_arenas",
                      "malloc_mmap_threshold_kb", "malloc_trim_threshold_kb", "malloc_trim_arena_tops",
                      "presize_interned_strings")
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
    """KiB of RSS per mapped file (or [heap] / [stack] / [anon]) from /proc/self/smaps. Anonymous
    mappings that start on a 64 MiB boundary are glibc's per-thread malloc arenas (HEAP_MAX_SIZE on
    64-bit): "[anon: malloc arena]"; the other anonymous ones are large allocations (mmap'ed
    blocks over the malloc threshold, Qt's and numpy's buffers, thread stacks)."""
    totals: dict[str, int] = {}
    name = "[anon]"
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                name = fields[5] if len(fields) > 5 else "[anon]"
                if name == "[anon]" and int(fields[0].split("-")[0], 16) % (64 << 20) == 0:
                    name = "[anon: malloc arena]"
            elif fields and fields[0] == "Rss:":
                totals[name] = totals.get(name, 0) + int(fields[1])
    return totals


def anonymous_mappings() -> dict[int, tuple[int, int]]:
    """SOAK_ANON: the "[anon]" mappings of rss_by_mapping (not the heap, not glibc's thread arenas):
    start address -> (size KiB, RSS KiB)."""
    found: dict[int, tuple[int, int]] = {}
    start = size = None
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                low, high = (int(x, 16) for x in fields[0].split("-"))
                anonymous = len(fields) == 5 and low % (64 << 20) != 0
                start, size = (low, (high - low) // 1024) if anonymous else (None, None)
            elif start is not None and fields and fields[0] == "Rss:":
                found[start] = (size, int(fields[1]))
    return found


def thread_stacks() -> dict[int, str]:
    """Each thread's stack pointer (/proc/self/task/*/syscall, last-but-one field) -> thread name."""
    stacks = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "syscall").read_text().split()
            name = (task / "comm").read_text().strip()
        except OSError:
            continue
        if len(fields) >= 3 and fields[-2].startswith("0x"):
            stacks[int(fields[-2], 16)] = name
    return stacks


def anonymous_growth_report(before: dict[int, tuple[int, int]], since: int) -> None:
    after, stacks = anonymous_mappings(), thread_stacks()
    grown = sorted(((rss - before.get(start, (0, 0))[1], start, size, rss) for start, (size, rss) in after.items()),
                   reverse=True)
    gone = sum(rss for start, (_, rss) in before.items() if start not in after)
    print(f"soak: [anon] since session {since}: {len(before)} -> {len(after)} mappings, "
          f"{sum(r for _, r in before.values())} -> {sum(r for _, r in after.values())} KiB "
          f"({gone} KiB in mappings gone since)", file=sys.stderr)
    gc.unfreeze()           # the frozen start-up objects too (the kiosk is closed after this report)
    try:
        addresses = sorted(id(obj) for obj in gc.get_objects())    # CPython's small objects: obmalloc's arenas
    finally:
        gc.freeze()
    import bisect

    def holds_objects(start: int, size: int) -> int:
        return bisect.bisect_left(addresses, start + size * 1024) - bisect.bisect_left(addresses, start)
    arenas = [(size, rss) for start, (size, rss) in after.items() if holds_objects(start, size)]
    size_kib, rss_kib = sum(a[0] for a in arenas), sum(a[1] for a in arenas)
    print(f"soak: [anon] mappings holding Python objects (CPython's obmalloc arenas): {len(arenas)}, "
          f"RSS {rss_kib} of {size_kib} KiB: pools not yet touched, at most {size_kib - rss_kib} KiB more "
          f"while the arenas stay", file=sys.stderr)
    for kib, start, size, rss in grown[:12]:
        if kib <= 0:
            break
        owner = next((name for sp, name in stacks.items() if start <= sp < start + size * 1024), "")
        objects = holds_objects(start, size)
        print(f"soak:   {start:#x} {size} KiB mapping: RSS {rss - kib} -> {rss} KiB"
              f"{' (new)' if start not in before else ''}{' stack of ' + owner if owner else ''}, "
              f"{objects} objects the collector tracks", file=sys.stderr)


MAPPING_SAMPLE = ("[heap]", "[anon: malloc arena]", "[anon]", "(files)", "(obmalloc blocks in use)",
                  "(malloc in use)")


def mapping_sample() -> tuple[int, ...]:
    """KiB per MAPPING_SAMPLE name, as a tuple of ints: the rig keeps one per RSS sample, and the
    rig's own memory is in the RSS it measures (a dict of ~150 library paths per sample was
    3 KB per session: the growth it was meant to find)."""
    from kiosk.native_memory import usage_kib
    maps = rss_by_mapping()
    kinds = ("[heap]", "[anon: malloc arena]", "[anon]")
    return (*(maps.get(kind, 0) for kind in kinds), sum(kib for name, kib in maps.items() if name not in kinds),
            python_heap_kib().get("blocks", 0), usage_kib().get("in_use", 0))


def traced_kib() -> int:
    import tracemalloc
    return tracemalloc.get_traced_memory()[0] // 1024 if tracemalloc.is_tracing() else 0


def garbage_report() -> None:
    """SOAK_GARBAGE=N: at session N, one full collection that keeps what it finds (gc.DEBUG_SAVEALL):
    the unreachable objects by type, with the bytes they and what only they refer to hold, and
    CPython's blocks and bytes in use before and after. Garbage that only a full collection frees
    piles up between the GUI thread's full collections (kiosk/gui_gc.py)."""
    from collections import Counter
    before_blocks, before_kib = sys.getallocatedblocks(), python_heap_kib().get("blocks", 0)
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        found = gc.collect()
        garbage = list(gc.garbage)
        gc.garbage.clear()
    finally:
        gc.set_debug(0)
    by_type: Counter = Counter()
    size: Counter = Counter()
    for obj in garbage:
        name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        by_type[name] += 1
        size[name] += sys.getsizeof(obj) + sum(sys.getsizeof(r) for r in gc.get_referents(obj)
                                               if not gc.is_tracked(r))
    del garbage
    gc.collect()
    print(f"soak:   a full collection found {found} unreachable objects, ~{sum(size.values()) // 1024} KiB "
          f"with what they alone hold; blocks {sys.getallocatedblocks() - before_blocks:+d}, "
          f"{python_heap_kib().get('blocks', 0) - before_kib:+d} KiB: "
          + ", ".join(f"{name} {by_type[name]} ({size[name] // 1024} KiB)" for name, _ in size.most_common(12)),
          file=sys.stderr, flush=True)


def census_report(state: dict) -> None:
    """SOAK_CENSUS=1: the live objects the garbage collector tracks, counted by type, and CPython's
    allocated blocks (sys.getallocatedblocks), compared with the first census (session 100).
    A type whose count rises census after census is what holds on to something per session."""
    from collections import Counter
    gc.collect()
    counts = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    blocks = sys.getallocatedblocks()
    first = state.get("census")
    if first is None:
        state["census"] = (counts, blocks, state["done"])
        print(f"soak:   census at {state['done']}: {sum(counts.values())} objects, {blocks} blocks",
              file=sys.stderr, flush=True)
        return
    counts0, blocks0, done0 = first
    grown = sorted(((n - counts0.get(name, 0), name) for name, n in counts.items()), reverse=True)[:10]
    print(f"soak:   census since session {done0}: blocks {blocks - blocks0:+d}; "
          + ", ".join(f"{name} {n:+d}" for n, name in grown if n > 0), file=sys.stderr, flush=True)


def python_heap_kib() -> dict[str, int]:
    """CPython's small-object allocator (obmalloc) from sys._debugmallocstats(): KiB in its 1 MiB
    arenas (anonymous mappings, counted in "[anon]" by rss_by_mapping) and KiB of blocks in use.
    Arenas much larger than the blocks in use are fragmentation: a few live objects per arena keep
    it mapped. The report goes to C stderr, so it is caught in a memfd (no file on disk)."""
    fd = os.memfd_create("soak-mallocstats")
    saved = os.dup(2)
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(fd, "r") as report:
        text = report.read()
    found = {}
    for line in text.splitlines():
        if line.startswith("# arenas allocated current"):
            found["arenas"] = int(line.split("=")[1].replace(",", "")) * 1024   # ARENA_SIZE 1 MiB (3.10+)
        elif line.startswith("# bytes in allocated blocks"):
            found["blocks"] = int(line.split("=")[1].replace(",", "")) // 1024
    return found


def sqlite_memory_kib() -> int:
    """KiB SQLite holds in this process (page caches, statement caches, schema) from its own counter,
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED); -1 when the library cannot be asked."""
    import ctypes
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")      # the library _sqlite3 is linked to: same counters
        current, highwater = ctypes.c_int64(), ctypes.c_int64()
        if lib.sqlite3_status64(0, ctypes.byref(current), ctypes.byref(highwater), 0) != 0:
            return -1
        return current.value // 1024
    except (OSError, AttributeError):
        return -1


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


def second_half_slope_stderr(points: list[tuple[int, float]]) -> float | None:
    """The standard error of that slope (MB per 1,000 sessions), from the scatter of the samples
    around the fitted line: how far the slope could be from the trend by the samples' noise alone
    (an underestimate when neighbouring samples are correlated)."""
    later = points[len(points) // 2:]
    n = len(later)
    if n < 4:
        return None
    mean_x = sum(x for x, _ in later) / n
    mean_y = sum(y for _, y in later) / n
    var = sum((x - mean_x) ** 2 for x, _ in later)
    if not var:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in later) / var
    residual = sum((y - mean_y - slope * (x - mean_x)) ** 2 for x, y in later) / (n - 2)
    return round((residual / var) ** 0.5 * 1000.0, 2)


class StallSampler:
    """SOAK_STALLS=1: while the GUI heartbeat is late by more than `late_s`, sample every thread's
    stack every 5 ms. Prints where the GUI thread was (innermost frames of the project, plus the
    innermost frame of all), most frequent first, and for the longest gaps over 50 ms what each
    thread was doing in them, the GUI thread's page faults and context switches, and how late the
    sampler itself woke: a sampler that cannot run for tens of ms means that another thread held
    the interpreter lock (the sampler needs it too) or that the process had no core."""

    IDLE = {"wait", "select", "get", "_wait_for_tstate_lock", "accept", "poll", "sleep", "readinto",
            "recv_into", "_recv", "recv", "_poll", "_worker", "_recv_bytes", "run_forever", "_run_once"}

    def __init__(self, state: dict, late_s: float = 0.04):
        import collections
        import threading
        self.state, self.late_s = state, late_s
        self.counts = collections.Counter()
        self.main_id = threading.main_thread().ident
        self.lock = threading.Lock()
        self.current: list[tuple] = []       # samples of the gap in progress
        self.gaps: list[dict] = []           # gaps over 50 ms, with their samples
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)
        self.thread.start()

    @staticmethod
    def gui_thread_counters() -> tuple[int, int, int, int]:
        """The calling thread's (minor faults, major faults, voluntary, involuntary context switches)."""
        try:
            fields = Path("/proc/thread-self/stat").read_text().rsplit(")", 1)[1].split()
            status = Path("/proc/thread-self/status").read_text().splitlines()
            switches = {k: int(v) for k, v in (line.split(":") for line in status if "ctxt_switches" in line)}
            return (int(fields[7]), int(fields[9]), switches.get("voluntary_ctxt_switches", 0),
                    switches.get("nonvoluntary_ctxt_switches", 0))
        except (OSError, ValueError, IndexError):
            return (0, 0, 0, 0)

    def _run(self) -> None:
        import threading
        import traceback
        last = time.perf_counter()
        while not self.stop.wait(0.005):
            now = time.perf_counter()
            woke_late_ms = (now - last - 0.005) * 1000.0
            last = now
            if not self.state.get("measuring") or now - self.state["last"] < self.late_s:
                continue
            frames = sys._current_frames()
            frame = frames.get(self.main_id)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack if str(ROOT) in f.filename
                    and ".venv" not in f.filename][-3:]
            where = " < ".join(reversed(ours)) + f"  [in {stack[-1].name}]"
            self.counts[where] += 1
            names = {t.ident: t.name for t in threading.enumerate()}
            busy = sorted(f"{names.get(ident, ident)}: {Path(f.f_code.co_filename).name}:{f.f_lineno} {f.f_code.co_name}"
                          for ident, f in frames.items()
                          if ident not in (self.main_id, threading.get_ident()) and f.f_code.co_name not in self.IDLE)
            with self.lock:
                self.current.append((round((now - self.state["last"]) * 1000.0), round(woke_late_ms, 1), where, busy))

    def gap_ended(self, gap_s: float, cpu_s: float, queued_s: float, counters: tuple) -> None:
        with self.lock:
            samples, self.current = self.current, []
        if gap_s > 0.05:
            self.gaps.append({"ms": gap_s * 1000.0, "cpu_ms": cpu_s * 1000.0, "queued_ms": queued_s * 1000.0,
                              "counters": counters, "samples": samples})

    def report(self) -> None:
        import collections
        self.stop.set()
        for where, samples in self.counts.most_common(8):
            print(f"soak: stall samples {samples:4d} (~{samples * 5} ms): {where}", file=sys.stderr)
        for gap in sorted(self.gaps, key=lambda g: -g["ms"])[:10]:
            minflt, majflt, vol, invol = gap["counters"]
            late = max((s[1] for s in gap["samples"]), default=0.0)
            print(f"soak: gap {gap['ms']:.1f} ms: GUI thread CPU {gap['cpu_ms']:.1f} ms, waiting for a core "
                  f"{gap['queued_ms']:.1f} ms, page faults {minflt} (major {majflt}), context switches "
                  f"{vol} voluntary / {invol} involuntary; {len(gap['samples'])} samples, sampler woke up to "
                  f"{late:.1f} ms late", file=sys.stderr)
            for where, n in collections.Counter(s[2] for s in gap["samples"]).most_common(3):
                print(f"soak:     GUI x{n}: {where}", file=sys.stderr)
            for busy, n in collections.Counter(b for s in gap["samples"] for b in s[3]).most_common(6):
                print(f"soak:     other x{n}: {busy}", file=sys.stderr)


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
    from kiosk.native_memory import give_back, usage_kib
    from kiosk.logging_setup import configure_logging
    from sim.demo.autopilot import Autopilot
    from tests.conftest import kiosk_config

    app = QApplication.instance() or QApplication([])
    workdir = tempfile.TemporaryDirectory(prefix="kiosk-soak-")
    data = Path(workdir.name)
    # The platform runs in its own process: its database and caches grow with every
    # submission, and that growth must not be counted as the kiosk's.
    # In the field it is the government's servers, on other machines: here it shares the kiosk's
    # 2 cores, so it runs at the lowest priority (nice 19) and takes only the CPU the kiosk leaves.
    server = subprocess.Popen(["nice", "-n", "19", sys.executable, "-m", "reference_platform", "--port", "0",
                               "--db", str(data / "platform.sqlite3")], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    # Also when the soak fails half-way (an exception, too many failed sessions): no platform left behind.
    atexit.register(lambda: server.poll() is None and server.kill())
    first_line = server.stdout.readline()
    if "http://" not in first_line:
        raise SystemExit(f"soak: reference platform did not start: {first_line!r}")
    url = first_line.split()[2]
    configure_logging("INFO", data / "kiosk.log", stream=None)   # the kiosk logs as in the field
    from kiosk.settings import KioskSection
    config = kiosk_config(data, url, face={"frames_needed": 1}, documents={"good_frames": 1},
                          # The product's scheduling settings: tests/conftest.py runs helpers at the tests'
                          # own priority and keeps CPython's switch interval, which the soak must not measure.
                          kiosk={**{name: getattr(KioskSection, name) for name in PRODUCT_SCHEDULING},
                                 **json.loads(os.environ.get("SOAK_KIOSK", "{}"))},
                          devices={"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 0.05},
                                   "camera": {"backend": "sim", "fps": 30},
                                   "printer": {"backend": "sim"}})
    verifier = FaceVerifier()
    parts = build_kiosk(config, face_verifier=verifier)
    switch_ms = config.kiosk.gil_switch_interval_ms
    if switch_ms > 0 and abs(sys.getswitchinterval() * 1000 - switch_ms) > 1e-6:
        raise SystemExit(f"soak: the GIL switch interval is {sys.getswitchinterval() * 1000} ms, not the product's {switch_ms}")
    print(f"soak: GIL switch interval {sys.getswitchinterval() * 1000:g} ms, helpers at nice "
          f"{config.kiosk.helper_niceness}, worker threads at nice {config.kiosk.worker_thread_niceness}",
          file=sys.stderr)
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
             "measuring": False, "baseline": None, "last_cpu": time.thread_time(), "max_gap_cpu": 0.0,
             "gaps_over_50": 0, "gaps_over_50_cpu": 0.0, "gaps_over_50_wall": 0.0}
    budget_end = time.monotonic() + args.minutes * 60
    run_started = time.monotonic()

    gaps_ms = float(os.environ.get("SOAK_GAPS", "0"))

    def beat():
        # The GUI thread's own CPU time over each gap (time.thread_time on this thread) tells work
        # from waiting: a gap with little CPU was the thread not running (other processes on the
        # two cores, the interpreter lock held by another thread), not the kiosk's GUI code.
        now, cpu, queued, stolen = time.perf_counter(), time.thread_time(), run_queue_s(), steal_s()
        sampler = state.get("sampler")
        counters = StallSampler.gui_thread_counters() if sampler is not None else None
        if state["measuring"]:
            gap = now - state["last"]
            if sampler is not None:
                sampler.gap_ended(gap, cpu - state["last_cpu"], queued - state.get("last_queued", queued),
                                  tuple(a - b for a, b in zip(counters, state.get("last_counters", counters))))
            gap_stolen = stolen - state.get("last_stolen", stolen)
            if gap > state["max_gap"]:
                state["max_gap"], state["max_gap_cpu"] = gap, cpu - state["last_cpu"]
                state["max_gap_queued"] = queued - state.get("last_queued", queued)
                state["max_gap_stolen"] = gap_stolen
            if gap > gaps_ms / 1000.0 > 0:       # SOAK_GAPS=N: gaps over N ms by screen, at the end
                by_screen = state.setdefault("gaps_by_screen", {})
                entry = by_screen.setdefault(parts.controller.session.state.name, [0, 0.0, 0.0])
                entry[0] += 1
                entry[1] = max(entry[1], gap * 1000.0)
                entry[2] = max(entry[2], (cpu - state["last_cpu"]) * 1000.0)
            if gap > 0.05:
                state["gaps_over_50"] += 1
                state["gaps_over_50_with_steal"] = state.get("gaps_over_50_with_steal", 0) + (gap_stolen >= 0.01)
                state["gaps_over_50_wall"] += gap
                state["gaps_over_50_cpu"] += cpu - state["last_cpu"]
                # where in the run and in the session each one came (stderr; rare, so it costs nothing)
                print(f"soak: gap {gap * 1000.0:.1f} ms at session {state['done']} "
                      f"({time.monotonic() - run_started:.0f} s), screen {parts.controller.session.state.name}: "
                      f"GUI thread CPU {(cpu - state['last_cpu']) * 1000.0:.1f} ms, waiting for a core "
                      f"{(queued - state.get('last_queued', queued)) * 1000.0:.1f} ms", file=sys.stderr)
        state["last"], state["last_cpu"], state["last_queued"], state["last_stolen"] = now, cpu, queued, stolen
        state["last_counters"] = counters
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    def snapshot() -> dict:
        state["gc_unreachable"] = gc.collect()      # reported on stderr at the end: cyclic garbage left
        worker_pid = getattr(getattr(verifier, "_process", None), "pid", None)
        rss_as_is = rss_mb()
        give_back()                     # memory the allocator holds but nobody uses is not a leak
        return {"rss": rss_as_is, "rss_trimmed": rss_mb(), "fds": fd_count(), "threads": thread_count(),
                "widgets": len(QApplication.allWidgets()),
                "qobjects": len(parts.window.findChildren(QObject)) + len(parts.controller.findChildren(QObject)),
                "worker_rss": rss_mb(worker_pid) if worker_pid else 0.0,
                # The simulated printer keeps its last jobs' bytes (tests read them back, ~50 KB per
                # receipt, devices/printer/sim.py KEPT_JOBS) that a real printer never holds: subtracted.
                "sim_capture_mb": parts.controller.printer.captured_size / 1e6,
                "at": time.monotonic()}

    pilot_holder = {}

    def next_session():
        done = state["done"]
        if done == WARMUP_SESSIONS:
            if os.environ.get("SOAK_TRACEMALLOC"):      # hunting a leak: Python allocations by line
                import tracemalloc
                tracemalloc.start(8)
            state["baseline"] = snapshot()
            state["steal_at_start"] = (steal_s(), time.monotonic())
            state["gui_at_start"] = (run_queue_s(), time.thread_time())
            if parts.collector is not None:      # GUI collections are counted from here (start-up's are not)
                parts.collector.longest_ms = 0.0
                state["gc_at_start"] = list(parts.collector.collections)
            state["smaps"] = rss_by_mapping() if os.environ.get("SOAK_SMAPS") else None
            state["pyheap"] = python_heap_kib() if os.environ.get("SOAK_SMAPS") else None
            state["sqlite_kib"] = sqlite_memory_kib()
            state["native"] = usage_kib() if os.environ.get("SOAK_SMAPS") else None
            state["measuring"] = True
            state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
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
                # An RSS sample: as it is, and after what the kiosk does once it has stood idle
                # (kiosk.native_memory.give_back, malloc_trim): what is left then is memory in use,
                # without the ±5 MB of freed memory the allocator happens to hold at that moment.
                # The sample is the rig's work, so the heartbeat does not count it.
                state["measuring"] = False
                capture_mb = parts.controller.printer.captured_size / 1e6   # minus the sim printer's capture
                state.setdefault("rss_points", []).append((state["done"], rss_mb() - capture_mb))
                if parts.collector is not None:    # what the kiosk does once it has stood idle:
                    parts.collector.collect_all()  # a full collection (KioskController.stood_idle),
                give_back()                        # then malloc_trim
                state.setdefault("rss_idle_points", []).append((state["done"], rss_mb() - capture_mb))
                if os.environ.get("SOAK_SMAPS"):     # the same sample by kind of mapping, for the slope of each
                    state.setdefault("map_points", []).append((state["done"], mapping_sample()))
                state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
                state["measuring"] = True
            if state["done"] == WARMUP_SESSIONS + 50 and os.environ.get("SOAK_TRACEMALLOC"):
                import tracemalloc          # the reference the end is compared to (not timed)
                state["measuring"] = False
                state["trace_reference"] = tracemalloc.take_snapshot()
                state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
                state["measuring"] = True
            if state["done"] == int(os.environ.get("SOAK_ANON", "0") or 0) and state.get("measuring"):
                state["anon_at"] = (state["done"], anonymous_mappings())
            if state["done"] == int(os.environ.get("SOAK_GARBAGE", "0") or 0) and state.get("measuring"):
                state["measuring"] = False       # what a full collection would free by now (not timed)
                garbage_report()
                state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
                state["measuring"] = True
            if state["done"] % 100 == 0 and state.get("measuring") and os.environ.get("SOAK_CENSUS"):
                state["measuring"] = False       # hunting Python growth: live objects by type (not timed)
                census_report(state)
                state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
                state["measuring"] = True
            if state["done"] % 50 == 0:
                # The GUI thread's CPU per session over the last 50: does a session cost more as the run goes on?
                gui_cpu, last_tick = time.thread_time(), state.get("cpu_tick")
                per_session = f", GUI CPU {(gui_cpu - last_tick) * 1000.0 / 50:.1f} ms/session" if last_tick else ""
                state["cpu_tick"] = gui_cpu
                print(f"soak: {state['done']} sessions, rss {rss_mb():.1f} MB, fds {fd_count()}, "
                      f"threads {thread_count()}{per_session}, {time.monotonic() - run_started:.0f} s",
                      file=sys.stderr, flush=True)
                if state.get("smaps") and state.get("measuring"):   # where the growth so far is (not timed)
                    state["measuring"] = False
                    now_maps = rss_by_mapping()
                    grown = sorted(((now_maps.get(k, 0) - state["smaps"].get(k, 0), k) for k in now_maps),
                                   reverse=True)[:4]
                    print("soak:   RSS since the warm-up: " + ", ".join(f"{kib:+d} KiB {name}" for kib, name in grown),
                          file=sys.stderr, flush=True)
                    heap, heap0 = python_heap_kib(), state["pyheap"]
                    sqlite_kib, native, native0 = sqlite_memory_kib(), usage_kib(), state["native"]
                    print(f"soak:   Python obmalloc: arenas {heap.get('arenas', 0)} KiB "
                          f"({heap.get('arenas', 0) - heap0.get('arenas', 0):+d}), blocks in use "
                          f"{heap.get('blocks', 0)} KiB ({heap.get('blocks', 0) - heap0.get('blocks', 0):+d}); "
                          f"oldest generation {len(gc.get_objects(2))} objects, not frozen; SQLite "
                          f"{sqlite_kib} KiB ({sqlite_kib - state['sqlite_kib']:+d})"
                          + (f"; traced by tracemalloc {traced_kib()} KiB" if os.environ.get("SOAK_TRACEMALLOC") else ""),
                          file=sys.stderr, flush=True)
                    print("soak:   malloc (mallinfo2): " + ", ".join(
                        f"{key} {native.get(key, 0)} KiB ({native.get(key, 0) - native0.get(key, 0):+d})"
                        for key in ("in_use", "free", "mapped")), file=sys.stderr, flush=True)
                    state["last"], state["last_cpu"] = time.perf_counter(), time.thread_time()
                    state["measuring"] = True
            pilot.deleteLater()
            QTimer.singleShot(0, next_session)
        pilot.finished.connect(finished)
        pilot.run()

    stalls = os.environ.get("SOAK_STALLS", "")      # "1" (late by 40 ms) or the lateness in ms, e.g. 15
    sampler = state["sampler"] = (StallSampler(state, late_s=(40.0 if stalls == "1" else float(stalls)) / 1000.0)
                                  if stalls else None)
    started = time.monotonic()
    QTimer.singleShot(0, next_session)
    app.exec()
    heartbeat.stop()
    gui_at_end = (run_queue_s(), time.thread_time())
    print(f"soak: CPU by thread: {thread_cpu_report()}", file=sys.stderr)
    if sampler is not None:
        sampler.report()
    if os.environ.get("SOAK_TRACEMALLOC"):
        import tracemalloc
        if tracemalloc.is_tracing():
            gc.collect()
            now = tracemalloc.take_snapshot()
            reference = state.get("trace_reference")
            if reference is not None:       # what grew since session 55: a slow leak shows here
                for diff in sorted(now.compare_to(reference, "traceback"), key=lambda d: -d.size_diff)[:8]:
                    print(f"soak: {diff.size_diff / 1024:+.0f} KiB in {diff.count_diff:+d} blocks since session "
                          f"{WARMUP_SESSIONS + 50}", file=sys.stderr)
                    for line in diff.traceback.format()[-8:]:
                        print("    " + line, file=sys.stderr)
            else:
                for stat in now.statistics("traceback")[:8]:
                    print(f"soak: {stat.size / 1024:.0f} KiB in {stat.count} blocks", file=sys.stderr)
                    for line in stat.traceback.format()[-6:]:
                        print("    " + line, file=sys.stderr)
    gen2_before_end, rss_before_end = len(gc.get_objects(2)), rss_mb()
    end = snapshot()
    print(f"soak: at the end, the oldest generation held {gen2_before_end} objects (not frozen); a full "
          f"collection found {state['gc_unreachable']} unreachable, RSS {rss_before_end:.1f} -> {end['rss']:.1f} MB "
          f"({end['rss_trimmed']:.1f} MB after malloc_trim)", file=sys.stderr)
    if state.get("smaps"):       # hunting native growth: which mapping grew
        after = rss_by_mapping()
        growth = sorted(((after.get(k, 0) - state["smaps"].get(k, 0), k) for k in after), reverse=True)
        for kib, name in growth[:6]:
            print(f"soak: RSS +{kib} KiB in {name}", file=sys.stderr)
    for screen, (count, longest, cpu_ms) in sorted(state.get("gaps_by_screen", {}).items(), key=lambda i: -i[1][1]):
        print(f"soak: gaps over {gaps_ms:g} ms on {screen}: {count}, longest {longest:.1f} ms, "
              f"most GUI CPU in one {cpu_ms:.1f} ms", file=sys.stderr)
    if state.get("anon_at"):
        anonymous_growth_report(state["anon_at"][1], state["anon_at"][0])
    if state.get("map_points"):      # which mapping the RSS trend is in (trimmed samples, capture included)
        points = state["map_points"]
        slopes = {name: second_half_slope([(done, sample[i] / 1024) for done, sample in points])
                  for i, name in enumerate(MAPPING_SAMPLE)}
        ranked = sorted((s for s in slopes.items() if s[1]), key=lambda s: -abs(s[1]))[:8]
        print("soak: RSS slope over the later half by mapping (MB per 1,000 sessions): "
              + ", ".join(f"{name} {slope:+.2f}" for name, slope in ranked), file=sys.stderr)
    base = state["baseline"] or end
    measured = max(1, state["done"] - WARMUP_SESSIONS)
    elapsed = time.monotonic() - started
    steal0, steal_t0 = state.get("steal_at_start", (steal_s(), time.monotonic() - 1e-6))
    collector = parts.collector        # kiosk.gui_gc: the longest collection on the GUI thread after the warm-up
    gc_longest_ms = round(collector.longest_ms, 1) if collector is not None else None
    gc_collections = ([n - n0 for n, n0 in zip(collector.collections, state.get("gc_at_start", [0, 0, 0]))]
                      if collector is not None else None)
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
        # Sampled after the kiosk's idle trim (see the samples above): memory in use.
        "rss_slope_second_half_mb": second_half_slope(state.get("rss_idle_points", [])),
        "rss_slope_second_half_stderr_mb": second_half_slope_stderr(state.get("rss_idle_points", [])),
        # The same samples before the trim: in use plus what the allocator holds at that moment.
        "rss_slope_second_half_untrimmed_mb": second_half_slope(state.get("rss_points", [])),
        # Growth that survives malloc_trim: memory still referenced (a leak) or fragmented beyond return.
        "rss_growth_after_trim_mb": round(
            ((end["rss_trimmed"] - base["rss_trimmed"]) - (end["sim_capture_mb"] - base["sim_capture_mb"]))
            / measured * 1000.0, 2),
        "sim_printer_capture_growth_mb": round(end["sim_capture_mb"] - base["sim_capture_mb"], 2),
        "fd_growth": end["fds"] - base["fds"],
        "thread_growth": end["threads"] - base["threads"],
        "gui_stall_ms": round(state["max_gap"] * 1000.0, 1),
        # the GUI thread's CPU time within that longest gap, and over all gaps above 50 ms
        "gui_stall_cpu_ms": round(state["max_gap_cpu"] * 1000.0, 1),
        # ... and the time it was runnable but waiting for a core (the rest of the gap it was blocked:
        # the interpreter lock, a lock, I/O)
        "gui_stall_run_queue_ms": round(state.get("max_gap_queued", 0.0) * 1000.0, 1),
        # All sessions: the GUI thread's CPU and its time runnable but without a core, per session.
        "gui_cpu_ms_per_session": round((gui_at_end[1] - state.get("gui_at_start", gui_at_end)[1]) * 1000.0 / measured, 1),
        "gui_run_queue_ms_per_session": round((gui_at_end[0] - state.get("gui_at_start", gui_at_end)[0]) * 1000.0
                                              / measured, 2),
        # ... and the CPU time the hypervisor took from the machine meanwhile (both CPUs; /proc/stat steal,
        # 10 ms ticks): a virtual machine's pauses, which no code of the kiosk can shorten
        "gui_stall_steal_ms": round(state.get("max_gap_stolen", 0.0) * 1000.0, 1),
        "gaps_over_50ms": state["gaps_over_50"],
        "gaps_over_50ms_with_steal": state.get("gaps_over_50_with_steal", 0),
        # the share of the machine's CPU time the hypervisor took over the measured sessions
        "steal_share": round((steal_s() - steal0) / max(1e-6, (time.monotonic() - steal_t0) * (os.cpu_count() or 1)), 3),
        "gaps_over_50ms_cpu_share": round(state["gaps_over_50_cpu"] / state["gaps_over_50_wall"], 2)
        if state["gaps_over_50_wall"] else 0.0,
        "gui_gc_longest_ms": gc_longest_ms,
        "gui_gc_collections": gc_collections,
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
