"""Two hall processes behind nginx with TLS on one PostgreSQL (issue 20): a kiosk files through
its real outbox sender, and a help call has its kiosk socket on one hall and its helper socket on
the other (pinned through the proxy's test header). The kiosk's hall — which also runs the call —
is killed mid-call: both ends resume on the other hall within 5 s, edits flow both ways again
with nothing lost or repeated, and the filing is on the hall exactly once."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from kiosk.device_identity import DeviceIdentity
from kiosk.hall_client import HallClient
from offline_queue.outbox import Attachment, Outbox
from offline_queue.sender import Sender
from remote_assist import protocol as p
from tests.assist.harness import WAIT_S, RecordingKiosk
from tests.hall.helpers import PASSWORD, add_staff, enrol_station
from tests.support.hall_cluster import PIN_HEADER, HallCluster

STATION = "QH-MI-1"
RESUME_S = 5.0  # the bound: a call resumes on the other instance within 5 s
FIELDS: list[p.SnapshotField] = [
    {"name": "company_name", "label": "企业名称", "value": "", "by": ""},
    {"name": "mobile", "label": "手机号", "value": "", "by": ""},
]


@pytest.fixture
def cluster(
    postgres: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HallCluster]:
    halls = HallCluster(tmp_path / "cluster", postgres.new_database(), log_level="INFO").start()
    # Every client here trusts the test CA only: requests, and Python's ssl (websockets).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(halls.ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(halls.ca_file))
    try:
        yield halls
    finally:
        halls.stop()


class Helper:
    """The console's helper socket, pinned to one hall, reconnecting and resuming like the
    console (resume with the last seq it holds; the hall replays the rest)."""

    def __init__(self, halls: HallCluster, cookie: str, session_id: str, pin: str) -> None:
        self._url = halls.url.replace("https://", "wss://") + "/api/v1/assist/helper"
        self._headers = {"Cookie": cookie, "Origin": halls.url, PIN_HEADER: pin}
        self._ssl = ssl.create_default_context(cafile=str(halls.ca_file))
        self.session_id, self.last_seq, self.out_seq = session_id, 0, 0
        self.ws: ClientConnection | None = None
        self.resumes = 0
        self.connect()

    def connect(self) -> None:
        if self.ws is not None:
            self.ws.close()
        ws = connect(self._url, additional_headers=self._headers, ssl=self._ssl, proxy=None)
        ws.__enter__()  # websockets wants a context; close() ends it
        ws.send(p.dump(p.Resume(session_id=self.session_id, last_seq=self.last_seq), 0))
        first = p.parse_envelope(ws.recv(timeout=WAIT_S))
        assert isinstance(first.message, p.Resumed), first
        self.out_seq = max(self.out_seq, first.message.last_seq)
        self.ws, self.resumes = ws, self.resumes + 1

    def recv(self, deadline: float) -> p.Message:
        """The next sequenced message not seen before; reconnects when the socket drops."""
        while True:
            assert time.monotonic() < deadline, "nothing arrived in time"
            try:
                assert self.ws is not None
                envelope = p.parse_envelope(
                    self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                )
            except (ConnectionClosed, OSError):
                self.reconnect(deadline)
                continue
            if 0 < envelope.seq <= self.last_seq or envelope.seq == 0:
                continue
            self.last_seq = envelope.seq
            return envelope.message

    def recv_until(self, kind: type[Any], deadline: float) -> Any:
        while not isinstance(msg := self.recv(deadline), kind):
            pass
        return msg

    def reconnect(self, deadline: float) -> None:
        while True:
            try:
                self.connect()
                return
            except (ConnectionClosed, OSError, AssertionError):
                assert time.monotonic() < deadline, "the helper could not resume"
                time.sleep(0.1)

    def send(self, msg: p.Message) -> None:
        self.out_seq += 1
        assert self.ws is not None
        self.ws.send(p.dump(msg, self.out_seq))

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


def _pinned_kiosk(halls: HallCluster, identity: DeviceIdentity, pin: str) -> RecordingKiosk:
    kiosk = RecordingKiosk(halls.url, identity)

    def headers(method: str, path: str, body: bytes = b"") -> dict[str, str]:
        return {**identity.headers(method, path, body), PIN_HEADER: pin}

    kiosk.client._auth_headers = headers  # the proxy's test hook: this socket goes to one hall
    return kiosk


def _login(halls: HallCluster, name: str, pin: str) -> requests.Session:
    session = requests.Session()
    session.headers[PIN_HEADER] = pin
    answer = session.post(
        halls.url + "/api/v1/auth/login", json={"name": name, "password": PASSWORD}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return session


def _typed(name: str, value: str) -> p.FieldChanged:
    return p.FieldChanged(name=name, value=value, by="walk_in", masked=False)


def _until(what: Any, deadline: float) -> Any:
    while True:
        found = what()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_two_halls_behind_tls_proxy_a_call_survives_its_hall(
    cluster: HallCluster, tmp_path: Path
) -> None:
    halls = cluster
    add_staff(halls, "lin.helper")  # type: ignore[arg-type]
    state_dir = tmp_path / "station"
    identity = enrol_station(halls, STATION, state_dir=state_dir)
    kiosk = _pinned_kiosk(halls, identity, "0")
    client = HallClient(halls.url, 5.0, auth=identity.requests_auth())
    outbox_path = state_dir / "outbox.sqlite3"
    outbox = Outbox(outbox_path, STATION)
    sender = Sender(outbox_path, STATION, client, backoff_base_s=0.05, backoff_cap_s=0.2)
    helper: Helper | None = None
    try:
        # --- the call: the kiosk's socket on hall 0, which runs it --------------------------------
        kiosk.client.request_help("company_startup_power")
        kiosk.wait_status("waiting")
        kiosk.client.send(
            p.FormSnapshot(
                service_id="company_startup_power", service_name="开办", masked=False,
                fields=FIELDS, materials=[],
            )
        )  # fmt: skip
        lin = _login(halls, "lin.helper", "1")  # the console on hall 1
        deadline = time.monotonic() + WAIT_S
        rows = _until(
            lambda: lin.get(halls.url + "/api/v1/assist/queue", timeout=5).json(), deadline
        )
        assert rows[0]["station_id"] == STATION and rows[0]["kiosk_connected"] is True
        session_id = rows[0]["session_id"]
        accepted = lin.post(f"{halls.url}/api/v1/assist/sessions/{session_id}/accept", timeout=5)
        assert accepted.status_code == 200, accepted.text  # forwarded to hall 0 and answered
        assert kiosk.wait_status("live").helper_name == "lin.helper"
        cookie = "; ".join(f"{k}={v}" for k, v in lin.cookies.items())
        helper = Helper(halls, cookie, session_id, "1")
        assert isinstance(helper.recv(time.monotonic() + WAIT_S), p.FormSnapshot)
        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted, time.monotonic() + WAIT_S)
        kiosk.client.send(
            p.FieldChanged(name="company_name", value="启航科技", by="walk_in", masked=False)
        )
        changed = helper.recv_until(p.FieldChanged, time.monotonic() + WAIT_S)
        assert changed.value == "启航科技"
        helper.send(p.FieldProposed(name="mobile", value="13800000000"))
        while not isinstance(proposed := kiosk.next_message(), p.FieldProposed):
            pass
        assert proposed.value == "13800000000"

        # --- a filing through the proxy (round robin), sent by the real outbox sender ------------
        photo = Attachment(bytes(range(256)) * 800, "image/jpeg")
        filed = outbox.enqueue("enterprise_demand", {"form": {"description": "多实例"}},
                               attachments=[photo])  # fmt: skip
        sender.start()

        # --- hall 0 dies mid-call -----------------------------------------------------------------
        halls.kill(0)
        killed = time.monotonic()
        resume_by = killed + RESUME_S
        kiosk.client.send(
            p.FieldChanged(
                name="company_name", value="启航科技有限公司", by="walk_in", masked=False
            )
        )
        again = helper.recv_until(p.FieldChanged, resume_by)
        assert again.value == "启航科技有限公司"
        helper.send(p.FieldProposed(name="company_name", value="启航"))
        got = kiosk.messages.get(timeout=max(0.1, resume_by - time.monotonic()))
        assert isinstance(got, p.FieldProposed) and got.value == "启航", got
        resumed_in = time.monotonic() - killed
        assert resumed_in < RESUME_S, resumed_in
        assert helper.resumes >= 2  # its hall took the call over and had it resume afresh
        assert kiosk.messages.empty()  # nothing replayed twice

        # --- the filing is on the hall exactly once -----------------------------------------------
        _until(lambda: sender.status().depth == 0, time.monotonic() + 20)
        engine = create_engine(halls.db_url)
        try:
            from hall.store import submissions

            with engine.connect() as conn:
                count = conn.execute(
                    select(func.count()).where(submissions.c.id == filed.id)
                ).scalar_one()
                total = conn.execute(select(func.count()).select_from(submissions)).scalar_one()
        finally:
            engine.dispose()
        assert (count, total) == (1, 1)
    finally:
        sender.stop()
        outbox.close()
        client.close()
        if helper is not None:
            helper.close()
        kiosk.close()
