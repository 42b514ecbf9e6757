"""Enrolment-code guessing against a real uvicorn hall (issue 14, finding 6).

A caller cannot escape the guess limit by naming a fresh address in ``X-Forwarded-For`` (the hall
believes that header only from its configured ``trusted_proxies``); the limit holds one address
or one code prefix, never the whole hall, so a station elsewhere still enrols with its own code;
and the failure tables stay bounded under a flood.

"Another address" needs more client addresses than one loopback machine has: the tests play a
reverse proxy on 127.0.0.2 (a hall configured with ``trusted_proxies=["127.0.0.2"]``, requests
leaving from that address) that names each client in ``X-Forwarded-For``. A proxy the hall does
not trust, or any caller on 127.0.0.1, cannot name its address that way.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.device_auth import CODE_ALPHABET, CODE_LENGTH, enrolment_proof_input
from hall.enrolment import GUESS_LIMIT, GUESS_WINDOW, EnrolmentStore
from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.device_identity import DeviceKey
from tests.hall.helpers import FLOOD_CAPACITY, START, cheap_hasher, shrink_attempt_tables
from tests.support.clock import FakeClock
from tests.support.loopback import session_from

PROXY = "127.0.0.2"

KEY = DeviceKey.generate()


class Hall:
    def __init__(self, server: HallServer, clock: FakeClock, source: str) -> None:
        self.server, self.clock, self.source = server, clock, source
        self.url = server.url + "/api/v1/enrolment"

    def session(self) -> requests.Session:
        """A session from the address the tests reach this hall from."""
        return session_from(self.source)

    def make_code(self, station: str = "QH001") -> str:
        store = SubmissionStore(self.server.db_path)
        try:
            return EnrolmentStore(store.engine, self.clock).create_code(station, "test").code
        finally:
            store.close()

    def enrol(
        self, code: str, via: str | None = None, session: requests.Session | None = None
    ) -> requests.Response:
        body = {
            "code": code,
            "public_key": KEY.public_key_b64,
            "proof": KEY.sign(enrolment_proof_input(code, KEY.public_key_b64)),
        }
        headers = {"X-Forwarded-For": via} if via else {}
        if session is not None:
            return session.post(self.url, json=body, headers=headers, timeout=30)
        with self.session() as own:
            return own.post(self.url, json=body, headers=headers, timeout=30)


def _start(tmp_path: Path, source: str, **options: Any) -> Iterator[Hall]:
    clock = FakeClock(START)
    server = HallServer(
        tmp_path / "hall.db", clock=clock, password_hasher=cheap_hasher(), **options
    ).start()
    try:
        yield Hall(server, clock, source)
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


def wrong_code(prefix: str = "") -> str:
    """A well-formed code the hall never issued."""
    raw = prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH - len(prefix)))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def test_rotating_forwarded_for_does_not_reset_the_limit(hall: Hall) -> None:
    for i in range(GUESS_LIMIT):
        assert hall.enrol(wrong_code(), via=f"10.9.8.{i}").status_code == 404
    refused = hall.enrol(wrong_code(), via="10.9.8.200")
    assert refused.status_code == 429, refused.text  # unlimited tries in review
    assert refused.json()["detail"]["code"] == "too_many_attempts"
    assert 1 <= int(refused.headers["Retry-After"]) <= GUESS_WINDOW.total_seconds()
    # The peer itself is what is limited: a good code from it waits too, then works.
    good = hall.make_code()
    assert hall.enrol(good, via="10.9.8.201").status_code == 429
    hall.clock.advance(GUESS_WINDOW)
    assert hall.enrol(good).status_code == 201


def test_wrong_codes_from_one_address_do_not_stop_a_station_elsewhere(proxied_hall: Hall) -> None:
    hall = proxied_hall
    good = hall.make_code()
    for _ in range(GUESS_LIMIT):
        assert hall.enrol(wrong_code(), via="203.0.113.66").status_code == 404
    assert hall.enrol(wrong_code(), via="203.0.113.66").status_code == 429
    assert hall.enrol(good, via="203.0.113.66").status_code == 429  # that address waits
    # A station on another address is not held up (review: every code locked hall-wide).
    assert hall.enrol(good, via="198.51.100.20").status_code == 201


def test_guesses_spread_over_addresses_lock_only_their_prefix(proxied_hall: Hall) -> None:
    hall = proxied_hall
    for i in range(GUESS_LIMIT):
        assert hall.enrol(wrong_code("ABCD"), via=f"10.1.1.{i}").status_code == 404
    assert hall.enrol(wrong_code("ABCD"), via="10.1.1.99").status_code == 429
    good = hall.make_code()
    while good.startswith("ABCD"):  # one chance in 923,521
        good = hall.make_code()
    assert hall.enrol(good, via="10.1.1.99").status_code == 201


def test_the_failure_tables_stay_bounded(proxied_hall: Hall) -> None:
    hall = proxied_hall
    limits = hall.server.app.state.enrolment.limits
    shrink_attempt_tables(limits)  # FLOOD_CAPACITY keys per tier, not the hall's 10,000
    flood_size = 2 * FLOOD_CAPACITY + 1

    def flood(worker: int) -> list[int]:
        with hall.session() as session:
            return [
                hall.enrol(
                    wrong_code(), via=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", session=session
                ).status_code
                for i in range(worker, flood_size, 2)
            ]

    with ThreadPoolExecutor(2) as pool:
        statuses = [s for seen in pool.map(flood, range(2)) for s in seen]
    assert statuses == [404] * flood_size
    assert limits.size("address") <= FLOOD_CAPACITY and limits.size("prefix") <= FLOOD_CAPACITY
    # Still limiting after the flood.
    for _ in range(GUESS_LIMIT):
        hall.enrol(wrong_code(), via="203.0.113.5")
    assert hall.enrol(hall.make_code(), via="203.0.113.5").status_code == 429
