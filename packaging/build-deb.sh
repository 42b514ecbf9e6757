#!/usr/bin/env bash
# Builds the qihang-kiosk .deb from a staging directory with dpkg-deb (no debhelper).
#
#   packaging/build-deb.sh [OUT_DIR]          -> OUT_DIR/qihang-kiosk_<version>_all.deb
#   WHEELS_DIR=dist/wheels packaging/build-deb.sh
#                                             -> ..._<arch>.deb with /opt/qihang-kiosk/wheels
#
# The package ships the app's source and pinned requirements, not its Python packages: postinst
# builds /opt/qihang-kiosk/venv from the configured index, or offline from the bundled wheels
# (see packaging/build-wheels.sh, `make deb-wheels`). Version from pyproject.toml.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PKG=qihang-kiosk
OUT_DIR=$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)
LRELEASE=${LRELEASE:-$ROOT/.venv/bin/pyside6-lrelease}
WHEELS_DIR=${WHEELS_DIR:-}

VERSION=$(sed -n 's/^version = "\([^"]*\)"/\1/p' "$ROOT/pyproject.toml" | head -n1)
[ -n "$VERSION" ] || { echo "no version in pyproject.toml" >&2; exit 1; }
# Reproducible: every file gets the same timestamp (also keeps each .qm "not older" than its .ts,
# so the kiosk never tries to recompile translations into read-only /opt).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$ROOT/pyproject.toml")}

ARCH=all
if [ -n "$WHEELS_DIR" ]; then
    ls "$WHEELS_DIR"/*.whl >/dev/null 2>&1 || { echo "no wheels in $WHEELS_DIR" >&2; exit 1; }
    ARCH=$(dpkg --print-architecture)  # compiled wheels (PySide6, numpy, pyscard ...)
fi

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/$PKG-stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
APP=$STAGE/opt/$PKG/app

# --- the application ---------------------------------------------------------------------------
install -d "$APP/packaging"
install -m 0644 "$ROOT/main.py" "$ROOT/pyproject.toml" "$ROOT/requirements.txt" "$APP/"
install -m 0644 "$ROOT/packaging/kiosk.example.toml" "$APP/packaging/"
for dir in kiosk drivers offline_queue remote_assist ui hall; do
    (cd "$ROOT" && find "$dir" -type f \
        ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*.qm' -print0) |
        while IFS= read -r -d '' f; do install -D -m 0644 "$ROOT/$f" "$APP/$f"; done
done
# Translations compiled into the package, never on the station.
for ts in "$ROOT"/ui/i18n/*.ts; do
    qm="$APP/ui/i18n/$(basename "${ts%.ts}").qm"
    if [ -x "$LRELEASE" ]; then
        "$LRELEASE" -silent "$ts" -qm "$qm"
    elif [ -f "${ts%.ts}.qm" ] && [ "${ts%.ts}.qm" -nt "$ts" ]; then
        install -m 0644 "${ts%.ts}.qm" "$qm"
    else
        echo "cannot compile $ts: no $LRELEASE (run make venv i18n)" >&2; exit 1
    fi
done

if [ -n "$WHEELS_DIR" ]; then
    install -d "$STAGE/opt/$PKG/wheels"
    install -m 0644 "$WHEELS_DIR"/*.whl "$STAGE/opt/$PKG/wheels/"
fi

# --- configuration: the example with production paths ------------------------------------------
install -d "$STAGE/etc/qihang"
# No [station]: a new terminal boots into the enrolment screen and gets its station from the
# hall (main.py provision, or the first-boot screen), never from a shipped file.
sed -e 's|^state_dir = "var/kiosk"|state_dir = "/var/lib/qihang/kiosk"|' \
    -e 's|render_dir = "var/kiosk/receipts"|render_dir = "/var/lib/qihang/kiosk/receipts"|' \
    -e '/^\[station\]$/,/^$/c\# [station] comes from enrolment: the first-boot screen or main.py provision.\n' \
    "$ROOT/packaging/kiosk.example.toml" > "$STAGE/etc/qihang/kiosk.toml"
if grep -q '^\[station\]' "$STAGE/etc/qihang/kiosk.toml"; then
    echo "the packaged kiosk.toml must not name a station (first boot enrols it)" >&2; exit 1
fi
if grep -nE '"var/' "$STAGE/etc/qihang/kiosk.toml" ||
    ! grep -q '^state_dir = "/var/lib/qihang/kiosk"' "$STAGE/etc/qihang/kiosk.toml"; then
    echo "kiosk.example.toml changed: update the production paths in build-deb.sh" >&2; exit 1
fi
chmod 0644 "$STAGE/etc/qihang/kiosk.toml"
install -D -m 0644 "$ROOT/packaging/pam/qihang-kiosk" "$STAGE/etc/pam.d/qihang-kiosk"

# --- systemd, udev, journald, coredump ---------------------------------------------------------
# Debian 12 paths (/lib is /usr/lib on merged-/usr systems; systemd and udev read both).
install -D -m 0644 -t "$STAGE/lib/systemd/system" \
    "$ROOT/packaging/systemd/qihang-kiosk.service" "$ROOT/packaging/systemd/qihang-hall.service"
install -D -m 0644 "$ROOT/packaging/udev/70-qihang-kiosk.rules" \
    "$STAGE/lib/udev/rules.d/70-qihang-kiosk.rules"
install -D -m 0644 "$ROOT/packaging/systemd/journald-qihang.conf" \
    "$STAGE/usr/lib/systemd/journald.conf.d/60-qihang.conf"
install -D -m 0644 "$ROOT/packaging/systemd/coredump-qihang.conf" \
    "$STAGE/usr/lib/systemd/coredump.conf.d/60-qihang.conf"
install -D -m 0644 "$ROOT/packaging/systemd/system-qihang.conf" \
    "$STAGE/usr/lib/systemd/system.conf.d/60-qihang.conf"

# --- documentation -------------------------------------------------------------------------------
DOC=$STAGE/usr/share/doc/$PKG
install -D -m 0644 "$ROOT/docs/runbook.md" "$DOC/runbook.md"
install -m 0644 "$ROOT/docs/failure_codes.md" "$DOC/failure_codes.md"
install -m 0644 "$ROOT/packaging/deb/copyright" "$DOC/copyright"
{
    echo "$PKG ($VERSION) stable; urgency=medium"
    echo
    echo "  * Release $VERSION, built from the source tree (see the project's git history)."
    echo
    echo " -- Qihang Station Kiosk team <kiosk-team@qihang.invalid>  $(date -R -u -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$DOC/changelog.gz"
install -D -m 0644 "$ROOT/packaging/deb/lintian-overrides" \
    "$STAGE/usr/share/lintian/overrides/$PKG"

# --- control area --------------------------------------------------------------------------------
install -d "$STAGE/DEBIAN"
install -m 0755 "$ROOT/packaging/deb/postinst" "$ROOT/packaging/deb/prerm" \
    "$ROOT/packaging/deb/postrm" "$STAGE/DEBIAN/"
install -m 0644 "$ROOT/packaging/deb/conffiles" "$STAGE/DEBIAN/conffiles"
(cd "$STAGE" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum) > "$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/md5sums"
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$SIZE/" \
    "$ROOT/packaging/deb/control.in" > "$STAGE/DEBIAN/control"

find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
DEB="$OUT_DIR/${PKG}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
