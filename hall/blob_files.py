"""Where the hall keeps attachment bytes: one file per blob, named by its sha256.

A blob arrives as a stream (``PUT /api/v1/blobs/{sha256}``). :func:`receive` writes it to a
temporary file in the blob folder while hashing it, so the hall never holds a whole blob in
memory; when the stream ends the hash is compared with the name. A match is made durable (fsync
the file, rename it into place, fsync the folder: after a power cut the blob is either fully
there or absent); a mismatch raises :class:`BlobHashMismatch` and the temporary file is removed.
The hall does not import ``offline_queue`` (the kiosk's atomic-write helper), hence the few lines
of fsync-and-rename here.

Layout: ``<folder>/<first two hex digits>/<sha256>``; unfinished uploads live in
``<folder>/incoming/`` and are swept with the unreferenced blobs (:mod:`hall.blob_store`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi.concurrency import run_in_threadpool

INCOMING = "incoming"


class BlobHashMismatch(Exception):
    """An uploaded blob's bytes do not hash to the name it was uploaded under."""


def default_blob_dir(database_url: str) -> Path:
    """The blob folder for a hall database: beside a SQLite file (``hall.db`` → ``hall.blobs``);
    for a database server, a folder named for the URL under the system's temporary folder (give
    the hall a real folder in production: ``create_app(blob_dir=…)``)."""
    if database_url.startswith("sqlite") and ":///" in database_url:
        db_file = Path(database_url.split(":///", 1)[1])
        return db_file.with_name(db_file.stem + ".blobs")
    tag = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"qihang-hall-blobs-{tag}"


def blob_path(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def receive(folder: Path, sha256: str, chunks: AsyncIterator[bytes]) -> int:
    """Stream ``chunks`` into the blob ``sha256`` under ``folder``; return its size.

    Raises :class:`BlobHashMismatch` (temporary file removed) when the bytes hash otherwise;
    whatever ``chunks`` raises (a body over its limit, a client gone) also removes it.
    """
    incoming = folder / INCOMING
    await run_in_threadpool(incoming.mkdir, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=incoming, suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                if not chunk:
                    continue
                digest.update(chunk)
                size += len(chunk)
                await run_in_threadpool(out.write, chunk)
            await run_in_threadpool(out.flush)
            await run_in_threadpool(os.fsync, out.fileno())
        if digest.hexdigest() != sha256:
            raise BlobHashMismatch(sha256)
        await run_in_threadpool(_place, folder, sha256, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size


def _place(folder: Path, sha256: str, tmp: Path) -> None:
    target = blob_path(folder, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    _fsync_dir(target.parent)


def read(folder: Path, sha256: str) -> bytes | None:
    try:
        return blob_path(folder, sha256).read_bytes()
    except FileNotFoundError:
        return None


def remove(folder: Path, sha256: str) -> None:
    blob_path(folder, sha256).unlink(missing_ok=True)
