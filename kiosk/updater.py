"""Station updates from the hall's apt repository (issue 20): the pinned key, the version pin
and the upgrade.

Two sides, because the kiosk runs unprivileged and apt needs root:

- **The kiosk** (user ``kiosk``) keeps what the hall said, under its state directory: the
  repository's public key from the enrolment answer (:func:`pin_apt_key`, ``keys/hall_apt.asc``,
  with its fingerprint checked against the answer's) and the version the console pinned this
  station to, from the heartbeat answer's ``software`` field (:func:`note_software`,
  ``software.json``; written only between walk-ins and only when it changes). No such field means
  no pin: follow the newest.
- **The updater** (``python -m kiosk.updater``, run as root by ``qihang-kiosk-update.service``:
  at once when ``software.json`` changes, through ``qihang-kiosk-update.path``, and nightly
  through ``qihang-kiosk-update.timer``) writes apt's files and upgrades the package
  (:func:`configure`, :func:`upgrade`): the keyring ``/etc/apt/keyrings/qihang.asc``, a deb822
  source ``/etc/apt/sources.list.d/qihang.sources`` with ``Signed-By`` naming only that keyring
  (apt refuses a repository signed by any other key, the hall's included if it changed keys), and
  for a pin ``/etc/apt/preferences.d/qihang-kiosk.pref`` (``Pin-Priority: 1001`` for the
  version: apt installs it even when it is older, a downgrade) plus the pinned version's snapshot
  suite (:func:`contracts.apt_source.pin_suite`) in the source.

The kiosk's files are not trusted beyond what they can say: the keyring is copied once, when
none is installed (trust on first use, as enrolment pins every hall key); a pinned key that later
differs is refused with a log line, not installed (``docs/runbook.md`` says how a technician
re-pins). The hall URL must be an http(s) URL and the pin a Debian version, so a compromised
kiosk account cannot make root trust another repository or install another package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from contracts.apt_source import (
    COMPONENT,
    KIOSK_PACKAGE,
    SUITE,
    AptKey,
    SoftwareAnswer,
    pin_suite,
    version_ok,
)
from kiosk.device_identity import write_secret
from kiosk.station_file import STATION_FILE
from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

KEY_FILE: Final = "keys/hall_apt.asc"
SOFTWARE_FILE: Final = "software.json"
KEYRING: Final = "keyrings/qihang.asc"
SOURCES: Final = "sources.list.d/qihang.sources"
PREFERENCES: Final = "preferences.d/qihang-kiosk.pref"
_URL: Final = re.compile(r"^https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?$")
_ARMOURED: Final = re.compile(
    r"^-----BEGIN PGP PUBLIC KEY BLOCK-----\n[\x20-\x7e\n]+\n-----END PGP PUBLIC KEY BLOCK-----\n?$"
)


class UpdateRefused(Exception):
    """The station's update files cannot be trusted or used; the message says why."""


# --- the kiosk's side -----------------------------------------------------------------------------


def parse_apt_key(field: object) -> AptKey:
    """The enrolment answer's ``apt`` (:class:`AptKey`); ``ValueError`` when malformed (the
    caller refuses the whole answer)."""
    try:
        key = AptKey.model_validate(field)
    except ValidationError as exc:
        raise ValueError("the hall's apt key is malformed") from exc
    if _ARMOURED.fullmatch(key.key) is None:
        raise ValueError("the hall's apt key is not an armoured public key")
    return key


def pin_apt_key(state_dir: Path, key: AptKey) -> None:
    """Keep the repository key the hall sent at enrolment (0600; ``OSError`` if it cannot)."""
    write_secret(Path(state_dir) / KEY_FILE, key.key.encode("ascii"))
    log.info("apt repository key %s pinned", key.fingerprint)


def note_software(state_dir: Path, answer: Mapping[str, Any] | None) -> bool:
    """Keep the pin a heartbeat answer carries (no ``software``: none); True when it changed,
    which starts the root updater (``qihang-kiosk-update.path``). A malformed field changes
    nothing."""
    try:
        wanted = SoftwareAnswer.model_validate((answer or {}).get("software") or {})
    except ValidationError:
        log.warning("the heartbeat answer's software field is malformed: ignored")
        return False
    if wanted.pin == read_pin(state_dir) and (Path(state_dir) / SOFTWARE_FILE).exists():
        return False
    atomic_write(
        Path(state_dir) / SOFTWARE_FILE, json.dumps({"pin": wanted.pin}).encode(), mode=0o644
    )
    log.info("software pin: %s", wanted.pin or "none (the newest)")
    return True


