#!/usr/bin/env bash
# The test command (README quick start, and what CI runs): installs what is
# missing, then runs the whole suite headless — the real reference platform on
# loopback, real SQLite files, real face models, real processes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
# Many tests wait (devices, timeouts, subprocesses, servers) rather than compute: four workers
# overlap the waiting (pytest-xdist). The PC/SC tests share the machine's one pcscd and the vpcd
# port, so they run afterwards in one process. KIOSK_TEST_WORKERS=0 runs the first part in one
# process too.
.venv/bin/python -m pytest -q -n "${KIOSK_TEST_WORKERS:-4}" --dist load -m "not pcsc" "$@"
exec .venv/bin/python -m pytest -q -m pcsc "$@"
