"""The assist broker against a real hall on loopback: a kiosk client and helper sockets.

Queue, accept, masking before consent, relay both ways, audit without values, resume after a cut
socket, and the security edges (enrolled devices, logins, someone else's session, submit without the
walk-in).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from hall.server import HallServer
from remote_assist import protocol as p
from tests.assist.harness import WAIT_S, HelperSocket, RecordingKiosk, cookie_of, helper_url
from tests.assist.proxy import TcpProxy
from tests.hall.helpers import audit_rows, login, station_identity

FIELDS = [
    {"name": "applicant_name", "label": "姓名", "value": "王小明", "by": "walk_in"},
    {"name": "mobile", "label": "手机号", "value": "", "by": ""},
]


@pytest.fixture
def kiosk(hall: HallServer) -> Iterator[RecordingKiosk]:
    k = RecordingKiosk(hall.url, station_identity(hall))
    try:
        yield k
    finally:
        k.close()


def queued(hall: HallServer, helper: requests.Session) -> list[dict[str, object]]:
    response = helper.get(hall.url + "/api/v1/assist/queue", timeout=5)
    assert response.status_code == 200
    rows: list[dict[str, object]] = response.json()
    return rows


def open_call(hall: HallServer, kiosk: RecordingKiosk) -> tuple[requests.Session, HelperSocket]:
    """The walk-in asks, lin.helper accepts and joins; returns lin's HTTP session and socket."""
    kiosk.client.request_help("company_startup_power")
    kiosk.wait_status("waiting")
    kiosk.client.send(
        p.FormSnapshot(
            service_id="company_startup_power",
            service_name="开办",
            masked=False,
            fields=FIELDS,
            materials=[],
        )
    )
    lin = login(hall, "lin.helper")
    deadline = time.monotonic() + WAIT_S  # bounds a broken run; not a speed requirement
    rows = queued(hall, lin)
    while not rows and time.monotonic() < deadline:  # the request races the queue read
        rows = queued(hall, lin)
    assert rows, "the help request never reached the queue"
    assert rows[0]["station_id"] == "QH001"
    assert rows[0]["service_id"] == "company_startup_power"
    session_id = str(rows[0]["session_id"])
    assert lin.post(f"{hall.url}/api/v1/assist/sessions/{session_id}/accept", timeout=5).ok
    assert kiosk.wait_status("live").helper_name == "lin.helper"
    return lin, HelperSocket(hall.url, cookie_of(lin), session_id)


def test_values_masked_until_consent_then_relayed_and_audited(
    hall: HallServer, kiosk: RecordingKiosk
) -> None:
    lin, helper = open_call(hall, kiosk)
    try:
        snapshot = helper.recv_until(p.FormSnapshot)
        # The kiosk sent values, but before consent nothing personal may reach the helper.
        assert snapshot.masked and all(f["value"] == "" for f in snapshot.fields)
        assert [f["name"] for f in snapshot.fields] == ["applicant_name", "mobile"]
        kiosk.client.send(p.FieldChanged(name="mobile", value="139", by="walk_in", masked=False))
        change = helper.recv_until(p.FieldChanged)
        assert (change.value, change.masked) == ("", True)

        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted)
        kiosk.client.send(
            p.FormSnapshot(
                service_id="company_startup_power",
                service_name="开办",
                masked=False,
                fields=FIELDS,
                materials=[],
            )
        )
        snapshot = helper.recv_until(p.FormSnapshot)
        assert not snapshot.masked and snapshot.fields[0]["value"] == "王小明"

        helper.send(p.FieldProposed(name="mobile", value="13912345678"))
        assert kiosk.next_message() == p.FieldProposed(name="mobile", value="13912345678")
        helper.send(p.Chat(sender="helper", text="请核对"))
        assert kiosk.next_message() == p.Chat(sender="helper", text="请核对")
        kiosk.client.send(p.Chat(sender="walk_in", text="好的"))
        assert helper.recv_until(p.Chat) == p.Chat(sender="walk_in", text="好的")

        kiosk.client.revoke_consent()
        helper.recv_until(p.ConsentRevoked)
        snapshot = helper.recv_until(p.FormSnapshot)
        assert snapshot.masked and all(f["value"] == "" for f in snapshot.fields)
        # A helper that reloads its page after the revoke gets no value replayed either.
        helper.close()
        again = HelperSocket(hall.url, cookie_of(lin), kiosk.client.session_id)
        seen = []
        while True:
            msg = again.recv()
            seen.append(msg)
            if isinstance(msg, p.FormSnapshot) and len(seen) > 1:
                break
        for msg in seen:
            assert not (isinstance(msg, p.FormSnapshot | p.FieldChanged) and not msg.masked)
        again.send(p.End(reason="done"))
        kiosk.wait_status("ended", "helper_ended")
    finally:
        helper.close()
    rows = audit_rows(hall, subject_kind="assist_session")
    actions = [(actor, action, outcome) for actor, action, _, outcome in rows]
    assert ("lin.helper", "assist.accept", "ok") in actions
    assert ("lin.helper", "assist.field_proposed", "field=mobile") in actions
    assert ("lin.helper", "assist.end", "ok") in actions
    assert not any("139" in outcome or "请核对" in outcome for *_, outcome in rows)


