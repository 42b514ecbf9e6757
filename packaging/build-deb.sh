#!/usr/bin/env bash
# Builds the two .debs of one release from staging directories with dpkg-deb (no debhelper):
# qihang-kiosk (the station) and qihang-hall (the server), each with only what it runs.
#
#   packaging/build-deb.sh [OUT_DIR]          -> OUT_DIR/qihang-kiosk_<version>_all.deb
#                                                OUT_DIR/qihang-hall_<version>_all.deb
#   WHEELS_DIR=dist/wheels packaging/build-deb.sh
#                                             -> ..._<arch>.debs with /opt/<package>/wheels
#                                                from WHEELS_DIR/<package> (build-wheels.sh)
#
# A package ships the app's source and its hashed requirements, not its Python packages:
# postinst builds /opt/<package>/venv with `pip install --require-hashes` from the configured
# index, or offline from the bundled wheels (`make deb-wheels`). Version from pyproject.toml, or
# PACKAGE_VERSION=1.2.0 packaging/build-deb.sh (stamped into the staged kiosk/__init__.py).
# Prints the path of each .deb, one a line.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR=$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)
LRELEASE=${LRELEASE:-$ROOT/.venv/bin/pyside6-lrelease}
WHEELS_DIR=${WHEELS_DIR:-}

