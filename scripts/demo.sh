#!/usr/bin/env bash
# The demo command (README quick start): installs what is missing, then runs
# the kiosk with simulated devices and the reference platform in-process.
# Without a display it runs a scripted citizen session offscreen and writes
# screenshots and the receipt to demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python main.py --demo "$@"
