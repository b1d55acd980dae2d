"""kiosk/memory.py: freed heap memory really goes back to the OS (a real process, /proc RSS)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.memory import trim_available

REPO = Path(__file__).resolve().parents[1]

# What a session does to the heap, in miniature: a worker thread allocates many
# malloc-sized objects (> 512 bytes, so not Python's own small-object pool) and
# frees them all but a few scattered survivors, which keep glibc from giving the
# thread arena back by itself.
CHILD = r"""
import sys, threading
sys.path.insert(0, sys.argv[1])
from kiosk.memory import release_freed_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

kept = []
def session():
    blocks = [bytes(2000) + bytes([i % 256]) for i in range(100_000)]
    kept.extend(blocks[::5000])
threading.Thread(target=session).start()
import time
while threading.active_count() > 1:
    time.sleep(0.01)
before = rss_mb()
release_freed_memory()
print(f"{before:.1f} {rss_mb():.1f}")
"""


@pytest.mark.skipif(not trim_available(), reason="C library without malloc_trim (not glibc)")
def test_trim_returns_freed_heap_memory_to_the_os():
    result = subprocess.run([sys.executable, "-c", CHILD, str(REPO)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    before, after = map(float, result.stdout.split())
    assert before - after > 100, (before, after)       # ~200 MB allocated; most of it comes back

