"""Issue 14, finding 8: nothing the helper does touches the walk-in's form before they consent.

From both sides: a helper on a real hall sends proposals, a submit proposal and a photo request
before consent (and again after a revoke): the broker drops them, answers ``frame_refused`` and
audits the refusal, and a raw kiosk socket never receives them. And the kiosk's own client, fed
those frames by a small broker of its own speaking the real protocol, hands none of them to the
screen until the walk-in consents (nor after they take consent back).
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Iterator

import pytest
from websockets.sync.server import Server, ServerConnection, serve

from remote_assist import protocol as p
from remote_assist.client import AssistClient, Status
from tests.assist.enrolled import Station, helper_frames_until, open_call, station
from tests.assist.harness import WAIT_S
from tests.hall.helpers import audit_rows

__all__ = ["station"]  # the fixture, imported for pytest

HELPER_ACTIONS: list[p.Message] = [
    p.FieldProposed(name="mobile", value="13912345678"),
    p.SubmitProposed(),
    p.CaptureRequested(material_id="id_front"),
]


def refusals(frames: list[p.Message]) -> list[tuple[str, str]]:
    return [(m.refused, m.reason) for m in frames if isinstance(m, p.FrameRefused)]


def test_helper_actions_before_consent_are_dropped_at_the_broker(station: Station) -> None:
    call = open_call(station)
    kiosk, helper = call.kiosk, call.helper
    try:
        for msg in HELPER_ACTIONS:
            helper.send(msg)
        helper.send(p.Guidance(text="before consent"))
        refused = refusals(helper_frames_until(helper, p.FrameRefused))
        refused += refusals(helper_frames_until(helper, p.FrameRefused))
        refused += refusals(helper_frames_until(helper, p.FrameRefused))
        assert refused == [(m.TYPE, "NO_CONSENT") for m in HELPER_ACTIONS]
        # The guidance went through; nothing that would act on the form came before it.
        before = kiosk.until(p.Guidance)
        assert not [m for m in before if m.TYPE in p.NEEDS_CONSENT], before

        kiosk.send(p.ConsentGranted())
        helper.recv_until(p.ConsentGranted)
        helper.send(HELPER_ACTIONS[0])
        assert kiosk.until(p.FieldProposed)[-1] == HELPER_ACTIONS[0]

        kiosk.send(p.ConsentRevoked())
        helper.recv_until(p.ConsentRevoked)
        for msg in HELPER_ACTIONS:
            helper.send(msg)
        helper.send(p.Guidance(text="after revoke"))
        after = kiosk.until(p.Guidance)
        assert not [m for m in after if m.TYPE in p.NEEDS_CONSENT], after
        assert refusals(helper_frames_until(helper, p.FrameRefused)) == [
            ("field_proposed", "NO_CONSENT")
        ]
    finally:
        helper.close()
        kiosk.close()
    outcomes = [(action, outcome) for _, action, _, outcome in audit_rows(station.hall)]
    assert outcomes.count(("assist.field_proposed", "refused:no_consent")) == 2
    assert ("assist.submit_proposed", "refused:no_consent") in outcomes
    assert ("assist.capture_requested", "refused:no_consent") in outcomes
    assert ("assist.field_proposed", "field=mobile") in outcomes  # the one after consent


# --- the kiosk's side, against a broker that relays everything ---------------------------------


class CarelessBroker:
    """A kiosk socket on loopback that sends whatever the helper would, consent or not: the
    kiosk's client must hold the line by itself."""

    def __init__(self) -> None:
        self.received: queue.Queue[p.Message] = queue.Queue()
        self.outbox: queue.Queue[p.Message | None] = queue.Queue()
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _handle(self, ws: ServerConnection) -> None:
        seq = itertools.count(1)
        first = p.parse(ws.recv(timeout=WAIT_S))
        assert isinstance(first, p.HelpRequested)
        ws.send(p.dump(p.SessionOpened(session_id="careless-1"), 0))
        ws.send(p.dump(p.HelperJoined(helper_name="lin.helper"), next(seq)))

        def reader() -> None:
            for frame in ws:
                self.received.put(p.parse(frame))

        threading.Thread(target=reader, daemon=True).start()
        while (msg := self.outbox.get(timeout=WAIT_S * 3)) is not None:
            ws.send(p.dump(msg, next(seq)))
        ws.close()

    def wait_for(self, kind: type[p.Message]) -> None:
        while not isinstance(self.received.get(timeout=WAIT_S), kind):
            pass

    def relay(self, *messages: p.Message) -> None:
        for msg in messages:
            self.outbox.put(msg)

    def close(self) -> None:
        self.outbox.put(None)
        self._server.shutdown()
        self._thread.join(timeout=WAIT_S)


@pytest.fixture
def careless() -> Iterator[CarelessBroker]:
    broker = CarelessBroker()
    try:
        yield broker
    finally:
        broker.close()


def test_the_kiosk_ignores_helper_actions_before_consent(careless: CarelessBroker) -> None:
    statuses: queue.Queue[Status] = queue.Queue()
    shown: queue.Queue[p.Message] = queue.Queue()
    client = AssistClient(
        careless.url,
        "QH-SEC-1",
        on_status=statuses.put,
        on_message=shown.put,
        open_timeout_s=2,
        auth_headers=lambda method, path: {},  # this broker asks for no credential
    )
    try:
        client.request_help("company_startup_power")
        while statuses.get(timeout=WAIT_S).phase != "live":
            pass
        careless.relay(*HELPER_ACTIONS, p.Guidance(text="before consent"))
        # Frames are applied in order: had any action got through, it would come first.
        assert shown.get(timeout=WAIT_S) == p.Guidance(text="before consent")

        client.grant_consent()
        careless.wait_for(p.ConsentGranted)
        careless.relay(HELPER_ACTIONS[0], p.Guidance(text="after consent"))
        assert shown.get(timeout=WAIT_S) == HELPER_ACTIONS[0]
        assert shown.get(timeout=WAIT_S) == p.Guidance(text="after consent")

        client.revoke_consent()
        careless.wait_for(p.ConsentRevoked)
        careless.relay(*HELPER_ACTIONS, p.Guidance(text="after revoke"))
        assert shown.get(timeout=WAIT_S) == p.Guidance(text="after revoke")
        assert shown.empty()
    finally:
        client.close()
