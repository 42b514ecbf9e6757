"""The hall's content key: an Ed25519 key pair that signs every published catalog.

Kept like the sealing key (:mod:`hall.sealing`): a 0600 file of the raw private key in the same
0700 folder (``content.key`` beside ``seal.key``), created at the hall's first start. The public
half goes to each station in its enrolment answer (``content_key``), where the station pins it;
the kiosk refuses a catalog whose signature does not verify (:mod:`contracts.content_signature`).
Replacing this file means re-enrolling the stations (they keep their last good catalog until).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from contracts.content_signature import ContentPublicKey, public_of, sign

KEY_FILE: Final = "content.key"


class ContentKeyError(Exception):
    """The content key file cannot be used."""


class ContentKey:
    """The hall's content signing key."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public: ContentPublicKey = public_of(private)

    def sign(self, body: bytes, kind: str = "catalog") -> bytes:
        return sign(self._private, body, kind)

    def __repr__(self) -> str:
        return "ContentKey(<private>)"


def path_beside(seal_key_path: Path) -> Path:
    return Path(seal_key_path).with_name(KEY_FILE)


def load_or_create(path: Path) -> ContentKey:
    """The key in ``path``, created (0600, in a 0700 folder) if there is none yet."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        raw = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        # A private temporary file linked into place: a second hall starting on the same folder
        # loses the link race and both use one key.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    try:
        with path.open("rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            raw = f.read(33)
    except OSError as exc:
        raise ContentKeyError(f"{path}: {exc.strerror or exc}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ContentKeyError(
            f"{path} is readable by others (mode {stat.S_IMODE(mode):04o}); chmod 600 it"
        )
    if len(raw) != 32:
        raise ContentKeyError(f"{path}: not a 32-byte Ed25519 private key")
    return ContentKey(Ed25519PrivateKey.from_private_bytes(raw))
