"""atomic_write on real files; failures are injected only at the OS edge (os.write, os.replace)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_queue.durable import TMP_PREFIX, atomic_write


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_a_new_file_and_replaces_an_old_one(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    atomic_write(target, b"first")
    assert target.read_bytes() == b"first"
    atomic_write(target, "zweites 第二".encode())
    assert target.read_text(encoding="utf-8") == "zweites 第二"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_large_write_is_complete(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    atomic_write(tmp_path / "blob", data)
    assert (tmp_path / "blob").read_bytes() == data


def test_a_failing_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "pin.json"
    atomic_write(target, b'{"failures": 1}')
    real_write = os.write

    def disk_full_after_a_few_bytes(fd: int, data: bytes | memoryview) -> int:
        real_write(fd, bytes(data[:4]))  # a torn temporary file, as a crash would leave
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full_after_a_few_bytes)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, b'{"failures": 2, "locked_until": null}')
    monkeypatch.undo()
    assert target.read_bytes() == b'{"failures": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["pin.json"]  # no temporary left behind


def test_a_crash_before_the_rename_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "catalog.json"
    atomic_write(target, b"old")

    def power_cut(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # anything, even a non-Exception, between write and rename

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.json"]


def test_the_mode_is_set_before_the_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None
) -> None:
    modes_at_write: list[int] = []
    real_write = os.write

    def spying_write(fd: int, data: bytes | memoryview) -> int:
        modes_at_write.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", spying_write)
    atomic_write(tmp_path / "device.key", b"secret key bytes", mode=0o600)
    assert modes_at_write and set(modes_at_write) == {0o600}
    assert _mode(tmp_path / "device.key") == 0o600


def test_the_mode_is_not_masked_by_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "shared.txt", b"x", mode=0o644)
    finally:
        os.umask(old)
    assert _mode(tmp_path / "shared.txt") == 0o644


def test_without_a_mode_the_umask_applies(tmp_path: Path, umask_022: None) -> None:
    atomic_write(tmp_path / "cache.json", b"{}")
    assert _mode(tmp_path / "cache.json") == 0o644


def test_replacing_a_secret_never_widens_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "device.key"
    atomic_write(target, b"one", mode=0o600)
    atomic_write(target, b"two", mode=0o600)
    assert _mode(target) == 0o600
    assert target.read_bytes() == b"two"


def test_no_overwrite_refuses_an_existing_file_and_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "data.key"
    atomic_write(target, b"winner", mode=0o600, overwrite=False)
    with pytest.raises(FileExistsError):
        atomic_write(target, b"loser", mode=0o600, overwrite=False)
    assert target.read_bytes() == b"winner"
    assert [p.name for p in tmp_path.iterdir()] == ["data.key"]


def test_temporaries_sit_beside_the_target_with_the_sweepable_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []
    real_replace = os.replace

    def spying_replace(src: str | Path, dst: str | Path) -> None:
        seen.append(Path(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spying_replace)
    atomic_write(tmp_path / "audit.sent", b"3")
    assert len(seen) == 1
    assert seen[0].parent == tmp_path
    assert seen[0].name.startswith(TMP_PREFIX + "audit.sent.")
