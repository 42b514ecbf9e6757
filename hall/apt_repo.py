"""The hall's apt repository: stations install and upgrade the kiosk package from it.

A folder beside the hall's keys (``hall.keys/apt/``, :func:`path_beside`) holds a reprepro
repository (``repo/``: ``conf/``, ``db/``, and what apt reads, ``dists/`` and ``pool/``), the
GnuPG home that owns its signing key (``gnupg/``, 0700; an Ed25519 key with no passphrase made by
``python -m hall apt init``) and the key's armoured public half (``hall-apt.asc``). The
repository is signed (``SignWith`` in ``conf/distributions``: every ``Release`` gets an
``InRelease`` and a ``Release.gpg``); the public key reaches each station in its enrolment answer
(``apt``: the key and its fingerprint), where the station pins it as the only key its apt source
trusts (``Signed-By``, :mod:`kiosk.updater`).

``python -m hall apt publish FILE.deb`` adds a package to the suite ``stable`` (what an unpinned
station installs: the newest) and freezes the suite as a reprepro snapshot named
``<package>-<version>`` (``dists/stable/snapshots/qihang-kiosk-1.2.0/``, signed like the suite).
reprepro 5.3 (Debian 12) keeps one version of a package per suite, so the snapshots are what
keeps the older versions installable: a station pinned to 1.2.0 adds that snapshot to its apt
source and an apt preference of priority 1001 for the version, which lets apt downgrade.

The hall serves ``dists/`` and ``pool/`` read-only at ``/apt/`` (:func:`router`), with no login
(apt fetches anonymously; the packages hold no personal data, and the signature, not the
channel, is what a station trusts). Nothing else of the folder is reachable: not ``conf/``,
``db/`` or the GnuPG home; no dot-file, no ``..``, no symbolic link out. Several hall instances
share the folder (or put the read-only ``/apt/`` of one behind the proxy, ``docs/deploy.md``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from contracts.apt_source import (
    COMPONENT,
    KIOSK_PACKAGE,
    REPO_PATH,
    SUITE,
    AptKey,
    snapshot_name,
    version_ok,
)

ARCHITECTURES: Final = ("amd64", "arm64")
KEY_UID: Final = "Qihang hall apt repository <apt@qihang.invalid>"
SERVED: Final = ("dists", "pool")
PACKAGE_RE: Final = re.compile(r"^[a-z0-9][a-z0-9.+-]{1,62}$")
_PATH_PART: Final = re.compile(r"^[A-Za-z0-9_+~-][A-Za-z0-9._+~-]{0,127}$")
_TIMEOUT_S: Final = 120.0


class AptRepoError(Exception):
    """The repository cannot do what was asked; the message says why (for the admin)."""


@dataclass(frozen=True, slots=True)
class Published:
    package: str
    version: str
    snapshot: str


def path_beside(seal_key_path: Path) -> Path:
    """``hall.keys/seal.key`` → ``hall.keys/apt``."""
    return Path(seal_key_path).with_name("apt")


class AptRepo:
    """One hall's signed apt repository in ``root`` (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.gnupg = self.root / "gnupg"
        self.repo = self.root / "repo"
        self.key_file = self.root / "hall-apt.asc"
        self.fingerprint_file = self.root / "hall-apt.fingerprint"

    @property
    def ready(self) -> bool:
        return self.fingerprint_file.is_file() and (self.repo / "conf" / "distributions").is_file()

    # --- set-up and publication -----------------------------------------------------------------

    def init(self) -> str:
        """Make the signing key (once) and the repository's configuration; returns the key's
        fingerprint. Running it again changes nothing."""
        # The keys' folder is 0700 like the sealing key makes it, whichever comes first.
        self.root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.mkdir(mode=0o700, exist_ok=True)
        self.gnupg.mkdir(mode=0o700, exist_ok=True)
        fingerprint = self._secret_fingerprint()
        if fingerprint is None:
            self._gpg("--quick-gen-key", KEY_UID, "ed25519", "sign", "never")
            fingerprint = self._secret_fingerprint()
            if fingerprint is None:
                raise AptRepoError("gpg made no signing key")
        armoured = self._gpg("--armor", "--export", fingerprint)
        _write(self.key_file, armoured, 0o644)
        _write(self.fingerprint_file, fingerprint + "\n", 0o644)
        conf = self.repo / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        _write(
            conf / "distributions",
            f"Origin: Qihang hall\nLabel: Qihang hall\nSuite: {SUITE}\nCodename: {SUITE}\n"
            f"Architectures: {' '.join(ARCHITECTURES)}\nComponents: {COMPONENT}\n"
            f"Description: Qihang station packages\nSignWith: {fingerprint}\n",
            0o644,
        )
        return fingerprint

    def fingerprint(self) -> str:
        """The signing key's fingerprint as ``init`` recorded it (no gpg run)."""
        try:
            return self.fingerprint_file.read_text("ascii").strip()
        except OSError:
            raise AptRepoError("no signing key: run python -m hall apt init") from None

    def public_key(self) -> str | None:
        """The armoured public key stations pin, or None before ``init``."""
        try:
            return self.key_file.read_text("ascii")
        except OSError:
            return None

    def enrolment_field(self) -> dict[str, str] | None:
        """The enrolment answer's ``apt`` (:class:`contracts.apt_source.AptKey`), or None."""
        key = self.public_key() if self.ready else None
        if key is None:
            return None
        return AptKey(key=key, fingerprint=self.fingerprint(), path=REPO_PATH).model_dump()

    def publish(self, deb: Path) -> Published:
        """Add ``deb`` to the suite and freeze a snapshot of it (see the module docstring)."""
        if not self.ready:
            raise AptRepoError("the repository is not set up: run python -m hall apt init")
        package = _field(deb, "Package")
        version = _field(deb, "Version")
        if PACKAGE_RE.fullmatch(package) is None or not version_ok(version):
            raise AptRepoError(f"{deb.name}: unusable package name or version")
        snapshot = snapshot_name(package, version)
        if (self.repo / "dists" / SUITE / "snapshots" / snapshot).exists():
            raise AptRepoError(f"{package} {version} is already published; build a new version")
        self._reprepro("includedeb", SUITE, str(deb))
        self._reprepro("gensnapshot", SUITE, snapshot)
        return Published(package, version, snapshot)

    def versions(self, package: str = KIOSK_PACKAGE) -> list[str]:
        """The published versions of ``package`` a station can be pinned to, oldest first."""
        snapshots = self.repo / "dists" / SUITE / "snapshots"
        prefix = package + "-"
        try:
            names = [p.name for p in snapshots.iterdir() if p.name.startswith(prefix)]
        except OSError:
            return []
        found = [n[len(prefix) :].replace("_", ":", 1) for n in names]
        return sorted((v for v in found if version_ok(v)), key=_debian_order)

    # --- serving --------------------------------------------------------------------------------

    def resolve(self, path: str) -> Path | None:
        """The file at ``path`` under ``dists/`` or ``pool/``, or None (anything else)."""
        parts = path.split("/")
        if len(parts) < 2 or len(parts) > 12 or parts[0] not in SERVED:
            return None
        if any(_PATH_PART.fullmatch(part) is None for part in parts):
            return None  # "", ".", "..", dot-files, anything odd
        base = (self.repo / parts[0]).resolve()
        target = (self.repo / path).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return None
        return target

    # --- tools ----------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GNUPGHOME": self._gnupg_home()}

    def _gnupg_home(self) -> str:
        """GNUPGHOME as gpg is given it. gpg-agent's sockets live in it, and a socket's path has
        room for 107 bytes: a hall in a deep folder gets a short private link to its keyring (in
        a fresh 0700 temporary folder) instead."""
        home = str(self.gnupg)
        if len(home) + len("/S.gpg-agent.browser") < 100:
            return home
        link = getattr(self, "_short_home", None)
        if link is None or not os.path.islink(link):
            import tempfile

            link = os.path.join(tempfile.mkdtemp(prefix="qh-gpg-"), "g")
            os.symlink(home, link)
            self._short_home = link
        return link

    def _gpg(self, *args: str) -> str:
        return _run(["gpg", "--batch", "--quiet", "--passphrase", "", *args], self._env())

    def _reprepro(self, *args: str) -> str:
        return _run(["reprepro", "--silent", "-b", str(self.repo), *args], self._env())

    def _secret_fingerprint(self) -> str | None:
        listing = self._gpg("--with-colons", "--list-secret-keys")
        for line in listing.splitlines():
            if line.startswith("fpr:"):
                return line.split(":")[9]
        return None


