"""`--autopilot` always ends, whatever the configuration says, and `QT_QPA_PLATFORM=offscreen`
is not a display; the demo's screenshots show each screen after it is laid out and painted."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import main

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("env, expected", [
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),     # Qt draws offscreen all the same
    ({"QT_QPA_PLATFORM": "minimal:enable_fonts"}, False),
    ({}, False),
    ({"DISPLAY": ":0"}, True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, True),
    ({"QT_QPA_PLATFORM": "eglfs"}, True),                           # a panel without X11/Wayland
])
def test_offscreen_is_not_a_display(monkeypatch, env, expected):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main.has_display() is expected


def test_demo_with_offscreen_platform_runs_the_autopilot(monkeypatch):
    """`QT_QPA_PLATFORM=offscreen main.py --demo` used to start the interactive kiosk, unseen, for ever."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main.wants_autopilot(main.parse_args(["--demo"]))
    assert not main.wants_autopilot(main.parse_args([]))     # the kiosk itself: as configured


def test_autopilot_ends_with_fullscreen_true(tmp_path, platform_server):
    """A fullscreen kiosk window refuses to close (citizens must not close it); the autopilot's
    quit used to be refused with it, so the process never ended."""
    config = tmp_path / "kiosk.toml"
    config.write_text(f"""
[kiosk]
id = "AUTOPILOT-1"
demo = true
data_dir = "{tmp_path / 'data'}"
fullscreen = true
[platform]
url = "{platform_server.base_url}"
""", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--autopilot", "--config", str(config),
                             "--output", str(out)], capture_output=True, text=True, timeout=150, env=env,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stdout[:1500] + result.stderr[-2000:]
    assert "Demo completed." in result.stdout


def _pixels(image):
    import numpy as np
    from PySide6.QtGui import QImage
    image = image.convertToFormat(QImage.Format_RGB32)
    array = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return array.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4]


def test_demo_screenshots_show_the_laid_out_screen(qtbot, tmp_path, platform_server):
    """The confirm screenshot was grabbed before the rows render() had just added were shown:
    an empty table. Each screenshot must equal the screen once Qt has shown and painted it."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from sim.demo.autopilot import Autopilot
    from tests.ux_helpers import make_kiosk
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, size=(1280, 800))
    pilot = Autopilot(parts, tmp_path / "out", service_id="elderly-allowance")
    settled: dict[str, QImage] = {}
    shoot = pilot._shoot

    def shoot_and_compare(name: str) -> None:
        shoot(name)
        if name == "confirm":
            for _ in range(10):
                QApplication.processEvents()
            settled[name] = parts.window.grab().toImage()
    pilot._shoot = shoot_and_compare
    try:
        with qtbot.waitSignal(pilot.finished, timeout=90_000):
            pilot.run()
        assert pilot.succeeded, pilot.failure
        shot = QImage(str(next(p for p in pilot.screenshots if p.name.endswith("-confirm.png"))))
        reference = _pixels(settled["confirm"])
        differing = (_pixels(shot) != reference).any(axis=1).sum() if shot.size() == settled["confirm"].size() \
            else reference.shape[0]
        assert differing <= 2, f"{differing} pixel rows of the confirm screenshot differ from the settled screen"
    finally:
        parts.close()
