#!/usr/bin/env bash
# Builds the wheel bundles for air-gapped machines: every pinned requirement as a wheel for this
# machine's CPU and Python 3.11, one bundle a package (qihang-kiosk from requirements.txt,
# qihang-hall from requirements-hall.txt). pyscard is compiled here (the kiosk's only sdist:
# needs gcc, swig, libpcsclite-dev and python3.11-dev). Then `WHEELS_DIR=<dir>
# packaging/build-deb.sh` puts each bundle in its .deb, and postinst installs from
# /opt/<package>/wheels with no network. Not run in CI (~400 MB).
#
# pip checks every download against the committed hashes (--require-hashes); a wheel built here
# from a checked sdist has a hash of its own, so each bundle gets a requirements.txt with the
# hashes of exactly its wheels, which postinst installs with --require-hashes.
#
#   packaging/build-wheels.sh [WHEEL_DIR]     (default dist/wheels)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/dist/wheels}
PYTHON=${PYTHON:-python3.11}

bundle() {  # PACKAGE REQUIREMENTS_FILE
    local requirements=$2 dir=$OUT/$1
    rm -rf "$dir"
    mkdir -p "$dir"
    "$PYTHON" -m pip wheel --disable-pip-version-check --require-hashes --wheel-dir "$dir" \
        -r "$requirements"
    # name==version --hash=sha256:... for each wheel (the wheel file name carries both).
    "$PYTHON" - "$dir" > "$dir/requirements.txt" <<'PY'
import hashlib
import sys
from pathlib import Path

for wheel in sorted(Path(sys.argv[1]).glob("*.whl")):
    name, version = wheel.name.split("-")[:2]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    print(f"{name}=={version} --hash=sha256:{digest}")
PY
    echo "$dir"
}

bundle qihang-kiosk "$ROOT/requirements.txt"
bundle qihang-hall "$ROOT/requirements-hall.txt"
