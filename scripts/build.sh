#!/usr/bin/env bash
# Builds the one-folder PyInstaller bundle (dist/kiosk/) and smoke-tests the built binary:
#   dist/kiosk/kiosk diagnose --json --demo
# must print a JSON report with "healthy": true (simulated devices, in-process reference
# platform on 127.0.0.1, no display needed). Prints build time and bundle size.
#   scripts/build.sh            (DIST=/path/to/dist and WORK=/path/to/build to relocate)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
DIST=${DIST:-dist}
WORK=${WORK:-build}

start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK" kiosk.spec
built=$(date +%s)
echo "build: $((built - start)) s, bundle $(du -sh "$DIST/kiosk" | cut -f1) in $DIST/kiosk"

echo "smoke test: $DIST/kiosk/kiosk diagnose --json --demo"
report=$(QT_QPA_PLATFORM=offscreen "$DIST/kiosk/kiosk" diagnose --json --demo) || {
  echo "$report"; echo "smoke test FAILED: diagnose exited non-zero" >&2; exit 1; }
echo "$report" | .venv/bin/python -c '
import json, sys
report = json.loads(sys.stdin.read().strip().splitlines()[-1])
failed = [c["name"] for c in report["checks"] if not c["ok"]]
assert report["healthy"] and not failed, failed
names = {c["name"] for c in report["checks"]}
assert {"device.id_reader", "device.camera", "device.printer", "platform.http", "platform.heartbeat"} <= names, names
print("smoke test passed: %d checks healthy, software %s" % (len(names), report["software_version"]))
'
# One face comparison through the bundled engine and models (the photos are test material
# read from ../shared/faces, never bundled).
FACES=${KIOSK_FACES_DIR:-../shared/faces}
echo "smoke test: $DIST/kiosk/kiosk face-compare --json --chip (two photos of one person)"
compared=$("$DIST/kiosk/kiosk" face-compare --json --chip \
  "$FACES/lfw_krasserm/Vladimir_Putin/Vladimir_Putin_0001.jpg" "$FACES/lfw_krasserm/Vladimir_Putin/Vladimir_Putin_0002.jpg") || {
  echo "$compared"; echo "smoke test FAILED: face-compare exited non-zero" >&2; exit 1; }
echo "$compared" | .venv/bin/python -c '
import json, sys
result = json.loads(sys.stdin.read().strip().splitlines()[-1])
assert result["engine"] == "sface" and result["match"] is True, result
print("smoke test passed: face-compare %s distance %.3f <= %s" % (result["engine"], result["distance"], result["threshold"]))
'
echo "smoke test: $((($(date +%s) - built))) s"
