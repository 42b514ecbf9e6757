"""Test helpers for the outbox and the hall: a status recorder, a counting hall client, and an ASGI
middleware that makes the real hall misbehave on cue (500s, slowness, a connection cut after the
hall has committed). Faults are produced at the HTTP edge with a real uvicorn in front; nothing in
the code under test is mocked.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kiosk.hall_client import HallClient
from offline_queue.sender import SenderStatus
from offline_queue.transport import Answer

DEADLINE_S = 30.0  # only ever reached when something is broken


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StatusLog:
    """Collects every status the sender publishes; lets a test wait for one that matches."""

    def __init__(self) -> None:
        self.seen: list[SenderStatus] = []
        self._cond = threading.Condition()

    def __call__(self, status: SenderStatus) -> None:
        with self._cond:
            self.seen.append(status)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[SenderStatus], bool]) -> SenderStatus:
        with self._cond:
            found = self._cond.wait_for(
                lambda: any(predicate(s) for s in self.seen), timeout=DEADLINE_S
            )
            assert found, f"sender never reached the expected status; saw {self.seen[-3:]}"
            return next(s for s in self.seen if predicate(s))

    def wait_until(self, condition: Callable[[], bool]) -> None:
        """Re-check ``condition`` each time the sender publishes a status."""
        with self._cond:
            found = self._cond.wait_for(condition, timeout=DEADLINE_S)
        assert found, f"condition never became true; last statuses {self.seen[-3:]}"


class CountingHall:
    """Delegates to the real client; records every request and its answer.

    ``fail_first`` answers of ``fail_status`` are given for submissions before the real hall is
    asked (e.g. a load balancer's 503 in front of it).
    """

    def __init__(self, client: HallClient, fail_first: int = 0, fail_status: int = 503) -> None:
        self.client = client
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.posts: list[tuple[str, int | str]] = []
        self.blobs: list[tuple[str, int | str]] = []

    def post_submission(self, body: dict[str, Any]) -> Answer:
        if len(self.posts) < self.fail_first:
            self.posts.append((body["id"], self.fail_status))
            return Answer(self.fail_status)
        return self._record(self.posts, body["id"], lambda: self.client.post_submission(body))

    def put_blob(self, sha256: str, data: bytes) -> Answer:
        return self._record(self.blobs, sha256, lambda: self.client.put_blob(sha256, data))

    @staticmethod
    def _record(calls: list[tuple[str, int | str]], key: str, call: Callable[[], Answer]) -> Answer:
        try:
            answer = call()
        except OSError as exc:
            calls.append((key, type(exc).__name__))
            raise
        calls.append((key, answer.status))
        return answer


# --- fault injection at the hall's HTTP edge ----------------------------------------------------

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]


class Faults:
    """ASGI middleware around the hall app: scripted faults for the next matching requests.

    Faults (each used once, in order):

    - ``"500"``: answer 500 without asking the hall.
    - ``"500-after-commit"``: the hall handles it (and commits), the kiosk gets a 500.
    - ``"429"``: answer 429 with ``Retry-After: 1`` without asking the hall.
    - ``"slow"``: wait ``slow_s`` before handing the request to the hall (the kiosk times out,
      the hall commits afterwards); ``"slow:0.2"``: wait 0.2 s (slow, but within the timeout).
    - ``"cut-after-commit"``: the hall handles it, the kiosk gets the status line and half the
      body, then the connection closes.

    ``answers`` records (method, path, status the hall itself produced or the fault's status).
    """

    def __init__(self, app: Any, slow_s: float = 1.5) -> None:
        self.app = app
        self.slow_s = slow_s
        self._script: deque[tuple[str, str]] = deque()
        self._lock = threading.Lock()
        self.answers: list[tuple[str, str, int]] = []
        self.hall_answers: list[tuple[str, str, int]] = []

    def add(self, *faults: str, path_prefix: str = "/api/v1/submissions") -> None:
        with self._lock:
            self._script.extend((path_prefix, f) for f in faults)

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def _next_fault(self, path: str) -> str | None:
        with self._lock:
            if self._script and path.startswith(self._script[0][0]):
                return self._script.popleft()[1]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        fault = self._next_fault(path)
        if fault in ("500", "429"):
            status = int(fault)
            headers = [(b"content-type", b"application/json")]
            if status == 429:
                headers.append((b"retry-after", b"1"))
            await _drain(receive)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"detail":"fault"}'})
            self._note(method, path, status, hall=False)
            return
        if fault is not None and fault.startswith("slow"):
            # "slow" waits slow_s; "slow:0.2" waits 0.2 s.
            await asyncio.sleep(float(fault.split(":", 1)[1]) if ":" in fault else self.slow_s)
        if fault in ("500-after-commit", "cut-after-commit"):
            start, body = await self._run_captured(scope, receive)
            self._note(method, path, int(start["status"]), hall=True)
            if fault == "500-after-commit":
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send(
                {"type": "http.response.start", "status": start["status"], "headers": headers}
            )
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            # uvicorn closes the connection when the app fails after the response has started.
            raise ConnectionAbortedError("fault: connection cut mid-answer")

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._note(method, path, int(message["status"]), hall=True)
            await send(message)

        await self.app(scope, receive, recording_send)

    async def _run_captured(self, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        start = next(m for m in captured if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        return start, body

    def _note(self, method: str, path: str, status: int, *, hall: bool) -> None:
        with self._lock:
            self.answers.append((method, path, status))
            if hall:
                self.hall_answers.append((method, path, status))

    def hall_statuses(self, method: str, path_prefix: str) -> list[int]:
        with self._lock:
            return [s for m, p, s in self.hall_answers if m == method and p.startswith(path_prefix)]


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


# --- looking for personal data in files ---------------------------------------------------------


def encodings_of(secret: str) -> set[bytes]:
    """``secret`` as bytes in every encoding it might plausibly be written in."""
    forms: set[bytes] = set()
    for variant in {secret, secret.lower(), secret.upper()}:
        for codec in (
            "utf-8",
            "utf-16-le",
            "utf-16-be",
            "utf-32-le",
            "utf-32-be",
            "gb18030",
            "gbk",
            "big5",
            "unicode_escape",
        ):
            try:
                forms.add(variant.encode(codec))
            except UnicodeEncodeError:
                continue
        ascii_json = json.dumps(variant)[1:-1].encode("ascii")
        forms.add(ascii_json)
        utf8 = variant.encode("utf-8")
        forms.add(utf8.hex().encode())
        # base64 of the string at each of the three alignments inside a longer text: only the
        # characters made of the string's own bits, since the outer ones depend on neighbours.
        for pad in range(3):
            encoded = base64.b64encode(b"\0" * pad + utf8)
            start = -(-8 * pad // 6)
            stop = 8 * (pad + len(utf8)) // 6
            forms.add(encoded[start:stop])
    return {f for f in forms if len(f) >= 4}


def files_containing(paths: Iterable[Path], secrets: Iterable[str]) -> list[tuple[str, str]]:
    """(file, secret) pairs where a file holds one of the secrets in any encoding."""
    patterns = {s: encodings_of(s) for s in secrets}
    found = []
    for path in paths:
        data = path.read_bytes()
        for secret, forms in patterns.items():
            if any(form in data for form in forms):
                found.append((str(path), secret))
    return found
