"""A private CUPS print path on loopback: `cupsd` with its own configuration, spool and logs in a
temp directory, and a virtual IPP Everywhere printer (`ippeveprinter` from cups-ipp-utils)
whose "engine" is sim/document_printer/fake_engine.py (page counting and fault injection).

    rig = CupsRig.start()                  # ~1 s; rig.server = "127.0.0.1:PORT", rig.queue = "KioskA4"
    rig.set_fault("paper_out", after=1)    # the next jobs run out of paper after one page
    rig.stop_cupsd(); rig.start_cupsd()    # cupsd down / back
    rig.stop_printer(); rig.start_printer()  # the printer off / on (cupsd keeps retrying)
    rig.close()                            # SIGKILL everything it started, remove the directory

ippeveprinter needs a D-Bus system bus for its (unused) DNS-SD registration; the rig starts a
private dbus-daemon in the temp directory and points DBUS_SYSTEM_BUS_ADDRESS at it.
Used by tests/test_document_printer_cups.py, bench/print_a4.py and the demo.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ENGINE = Path(__file__).with_name("fake_engine.py")
REQUIRED_COMMANDS = ("cupsd", "ippeveprinter", "lpadmin", "dbus-daemon", "pdfinfo")

CUPSD_CONF = """\
LogLevel warn
Listen 127.0.0.1:{port}
Browsing No
DefaultAuthType None
# No document outlives its job: spool files go when the job ends; only the history (job id,
# opaque title, states) stays, for the technician's "last jobs".
PreserveJobFiles No
PreserveJobHistory Yes
MaxJobs 1000
MaxJobTime 300
JobRetryInterval 1
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Policy default>
  # Job titles are opaque request ids (no personal data): the technician page may list them.
  JobPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
