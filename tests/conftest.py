"""Shared fixtures: a real reference platform on loopback, a kiosk configuration in tmp_path."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk import pyside_refcount_fix  # noqa: E402

# Once per test process, before any signal is emitted (see the module: bug, gate, opt-out, removal).
pyside_refcount_fix.apply()

import gc  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

DEFAULT_SWITCH_INTERVAL_S = sys.getswitchinterval()     # CPython's 5 ms, before any kiosk set its own

# Garbage is collected on the main (GUI) thread only. With automatic collection, a cycle holding
# Qt objects can be collected on whichever thread happens to allocate (a uvicorn worker, the outbox
# sender), running Qt destructors off their thread: seen as rare segfaults "Garbage-collecting" on
# the platform's server thread. Each test ends with a full collection on the main thread instead
# (the kiosk's own collector, kiosk/gui_gc.py, does the same in the product). What a kiosk froze as
# long-lived is unfrozen first: one test's kiosk is garbage for the next.
gc.disable()


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread():
    yield
    gc.unfreeze()
    gc.collect()
    from devices.helper_process import set_niceness
    set_niceness(0)      # a test that built a kiosk from kiosk.toml must not slow the next test's helpers
    sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL_S)   # nor leave the next test its GIL switch interval


from kiosk.config import config_from_dict  # noqa: E402
from tests.ci_policy import pytest_runtest_makereport  # noqa: E402,F401  (CI=true: a skip is a failure)


@pytest.fixture
def platform_server(tmp_path):
    from reference_platform.server import ReferencePlatformServer
    server = ReferencePlatformServer(tmp_path / "platform.sqlite3")
    server.start()
    yield server
    server.stop()


def kiosk_config(tmp_path, platform_url: str, **overrides):
    """A demo-style configuration: simulated devices (so `[kiosk] demo = true`), data in tmp_path."""
    raw = {
        "kiosk": {"id": "TEST-KIOSK-1", "data_dir": str(tmp_path / "kiosk-data"), "fullscreen": False, "demo": True,
                  # Helpers at the tests' own priority: four test workers share the cores, and a niced
                  # face worker would starve behind them (the product's 10 is tested on its own).
                  "helper_niceness": 0,
                  # The test process's threads (platform servers, other kiosks) keep their priority
                  # (tests/test_thread_priority.py checks the sweep on threads of its own).
                  "worker_thread_niceness": 0,
                  # CPython's own switch interval: the suite's timing as it was (tests/test_gil.py checks 0.5 ms)
                  "gil_switch_interval_ms": 0},
        "platform": {"url": platform_url, "submit_wait_s": 8.0, "connect_timeout_s": 1.0, "read_timeout_s": 3.0},
        "timeouts": {"idle_s": 120.0, "card_read_s": 10.0, "face_s": 30.0, "receipt_s": 120.0},
        "devices": {"id_reader": {"backend": "sim", "identity": "elderly", "delay_s": 0.2},
                    "camera": {"backend": "sim", "fps": 10},
                    "printer": {"backend": "sim"}},
    }
    for section, values in overrides.items():
        raw.setdefault(section, {}).update(values)
    return config_from_dict(raw)
