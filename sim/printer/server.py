"""A loopback ESC/POS network printer for tests, the benchmark and the demo.

NOT a product code path: the kiosk talks to it exactly as to a real printer on
TCP 9100 (`NetworkReceiptPrinter`), and nothing in the kiosk imports this
module except `create_printer()` for `backend = "emulator"` (demo only, via
`sim.printer.emulated`).

Parser: `sim.printer.escpos_parser`; renderer: `sim.printer.renderer`; the same printer
on a pseudo-terminal: `sim.printer.pty`; the demo driver subclass: `sim.printer.emulated`.

What it does, like a real printer:
  * listens on 127.0.0.1 on a free port, one thread per connection;
  * parses the byte stream command by command (so a 10 04 01 inside raster
    data is not mistaken for a status query) and answers DLE EOT 1..4 in real
    time from a switchable state;
  * keeps each job (a connection that sent more than status queries) as raw
    bytes and decodes it into text lines, raster images (GS v 0) and native QR
    codes (GS ( k), and renders it into a PNG.

Switchable faults (`EmulatorState`, change them while it runs):
  paper "ok" | "near_end" | "out", cover_open, offline, jammed,
  silent (never answers status), garbage (answers with invalid bytes),
  disconnect_after=N (drops the connection after N job bytes),
  paper_out_after=N (paper runs out after N job bytes; the rest is not printed),
  paper_out_delay_s=T (with paper_out_after: the sensor trips T s later, as when the
  printer had buffered the whole job and runs out while printing it),
  stop_reading (accepts connections and never reads: the sender's buffers fill),
  stop_reading_after=N (reads N job bytes, then stops reading: a printer wedged mid-job).
"""
from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from sim.printer.escpos_parser import DecodedReceipt, EscPosParser, decode_receipt
from sim.printer.renderer import render_job

log = logging.getLogger(__name__)

# --- the TCP printer --------------------------------------------------------------

@dataclass
class EmulatorState:
    paper: str = "ok"                    # ok | near_end | out
    cover_open: bool = False
    offline: bool = False
    jammed: bool = False
    silent: bool = False
    garbage: bool = False
    disconnect_after: int | None = None
    paper_out_after: int | None = None
    paper_out_delay_s: float = 0.0
    stop_reading: bool = False
    stop_reading_after: int | None = None   # like stop_reading, once N job bytes have arrived

    def status_byte(self, n: int) -> int:
        value = 0x12
        paper_out = self.paper == "out"
        if n == 1 and (self.offline or self.cover_open or paper_out or self.jammed):
            value |= 0x08
        elif n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if paper_out else 0) | (0x40 if self.jammed else 0)
        elif n == 3 and self.jammed:
            value |= 0x08
        elif n == 4:
            value |= 0x60 | 0x0C if paper_out else (0x0C if self.paper == "near_end" else 0)
        return value


@dataclass
class EmulatedJob:
    raw: bytes
    data: bytes                          # print data, status queries removed
    interrupted: str | None              # None, "paper_out", "disconnected"
    cut_at: float | None = None          # time.monotonic() when the cut command arrived (bench)

    def decode(self) -> DecodedReceipt:
        return decode_receipt(self.data)

    def render(self, width: int = 576) -> Image.Image:
        return render_job(self.data, width)


