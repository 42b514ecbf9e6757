"""The hall closes kept-alive connections after 5 s idle (uvicorn). A request the kiosk sends on
such a connection as it closes is lost unread: seen in CI as a station's policy refresh reported
"offline" against a running hall. The client now opens a fresh connection after 4 s idle and
sends an idempotent request once more when its connection fails; a POST is never repeated.

The hall here is a real HTTP/1.1 server on 127.0.0.1 over raw sockets that can drop a request
unanswered on a kept-alive connection, as a closing server does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.hall_client import HallClient
from tests.support.loopback_listener import LoopbackListener

BODY = b'{"status": "ok"}'


class DroppingHall(LoopbackListener):
    """Answers every request 200 with keep-alive, except that each request number listed in
    ``drop`` is read and the connection closed without an answer."""

    def __init__(self) -> None:
        self.drop: set[int] = set()
        self.requests: list[tuple[int, str]] = []  # (connection number, request line)
        self.connections = 0
        self._lock = threading.Lock()
        super().__init__()

    def accepted(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            number = self.connections
        threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn, conn.makefile("rb") as reader:
            while True:
                line = reader.readline()
                if not line:
                    return
                length = 0
                while (header := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                reader.read(length)
                with self._lock:
                    self.requests.append((number, line.decode("latin-1").strip()))
                    dropped = len(self.requests) in self.drop
                if dropped:
                    return  # closed unanswered, as a server timing the connection out
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n%s" % (len(BODY), BODY)
                )


@pytest.fixture
def hall() -> Iterator[DroppingHall]:
    server = DroppingHall()
    yield server
    server.close()


def test_a_get_dropped_on_a_kept_alive_connection_is_sent_once_more(hall: DroppingHall) -> None:
    hall.drop = {2}
    with HallClient(hall.url, timeout_s=5) as client:
        assert client.healthy()
        assert client.get_published("policies", None)[0] == 200  # dropped, then once more
    assert [n for n, _ in hall.requests] == [1, 1, 2]  # the repeat went on a new connection


def test_a_post_dropped_on_a_kept_alive_connection_is_not_repeated(hall: DroppingHall) -> None:
    hall.drop = {2}
    with HallClient(hall.url, timeout_s=5) as client:
        assert client.healthy()
        with pytest.raises(ConnectionError):
            client.post_submission({"id": "x"})
    assert len(hall.requests) == 2  # the outbox, not the client, decides about a resend


def test_a_get_dropped_twice_is_the_hall_unreachable(hall: DroppingHall) -> None:
    hall.drop = {2, 3}
    with HallClient(hall.url, timeout_s=5) as client:
        assert client.healthy()
        with pytest.raises(ConnectionError):
            client.get_published("policies", None)
    assert len(hall.requests) == 3


def test_a_connection_idle_past_the_reuse_limit_is_not_used_again(hall: DroppingHall) -> None:
    with HallClient(hall.url, timeout_s=5, idle_reuse_s=0.2) as client:
        assert client.healthy()
        assert client.healthy()  # within the limit: the same connection
        time.sleep(0.3)
        assert client.post_submission({"id": "x"}).status == 200  # past it: a fresh one
    assert [n for n, _ in hall.requests] == [1, 1, 2]
