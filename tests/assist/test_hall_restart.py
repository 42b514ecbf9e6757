"""A hall killed mid-call (SIGKILL, a real `python -m hall` process) and started again on the same
database: the kiosk and the helper resume within the window with nothing lost or delivered twice;
a call whose sides never come back is ended and its rows deleted; a revoke leaves no value on
disk."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hall.server import HallServer
from remote_assist import protocol as p
from tests.assist.harness import WAIT_S, HelperSocket, RecordingKiosk, cookie_of
from tests.assist.test_broker import open_call
from tests.hall.helpers import add_staff, station_identity

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HallProcess:
    """`python -m hall` on a fixed port, so a restarted hall is where the sides left it."""

    def __init__(self, db: Path, port: int) -> None:
        self.db, self.port = db, port
        self.url = f"http://127.0.0.1:{port}"
        self.db_path = str(db)  # what tests.hall.helpers expects of a hall
        self._child: subprocess.Popen[bytes] | None = None

    def start(self) -> HallProcess:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "hall", "--port", str(self.port), "--db", str(self.db)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 30  # bounds a broken start; not a speed requirement
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=5).ok:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # starting; a loaded machine
                time.sleep(0.1)
        raise RuntimeError("the hall did not start")

    def kill(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.send_signal(signal.SIGKILL)
            self._child.wait(10)

    def stop(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.terminate()
            self._child.wait(10)


@pytest.fixture
def hall_process(tmp_path: Path) -> Iterator[HallProcess]:
    hall = HallProcess(tmp_path / "hall.db", _free_port()).start()
    add_staff(hall, "lin.helper")  # type: ignore[arg-type]
    try:
        yield hall
    finally:
        hall.stop()


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


def test_a_killed_hall_resumes_the_call_with_nothing_lost_or_doubled(
    hall_process: HallProcess,
) -> None:
    hall = hall_process
    kiosk = RecordingKiosk(hall.url, station_identity(hall))
    try:
        lin, helper = open_call(hall, kiosk)  # type: ignore[arg-type]
        session_id = kiosk.client.session_id
        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted)
        helper.send(p.FieldProposed(name="mobile", value="1"))
        assert kiosk.next_message() == p.FieldProposed(name="mobile", value="1")
        kiosk.client.send(
            p.FieldChanged(name="applicant_name", value="王", by="walk_in", masked=False)
        )
        assert helper.recv_until(p.FieldChanged).value == "王"

        hall.kill()  # no shutdown, no goodbye: what a crash or a power cut at the hall does
        kiosk.wait_status("reconnecting")
        # The walk-in keeps typing while the hall is away.
        kiosk.client.send(p.FieldChanged(name="mobile", value="2", by="walk_in", masked=False))
        hall.start()
        assert kiosk.wait_status("live").helper_name == "lin.helper"
        helper.close()
        back = HelperSocket(hall.url, cookie_of(lin), session_id, last_seq=helper.last_seq)
        change = back.recv_until(p.FieldChanged)
        assert (change.name, change.value) == ("mobile", "2")
        back.send(p.Guidance(text="after the restart"))
        assert kiosk.next_message() == p.Guidance(text="after the restart")
        # Exactly once both ways: a further round trip brings nothing else.
        kiosk.client.send(p.Chat(sender="walk_in", text="marker"))
        assert back.recv() == p.Chat(sender="walk_in", text="marker")
        back.send(p.Chat(sender="helper", text="marker"))
        assert kiosk.next_message() == p.Chat(sender="helper", text="marker")
        assert kiosk.messages.empty()

        # The walk-in hangs up: the call and every frame of it leave the disk.
        kiosk.client.hang_up("walk_in_ended")
        assert back.recv_until(p.End) == p.End(reason="walk_in_ended")
        back.close()
        assert _rows(hall.db, "SELECT count(*) FROM assist_sessions") == [(0,)]
        assert _rows(hall.db, "SELECT count(*) FROM assist_frames") == [(0,)]
    finally:
        kiosk.close()


def test_a_revoke_leaves_no_value_on_disk(hall_process: HallProcess) -> None:
    hall = hall_process
    kiosk = RecordingKiosk(hall.url, station_identity(hall))
    try:
        _lin, helper = open_call(hall, kiosk)  # type: ignore[arg-type]
        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted)
        kiosk.client.send(
            p.FieldChanged(name="applicant_name", value="张三丰", by="walk_in", masked=False)
        )
        assert helper.recv_until(p.FieldChanged).value == "张三丰"
        on_disk = "SELECT frame FROM assist_frames UNION ALL SELECT form FROM assist_sessions"
        assert any("张三丰" in str(row[0]) for row in _rows(hall.db, on_disk))
        kiosk.client.revoke_consent()
        helper.recv_until(p.ConsentRevoked)
        helper.recv_until(p.FormSnapshot)
        assert not any("张三丰" in str(row[0]) for row in _rows(hall.db, on_disk))
        helper.close()
    finally:
        kiosk.close()


def test_sides_that_never_come_back_end_the_restored_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hall.assist as broker_module

    db = tmp_path / "hall.db"
    first = HallProcess(db, _free_port()).start()
    add_staff(first, "lin.helper")  # type: ignore[arg-type]
    kiosk = RecordingKiosk(first.url, station_identity(first))
    try:
        _lin, helper = open_call(first, kiosk)  # type: ignore[arg-type]
        helper.close()
    finally:
        kiosk.close()  # the kiosk goes for good (its client stops retrying)
    first.kill()
    assert _rows(db, "SELECT count(*) FROM assist_sessions") == [(1,)]

    monkeypatch.setattr(broker_module, "RESUME_WINDOW_S", 0.3)
    second = HallServer(db).start()  # in-process, so the short window applies
    try:
        deadline = time.monotonic() + WAIT_S
        while _rows(db, "SELECT count(*) FROM assist_sessions") != [(0,)]:
            assert time.monotonic() < deadline, "the restored call was never ended"
            time.sleep(0.05)
        assert _rows(db, "SELECT count(*) FROM assist_frames") == [(0,)]
    finally:
        second.stop()


def test_calls_survive_a_restart_on_either_database(hall_db: str) -> None:
    """The same write-through on SQLite and PostgreSQL (a graceful restart, in-process)."""
    from tests.hall.helpers import cheap_hasher

    port = _free_port()
    first = HallServer(hall_db, port=port, password_hasher=cheap_hasher()).start()
    add_staff(first, "lin.helper")
    kiosk = RecordingKiosk(first.url, station_identity(first))
    try:
        lin, helper = open_call(first, kiosk)
        session_id = kiosk.client.session_id
        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted)
        first.stop()
        kiosk.wait_status("reconnecting")
        helper.close()
        second = HallServer(hall_db, port=port, password_hasher=cheap_hasher()).start()
        try:
            assert kiosk.wait_status("live").helper_name == "lin.helper"
            back = HelperSocket(second.url, cookie_of(lin), session_id, last_seq=helper.last_seq)
            back.send(p.FieldProposed(name="mobile", value="13912345678"))
            assert kiosk.next_message() == p.FieldProposed(name="mobile", value="13912345678")
            kiosk.client.send(
                p.FieldChanged(name="mobile", value="13912345678", by="helper", masked=False)
            )
            # Consent survived the restart: the helper sees the value.
            assert back.recv_until(p.FieldChanged).value == "13912345678"
            back.close()
        finally:
            kiosk.close()
            second.stop()
    finally:
        kiosk.close()
        first.stop()