def test_the_kiosk_needs_its_enrolled_device(hall: HallServer) -> None:
    enrolled = RecordingKiosk(hall.url, station_identity(hall))
    unsigned = RecordingKiosk(hall.url, None)  # no trust on first use: an unsigned kiosk waits
    try:
        unsigned.client.request_help("svc")
        assert unsigned.wait_status("unreachable").reason == "ASSIST_REFUSED"
        enrolled.client.request_help("svc")
        enrolled.wait_status("waiting")
    finally:
        for k in (enrolled, unsigned):
            k.close()


def test_hall_unreachable_is_reported(tmp_path: object) -> None:
    proxy = TcpProxy(1)  # nothing listens behind it: every connection is dropped
    proxy.cut()
    k = RecordingKiosk(proxy.url, None)
    try:
        k.client.request_help("svc")
        assert k.wait_status("unreachable").reason == "HALL_UNREACHABLE"
    finally:
        k.close()
        proxy.close()


def test_console_api_needs_a_login(hall: HallServer) -> None:
    for method, path in [
        ("GET", "/api/v1/assist/queue"),
        ("POST", "/api/v1/assist/sessions/x/accept"),
        ("GET", "/api/v1/assist/sessions/x/captures/id_front"),
    ]:
        assert requests.request(method, hall.url + path, timeout=5).status_code == 401
    with pytest.raises(InvalidStatus):
        connect(helper_url(hall.url), proxy=None, open_timeout=WAIT_S)


def test_a_helper_cannot_touch_a_session_they_did_not_accept(
    hall: HallServer, kiosk: RecordingKiosk
) -> None:
    lin, helper = open_call(hall, kiosk)
    session_id = kiosk.client.session_id
    wang = login(hall, "wang.helper")
    try:
        assert (
            wang.post(
                f"{hall.url}/api/v1/assist/sessions/{session_id}/accept", timeout=5
            ).status_code
            == 409
        )
        assert (
            wang.get(
                f"{hall.url}/api/v1/assist/sessions/{session_id}/captures/id_front", timeout=5
            ).status_code
            == 404
        )
        with connect(
            helper_url(hall.url), additional_headers={"Cookie": cookie_of(wang)}, proxy=None
        ) as ws:
            ws.send(p.dump(p.Resume(session_id=session_id, last_seq=0), 0))
            with pytest.raises(ConnectionClosed):  # closed by the broker, nothing relayed
                while True:
                    p.parse(ws.recv(timeout=WAIT_S))
            assert ws.close_code == 4404
        # A page elsewhere cannot ride on lin's cookie.
        with pytest.raises(InvalidStatus):
            connect(
                helper_url(hall.url),
                additional_headers={"Cookie": cookie_of(lin), "Origin": "http://evil.test"},
                proxy=None,
            )
    finally:
        helper.close()
    assert ("wang.helper", "assist.join", session_id, "refused") in audit_rows(hall)


