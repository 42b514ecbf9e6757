"""The outbox sender against a real hall over loopback HTTP (no mocks).

Failures are produced for real: a port with nothing listening, a hall that already holds the same
id with other content, and a ``post`` wrapper that answers 503 a few times before handing over to
the real client. Waits are on sender status changes with a generous deadline; nothing asserts
how fast anything was.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.hall_client import HallClient
from offline_queue.outbox import Outbox
from offline_queue.sender import Sender, SenderStatus, backoff_delay, classify

STATION = "SND-001"
DEADLINE_S = 20.0  # only ever reached when something is broken


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


class CountingPost:
    """Delegates to the real client and records every id posted and its answer."""

    def __init__(self, client: HallClient, fail_first: int = 0, fail_status: int = 503) -> None:
        self.client = client
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.calls: list[tuple[str, int | str]] = []

    def __call__(self, body: dict[str, Any]) -> int:
        if len(self.calls) < self.fail_first:
            self.calls.append((body["id"], self.fail_status))
            return self.fail_status
        try:
            status = self.client.post_submission(body)
        except OSError as exc:
            self.calls.append((body["id"], type(exc).__name__))
            raise
        self.calls.append((body["id"], status))
        return status


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.db"


@pytest.fixture
def outbox(outbox_path: Path) -> Iterator[Outbox]:
    with Outbox(outbox_path, STATION) as box:
        yield box


@pytest.fixture
def client(hall_server: HallServer) -> Iterator[HallClient]:
    with HallClient(hall_server.url, timeout_s=5.0) as c:
        yield c


def make_sender(
    outbox_path: Path, post: Callable[[dict[str, Any]], int], status_log: StatusLog, **kw: Any
) -> Sender:
    kw.setdefault("backoff_cap_s", 0.05)
    kw.setdefault("backoff_base_s", 0.01)
    return Sender(outbox_path, STATION, post, on_change=status_log, rng=random.Random(7), **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_twenty_submissions_are_delivered_exactly_once(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    subs = [outbox.enqueue("svc", {"n": i, "phone": "13800000000"}) for i in range(20)]
    post = CountingPost(client)
    log = StatusLog()
    with make_sender(outbox_path, post, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)
        status = sender.status()

    assert SubmissionStore(hall_server.db_path).count() == 20
    # One post per row, in enqueue order, each answered "created".
    assert post.calls == [(s.id, 201) for s in subs]
    assert outbox.counts() == {"pending": 0, "delivered": 20, "quarantined": 0}
    assert all(outbox.get(s.id)["payload"] is None for s in subs)  # type: ignore[index]
    assert status.online and status.last_error_code is None and status.depth == 0


def test_rows_enqueued_while_running_are_sent_after_wake(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    log = StatusLog()
    with make_sender(outbox_path, client.post_submission, log) as sender:
        for i in range(3):
            outbox.enqueue("svc", {"n": i})
            sender.wake()
        # Every delivery publishes a new status (last_success_at moves), so this re-checks
        # after each one.
        log.wait_until(lambda: outbox.counts()["delivered"] == 3)
    assert SubmissionStore(hall_server.db_path).count() == 3
    assert outbox.depth() == 0


def test_hall_down_then_up_delivers_once(outbox: Outbox, outbox_path: Path, tmp_path: Path) -> None:
    port = free_port()
    subs = [outbox.enqueue("svc", {"n": i}) for i in range(3)]
    log = StatusLog()
    with HallClient(f"http://127.0.0.1:{port}", timeout_s=2.0) as down_client:
        post = CountingPost(down_client)
        with make_sender(outbox_path, post, log) as sender:
            sender.wake()
            # Nothing listens on the port: the post fails and the rows stay pending.
            log.wait_for(lambda s: s.last_error_code == "NETWORK_UNREACHABLE" and not s.online)
            with Outbox(outbox_path, STATION) as view:
                assert view.counts() == {"pending": 3, "delivered": 0, "quarantined": 0}
                assert view.next_pending() == subs[0]

            with HallServer(tmp_path / "hall.db", port=port) as hall:
                sender.wake()
                log.wait_for(lambda s: s.depth == 0 and s.online)
                assert SubmissionStore(hall.db_path).count() == 3

    assert outbox.counts() == {"pending": 0, "delivered": 3, "quarantined": 0}
    # Failures were only connection errors on the first row; each row got exactly one 201.
    assert {status for _, status in post.calls} == {"ConnectionError", 201}
    assert [i for i, status in post.calls if status == 201] == [s.id for s in subs]
    first = outbox.get(subs[0].id)
    assert first is not None and first["attempts"] >= 2


def test_transient_503_is_retried_on_the_same_row(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    first, second = outbox.enqueue("svc", {"n": 1}), outbox.enqueue("svc", {"n": 2})
    post = CountingPost(client, fail_first=3, fail_status=503)
    log = StatusLog()
    with make_sender(outbox_path, post, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)

    assert post.calls == [
        (first.id, 503),
        (first.id, 503),
        (first.id, 503),
        (first.id, 201),
        (second.id, 201),
    ]
    assert any(s.last_error_code == "HTTP_503" and not s.online for s in log.seen)
    assert SubmissionStore(hall_server.db_path).count() == 2
    row = outbox.get(first.id)
    assert row is not None and row["attempts"] == 4


def test_conflict_is_quarantined_and_the_queue_moves_on(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    clash = outbox.enqueue("svc", {"n": 1})
    after = outbox.enqueue("svc", {"n": 2})
    # The hall already holds this id with other content (e.g. a restored backup re-used ids).
    taken = {**clash.to_body(), "payload": {"n": "something else"}}
    assert requests.post(hall_server.url + "/api/v1/submissions", json=taken, timeout=5).ok

    post = CountingPost(client)
    log = StatusLog()
    with make_sender(outbox_path, post, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)

    assert post.calls == [(clash.id, 409), (after.id, 201)]
    assert outbox.counts() == {"pending": 0, "delivered": 1, "quarantined": 1}
    row = outbox.get(clash.id)
    assert row is not None
    assert (row["status"], row["last_error"]) == ("quarantined", "HTTP_409")
    assert row["payload"] == {"n": 1}  # kept for the technician
    assert any(s.last_error_code == "HTTP_409" for s in log.seen)


def test_unexpected_exception_in_post_does_not_kill_the_sender(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    outbox.enqueue("svc", {})
    calls: list[str] = []

    def buggy_then_fine(body: dict[str, Any]) -> int:
        calls.append(body["id"])
        if len(calls) == 1:
            raise KeyError("a bug in some future code")
        return client.post_submission(body)

    log = StatusLog()
    with make_sender(outbox_path, buggy_then_fine, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)
    assert any(s.last_error_code == "SENDER_INTERNAL" for s in log.seen)
    assert SubmissionStore(hall_server.db_path).count() == 1


def test_stop_interrupts_a_long_backoff(outbox: Outbox, outbox_path: Path) -> None:
    outbox.enqueue("svc", {})
    log = StatusLog()
    # With a 10-minute backoff after the first failure, only an event-based wait can stop fast.
    with HallClient(f"http://127.0.0.1:{free_port()}", timeout_s=2.0) as down_client:
        sender = make_sender(
            outbox_path, down_client.post_submission, log, backoff_base_s=600, backoff_cap_s=600
        )
        sender.start()
        sender.wake()
        log.wait_for(lambda s: s.last_error_code == "NETWORK_UNREACHABLE")
        sender.stop(timeout_s=DEADLINE_S)
    assert not sender.is_alive()
    assert outbox.depth() == 1


def test_stop_when_idle(outbox_path: Path) -> None:
    sender = make_sender(outbox_path, lambda body: 201, StatusLog())
    sender.start()
    sender.stop(timeout_s=DEADLINE_S)
    assert not sender.is_alive()


def test_bad_station_id_fails_at_construction() -> None:
    with pytest.raises(ValueError):
        Sender(Path("unused.db"), "no spaces allowed", lambda body: 201)


def test_status_before_start() -> None:
    sender = Sender(Path("unused.db"), STATION, lambda body: 201)
    assert sender.status() == SenderStatus(
        depth=0, last_success_at=None, last_error_code=None, online=False
    )


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (200, "delivered"),
        (201, "delivered"),
        (400, "quarantined"),
        (409, "quarantined"),
        (413, "quarantined"),
        (422, "quarantined"),
        (408, "transient"),
        (429, "transient"),
        (401, "transient"),  # station credential problem: fix the station, keep the rows
        (403, "transient"),
        (404, "transient"),  # wrong hall URL in the config
        (500, "transient"),
        (502, "transient"),
        (503, "transient"),
        (204, "transient"),
        (302, "transient"),
    ],
)
def test_classify(code: int, outcome: str) -> None:
    assert classify(code) == outcome


def test_backoff_grows_with_jitter_and_respects_the_cap() -> None:
    rng = random.Random(1)
    for failures in range(1, 40):
        exp = min(300.0, 1.0 * 2 ** (failures - 1))
        delays = [backoff_delay(failures, 1.0, 300.0, rng) for _ in range(50)]
        assert all(exp / 2 <= d <= exp for d in delays)
        assert all(d <= 300.0 for d in delays)
    # Jitter: a fleet does not retry in lockstep.
    assert len({backoff_delay(5, 1.0, 300.0, rng) for _ in range(20)}) > 1


def test_hall_that_never_answers_is_a_timeout(outbox: Outbox, outbox_path: Path) -> None:
    # A socket that listens but never reads: the kernel completes the TCP handshake, then the
    # request hangs — what a hung hall or a black-holing proxy looks like to the kiosk.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with HallClient(url, timeout_s=0.2) as slow_client:
            with pytest.raises(TimeoutError):
                slow_client.post_submission({"id": "x"})
            assert slow_client.healthy() is False

            outbox.enqueue("svc", {})
            log = StatusLog()
            with make_sender(outbox_path, slow_client.post_submission, log) as sender:
                sender.wake()
                log.wait_for(lambda s: s.last_error_code == "NETWORK_TIMEOUT")
    assert outbox.depth() == 1
