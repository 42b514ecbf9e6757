"""Attachments (document scans, photos) on disk, content-addressed by sha256, sealed to the hall.

A blob is named by the sha256 of its plaintext, the same name the hall's idempotent
``PUT /api/v1/blobs/{sha256}`` uses, so the same scan attached twice is stored and sent once. Files
are written beside the outbox database rather than inside it: a 200 KB value in a SQLite row makes
every checkpoint copy it twice (RECIPES: p99 6.7 ms vs 1.05 ms for a file written, fsynced and
renamed before the row). Each file is sealed to the hall's public key (:mod:`contracts.sealing`)
with its name as associated data: the station cannot open it again, it only sends the envelope,
and the hall opens it and holds the bytes to the name, so a swapped, truncated or edited file is
refused there (and quarantined here). Files from before (sealed under the station's own data key,
format byte 0x01) are resealed by :meth:`BlobStore.reseal_legacy`.

Write order gives crash safety: the file is complete and durable (fsync, rename, fsync of the
folder) before the outbox row that names it commits. A crash in between leaves an unreferenced
file, which :meth:`BlobStore.remove_orphans` deletes later; never a row naming a missing file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contracts.sealing import FORMAT as SEALED_FORMAT
from contracts.sealing import OVERHEAD as SEALED_OVERHEAD
from contracts.sealing import HallPublicKey
from contracts.wire import blob_context
from offline_queue.crypto import Cipher, TamperedError
from offline_queue.durable import TMP_PREFIX, atomic_write

log = logging.getLogger(__name__)

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def check_sha256(value: str) -> str:
    """Return ``value`` if it is a lower-case hex sha256; raise ValueError if not."""
    if not _SHA256_HEX.match(value):
        raise ValueError("not a lower-case hex sha256")
    return value


@dataclass(frozen=True)
class StoredBlob:
    """A blob that is durably in the store."""

    sha256: str
    size: int


class BlobStore:
    """Sealed blobs in one folder; safe to share between threads and processes."""

    def __init__(self, root: Path, hall_key: Callable[[], HallPublicKey]) -> None:
        """``hall_key`` gives the pinned key when one is needed (sealing, checking an
        envelope); listing and deleting files work without one."""
        self.root = Path(root)
        self._hall_key = hall_key
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / check_sha256(sha256)

    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` durably (a no-op if it is already there) and return its name."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.root / digest
        if final.exists():
            return StoredBlob(digest, len(data))
        sealed = self._hall_key().seal(data, blob_context(digest))
        # Readers see no file or the whole file, never a partial one.
        atomic_write(final, sealed, mode=0o600)
        return StoredBlob(digest, len(data))

    def envelope(self, sha256: str) -> bytes:
        """Blob ``sha256`` as sealed to the hall (what is uploaded); TamperedError when it is not
        a hall envelope (FileNotFoundError when it is gone). Only the hall can tell whether it
        opens."""
        sealed = self.path_for(sha256).read_bytes()
        if len(sealed) < SEALED_OVERHEAD or sealed[:1] != SEALED_FORMAT:
            raise TamperedError(f"blob {sha256[:12]}… is not sealed to a hall key")
        return sealed

    def reseal_legacy(self, cipher: Cipher) -> int:
        """Reseal files written under the station's own data key (``cipher``) to the hall's key;
        return how many. A file that does not open under it is left for the hall to refuse."""
        resealed = 0
        for name in sorted(self.names()):
            path = self.root / name
            sealed = path.read_bytes()
            if sealed[:1] == SEALED_FORMAT:
                continue
            try:
                data = cipher.open(sealed, name.encode("ascii"))
            except TamperedError:
                log.warning("blob %s… does not open under the legacy key; left as is", name[:12])
                continue
            if hashlib.sha256(data).hexdigest() != name:
                continue
            atomic_write(path, self._hall_key().seal(data, blob_context(name)), mode=0o600)
            resealed += 1
        return resealed

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(sha256).unlink()

    def names(self) -> set[str]:
        """Every complete blob in the store (temporary files excluded)."""
        return {p.name for p in self.root.iterdir() if _SHA256_HEX.match(p.name)}

    def remove_orphans(self, referenced: set[str], older_than_s: float) -> int:
        """Delete blobs and leftover temporary files that no row names; return how many.

        Only files older than ``older_than_s`` go: a blob written a moment ago may belong to an
        enqueue in another thread whose row has not committed yet.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        for entry in self.root.iterdir():
            name = entry.name
            orphan = name.startswith(TMP_PREFIX) or (
                _SHA256_HEX.match(name) is not None and name not in referenced
            )
            if not orphan:
                continue
            try:
                if entry.stat().st_mtime > cutoff:
                    continue
                entry.unlink()
            except FileNotFoundError:
                continue
            removed += 1
        if removed:
            log.info("removed %d unreferenced blob file(s) from %s", removed, self.root)
        return removed