def test_a_helper_cannot_submit_or_consent_for_the_walk_in(
    hall: HallServer, kiosk: RecordingKiosk
) -> None:
    _lin, helper = open_call(hall, kiosk)
    try:
        helper.send(p.SubmitConfirmed(tracking_number=""))
        helper.send(p.ConsentGranted())
        helper.send(p.RtcOffer(sdp="v=0"))  # video shows the walk-in: not before consent
        helper.send(p.SubmitProposed())  # nor a submit proposal (tests/assist/test_consent_gate)
        # The broker has judged all four before the walk-in consents (sockets race otherwise).
        refusal: p.Message | None = None
        while not (isinstance(refusal, p.FrameRefused) and refusal.refused == "submit_proposed"):
            refusal = helper.recv_envelope().message  # control frames: not via recv()
        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted)
        helper.send(p.SubmitProposed())
        # Only the proposal after consent reaches the kiosk: the rest was dropped at the broker.
        assert kiosk.next_message() == p.SubmitProposed()
        assert kiosk.messages.empty()
    finally:
        helper.close()
    actions = {(action, outcome) for _, action, _, outcome in audit_rows(hall)}
    assert ("assist.submit_confirmed", "refused") in actions
    assert ("assist.consent_granted", "refused") in actions
    assert ("assist.rtc_offer", "refused:no_consent") in actions
    assert ("assist.submit_proposed", "refused:no_consent") in actions


def test_a_cut_socket_resumes_with_no_lost_or_duplicated_edits(hall: HallServer) -> None:
    proxy = TcpProxy(int(hall.url.rsplit(":", 1)[1]))
    kiosk = RecordingKiosk(proxy.url, station_identity(hall))
    try:
        _lin, helper = open_call(hall, kiosk)
        kiosk.client.grant_consent()
        helper.recv_until(p.ConsentGranted)
        helper.send(p.FieldProposed(name="mobile", value="1"))
        assert kiosk.next_message() == p.FieldProposed(name="mobile", value="1")

        proxy.cut()
        kiosk.wait_status("reconnecting")
        # Both sides keep working while the kiosk is away.
        helper.send(p.FieldProposed(name="mobile", value="2"))
        kiosk.client.send(
            p.FieldChanged(name="applicant_name", value="王", by="walk_in", masked=False)
        )
        proxy.restore()
        assert kiosk.next_message() == p.FieldProposed(name="mobile", value="2")
        assert helper.recv_until(p.FieldChanged).value == "王"
        assert proxy.connections >= 2
        # Exactly once: nothing else arrives for either side after a further round trip.
        helper.send(p.Guidance(text="marker"))
        assert kiosk.next_message() == p.Guidance(text="marker")
        kiosk.client.send(p.Chat(sender="walk_in", text="marker"))
        assert helper.recv() == p.Chat(sender="walk_in", text="marker")
        assert kiosk.messages.empty()
        helper.close()
    finally:
        kiosk.close()
        proxy.close()


def test_helper_gone_tells_the_walk_in(
    hall: HallServer, kiosk: RecordingKiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hall.assist as broker_module

    monkeypatch.setattr(broker_module, "RESUME_WINDOW_S", 0.2)
    _lin, helper = open_call(hall, kiosk)
    helper.close()
    assert kiosk.wait_status("ended").reason == "helper_lost"
    # The walk-in can ask again: a new call joins the queue.
    kiosk.client.request_help("company_startup_power")
    kiosk.wait_status("waiting")


def test_the_broker_masks_values_even_if_a_kiosk_sends_them_before_consent(
    hall: HallServer,
) -> None:
    # A raw kiosk socket, without the client's own masking: the broker must mask on its own.
    url = hall.url.replace("http://", "ws://") + "/api/v1/assist/kiosk?station_id=RAW-1"
    signed = station_identity(hall, "RAW-1").headers("GET", "/" + url.split("/", 3)[3])
    with connect(url, additional_headers=signed, proxy=None) as ws:
        ws.send(p.dump(p.HelpRequested(station_id="RAW-1", service_id="svc"), 1))
        opened = p.parse(ws.recv(timeout=WAIT_S))
        assert isinstance(opened, p.SessionOpened)
        ws.send(
            p.dump(
                p.FormSnapshot(
                    service_id="svc", service_name="", masked=False, fields=FIELDS, materials=[]
                ),
                2,
            )
        )
        ws.send(p.dump(p.FieldChanged(name="mobile", value="139", by="walk_in", masked=False), 3))
        lin = login(hall, "lin.helper")
        assert lin.post(
            f"{hall.url}/api/v1/assist/sessions/{opened.session_id}/accept", timeout=5
        ).ok
        helper = HelperSocket(hall.url, cookie_of(lin), opened.session_id)
        try:
            seen = [helper.recv() for _ in range(3)]
            assert all(isinstance(m, p.FormSnapshot | p.FieldChanged) for m in seen)
            assert all(m.masked for m in seen)  # type: ignore[union-attr]
            assert "王小明" not in repr(seen) and "139" not in repr(seen)
        finally:
            helper.close()
