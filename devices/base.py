"""What every kiosk device has in common: a status, a worker thread, commands.

Device I/O blocks (serial reads, USB writes, camera grabs), so each device owns
one worker thread and the GUI thread only ever queues commands to it. Results
come back as Qt signals emitted from that worker thread; Qt delivers them
queued to receivers living in the GUI thread, so slots never run on the worker.

Every command carries a deadline and a cancel flag (`Command`). Device code
waits through `Command.wait()` instead of `time.sleep()`, so a cancel or a
timeout interrupts it at once.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from enum import Enum
from typing import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class DeviceStatus(str, Enum):
    """Device states in the XFS4IoT `Common.Status.device` vocabulary."""

    ONLINE = "online"
    OFFLINE = "offline"
    BUSY = "busy"
    HARDWARE_ERROR = "hardwareError"
    USER_ERROR = "userError"     # a person prevents operation: cover open, paper out
    NO_DEVICE = "noDevice"
    STARTING = "starting"


class Command:
    """One unit of device work: a name, an optional deadline and a cancel flag."""

    def __init__(self, name: str, timeout_s: float | None = None):
        self.name = name
        self.timeout_s = timeout_s
        self.deadline = None if timeout_s is None else time.monotonic() + timeout_s
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative); None without a deadline."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, cut short by the deadline or a cancel.

        Returns True when the full time passed, False when the command was
        cancelled or its deadline came first, so callers read
        `if not command.wait(x): ...stop...`.
        """
        remaining = self.remaining()
        sleep_for = seconds if remaining is None else min(seconds, remaining)
        if sleep_for == float("inf"):   # no deadline, wait forever: only a cancel ends it
            self._cancelled.wait()
            return False
        if self._cancelled.wait(max(0.0, sleep_for)):
            return False
        return sleep_for >= seconds


class DeviceWorker:
    """A thread that runs submitted callables one after another, in order."""

    _STOP = object()

    def __init__(self, name: str):
        self.name = name
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def submit(self, job: Callable[[], None]) -> None:
        if self._thread is None:
            raise RuntimeError(f"worker {self.name} is not started")
        self._queue.put(job)

    def stop(self, join_timeout_s: float = 3.0) -> bool:
        """Ask the thread to finish after the queued jobs; True if it ended in time."""
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        self._queue.put(self._STOP)
        if threading.current_thread() is thread:
            return True  # stop() from a job: the loop ends when the job returns
        thread.join(join_timeout_s)
        if thread.is_alive():
            log.warning("device worker %s did not stop within %.1f s", self.name, join_timeout_s)
            return False
        return True

    def pending(self) -> int:
        """Jobs queued and not started yet (idle-time polling yields to them)."""
        return self._queue.qsize()

    def is_current_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is self._STOP:
                return
            try:
                job()
            except Exception:  # a device bug must not kill the worker; subclasses report errors themselves
                log.exception("device worker %s: job failed", self.name)


class Device(QObject):
    """Base class: status bookkeeping, worker thread, current-command tracking.

    Subclasses override `_open_on_worker()` / `_close_on_worker()` and queue
    their own commands with `_submit()`.
    """

    status_changed = Signal(str)
    name: str = "device"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._lock = threading.RLock()
        self._status = DeviceStatus.OFFLINE
        self._last_error: str | None = None
        self._worker: DeviceWorker | None = None
        self._current: Command | None = None

    # --- public API ----------------------------------------------------------

    def status(self) -> DeviceStatus:
        with self._lock:
            return self._status

    def last_error(self) -> str | None:
        with self._lock:
            return self._last_error

    def open(self) -> None:
        """Start the worker and open the device on it. Returns at once."""
        with self._lock:
            if self._worker is not None:
                return
            self._worker = DeviceWorker(self.name)
            self._worker.start()
        self._set_status(DeviceStatus.STARTING)
        self._worker.submit(self._open_job)

    def close(self) -> None:
        """Cancel the running command, close the device, stop the worker. Idempotent."""
        with self._lock:
            worker, self._worker = self._worker, None
            current = self._current
        if worker is None:
            return
        if current is not None:
            current.cancel()
        worker.submit(self._close_job)
        worker.stop()

    # --- for subclasses ------------------------------------------------------

    def _open_on_worker(self) -> None:
        """Connect to the hardware. Runs on the worker. Default: nothing to connect."""
        self._set_status(DeviceStatus.ONLINE)

    def _close_on_worker(self) -> None:
        """Release the hardware. Runs on the worker."""

    def _submit(self, job: Callable[[], None]) -> None:
        """Queue `job` on the worker, opening the device first if nobody did."""
        if self._worker is None:
            self.open()
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.submit(job)

    def _start_command(self, name: str, timeout_s: float | None) -> Command:
        """A new current command; the previous one (if any) is cancelled."""
        command = Command(name, timeout_s)
        with self._lock:
            previous, self._current = self._current, command
        if previous is not None:
            previous.cancel()
        return command

    def _finish_command(self, command: Command) -> None:
        with self._lock:
            if self._current is command:
                self._current = None

    def _cancel_current(self) -> None:
        with self._lock:
            current = self._current
        if current is not None:
            current.cancel()

    def _set_status(self, status: DeviceStatus, error: str | None = None) -> None:
        """Record a status (and the technician-facing error, never PII); signal changes."""
        with self._lock:
            changed = status != self._status
            self._status = status
            if error is not None:
                self._last_error = error
        if changed:
            log.info("%s: status %s%s", self.name, status.value, f" ({error})" if error else "")
            self.status_changed.emit(status.value)

    def _open_job(self) -> None:
        try:
            self._open_on_worker()
        except Exception as exc:
            self._set_status(DeviceStatus.HARDWARE_ERROR, f"open failed: {type(exc).__name__}: {exc}")

    def _close_job(self) -> None:
        try:
            self._close_on_worker()
        except Exception:
            log.exception("%s: close failed", self.name)
        self._set_status(DeviceStatus.OFFLINE)
