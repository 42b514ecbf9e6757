"""An enrolled station for the assist security tests: a real hall whose fake clock the test
holds, a device enrolled through the real code exchange, a raw kiosk socket signed by that
device (no client-side masking or filtering: what arrives is exactly what the broker relays), and
a helper who accepted the call."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.sync.client import ClientConnection, connect

from hall.enrolment import EnrolmentStore
from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.device_identity import DeviceIdentity, load_identity
from kiosk.provision import provision
from remote_assist import protocol as p
from remote_assist.client import ws_url
from tests.assist.harness import WAIT_S, HelperSocket, cookie_of
from tests.hall.helpers import START, add_staff, login, start_hall
from tests.support.clock import FakeClock

STATION = "QH-SEC-1"
FIELDS: list[p.SnapshotField] = [
    {"name": "applicant_name", "label": "姓名", "value": "王小明", "by": "walk_in"},
    {"name": "mobile", "label": "手机号", "value": "", "by": ""},
]
MATERIALS: list[p.SnapshotMaterial] = [{"id": "id_front", "label": "身份证正面", "captured": ""}]


@dataclass
class Station:
    hall: HallServer
    clock: FakeClock
    identity: DeviceIdentity


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    clock = FakeClock(START)
    server = start_hall(str(tmp_path / "hall.db"), clock)
    add_staff(server, "lin.helper")
    try:
        store = SubmissionStore(server.db_path)
        try:
            code = EnrolmentStore(store.engine, clock).create_code(STATION, "test").code
        finally:
            store.close()
        provision(tmp_path / "kiosk", server.url, code)
        identity = load_identity(tmp_path / "kiosk", clock=clock)
        assert identity is not None
        yield Station(server, clock, identity)
    finally:
        server.stop()


class RawKiosk:
    """The kiosk's socket spoken by hand, signed by the enrolled device."""

    def __init__(self, station: Station) -> None:
        url = ws_url(station.hall.url, STATION)
        path = "/" + url.split("/", 3)[3]
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(
                url,
                additional_headers=station.identity.headers("GET", path),
                proxy=None,
                open_timeout=WAIT_S,
            )
        )
        self.seq = 0

    def send(self, msg: p.Message) -> None:
        self.seq += 1
        self.ws.send(p.dump(msg, self.seq))

    def recv(self) -> p.Message:
        return p.parse(self.ws.recv(timeout=WAIT_S))

    def until(self, kind: type[Any]) -> list[p.Message]:
        """Every frame (control frames too) up to and including the first ``kind``."""
        seen = [self.recv()]
        while not isinstance(seen[-1], kind):
            seen.append(self.recv())
        return seen

    def close(self) -> None:
        self._stack.close()


def helper_frames_until(helper: HelperSocket, kind: type[Any]) -> list[p.Message]:
    """Every frame the helper gets (control frames such as ``frame_refused`` too) up to ``kind``."""
    seen = [helper.recv_envelope().message]
    while not isinstance(seen[-1], kind):
        seen.append(helper.recv_envelope().message)
    return seen


@dataclass
class Call:
    kiosk: RawKiosk
    lin: requests.Session  # the helper's logged-in HTTP session
    helper: HelperSocket
    session_id: str


def open_call(station: Station) -> Call:
    """The raw kiosk asks for help with a form; lin.helper accepts and joins."""
    kiosk = RawKiosk(station)
    kiosk.send(p.HelpRequested(station_id=STATION, service_id="company_startup_power"))
    opened = kiosk.until(p.SessionOpened)[-1]
    assert isinstance(opened, p.SessionOpened)
    kiosk.send(
        p.FormSnapshot(
            service_id="company_startup_power",
            service_name="开办",
            masked=False,
            fields=FIELDS,
            materials=MATERIALS,
        )
    )
    lin = login(station.hall, "lin.helper")
    url = f"{station.hall.url}/api/v1/assist/sessions/{opened.session_id}/accept"
    deadline = time.monotonic() + WAIT_S  # the snapshot races the accept; bounds a broken run
    while not lin.post(url, timeout=5).ok:
        assert time.monotonic() < deadline, "the help request never reached the queue"
        time.sleep(0.05)
    helper = HelperSocket(station.hall.url, cookie_of(lin), opened.session_id)
    kiosk.until(p.HelperJoined)
    helper.recv_until(p.FormSnapshot)
    return Call(kiosk, lin, helper, opened.session_id)
