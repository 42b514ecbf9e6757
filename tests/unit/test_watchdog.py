"""sd_notify spoken by kiosk/watchdog.py, received on a real AF_UNIX datagram socket bound here
(a filesystem path and an abstract name), the way systemd's notify socket receives it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import watchdog


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(5)
    try:
        yield sock, str(path)
    finally:
        sock.close()


def test_ready_and_watchdog_reach_the_socket(notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    env = {"NOTIFY_SOCKET": path}
    assert watchdog.notify_ready(env)
    assert watchdog.notify_watchdog(env)
    assert watchdog.notify_stopping(env)
    ready = sock.recv(4096).decode()
    assert "READY=1" in ready.split("\n")
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert sock.recv(4096) == b"STOPPING=1"


def test_abstract_socket_name_starts_with_at() -> None:
    name = f"qihang-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert watchdog.notify_watchdog({"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_uses_the_process_environment_by_default(
    notify_socket: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sock, path = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert watchdog.watchdog_interval_s() == 15.0  # half of WatchdogSec=30
    assert watchdog.notify_watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"


def test_without_notify_socket_everything_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert not watchdog.notify_ready()
    assert not watchdog.notify_watchdog()
    assert watchdog.watchdog_interval_s() is None


@pytest.mark.parametrize("usec", ["", "0", "-5", "soon"])
def test_no_watchdog_interval_without_a_positive_usec(usec: str, tmp_path: Path) -> None:
    env = {"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": usec}
    assert watchdog.watchdog_interval_s(env) is None


def test_a_vanished_socket_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # systemd restarted and the socket is gone for a moment: the kiosk keeps serving.
    assert not watchdog.notify_watchdog({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert "sd_notify WATCHDOG failed" in caplog.text


def test_a_non_unix_address_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    assert not watchdog.notify_ready({"NOTIFY_SOCKET": "vsock:2:1234"})
    assert watchdog.watchdog_interval_s({"NOTIFY_SOCKET": "vsock:2:1234"}) is None
