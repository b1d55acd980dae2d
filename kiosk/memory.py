"""Give freed heap memory back to the operating system (glibc's `malloc_trim`).

Why: a kiosk runs for months. Every session allocates and frees many objects on
several threads (device workers, HTTP, Qt, image encoding); glibc keeps freed
memory in its per-thread arenas, so the kiosk's RSS creeps up with no leak at
all (bench/soak.py measures RSS both before and after a trim to tell the two
apart). Trimming when a session ends returns those pages; pages given back are
dropped by the kernel, so the freed copies of the citizen's data in them go too.

No-op where the C library has no malloc_trim (musl, macOS).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading

log = logging.getLogger(__name__)

_malloc_trim = None
try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _malloc_trim = _libc.malloc_trim
    _malloc_trim.argtypes = [ctypes.c_size_t]
    _malloc_trim.restype = ctypes.c_int
except (OSError, AttributeError):
    _malloc_trim = None


def trim_available() -> bool:
    return _malloc_trim is not None


def release_freed_memory() -> bool:
    """Return free heap pages to the OS now (takes a few ms: call it off the GUI thread).
    True when the C library released something."""
    if _malloc_trim is None:
        return False
    return bool(_malloc_trim(0))


def release_freed_memory_soon() -> None:
    """Trim on a short-lived background thread (the GUI thread never waits for it)."""
    if _malloc_trim is not None:
        threading.Thread(target=release_freed_memory, name="malloc-trim", daemon=True).start()
