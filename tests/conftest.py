"""Shared pytest fixtures: a real hall (FastAPI under uvicorn) on a free loopback port.

The hall is imported inside the fixture so test suites that never use it (the Qt UI tests) do not
pay for importing FastAPI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hall.server import HallServer


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[HallServer]:
    """A started hall on 127.0.0.1 with an ephemeral port and its own SQLite file."""
    from hall.server import HallServer

    with HallServer(tmp_path / "hall" / "hall.db", host="127.0.0.1", port=0) as server:
        yield server
