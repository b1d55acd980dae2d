"""ESC/POS byte-stream parser: commands, text, raster images, native QR codes, status queries.

Used by the loopback printer emulator (`sim.printer.server`) and by tests that decode what a
driver sent. Command by command, so a 10 04 01 inside raster data is not taken for a status query.
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A


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
