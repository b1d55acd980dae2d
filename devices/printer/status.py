"""ESC/POS real-time status (DLE EOT 1..4) and what it means for the kiosk.

python-escpos 3.1 has `is_online()` / `paper_status()`, but they take whatever
byte is waiting (a stale reply, or nothing when the printer closed the
connection: `paper_status()` then says "no paper" and `is_online()` says
"offline" for reasons unrelated to the printer, python-escpos #709/#714). So
the kiosk asks each question itself through a small byte channel
(`StatusChannel`), drains stale input first, accepts only bytes with the fixed
bit pattern of a DLE EOT reply (`0xx1xx10`), and reports "unknown" when no valid
reply came within the deadline.

Bit meanings: Epson ESC/POS reference for DLE EOT, summarised in
docs/printing.md and ../shared/reference/receipt-printer.md section 2.1.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from devices.base import DeviceStatus
from devices.printer.interface import COVER_OPEN, IO_ERROR, OFFLINE
from devices.printer.interface import PAPER_OUT as REASON_PAPER_OUT

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, ROLL_PAPER = 1, 2, 3, 4

# Fixed bits of every DLE EOT reply: bits 0 and 7 are 0, bits 1 and 4 are 1.
_FIXED_MASK = 0x93
_FIXED_VALUE = 0x12

# Paper supply in the XFS4IoT `Printer.Status.paper` vocabulary.
PAPER_FULL, PAPER_LOW, PAPER_OUT, PAPER_JAMMED, PAPER_UNKNOWN = "full", "low", "out", "jammed", "unknown"


def is_status_byte(value: int) -> bool:
    return (value & _FIXED_MASK) == _FIXED_VALUE


class StatusChannel(Protocol):
    """The two things a status query needs from a transport."""

    def drain(self) -> None:
        """Throw away whatever the printer sent earlier (stale replies, ASB, XON/XOFF)."""

    def write(self, data: bytes) -> None: ...

    def read_byte(self, timeout_s: float) -> int | None:
        """One byte, or None when nothing came in time (or the peer closed)."""


@dataclass(frozen=True)
class PrinterState:
    """One status poll, decoded. `reachable=False` means no valid reply: everything is unknown."""

    reachable: bool
    offline: bool = False
    cover_open: bool = False
    paper: str = PAPER_UNKNOWN
    paper_stopped: bool = False        # DLE EOT 2 bit 5: printing stopped by paper end
    error: str | None = None           # "autocutter" | "unrecoverable" | "recoverable" | "auto_recoverable"
    raw: tuple[int, ...] = field(default=())   # the reply bytes, for the technician log
    detail: str = ""

    @classmethod
    def unknown(cls, detail: str) -> "PrinterState":
        return cls(reachable=False, detail=detail)

    @property
    def failure_reason(self) -> str | None:
        """Why a job cannot print now (a `print_failed` reason code), or None when it can."""
        if not self.reachable:
            return OFFLINE
        if self.cover_open:
            return COVER_OPEN
        if self.paper == PAPER_OUT or self.paper_stopped:
            return REASON_PAPER_OUT
        if self.paper == PAPER_JAMMED or self.error in ("autocutter", "unrecoverable", "recoverable"):
            return IO_ERROR
        if self.offline:
            return OFFLINE
        return None

    @property
    def device_status(self) -> DeviceStatus:
        if not self.reachable:
            return DeviceStatus.OFFLINE
        if self.cover_open or self.paper == PAPER_OUT or self.paper_stopped:
            return DeviceStatus.USER_ERROR     # a person has to act: close the cover, load paper
        if self.paper == PAPER_JAMMED or self.error in ("autocutter", "unrecoverable", "recoverable"):
            return DeviceStatus.HARDWARE_ERROR
        if self.error == "auto_recoverable":
            return DeviceStatus.BUSY           # e.g. head overheat: recovers by itself
        if self.offline:
            return DeviceStatus.OFFLINE
        return DeviceStatus.ONLINE

    def describe(self) -> str:
        """Technician text (no personal data)."""
        if not self.reachable:
            return f"no valid status reply ({self.detail})"
        parts = [f"paper {self.paper}"]
        if self.cover_open:
            parts.append("cover open")
        if self.paper_stopped:
            parts.append("stopped by paper end")
        if self.error:
            parts.append(f"{self.error} error")
        if self.offline:
            parts.append("offline")
        return ", ".join(parts) + " [DLE EOT " + " ".join(f"{b:02x}" for b in self.raw) + "]"


def decode_status(printer: int, offline_cause: int, error_cause: int, roll_paper: int) -> PrinterState:
    """The four DLE EOT replies (already validated) -> state."""
    raw = (printer, offline_cause, error_cause, roll_paper)
    bad = [n for n, value in zip((1, 2, 3, 4), raw) if not is_status_byte(value)]
    if bad:
        return PrinterState.unknown(f"invalid reply to DLE EOT {bad}: " + " ".join(f"{b:02x}" for b in raw))
    error = None
    if error_cause & 0x20:
        error = "unrecoverable"
    elif error_cause & 0x08:
        error = "autocutter"
    elif error_cause & 0x04:
        error = "recoverable"
    elif error_cause & 0x40:
        error = "auto_recoverable"
    if roll_paper & 0x60:
        paper = PAPER_OUT
    elif roll_paper & 0x0C:
        paper = PAPER_LOW
    else:
        paper = PAPER_FULL
    if error == "autocutter":
        paper = PAPER_JAMMED       # XFS4IoT: paper.upper = jammed
    return PrinterState(reachable=True, offline=bool(printer & 0x08), cover_open=bool(offline_cause & 0x04),
                        paper=paper, paper_stopped=bool(offline_cause & 0x20), error=error, raw=raw)


def query_status(channel: StatusChannel, timeout_s: float = 1.0) -> PrinterState:
    """Ask DLE EOT 1..4, one at a time (the printer answers each in real time).

    `timeout_s` bounds the whole query. A byte that is not a valid DLE EOT reply
    (noise, an ASB packet, XOFF) is skipped while time remains; if no valid
    reply comes, the state is unknown, never "paper out" or "offline".
    """
    deadline = time.monotonic() + timeout_s
    try:
        channel.drain()
    except OSError as exc:
        return PrinterState.unknown(f"drain failed: {type(exc).__name__}")
    replies: list[int] = []
    for n in (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, ROLL_PAPER):
        try:
            channel.write(DLE_EOT + bytes([n]))
        except OSError as exc:
            return PrinterState.unknown(f"write DLE EOT {n} failed: {type(exc).__name__}")
        reply = None
        skipped = []
        while reply is None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                value = channel.read_byte(left)
            except OSError as exc:
                return PrinterState.unknown(f"read failed: {type(exc).__name__}")
            if value is None:
                break
            if is_status_byte(value):
                reply = value
            else:
                skipped.append(value)
        if reply is None:
            garbage = f", got only {' '.join(f'{b:02x}' for b in skipped[:8])}" if skipped else ""
            return PrinterState.unknown(f"no valid reply to DLE EOT {n}{garbage}")
        replies.append(reply)
    return decode_status(*replies)
