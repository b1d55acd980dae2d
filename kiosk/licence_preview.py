"""The on-screen preview of a licence: its first page as a PNG, rendered by poppler's pdftoppm.

Why pdftoppm: poppler is the renderer the print path's own tools use (pdfinfo, CUPS filters),
it is a Debian package (poppler-utils) rather than a large wheel, and it reads the PDF from
stdin and writes the PNG to stdout, so the document never touches the disk. It runs as a
child process with a deadline: a hostile PDF can hang or crash poppler, not the kiosk.
"""
from __future__ import annotations

import shutil
import subprocess

PREVIEW_TIMEOUT_S = 10.0
MAX_PREVIEW_BYTES = 8_000_000


class PreviewError(RuntimeError):
    pass


def render_first_page(pdf: bytes, dpi: int = 60, timeout_s: float = PREVIEW_TIMEOUT_S) -> bytes:
    """PNG bytes of page 1; PreviewError when poppler is missing, fails or takes too long."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PreviewError("pdftoppm not installed (poppler-utils)")
    try:
        done = subprocess.run([exe, "-png", "-r", str(int(dpi)), "-f", "1", "-l", "1", "-singlefile"],
                              input=pdf, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise PreviewError("pdftoppm took too long") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG") or len(done.stdout) > MAX_PREVIEW_BYTES:
        raise PreviewError(f"pdftoppm failed ({done.returncode})")
    return done.stdout
