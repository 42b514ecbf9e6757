"""The SQLite outbox on real files: durability settings, tracking numbers, states, counts, ids,
and the technician's status command."""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from offline_queue.ids import uuid7
from offline_queue.outbox import (
    SCHEMA_VERSION,
    Outbox,
    OutboxError,
)
from offline_queue.status import format_status, read_status
from tests.support.clock import FakeClock
from tests.support.sealing import pin_test_key
from tests.unit.outbox.support import (
    PAYLOAD,
    STATION,
    WALK_IN_NAME,
    in_threads,
    opened,
    walk_in_payload,
)

# --- durability settings ---------------------------------------------------------------------


def test_wal_and_synchronous_full(outbox: Outbox, path: Path) -> None:
    assert outbox.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    # journal_mode is a property of the file: a foreign connection sees it too.
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_version_is_recorded(outbox: Outbox, path: Path) -> None:
    assert outbox.schema_version == SCHEMA_VERSION >= 1
    outbox.close()
    with Outbox(path, STATION) as reopened:  # reopening does not migrate again
        assert reopened.schema_version == SCHEMA_VERSION


def test_newer_schema_is_refused(path: Path) -> None:
    Outbox(path, STATION).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(OutboxError, match="newer"):
        Outbox(path, STATION)


def test_status_index_exists(outbox: Outbox) -> None:
    indexes = outbox.db.execute("PRAGMA index_list(submissions)").fetchall()
    columns = [
        outbox.db.execute(f"PRAGMA index_info({row[1]!r})").fetchall()[0][2] for row in indexes
    ]
    assert "status" in columns


