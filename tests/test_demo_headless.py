"""`python main.py --demo` on a machine without a display runs the autopilot
and leaves screenshots of every step and the receipt behind."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def test_headless_demo_writes_steps_and_receipt(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--demo", "--output", str(out)],
                            capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Demo completed." in result.stdout and str(out) in result.stdout
    names = sorted(p.name for p in out.glob("*.png"))
    for step in ("idle", "choose-service", "identify", "form-filled", "document-page-1", "documents-scanned",
                 "confirm", "receipt", "rate"):       # two household-register pages by camera (issue 16)
        assert any(step in name for name in names), (step, names)
    receipt_bytes = (out / "receipt.bin").read_bytes()
    number = next(line.split(": ")[1] for line in result.stdout.splitlines() if line.startswith("Application number"))
    assert number.encode() in receipt_bytes and (out / "receipt.png").stat().st_size > 1000
    # issue 15: the second citizen printed a certificate on A4; the demo keeps the PDF it printed
    for step in ("cert-list", "cert-preview", "cert-printed"):
        assert any(step in name for name in names), (step, names)
    printed = (out / "certificate-printed.pdf").read_bytes()
    assert printed.startswith(b"%PDF-") and b"/verify/" not in printed[:200]
    assert (out / "certificate-printed-page1.png").stat().st_size > 1000
    # 统一支付: the second demo citizen pays the fee service by QR (the simulated phone pays it).
    assert any("-payment" in name for name in names), names
    reference = next(line.split(": ")[1] for line in result.stdout.splitlines() if line.startswith("Fee paid by QR"))
    assert reference.encode() in (out / "receipt-paid.bin").read_bytes()
