"""A loopback ESC/POS network printer for tests, the benchmark and the demo.

NOT a product code path: the kiosk talks to it exactly as to a real printer on
TCP 9100 (`NetworkReceiptPrinter`), and nothing in the kiosk imports this
module except `create_printer()` for `backend = "emulator"` (demo only).

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
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw

from devices.printer.escpos_printer import NetworkReceiptPrinter

log = logging.getLogger(__name__)

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A


# --- parsing -------------------------------------------------------------------

@dataclass
class Item:
    kind: str                    # text | image | qr | cut | feed | status
    value: object = None         # str, PIL image, QR payload, feed lines, DLE EOT n
    align: int = 0               # 0 left, 1 center, 2 right
    double: bool = False
    module_size: int = 3         # QR


class EscPosParser:
    """Incremental parser for the ESC/POS subset python-escpos and receipt.py emit.

    `feed(data)` returns the items completed by `data`; a command cut in half
    waits for the next chunk. Unknown commands are skipped by their usual size.
    """

    def __init__(self):
        self._buffer = bytearray()
        self._text = bytearray()
        self._align = 0
        self._double = False
        self._chinese = False
        self._qr_data = b""
        self._qr_size = 3
        self.data = bytearray()      # print data: everything except status queries

    @property
    def data_bytes(self) -> int:
        return len(self.data)

    def feed(self, data: bytes) -> list[Item]:
        self._buffer += data
        items: list[Item] = []
        pos = 0
        buf = self._buffer
        while pos < len(buf):
            length = self._command_length(buf, pos)
            if length is None:       # incomplete command: wait for more bytes
                break
            self._execute(bytes(buf[pos:pos + length]), items)
            pos += length
        del buf[:pos]
        return items

    def finish(self) -> list[Item]:
        """End of the job: a text line without LF still counts."""
        items: list[Item] = []
        self._flush_text(items)
        return items

    @staticmethod
    def _command_length(buf: bytearray, pos: int) -> int | None:
        """Bytes of the command starting at `pos`, or None if not all there yet."""
        first = buf[pos]
        avail = len(buf) - pos

        def need(n: int) -> int | None:
            return n if avail >= n else None

        if first == ESC:
            if avail < 2:
                return None
            op = buf[pos + 1]
            if op in (0x40, 0x32, 0x3C):                       # ESC @, ESC 2, ESC <
                return 2
            if op == 0x2A:                                      # ESC * m nL nH d...
                if avail < 5:
                    return None
                m, n = buf[pos + 2], buf[pos + 3] | buf[pos + 4] << 8
                return need(5 + n * (3 if m in (32, 33) else 1))
            if op == 0x70:                                      # ESC p m t1 t2
                return need(5)
            return need(3)                                      # ESC a/E/!/t/-/M/G/3/J/d/R/U n
        if first == GS:
            if avail < 2:
                return None
            op = buf[pos + 1]
            if op == 0x56:                                      # GS V m [n]
                if avail < 3:
                    return None
                return 3 if buf[pos + 2] in (0, 1, 48, 49) else need(4)
            if op == 0x76:                                      # GS v 0 m xL xH yL yH d...
                if avail < 8:
                    return None
                x = buf[pos + 4] | buf[pos + 5] << 8
                y = buf[pos + 6] | buf[pos + 7] << 8
                return need(8 + x * y)
            if op == 0x28:                                      # GS ( fn pL pH ...
                if avail < 5:
                    return None
                return need(5 + (buf[pos + 3] | buf[pos + 4] << 8))
            if op in (0x4C, 0x57):                              # GS L / GS W nL nH
                return need(4)
            return need(3)                                      # GS ! / r / a / B / H / f / h / w n
        if first == FS:
            if avail < 2:
                return None
            return 2 if buf[pos + 1] in (0x26, 0x2E) else need(3)
        if first == DLE:
            if avail < 2:
                return None
            if buf[pos + 1] in (0x04, 0x05):                    # DLE EOT n, DLE ENQ n
                return need(3)
            return 1
        return 1                                                # text byte or LF

    def _execute(self, cmd: bytes, items: list[Item]) -> None:
        first = cmd[0]
        if first == DLE and len(cmd) == 3 and cmd[1] == 0x04:
            items.append(Item("status", cmd[2]))
            return                                              # not print data
        self.data += cmd
        if len(cmd) == 1 and first not in (ESC, GS, FS, DLE):
            if first == LF:
                if self._text:
                    self._flush_text(items)
                else:
                    items.append(Item("feed", 1))
            else:
                self._text += cmd
            return
        if first == ESC:
            op = cmd[1]
            if op == 0x40:
                self._flush_text(items)
                self._align, self._double, self._chinese = 0, False, False
            elif op == 0x61:
                self._align = cmd[2] % 48 if cmd[2] >= 48 else cmd[2]
            elif op == 0x21:
                self._double = bool(cmd[2] & 0x30)
            elif op == 0x64:
                self._flush_text(items)
                items.append(Item("feed", cmd[2]))
        elif first == GS:
            op = cmd[1]
            if op == 0x21:
                self._double = bool(cmd[2] & 0x77)
            elif op == 0x56:
                self._flush_text(items)
                items.append(Item("cut", "full" if cmd[2] in (0, 48, 65) else "partial"))
            elif op == 0x76:
                self._flush_text(items)
                items.append(Item("image", _raster_to_image(cmd), align=self._align))
            elif op == 0x28 and cmd[2] == 0x6B:                 # GS ( k: QR code
                self._qr_command(cmd[5:], items)
        elif first == FS:
            if cmd[1] == 0x26:
                self._chinese = True
            elif cmd[1] == 0x2E:
                self._flush_text(items)
                self._chinese = False

    def _qr_command(self, body: bytes, items: list[Item]) -> None:
        if len(body) < 2 or body[0] != 0x31:                   # cn 49 = QR code
            return
        fn = body[1]
        if fn == 0x43:                                          # fn 67: module size
            self._qr_size = body[2]
        elif fn == 0x50:                                        # fn 80: store data (after m)
            self._qr_data = body[3:]
        elif fn == 0x51:                                        # fn 81: print stored data
            self._flush_text(items)
            items.append(Item("qr", self._qr_data.decode("utf-8", "replace"), align=1,
                              module_size=self._qr_size))

    def _flush_text(self, items: list[Item]) -> None:
        if not self._text:
            return
        raw = bytes(self._text)
        self._text.clear()
        # Chinese character mode (FS &) takes GB18030 byte pairs/quads; otherwise code page 437.
        text = raw.decode("gb18030", "replace") if self._chinese else raw.decode("cp437", "replace")
        items.append(Item("text", text, align=self._align, double=self._double))


def _raster_to_image(cmd: bytes) -> Image.Image:
    """GS v 0 m xL xH yL yH d...: x bytes per row, y rows, bit 1 = black dot."""
    x = cmd[4] | cmd[5] << 8
    y = cmd[6] | cmd[7] << 8
    bits = Image.frombytes("1", (x * 8, y), cmd[8:8 + x * y])
    # PIL mode "1": 1 = white; ESC/POS: 1 = black.
    return Image.eval(bits.convert("L"), lambda v: 255 - v)


def decode_job(data: bytes) -> list[Item]:
    parser = EscPosParser()
    items = parser.feed(data)
    return items + parser.finish()


@dataclass
class DecodedReceipt:
    lines: list[str]
    images: list[Image.Image]
    qr_payloads: list[str]
    cut: bool


def decode_receipt(data: bytes) -> DecodedReceipt:
    items = [item for item in decode_job(data) if item.kind != "status"]
    return DecodedReceipt(
        lines=[item.value for item in items if item.kind == "text"],
        images=[item.value for item in items if item.kind == "image"],
        qr_payloads=[item.value for item in items if item.kind == "qr"],
        cut=any(item.kind == "cut" for item in items))


def render_job(data: bytes, width: int = 576, font_path: str | None = None) -> Image.Image:
    """What the paper would look like: text in a CJK font, rasters as sent, QR drawn by 'the printer'."""
    from devices.printer.receipt import find_cjk_font, load_font
    font_path = font_path or find_cjk_font()
    rows: list[tuple[Image.Image, int]] = []
    for item in decode_job(data):
        if item.kind == "text":
            font = load_font(font_path, 48 if item.double else 24)
            row = Image.new("L", (width, font.getmetrics()[0] + font.getmetrics()[1] + 6), 255)
            text_width = font.getlength(item.value)
            x = {0: 0, 1: (width - text_width) / 2, 2: width - text_width}.get(item.align, 0)
            ImageDraw.Draw(row).text((max(0, x), 2), item.value, font=font, fill=0)
            rows.append((row, 0))
        elif item.kind == "image":
            rows.append((item.value, item.align))
        elif item.kind == "qr":
            code = qrcode.QRCode(box_size=max(1, item.module_size), border=4,
                                 error_correction=qrcode.constants.ERROR_CORRECT_L)
            code.add_data(item.value)
            code.make(fit=True)
            rows.append((code.make_image().get_image().convert("L"), 1))
        elif item.kind == "feed":
            rows.append((Image.new("L", (width, 30 * int(item.value)), 255), 0))
        elif item.kind == "cut":
            cut = Image.new("L", (width, 16), 255)
            draw = ImageDraw.Draw(cut)
            for x in range(0, width, 16):
                draw.line((x, 8, x + 8, 8), fill=128)
            rows.append((cut, 0))
    page = Image.new("L", (width, max(1, sum(row.height for row, _ in rows))), 255)
    y = 0
    for row, align in rows:
        x = {1: (width - row.width) // 2, 2: width - row.width}.get(align, 0)
        page.paste(row, (max(0, x), y))
        y += row.height
    return page


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


class SerialPrinterEmulator(PrinterEmulator):
    """The same printer behind a pseudo-terminal, for the serial backend: `.device` is the
    path to give `SerialReceiptPrinter`. A serial line has no connections, so a job ends
    at its cut command. Faults: the status ones (paper, cover, offline, jammed, silent,
    garbage) and paper_out_after; the TCP-only ones (disconnect, stop_reading) do not apply.
    """

    def start(self) -> str:
        import tty
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        self.device = os.ttyname(self._slave)
        self._stopping.clear()
        threading.Thread(target=self._serve_pty, name="printer-emulator-pty", daemon=True).start()
        return self.device

    def stop(self) -> None:
        self._stopping.set()
        for fd in (getattr(self, "_master", None), getattr(self, "_slave", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None

    def _serve_pty(self) -> None:
        import select
        master = self._master
        parser, raw, interrupted = EscPosParser(), bytearray(), None
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                chunk = os.read(master, 65536)
            except OSError:
                return
            raw += chunk
            for item in parser.feed(chunk):
                if item.kind == "status":
                    self._answer(lambda data: os.write(master, data), item.value)
                elif item.kind == "cut":
                    self._add_job(EmulatedJob(bytes(raw), bytes(parser.data), interrupted, time.monotonic()))
                    parser, raw, interrupted = EscPosParser(), bytearray(), None
            with self._lock:
                paper_out_after = self.state.paper_out_after
            if paper_out_after is not None and parser.data_bytes >= paper_out_after and interrupted is None:
                interrupted = "paper_out"
                self._run_out_of_paper(self.state.paper_out_delay_s)


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


class EmulatedReceiptPrinter(NetworkReceiptPrinter):
    """Demo backend "emulator": a NetworkReceiptPrinter with its own PrinterEmulator.

    The kiosk code path is the real network one; only the far end is emulated.
    The emulator starts with the printer and stops when the printer is closed.
    """

    # The sim's scenario names, so `scenario = "paper_out"` in kiosk.toml works with the demo too.
    SCENARIOS = {"ok": {}, "paper_low": {"paper": "near_end"}, "paper_out": {"paper": "out"},
                 "cover_open": {"cover_open": True}, "offline": {"offline": True}}

    def __init__(self, output_dir=None, scenario: str = "ok", **kwargs):
        if scenario not in self.SCENARIOS:
            raise ValueError(f"unknown printer scenario {scenario!r} (known: {', '.join(self.SCENARIOS)})")
        self.emulator = PrinterEmulator(output_dir=output_dir)
        self.emulator.set(**self.SCENARIOS[scenario])
        port = self.emulator.start()
        super().__init__("127.0.0.1", port, **kwargs)

    def _print_on_worker(self, job_id, receipt, command) -> None:
        before = len(self.emulator.jobs)
        super()._print_on_worker(job_id, receipt, command)
        # The demo collects receipt-NNN.png as soon as the job is done: wait for the emulator's copy.
        self.emulator.wait_for_jobs(before + 1, timeout_s=5.0)

    def close(self) -> None:
        super().close()
        self.emulator.stop()
