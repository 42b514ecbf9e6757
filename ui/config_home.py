"""The kiosk process's own XDG config home: a private folder in memory, wiped at every session end.

Qt writes what it learns under ``XDG_CONFIG_HOME``: the Qt Virtual Keyboard's Pinyin user
dictionary (``qtvirtualkeyboard/pinyin/usr_dict.dat``, UTF-16LE) saved a walk-in's name there and
offered it to the next walk-in, also after a restart. Personal fields are marked sensitive (the
dictionary is then off), and as a second wall nothing Qt keeps there may outlive a session: the
folder lives on a tmpfs (systemd's ``$RUNTIME_DIRECTORY``, else ``$XDG_RUNTIME_DIR``, else
``/dev/shm``), mode 0700, wiped when claimed, at every session end and at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping, MutableMapping
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_NAME = "qihang-kiosk-config"
_claimed: Path | None = None


def _base_dir(environ: Mapping[str, str]) -> Path:
    """The first memory-backed folder on offer; the system temp dir as the last resort."""
    for candidate in (environ.get("RUNTIME_DIRECTORY"), environ.get("XDG_RUNTIME_DIR")):
        # RUNTIME_DIRECTORY may list several folders separated by colons; the first is ours.
        first = (candidate or "").split(":")[0]
        if first and os.path.isabs(first) and os.path.isdir(first):
            return Path(first)
    if os.path.isdir("/dev/shm"):
        return Path("/dev/shm")
    return Path(tempfile.gettempdir())


def _own_private_dir(path: Path) -> None:
    """Make ``path`` a folder only this user can enter, refusing one planted by someone else
    (``/dev/shm`` is writable by everyone: a symlink or foreign folder there is an attack)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise RuntimeError(f"{path} is not a folder owned by this user; refusing to use it")
    os.chmod(path, 0o700)


def wipe_folder(path: Path) -> None:
    """Delete everything inside ``path`` (the folder itself stays)."""
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def claim(environ: MutableMapping[str, str] = os.environ) -> Path:
    """Point ``XDG_CONFIG_HOME`` at the private folder, emptied now. Call before the
    QGuiApplication exists (the virtual keyboard's settings read it when its plugin loads)."""
    global _claimed
    folder = _base_dir(environ) / FOLDER_NAME
    _own_private_dir(folder)
    wipe_folder(folder)  # what a crashed run left behind
    environ["XDG_CONFIG_HOME"] = str(folder)
    if _claimed is None:
        atexit.register(release)
    _claimed = folder
    return folder


def wipe() -> None:
    """Empty the claimed folder (session end). No-op when this process claimed none: the UI
    also runs in tests and tools, whose config home is not ours to delete."""
    if _claimed is not None and _claimed.is_dir():
        wipe_folder(_claimed)


def release() -> None:
    """Empty and remove the claimed folder and forget it (process exit)."""
    global _claimed
    folder, _claimed = _claimed, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        log.info("private config home removed")
