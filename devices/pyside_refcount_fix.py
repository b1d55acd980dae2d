"""Work around a reference-count bug in PySide6 6.12 `SignalInstance`.

Measured with PySide6 6.12.0 on CPython 3.11: `SignalInstance.emit()` returns
`True` without taking a reference to it, and a failed `disconnect()` does the
same with `False`. Each call drops one reference the bool never had. In 3.11
True/False are not immortal, so after a few thousand emits their count reaches
zero and the interpreter aborts with "Fatal Python error: bool_dealloc:
deallocating True or False" (at exit, or in the middle of a session).

Importing this module patches the two methods once for the whole process,
adding back exactly the reference that was dropped. Each (method, result)
pair is probed first, so the patch does nothing on a PySide6 without the bug.
`devices.base` and `kiosk.face_verification` import it; main.py and the test
conftest should import it too, before any signal is emitted.
"""
from __future__ import annotations

import ctypes
import sys
import warnings

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBE_CALLS = 64

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _leaked_references(call, value: bool) -> int:
    """How many references to `value` disappear over _PROBE_CALLS calls of `call`."""
    before = sys.getrefcount(value)
    for _ in range(_PROBE_CALLS):
        call()
    lost = before - sys.getrefcount(value)
    for _ in range(max(0, lost)):   # give back what the probe itself took
        _incref(value)
    return lost


def _noop() -> None:
    pass


def _measure() -> dict[tuple[str, bool], bool]:
    probe = _Probe()
    leaks = {("emit", True): _leaked_references(probe.ping.emit, True) >= _PROBE_CALLS}

    def failed_disconnect():
        probe.ping.disconnect(_noop)

    def connect_then_disconnect():
        probe.ping.connect(_noop)
        probe.ping.disconnect(_noop)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # "Failed to disconnect": intended
        leaks[("disconnect", False)] = _leaked_references(failed_disconnect, False) >= _PROBE_CALLS
    leaks[("disconnect", True)] = _leaked_references(connect_then_disconnect, True) >= _PROBE_CALLS
    return leaks


def _wrap(name: str, leaking: frozenset):
    original = getattr(SignalInstance, name)

    def patched(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if result is True or result is False:
            if result in leaking:
                _incref(result)
        return result

    patched.__name__ = name
    patched.__doc__ = original.__doc__
    patched.__wrapped__ = original
    return patched


def _apply() -> dict[tuple[str, bool], bool]:
    if getattr(SignalInstance, "_kiosk_refcount_fix", None) is not None:
        return SignalInstance._kiosk_refcount_fix
    leaks = _measure()
    for name in ("emit", "disconnect"):
        leaking = frozenset(value for (method, value), leaks_it in leaks.items()
                            if method == name and leaks_it)
        if leaking:
            setattr(SignalInstance, name, _wrap(name, leaking))
    SignalInstance._kiosk_refcount_fix = leaks
    return leaks


DETECTED_LEAKS = _apply()


# --- void methods: every call drops a reference to None ----------------------------------
#
# Measured with PySide6 6.12.0 on CPython 3.11: *every* call of a C++ method
# returning void (QLabel.setText, QTimer.start, QCoreApplication.processEvents,
# QElapsedTimer.start, ...) returns None without taking a reference to it. None
# starts with a few thousand references, so a kiosk that renders its labels a
# few thousand times aborts with "Fatal Python error: none_dealloc" (found by
# bench/face.py's 500-verification soak). There is no single method to wrap,
# so None (and True/False, for whatever the wrappers above miss) get the
# treatment CPython 3.12 gives them by design (PEP 683, immortal objects): a
# reference count so large that no leak can bring it to zero. They are static
# singletons that are never freed anyway; deallocating one is always fatal.

_PIN_REFERENCES = 1 << 40     # ~10^12: at 10^4 leaked references per second, 3 years


def _void_call_leaks_none() -> bool:
    probe = _Probe()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    for _ in range(max(0, lost)):
        _incref(None)
    return lost >= _PROBE_CALLS


def _pin_singletons() -> bool:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False          # already immortal (PEP 683) / different object layout
    if getattr(SignalInstance, "_kiosk_singletons_pinned", False):
        return True
    if not _void_call_leaks_none():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object, at id(obj).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _PIN_REFERENCES
    SignalInstance._kiosk_singletons_pinned = True
    return True


SINGLETONS_PINNED = _pin_singletons()
