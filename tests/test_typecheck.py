"""`mypy` passes on what mypy.ini checks (the domain core, kiosk/core, strictly)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_mypy(*args: str) -> subprocess.CompletedProcess[str]:
    """mypy with the repository's mypy.ini, no cache (the result never depends on an old run)."""
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(REPO / "mypy.ini"),
                           "--no-incremental", *args], cwd=str(REPO), capture_output=True, text=True,
                          timeout=300)


def test_mypy_passes_on_the_core():
    result = run_mypy()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "kiosk/core" in (REPO / "mypy.ini").read_text()


@pytest.mark.slow
def test_mypy_fails_on_a_type_error(tmp_path):
    """The check has teeth: the same configuration reports a planted error (and an untyped def)."""
    planted = tmp_path / "planted.py"
    planted.write_text("def untyped(x):\n    return x\n\n\ndef wrong() -> int:\n    return 'not an int'\n")
    result = run_mypy(str(planted))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[return-value]" in result.stdout and "[no-untyped-def]" in result.stdout, result.stdout
