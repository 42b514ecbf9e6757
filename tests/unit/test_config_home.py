"""ui/config_home.py: Qt's config home is a private folder in memory, emptied when claimed and at
every wipe, and a folder planted under its name (``/dev/shm`` is world-writable) is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ui import config_home


@pytest.fixture(autouse=True)
def _release() -> Iterator[None]:
    yield
    config_home.release()


def test_claim_prefers_systemds_runtime_directory_and_empties_it(tmp_path: Path) -> None:
    unit_dir, session_dir = tmp_path / "unit", tmp_path / "session"
    unit_dir.mkdir()
    session_dir.mkdir()
    left = unit_dir / config_home.FOLDER_NAME / "qtvirtualkeyboard" / "pinyin"
    left.mkdir(parents=True, mode=0o755)
    (left / "usr_dict.dat").write_bytes("褚诗甦".encode("utf-16-le"))  # a crashed run's file
    environ = {"RUNTIME_DIRECTORY": str(unit_dir), "XDG_RUNTIME_DIR": str(session_dir)}

    home = config_home.claim(environ)

    assert home == unit_dir / config_home.FOLDER_NAME
    assert environ["XDG_CONFIG_HOME"] == str(home)
    assert list(home.iterdir()) == []
    assert home.stat().st_mode & 0o777 == 0o700


def test_wipe_empties_the_claimed_folder_and_release_removes_it(tmp_path: Path) -> None:
    home = config_home.claim({"XDG_RUNTIME_DIR": str(tmp_path)})
    (home / "qtvirtualkeyboard").mkdir()
    (home / "qtvirtualkeyboard" / "usr_dict.dat").write_bytes(b"x")
    config_home.wipe()
    assert home.is_dir() and list(home.iterdir()) == []
    config_home.release()
    assert not home.exists()


def test_a_planted_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "victim"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    (tmp_path / config_home.FOLDER_NAME).symlink_to(target)
    with pytest.raises(RuntimeError, match="refusing"):
        config_home.claim({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert (target / "keep.txt").read_text() == "keep"


def test_wipe_without_a_claim_touches_nothing(tmp_path: Path) -> None:
    config_home.release()
    (tmp_path / "file").write_text("x")
    config_home.wipe()
    assert (tmp_path / "file").exists()
