"""Fixtures for the outbox tests: a fresh outbox file, its clock, and the open outbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from offline_queue.outbox import Outbox
from tests.support.clock import FakeClock
from tests.support.sealing import pin_test_key
from tests.unit.outbox.support import STATION


@pytest.fixture
def path(tmp_path: Path) -> Path:
    # The station is enrolled: the test hall's key is pinned in the outbox's (state) folder.
    pin_test_key(tmp_path / "outbox")
    return tmp_path / "outbox" / "outbox.db"


@pytest.fixture
def clock() -> FakeClock:
    # Local noon, so the local calendar date is the same in every time zone the CI might use.
    return FakeClock(datetime(2025, 3, 1, 12, 0).astimezone())


@pytest.fixture
def outbox(path: Path, clock: FakeClock) -> Iterator[Outbox]:
    # Closed here, not by the garbage collector: a connection it closes later changes the open
    # descriptors under another test's feet (test_shared_outbox counts them).
    box = Outbox(path, STATION, clock=clock)
    yield box
    box.close()
