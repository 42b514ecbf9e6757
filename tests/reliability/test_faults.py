"""Faults between the kiosk and the hall: every submission still ends at the hall exactly once.

The real hall runs under uvicorn with :class:`Faults` in front of it; the real sender and hall
client talk to it over loopback. Covered: the hall down while a walk-in submits (the receipt
prints, delivery comes later), 500s before and after the hall committed, a hall too slow for the
kiosk's timeout, a connection cut mid-answer after the commit (for submissions and blobs), and a
kiosk killed between the hall's "201" and recording it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.wire import canonical_json
from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.hall_client import HallClient
from offline_queue.outbox import Attachment, Outbox
from offline_queue.sender import Sender, SenderStatus
from tests.hall.helpers import enrol_station
from tests.reliability.support import (
    CountingHall,
    Faults,
    StatusLog,
    files_containing,
    free_port,
)

ROOT = Path(__file__).resolve().parents[2]
STATION = "SND-1"


def drained(s: SenderStatus) -> bool:
    return s.depth == 0 and s.last_success_at is not None


class FaultyHall:
    """A real hall with :class:`Faults` in front; a context manager."""

    def __init__(self, db: Path, port: int = 0) -> None:
        self.faults: Faults | None = None
        self.server = HallServer(db, port=port, wrap=self._wrap)

    def _wrap(self, app: Any) -> Faults:
        self.faults = Faults(app, slow_s=1.5)
        return self.faults

    def __enter__(self) -> FaultyHall:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def store(self) -> SubmissionStore:
        return SubmissionStore(self.server.db_path)


@pytest.fixture
def faulty_hall(tmp_path: Path) -> Iterator[FaultyHall]:
    with FaultyHall(tmp_path / "hall.db") as hall:
        yield hall


def make_sender(outbox_path: Path, hall: Any, log: StatusLog) -> Sender:
    return Sender(
        outbox_path,
        STATION,
        hall,
        backoff_cap_s=0.1,
        on_change=log,
        backoff_base_s=0.01,
        rng=random.Random(5),
    )


def assert_exactly_once(store: SubmissionStore, outbox: Outbox, subs: list[Any]) -> None:
    assert sorted(store.ids()) == sorted(s.id for s in subs)
    for sub in subs:
        stored = store.load(sub.id)
        assert stored is not None
        assert canonical_json(stored.payload) == canonical_json(sub.payload)
        assert stored.tracking_number == sub.tracking_number
        for ref in sub.attachments:
            assert store.get_blob(ref.sha256) is not None
    assert outbox.counts() == {"pending": 0, "delivered": len(subs), "quarantined": 0}


@pytest.mark.parametrize(
    ("fault", "path", "hall_statuses"),
    [
        # The hall never saw the first try: one 201.
        ("500", "/api/v1/submissions", [201]),
        ("slow:0.2", "/api/v1/submissions", [201]),  # slow, within the kiosk's timeout
        # The hall committed, the kiosk did not learn it: 201, then 200 for the re-send.
        ("500-after-commit", "/api/v1/submissions", [201, 200]),
        ("cut-after-commit", "/api/v1/submissions", [201, 200]),
        ("cut-after-commit", "/api/v1/blobs", None),
        ("500-after-commit", "/api/v1/blobs", None),
        # Too slow for the kiosk's 0.5 s timeout: the re-send and the late first try both land.
        ("slow", "/api/v1/submissions", None),
    ],
)
def test_fault_ends_with_exactly_one_copy(
    faulty_hall: FaultyHall,
    tmp_path: Path,
    fault: str,
    path: str,
    hall_statuses: list[int] | None,
) -> None:
    outbox_path = tmp_path / "outbox.sqlite3"
    # Enrolled first, in the outbox's folder as a kiosk is: the outbox seals to the pinned key.
    auth = enrol_station(faulty_hall.server, STATION, state_dir=tmp_path).requests_auth()
    with Outbox(outbox_path, STATION) as outbox:
        subs = [
            outbox.enqueue("svc", {"n": 1}, attachments=[Attachment(os.urandom(200_000))]),
            outbox.enqueue("svc", {"n": 2}),
        ]
        assert faulty_hall.faults is not None
        faulty_hall.faults.add(fault, path_prefix=path)
        log = StatusLog()
        with HallClient(faulty_hall.server.url, timeout_s=0.5, auth=auth) as client:
            hall = CountingHall(client)
            with make_sender(outbox_path, hall, log) as sender:
                sender.wake()
                log.wait_until(lambda: outbox.depth() == 0 and faulty_hall.faults.pending() == 0)  # type: ignore[union-attr]
        assert_exactly_once(faulty_hall.store, outbox, subs)
        # The kiosk saw a failure first (except when the hall was merely slow), then success.
        failed = any(s.last_error_code is not None and not s.online for s in log.seen)
        assert failed == (fault != "slow:0.2")
        if hall_statuses is not None:
            posts_of_first = [
                st
                for m, p, st in faulty_hall.faults.hall_answers
                if m == "POST" and p == "/api/v1/submissions"
            ][: len(hall_statuses)]
            assert posts_of_first == hall_statuses


def test_hall_down_during_submit_receipt_prints_then_delivered_once(tmp_path: Path) -> None:
    from drivers.card_reader.simulator import SimulatedCardReader
    from drivers.printer.simulator import SimulatedPrinter
    from kiosk.runtime import SharedOutbox
    from kiosk.services.catalog import load_catalog
    from kiosk.session.flow import SessionFlow, Timeouts
    from tests.support.background import run_inline
    from tests.support.clock import FakeClock

    port = free_port()  # nothing listens here yet: the hall is down
    outbox_path = tmp_path / "outbox.sqlite3"
    reader = SimulatedCardReader.from_options({"delay_s": 0})
    printer = SimulatedPrinter.from_options({"port": 0})
    queue = SharedOutbox(outbox_path, STATION)
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=reader,
        printer=printer,
        queue=queue,
        background=run_inline,
        timeouts=Timeouts(idle_s=90, warning_s=20, receipt_s=20, card_read_s=5),
        station_name="狮山街道站",
        hall_url=f"http://127.0.0.1:{port}",
        clock=FakeClock(monotonic=0.0),
    )
    log = StatusLog()
    # The station enrolled while its hall was up (its key pinned beside the outbox); then the
    # hall went down.
    with HallServer(tmp_path / "hall.db", port=port) as hall:
        auth = enrol_station(hall, STATION, state_dir=tmp_path).requests_auth()
    client = HallClient(f"http://127.0.0.1:{port}", timeout_s=2.0, auth=auth)
    try:
        with client, make_sender(outbox_path, CountingHall(client), log) as sender:
            flow.start("zh_CN")
            flow.choose_service("policy_consultation")
            for name, value in ANSWERS.items():
                flow.set_field(name, value)
            assert flow.complete_form()
            flow.confirm()
            sender.wake()
            # The receipt printed with the locally assigned number while the hall was down.
            assert flow.state == "printing"
            assert flow.context.print_status == "printed"
            tracking = flow.context.tracking_number
            assert any(tracking in line for line in printer.server.text_log())
            log.wait_for(lambda s: s.last_error_code == "NETWORK_UNREACHABLE")
            with Outbox(outbox_path, STATION) as view:
                assert view.depth() == 1
            # While it waits, nothing on the kiosk's disk gives the walk-in's answers away.
            kiosk_files = [
                f
                for f in tmp_path.rglob("*")
                if f.is_file() and not f.relative_to(tmp_path).parts[0].startswith("hall")
            ]
            assert outbox_path in kiosk_files
            assert files_containing(kiosk_files, ANSWERS.values()) == []
            flow.finish()

            with HallServer(tmp_path / "hall.db", port=port) as hall:
                sender.wake()
                log.wait_for(drained)
                store = SubmissionStore(hall.db_path)
                (sub_id,) = store.ids()
                stored = store.load(sub_id)
                assert stored is not None and stored.tracking_number == tracking
    finally:
        queue.close()
        printer.close()
        reader.close()


# Valid answers for 政策咨询, a service that needs no documents captured.
ANSWERS = {
    "contact_name": "张三丰",
    "mobile": "13912345678",
    "policy_topic": "talent",
    "question": "人才公寓申请条件？",
}


def test_kiosk_killed_after_the_hall_committed_resends_and_gets_200(
    hall_server: HallServer, tmp_path: Path
) -> None:
    # The outbox in the enrolled state folder, as on a kiosk: the sender finds the pinned key.
    outbox_path = tmp_path / "kiosk" / "outbox.sqlite3"
    acked = tmp_path / "acked.jsonl"
    identity = enrol_station(hall_server, "REL-001", state_dir=tmp_path / "kiosk")
    child = subprocess.run(
        [
            sys.executable, "-m", "tests.reliability.kiosk_child", "crash-after-commit",
            "--outbox", str(outbox_path), "--hall", hall_server.url, "--acked", str(acked),
            "--state", str(tmp_path / "kiosk"),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "ANSWER 201" in child.stdout
    store = SubmissionStore(hall_server.db_path)
    (sub_id,) = store.ids()
    with Outbox(outbox_path, "REL-001") as outbox:
        row = outbox.get(sub_id)
        # The hall has it, the kiosk does not know: still pending, frozen since the first send.
        assert row is not None and row["status"] == "pending" and row["sending_since"]
        log = StatusLog()
        with HallClient(hall_server.url, timeout_s=5.0, auth=identity.requests_auth()) as client:
            hall = CountingHall(client)
            sender = Sender(outbox_path, "REL-001", hall, on_change=log, backoff_base_s=0.01)
            with sender:
                sender.wake()
                log.wait_for(drained)
        assert hall.posts == [(sub_id, 200)]  # "already have it"
        assert outbox.counts() == {"pending": 0, "delivered": 1, "quarantined": 0}
    assert store.count() == 1
