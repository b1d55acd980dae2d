"""Run a local pcscd with the vpcd virtual reader (tests, benchmark, demo rig).

pcscd is a system daemon with one fixed socket, `/run/pcscd/pcscd.comm`, and a
pid file next to it; a second pcscd refuses to start while the first lives.
`PcscDaemon` starts `pcscd --foreground` with its own reader.conf.d directory
(so the vpcd port is ours to choose), waits until clients can list the
readers, and on stop removes what a killed daemon leaves behind (socket, pid
file) so the next start never trips over them.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

RUN_DIR = Path("/run/pcscd")
SOCKET = RUN_DIR / "pcscd.comm"
PID_FILE = RUN_DIR / "pcscd.pid"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_READER_NAMES = ("Virtual PCD 00 00", "Virtual PCD 00 01")   # Debian builds 2 slots


class PcscdError(RuntimeError):
    pass


def pcscd_binary() -> str | None:
    return shutil.which("pcscd") or (
        "/usr/sbin/pcscd" if os.access("/usr/sbin/pcscd", os.X_OK) else None)


def running_pid() -> int | None:
    """The pid of a live pcscd according to its pid file, else None."""
    try:
        # pcscd writes "1234\n" plus a NUL byte.
        pid = int(PID_FILE.read_bytes().split(b"\n")[0].strip(b"\x00 "))
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid            # alive, owned by someone else
    try:   # a recycled pid belonging to something else is not a pcscd
        if "pcscd" not in Path(f"/proc/{pid}/comm").read_text():
            return None
    except OSError:
        pass
    return pid


CONF_DIR_PREFIX = "kiosk-pcscd-conf-"


def stop_leftover(timeout_s: float = 5.0) -> bool:
    """Stop a pcscd that one of our rigs started and never stopped (a test run killed
    with SIGKILL). Recognised by our config directory on its command line; any other
    pcscd is left alone. True if one was stopped."""
    pid = running_pid()
    if pid is None:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if CONF_DIR_PREFIX.encode() not in cmdline:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while running_pid() == pid and time.monotonic() < deadline:
        time.sleep(0.05)
    if running_pid() == pid:
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    remove_stale_files()
    return True


def remove_stale_files() -> None:
    """Socket and pid file of a pcscd that is no longer alive."""
    if running_pid() is None:
        for path in (SOCKET, PID_FILE):
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def list_readers() -> list[str]:
    """Reader names, [] when pcscd is not reachable (never raises)."""
    try:
        from smartcard.System import readers
        return [str(r) for r in readers()]
    except Exception:
        return []


def card_present(reader_name: str) -> bool:
    """Whether pcscd sees a card in `reader_name` now; False when pcscd or the
    reader is not reachable (never raises)."""
    try:
        from smartcard.scard import (SCARD_S_SUCCESS, SCARD_SCOPE_USER, SCARD_STATE_PRESENT,
                                     SCARD_STATE_UNAWARE, SCardEstablishContext,
                                     SCardGetStatusChange, SCardReleaseContext)
        hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
        if hresult != SCARD_S_SUCCESS:
            return False
        try:
            hresult, states = SCardGetStatusChange(context, 0, [(reader_name, SCARD_STATE_UNAWARE)])
            return hresult == SCARD_S_SUCCESS and bool(states[0][1] & SCARD_STATE_PRESENT)
        finally:
            SCardReleaseContext(context)
    except Exception:
        return False


def vpcd_config(port: int, name: str = "Virtual PCD") -> str:
    return (f'FRIENDLYNAME "{name}"\n'
            f"DEVICENAME   /dev/null:0x{port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{port:04X}\n")


class PcscDaemon:
    """One pcscd process with one vpcd reader (two slots: `port`, `port + 1`)."""

    def __init__(self, vpcd_port: int = 35963, log_path: str | os.PathLike | None = None,
                 apdu_log: bool = False):
        self.vpcd_port = vpcd_port
        self.log_path = Path(log_path) if log_path else None
        self.apdu_log = apdu_log
        self._proc: subprocess.Popen | None = None
        self._conf_dir: str | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 15.0) -> None:
        binary = pcscd_binary()
        if binary is None:
            raise PcscdError("pcscd is not installed (Debian package pcscd)")
        if not VPCD_DRIVER.exists():
            raise PcscdError(f"vpcd driver missing: {VPCD_DRIVER} (Debian package vsmartcard-vpcd)")
        other = running_pid()
        if other is not None:
            raise PcscdError(f"another pcscd (pid {other}) is running; stop it first")
        remove_stale_files()
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        if self._conf_dir:          # left by a kill() before this restart
            shutil.rmtree(self._conf_dir, ignore_errors=True)
        self._conf_dir = tempfile.mkdtemp(prefix=CONF_DIR_PREFIX)
        Path(self._conf_dir, "vpcd").write_text(vpcd_config(self.vpcd_port))
        args = [binary, "--foreground", "--config", self._conf_dir]
        if self.apdu_log:
            args += ["--debug", "--apdu"]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        try:
            self._proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL)
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PcscdError(f"pcscd exited with code {self._proc.returncode} at start"
                                 + (f" (log: {self.log_path})" if self.log_path else ""))
            if SOCKET.exists() and list_readers():
                log.info("pcscd %d ready (vpcd port %d)", self._proc.pid, self.vpcd_port)
                return
            time.sleep(0.05)
        self.kill()
        raise PcscdError(f"pcscd did not become ready within {timeout_s:g} s")

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it lingers; leaves no stale socket."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._cleanup()

    def kill(self) -> None:
        """SIGKILL, as a crash would; the stale socket is left for `start()` to clean."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def _cleanup(self) -> None:
        remove_stale_files()
        if self._conf_dir:
            shutil.rmtree(self._conf_dir, ignore_errors=True)
            self._conf_dir = None
