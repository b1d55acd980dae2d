"""The PySide6 6.12 emit()/disconnect() refcount workaround (devices.pyside_refcount_fix)."""
from __future__ import annotations

import sys
import threading
import warnings

from PySide6.QtCore import QObject, Signal

import devices.pyside_refcount_fix  # noqa: F401


class Emitter(QObject):
    ping = Signal()
    text = Signal(str)


def test_emits_do_not_eat_references_to_true(qtbot):
    emitter = Emitter()
    received = []
    emitter.text.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(2000):
        emitter.ping.emit()
    worker = threading.Thread(target=lambda: [emitter.text.emit("x") for _ in range(500)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(received) == 500)
    # Without the fix this drops by 2500 and the interpreter aborts at exit.
    assert abs(sys.getrefcount(True) - before) < 50


def test_disconnect_does_not_eat_references(qtbot):
    emitter = Emitter()

    def slot():
        pass

    before = sys.getrefcount(True), sys.getrefcount(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(500):
            emitter.ping.connect(slot)
            emitter.ping.disconnect(slot)      # succeeds: returns True
            emitter.ping.disconnect(slot)      # fails: returns False
    assert abs(sys.getrefcount(True) - before[0]) < 50
    assert abs(sys.getrefcount(False) - before[1]) < 50