def read_pin(state_dir: Path) -> str | None:
    """The pinned version the kiosk noted, or None (none, or the file is unusable)."""
    try:
        doc = json.loads((Path(state_dir) / SOFTWARE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    pin = doc.get("pin") if isinstance(doc, dict) else None
    return pin if version_ok(pin) else None


# --- apt's files ----------------------------------------------------------------------------------


def sources_entry(repo_url: str, keyring: Path, pin: str | None) -> str:
    """The deb822 source: the suite, and the pinned version's snapshot when pinned."""
    suites = [SUITE] + ([pin_suite(KIOSK_PACKAGE, pin)] if pin else [])
    return (
        "# Written by python -m kiosk.updater from the station's enrolment; do not edit.\n"
        "Types: deb\n"
        f"URIs: {repo_url.rstrip('/')}/\n"
        f"Suites: {' '.join(suites)}\n"
        f"Components: {COMPONENT}\n"
        f"Signed-By: {keyring}\n"
    )


def preferences(pin: str) -> str:
    """Priority 1001 for the pinned version: apt installs it, older or not."""
    return (
        "# Written by python -m kiosk.updater: the hall's console pinned this station.\n"
        f"Package: {KIOSK_PACKAGE}\nPin: version {pin}\nPin-Priority: 1001\n"
    )


@dataclass(frozen=True, slots=True)
class Configured:
    repo_url: str
    pin: str | None
    changed: bool


def configure(state_dir: Path, etc_apt: Path = Path("/etc/apt")) -> Configured:
    """Write apt's keyring, source and preferences from what the kiosk kept (root's side; see
    the module docstring). Raises :class:`UpdateRefused`."""
    state_dir, etc_apt = Path(state_dir), Path(etc_apt)
    repo_url = _repo_url(state_dir)
    try:
        pinned_key = (state_dir / KEY_FILE).read_bytes()
    except OSError:
        raise UpdateRefused("no apt key pinned: enrol this station with the hall again") from None
    keyring = etc_apt / KEYRING
    changed = False
    if keyring.exists():
        if keyring.read_bytes() != pinned_key:
            raise UpdateRefused(
                f"the pinned apt key differs from {keyring}: not replaced (see the runbook)"
            )
    else:
        changed |= _put(keyring, pinned_key)
    pin = read_pin(state_dir)
    changed |= _put(etc_apt / SOURCES, sources_entry(repo_url, keyring, pin).encode())
    prefs = etc_apt / PREFERENCES
    if pin is not None:
        changed |= _put(prefs, preferences(pin).encode())
    elif prefs.exists():
        prefs.unlink()
        changed = True
    return Configured(repo_url, pin, changed)


def upgrade(
    etc_apt: Path = Path("/etc/apt"),
    *,
    env: Mapping[str, str] | None = None,
    apt_get: Sequence[str] = ("apt-get",),
    timeout_s: float = 1800.0,
) -> None:
    """Fetch the hall's repository only and install the candidate of the kiosk package (the
    pinned version, or the newest): an upgrade, or a downgrade to a pin. Raises
    :class:`UpdateRefused` with apt's last words when apt fails (a bad signature included)."""
    only_ours = [
        "-o",
        f"Dir::Etc::SourceList={Path(etc_apt) / SOURCES}",
        "-o",
        "Dir::Etc::SourceParts=-",
    ]
    run_env = {**os.environ, **(env or {}), "DEBIAN_FRONTEND": "noninteractive"}
    steps = [
        # Only the hall's lists are fetched; the others are kept (no clean-up), so the
        # install still finds a Debian dependency a new version may add.
        # --error-on=any: a signature apt cannot verify fails the run (by default apt warns
        # and keeps the previous lists).
        [*apt_get, *only_ours, "-o", "APT::Get::List-Cleanup=0", "--error-on=any", "update"],
        [
            *apt_get,
            "-y",
            "--allow-downgrades",
            "-o",
            "Dpkg::Options::=--force-confold",
            "install",
            KIOSK_PACKAGE,
        ],
    ]
    for cmd in steps:
        done = subprocess.run(
            cmd, env=run_env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
        if done.returncode != 0:
            words = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise UpdateRefused(f"apt-get {cmd[-1]} failed: {' / '.join(words)}")


def _repo_url(state_dir: Path) -> str:
    try:
        doc = json.loads((state_dir / STATION_FILE).read_text("utf-8"))
        url = str(doc["hall"]["url"]).rstrip("/") + "/apt"
    except (OSError, ValueError, KeyError, TypeError):
        raise UpdateRefused("no hall URL: enrol this station with the hall") from None
    if _URL.fullmatch(url) is None:
        raise UpdateRefused("the hall URL kept at enrolment is not an http(s) URL")
    return url


def _put(path: Path, data: bytes) -> bool:
    """Write ``data`` (0644) if ``path`` does not hold it already; True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, mode=0o644)
    log.info("%s written (sha256 %s)", path, hashlib.sha256(data).hexdigest()[:12])
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.updater", description="update the kiosk package from the hall"
    )
    parser.add_argument("--state-dir", type=Path, default=Path("/var/lib/qihang/kiosk"))
    parser.add_argument("--etc-apt", type=Path, default=Path("/etc/apt"))
    parser.add_argument(
        "--configure-only", action="store_true", help="write apt's files, do not run apt-get"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level="INFO", format="%(levelname)s %(name)s: %(message)s")
    try:
        done = configure(args.state_dir, args.etc_apt)
        if not args.configure_only:
            upgrade(args.etc_apt)
    except UpdateRefused as exc:
        log.error("%s", exc)
        return 1
    log.info("kiosk package up to date (pin: %s)", done.pin or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
