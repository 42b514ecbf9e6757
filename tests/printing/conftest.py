"""Fixtures for the A4 path: a Qt application (offscreen) and a private `cupsd` on 127.0.0.1.

The CUPS scheduler runs from a config in `tmp_path` on a free loopback port, with one raw queue
whose device is `socket://127.0.0.1:<port>` (CUPS' AppSocket backend, as for a network A4
printer on 9100): a thread in the test listens there and keeps the bytes CUPS delivers. Nothing
touches the machine's own CUPS setup, and the scheduler is stopped at the end.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STARTUP_LIMIT_S = 20.0  # a bound on waiting for cupsd, not a speed assertion


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class A4Sink:
    """The "A4 printer": a loopback TCP listener keeping every job CUPS sends to it."""

    port: int
    jobs: list[bytes] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_job(self, timeout_s: float = 30.0) -> bytes:
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self.jobs), timeout_s):
                raise AssertionError("CUPS delivered no job to the printer socket")
            return self.jobs[0]


def _serve(listener: socket.socket, sink: A4Sink) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return  # listener closed: the test is over
        with conn:
            data = bytearray()
            while chunk := conn.recv(65536):
                data += chunk
        with sink._cond:
            sink.jobs.append(bytes(data))
            sink._cond.notify_all()


@dataclass
class Cups:
    server: str
    queue: str
    sink: A4Sink


class CupsdFailed(RuntimeError):
    """cupsd exited or never became ready; the message carries its stderr and error_log."""


def write_config(root: Path, port: int) -> None:
    """A private scheduler's `cupsd.conf` and `cups-files.conf` under ``root``."""
    for sub in ("spool/tmp", "cache", "state", "log", "ppd"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\n"
        "LogLevel warn\nWebInterface No\nBrowsing No\n"
        "<Location />\n  Order allow,deny\n  Allow 127.0.0.1\n</Location>\n"
        # Loopback only and gone after the test: no authentication for lpadmin.
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root}/spool\nTempDir {root}/spool/tmp\n"
        f"CacheDir {root}/cache\nStateDir {root}/state\nErrorLog {root}/log/error_log\n"
        f"AccessLog {root}/log/access_log\nPageLog {root}/log/page_log\n"
        # Debian's cupsd 2.4.2-3+deb12u11 exits on a bare `Printcap` ("Missing value for
        # Printcap"); /dev/null keeps it from writing the machine's /etc/printcap.
        "Printcap /dev/null\n"
    )


def start_cupsd(root: Path) -> subprocess.Popen[bytes]:
    """cupsd in the foreground on ``root``'s config; stderr goes to ``root/log/stderr``."""
    with (root / "log" / "stderr").open("wb") as stderr:
        return subprocess.Popen(
            ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def stop_cupsd(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _cupsd_output(root: Path) -> str:
    parts = []
    for name in ("stderr", "error_log"):
        path = root / "log" / name
        text = path.read_text(errors="replace").strip() if path.exists() else ""
        if text:
            parts.append(f"[{name}] {text}")
    return "\n".join(parts) or "(no output)"


def _check_alive(proc: subprocess.Popen[bytes], root: Path) -> None:
    if proc.poll() is not None:
        raise CupsdFailed(f"cupsd exited with {proc.returncode}:\n{_cupsd_output(root)}")


def wait_until_ready(
    proc: subprocess.Popen[bytes], root: Path, env: dict[str, str], limit_s: float
) -> None:
    """Return once cupsd is alive and `lpstat -r` says so; raise `CupsdFailed` otherwise.

    `lpstat -r` exits 0 even when it prints "scheduler is not running", so the text decides, and
    a cupsd that died (a config it rejects) is reported at once rather than after ``limit_s``.
    """
    deadline = time.monotonic() + limit_s
    while True:
        _check_alive(proc, root)
        status = subprocess.run(
            ["lpstat", "-r"], env=env, capture_output=True, text=True, timeout=limit_s
        )
        if status.stdout.strip() == "scheduler is running":
            return
        if time.monotonic() > deadline:
            raise CupsdFailed(
                f"cupsd not ready after {limit_s:.0f} s (lpstat -r: {status.stdout.strip()!r}):"
                f"\n{_cupsd_output(root)}"
            )
        time.sleep(0.1)


@pytest.fixture
def cupsd() -> Iterator[Cups]:
    if shutil.which("cupsd") is None or shutil.which("lpadmin") is None:
        pytest.skip("cupsd/lpadmin not installed (packaging/system-deps.sh installs cups)")
    # Not under tmp_path: pytest's base directory is private to root, and CUPS runs its backends
    # as the lp user, which must reach the spool ("Unable to open print file: Permission denied").
    root = Path(tempfile.mkdtemp(prefix="qihang-cups-"))
    root.chmod(0o755)
    port = _free_port()
    write_config(root, port)
    listener = socket.create_server(("127.0.0.1", 0))
    sink = A4Sink(int(listener.getsockname()[1]))
    threading.Thread(target=_serve, args=(listener, sink), daemon=True).start()

    server = f"127.0.0.1:{port}"
    # C locale: readiness is read from lpstat's English text.
    env = dict(os.environ, CUPS_SERVER=server, LC_ALL="C", LANG="C")
    proc = start_cupsd(root)
    try:
        try:
            wait_until_ready(proc, root, env, STARTUP_LIMIT_S)
        except CupsdFailed as exc:
            pytest.fail(str(exc))
        deadline = time.monotonic() + STARTUP_LIMIT_S
        # A scheduler that answers lpstat may still be loading under load: retry, bounded.
        while True:
            added = subprocess.run(
                ["lpadmin", "-p", "a4", "-E", "-v", f"socket://127.0.0.1:{sink.port}", "-m", "raw"],
                env=env,
                capture_output=True,
                text=True,
            )
            if added.returncode == 0:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"lpadmin failed ({added.returncode}): {added.stderr.strip()}\n"
                    f"{_cupsd_output(root)}"
                )
            time.sleep(0.2)
        # libcups keeps its server per thread once asked: point this (the test's) thread at ours,
        # whatever an earlier test already asked it.
        os.environ["CUPS_SERVER"] = server
        libcups = ctypes.CDLL(ctypes.util.find_library("cups") or "libcups.so.2")
        libcups.cupsSetServer(server.encode())
        yield Cups(server, "a4", sink)
    finally:
        stop_cupsd(proc)
        listener.close()
        os.environ.pop("CUPS_SERVER", None)
        if "libcups" in locals():
            libcups.cupsSetServer(None)  # back to the default for any later test
        shutil.rmtree(root, ignore_errors=True)