@pytest.mark.parametrize("bad", ["", "has space", "x" * 33, "站点"])
def test_station_id_must_be_printable_in_a_tracking_number(path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        Outbox(path, bad)


# --- enqueue and tracking numbers --------------------------------------------------------------


def test_enqueue_returns_what_was_stored(outbox: Outbox) -> None:
    sub = outbox.enqueue("business-license-change", PAYLOAD)
    assert uuid.UUID(sub.id).version == 7
    assert sub.tracking_number == f"{STATION}-20250301-0001"
    assert sub.station_id == STATION
    assert sub.payload == PAYLOAD
    assert datetime.fromisoformat(sub.created_at).tzinfo is not None
    assert opened(outbox.next_pending()) == sub
    assert sub.to_body() == {
        "id": sub.id,
        "station_id": STATION,
        "service_id": "business-license-change",
        "tracking_number": sub.tracking_number,
        "created_at": sub.created_at,
        "payload": PAYLOAD,
    }


def test_repr_keeps_the_payload_out_of_logs(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    assert "13800000000" not in repr(sub)
    assert sub.tracking_number in repr(sub)


def test_tracking_numbers_are_sequential_and_unique_across_reopen(
    path: Path, clock: FakeClock
) -> None:
    with Outbox(path, STATION, clock=clock) as first:
        numbers = [first.enqueue("svc", {"n": i}).tracking_number for i in range(3)]
    with Outbox(path, STATION, clock=clock) as second:
        numbers += [second.enqueue("svc", {"n": i}).tracking_number for i in range(3, 5)]
    assert numbers == [f"{STATION}-20250301-{n:04d}" for n in range(1, 6)]


def test_sequence_restarts_each_day(outbox: Outbox, clock: FakeClock) -> None:
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-20250301-0001")
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-20250301-0002")
    clock.advance(timedelta(days=1))
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-20250302-0001")


def test_concurrent_enqueues_from_threads_get_distinct_numbers(
    path: Path, clock: FakeClock
) -> None:
    Outbox(path, STATION).close()  # create the schema once, up front
    numbers: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        with Outbox(path, STATION, clock=clock) as mine:
            for i in range(25):
                number = mine.enqueue("svc", {"i": i}).tracking_number
                with lock:
                    numbers.append(number)

    assert in_threads(worker, 4) == []
    assert sorted(numbers) == [f"{STATION}-20250301-{n:04d}" for n in range(1, 101)]


def test_non_json_payload_is_refused_and_nothing_is_written(outbox: Outbox) -> None:
    with pytest.raises(TypeError):
        outbox.enqueue("svc", {"when": datetime.now()})
    with pytest.raises(ValueError):
        outbox.enqueue("svc", {"x": float("nan")})
    assert outbox.counts() == {"pending": 0, "delivered": 0, "quarantined": 0}
    # A failed enqueue did not use up a tracking number.
    assert outbox.enqueue("svc", {}).tracking_number.endswith("-0001")


def test_enqueue_is_durable_for_another_connection(outbox: Outbox, path: Path) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    with Outbox(path, STATION) as other:
        assert opened(other.next_pending()) == sub


# --- states ---------------------------------------------------------------------------------


def test_pending_is_oldest_first(outbox: Outbox) -> None:
    subs = [outbox.enqueue("svc", {"n": i}) for i in range(3)]
    assert opened(outbox.next_pending()) == subs[0]
    outbox.mark_delivered(subs[0].id)
    assert opened(outbox.next_pending()) == subs[1]
    outbox.mark_quarantined(subs[1].id, "HTTP_409")
    assert opened(outbox.next_pending()) == subs[2]
    outbox.mark_delivered(subs[2].id)
    assert outbox.next_pending() is None


def test_delivered_row_keeps_only_a_stub(outbox: Outbox, path: Path, clock: FakeClock) -> None:
    # Big enough to spill into overflow pages, which SQLite frees without rewriting them
    # unless secure_delete is on.
    sub = outbox.enqueue("svc", {**PAYLOAD, "scan": "x" * 20_000})
    outbox.record_attempt(sub.id, "NETWORK_TIMEOUT")
    clock.advance(timedelta(seconds=30))
    outbox.mark_delivered(sub.id)

    row = outbox.get(sub.id)
    assert row is not None
    assert row["body"] is None and row["attachments"] == []
    assert row["status"] == "delivered"
    assert row["tracking_number"] == sub.tracking_number
    assert row["attempts"] == 2
    assert row["last_error"] is None
    assert row["delivered_at"] is not None
    outbox.close()
    # The personal data is gone from the file itself, not only from the query result
    # (secure_delete overwrites freed space; a checkpoint folds the WAL in first).
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert b"13800000000" not in path.read_bytes()


def test_quarantined_row_keeps_payload_and_reason(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.mark_quarantined(sub.id, "HTTP_422")
    row = outbox.get(sub.id)
    assert row is not None
    assert row["status"] == "quarantined"
    assert row["last_error"] == "HTTP_422"
    assert "payload" not in row  # the station cannot open it; a requeue sends it as sealed
    outbox.requeue(sub.id)
    assert opened(outbox.next_pending()) == sub


def test_record_attempt_keeps_row_pending(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.record_attempt(sub.id, "HTTP_503")
    outbox.record_attempt(sub.id, "NETWORK_UNREACHABLE")
    row = outbox.get(sub.id)
    assert row is not None
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "pending",
        2,
        "NETWORK_UNREACHABLE",
    )
    assert opened(outbox.next_pending()) == sub


def test_marking_twice_is_harmless_and_unknown_ids_raise(outbox: Outbox) -> None:
    sub = outbox.enqueue("svc", PAYLOAD)
    outbox.mark_delivered(sub.id)
    outbox.mark_delivered(sub.id)
    outbox.mark_quarantined(sub.id, "late")  # a delivered row is not quarantined afterwards
    assert outbox.counts() == {"pending": 0, "delivered": 1, "quarantined": 0}
    with pytest.raises(KeyError):
        outbox.mark_delivered(str(uuid7()))
    with pytest.raises(KeyError):
        outbox.record_attempt(str(uuid7()), "x")


# --- counts and ages ---------------------------------------------------------------------------


def test_counts_and_depth(outbox: Outbox) -> None:
    assert outbox.depth() == 0
    assert outbox.counts() == {"pending": 0, "delivered": 0, "quarantined": 0}
    subs = [outbox.enqueue("svc", {"n": i}) for i in range(5)]
    outbox.mark_delivered(subs[0].id)
    outbox.mark_delivered(subs[1].id)
    outbox.mark_quarantined(subs[2].id, "HTTP_409")
    assert outbox.depth() == 2
    assert outbox.counts() == {"pending": 2, "delivered": 2, "quarantined": 1}


def test_oldest_pending_age(outbox: Outbox, clock: FakeClock) -> None:
    assert outbox.oldest_pending_age_s() is None
    first = outbox.enqueue("svc", {})
    clock.advance(timedelta(seconds=90))
    outbox.enqueue("svc", {})
    assert outbox.oldest_pending_age_s() == pytest.approx(90.0)
    assert outbox.oldest_pending_age_s(clock.now() + timedelta(seconds=10)) == pytest.approx(100.0)
    outbox.mark_delivered(first.id)
    assert outbox.oldest_pending_age_s() == pytest.approx(0.0)
    # A clock stepped backwards does not give a negative age.
    assert outbox.oldest_pending_age_s(clock.now() - timedelta(hours=1)) == 0.0


# --- ids -------------------------------------------------------------------------------------


def test_uuid7_layout() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    value = uuid7()
    after = int(datetime.now(UTC).timestamp() * 1000)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before - 1 <= value.int >> 80 <= after + 1


def test_uuid7_is_strictly_increasing_and_unique() -> None:
    ids = [uuid7() for _ in range(20_000)]
    assert all(a < b for a, b in itertools.pairwise(ids))
    # The outbox stores str(id) as a TEXT key: the text must sort the same way.
    assert all(str(a) < str(b) for a, b in itertools.pairwise(ids))


# --- the technician's status command ------------------------------------------------------------


def test_status_report_reads_without_the_key(path: Path, clock: FakeClock) -> None:
    assert read_status(path)["exists"] is False
    with Outbox(path, STATION, clock=clock) as box:
        subs = [box.enqueue("svc", walk_in_payload()) for _ in range(3)]
        box.mark_delivered(subs[0].id)
        box.mark_quarantined(subs[1].id, "HTTP_409")
    (path.parent / "keys" / "hall_seal.json").unlink()  # the report needs no key at all
    report = read_status(path, now=clock.now() + timedelta(seconds=42))
    assert report["counts"] == {"pending": 1, "delivered": 1, "quarantined": 1}
    assert report["depth"] == 1
    assert report["oldest_pending_age_s"] == pytest.approx(42.0)
    assert report["quarantined"] == [
        {
            "id": subs[1].id,
            "tracking_number": subs[1].tracking_number,
            "reason": "HTTP_409",
            "attempts": 1,
        }
    ]
    text = format_status(report)
    assert subs[1].tracking_number in text and WALK_IN_NAME not in text


def test_main_outbox_status_json(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    state = tmp_path / "state"
    pin_test_key(state)
    with Outbox(state / "outbox.sqlite3", "SND-SS-001") as box:
        box.enqueue("svc", walk_in_payload())
    config = (root / "packaging" / "kiosk.example.toml").read_text(encoding="utf-8")
    config = config.replace('state_dir = "var/kiosk"', f'state_dir = "{state}"')
    (tmp_path / "kiosk.toml").write_text(config, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "outbox",
            "status",
            "--json",
            "--config",
            str(tmp_path / "kiosk.toml"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["counts"] == {"pending": 1, "delivered": 0, "quarantined": 0}
    assert report["oldest_pending_age_s"] >= 0
    assert WALK_IN_NAME not in done.stdout and WALK_IN_NAME not in done.stderr


RACES = 400  # a new file opened by two threads at once: unfixed, some races in a hundred failed


def test_two_connections_opening_a_new_outbox_at_once_both_open_it(tmp_path: Path) -> None:
    # The sender's thread and the first filing open the station's outbox file at the same moment
    # (tests/reliability/test_faults.py saw it): both switch a new file to WAL, and SQLite refuses
    # one of the two lock upgrades at once. Each opens all the same, in WAL mode.
    for n in range(RACES):
        path = tmp_path / f"race-{n}.sqlite3"

        def open_it(path: Path = path) -> None:
            Outbox(path, STATION, shared=True).close()

        failures = in_threads(open_it, 2)
        assert failures == [], failures
        with Outbox(path, STATION) as box:
            assert box.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
