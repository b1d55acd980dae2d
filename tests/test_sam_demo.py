"""`main.py --demo --id-reader sam_sim`: the whole citizen session with the real SAM
driver reading the simulator process's card over a pty (photo through the WLT plug-in)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def test_demo_with_the_sam_simulator(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    log = REPO / "var" / "demo" / "kiosk.log"
    before = log.read_text(encoding="utf-8", errors="replace").count("SAM reader online") if log.exists() else 0
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--demo", "--id-reader", "sam_sim",
                             "--output", str(out)],
                            capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Demo completed." in result.stdout
    assert any("receipt" in p.name for p in out.glob("*.png"))
    # The session's card came through the SAM driver, not the in-process sim.
    text = log.read_text(encoding="utf-8", errors="replace")
    assert text.count("SAM reader online") > before
    assert "card read (resident_id)" in text
