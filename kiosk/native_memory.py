"""glibc's allocator, tuned for a process that runs for months with a dozen threads.

ARENAS. glibc gives threads their own malloc arenas, up to 8 per core. Memory freed into one
arena is reused only by allocations that land in that arena, so a kiosk whose camera, document,
printer, outbox and platform threads each allocate and free megabytes (frames, receipts, JSON)
keeps ~a dozen half-empty arenas: RSS creeps up session after session although nothing leaks
(the soak, bench/soak.py: 4.3 MB per 1,000 sessions in its later half with glibc's default,
0.7 with 2 arenas). `limit_arenas(2)` = MALLOC_ARENA_MAX=2, set before the device threads start.

TRIM. glibc returns memory to the system only from the top of the main heap; `give_back()`
(malloc_trim(0)) also releases free pages inside the heap and the other arenas. Called on a
worker thread once the kiosk has stood idle after a session (kiosk.trim_memory_idle_s): ctypes
releases the GIL, but malloc_trim holds each arena's lock while it walks it (tens of ms on a
350 MB heap), and a GUI thread allocating meanwhile waits: measured as 40-60 ms stalls when it
ran at every session end.

THRESHOLDS. glibc adjusts two thresholds as it goes: a freed block bigger than the mmap threshold
(128 KiB at first) raises it to that block's size (up to 32 MiB), and the trim threshold to twice
that (mallopt(3), "dynamic mmap threshold"). After the first document-camera frame (1920 x 1080,
6 MiB) every arena may keep ~12 MiB of freed memory at its top, and malloc_trim gives back only the
main arena's top (glibc malloc.c `mtrim`: other arenas' free chunks but not their top). The soak
showed the second arena's share stepping up over hundreds of sessions (1 -> 9 MiB), noise and
apparent growth in every RSS sample. `fix_thresholds(4096, 4096)` sets both (which also switches
the adjustment off): blocks over 4 MiB (document frames) are mapped and unmapped on their own,
and an arena keeps at most 4 MiB free at its top (face-camera frames, up to 1280 x 720 = 2.6 MiB,
are reused from it). At 1 MiB every face frame was mapped and its pages faulted in afresh: the
camera and face-queue threads used 3x the CPU (+6 % of a core) in the soak.

THREAD ARENAS' TOPS. With the thresholds fixed, the other arena still keeps up to 4 MiB free at
its top (what the camera and job threads freed last), and malloc_trim(0) cannot give it back: glibc
malloc.c `mtrim` trims the main arena's top only (arena.c `heap_trim`, which shrinks a thread heap,
runs from free() alone, once a freed block of >= 64 KiB leaves more than M_TRIM_THRESHOLD at the top).
The soak showed it as 1-2 MiB that came and went in every RSS sample: noise larger than the trend it
measures. `give_back()` therefore also lowers the trim threshold for a moment and has a few
short-lived threads free a 256 KiB block each: new threads are handed the arenas in turn
(arena.c `reuse_arena`, or the free one from `get_free_list`), so each arena's top is trimmed by its
own free(); then the fixed threshold is restored. Only when `fix_thresholds` fixed a trim threshold
(it is what gets restored) and `arena_tops` was not switched off (kiosk.malloc_trim_arena_tops).
Measured on Debian 12's glibc 2.36; tests/test_native_memory.py checks it on the glibc at hand.

Both are glibc-only (mallopt/malloc_trim): on another C library they do nothing and say so.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import threading

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1     # glibc malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENA_PROBE_BLOCK = 256 * 1024    # >= glibc's FASTBIN_CONSOLIDATION_THRESHOLD (64 KiB): its free() trims
ARENA_PROBE_TRIM = 128 * 1024     # the trim threshold while the probes run
ARENA_PROBES = 3                  # threads; enough to be handed each of malloc_arenas = 2 arenas

_fixed_trim_threshold = 0         # bytes, set by fix_thresholds; 0 = glibc's dynamic one (left alone)
_trim_arena_tops = False
_probe_lock = threading.Lock()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def limit_arenas(count: int) -> bool:
    """At most `count` malloc arenas from now on (0 = leave glibc's default). True if applied."""
    if count <= 0:
        return False
    libc = _libc()
    if libc is None:
        log.info("malloc arenas: not glibc, left as they are")
        return False
    return bool(libc.mallopt(M_ARENA_MAX, count))


def fix_thresholds(mmap_threshold_kb: int, trim_threshold_kb: int, *, arena_tops: bool = True) -> bool:
    """Fixed mmap and trim thresholds (KiB; 0 leaves that one to glibc). True if all set were applied.
    `arena_tops`: give_back() also trims the other arenas' tops (see THREAD ARENAS' TOPS above)."""
    global _fixed_trim_threshold, _trim_arena_tops
    libc = _libc() if mmap_threshold_kb > 0 or trim_threshold_kb > 0 else None
    if libc is None:
        return False
    applied = True
    if mmap_threshold_kb > 0:
        applied &= bool(libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold_kb * 1024))
    if trim_threshold_kb > 0:
        trimmed = bool(libc.mallopt(M_TRIM_THRESHOLD, trim_threshold_kb * 1024))
        applied &= trimmed
        _fixed_trim_threshold = trim_threshold_kb * 1024 if trimmed else 0
        _trim_arena_tops = arena_tops and trimmed
    return applied


