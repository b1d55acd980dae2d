"""Work around reference-count bugs in PySide6 6.12 (`SignalInstance` bools; None, see below).

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


# --- None -------------------------------------------------------------------------------
#
# The same PySide6 6.12.0 build also drops a reference to None on every call of a method
# that returns nothing (measured: QLabel.clear(), QWidget.hide(), QLayoutItem.widget() on a
# spacer, ... each lose exactly one reference per call). None starts with a few thousand
# references, so a kiosk aborts with "Fatal Python error: none_dealloc" after some minutes of
# use; bench/soak.py hit it after ~100 citizen sessions. There are hundreds of such methods,
# so wrapping them one by one is hopeless. Python 3.12 solved the general problem by making
# None immortal (its reference count is pinned at a huge value); on 3.11 we do the same by
# hand, once, when the leak is measured: None is never deallocated anyway (deallocating it is
# a fatal error), so a larger count changes nothing else. 2**60 references at one leak per
# call lasts longer than any kiosk will run.

_IMMORTAL_BOOST = 1 << 60


def _none_leaks_per_void_call() -> bool:
    probe = _Probe()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.blockSignals(False)        # a plain Qt call; returns the previous value (a bool)
        probe.setObjectName("probe")     # returns nothing
    lost = before - sys.getrefcount(None)
    for _ in range(max(0, lost)):
        _incref(None)
    return lost >= _PROBE_CALLS


def _pin_none() -> bool:
    if getattr(SignalInstance, "_kiosk_none_pinned", None) is not None:
        return SignalInstance._kiosk_none_pinned
    leaking = sys.version_info < (3, 12) and _none_leaks_per_void_call()
    if leaking:
        # ob_refcnt is the first field of every PyObject in release builds of CPython 3.11.
        refcount = ctypes.c_ssize_t.from_address(id(None))
        refcount.value += _IMMORTAL_BOOST
    SignalInstance._kiosk_none_pinned = leaking
    return leaking


NONE_LEAK_PINNED = _pin_none()
