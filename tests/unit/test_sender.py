"""The outbox sender against a real hall over loopback HTTP (no mocks).

Failures are produced for real: a port with nothing listening, a hall that already holds the same
id with other content, a ciphertext or blob changed on disk, and a hall wrapper that answers 503 a
few times before handing over to the real client. Waits are on sender status changes with a
generous deadline; nothing asserts how fast anything was.
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.hall_client import HallClient, parse_retry_after
from offline_queue.hall_key import pin_path
from offline_queue.outbox import Attachment, Outbox
from offline_queue.sender import (
    Sender,
    SenderStatus,
    backoff_delay,
    classify,
    retry_delay,
)
from offline_queue.transport import Answer, HallTransport
from tests.hall.helpers import enrol_station
from tests.reliability.support import DEADLINE_S, CountingHall, Faults, StatusLog, free_port
from tests.support.sealing import hall_keys, pin_test_key, seal_body

STATION = "SND-001"


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.db"


@pytest.fixture
def outbox(outbox_path: Path) -> Iterator[Outbox]:
    # Tests without a hall seal to the test hall key; `client` enrols this very state folder at
    # the real hall, which pins that hall's key (the outbox reads the pin at the first enqueue).
    if not pin_path(outbox_path.parent).exists():
        pin_test_key(outbox_path.parent)
    with Outbox(outbox_path, STATION) as box:
        yield box


@pytest.fixture
def client(hall_server: HallServer, outbox_path: Path) -> Iterator[HallClient]:
    # Every station enrols: submissions and blobs go out signed by the station's device, sealed
    # to the hall's key pinned at enrolment.
    auth = enrol_station(hall_server, STATION, state_dir=outbox_path.parent).requests_auth()
    with HallClient(hall_server.url, timeout_s=5.0, auth=auth) as c:
        yield c


def make_sender(outbox_path: Path, hall: HallTransport, status_log: StatusLog, **kw: Any) -> Sender:
    kw.setdefault("backoff_cap_s", 0.05)
    kw.setdefault("backoff_base_s", 0.01)
    return Sender(outbox_path, STATION, hall, on_change=status_log, rng=random.Random(7), **kw)


class FixedAnswer:
    """A hall stand-in that answers every request with one status (for the idle tests)."""

    def __init__(self, status: int = 201) -> None:
        self.status = status

    def post_submission(self, body: dict[str, Any]) -> int:
        return self.status

    def put_blob(self, sha256: str, data: bytes) -> int:
        return self.status


def drained(s: SenderStatus) -> bool:
    return s.depth == 0 and s.last_success_at is not None


def test_twenty_submissions_are_delivered_exactly_once(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    subs = [outbox.enqueue("svc", {"n": i, "phone": "13800000000"}) for i in range(20)]
    post = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, post, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)
        status = sender.status()

    assert SubmissionStore(hall_server.db_path).count() == 20
    # One post per row, in enqueue order, each answered "created".
    assert post.posts == [(s.id, 201) for s in subs]
    assert outbox.counts() == {"pending": 0, "delivered": 20, "quarantined": 0}
    assert all(outbox.get(s.id)["body"] is None for s in subs)  # type: ignore[index]
    # The hall opened each one: what it holds is what the walk-in filed.
    store = SubmissionStore(hall_server.db_path)
    assert [store.load(s.id) for s in subs] == subs
    assert status.online and status.last_error_code is None and status.depth == 0


def test_rows_enqueued_while_running_are_sent_after_wake(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    log = StatusLog()
    with make_sender(outbox_path, client, log) as sender:
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
    log = StatusLog()
    # The station enrolled once, while its hall was up; the hall then goes away.
    with HallServer(tmp_path / "hall.db") as first:
        auth = enrol_station(first, STATION, state_dir=outbox_path.parent).requests_auth()
    subs = [outbox.enqueue("svc", {"n": i}) for i in range(3)]
    with HallClient(f"http://127.0.0.1:{port}", timeout_s=2.0, auth=auth) as down_client:
        post = CountingHall(down_client)
        with make_sender(outbox_path, post, log) as sender:
            sender.wake()
            # Nothing listens on the port: the post fails and the rows stay pending.
            log.wait_for(lambda s: s.last_error_code == "NETWORK_UNREACHABLE" and not s.online)
            with Outbox(outbox_path, STATION) as view:
                assert view.counts() == {"pending": 3, "delivered": 0, "quarantined": 0}
                pending = view.next_pending()
                assert pending is not None and pending.id == subs[0].id

            with HallServer(tmp_path / "hall.db", port=port) as hall:
                sender.wake()
                log.wait_for(lambda s: s.depth == 0 and s.online)
                assert SubmissionStore(hall.db_path).count() == 3

    assert outbox.counts() == {"pending": 0, "delivered": 3, "quarantined": 0}
    # Failures were only connection errors on the first row; each row got exactly one 201.
    assert {status for _, status in post.posts} == {"ConnectionError", 201}
    assert [i for i, status in post.posts if status == 201] == [s.id for s in subs]
    first = outbox.get(subs[0].id)
    assert first is not None and first["attempts"] >= 2


def test_transient_503_is_retried_on_the_same_row(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    first, second = outbox.enqueue("svc", {"n": 1}), outbox.enqueue("svc", {"n": 2})
    post = CountingHall(client, fail_first=3, fail_status=503)
    log = StatusLog()
    with make_sender(outbox_path, post, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)

    assert post.posts == [
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
    sealed = seal_body(hall_keys(hall_server.db_path).public, taken)
    assert client.post_submission(sealed).status == 201

    post = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, post, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)

    assert post.posts == [(clash.id, 409), (after.id, 201)]
    assert outbox.counts() == {"pending": 0, "delivered": 1, "quarantined": 1}
    row = outbox.get(clash.id)
    assert row is not None
    assert (row["status"], row["last_error"]) == ("quarantined", "HTTP_409")
    assert row["body"] is not None  # kept, sealed, for the technician's requeue
    assert any(s.last_error_code == "HTTP_409" for s in log.seen)


def test_unexpected_exception_in_post_does_not_kill_the_sender(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    outbox.enqueue("svc", {})
    calls: list[str] = []

    class BuggyThenFine:
        def post_submission(self, body: dict[str, Any]) -> Answer:
            calls.append(body["id"])
            if len(calls) == 1:
                raise KeyError("a bug in some future code")
            return client.post_submission(body)

        def put_blob(self, sha256: str, data: bytes) -> Answer:
            return client.put_blob(sha256, data)

    log = StatusLog()
    with make_sender(outbox_path, BuggyThenFine(), log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.depth == 0 and s.last_success_at is not None)
    assert any(s.last_error_code == "SENDER_INTERNAL" for s in log.seen)
    assert SubmissionStore(hall_server.db_path).count() == 1


def test_stop_interrupts_a_long_backoff(outbox: Outbox, outbox_path: Path) -> None:
    outbox.enqueue("svc", {})
    log = StatusLog()
    # With a 10-minute backoff after the first failure, only an event-based wait can stop fast.
    with HallClient(f"http://127.0.0.1:{free_port()}", timeout_s=2.0) as down_client:
        sender = make_sender(outbox_path, down_client, log, backoff_base_s=600, backoff_cap_s=600)
        sender.start()
        sender.wake()
        log.wait_for(lambda s: s.last_error_code == "NETWORK_UNREACHABLE")
        sender.stop(timeout_s=DEADLINE_S)
    assert not sender.is_alive()
    assert outbox.depth() == 1


def test_stop_when_idle(outbox_path: Path) -> None:
    sender = make_sender(outbox_path, FixedAnswer(), StatusLog())
    sender.start()
    sender.stop(timeout_s=DEADLINE_S)
    assert not sender.is_alive()


def test_bad_station_id_fails_at_construction() -> None:
    with pytest.raises(ValueError):
        Sender(Path("unused.db"), "no spaces allowed", FixedAnswer())


def test_status_before_start() -> None:
    sender = Sender(Path("unused.db"), STATION, FixedAnswer())
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
            with make_sender(outbox_path, slow_client, log) as sender:
                sender.wake()
                log.wait_for(lambda s: s.last_error_code == "NETWORK_TIMEOUT")
    assert outbox.depth() == 1


# --- attachments, resume, tampering, Retry-After (the outbox issue) -----------------------------


def test_blobs_go_first_then_the_submission_and_arrive_byte_identical(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    scans = [os.urandom(200_000), os.urandom(50_000)]
    sub = outbox.enqueue(
        "svc",
        {"n": 1},
        attachments=[Attachment(d, "image/jpeg", f"p{i}.jpg") for i, d in enumerate(scans)],
    )
    hall = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, hall, log) as sender:
        sender.wake()
        log.wait_for(drained)

    shas = [hashlib.sha256(d).hexdigest() for d in scans]
    assert hall.blobs == [(shas[0], 201), (shas[1], 201)]
    assert hall.posts == [(sub.id, 201)]
    store = SubmissionStore(hall_server.db_path)
    assert [store.get_blob(sha) for sha in shas] == scans
    stored = store.load(sub.id)
    assert stored is not None
    assert [a.sha256 for a in stored.attachments] == shas
    # Delivered: the kiosk keeps no copy of the scans.
    assert outbox.blobs.names() == set()


def test_resumes_after_a_restart_without_resending_confirmed_blobs(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    sub = outbox.enqueue("svc", {"n": 1}, attachments=[Attachment(b"scan one"), Attachment(b"two")])
    # First run: blobs go through, the submission meets a 503 every time; then the kiosk stops.
    first = CountingHall(client, fail_first=10**6)
    log = StatusLog()
    with make_sender(outbox_path, first, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.last_error_code == "HTTP_503")
    assert [status for _, status in first.blobs] == [201, 201]
    assert outbox.unsent_blobs(sub.id) == []

    second = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, second, log) as sender:
        sender.wake()
        log.wait_for(drained)
    assert second.blobs == []  # confirmed before the restart: not sent again
    assert second.posts == [(sub.id, 201)]
    assert SubmissionStore(hall_server.db_path).count() == 1


def test_a_row_that_is_no_hall_envelope_is_quarantined_and_never_sent(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    bad = outbox.enqueue("svc", {"n": 1})
    good = outbox.enqueue("svc", {"n": 2})
    body = bytearray(
        outbox.db.execute("SELECT body FROM submissions WHERE id = ?", (bad.id,)).fetchone()[0]
    )
    body[0] = 0x01  # the legacy format, not resealed (its key was lost): no hall envelope
    outbox.db.execute("UPDATE submissions SET body = ? WHERE id = ?", (bytes(body), bad.id))

    hall = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, hall, log) as sender:
        sender.wake()
        log.wait_for(drained)

    assert hall.posts == [(good.id, 201)]
    row = outbox.get(good.id)
    assert row is not None and row["status"] == "delivered"
    (status, reason) = outbox.db.execute(
        "SELECT status, last_error FROM submissions WHERE id = ?", (bad.id,)
    ).fetchone()
    assert (status, reason) == ("quarantined", "TAMPERED")
    assert any(s.last_error_code == "TAMPERED" and s.quarantined == 1 for s in log.seen)
    assert SubmissionStore(hall_server.db_path).get(bad.id) is None


def test_a_damaged_envelope_is_refused_by_the_hall_and_quarantined(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    # The station holds no key that opens its envelopes, so it sends a damaged one as it is;
    # the hall cannot open it, answers 422, and the row waits for a technician.
    bad = outbox.enqueue("svc", {"n": 1})
    good = outbox.enqueue("svc", {"n": 2})
    body = bytearray(
        outbox.db.execute("SELECT body FROM submissions WHERE id = ?", (bad.id,)).fetchone()[0]
    )
    body[-5] ^= 0x01
    outbox.db.execute("UPDATE submissions SET body = ? WHERE id = ?", (bytes(body), bad.id))
    hall = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, hall, log) as sender:
        sender.wake()
        log.wait_for(drained)
    assert hall.posts == [(bad.id, 422), (good.id, 201)]
    assert outbox.get(bad.id)["last_error"] == "HTTP_422"  # type: ignore[index]
    assert SubmissionStore(hall_server.db_path).get(bad.id) is None


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_tampered_or_missing_blob_is_quarantined_and_never_filed(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient, damage: str
) -> None:
    sub = outbox.enqueue("svc", {"n": 1}, attachments=[Attachment(b"scan " * 1000)])
    blob = outbox.blobs.path_for(sub.attachments[0].sha256)
    if damage == "edit":
        data = bytearray(blob.read_bytes())
        data[100] ^= 0x01
        blob.write_bytes(bytes(data))
    else:
        blob.unlink()
    hall = CountingHall(client)
    log = StatusLog()
    with make_sender(outbox_path, hall, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.quarantined == 1)
    assert hall.posts == []
    reason = outbox.db.execute("SELECT last_error FROM submissions").fetchone()[0]
    if damage == "edit":  # sent as it is: the hall opens it, finds it damaged, refuses it
        assert hall.blobs == [(sub.attachments[0].sha256, 422)]
        assert reason == "BLOB_HTTP_422"
    else:
        assert hall.blobs == []
        assert reason == "BLOB_MISSING"
    assert SubmissionStore(hall_server.db_path).count() == 0


def test_blob_refused_by_the_hall_quarantines_the_row(
    outbox: Outbox, outbox_path: Path, hall_server: HallServer, client: HallClient
) -> None:
    sub = outbox.enqueue("svc", {"n": 1}, attachments=[Attachment(b"scan")])

    class CorruptingLink(CountingHall):
        def put_blob(self, sha256: str, data: bytes) -> Answer:
            return super().put_blob(sha256, data + b"!")  # bytes damaged on the way

    hall = CorruptingLink(client)
    log = StatusLog()
    with make_sender(outbox_path, hall, log) as sender:
        sender.wake()
        log.wait_for(lambda s: s.quarantined == 1)
    assert hall.blobs == [(sub.attachments[0].sha256, 422)]
    assert hall.posts == []
    row = outbox.get(sub.id)
    assert row is not None and row["last_error"] == "BLOB_HTTP_422"
    assert SubmissionStore(hall_server.db_path).count() == 0


def test_429_with_retry_after_is_transient(
    outbox: Outbox, outbox_path: Path, tmp_path: Path
) -> None:
    holder: list[Faults] = []

    def wrap(app: Any) -> Faults:
        holder.append(Faults(app))
        return holder[0]

    with HallServer(tmp_path / "hall.db", wrap=wrap) as hall:
        auth = enrol_station(hall, STATION, state_dir=outbox_path.parent).requests_auth()
        sub = outbox.enqueue("svc", {"n": 1})
        with HallClient(hall.url, 5.0, auth=auth) as client:
            holder[0].add("429")
            counting = CountingHall(client)
            log = StatusLog()
            with make_sender(outbox_path, counting, log) as sender:
                sender.wake()
                log.wait_for(drained)
        assert counting.posts == [(sub.id, 429), (sub.id, 201)]
        assert any(s.last_error_code == "HTTP_429" for s in log.seen)


def test_retry_delay_honours_retry_after_up_to_the_cap() -> None:
    rng = random.Random(3)
    assert retry_delay(1, None, 0.01, 300, rng) <= 0.01
    assert retry_delay(1, 1.0, 0.01, 300, rng) == 1.0
    assert retry_delay(1, 3600.0, 0.01, 300, rng) == 300  # never silenced past the cap
    assert retry_delay(12, 1.0, 1.0, 300, rng) >= 150  # the backoff wins when it is longer


def test_parse_retry_after() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_status_at_start_shows_depth_and_last_sync_from_disk(
    outbox: Outbox, outbox_path: Path
) -> None:
    done = outbox.enqueue("svc", {})
    outbox.mark_delivered(done.id)
    outbox.enqueue("svc", {})
    outbox.enqueue("svc", {})
    log = StatusLog()
    # The hall is down: nothing gets delivered in this run, yet the status bar knows.
    down = HallClient(f"http://127.0.0.1:{free_port()}", timeout_s=2.0)
    with down, make_sender(outbox_path, down, log):
        first = log.wait_for(lambda s: s.last_success_at is not None)
    assert first.depth == 2
    assert first.last_success_at == outbox.last_delivered_at()


def test_sender_start_removes_orphaned_blobs(outbox: Outbox, outbox_path: Path) -> None:
    orphan = outbox.blobs.put(b"left by a crash between the scan and the row")
    old = time.time() - 7200
    os.utime(outbox.blobs.path_for(orphan.sha256), (old, old))
    kept = outbox.enqueue("svc", {}, attachments=[Attachment(b"queued")]).attachments[0]
    log = StatusLog()
    with make_sender(outbox_path, FixedAnswer(503), log, orphan_grace_s=3600) as sender:
        sender.wake()
        log.wait_for(lambda s: s.last_error_code is not None)
    assert outbox.blobs.names() == {kept.sha256}


def test_claimed_row_is_frozen_before_the_first_byte_goes_out(
    outbox: Outbox, outbox_path: Path
) -> None:
    sub = outbox.enqueue("svc", {"n": 1})
    seen: list[object] = []

    class Peek:
        def post_submission(self, body: dict[str, Any]) -> int:
            with Outbox(outbox_path, STATION) as view:
                seen.append(view.get(body["id"])["sending_since"])  # type: ignore[index]
            return 201

        def put_blob(self, sha256: str, data: bytes) -> int:
            return 201

    log = StatusLog()
    with make_sender(outbox_path, Peek(), log) as sender:
        sender.wake()
        log.wait_for(drained)
    assert len(seen) == 1 and seen[0] is not None
    assert outbox.get(sub.id)["status"] == "delivered"  # type: ignore[index]
