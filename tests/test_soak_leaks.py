"""Leaks the soak bench found, pinned down in quick tests."""
from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from offline_cache.outbox import Outbox, Submission

pytestmark = pytest.mark.slow   # soak-like loops (the soak bench's findings)


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_outbox_used_from_many_short_lived_threads_keeps_fds_flat(tmp_path):
    # The controller saves every application and rating on its own short-lived thread.
    outbox = Outbox(tmp_path / "outbox.sqlite3", tmp_path / "device.key")

    def save():
        sid = str(uuid.uuid4())
        outbox.enqueue(Submission(sid, "application", {"application_id": sid}, time.time()))

    def run_threads(count):
        for _ in range(count):
            thread = threading.Thread(target=save)
            thread.start()
            thread.join()
    run_threads(5)
    before = fds()
    run_threads(100)
    assert fds() - before <= 4, f"{fds() - before} file descriptors leaked by 100 threads"
    assert outbox.stats().pending == 105
    outbox.close()


CHILD = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "fixed":
    import kiosk.pyside_refcount_fix
    kiosk.pyside_refcount_fix.apply()
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
app = QApplication([])
widget = QWidget()
layout = QVBoxLayout(widget)
layout.addStretch(1)
label = QLabel("x")
for _ in range(400_000):          # about what a few hundred citizen sessions do
    label.clear()
    layout.itemAt(0).widget()     # a spacer: returns None
print("survived", sys.getrefcount(None) > 0)
"""


def test_void_qt_calls_do_not_exhaust_none():
    """PySide6 6.12.0 drops a reference to None per void call; the soak crashed with
    'none_dealloc' after ~100 sessions. With the fix imported the process survives."""
    import subprocess
    import sys
    from pathlib import Path
    root = str(Path(__file__).resolve().parents[1])
    fixed = subprocess.run([sys.executable, "-c", CHILD, root, "fixed"], capture_output=True, text=True, timeout=120)
    assert fixed.returncode == 0 and "survived True" in fixed.stdout, fixed.stderr[-2000:]


def test_clear_layout_deletes_every_item_it_takes_out(qtbot):
    """QLayout.takeAt() leaves the item for the caller to delete and PySide6 does not own it: the
    soak leaked one QWidgetItem per widget of every rebuilt form (heaptrack, ~1.75 KB a session)."""
    from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget
    from shiboken6 import Shiboken

    from screens.base import clear_layout
    host = QWidget()
    qtbot.addWidget(host)
    grid = QGridLayout(host)
    labels = [QLabel(f"field {n}") for n in range(3)]
    for row, widget in enumerate(labels):
        grid.addWidget(widget, row, 0)
    nested = QHBoxLayout()
    nested.addWidget(QLabel("nested"))
    nested.addStretch(1)
    grid.addLayout(nested, 3, 0)
    items = [grid.itemAt(n) for n in range(grid.count())] + [nested.itemAt(n) for n in range(nested.count())]
    assert len(items) == 6 and all(Shiboken.isValid(item) for item in items)
    clear_layout(grid)
    assert grid.count() == 0
    kept = [type(item).__name__ for item in items if Shiboken.isValid(item) and item is not nested]
    assert kept == [], f"items taken out but not deleted: {kept}"
    qtbot.waitUntil(lambda: not any(Shiboken.isValid(widget) for widget in labels), timeout=2000)


def test_only_clear_layout_takes_items_out_of_layouts():
    """Every item taken out of a layout must be deleted; the one place that does it is clear_layout."""
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    found = []
    for folder in ("screens", "kiosk", "devices", "sim"):
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
            for function in functions:
                for node in ast.walk(function):
                    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                            and node.func.attr in ("takeAt", "removeItem", "replaceWidget")):
                        found.append(f"{path.relative_to(root)}:{function.name}")
    assert found == ["screens/base.py:clear_layout"], found
