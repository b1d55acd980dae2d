"""CI=true turns a skipped test (a device test without pcscd, a missing tool) into a failure;
without CI a skip stays a skip (an inner pytest with the same hook). scripts/bootstrap.sh installs
the tools the tests run and, when it cannot (not root), says so on stderr and exits 1 under CI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

INNER = '''
import pytest

@pytest.fixture
def pcscd_daemon():
    pytest.skip("starting pcscd needs root")

def test_device(pcscd_daemon):
    pass

@pytest.mark.skipif(True, reason="systemd-analyze not installed")
def test_tool():
    pass

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False

def test_plain():
    pass
'''


def run_inner(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_inner.py").write_text(INNER)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(REPO)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.ci_policy", "-p", "no:cacheprovider",
                           "-p", "no:randomly", "test_inner.py"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_skips_fail_under_ci(tmp_path):
    result = run_inner(tmp_path, "true")
    assert result.returncode != 0, result.stdout
    assert "skipped under CI=true" in result.stdout and "starting pcscd needs root" in result.stdout
    assert "systemd-analyze not installed" in result.stdout
    assert "1 xfailed" in result.stdout and " skipped" not in result.stdout.splitlines()[-1]


@pytest.mark.slow
def test_skips_stay_skips_outside_ci(tmp_path):
    result = run_inner(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout.splitlines()[-1]


def sandboxed_bootstrap(tmp_path: Path) -> Path:
    """A copy of scripts/bootstrap.sh in a checkout whose .venv is a stub that is already up to date,
    so running it touches no shared venv and installs no Python package."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    (root / ".venv" / "bin").mkdir(parents=True)
    script = root / "scripts" / "bootstrap.sh"
    script.write_text((REPO / "scripts" / "bootstrap.sh").read_text())
    (root / "requirements.txt").write_text("stub==1\n")
    (root / ".venv" / ".requirements.stamp").write_text("stub==1\n")
    python = root / ".venv" / "bin" / "python"
    python.write_text("#!/bin/sh\nexit 0\n")
    for path in (script, python):
        path.chmod(0o755)
    for path in (tmp_path, root, root / "scripts", root / ".venv", root / ".venv" / "bin"):
        path.chmod(0o755)
    return script


@pytest.mark.parametrize("ci", ["true", None])
@pytest.mark.slow
def test_bootstrap_not_as_root_is_loud_and_fails_under_ci(ci):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root (and setpriv) to run the bootstrap as another user")
    with tempfile.TemporaryDirectory() as scratch:      # pytest's tmp_path is root-only (0700)
        run_bootstrap_as_nobody(Path(scratch), ci)


def run_bootstrap_as_nobody(tmp_path: Path, ci: str | None) -> None:
    script = sandboxed_bootstrap(tmp_path)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    if ci is not None:
        env["CI"] = ci
    result = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "bash", str(script)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert "not root" in result.stderr, result.stderr
    if ci:
        assert result.returncode == 1 and "bootstrap: ERROR" in result.stderr and "CI=true" in result.stderr
    else:
        assert result.returncode == 0 and "bootstrap: WARNING" in result.stderr and "SKIPPED" in result.stderr


def test_bootstrap_installs_the_tools_the_tests_run():
    text = (REPO / "scripts" / "bootstrap.sh").read_text()
    # The array ends at the ")" alone on its line (comments inside may hold parentheses).
    packages = text.split("DEBIAN_PACKAGES=(", 1)[1].split("\n)", 1)[0]
    words = {word for line in packages.splitlines() for word in line.split("#", 1)[0].split()}
    # systemd: systemd-analyze (test_deploy_files) and systemd-creds (test_keystore); prometheus: promtool.
    assert {"systemd", "pcscd", "vsmartcard-vpcd", "prometheus", "gcc"} <= words
    commands = text.split("REQUIRED_COMMANDS=(", 1)[1].split(")", 1)[0].split()
    assert {"pcscd", "systemd-analyze", "systemd-creds", "promtool", "gcc"} <= set(commands)
