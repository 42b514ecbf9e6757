"""`python main.py demo` stops its hall child whichever way it is told to stop.

Each case starts the real demo (hall child + kiosk, offscreen) on a free port with its data in a
temporary folder, waits until the kiosk says READY=1 (its sd_notify message once the first frame
is shown, sent to a socket the test holds), sends a signal, and checks that the demo exited,
that its `main.py hall` child is gone and that the port is free again. SIGKILL runs no handler:
there the kernel's parent-death signal must still end the hall. A port already taken makes the
demo refuse to start instead of talking to whatever listens there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT_ENV = {
    "QT_QPA_PLATFORM": "offscreen",
    "QT_QUICK_BACKEND": "software",
    "QT_IM_MODULE": "qtvirtualkeyboard",
}
START_LIMIT_S = 90.0  # bounds on a broken start or stop, not speed assertions
STOP_LIMIT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the hall binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    """True unless the process is gone or a zombie (dead, waiting for a parent to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _hall_children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"hall" in cmdline:
            found.append(int(entry))
    return found


@dataclass
class Demo:
    proc: subprocess.Popen[bytes]
    port: int
    hall_pid: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@contextlib.contextmanager
def _start_demo(tmp_path: Path, *, display: bool) -> Iterator[Demo]:
    port = _free_port()
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = f"qihang-demo-{uuid.uuid4().hex}"
    notify.bind("\0" + address)  # abstract namespace: no path, nothing to clean up
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    if display:
        env.update(QT_ENV)
    env["NOTIFY_SOCKET"] = "@" + address
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "demo", "--port", str(port),
             "--data-dir", str(tmp_path / "demo")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    demo = Demo(proc, port, 0, log)
    try:
        deadline = time.monotonic() + START_LIMIT_S
        if display:
            notify.settimeout(0.2)
            while True:
                try:
                    if "READY=1" in notify.recv(4096).decode():
                        break
                except TimeoutError:
                    pass
                assert proc.poll() is None, f"the demo exited early:\n{demo.output()}"
                assert time.monotonic() < deadline, f"no READY=1 from the kiosk:\n{demo.output()}"
        else:
            while "The hall keeps running" not in demo.log.read_text(errors="replace"):
                assert proc.poll() is None, f"the demo exited early:\n{demo.output()}"
                assert time.monotonic() < deadline, f"the demo did not start:\n{demo.output()}"
                time.sleep(0.1)
        halls = _hall_children(proc.pid)
        assert len(halls) == 1, f"expected one hall child, found {halls}"
        demo.hall_pid = halls[0]
        yield demo
    finally:
        notify.close()
        if proc.poll() is None:  # the test failed before stopping it: leave nothing behind
            proc.kill()
            proc.wait()
        for pid in _hall_children(proc.pid) + ([demo.hall_pid] if demo.hall_pid else []):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + STOP_LIMIT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_ends_the_kiosk_and_its_hall(tmp_path: Path, signum: int) -> None:
    with _start_demo(tmp_path, display=True) as demo:
        demo.proc.send_signal(signum)
        assert demo.proc.wait(STOP_LIMIT_S) == 0, demo.output()
        assert not _alive(demo.hall_pid), "the hall child outlived the demo"
        assert _port_free(demo.port), f"port {demo.port} still taken"


def test_sigterm_without_a_display_stops_the_hall(tmp_path: Path) -> None:
    with _start_demo(tmp_path, display=False) as demo:
        demo.proc.send_signal(signal.SIGTERM)
        assert demo.proc.wait(STOP_LIMIT_S) == 0, demo.output()
        assert not _alive(demo.hall_pid), "the hall child outlived the demo"
        assert _port_free(demo.port), f"port {demo.port} still taken"


def test_sigkill_of_the_demo_still_ends_its_hall(tmp_path: Path) -> None:
    with _start_demo(tmp_path, display=True) as demo:
        demo.proc.kill()
        demo.proc.wait(STOP_LIMIT_S)
        # No handler runs on SIGKILL: the hall's parent-death signal ends it.
        assert _wait_gone(demo.hall_pid), "the hall child outlived a killed demo"
        deadline = time.monotonic() + STOP_LIMIT_S
        while not _port_free(demo.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _port_free(demo.port), f"port {demo.port} still taken"


def test_a_taken_port_is_named_and_the_demo_does_not_start(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = int(squatter.getsockname()[1])
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "demo", "--port", str(port),
             "--data-dir", str(tmp_path / "demo")],
            cwd=ROOT, env=dict(os.environ, **QT_ENV), capture_output=True, text=True,
            timeout=START_LIMIT_S,
        )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"port {port} is already in use" in done.stderr
    assert "Hall running" not in done.stdout
    assert not (tmp_path / "demo" / "hall.sqlite3").exists()  # no hall was started