class PrinterEmulator:
    """`with PrinterEmulator() as emu: NetworkReceiptPrinter("127.0.0.1", emu.port)`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, receive_buffer: int = 16384,
                 output_dir: Path | None = None):
        self.host = host
        self.output_dir = Path(output_dir) if output_dir else None
        self.state = EmulatorState()
        self.status_queries = 0
        self._requested_port = port
        self._receive_buffer = receive_buffer   # small like a real printer's, so stop_reading blocks soon
        self._jobs: list[EmulatedJob] = []
        self._last_files: tuple[Path, ...] = ()      # what _save wrote for the last job
        self._lock = threading.Lock()
        self._job_added = threading.Condition(self._lock)
        self._server: socket.socket | None = None
        self._stopping = threading.Event()
        self._connections: list[socket.socket] = []
        self.port = 0

    def __enter__(self) -> "PrinterEmulator":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def set(self, **changes) -> None:
        """Change the state, e.g. `emu.set(paper="out")`; unknown names raise."""
        with self._lock:
            self.state = dataclasses.replace(self.state, **changes)

    def start(self) -> int:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._receive_buffer)
        server.bind((self.host, self._requested_port))
        server.listen(8)
        server.settimeout(0.2)
        self._server = server
        self.port = server.getsockname()[1]
        self._stopping.clear()
        threading.Thread(target=self._accept_loop, name="printer-emulator", daemon=True).start()
        return self.port

    def stop(self) -> None:
        """Power off: refuse new connections and drop open ones."""
        self._stopping.set()
        if self._server is not None:
            self._server.close()
            self._server = None
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            _hard_close(conn)

    @property
    def jobs(self) -> list[EmulatedJob]:
        with self._lock:
            return list(self._jobs)

    @property
    def last_job_files(self) -> tuple[Path, ...]:
        """The files saved for the last job in output_dir (its picture, then its bytes); () if none."""
        with self._lock:
            return self._last_files

    def wait_for_jobs(self, count: int, timeout_s: float = 10.0) -> list[EmulatedJob]:
        deadline = time.monotonic() + timeout_s
        with self._job_added:
            while len(self._jobs) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"emulator: {len(self._jobs)} job(s), expected {count}")
                self._job_added.wait(left)
            return list(self._jobs)

    # --- connection handling --------------------------------------------------------

    def _accept_loop(self) -> None:
        server = self._server
        while not self._stopping.is_set() and server is not None:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), name="printer-emulator-conn",
                             daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        parser = EscPosParser()
        raw = bytearray()
        interrupted = None
        cut_at = None
        conn.settimeout(0.1)
        try:
            while not self._stopping.is_set():
                with self._lock:
                    state = self.state
                if state.stop_reading or (state.stop_reading_after is not None
                                          and parser.data_bytes >= state.stop_reading_after):
                    time.sleep(0.05)
                    continue
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                raw += chunk
                items = parser.feed(chunk)
                for item in items:
                    if item.kind == "status":
                        self._answer(conn.sendall, item.value)
                    elif item.kind == "cut":
                        cut_at = time.monotonic()
                if state.paper_out_after is not None and parser.data_bytes >= state.paper_out_after \
                        and interrupted is None:
                    interrupted = "paper_out"
                    self._run_out_of_paper(state.paper_out_delay_s)
                if state.disconnect_after is not None and parser.data_bytes >= state.disconnect_after:
                    interrupted = "disconnected"
                    _hard_close(conn)
                    break
        finally:
            try:
                conn.close()
            except OSError:
                pass
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
                job = EmulatedJob(bytes(raw), bytes(parser.data), interrupted, cut_at) if parser.data else None
            if job is not None:
                self._add_job(job)

    def _save(self, job: EmulatedJob) -> None:
        if self.output_dir is None:
            return
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            with self._lock:
                number = len(self._jobs) + 1
            suffix = f"-{job.interrupted}" if job.interrupted else ""
            stem = self.output_dir / f"receipt-{time.strftime('%Y%m%d-%H%M%S')}-{number:03d}{suffix}"
            stem.with_suffix(".bin").write_bytes(job.raw)
            job.render().save(stem.with_suffix(".png"))
            with self._lock:
                self._last_files = (stem.with_suffix(".png"), stem.with_suffix(".bin"))
        except Exception:
            log.exception("emulator: could not save job")

    def _answer(self, send, n: int) -> None:
        with self._lock:
            state = self.state
            self.status_queries += 1
        if state.silent:
            return
        reply = bytes([0xFF if n % 2 else 0x00]) if state.garbage else bytes([state.status_byte(n)])
        try:
            send(reply)
        except OSError:
            pass

    def _run_out_of_paper(self, delay_s: float) -> None:
        self.set(paper_out_after=None)
        if delay_s > 0:
            timer = threading.Timer(delay_s, lambda: self.set(paper="out"))
            timer.daemon = True
            timer.start()
        else:
            self.set(paper="out")

    def _add_job(self, job: EmulatedJob) -> None:
        self._save(job)       # before announcing it, so a waiter finds the files
        with self._lock:
            self._jobs.append(job)
            self._job_added.notify_all()


def _hard_close(conn: socket.socket) -> None:
    """Drop the connection like a printer losing power: RST, not a polite FIN."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    try:
        conn.close()
    except OSError:
        pass
