"""systemd notify protocol (sd_notify) and the GUI-loop watchdog pinger.

With `Type=notify` and `WatchdogSec=` in the unit, systemd hands the service a
datagram socket in `$NOTIFY_SOCKET` and expects `WATCHDOG=1` at least every
`$WATCHDOG_USEC` microseconds; otherwise it kills and (Restart=always) restarts it.

The pings come from a QTimer on the GUI thread, on purpose: a ping from a helper
thread would keep a frozen GUI alive. If the event loop hangs (a blocking call on
the GUI thread, a deadlock), the timer stops firing and systemd restarts the kiosk.

The protocol is a single datagram of `KEY=VALUE` lines, so a plain socket is
enough (no libsystemd binding needed). An abstract socket address starts with "@".
"""
from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def sd_notify(message: str, env: dict | None = None) -> bool:
    """Sends one notification; False (not an error) when not run under systemd."""
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
        return True
    except OSError as exc:
        log.warning("sd_notify failed", extra={"error": f"{type(exc).__name__}: {exc}"})
        return False


def watchdog_interval_s(env: dict | None = None) -> float | None:
    """Half of WatchdogSec (systemd's recommendation), or None when no watchdog is set."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None      # the watchdog is meant for another process (e.g. a wrapper)
    try:
        return max(0.05, int(usec) / 1_000_000 / 2)
    except ValueError:
        return None


class GuiWatchdog:
    """Sends READY=1 once the event loop runs, then WATCHDOG=1 from a GUI-thread QTimer."""

    def __init__(self, env: dict | None = None):
        from PySide6.QtCore import QTimer
        self.env = os.environ if env is None else env
        self.interval_s = watchdog_interval_s(self.env)
        self.pings = 0
        self._timer = QTimer()
        self._timer.timeout.connect(self._ping)

    def start(self) -> None:
        from PySide6.QtCore import QTimer
        # READY=1 from the event loop, so "ready" means "the GUI is turning".
        QTimer.singleShot(0, lambda: sd_notify("READY=1\nSTATUS=kiosk running", self.env))
        if self.interval_s is not None:
            self._timer.start(int(self.interval_s * 1000))

    def stop(self) -> None:
        self._timer.stop()
        sd_notify("STOPPING=1", self.env)

    def _ping(self) -> None:
        if sd_notify("WATCHDOG=1", self.env):
            self.pings += 1
