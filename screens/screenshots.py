"""Renders every step of a citizen session in each language to docs/screens/<lang>/.

    python -m screens.screenshots docs/screens

Runs the demo autopilot (real screens, simulated devices, reference platform)
once per language in a fresh process, offscreen.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(target: str = "docs/screens") -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for language in ("zh_CN", "zh_HK", "en"):
        out = Path(target) / language
        result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--demo", "--autopilot",
                                 "--language", language, "--output", str(out)], env=env, cwd=ROOT)
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
