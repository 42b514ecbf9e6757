#!/usr/bin/env bash
# Builds the wheel bundle for air-gapped stations: every pinned requirement as a wheel for this
# machine's CPU and Python 3.11 (pyscard is compiled here: needs gcc, swig, libpcsclite-dev and
# python3.11-dev). Then `WHEELS_DIR=<dir> packaging/build-deb.sh` puts them in the .deb, and
# postinst installs from /opt/qihang-kiosk/wheels with no network. Not run in CI (~400 MB).
#
#   packaging/build-wheels.sh [WHEEL_DIR]     (default dist/wheels)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/dist/wheels}
PYTHON=${PYTHON:-python3.11}
mkdir -p "$OUT"
"$PYTHON" -m pip wheel --disable-pip-version-check --wheel-dir "$OUT" -r "$ROOT/requirements.txt"
echo "$OUT"
