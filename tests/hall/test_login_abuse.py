"""Staff login under abuse, against a real uvicorn hall (issue 14, finding 5).

Parallel wrong passwords must not outrun the lockout (the check and the count are one step, taken
before the password is hashed), the back-off is capped, a flood of made-up names cannot push a
locked name out of the table, refusals are audited with the client address, and parallel argon2
checks cannot take the hall's memory with them.

The password checks are counted by a real argon2 hasher that counts its own ``verify`` calls (the
hall's unit under test is the login route, not the hasher). "Other addresses" come through a
reverse proxy played on 127.0.0.2 (``trusted_proxies=["127.0.0.2"]``, requests leaving from that
address) that names each client in ``X-Forwarded-For``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import pytest
import requests
from argon2 import PasswordHasher

from hall.auth import MAX_FAILURES, MAX_LOCKOUT, AuditEntry, StaffStore
from hall.server import HallServer
from hall.store import SubmissionStore
from tests.hall.helpers import (
    FLOOD_CAPACITY,
    PASSWORD,
    START,
    add_staff,
    cheap_hasher,
    shrink_attempt_tables,
)
from tests.support.clock import FakeClock
from tests.support.loopback import session_from

ROOT = Path(__file__).resolve().parents[2]
PROXY = "127.0.0.2"
NAME = "lin.helper"
MAX_RETRY_AFTER = int(MAX_LOCKOUT.total_seconds())


class CountingHasher(PasswordHasher):
    """argon2id at test cost that counts the password checks it makes."""

    def __init__(self) -> None:
        cheap = cheap_hasher()
        super().__init__(
            time_cost=cheap.time_cost,
            memory_cost=cheap.memory_cost,
            parallelism=cheap.parallelism,
        )
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


class Hall:
    def __init__(
        self, server: HallServer, clock: FakeClock, hasher: CountingHasher, source: str
    ) -> None:
        self.server, self.clock, self.hasher, self.source = server, clock, hasher, source
        self.login_url = server.url + "/api/v1/auth/login"

    def session(self) -> requests.Session:
        """A session from the address the tests reach this hall from."""
        return session_from(self.source)

    def login(
        self, name: str, password: str, via: str | None = None, **headers: str
    ) -> requests.Response:
        if via:
            headers["X-Forwarded-For"] = via
        with self.session() as session:
            return session.post(
                self.login_url,
                json={"name": name, "password": password},
                headers=headers,
                timeout=30,
            )


def _start(tmp_path: Path, source: str, **options: Any) -> Iterator[Hall]:
    clock, hasher = FakeClock(START), CountingHasher()
    server = HallServer(
        tmp_path / "hall.db", clock=clock, password_hasher=hasher, **options
    ).start()
    try:
        add_staff(server, NAME)
        yield Hall(server, clock, hasher, source)
    finally:
        server.stop()


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    """A hall trusting no proxy (the default), reached from 127.0.0.1."""
    yield from _start(tmp_path, "127.0.0.1")


@pytest.fixture
def proxied_hall(tmp_path: Path) -> Iterator[Hall]:
    """A hall behind a proxy on 127.0.0.2: X-Forwarded-For names the client."""
    yield from _start(tmp_path, PROXY, trusted_proxies=[PROXY])


def audit_entries(server: HallServer) -> list[AuditEntry]:
    store = SubmissionStore(server.db_path)
    try:
        return StaffStore(store.engine, FakeClock(START), cheap_hasher()).audit_entries(limit=10**6)
    finally:
        store.close()


def retry_after(response: requests.Response) -> int:
    return int(response.headers["Retry-After"])


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(hall: Hall) -> None:
    barrier = threading.Barrier(120)

    def guess(_: int) -> requests.Response:
        barrier.wait()
        return hall.login(NAME, "wrong password")

    with ThreadPoolExecutor(120) as pool:
        answers = list(pool.map(guess, range(120)))

    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}, statuses  # no 5xx, nothing let in
    assert all(1 <= retry_after(a) <= MAX_RETRY_AFTER for a in answers if a.status_code == 429)
    # Answers refused as "busy" tried nothing; go on until the name itself is locked.
    tries = 0
    for _ in range(MAX_FAILURES + 1):
        tries += 1
        answer = hall.login(NAME, "wrong password")
        if answer.status_code == 429 and "wrong passwords" in answer.json()["detail"]:
            break
    else:
        pytest.fail("the name was never locked")
    assert hall.hasher.checks == MAX_FAILURES  # 43 in review

    # Locked: even the right password waits, and is not checked.
    right = hall.login(NAME, PASSWORD)
    assert right.status_code == 429 and 1 <= retry_after(right) <= MAX_RETRY_AFTER
    assert hall.hasher.checks == MAX_FAILURES
    hall.clock.advance(retry_after(right))
    assert hall.login(NAME, PASSWORD).status_code == 200

    # Every refusal has its row, with the address it came from.
    refused = [e for e in audit_entries(hall.server) if e.outcome != "ok"]
    assert len(refused) == len(answers) + tries + 1
    assert {e.outcome for e in refused} <= {"refused", "locked_out", "busy"}
    assert {e.client for e in refused} == {"127.0.0.1"}


def test_the_back_off_is_capped(hall: Hall) -> None:
    waits = []
    for _ in range(MAX_FAILURES):
        assert hall.login(NAME, "wrong password").status_code == 401
    for _ in range(12):
        locked = hall.login(NAME, "wrong password")
        assert locked.status_code == 429, locked.text
        waits.append(retry_after(locked))
        hall.clock.advance(retry_after(locked))
        assert hall.login(NAME, "wrong password").status_code == 401  # one more try, refused
    # 30 s doubling each time, then held at 15 minutes (review saw Retry-After: 1006632957).
    assert waits[:5] == [30, 60, 120, 240, 480]
    assert waits[5:] == [MAX_RETRY_AFTER] * 7
    hall.clock.advance(MAX_LOCKOUT)
    assert hall.login(NAME, PASSWORD).status_code == 200


def test_made_up_names_do_not_unlock_a_locked_name(proxied_hall: Hall) -> None:
    hall = proxied_hall
    limits = hall.server.app.state.staff_store.limits
    shrink_attempt_tables(limits)  # FLOOD_CAPACITY keys per tier, not the hall's 10,000
    flood_size = 2 * FLOOD_CAPACITY + 1
    for _ in range(MAX_FAILURES):
        assert hall.login(NAME, "wrong password", via="203.0.113.9").status_code == 401
    assert hall.login(NAME, PASSWORD, via="203.0.113.9").status_code == 429

    # Wrong logins for more made-up names than the tables hold, each from its own address (one
    # wrong try per address, so no address limit stops the flood before it reaches the names).
    def flood(worker: int) -> list[int]:
        seen = []
        with hall.session() as session:
            for i in range(worker, flood_size, 2):
                body = {"name": f"ghost{i}", "password": "wrong password"}
                via = {"X-Forwarded-For": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"}
                while True:
                    answer = session.post(hall.login_url, json=body, headers=via, timeout=30)
                    if "busy" not in answer.text:  # a busy hall tried nothing: send it again
                        break
                seen.append(answer.status_code)
        return seen

    with ThreadPoolExecutor(2) as pool:
        statuses = [s for seen in pool.map(flood, range(2)) for s in seen]
    assert statuses == [401] * flood_size

    still = hall.login(NAME, PASSWORD, via="198.51.100.4")
    assert still.status_code == 429  # the lock outlived the flood (the table was cleared)
    assert limits.size("name") <= 2 * FLOOD_CAPACITY
    assert limits.size("address") <= 2 * FLOOD_CAPACITY
    hall.clock.advance(retry_after(still))
    assert hall.login(NAME, PASSWORD, via="198.51.100.4").status_code == 200


def test_refusals_are_audited_with_the_client_address(proxied_hall: Hall) -> None:
    hall = proxied_hall
    assert hall.login(NAME, "wrong password", via="203.0.113.9").status_code == 401
    cross = hall.login(NAME, PASSWORD, via="203.0.113.10", Origin="http://evil.example")
    assert cross.status_code == 403
    # An untrusted hop in front of the proxy's own entry cannot choose the address.
    assert hall.login(NAME, "wrong password", via="1.2.3.4, 203.0.113.11").status_code == 401
    # A caller that is not the proxy cannot name an address at all.
    direct = requests.post(
        hall.login_url,
        json={"name": NAME, "password": "wrong password"},
        headers={"X-Forwarded-For": "203.0.113.12"},
        timeout=5,
    )
    assert direct.status_code == 401
    rows = [(e.outcome, e.client) for e in reversed(audit_entries(hall.server))]
    assert rows == [
        ("refused", "203.0.113.9"),
        ("cross_origin", "203.0.113.10"),
        ("refused", "203.0.113.11"),
        ("refused", "127.0.0.1"),
    ]


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def test_parallel_logins_do_not_take_the_halls_memory(tmp_path: Path) -> None:
    """A hall process with the production argon2 cost (64 MiB a check) under 120 parallel
    logins: its peak RSS grows by at most a few checks' worth (2.6 GB in review)."""
    db = str(tmp_path / "hall.db")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    subprocess.run(
        [sys.executable, "-m", "hall", "--db", db, "staff", "add", NAME, "--role", "helper"],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "hall", "--port", "0", "--db", db, "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("hall listening on "), line
        url = line.split()[3]
        # One right login first: the hall has hashed once and holds its steady-state memory.
        body = {"name": NAME, "password": PASSWORD}
        assert requests.post(url + "/api/v1/auth/login", json=body, timeout=30).ok
        before = _rss_kib(proc.pid, "VmRSS")

        barrier = threading.Barrier(120)

        def attempt(i: int) -> int:
            barrier.wait()
            guess = {"name": f"someone{i}", "password": "wrong password"}
            return requests.post(url + "/api/v1/auth/login", json=guess, timeout=60).status_code

        with ThreadPoolExecutor(120) as pool:
            statuses = list(pool.map(attempt, range(120)))
        assert set(statuses) <= {401, 429}, statuses
        peak = _rss_kib(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Each argon2 check at the default cost holds 64 MiB; allow the hashing slots and slack.
    allowed_mib = ((os.cpu_count() or 1) + 2) * 64
    assert (peak - before) / 1024 < allowed_mib, (before, peak)


def test_bad_login_bodies_are_4xx(hall: Hall) -> None:
    for body in ({}, {"name": NAME}, {"name": 7, "password": "x"}, {"name": "", "password": ""}):
        assert requests.post(hall.login_url, json=body, timeout=5).status_code == 422