def give_back() -> bool:
    """Free pages go back to the system: the other arenas' tops (when the trim threshold is fixed),
    then glibc malloc_trim(0). True if some were released."""
    libc = _libc()
    if libc is None:
        return False
    tops = trim_arena_tops(libc) if _trim_arena_tops else False
    return bool(libc.malloc_trim(0)) or tops


def _free_a_block(libc: ctypes.CDLL) -> None:
    block = libc.malloc(ARENA_PROBE_BLOCK)
    if block:
        libc.free(block)


def trim_arena_tops(libc: ctypes.CDLL | None = None) -> bool:
    """Each arena's free top back to the system, down to ARENA_PROBE_TRIM (the threads' heaps, which
    malloc_trim leaves). True if the arenas now hold less memory from the system."""
    libc = libc or _libc()
    if libc is None or _fixed_trim_threshold <= 0:
        return False
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    with _probe_lock:
        before = _system_bytes(libc)
        if not libc.mallopt(M_TRIM_THRESHOLD, ARENA_PROBE_TRIM):
            return False
        try:
            for _ in range(ARENA_PROBES):
                probe = threading.Thread(target=_free_a_block, args=(libc,), name="malloc-arena-trim", daemon=True)
                probe.start()
                probe.join()
        finally:
            libc.mallopt(M_TRIM_THRESHOLD, _fixed_trim_threshold)
        after = _system_bytes(libc)
    return before is not None and after is not None and after < before


class _MallInfo2(ctypes.Structure):          # glibc malloc.h, struct mallinfo2 (glibc 2.33+)
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                 "fordblks", "keepcost")]


def _mallinfo2(libc: ctypes.CDLL):
    function = getattr(libc, "mallinfo2", None)
    if function is None:
        return None
    function.restype = _MallInfo2
    return function()


def _system_bytes(libc: ctypes.CDLL) -> int | None:
    """Bytes the arenas hold from the system (mallinfo2 `arena`: heaps, not blocks mapped alone)."""
    info = _mallinfo2(libc)
    return None if info is None else info.arena


def usage_kib() -> dict[str, int]:
    """glibc's own account (mallinfo2(3), all arenas), KiB: `in_use` handed out and not freed,
    `free` inside the arenas, `mapped` in blocks mapped on their own. RSS growing while `in_use`
    stays flat is fragmentation; `in_use` growing is memory somebody holds (bench/soak.py
    SOAK_SMAPS=1). Empty when the C library has no mallinfo2."""
    libc = _libc()
    info = _mallinfo2(libc) if libc is not None else None
    if info is None:
        return {}
    return {"in_use": info.uordblks // 1024, "free": info.fordblks // 1024, "mapped": info.hblkhd // 1024}