ServerBin /usr/lib/cups
DataDir /usr/share/cups
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
User lp
Group lp
Sandboxing relaxed
"""


def missing_commands() -> list[str]:
    return [c for c in REQUIRED_COMMANDS if shutil.which(c) is None and not Path("/usr/sbin", c).exists()]


# Below Linux's ephemeral range (ip_local_port_range, 32768-60999 by default): a port the kernel picked
# for us (bind to 0) was free only until our printer was stopped for a fault; meanwhile any other
# process (another test worker's rig, an outgoing connection) could be given it, and our cupsd then
# sent its jobs to a stranger that printed them without our fault (seen once: a "jam" job completed).
RIG_PORTS = range(20000, 32000)


def _free_port(avoid: tuple[int, ...] = ()) -> int:
    """A free port of RIG_PORTS, starting at a place that depends on the process (test workers
    spread out) and never one of `avoid`."""
    start = (os.getpid() * 7919) % len(RIG_PORTS)
    for step in range(len(RIG_PORTS)):
        port = RIG_PORTS[(start + step * 7) % len(RIG_PORTS)]
        if port in avoid:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise CupsRigError(f"no free port in {RIG_PORTS.start}-{RIG_PORTS.stop - 1} for the A4 rig")


def _which(command: str) -> str:
    return shutil.which(command) or str(Path("/usr/sbin", command))


class CupsRigError(RuntimeError):
    pass


class CupsRig:
    queue = "KioskA4"

    def __init__(self, root: Path):
        self.root = root
        self.cupsd_port = _free_port()
        self.printer_port = _free_port(avoid=(self.cupsd_port,))
        self.control_path = root / "engine" / "control.json"
        self._procs: dict[str, subprocess.Popen] = {}
        self._queue_added = False

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.cupsd_port}"

    @property
    def printer_uri(self) -> str:
        return f"ipp://localhost:{self.printer_port}/ipp/print"

    @property
    def spool_dir(self) -> Path:
        return self.root / "spool"

    @classmethod
    def start(cls, base: str | None = None) -> "CupsRig":
        missing = missing_commands()
        if missing:
            raise CupsRigError(f"missing commands: {', '.join(missing)} (scripts/bootstrap.sh installs them)")
        root = Path(tempfile.mkdtemp(prefix="a4rig-", dir=base))
        root.chmod(0o755)   # cupsd runs its backends as lp: they must reach the spool
        for sub in ("spool", "spool/tmp", "cache", "state", "log", "engine", "run", "printer"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        rig = cls(root)
        try:
            rig.set_fault("ok")
            rig._start_dbus()
            rig.start_printer()
            rig.start_cupsd()
            rig.add_queue()
        except Exception:
            rig.close()
            raise
        return rig

    # --- processes -----------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> None:
        log = open(self.root / "log" / f"{name}.out", "ab")
        try:
            self._procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                                 env={**os.environ, **(env or {})}, start_new_session=True)
        finally:
            log.close()

    def _kill(self, name: str) -> None:
        """SIGKILL the process and its group: an engine ippeveprinter was running (a "hang" job)
        goes with its printer instead of outliving the rig."""
        proc = self._procs.pop(name, None)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)      # its own session (start_new_session): pgid == pid
        except ProcessLookupError:
            pass
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(5)

    def _wait_port(self, port: int, name: str, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            proc = self._procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise CupsRigError(f"{name} exited with {proc.returncode}: see {self.root}/log/{name}.out")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise CupsRigError(f"{name} did not listen on {port} within {timeout_s} s")

    def _start_dbus(self) -> None:
        self._spawn("dbus", ["dbus-daemon", "--session", f"--address=unix:path={self.root}/run/dbus.sock",
                             "--nofork", "--nopidfile"])
        deadline = time.monotonic() + 5
        while not (self.root / "run" / "dbus.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def start_printer(self) -> None:
        if "printer" in self._procs:
            return
        self._spawn("printer", [_which("ippeveprinter"), "-p", str(self.printer_port), "-n", "localhost",
                                "-d", str(self.root / "printer"), "-c", str(ENGINE), "-f", "application/pdf",
                                "-r", "off", "-M", "Kiosk", "-m", "Virtual A4", self.queue],
                    env={"A4_RIG_CONTROL": str(self.control_path),
                         "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={self.root}/run/dbus.sock"})
        self._wait_port(self.printer_port, "printer")

    def stop_printer(self) -> None:
        self._kill("printer")

    def start_cupsd(self) -> None:
        if "cupsd" in self._procs:
            return
        (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(port=self.cupsd_port))
        (self.root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))
        self._spawn("cupsd", [_which("cupsd"), "-f", "-c", str(self.root / "cupsd.conf"),
                              "-s", str(self.root / "cups-files.conf")])
        self._wait_port(self.cupsd_port, "cupsd")
        if (self.root / "printers.conf").exists() is False and self._queue_added:
            self.add_queue()         # cupsd was killed before it saved printers.conf

    def stop_cupsd(self, kill: bool = False) -> None:
        """SIGTERM (cupsd saves its state and exits) or, with `kill`, SIGKILL."""
        proc = self._procs.get("cupsd")
        if proc is not None and not kill and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self._kill("cupsd")

    def add_queue(self) -> None:
        """A raw queue to the virtual printer: the signed PDF reaches the printer unchanged."""
        self._queue_added = True
        subprocess.run([_which("lpadmin"), "-h", self.server, "-p", self.queue, "-E", "-v", self.printer_uri,
                        "-m", "raw", "-D", "Kiosk A4 (virtual)"], check=True, capture_output=True, timeout=10)

    def close(self) -> None:
        for name in list(self._procs):
            self._kill(name)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- faults and records --------------------------------------------------

    def set_fault(self, mode: str = "ok", after: int = 0, page_s: float = 0.02, toner: int = 80) -> None:
        tmp = self.control_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"mode": mode, "after": after, "page_s": page_s, "toner": toner}))
        tmp.replace(self.control_path)

    def clear_fault(self) -> None:
        """Paper loaded / jam cleared: the engine prints again and the printer restarts with a clean
        state (ippeveprinter keeps an engine-reported media-empty until it restarts)."""
        self.set_fault("ok")
        self.stop_printer()
        self.start_printer()

    def printed(self) -> list[str]:
        """One line per job the virtual engine printed completely ("<file> <pages>")."""
        path = self.control_path.with_name("printed.log")
        return path.read_text().splitlines() if path.exists() else []

    def spooled_documents(self) -> list[Path]:
        """Document files cupsd still holds (d<job>-<n>); empty once jobs are done (PreserveJobFiles No)."""
        return sorted(self.spool_dir.glob("d*"))
