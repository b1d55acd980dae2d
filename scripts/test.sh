#!/usr/bin/env bash
# The test command (README quick start, and what CI runs): installs what is
# missing, then runs the whole suite headless — the real reference platform on
# loopback, real SQLite files, real face models, real processes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
# Many tests wait (devices, timeouts, subprocesses, servers) rather than compute: several workers
# overlap the waiting (pytest-xdist). Tests that share a machine-wide resource (pcscd and the vpcd
# port) carry one xdist_group and run on one worker. KIOSK_TEST_WORKERS=0 runs in one process.
exec .venv/bin/python -m pytest -q -n "${KIOSK_TEST_WORKERS:-4}" --dist loadgroup "$@"
