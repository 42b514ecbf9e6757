# build_venv and compile_app for both packages' postinst (build-deb.sh splices this file in at
# the marker line of postinst.in). The caller sets PKG, APP (/opt/$PKG) and REQUIREMENTS (the
# hashed requirements file in $APP/app).
# shellcheck shell=sh

VENV="$APP/venv"
WHEELS="$APP/wheels"
STAMP="$VENV/.requirements.sha256"

build_venv() {
    # The venv is made here, not shipped: PySide6 alone is hundreds of MB and CPU-specific.
    # Every package is checked against its pinned hash (--require-hashes): what the index or a
    # mirror serves must be byte for byte what the project compiled and tested.
    reqs=$REQUIREMENTS
    if [ -d "$WHEELS" ] && ls "$WHEELS"/*.whl >/dev/null 2>&1; then
        # The offline build: the bundle's own hashes, recorded by build-wheels.sh after pip had
        # checked every download against $REQUIREMENTS (a wheel built from an sdist, such as
        # pyscard's, has a hash of its own).
        reqs="$WHEELS/requirements.txt"
    fi
    want=$(sha256sum < "$reqs" | cut -d' ' -f1)
    if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
        && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        return 0
    fi
    rm -rf "$VENV"
    python3.11 -m venv "$VENV"
    set -- --disable-pip-version-check --no-input --quiet --no-warn-script-location \
        --require-hashes
    if [ "$reqs" != "$REQUIREMENTS" ]; then
        echo "$PKG: installing Python packages offline from $WHEELS"
        set -- "$@" --no-index --find-links "$WHEELS"
    else
        echo "$PKG: installing Python packages from the configured index (pip.conf)"
    fi
    if ! "$VENV/bin/python" -m pip install "$@" -r "$reqs"; then
        rm -rf "$VENV"
        cat >&2 <<MSG
$PKG: installing the pinned Python packages failed.
  - Is a package index reachable? Set it in /etc/pip.conf ([global] index-url = ...),
    or install the offline build of this package (make deb-wheels).
  - "THESE PACKAGES DO NOT MATCH THE HASHES": the index serves other files than PyPI's;
    use a mirror that serves PyPI's files unchanged, or the offline build.
  - pyscard (station only) has no Linux wheel on PyPI: install gcc swig libpcsclite-dev
    python3.11-dev so pip can build it, or use the offline build.
Then run: dpkg --configure -a
MSG
        exit 1
    fi
    echo "$want" > "$STAMP"
}

compile_app() {
    # /opt is read-only for the service user: compile once here so every start is quick.
    "$VENV/bin/python" -m compileall -q "$APP/app" >/dev/null || true
}
