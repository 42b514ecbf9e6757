"""Body limits (hall.body_limits) against a real hall: the review's 300 MiB chunked login body is
refused with 413 before it is buffered, and the hall process barely grows; a declared length over
a route's limit is refused before the app runs.

The hall runs as its own process (``python -m hall``) so its resident memory can be read from
``/proc/<pid>/status`` without the test's own allocations in it.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from hall.body_limits import MAX_JSON_BYTES

if TYPE_CHECKING:
    from hall.server import HallServer

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
ATTACK_BYTES = 300 * MIB
MAX_GROWTH_BYTES = 20 * MIB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


class HallProcess:
    def __init__(self, db: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.child = subprocess.Popen(
            [sys.executable, "-m", "hall", "--port", str(self.port), "--db", str(db)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30  # bounds a broken start; not a speed requirement
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=5).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):  # starting; a loaded machine
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the hall did not start")

    def stop(self) -> None:
        if self.child.poll() is None:
            self.child.terminate()
            self.child.wait(10)


@pytest.fixture
def hall_process(tmp_path: Path) -> Iterator[HallProcess]:
    hall = HallProcess(tmp_path / "hall.db")
    try:
        yield hall
    finally:
        hall.stop()


def _read_answer(sock: socket.socket) -> bytes:
    """What the hall answered, up to its closing the connection (it does after a 413)."""
    sock.settimeout(10)
    answer = b""
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    except (ConnectionResetError, TimeoutError):
        pass
    return answer


def send_chunked(
    url: str, path: str, total: int, on_chunk: Callable[[], None] | None = None
) -> tuple[bytes, int]:
    """POST ``total`` bytes to ``path`` as a chunked body, 1 MiB at a time (one buffer, reused:
    the test never holds the body); stop as soon as the hall answers or hangs up. Returns the
    answer's head and how many bytes went out."""
    host, port = url.removeprefix("http://").split(":")
    chunk = b" " * MIB  # JSON whitespace: the body is a valid JSON prefix as long as it goes on
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        try:
            while sent < total:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
                if on_chunk is not None:
                    on_chunk()
                if select.select([sock], [], [], 0)[0]:
                    break  # the hall answered before the body ended
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the hall answered and closed while we were still sending
        return _read_answer(sock), sent


def test_a_300_mib_chunked_login_is_refused_413_without_growing_the_hall(
    hall_process: HallProcess,
) -> None:
    pid = hall_process.child.pid
    # Warm up the login route once, so imports and first-use caches are in the baseline.
    warm = requests.post(hall_process.url + "/api/v1/auth/login", json={}, timeout=10)
    assert warm.status_code == 422
    before = _rss_bytes(pid)
    peak = before

    def sample() -> None:
        nonlocal peak
        peak = max(peak, _rss_bytes(pid))

    answer, sent = send_chunked(hall_process.url, "/api/v1/auth/login", ATTACK_BYTES, sample)
    sample()
    head = answer.split(b"\r\n", 1)[0]
    assert head.startswith(b"HTTP/1.1 413"), answer[:300]
    assert sent < ATTACK_BYTES, "the hall read the whole body before answering"
    assert b"limit" in answer  # the reason, not a bare status
    growth = peak - before
    assert growth < MAX_GROWTH_BYTES, f"hall grew by {growth / MIB:.1f} MiB"
    # The hall is still there and answers normally.
    assert requests.get(hall_process.url + "/healthz", timeout=5).ok


def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs(
    hall_server: HallServer,
) -> None:
    url = hall_server.url
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        # Only the head goes out: the 413 must come without the body being sent at all.
        sock.sendall(
            f"POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {MAX_JSON_BYTES + 1}\r\n\r\n".encode()
        )
        answer = _read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    detail = json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"]
    assert str(MAX_JSON_BYTES) in detail


def test_a_json_body_just_within_the_limit_still_reaches_the_route(
    hall_server: HallServer,
) -> None:
    url = hall_server.url
    body = json.dumps({"name": "x" * (MAX_JSON_BYTES - 100), "password": "y"})
    assert len(body) <= MAX_JSON_BYTES
    response = requests.post(
        url + "/api/v1/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code in (401, 422), response.text  # judged by the route, not 413
