"""`main.py --demo` with the PC/SC virtual passport: the scripted citizen lays the photo page
under the (simulated) camera, the kiosk reads its MRZ with Tesseract (kiosk/mrz_ocr.py), and
the real PcscIdReader opens the chip with that key through a real pcscd (BAC),
and the session ends with a printed queue ticket (passports are not accepted for the elderly
allowance, so the demo takes a ticket with them)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

# One pcscd and one vpcd port (35963) per machine: the PC/SC tests run on their own, one at a time
# (scripts/test.sh runs them after the parallel part).
pytestmark = [pytest.mark.slow, pytest.mark.pcsc]

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="the pcsc_sim rig starts pcscd, which needs root (CI runs as root)")
def test_demo_with_the_virtual_passport(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    config = tmp_path / "kiosk.toml"
    config.write_text('[devices.id_reader]\nbackend = "pcsc_sim"\nsim_card = "emrtd"\nidentity = "young"\n',
                      encoding="utf-8")
    log = REPO / "var" / "demo" / "kiosk.log"          # the demo's own data folder
    earlier = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    before, before_camera = earlier.count("card read (emrtd)"), earlier.count("MRZ read by camera")
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--demo", "--config", str(config),
                             "--output", str(out)],
                            capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Demo completed." in result.stdout
    assert "demo passport photo page: number K12345678" in result.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    for step in ("identify", "passport", "passport-camera-reading", "form-filled", "receipt"):
        assert any(name.endswith(f"-{step}.png") for name in names), (step, names)
    assert not any(name.endswith("-verify-face.png") for name in names)     # a queue ticket needs no face
    assert not any(name.endswith("-passport-typed.png") for name in names)   # the camera read it
    text = log.read_text(encoding="utf-8", errors="replace")
    assert text.count("card read (emrtd)") > before
    assert text.count("MRZ read by camera") > before_camera
    assert "K12345678" not in text                                         # the passport number stays out
