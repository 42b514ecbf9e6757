"""Shared pytest fixtures: a real hall (FastAPI under uvicorn) on a free loopback port, and a
throwaway PostgreSQL server for the hall's database tests.

The hall is imported inside the fixture so test suites that never use it (the Qt UI tests) do not
pay for importing FastAPI. PostgreSQL is Debian's own (``packaging/system-deps.sh`` installs it):
a fresh cluster in a temporary folder, on a free port, listening on 127.0.0.1 only, started on
first use (about half a second) and stopped at the end of the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
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


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


class PostgresCluster:
    """A throwaway PostgreSQL cluster; ``new_database()`` gives each test its own database."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        # Not under pytest's tmp_path: that folder is private to this user (0700), and as root
        # the server must run as the `postgres` user, who could not reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="qihang-pg-"))
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.data = self.dir / "data"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed: run `make test` (packaging/system-deps.sh)")
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(cluster.dir, ignore_errors=True)
        raise
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def hall_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty hall database: a SQLite file, then a PostgreSQL database (a URL)."""
    if request.param == "sqlite":
        return str(tmp_path / "hall" / "hall.db")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()