def _debian_order(version: str) -> tuple[tuple[int, str], ...]:
    """Near enough to dpkg's order for a list on screen: numbers as numbers."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.+~:-]", version))


def _run(cmd: list[str], env: dict[str, str]) -> str:
    try:
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except FileNotFoundError as exc:
        raise AptRepoError(f"{cmd[0]} is not installed (packaging/system-deps.sh)") from exc
    if proc.returncode != 0:
        raise AptRepoError(f"{cmd[0]} failed: {proc.stderr.strip()[-500:]}")
    return proc.stdout


def _field(deb: Path, name: str) -> str:
    try:
        return _run(["dpkg-deb", "--field", str(deb), name], {"PATH": "/usr/bin:/bin"}).strip()
    except AptRepoError as exc:
        raise AptRepoError(f"{deb.name} is not a readable .deb: {exc}") from exc


def _write(path: Path, text: str, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.chmod(mode)
    tmp.replace(path)


# --- HTTP ----------------------------------------------------------------------------------------


def router() -> APIRouter:
    api = APIRouter(prefix="/apt", tags=["apt"])

    @api.get("/{path:path}")
    def serve(path: str, request: Request) -> FileResponse:
        repo: AptRepo | None = getattr(request.app.state, "apt_repo", None)
        found = repo.resolve(path) if repo is not None and repo.ready else None
        if found is None:
            raise HTTPException(404, detail="not in the hall's apt repository")
        return FileResponse(found, media_type="application/octet-stream")

    return api


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str], out: TextIO | None = None) -> int:
    """``python -m hall [--db DB] apt init|publish FILE.deb|versions|key [--dir DIR]``."""
    from hall.sealing import default_key_path
    from hall.store import SubmissionStore

    out = out if out is not None else sys.stdout
    parser = argparse.ArgumentParser(prog="python -m hall apt", description=__doc__)
    parser.add_argument("--db", default="var/hall/hall.db", help="SQLite file or database URL")
    parser.add_argument("area", choices=["apt"])
    parser.add_argument("cmd", choices=["init", "publish", "versions", "key"])
    parser.add_argument("files", nargs="*", type=Path, help=".deb files (publish)")
    parser.add_argument("--dir", type=Path, default=None, help="the repository folder")
    parser.add_argument("--seal-key", type=Path, default=None, help="the hall's seal key file")
    args = parser.parse_args(argv)
    if args.dir is None:
        seal_key = args.seal_key
        if seal_key is None:
            store = SubmissionStore(args.db)
            seal_key = default_key_path(store.url)
            store.close()
        args.dir = path_beside(seal_key)
    repo = AptRepo(args.dir)
    try:
        if args.cmd == "init":
            print(f"apt repository in {repo.repo}, signing key {repo.init()}", file=out)
        elif args.cmd == "publish":
            if not args.files:
                parser.error("publish needs at least one .deb")
            for deb in args.files:
                done = repo.publish(deb)
                print(f"published {done.package} {done.version} ({done.snapshot})", file=out)
        elif args.cmd == "versions":
            for version in repo.versions():
                print(version, file=out)
        else:
            print(repo.public_key() or "", end="", file=out)
    except AptRepoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
