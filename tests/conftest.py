"""Shared pytest fixtures: a real hall (FastAPI under uvicorn) on a free loopback port, and a
throwaway PostgreSQL server for the hall's database tests.

The hall is imported inside the fixture so test suites that never use it (the Qt UI tests) do not
pay for importing FastAPI. PostgreSQL is Debian's own (``packaging/system-deps.sh`` installs it):
a fresh cluster in a temporary folder, on a free port, listening on 127.0.0.1 only, started on
first use (about half a second) and stopped at the end of the session.
"""

from __future__ import annotations

import atexit
import contextlib
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

# How `make test` deals the tests out to its two xdist workers: a file's tests on one worker,
# pcscd's tests as one group (a plugin module of its own).
pytest_plugins = ["tests.support.xdist_groups"]

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


# --- Leftover processes (issue 13: `make test` twice in a row, nothing left behind) -----------
# Every process the tests start, directly or not (pcscd, cupsd, PostgreSQL, Chromium, halls in
# child processes, simulators, benches), inherits this mark in its environment, daemons that
# detach from their parent included. When the session ends, any live process still carrying it
# (or still below this one) fails the run; it is then killed by pid so the next run starts clean.
# Processes from other test runs on the same machine carry another mark and are left alone.

LEFTOVER_MARK = "QIHANG_TEST_RUN"
# A stopped child may still be exiting: this bounds the wait (the check's own test shortens it).
LEFTOVER_GRACE_S = float(os.environ.get("QIHANG_LEFTOVER_GRACE_S", "10"))
os.environ[LEFTOVER_MARK] = f"{os.getpid()}-{uuid.uuid4().hex}"


def _proc_stat(pid: str) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name in (...) may hold spaces
    return fields[0], int(fields[1])


def leftover_processes(mark: str = "") -> dict[int, str]:
    """Live processes (not zombies) carrying this run's mark or descending from this process or
    from a marked one: pid -> command line."""
    mark_entry = f"{LEFTOVER_MARK}={mark or os.environ[LEFTOVER_MARK]}".encode()
    me = os.getpid()
    parents: dict[int, int] = {}
    marked: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        stat = _proc_stat(entry)
        if stat is None or stat[0] == "Z":
            continue
        parents[int(entry)] = stat[1]
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue  # gone, or not ours to read
        if mark_entry in environ.split(b"\0"):
            marked.add(int(entry))

    def below_a_root(pid: int) -> bool:
        # Below a marked process counts too: PostgreSQL's children overwrite their environment
        # with their process titles, so only the postmaster still shows the mark.
        seen = set()
        while pid not in seen and pid > 1:
            seen.add(pid)
            pid = parents.get(pid, 0)
            if pid == me or pid in marked:
                return True
        return False

    found: dict[int, str] = {}
    for pid in parents:
        if pid in marked or below_a_root(pid):
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            found[pid] = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return found


def _xdist_controller(config: pytest.Config) -> bool:
    """True in the process that hands tests to xdist's workers (and runs none itself)."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", 0))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import contextlib
    import signal
    import time

    # Under xdist each worker checks what its own tests started; the controller starts nothing
    # but the workers, which may still be exiting here.
    if _xdist_controller(session.config):
        return
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    left = leftover_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = leftover_processes()
    if not left:
        return
    lines = [f"  pid {pid}: {cmd}" for pid, cmd in sorted(left.items())]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "processes started by the tests are still alive (killed now):\n" + "\n".join(lines)
    if reporter is not None:
        reporter.write_line(f"\nLEFTOVER PROCESSES: {message}", red=True, bold=True)
    else:
        print(message)
    for pid in left:
        with contextlib.suppress(OSError):  # exited meanwhile
            os.kill(pid, signal.SIGKILL)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- end of the leftover-process check -------------------------------------------------------


# --- vpcd's fixed ports kept out of the ephemeral range ----------------------------------------
# vpcd listens on 35963/35964, inside Linux's ephemeral range (32768-60999). In a full run some
# long-lived loopback client (a pooled PostgreSQL connection, a keep-alive to a hall) can draw
# one of them as its own port and hold it for the rest of the session; every pcscd started after
# that has no virtual reader ("vpcd never listened"). Reserving the two ports for the run (root
# only; the kernel's own switch, restored at the end) stops that at the source.
_RESERVED_PORTS = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")
_VPCD_PORTS = "35963-35964"
_reserved_before: str | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _reserved_before
    # Once per run: in the controller under xdist (a worker restoring the setting at its end
    # would free the ports while another worker still runs pcscd's tests).
    if hasattr(session.config, "workerinput"):
        return
    if os.geteuid() != 0 or not _RESERVED_PORTS.exists():
        return
    try:
        before = _RESERVED_PORTS.read_text().strip()
        if _VPCD_PORTS not in before.split(","):
            _RESERVED_PORTS.write_text(",".join(p for p in (before, _VPCD_PORTS) if p))
            _reserved_before = before
    except OSError:  # a read-only /proc (some containers): pcscd's own retries remain
        return


def pytest_unconfigure(config: pytest.Config) -> None:
    if _reserved_before is not None:
        with contextlib.suppress(OSError):
            _RESERVED_PORTS.write_text(_reserved_before or "\n")


# --- the hall's data folder kept inside the run ------------------------------------------------
# A hall on a database server keeps its sealing key under $XDG_DATA_HOME (hall.sealing); every
# PostgreSQL test hall would leave one behind in the user's home. The run gets its own folder,
# removed at the end (subprocess halls inherit it through the environment).
_DATA_HOME = Path(tempfile.mkdtemp(prefix="qihang-test-data-"))
os.environ["XDG_DATA_HOME"] = str(_DATA_HOME)
atexit.register(shutil.rmtree, _DATA_HOME, True)