SOURCE_VERSION=$(sed -n 's/^version = "\([^"]*\)"/\1/p' "$ROOT/pyproject.toml" | head -n1)
[ -n "$SOURCE_VERSION" ] || { echo "no version in pyproject.toml" >&2; exit 1; }
# PACKAGE_VERSION overrides it (a release candidate, or the apt repository test's two versions):
# the staged pyproject.toml and kiosk/__init__.py then carry it too, so a station's heartbeat
# reports the version dpkg installed.
VERSION=${PACKAGE_VERSION:-$SOURCE_VERSION}
[[ $VERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || { echo "bad package version: $VERSION" >&2; exit 1; }
# Reproducible: every file gets the same timestamp (also keeps each .qm "not older" than its .ts,
# so the kiosk never tries to recompile translations into read-only /opt).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$ROOT/pyproject.toml")}

STAGE=""
trap 'if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi' EXIT

# Copies source trees (directories or single files, relative to ROOT) into APP, leaving out
# byte code and compiled translations. A missing one fails the build: a package without a
# module it imports would install and then die at start.
copy_source() {
    local path f
    for path in "$@"; do
        [ -e "$ROOT/$path" ] || { echo "$PKG: $path is missing from the source tree" >&2; exit 1; }
        (cd "$ROOT" && find "$path" -type f \
            ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*.qm' -print0) |
            while IFS= read -r -d '' f; do install -D -m 0644 "$ROOT/$f" "$APP/$f"; done
    done
}

# The kiosk's files: the station app, its config, PAM, unit, udev rules and system limits.
stage_kiosk() {
    copy_source main.py pyproject.toml requirements.txt packaging/kiosk.example.toml \
        kiosk drivers offline_queue remote_assist ui contracts
    # Translations compiled into the package, never on the station.
    local ts qm
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

    # The example with production paths. No [station]: a new terminal boots into the enrolment
    # screen and gets its station from the hall (main.py provision, or the first-boot screen).
    install -d "$STAGE/etc/qihang"
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

    # Debian 12 paths (/lib is /usr/lib on merged-/usr systems; systemd and udev read both).
    install -D -m 0644 -t "$STAGE/lib/systemd/system" "$ROOT/packaging/systemd/qihang-kiosk.service" \
        "$ROOT"/packaging/systemd/qihang-kiosk-update.{service,path,timer}
    install -D -m 0644 "$ROOT/packaging/udev/70-qihang-kiosk.rules" \
        "$STAGE/lib/udev/rules.d/70-qihang-kiosk.rules"
    install -D -m 0644 "$ROOT/packaging/systemd/journald-qihang.conf" \
        "$STAGE/usr/lib/systemd/journald.conf.d/60-qihang.conf"
    install -D -m 0644 "$ROOT/packaging/systemd/coredump-qihang.conf" \
        "$STAGE/usr/lib/systemd/coredump.conf.d/60-qihang.conf"
    install -D -m 0644 "$ROOT/packaging/systemd/system-qihang.conf" \
        "$STAGE/usr/lib/systemd/system.conf.d/60-qihang.conf"
}

# The hall's files: the server, what it shares with the kiosk, and its unit. Of remote_assist
# the hall imports only the wire protocol; the rest (aiortc video, the kiosk's client) stays out.
stage_hall() {
    copy_source requirements-hall.txt hall contracts \
        remote_assist/__init__.py remote_assist/protocol.py
    install -D -m 0644 -t "$STAGE/lib/systemd/system" "$ROOT/packaging/systemd/qihang-hall.service"
}

build_package() {
    PKG=$1
    local deb_dir=$ROOT/packaging/deb/$PKG arch=all
    STAGE=$(mktemp -d "${TMPDIR:-/tmp}/$PKG-stage.XXXXXX")
    APP=$STAGE/opt/$PKG/app
    if [ -n "$WHEELS_DIR" ]; then
        ls "$WHEELS_DIR/$PKG"/*.whl >/dev/null 2>&1 || { echo "no wheels in $WHEELS_DIR/$PKG" >&2; exit 1; }
        [ -f "$WHEELS_DIR/$PKG/requirements.txt" ] ||
            { echo "no $WHEELS_DIR/$PKG/requirements.txt (run build-wheels.sh)" >&2; exit 1; }
        arch=$(dpkg --print-architecture)  # compiled wheels (PySide6, numpy, pyscard ...)
        install -d "$STAGE/opt/$PKG/wheels"
        install -m 0644 "$WHEELS_DIR/$PKG"/*.whl "$WHEELS_DIR/$PKG/requirements.txt" \
            "$STAGE/opt/$PKG/wheels/"
    fi

    "stage_${PKG#qihang-}"
    if [ "$VERSION" != "$SOURCE_VERSION" ]; then
        if [ -f "$APP/pyproject.toml" ]; then
            sed -i "s/^version = \"$SOURCE_VERSION\"/version = \"$VERSION\"/" "$APP/pyproject.toml"
        fi
        if [ -f "$APP/kiosk/__init__.py" ]; then
            sed -i "s/^__version__ = \".*\"/__version__ = \"$VERSION\"/" "$APP/kiosk/__init__.py"
            grep -qx "__version__ = \"$VERSION\"" "$APP/kiosk/__init__.py" ||
                { echo "kiosk/__init__.py has no __version__ line to stamp" >&2; exit 1; }
        fi
    fi

    # --- documentation ---------------------------------------------------------------------------
    local doc=$STAGE/usr/share/doc/$PKG
    install -D -m 0644 "$ROOT/docs/runbook.md" "$doc/runbook.md"
    install -m 0644 "$ROOT/docs/failure_codes.md" "$ROOT/packaging/deb/copyright" "$doc/"
    {
        echo "$PKG ($VERSION) stable; urgency=medium"
        echo
        echo "  * Release $VERSION, built from the source tree (see the project's git history)."
        echo
        echo " -- Qihang Station Kiosk team <kiosk-team@qihang.invalid>  $(date -R -u -d "@$SOURCE_DATE_EPOCH")"
    } | gzip -9n > "$doc/changelog.gz"
    install -D -m 0644 "$deb_dir/lintian-overrides" "$STAGE/usr/share/lintian/overrides/$PKG"

    # --- control area ------------------------------------------------------------------------------
    install -d "$STAGE/DEBIAN"
    # postinst = the package's script with the shared venv builder in place of its marker line.
    grep -qx '# @VENV_SH@' "$deb_dir/postinst.in" ||
        { echo "$deb_dir/postinst.in has no '# @VENV_SH@' line" >&2; exit 1; }
    sed -e "/^# @VENV_SH@\$/{r $ROOT/packaging/deb/venv.sh" -e 'd}' "$deb_dir/postinst.in" \
        > "$STAGE/DEBIAN/postinst"
    install -m 0755 "$deb_dir/prerm" "$deb_dir/postrm" "$STAGE/DEBIAN/"
    chmod 0755 "$STAGE/DEBIAN/postinst"
    if [ -f "$deb_dir/conffiles" ]; then
        install -m 0644 "$deb_dir/conffiles" "$STAGE/DEBIAN/conffiles"
    fi
    (cd "$STAGE" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z |
        xargs -0 md5sum) > "$STAGE/DEBIAN/md5sums"
    chmod 0644 "$STAGE/DEBIAN/md5sums"
    local size
    size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
    sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
        "$deb_dir/control.in" > "$STAGE/DEBIAN/control"

    find "$STAGE" -type d -exec chmod 0755 {} +
    find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    local deb="$OUT_DIR/${PKG}_${VERSION}_${arch}.deb"
    dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$deb" >/dev/null
    rm -rf "$STAGE"
    STAGE=""
    echo "$deb"
}

build_package qihang-kiosk
build_package qihang-hall
