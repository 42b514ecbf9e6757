"""SharedOutbox: filings from any thread through one connection, so short-lived threads leave no
file descriptors behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from kiosk.runtime import SharedOutbox
from offline_queue.outbox import Outbox
from tests.support.sealing import pin_test_key


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_workers_that_come_and_go_share_one_connection(tmp_path: Path) -> None:
    pin_test_key(tmp_path)  # an enrolled station: filings are sealed to the hall's key
    queue = SharedOutbox(tmp_path / "outbox.sqlite3", "SND-1")
    try:
        queue.enqueue("enterprise_demand", {"form": {"description": "warm-up"}})
        before = _fds()
        errors: list[BaseException] = []

        def one_filing(n: int) -> None:
            try:
                queue.enqueue("enterprise_demand", {"form": {"description": f"filing {n}"}})
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        for round_ in range(5):  # rounds of concurrent workers, each thread used once
            workers = [
                threading.Thread(target=one_filing, args=(round_ * 10 + i,)) for i in range(10)
            ]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        assert errors == []
        assert _fds() == before  # no connection per thread
    finally:
        queue.close()
    with Outbox(tmp_path / "outbox.sqlite3", "SND-1") as box:
        assert box.depth() == 51
