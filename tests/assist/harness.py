"""Test harness for remote assist: a kiosk-side client recording what it gets, and a helper
socket speaking the protocol the way the console does."""

from __future__ import annotations

import contextlib
import json
import queue
from typing import Any

import requests
from websockets.sync.client import ClientConnection, connect

from hall.auth import COOKIE_NAME
from kiosk.device_identity import DeviceIdentity
from remote_assist import protocol as p
from remote_assist.client import AssistClient, Status

WAIT_S = 10.0  # bounds how long a broken test takes to fail; never a speed requirement


class RecordingKiosk:
    """An AssistClient whose callbacks land in queues the test reads from."""

    def __init__(self, hall_url: str, identity: DeviceIdentity | None) -> None:
        """``identity``: the station's enrolled device (None: a kiosk that cannot sign)."""
        self.statuses: queue.Queue[Status] = queue.Queue()
        self.messages: queue.Queue[p.Message] = queue.Queue()
        self.client = AssistClient(
            hall_url,
            "QH001" if identity is None else identity.credential.station_id,
            auth_headers=None if identity is None else identity.headers,
            on_status=self.statuses.put,
            on_message=self.messages.put,
            open_timeout_s=2,
        )

    def wait_status(self, phase: str, reason: str | None = None) -> Status:
        while True:
            status = self.statuses.get(timeout=WAIT_S)
            if status.phase == phase and (reason is None or status.reason == reason):
                return status

    def next_message(self) -> p.Message:
        return self.messages.get(timeout=WAIT_S)

    def close(self) -> None:
        self.client.close()


def cookie_of(session: requests.Session) -> str:
    return str(session.headers["Cookie"])


class HelperSocket:
    """A helper's live-session socket with the console's sequencing."""

    def __init__(self, hall_url: str, cookie: str, session_id: str, last_seq: int = 0) -> None:
        url = hall_url.replace("http://", "ws://") + "/api/v1/assist/helper"
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(
                url,
                additional_headers={"Cookie": cookie, "Origin": hall_url},
                proxy=None,
                open_timeout=WAIT_S,
            )
        )
        self.out_seq = 0
        self.last_seq = last_seq
        self.ws.send(p.dump(p.Resume(session_id=session_id, last_seq=last_seq), 0))
        first = self.recv_envelope()
        assert isinstance(first.message, p.Resumed), first
        self.out_seq = first.message.last_seq

    def recv_envelope(self) -> p.Envelope:
        return p.parse_envelope(self.ws.recv(timeout=WAIT_S))

    def recv(self) -> p.Message:
        """The next sequenced message not already seen (as the console dedupes)."""
        while True:
            envelope = self.recv_envelope()
            if envelope.seq == 0:
                continue
            if envelope.seq <= self.last_seq:
                continue
            self.last_seq = envelope.seq
            return envelope.message

    def recv_until(self, kind: type[Any]) -> Any:
        while True:
            msg = self.recv()
            if isinstance(msg, kind):
                return msg

    def send(self, msg: p.Message) -> None:
        self.out_seq += 1
        self.ws.send(p.dump(msg, self.out_seq))

    def send_raw(self, data: dict[str, Any]) -> None:
        self.ws.send(json.dumps(data))

    def close(self) -> None:
        self._stack.close()


def helper_url(hall_url: str) -> str:
    return hall_url.replace("http://", "ws://") + "/api/v1/assist/helper"


def cookie_header(token: str) -> str:
    return f"{COOKIE_NAME}={token}"
