"""The one-way layers of .importlinter hold, and the domain core stays free of Qt and OpenCV.

`lint-imports` reads .importlinter (contracts and the reason for each ignored edge;
picture in docs/architecture.md). A broken contract fails this test with
import-linter's report, which names the offending import and line.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=str(REPO), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    kept = re.search(r"Contracts: (\d+) kept, 0 broken", result.stdout)
    assert kept and int(kept.group(1)) >= 8, result.stdout[-2000:]   # none silently dropped from .importlinter


CORE_IMPORT_CHECK = r"""
import importlib, pkgutil, sys
import kiosk.core
names = sorted(m.name for m in pkgutil.iter_modules(kiosk.core.__path__))
for name in names:
    importlib.import_module("kiosk.core." + name)
outside = ("PySide6", "shiboken6", "cv2", "numpy", "requests", "sqlite3", "PIL",
           "devices", "screens", "offline_cache", "reference_platform")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in outside
                or (m.startswith("kiosk.") and not m.startswith("kiosk.core")))
print(len(names), loaded)
"""


def test_importing_the_core_loads_neither_qt_nor_opencv():
    """Every kiosk.core module, imported in a fresh interpreter, pulls in no Qt, cv2 or project layer."""
    result = subprocess.run([sys.executable, "-c", CORE_IMPORT_CHECK], cwd=str(REPO), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    count, loaded = result.stdout.strip().split(" ", 1)
    assert int(count) >= 10          # the check really imported the core's modules
    assert loaded == "[]", f"importing kiosk.core loaded {loaded}"


def test_the_session_state_machine_imports_without_qt():
    result = subprocess.run([sys.executable, "-c", "import sys, kiosk.core.session; "
                             "print('PySide6' in sys.modules, 'cv2' in sys.modules)"],
                            cwd=str(REPO), capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "False"], result.stderr[-2000:]
