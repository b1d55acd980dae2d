"""Receipts drawn in a helper process: the ESC/POS bytes of a Receipt, off the kiosk's GIL.

Why: drawing a receipt (every line a picture made with the CJK font, the QR code, the
1-bit threshold) is ~70 ms of pure-Python-and-Pillow work per receipt, more for the simulated
printer's PNG preview. On the printer's worker thread it held the interpreter lock in short
slices for that long, and the GUI thread, which needs the same lock for every Python callback,
waited: the soak (bench/soak.py) found 60-100 ms GUI stalls while a receipt was being drawn.
In a process of its own the drawing runs in parallel and the kiosk only receives the bytes.

The helper is a devices.helper_process.HelperProcess: spawned, at a lower CPU priority, started
without waiting when the printer opens (`warm_up()`, so the first citizen does not wait for the
interpreter to start). If it dies or does not answer in RENDER_TIMEOUT_S it is replaced and this
receipt is drawn on the calling thread instead: the receipt is never lost to the optimisation.
"""
from __future__ import annotations

from pathlib import Path

from escpos.printer import Dummy

from devices.helper_process import HelperProcess
from devices.printer.receipt import render_receipt, render_receipt_preview

RENDER_TIMEOUT_S = 20.0     # a helper silent this long is replaced (a receipt takes ~0.1 s)

helper = HelperProcess("receipt drawing", RENDER_TIMEOUT_S)


def _draw(receipt, font_path: str, paper_width_px: int, options: dict,
          preview_path: str | None) -> tuple[bytes, dict]:
    """In the helper (and the fallback): the job's bytes, and the PNG preview if asked."""
    dummy = Dummy()
    counts = render_receipt(dummy, receipt, font_path, paper_width_px, **options)
    if preview_path is not None:
        render_receipt_preview(receipt, font_path, paper_width_px).save(preview_path)
    return dummy.output, counts


def warm_up() -> None:
    """Start the helper now, without waiting for it."""
    helper.warm_up()


def render_receipt_bytes(receipt, font_path: str, paper_width_px: int, *, preview_path: Path | None = None,
                         **options) -> tuple[bytes, dict]:
    """ESC/POS bytes of `receipt` (and render_receipt's counts), drawn in the helper process;
    `options` are render_receipt's keywords (text_mode, printer_charset, qr_native)."""
    preview = str(preview_path) if preview_path is not None else None
    return helper.run(_draw, receipt, font_path, paper_width_px, options, preview)
