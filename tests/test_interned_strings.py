"""kiosk/interned_strings.py: CPython's interned-string table reaches its steady size at start-up."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import interned_strings
from kiosk.settings import KioskSection

ROOT = Path(__file__).resolve().parents[1]

# In a fresh interpreter traced from its start (-X tracemalloc), the largest block alive is the
# interned-string table (the strings themselves are small blocks, the list holding them 0.5 MB).
# The kiosk's ~60,000 interned strings are stood in for by `live`; the sessions' short-lived
# unique names (pathlib interns each one) by the churn, in batches as a session makes them.
SCRIPT = """
import json, sys, tracemalloc
from pathlib import PurePosixPath
from kiosk import interned_strings
live = [sys.intern(f"live-{i}") for i in range(60_000)]
def table():
    return max(trace.size for trace in tracemalloc.take_snapshot().traces)
presized = interned_strings.presize() if sys.argv[1] == "on" else False
after_start = table()
for session in range(2_000):
    names = [PurePosixPath("/var/kiosk", f"receipt-{session}-{n}.png").name for n in range(14)]
    del names
print(json.dumps({"presized": presized, "after_start": after_start, "after_sessions": table()}))
"""


def run(switch: str) -> dict:
    result = subprocess.run([sys.executable, "-X", "tracemalloc", "-c", SCRIPT, switch], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not interned_strings.needed(), reason="pathlib no longer interns (Python >= 3.14)")
def test_the_sessions_no_longer_grow_the_table_once_it_is_presized():
    off, on = run("off"), run("on")
    # Without it: 28,000 unique names interned and dropped make the table step up mid-run, by 2x.
    assert off["after_sessions"] >= 1.9 * off["after_start"], off
    # With it: the table already has that size after start-up, and the same sessions leave it there.
    assert on["presized"] is True
    assert on["after_start"] >= 1.9 * off["after_start"], (on, off)
    assert on["after_sessions"] == on["after_start"], on


def test_presize_runs_once_per_process(monkeypatch):
    monkeypatch.setattr(interned_strings, "_done", False)
    assert interned_strings.presize(insertions=3_000) is interned_strings.needed()
    assert interned_strings.presize(insertions=3_000) is False


def test_not_needed_from_the_python_that_fixed_pathlib():
    assert interned_strings.needed((3, 11)) and interned_strings.needed((3, 13))
    assert not interned_strings.needed((3, 14))


def test_the_switch_is_declared_once_and_on_by_default():
    field = {f.name: f for f in dataclasses.fields(KioskSection)}["presize_interned_strings"]
    assert field.default is True and "gh-119518" in field.metadata["help"]
    assert "presize_interned_strings = true" in (ROOT / "kiosk.toml").read_text("utf-8")
