"""Video for remote help: aiortc on the kiosk's assist client, Chromium's WebRTC in the console
(fake camera), signalled over the assist WebSocket through a real hall; both ends reach
"connected". The kiosk sends its camera's picture (the simulated document camera, scaled to
640 wide) and shows the helper's (Chromium's fake camera), frames arriving at the kiosk's sink.
Sound both ways: the kiosk's microphone is FFmpeg's tone generator (lavfi, a real FFmpeg input
device), its speaker ALSA's `file` plugin, so the helper's voice (Chromium's fake microphone
beeps) lands as PCM in a file the test reads.

aiortc leaves 127.0.0.1 out of its ICE candidates, so the test pins its host addresses to
loopback; this needs its own Chromium with the fake media-device flags.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from drivers.camera.simulator import SimulatedCamera
from hall.server import HallServer
from remote_assist import protocol as p
from remote_assist.client import AssistClient, Status
from remote_assist.media import SEND_WIDTH, SHOW_WIDTH, camera_frame_source
from tests.assist.harness import WAIT_S
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.hall.helpers import PASSWORD, add_staff, start_hall, station_identity

MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def media_page(browser: Browser) -> Iterator[Page]:
    """A second Chromium with the fake camera, from the session's Playwright (one per thread)."""
    media_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS + MEDIA_ARGS
    )
    try:
        context = media_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        assert errors == [], errors
    finally:
        media_browser.close()


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = start_hall(str(tmp_path / "hall.db"))
    add_staff(server, "lin.helper")
    try:
        yield server
    finally:
        server.stop()


def test_video_connects_on_both_ends_after_consent(
    media_page: Page, hall: HallServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path)
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])
    played = tmp_path / "speaker.raw"
    alsa_conf = tmp_path / "asound.conf"
    alsa_conf.write_text(
        f'pcm.qihang_test_speaker {{ type file slave.pcm "null" file "{played}" format "raw" }}\n'
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{alsa_conf}")
    statuses: queue.Queue[Status] = queue.Queue()
    media: queue.Queue[str] = queue.Queue()
    helper_frames: queue.Queue[tuple[int, int, bytes]] = queue.Queue()
    camera = SimulatedCamera(width=1280, height=720, scene="document", seed=3)
    kiosk = AssistClient(
        hall.url,
        "QH001",
        auth_headers=station_identity(hall, "QH001").headers,
        on_status=statuses.put,
        on_message=lambda m: None,
        on_media_state=media.put,
        frame_source=camera_frame_source(camera),
        on_remote_frame=lambda w, h, rgb: helper_frames.put((w, h, rgb)),
        microphone="lavfi:sine=frequency=440:sample_rate=48000",
        speaker="alsa:qihang_test_speaker",
    )
    page = media_page
    try:
        kiosk.request_help("svc")
        kiosk.send(
            p.FormSnapshot(
                service_id="svc", service_name="测试事项", masked=True, fields=[], materials=[]
            )
        )
        page.goto(hall.url + "/console/#/assist")
        page.fill("#login-name", "lin.helper")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.locator("tr.assist-request button.accept").click()
        expect(page.locator("#assist-status")).to_contain_text("等待群众授权")
        # No consent yet: no video (the hall also drops signalling; see tests/assist).
        expect(page.locator("#assist-video-start")).to_be_disabled()

        kiosk.grant_consent()
        expect(page.locator("#assist-video-start")).to_be_enabled()
        page.click("#assist-video-start")
        expect(page.locator("#assist-video-state")).to_have_attribute(
            "data-state", "connected", timeout=20_000
        )
        while (state := media.get(timeout=WAIT_S)) != "connected":
            assert state not in ("failed", "closed"), state
        # The kiosk's picture arrives in the browser.
        page.wait_for_function(
            "() => document.getElementById('assist-video-remote').videoWidth > 0"
        )
        # ... and it is the camera's picture (16:9, 640 wide), not the 320x240 test pattern.
        size = page.evaluate(
            "() => { const v = document.getElementById('assist-video-remote');"
            " return [v.videoWidth, v.videoHeight]; }"
        )
        assert size == [SEND_WIDTH, SEND_WIDTH * 720 // 1280], size
        # The helper's camera reaches the kiosk as scaled RGB frames with a real picture in them.
        width, height, rgb = helper_frames.get(timeout=WAIT_S)
        assert 0 < width <= SHOW_WIDTH and len(rgb) == width * height * 3
        assert len(set(rgb[::97])) > 8, "a flat frame: no picture decoded"
        # The walk-in's voice reaches the helper's browser ...
        expect(page.locator("#assist-audio-level")).to_have_attribute(
            "data-heard", "yes", timeout=20_000
        )
        # ... and the helper's reaches the kiosk's speaker (Chromium's fake microphone beeps).
        deadline = time.monotonic() + WAIT_S
        loudest = 0
        while time.monotonic() < deadline and loudest < 1000:
            samples = np.frombuffer(played.read_bytes() if played.exists() else b"", np.int16)
            loudest = int(np.abs(samples).max()) if samples.size else 0
            time.sleep(0.2)
        assert loudest >= 1000, f"the speaker got silence ({loudest})"
        page.screenshot(path=shots / "console_assist_video.png")
    finally:
        kiosk.close()
        camera.close()
