"""Remote help on the kiosk (QML offscreen) against a real hall's broker, with a helper speaking
the protocol from Python: consent, helper-filled fields, highlight, chat, a photo request, the
walk-in's confirmation of a proposed submit, hang-up with the form intact, the wipe ending the
call, and the notice when the hall cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hall.server import HallServer
from hall.store import SubmissionStore
from kiosk.runtime import KioskRuntime
from remote_assist import protocol as p
from tests.assist.harness import HelperSocket, cookie_of
from tests.hall.helpers import add_staff, enrolled_runtime, login, start_hall
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.support.screenshots import demo_config
from tests.ui.conftest import Kiosk
from ui.app import KioskUi


def make_assist_kiosk(
    tmp_path: Path, hall_url: str, hall: HallServer, clock: FakeClock | None = None
) -> Kiosk | tuple[KioskUi, KioskRuntime]:
    """The kiosk, enrolled at ``hall`` (only an enrolled station can ask for help), talking to
    the hall at ``hall_url`` (the hall itself, a proxy in front of it, or nothing at all)."""
    config = demo_config(tmp_path / "kiosk", hall_url, "zh_CN", False)
    runtime = enrolled_runtime(config, hall, start_sender=True)
    return KioskUi(runtime, clock=clock or FakeClock()), runtime


@pytest.fixture
def assist_hall(tmp_path: Path) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"))
    add_staff(server, "lin.helper")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kiosk(qapp: object, tmp_path: Path, assist_hall: HallServer) -> Iterator[Kiosk]:
    clock = FakeClock()
    ui, runtime = make_assist_kiosk(tmp_path, assist_hall.url, assist_hall, clock)  # type: ignore[misc]
    try:
        yield Kiosk(ui, runtime, Robot(ui.window), clock, assist_hall)
    finally:
        ui.close()
        runtime.close()


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


def open_form_and_call(k: Kiosk) -> tuple[requests.Session, HelperSocket]:
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("service_company_startup_power")
    wait_screen(k, "Form")
    k.robot.click("getHelpButton")
    k.robot.wait_for("assistQueuePosition")
    return accept_first_call(k)


def accept_first_call(k: Kiosk) -> tuple[requests.Session, HelperSocket]:
    """A helper logs in and accepts the first call in the queue."""
    lin = login(k.hall, "lin.helper")
    rows: list[dict[str, str]] = []
    k.robot.wait_until(
        lambda: bool(
            rows.extend(lin.get(k.hall.url + "/api/v1/assist/queue", timeout=5).json()) or rows
        ),
        10,
    )
    session_id = rows[0]["session_id"]
    assert lin.post(f"{k.hall.url}/api/v1/assist/sessions/{session_id}/accept", timeout=5).ok
    return lin, HelperSocket(k.hall.url, cookie_of(lin), session_id)


def recv_in_qt(k: Kiosk, helper: HelperSocket, kind: type) -> object:
    """Receive on the helper socket while Qt keeps processing (the kiosk runs on this thread)."""
    found: list[object] = []

    def arrived() -> bool:
        try:
            msg = p.parse_envelope(helper.ws.recv(timeout=0.01))
        except TimeoutError:
            return False
        if msg.seq == 0 and isinstance(msg.message, kind):  # a control frame (frame_refused)
            found.append(msg.message)
        elif msg.seq > helper.last_seq:
            helper.last_seq = msg.seq
            if isinstance(msg.message, kind):
                found.append(msg.message)
        return bool(found)

    k.robot.wait_until(arrived, 10)
    return found[0]


def test_helper_fills_the_form_and_the_walk_in_confirms(kiosk: Kiosk) -> None:
    k = kiosk
    lin, helper = open_form_and_call(k)
    try:
        k.robot.wait_for("assistConsentButton")  # the helper joined: consent is asked
        masked = recv_in_qt(k, helper, p.FormSnapshot)
        assert masked.masked and all(f["value"] == "" for f in masked.fields)  # type: ignore[attr-defined]
        k.robot.click("assistConsentButton")
        recv_in_qt(k, helper, p.ConsentGranted)
        shared = recv_in_qt(k, helper, p.FormSnapshot)
        values = {f["name"]: f["value"] for f in shared.fields}  # type: ignore[attr-defined]
        assert values["applicant_name"] == "张三丰"

        for name, value in [
            ("mobile", "13912345678"),
            ("company_name", "启航科技有限公司"),
            ("enterprise_type", "llc"),
            ("registered_capital", "100"),
            ("business_address", "苏州88"),
            ("business_scope", "软件开发"),
            ("power_capacity_kw", "80"),
            ("power_start_date", "2026-12-15"),
        ]:
            helper.send(p.FieldProposed(name=name, value=value))
        rows = lambda: {r["name"]: r for r in k.ui.session.property("fields")}  # noqa: E731
        k.robot.wait_until(lambda: rows()["power_start_date"]["value"] == "2026-12-15")
        assert rows()["mobile"]["helperFilled"] is True
        assert rows()["applicant_name"]["helperFilled"] is False
        k.robot.wait_for("helperFilled_mobile")

        helper.send(p.HighlightField(name="business_scope"))
        k.robot.wait_for("highlight_business_scope")
        helper.send(p.Chat(sender="helper", text="请拍摄场地证明"))
        k.robot.wait_until(lambda: "帮办：请拍摄场地证明" in k.robot.texts())

        helper.send(p.CaptureRequested(material_id="premises_proof"))
        k.robot.click("assistTakePhotoButton")
        wait_screen(k, "Capture")
        k.robot.wait_until(lambda: k.ui.capture.property("hasCapture"), 15)
        k.robot.click("usePhotoButton")
        wait_screen(k, "Form")
        attached = recv_in_qt(k, helper, p.CaptureAttached)
        picture = lin.get(
            f"{k.hall.url}/api/v1/assist/sessions/{k.ui.assist._client.session_id}/captures/premises_proof",  # type: ignore[union-attr]
            timeout=5,
        )
        assert picture.status_code == 200 and picture.content[:2] == b"\xff\xd8"
        assert attached.material_id == "premises_proof"  # type: ignore[attr-defined]

        helper.send(p.SubmitProposed())
        k.robot.click("assistConfirmSubmitButton")
        confirmed = recv_in_qt(k, helper, p.SubmitConfirmed)
        assert isinstance(confirmed, p.SubmitConfirmed)
        wait_screen(k, "Receipt")
        sub_id = k.ui.flow.context.submission_id  # type: ignore[union-attr]
        k.robot.wait_until(
            lambda: requests.get(f"{k.hall.url}/api/v1/submissions/{sub_id}", timeout=2).ok, 15
        )
        body = requests.get(f"{k.hall.url}/api/v1/submissions/{sub_id}", timeout=2).json()
        assert body["status"] == "received"
        # The filing names the helper and the call they filled it in, and when the walk-in
        # confirmed (the hall's copy, as an officer's filing detail reads it).
        store = SubmissionStore(k.hall.db_path)
        try:
            filed = store.load(sub_id)
        finally:
            store.close()
        assert filed is not None
        assert filed.payload["assist"] == {
            "helper": "lin.helper",
            "session_id": k.ui.assist._client.session_id,  # type: ignore[union-attr]
        }
        assert "mobile" in filed.payload["helper_filled"]
        assert filed.payload["confirmed_at"].endswith("+00:00")
        k.robot.click("finishButton") if k.robot.visible_items(
            "finishButton"
        ) else k.ui.flow.finish()  # type: ignore[union-attr]
        # The session's wipe ends the call: the helper is told.
        end = recv_in_qt(k, helper, p.End)
        assert end == p.End(reason="session_over")  # type: ignore[comparison-overlap]
        assert k.ui.assist.property("phase") == "idle"
    finally:
        helper.close()


def test_hang_up_returns_to_the_form_intact(kiosk: Kiosk) -> None:
    k = kiosk
    _lin, helper = open_form_and_call(k)
    try:
        rows = lambda: {r["name"]: r for r in k.ui.session.property("fields")}  # noqa: E731
        before = {name: row["value"] for name, row in rows().items()}
        k.robot.click("assistDeclineConsentButton")
        # Declined consent: the helper's proposal is dropped at the broker (the helper is told)
        # and the form stays the walk-in's own.
        helper.send(p.FieldProposed(name="mobile", value="13912345678"))
        refused = recv_in_qt(k, helper, p.FrameRefused)
        assert refused == p.FrameRefused(refused="field_proposed", reason="NO_CONSENT")  # type: ignore[comparison-overlap]
        k.robot.click("assistHangUpButton")
        assert recv_in_qt(k, helper, p.End) == p.End(reason="walk_in_ended")
        assert k.ui.session.property("screen") == "Form"
        assert {name: row["value"] for name, row in rows().items()} == before
        assert rows()["mobile"]["value"] == ""
        assert not k.robot.visible_items("assistBar")
    finally:
        helper.close()


def test_hall_unreachable_offers_to_continue_alone(qapp: object, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    hall = start_hall(str(tmp_path / "hall.db"))  # where the station enrolled; then it is gone
    try:
        made = make_assist_kiosk(tmp_path, f"http://127.0.0.1:{port}", hall)
    finally:
        hall.stop()
    ui, runtime = made  # type: ignore[misc]
    robot = Robot(ui.window)
    try:
        robot.click("startButton")
        robot.wait_until(lambda: ui.session.property("screen") == "ServiceHome", 10)
        robot.click("getHelpButton")
        robot.wait_for("assistNoticeTitle", 10)
        assert (
            "暂时无法连接服务大厅" in "".join(robot.texts())
            or ui.assist.property("notice") == "unreachable"
        )
        robot.click("assistContinueAloneButton")
        robot.wait_until(lambda: not robot.visible_items("assistOverlay"))
        assert ui.session.property("screen") == "ServiceHome"
    finally:
        ui.close()
        runtime.close()


def test_a_network_blip_resumes_the_call_with_the_form_intact(
    qapp: object, tmp_path: Path, assist_hall: HallServer
) -> None:
    from tests.assist.proxy import TcpProxy

    proxy = TcpProxy(int(assist_hall.url.rsplit(":", 1)[1]))
    ui, runtime = make_assist_kiosk(tmp_path, proxy.url, assist_hall)  # type: ignore[misc]
    k = Kiosk(ui, runtime, Robot(ui.window), FakeClock(), assist_hall)
    # The helper talks to the hall directly; only the kiosk's network blips.
    try:
        _lin, helper = open_form_and_call(k)
        k.robot.click("assistConsentButton")
        recv_in_qt(k, helper, p.ConsentGranted)
        rows = lambda: {r["name"]: r for r in k.ui.session.property("fields")}  # noqa: E731
        helper.send(p.FieldProposed(name="mobile", value="139"))
        k.robot.wait_until(lambda: rows()["mobile"]["value"] == "139")

        proxy.cut()
        k.robot.wait_until(lambda: k.ui.assist.property("phase") == "reconnecting", 10)
        assert "正在重新连接帮办人员…" in k.robot.texts()
        helper.send(p.FieldProposed(name="mobile", value="13912345678"))
        k.ui.flow.set_field("company_name", "启航科技有限公司")  # type: ignore[union-attr]
        proxy.restore()
        k.robot.wait_until(lambda: k.ui.assist.property("phase") == "live", 10)
        k.robot.wait_until(lambda: rows()["mobile"]["value"] == "13912345678", 10)
        change = recv_in_qt(k, helper, p.FieldChanged)
        while change.name != "company_name":  # type: ignore[attr-defined]
            change = recv_in_qt(k, helper, p.FieldChanged)
        assert change.value == "启航科技有限公司"  # type: ignore[attr-defined]
        assert rows()["applicant_name"]["value"] == "张三丰"
        assert rows()["mobile"]["helperFilled"] is True
        helper.close()
    finally:
        ui.close()
        runtime.close()
        proxy.close()


class _HelperPeer:
    """The helper's browser, played by aiortc on its own loop: sends an orange picture with a
    moving bar and records the size of the kiosk's picture."""

    def __init__(self) -> None:
        import asyncio
        import threading

        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.kiosk_sizes: list[tuple[int, int]] = []
        self.pc: object = None

    def run(self, coro: object) -> object:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(15)  # type: ignore[arg-type]

    async def offer(self) -> str:
        import numpy as np
        from aiortc import RTCPeerConnection
        from aiortc.mediastreams import VideoStreamTrack
        from av import VideoFrame

        class Orange(VideoStreamTrack):
            async def recv(self) -> VideoFrame:
                pts, time_base = await self.next_timestamp()
                image = np.zeros((480, 640, 3), np.uint8)
                image[:] = (240, 120, 20)
                image[:, (pts // 3000) % 600 : (pts // 3000) % 600 + 40] = 255
                frame = VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts, frame.time_base = pts, time_base
                return frame

        pc = RTCPeerConnection()
        self.pc = pc
        pc.addTransceiver(Orange(), direction="sendrecv")

        @pc.on("track")
        def track(incoming: object) -> None:
            async def read() -> None:
                while True:
                    frame = await incoming.recv()  # type: ignore[attr-defined]
                    self.kiosk_sizes.append((frame.width, frame.height))

            self.loop.create_task(read())

        await pc.setLocalDescription(await pc.createOffer())
        return str(pc.localDescription.sdp)

    async def answer(self, sdp: str) -> None:
        from aiortc import RTCSessionDescription

        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.pc is not None:
            self.run(self.pc.close())  # type: ignore[attr-defined]
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_helper_video_shows_on_the_kiosk_and_the_kiosk_camera_reaches_the_helper(
    kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aioice.ice

    from remote_assist.media import SEND_WIDTH

    # aiortc leaves loopback out of its candidates; on one machine loopback is all there is.
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    k = kiosk
    lin, helper = open_form_and_call(k)
    peer = _HelperPeer()
    try:
        k.robot.click("assistConsentButton")
        recv_in_qt(k, helper, p.ConsentGranted)
        helper.send(p.RtcOffer(sdp=peer.run(peer.offer())))  # type: ignore[arg-type]
        answer = recv_in_qt(k, helper, p.RtcAnswer)
        peer.run(peer.answer(answer.sdp))  # type: ignore[attr-defined]

        k.robot.wait_until(lambda: k.ui.assist.property("helperFrame") > 2, 20)
        assert k.ui.assist.property("videoState") == "connected"
        k.robot.wait_for("assistHelperPicture")
        picture = k.ui.assist.image_for("helper")
        assert picture.width() <= 480 and picture.height() == picture.width() * 3 // 4
        # The orange background survives the VP8 round trip.
        colour = picture.pixelColor(picture.width() // 2, 4)
        assert colour.red() > 180 and 80 < colour.green() < 160 and colour.blue() < 80, colour
        # The kiosk sends its (simulated) camera, scaled to 640 wide — not the 320x240 pattern.
        k.robot.wait_until(lambda: len(peer.kiosk_sizes) > 0, 20)
        assert peer.kiosk_sizes[-1][0] == SEND_WIDTH

        # Hanging up drops the picture from the screen and the bridge.
        k.robot.click("assistHangUpButton")
        k.robot.wait_until(lambda: k.ui.assist.property("helperFrame") == 0, 10)
        assert k.ui.assist.image_for("helper").isNull()
    finally:
        peer.close()
        helper.close()
        lin.close()


def test_waiting_for_or_talking_with_a_helper_is_not_idle(kiosk: Kiosk) -> None:
    """The idle countdown is held while a call waits or runs (bounded by assist.hold_timeout_s)
    and starts afresh when it ends; the wipe still comes for a walk-in who has gone."""
    k = kiosk
    limits = k.runtime.config.timeouts
    gone = limits.idle_s + limits.warning_s + 5  # long enough to wipe an idle session
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("service_company_startup_power")
    wait_screen(k, "Form")
    k.robot.click("getHelpButton")
    k.robot.wait_for("assistQueuePosition")  # waiting in the queue
    k.clock.advance(gone)
    assert k.ui.flow.tick().phase == "active"  # type: ignore[union-attr]
    assert k.ui.session.property("screen") == "Form"

    lin, helper = accept_first_call(k)
    try:
        k.robot.click("assistConsentButton")  # live with the helper
        recv_in_qt(k, helper, p.ConsentGranted)
        k.clock.advance(gone)
        assert k.ui.flow.tick().phase == "active"  # type: ignore[union-attr]
        k.robot.click("assistHangUpButton")
        assert recv_in_qt(k, helper, p.End) == p.End(reason="walk_in_ended")
    finally:
        helper.close()
        lin.close()
    # The call is over: the ordinary countdown runs from the hang-up.
    k.clock.advance(limits.idle_s + 1)
    k.robot.wait_until(lambda: k.robot.find("timeoutOverlay").isVisible())
    k.clock.advance(limits.warning_s)
    wait_screen(k, "Attract")
    assert k.ui.flow.context.is_empty()  # type: ignore[union-attr]


def test_the_hold_is_bounded(kiosk: Kiosk) -> None:
    """A walk-in who asked for help and left is still wiped once the hold runs out."""
    k = kiosk
    limits = k.runtime.config.timeouts
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.robot.click("service_company_startup_power")
    wait_screen(k, "Form")
    k.robot.click("getHelpButton")
    k.robot.wait_for("assistQueuePosition")
    k.clock.advance(k.runtime.config.assist.hold_timeout_s + limits.idle_s + 1)
    k.robot.wait_until(lambda: k.robot.find("timeoutOverlay").isVisible())
    k.clock.advance(limits.warning_s)
    wait_screen(k, "Attract")
    assert k.ui.assist.property("phase") == "idle"
