"""Start-up for bench scripts that run Qt: the one place they apply the PySide6 workaround.

Bench scripts are run as `python bench/NAME.py`, so this folder is on sys.path and
they `from qt_setup import apply_qt_workarounds` before creating a Q(Core)Application
or emitting a signal. See kiosk/pyside_refcount_fix.py for what is patched, the
version gate, the KIOSK_PYSIDE_REFCOUNT_FIX=0 opt-out and when to remove it.
"""
from __future__ import annotations

import sys
from pathlib import Path

_REPO = str(Path(__file__).resolve().parents[1])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)


def apply_qt_workarounds():
    from kiosk.pyside_refcount_fix import apply
    return apply()
