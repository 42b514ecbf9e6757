"""The station's health history: device level changes (only changes) and failure codes shown,
bounded in memory and on disk, surviving a restart, safe to record from many threads, and unable
to hold anything personal because its API takes only names, levels and codes."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest

from kiosk.health_history import HealthHistory
from tests.support.clock import FakeClock

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


class Ticks(FakeClock):
    """The fake clock, moving one second per reading (so each entry shows how often it read)."""

    def now(self) -> dt.datetime:
        return self.advance(1)


def test_device_changes_only_and_failures_each_time() -> None:
    history = HealthHistory(clock=Ticks(T0))
    assert history.record_device("printer", "ok")
    assert not history.record_device("printer", "ok")  # polled again, nothing new
    assert history.record_device("printer", "degraded", "PRINTER_PAPER_NEAR_END")
    assert history.record_device("printer", "down", "PRINTER_PAPER_OUT")
    assert not history.record_device("printer", "down", "PRINTER_PAPER_OUT")
    assert history.record_device("camera", "ok")
    history.record_failure("PRINTER_PAPER_OUT")
    history.record_failure("CARD_READ_FAILED")
    history.record_failure("CARD_READ_FAILED")
    assert history.record_device("printer", "ok")

    entries = history.entries()
    assert [(e["kind"], e["name"], e["level"], e["code"]) for e in entries] == [
        ("device", "printer", "ok", ""),
        ("device", "printer", "degraded", "PRINTER_PAPER_NEAR_END"),
        ("device", "printer", "down", "PRINTER_PAPER_OUT"),
        ("device", "camera", "ok", ""),
        ("failure", "", "", "PRINTER_PAPER_OUT"),
        ("failure", "", "", "CARD_READ_FAILED"),
        ("failure", "", "", "CARD_READ_FAILED"),
        ("device", "printer", "ok", ""),
    ]
    assert entries[0]["at"] == "2026-11-27T02:00:01+00:00"
    assert entries[-1]["at"] == "2026-11-27T02:00:08+00:00"  # one reading per entry
    # Newest first, each code once, and "ok" is not trouble.
    assert history.recent_codes() == [
        "CARD_READ_FAILED",
        "PRINTER_PAPER_OUT",
        "PRINTER_PAPER_NEAR_END",
    ]
    assert history.recent_codes(2) == ["CARD_READ_FAILED", "PRINTER_PAPER_OUT"]
    entries[0]["code"] = "EDITED"
    assert history.entries()[0]["code"] == ""  # callers get copies


def test_bounded_in_memory_and_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "health-history.jsonl"
    history = HealthHistory(path, max_entries=10)
    for i in range(95):
        history.record_failure(f"CODE_{i}")
    assert [e["code"] for e in history.entries()] == [f"CODE_{i}" for i in range(85, 95)]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert 10 <= len(lines) <= 20  # compacted whenever it reaches twice the bound
    assert [json.loads(line)["code"] for line in lines][-1] == "CODE_94"
    assert not (tmp_path / "health-history.jsonl.tmp").exists()


def test_survives_a_restart_and_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "health-history.jsonl"
    first = HealthHistory(path, max_entries=50)
    first.record_device("card_reader", "down", "CARD_READER_UNAVAILABLE")
    first.record_failure("CARD_READER_UNAVAILABLE")
    with path.open("a", encoding="utf-8") as f:
        f.write('{"at": "2026-11-27T02:00:00+00:00", "kind": "fail')  # power cut mid-write
    with path.open("a", encoding="utf-8") as f:
        bad_time = {"at": "x", "kind": "failure", "name": "", "level": "", "code": "A"}
        f.write("\n" + json.dumps(bad_time) + "\n")

    again = HealthHistory(path, max_entries=50)
    assert again.entries() == first.entries()
    assert again.recent_codes() == ["CARD_READER_UNAVAILABLE"]
    # The reader is still down after the restart: that is not a change.
    assert not again.record_device("card_reader", "down", "CARD_READER_UNAVAILABLE")
    assert again.record_device("card_reader", "ok")
    assert HealthHistory(path).entries()[-1]["level"] == "ok"


def test_a_history_it_cannot_write_still_works_in_memory(tmp_path: Path) -> None:
    history = HealthHistory(tmp_path / "no-such-dir" / "health-history.jsonl")
    history.record_failure("PRINTER_UNAVAILABLE")
    assert history.recent_codes() == ["PRINTER_UNAVAILABLE"]


def test_many_threads_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "health-history.jsonl"
    history = HealthHistory(path, max_entries=5000)
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        start.wait()
        for i in range(200):
            history.record_failure(f"T{n}_{i}")
            history.record_device(f"dev{n}", "down" if i % 2 else "ok", "X" if i % 2 else "")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = history.entries()
    assert len(entries) == 8 * 400
    for n in range(8):
        mine = [e["code"] for e in entries if e["code"].startswith(f"T{n}_")]
        assert mine == [f"T{n}_{i}" for i in range(200)]  # each thread's order kept
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == entries  # no interleaved or torn lines
    assert HealthHistory(path, max_entries=5000).entries() == entries


@pytest.mark.parametrize(
    "record",
    [
        lambda h: h.record_failure("张三丰"),
        lambda h: h.record_failure("11010519491231002X"),
        lambda h: h.record_failure("13912345678"),
        lambda h: h.record_failure("zhang san"),
        lambda h: h.record_failure("CARD READ FAILED: 张三丰"),
        lambda h: h.record_failure(""),
        lambda h: h.record_device("张三丰", "ok"),
        lambda h: h.record_device("printer", "out of paper"),
        lambda h: h.record_device("printer", "down", "11010519491231002X"),
        lambda h: h.record_device("printer", "down", "Paper out for 张三丰"),
    ],
)
def test_nothing_but_codes_gets_in(tmp_path: Path, record: object) -> None:
    path = tmp_path / "health-history.jsonl"
    history = HealthHistory(path)
    with pytest.raises(ValueError) as refused:
        record(history)  # type: ignore[operator]
    assert "张三丰" not in str(refused.value) and "11010519491231002X" not in str(refused.value)
    assert history.entries() == []
    assert not path.exists()


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError):
        HealthHistory(max_entries=0)
