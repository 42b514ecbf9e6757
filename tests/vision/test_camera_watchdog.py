"""Frozen frames, black frames and unplugging: detected within the configured time, recovered
when frames return. The OpenCV backend runs for real over `SimulatedCapture` (the simulated
V4L2 handle), stepped frame by frame on a fake clock: no sleeps, no wall-clock asserts."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera.opencv import OpenCVCamera
from drivers.camera.simulator import SimulatedCamera, SimulatedDevice
from drivers.camera.watchdog import FrameWatchdog
from drivers.errors import CameraFrozen, CameraUnavailable
from drivers.health import HealthLevel
from tests.support.clock import FakeClock

FPS = 30
WATCHDOG_MS = 500
RECONNECT_S = 0.2
FRAME_S = 1 / FPS


class Rig:
    """An OpenCVCamera on a simulated device, stepped one camera frame at a time."""

    def __init__(self, scene: str = "document") -> None:
        self.clock = FakeClock(monotonic=100.0)
        self.device = SimulatedDevice(320, 240, FPS, scene=scene)  # type: ignore[arg-type]
        self.opens = 0

        def open_capture(_device: object) -> object:
            self.opens += 1
            return self.device.open(paced=False)

        self.camera = OpenCVCamera(
            "/dev/v4l/by-id/usb-sim-video-index0",
            320,
            240,
            FPS,
            watchdog_ms=WATCHDOG_MS,
            reconnect_s=RECONNECT_S,
            open_capture=open_capture,  # type: ignore[arg-type]
            clock=self.clock.monotonic,
            start=False,
        )

    def step(self, frames: int = 1) -> None:
        for _ in range(frames):
            self.clock.advance(FRAME_S)
            self.camera.poll_once()

    def steps_until_down(self, limit: int = 200) -> tuple[int, str]:
        for n in range(1, limit + 1):
            self.step()
            health = self.camera.health()
            if health.level is HealthLevel.DOWN:
                return n, health.code
        raise AssertionError("never went down")

    def steps_until_ok(self, limit: int = 400) -> int:
        for n in range(1, limit + 1):
            self.step()
            if self.camera.health().level is HealthLevel.OK and self.camera._down is None:
                return n
        raise AssertionError("never recovered")


@pytest.fixture
def rig() -> Rig:
    made = Rig()
    made.step(5)  # open, then a few live frames
    assert made.camera.health().level is HealthLevel.OK
    return made


# Frames needed to span the watchdog's time: down on the first frame at or past it.
FRAMES_FOR_WATCHDOG = int(np.ceil(WATCHDOG_MS / 1000 / FRAME_S - 1e-9))


def test_frozen_frames_are_detected_on_time_and_recovered(rig: Rig) -> None:
    rig.device.freeze()
    steps, code = rig.steps_until_down()
    assert code == "CAMERA_FROZEN"
    # The last live frame came one step before the freeze took effect, so "identical for
    # WATCHDOG_MS" is reached within the watchdog's span of frames, give or take one frame.
    assert FRAMES_FOR_WATCHDOG - 1 <= steps <= FRAMES_FOR_WATCHDOG + 1
    with pytest.raises(CameraFrozen):
        rig.camera.capture_still(timeout_s=0)
    opens = rig.opens
    rig.step(int(RECONNECT_S / FRAME_S) + 2)
    assert rig.opens > opens  # the reconnect loop reopened the device...
    assert rig.camera.health().level is HealthLevel.DOWN  # ...and it is still frozen

    rig.device.resume()
    assert rig.steps_until_ok() <= int(10 * RECONNECT_S / FRAME_S) + 2
    frame = rig.camera.capture_still(timeout_s=0)
    assert (frame.width, frame.height) == (320, 240)


def test_black_frames_count_as_frozen(rig: Rig) -> None:
    rig.device.set_scene("black")
    steps, code = rig.steps_until_down()
    assert code == "CAMERA_FROZEN"
    assert steps <= FRAMES_FOR_WATCHDOG + 1
    rig.device.set_scene("document")
    rig.steps_until_ok()


def test_unplug_is_detected_at_once_and_replug_recovers(rig: Rig) -> None:
    rig.device.unplug()
    steps, code = rig.steps_until_down()
    assert (steps, code) == (1, "CAMERA_UNAVAILABLE")  # a failed read is a gone device
    with pytest.raises(CameraUnavailable) as caught:
        rig.camera.capture_still(timeout_s=0)
    assert caught.value.code == "CAMERA_UNAVAILABLE"
    opens = rig.opens
    rig.step(int(3 * RECONNECT_S / FRAME_S))
    assert rig.opens > opens  # kept trying while unplugged
    assert rig.camera.health().level is HealthLevel.DOWN

    rig.device.replug()
    rig.steps_until_ok()
    assert rig.camera.capture_still(timeout_s=0).width == 320


def test_reconnect_attempts_back_off() -> None:
    rig = Rig()
    rig.device.unplug()
    rig.step(int(30 / FRAME_S))  # 30 s unplugged
    # 0.2, 0.4, 0.8, 1.6 then every 2 s (10x reconnect_s): about 18 attempts, not 150.
    assert 10 <= rig.opens <= 20


def test_a_blocked_read_is_caught_by_the_clock(rig: Rig) -> None:
    # A driver stuck inside read() never returns to the worker; health() still notices.
    rig.clock.advance(WATCHDOG_MS / 1000 - 0.01)
    assert rig.camera.health().level is HealthLevel.OK
    rig.clock.advance(0.02)
    health = rig.camera.health()
    assert (health.level, health.code) == (HealthLevel.DOWN, "CAMERA_UNAVAILABLE")


def test_watchdog_rules() -> None:
    dog = FrameWatchdog(1.0)
    dog.reset(0.0)
    live = np.random.default_rng(0).integers(20, 200, (64, 64, 3), dtype=np.uint8)
    assert dog.observe(live, 0.1)
    assert not dog.observe(live.copy(), 0.2)  # identical
    assert dog.verdict(1.09).level is HealthLevel.OK
    assert dog.verdict(1.1).code == "CAMERA_FROZEN"
    assert not dog.observe(np.zeros_like(live), 1.2)  # black
    assert dog.verdict(1.5).code == "CAMERA_FROZEN"
    assert dog.observe(live[::-1].copy(), 1.6)
    assert dog.verdict(1.6).level is HealthLevel.OK
    assert dog.verdict(2.6).code == "CAMERA_UNAVAILABLE"  # nothing since 1.6


def test_simulated_camera_reports_frozen_frames() -> None:
    clock = FakeClock(monotonic=0.0)
    camera = SimulatedCamera(160, 120, watchdog_ms=200, clock=clock.monotonic)
    camera.capture_still()
    camera.freeze()
    with pytest.raises(CameraFrozen):
        for _ in range(10):
            clock.advance(0.05)
            camera.capture_still()
    assert camera.health().code == "CAMERA_FROZEN"
    camera.resume()
    camera.capture_still()
    assert camera.health().level is HealthLevel.OK
