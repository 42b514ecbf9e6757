"""Durable file writes: the one way the kiosk replaces a file so a power cut never tears it.

:func:`atomic_write` writes to a temporary file in the target's folder (same file system, so the
rename is atomic), fsyncs it, renames it over the target and fsyncs the folder, so after it
returns the new content survives a power cut and before it returns readers see the old file or
nothing, never a partial one. It lives here because this package owns durability and every
writer may import it: ``kiosk`` imports ``offline_queue``, while ``drivers`` and ``hall`` do not
write files this way.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

# Leftover temporaries (a crash between write and rename) carry this prefix, so a sweeper such
# as BlobStore.collect_garbage can tell them from real files.
TMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename, link or new name in ``path`` durable (the folder's entry is data too)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_for(path: Path) -> Path:
    """A fresh temporary name beside ``path``, unique across threads and processes."""
    return path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}.{os.urandom(6).hex()}")


def atomic_write(
    path: Path, data: bytes, *, mode: int | None = None, overwrite: bool = True
) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    ``mode`` (e.g. ``0o600``) is set on the temporary file before its first byte is written, so
    a secret is never readable by others, not even half-written; without it the file gets the
    usual ``0o666`` less the umask. With ``overwrite=False`` the file is linked into place
    instead of renamed, and :class:`FileExistsError` is raised if ``path`` already exists
    (two first starts racing to create a key: the loser reads the winner's file).
    """
    path = Path(path)
    tmp = temp_path_for(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)  # the mode given to open() is masked by the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    # Without this a power cut right after the rename may bring the old name (or none) back.
    fsync_dir(path.parent)
