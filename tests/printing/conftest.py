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


@pytest.fixture
def cupsd() -> Iterator[Cups]:
    if shutil.which("cupsd") is None or shutil.which("lpadmin") is None:
        pytest.skip("cupsd/lpadmin not installed (packaging/system-deps.sh installs cups)")
    # Not under tmp_path: pytest's base directory is private to root, and CUPS runs its backends
    # as the lp user, which must reach the spool ("Unable to open print file: Permission denied").
    root = Path(tempfile.mkdtemp(prefix="qihang-cups-"))
    root.chmod(0o755)
    for sub in ("spool/tmp", "cache", "state", "log", "ppd"):
        (root / sub).mkdir(parents=True)
    port = _free_port()
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
        f"AccessLog {root}/log/access_log\nPageLog {root}/log/page_log\nPrintcap\n"
    )
    listener = socket.create_server(("127.0.0.1", 0))
    sink = A4Sink(int(listener.getsockname()[1]))
    threading.Thread(target=_serve, args=(listener, sink), daemon=True).start()

    server = f"127.0.0.1:{port}"
    env = dict(os.environ, CUPS_SERVER=server)
    proc = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while subprocess.run(["lpstat", "-r"], env=env, capture_output=True).returncode != 0:
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (
                    (root / "log/error_log").read_text()
                    if (root / "log/error_log").exists()
                    else ""
                )
                pytest.fail(
                    f"cupsd did not start: {proc.stderr.read() if proc.stderr else ''}{log}"
                )
            time.sleep(0.1)
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
            if time.monotonic() > deadline:
                pytest.fail(f"lpadmin failed ({added.returncode}): {added.stderr.strip()}")
            time.sleep(0.2)
        # libcups keeps its server per thread once asked: point this (the test's) thread at ours,
        # whatever an earlier test already asked it.
        os.environ["CUPS_SERVER"] = server
        libcups = ctypes.CDLL(ctypes.util.find_library("cups") or "libcups.so.2")
        libcups.cupsSetServer(server.encode())
        yield Cups(server, "a4", sink)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
        listener.close()
        os.environ.pop("CUPS_SERVER", None)
        if "libcups" in locals():
            libcups.cupsSetServer(None)  # back to the default for any later test
        shutil.rmtree(root, ignore_errors=True)
