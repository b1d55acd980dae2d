"""Work around reference-count bugs in PySide6 6.12: apply() once at start-up.

WHAT. Measured with PySide6 6.12.0 on CPython 3.11:

1. `SignalInstance.emit()` returns `True` without taking a reference to it, and
   a failed `disconnect()` does the same with `False`. Each call drops one
   reference the bool never had. In 3.11 True/False are not immortal, so after a
   few thousand emits their count reaches zero and the interpreter aborts with
   "Fatal Python error: bool_dealloc: deallocating True or False".
2. Every call of a C++ method returning void (QLabel.setText, QTimer.start, ...)
   returns None without taking a reference: "Fatal Python error: none_dealloc"
   after a few thousand renders (found by bench/face.py's soak).

`apply()` wraps `emit`/`disconnect` to add back exactly the reference that was
dropped (each (method, result) pair is probed first, so nothing is wrapped on a
PySide6 without the bug) and, for (2), where there is no single method to wrap,
PINS None, True and False: it adds 2**40 to their reference counts by writing
`ob_refcnt` through ctypes (the treatment CPython 3.12 gives them by design,
PEP 683 immortal objects). This is the riskiest part: it writes into the
interpreter's own objects; it is done only on CPython < 3.12 and only when a
probe shows the None leak.

UPSTREAM. Not found in the Qt bug tracker (https://bugreports.qt.io, project
PYSIDE) when this was written; the reproducer is tests/test_soak_leaks.py
(a label re-rendered in a loop aborts without the fix). Whoever files it puts
the PYSIDE-nnnn number here.

WHERE IT IS APPLIED. Once per process, at start-up, by the programs that run Qt:
main.py (the kiosk and `diagnose`/`face-compare`), tests/conftest.py,
bench/_qt.py (bench scripts), sim/demo/screenshots.py and
`python -m devices.printer.technician`. Importing this module patches nothing.

GATE. Applied only for PySide6 versions in `AFFECTED` (the ones measured), and
not at all when the environment sets KIOSK_PYSIDE_REFCOUNT_FIX=0 (or off/no/
false) - e.g. to check whether a new PySide6 still needs it.

REMOVE WHEN requirements.txt pins a PySide6 outside `AFFECTED` and
tests/test_devices_pyside_fix.py::test_the_gate_covers_every_leaking_version
passes with it (the probes find no leak on that version), or the kiosk runs on
CPython >= 3.12 *and* the emit/disconnect probes report no leak. Then delete
this module and its apply() calls listed above.
"""
from __future__ import annotations

import ctypes
import os
import sys
import warnings
from dataclasses import dataclass, field

import PySide6
from PySide6.QtCore import QObject, Signal, SignalInstance

ENV_OPT_OUT = "KIOSK_PYSIDE_REFCOUNT_FIX"
_OFF_VALUES = {"0", "off", "no", "false"}
# [first, end) of the PySide6 (major, minor) versions the workaround is for: measured on 6.12.0.
AFFECTED = ((6, 12), (6, 13))


@dataclass(frozen=True)
class FixStatus:
    """What apply() did: `applied` False with `reason` "opted out" or "version ..." when it did nothing."""
    applied: bool
    reason: str
    version: tuple[int, ...]
    leaks: dict[tuple[str, bool], bool] = field(default_factory=dict)
    singletons_pinned: bool = False


def pyside_version() -> tuple[int, ...]:
    return tuple(PySide6.__version_info__[:3])


def is_affected(version: tuple[int, ...]) -> bool:
    """True for the PySide6 versions in AFFECTED (compared by major.minor)."""
    first, end = AFFECTED
    return first <= tuple(version[:2]) < end


def opted_out(environ=None) -> bool:
    value = (os.environ if environ is None else environ).get(ENV_OPT_OUT, "")
    return value.strip().lower() in _OFF_VALUES


_status: FixStatus | None = None


def apply(environ=None, version: tuple[int, ...] | None = None) -> FixStatus:
    """Patch the process once (idempotent; later calls return the first status).

    `environ` and `version` default to os.environ and the installed PySide6; tests pass others.
    Call before the first signal is emitted.
    """
    global _status
    if _status is not None:
        return _status
    version = pyside_version() if version is None else tuple(version)
    if opted_out(environ):
        return FixStatus(False, f"opted out ({ENV_OPT_OUT})", version)
    if not is_affected(version):
        return FixStatus(False, f"version: PySide6 {'.'.join(map(str, version))} is outside "
                                f"{AFFECTED[0]}..{AFFECTED[1]} (exclusive)", version)
    leaks = _apply()
    _status = FixStatus(True, "applied", version, dict(leaks), _pin_singletons())
    return _status


def status() -> FixStatus | None:
    """The status of the apply() that patched this process, or None if nothing was patched."""
    return _status


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

