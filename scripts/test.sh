#!/usr/bin/env bash
# The test command (README quick start, and what CI runs): installs what is
# missing, then runs the whole suite headless — the real reference platform on
# loopback, real SQLite files, real face models, real processes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
