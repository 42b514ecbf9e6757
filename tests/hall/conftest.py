"""Every hall test runs twice: on SQLite (the default) and on PostgreSQL (a database URL).

``console_hall`` is a hall with a fake clock (staff sessions, deadlines, overdue flags move when
the test says so); ``sqlite_hall`` the same on SQLite only, where the database adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hall.server import HallServer
    from tests.support.clock import FakeClock


@pytest.fixture
def hall_server(hall_db: str) -> Iterator[HallServer]:
    """A started hall on 127.0.0.1, on a fresh database of each kind."""
    from hall.server import HallServer

    with HallServer(hall_db, host="127.0.0.1", port=0) as server:
        yield server


@dataclass
class ConsoleHall:
    """A started hall with a fake clock, on a fresh database of each kind."""

    server: HallServer
    clock: FakeClock

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def console_hall(hall_db: str) -> Iterator[ConsoleHall]:
    from tests.hall.helpers import START, start_hall
    from tests.support.clock import FakeClock

    clock = FakeClock(START)
    server = start_hall(hall_db, clock)
    try:
        yield ConsoleHall(server, clock)
    finally:
        server.stop()


@pytest.fixture
def sqlite_hall(tmp_path: Path) -> Iterator[ConsoleHall]:
    """The same on SQLite only, for tests where the database kind adds nothing."""
    from tests.hall.helpers import START, start_hall
    from tests.support.clock import FakeClock

    clock = FakeClock(START)
    server = start_hall(str(tmp_path / "hall" / "hall.db"), clock)
    try:
        yield ConsoleHall(server, clock)
    finally:
        server.stop()
