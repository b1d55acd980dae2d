"""Receipts drawn in a helper process: the ESC/POS bytes of a Receipt, off the kiosk's GIL.

Why: drawing a receipt (every line a picture made with the CJK font, the QR code, the
1-bit threshold) is ~70 ms of pure-Python-and-Pillow work per receipt, more for the simulated
printer's PNG preview. On the printer's worker thread it held the interpreter lock in short
slices for that long, and the GUI thread, which needs the same lock for every Python callback,
waited: the soak (bench/soak.py) found 60-100 ms GUI stalls while a receipt was being drawn.
In a process of its own the drawing runs in parallel and the kiosk only receives the bytes.

One single-worker ProcessPoolExecutor per process, started on first use (`warm_up()` at printer
start-up, without waiting, so the first citizen does not wait for the interpreter to start),
spawned (no thread or lock of the kiosk is copied into it). A ProcessPoolExecutor, not a
multiprocessing Pool: a Pool whose idle worker is killed (kill -9) keeps the task queue's lock
for ever and deadlocks on terminate(); the executor notices the death (BrokenProcessPool). If the
helper dies or does not answer in RENDER_TIMEOUT_S, the pool is replaced and this receipt is drawn
on the calling thread instead: the receipt is never lost to the optimisation.
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from escpos.printer import Dummy

from devices.printer.receipt import render_receipt, render_receipt_preview

log = logging.getLogger(__name__)

RENDER_TIMEOUT_S = 20.0     # a helper silent this long is replaced (a receipt takes ~0.1 s)

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _draw(receipt, font_path: str, paper_width_px: int, options: dict,
          preview_path: str | None) -> tuple[bytes, dict]:
    """In the helper (and the fallback): the job's bytes, and the PNG preview if asked."""
    dummy = Dummy()
    counts = render_receipt(dummy, receipt, font_path, paper_width_px, **options)
    if preview_path is not None:
        render_receipt_preview(receipt, font_path, paper_width_px).save(preview_path)
    return dummy.output, counts


def _ready() -> bool:
    return True


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def warm_up() -> None:
    """Start the helper now, without waiting for it (a printer being closed must not wait for an
    interpreter start-up); the first receipt queues behind its start."""
    try:
        _executor().submit(_ready)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        log.warning("printer: receipt helper did not start (%s); receipts drawn in-process", type(exc).__name__)


def render_receipt_bytes(receipt, font_path: str, paper_width_px: int, *, preview_path: Path | None = None,
                         **options) -> tuple[bytes, dict]:
    """ESC/POS bytes of `receipt` (and render_receipt's counts), drawn in the helper process;
    `options` are render_receipt's keywords (text_mode, printer_charset, qr_native)."""
    preview = str(preview_path) if preview_path is not None else None
    pool = _executor()
    try:
        return pool.submit(_draw, receipt, font_path, paper_width_px, options, preview).result(
            timeout=RENDER_TIMEOUT_S)
    except (BrokenProcessPool, FutureTimeout, OSError, RuntimeError) as exc:
        # Counts only: the receipt holds a name.
        log.warning("printer: receipt helper failed (%s); drawing this receipt in-process", type(exc).__name__)
        _discard(pool)
    return _draw(receipt, font_path, paper_width_px, options, preview)
