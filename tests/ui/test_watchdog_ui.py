"""The kiosk UI tells systemd it is ready after its first frame and pings the watchdog from the
GUI thread while the event loop runs — and stops pinging when the event loop is stuck."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hall.server import HallServer
from tests.ui.conftest import make_kiosk


class NotifyListener:
    """The systemd side of the notify socket: a bound AF_UNIX datagram socket."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.setblocking(False)
        self.messages: list[str] = []

    def drain(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                return self.messages

    def count(self, line: str) -> int:
        return sum(line in m.split("\n") for m in self.drain())


@pytest.fixture
def listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifyListener]:
    # AF_UNIX paths are limited to 108 bytes; pytest's tmp_path can be longer.
    path = Path(f"/tmp/qihang-notify-{id(tmp_path)}.sock")
    path.unlink(missing_ok=True)
    sock = NotifyListener(path)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "100000")  # ping every 50 ms
    try:
        yield sock
    finally:
        sock.sock.close()
        path.unlink(missing_ok=True)


def test_ready_after_first_frame_then_pings_while_the_loop_runs(
    qtbot: QtBot, tmp_path: Path, hall_server: HallServer, listener: NotifyListener
) -> None:
    ui, runtime, _clock = make_kiosk(tmp_path, hall_server)
    try:
        qtbot.waitUntil(lambda: listener.count("READY=1") == 1, timeout=10_000)
        qtbot.waitUntil(lambda: listener.count("WATCHDOG=1") >= 3, timeout=10_000)

        # A hung GUI thread: no event loop, no timer, no pings — systemd's watchdog fires.
        listener.drain()
        before = listener.count("WATCHDOG=1")
        time.sleep(0.3)  # six intervals without the event loop
        assert listener.count("WATCHDOG=1") == before
        # The loop runs again: pings resume.
        qtbot.waitUntil(lambda: listener.count("WATCHDOG=1") > before, timeout=10_000)
        assert listener.count("READY=1") == 1  # said once, not per frame
    finally:
        ui.close()
        runtime.close()
