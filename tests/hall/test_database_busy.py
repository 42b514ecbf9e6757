"""A database too busy to answer in time is a 503 with a time to retry, never a bare 500.

Another process holds SQLite's write lock (``BEGIN EXCLUSIVE``) past the hall's busy timeout: a
login that must write its session is answered 503 with ``Retry-After`` and a reason in both
languages, and nothing half-written stays. Once the lock is gone the same login works. The
hall's pool holds a connection for every request thread, so a burst waits on the database, not
on the pool (the load bench, ``python -m bench hall``, drove a pool of 15 into 500s).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import requests

from hall.server import HallServer
from hall.store import SubmissionStore
from tests.hall.helpers import PASSWORD, START, add_staff, cheap_hasher, login
from tests.support.clock import FakeClock


def test_a_locked_database_is_answered_503_with_a_time_to_retry(tmp_path: Path) -> None:
    db = tmp_path / "hall.db"
    server = HallServer(
        db, clock=FakeClock(START), password_hasher=cheap_hasher(), db_busy_timeout_ms=200
    ).start()
    try:
        add_staff(server, "wu.helper")
        holder = sqlite3.connect(db, timeout=5, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            answer = requests.post(
                server.url + "/api/v1/auth/login",
                json={"name": "wu.helper", "password": PASSWORD},
                timeout=10,
            )
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            detail = answer.json()["detail"]
            assert detail["code"] == "busy" and "稍后重试" in detail["message_zh"]
            assert "set-cookie" not in answer.headers
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        login(server, "wu.helper")  # the lock gone, the same request works
    finally:
        server.stop()


def test_the_pool_holds_a_connection_for_every_request_thread(tmp_path: Path) -> None:
    store = SubmissionStore(tmp_path / "hall.db")
    try:
        pool = store.engine.pool
        # anyio runs FastAPI's sync endpoints on at most 40 threads at once.
        assert pool.size() + pool._max_overflow >= 40  # type: ignore[attr-defined]
    finally:
        store.close()
