"""The `slow` and `faults` markers are registered and `--strict-markers` is on (pytest.ini):
an unregistered marker (a typo) fails the run instead of silently putting a slow test in the
quick loop. Checked on pytest.ini itself and with an inner pytest run on a temporary file."""
from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

MARKED = '''
import pytest

pytestmark = pytest.mark.faults

@pytest.mark.slow
def test_slow_fault():
    pass

def test_quick_fault():
    pass
'''

TYPO = '''
import pytest

@pytest.mark.slwo
def test_typo():
    pass
'''


def run_inner(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest with the repository's own pytest.ini on one temporary test file. Markers are
    pytest's own: the installed plugins (pytest-qt, schemathesis, ...) are not loaded, which
    makes the run take well under a second instead of five (their ini keys only warn)."""
    shutil.copy(REPO / "pytest.ini", tmp_path / "pytest.ini")
    (tmp_path / "test_inner.py").write_text(source)
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args, "test_inner.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_pytest_ini_registers_the_markers_and_is_strict():
    ini = configparser.ConfigParser()
    ini.read(REPO / "pytest.ini")
    assert "--strict-markers" in shlex.split(ini["pytest"]["addopts"])
    registered = {line.split(":")[0].strip() for line in ini["pytest"]["markers"].splitlines() if line.strip()}
    assert {"slow", "faults"} <= registered


def test_an_unregistered_marker_fails_the_run(tmp_path):
    result = run_inner(tmp_path, TYPO)
    assert result.returncode != 0, result.stdout
    assert "'slwo' not found in `markers` configuration option" in result.stdout + result.stderr


def test_not_slow_deselects_the_slow_tests(tmp_path):
    result = run_inner(tmp_path, MARKED, "-m", "not slow")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 deselected" in result.stdout
    result = run_inner(tmp_path, MARKED, "-m", "faults")
    assert result.returncode == 0 and "2 passed" in result.stdout, result.stdout + result.stderr
