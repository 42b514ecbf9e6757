"""Remote-assist fixtures: a real hall on loopback (SQLite, fake clock) with two helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.server import HallServer
from tests.hall.helpers import add_staff, start_hall


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"))
    add_staff(server, "lin.helper")
    add_staff(server, "wang.helper")
    try:
        yield server
    finally:
        server.stop()
