"""Contract tests for the Camera role, run against every backend present.

A rig pairs a camera with the way a test unplugs and replugs it for that backend. The OpenCV
backend runs its real worker thread over `SimulatedCapture`, the simulated V4L2 handle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from drivers import registry
from drivers.camera.base import Camera
from drivers.camera.opencv import OpenCVCamera
from drivers.camera.simulator import DESK_GREY, SimulatedCamera, SimulatedDevice
from drivers.errors import CameraUnavailable
from drivers.health import HealthLevel


@dataclass
class CameraRig:
    camera: Camera
    width: int
    height: int
    unplug: Callable[[], None]
    replug: Callable[[], None]


def _simulator_rig() -> CameraRig:
    camera = SimulatedCamera(width=320, height=240, fps=15)
    return CameraRig(camera, 320, 240, camera.unplug, camera.replug)


def _wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Wait for a worker thread to get somewhere (a bound on waiting, not a timing assert)."""
    done = threading.Event()
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        done.wait(0.01)


def _opencv_rig() -> CameraRig:
    device = SimulatedDevice(320, 240, fps=60)
    camera = OpenCVCamera(
        "/dev/v4l/by-id/usb-sim-video-index0",
        320,
        240,
        60,
        watchdog_ms=1000,
        reconnect_s=0.05,
        open_capture=lambda _device: device.open(),
    )

    def unplug() -> None:
        device.unplug()
        _wait_until(lambda: camera.health().level is HealthLevel.DOWN)

    def replug() -> None:
        device.replug()
        _wait_until(lambda: camera.health().level is HealthLevel.OK and camera._down is None)

    return CameraRig(camera, 320, 240, unplug, replug)


RIGS: dict[str, Callable[[], CameraRig]] = {"simulator": _simulator_rig, "opencv": _opencv_rig}


@pytest.fixture(params=sorted(RIGS))
def rig(request: pytest.FixtureRequest) -> Iterator[CameraRig]:
    made = RIGS[request.param]()
    yield made
    made.camera.close()


# -- contract ---------------------------------------------------------------------------------


def test_is_a_camera(rig: CameraRig) -> None:
    assert isinstance(rig.camera, Camera)
    assert rig.camera.health().level is HealthLevel.OK


def test_frames_are_rgb888_of_the_configured_size(rig: CameraRig) -> None:
    frame = rig.camera.capture_still()
    assert (frame.width, frame.height) == (rig.width, rig.height)
    assert len(frame.data) == rig.width * rig.height * 3


def test_frames_come_in_sequence(rig: CameraRig) -> None:
    first = rig.camera.capture_still()
    second = rig.camera.capture_still()
    assert second.sequence > first.sequence


def test_unplugged_camera_is_unavailable_and_recovers(rig: CameraRig) -> None:
    rig.unplug()
    with pytest.raises(CameraUnavailable) as caught:
        rig.camera.capture_still()
    assert caught.value.code == "CAMERA_UNAVAILABLE"
    health = rig.camera.health()
    assert health.level is HealthLevel.DOWN
    assert health.code == "CAMERA_UNAVAILABLE"

    rig.replug()
    assert rig.camera.health().level is HealthLevel.OK
    assert len(rig.camera.capture_still().data) == rig.width * rig.height * 3


def test_closed_camera_is_unavailable(rig: CameraRig) -> None:
    rig.camera.close()
    with pytest.raises(CameraUnavailable):
        rig.camera.capture_still()
    assert rig.camera.health().level is HealthLevel.DOWN


# -- the simulator ----------------------------------------------------------------------------


def test_simulator_defaults_to_720p() -> None:
    camera = registry.build_camera("simulator", {})
    try:
        frame = camera.capture_still()
    finally:
        camera.close()
    assert (frame.width, frame.height) == (1280, 720)


def test_simulator_shows_a_white_page_on_a_grey_desk() -> None:
    camera = SimulatedCamera(width=640, height=360)
    frame = camera.capture_still()
    camera.close()

    def pixel(x: int, y: int) -> tuple[int, ...]:
        offset = (y * frame.width + x) * 3
        return tuple(frame.data[offset : offset + 3])

    # The simulated sensor adds +-2 of noise to every pixel.
    assert all(
        abs(a - b) <= 2
        for a, b in zip(pixel(frame.width - 1, frame.height - 1), DESK_GREY, strict=True)
    )
    # Mid-width, just below the page's top edge (above the first text line): paper white.
    assert min(pixel(frame.width // 2, frame.height // 10 + 4)) > 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": 0}, "width"),
        ({"height": "720"}, "height"),
        ({"fps": 0}, "fps"),
        ({"exposure": 3}, "exposure"),
        ({"scene": "beach"}, "scene"),
        ({"seed": "7"}, "seed"),
        ({"watchdog_ms": 0}, "watchdog_ms"),
    ],
)
def test_simulator_rejects_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimulatedCamera.from_options(options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"device": "/tmp/video0"}, "device"),
        ({"device": True}, "device"),
        ({"width": 8}, "width"),
        ({"fps": 0}, "fps"),
        ({"fourcc": "MJPEG"}, "fourcc"),
        ({"focus": 1}, "focus"),
    ],
)
def test_opencv_backend_rejects_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OpenCVCamera.from_options(options)


def test_opencv_backend_is_registered() -> None:
    assert registry.CAMERA_BACKENDS["opencv"] == "drivers.camera.opencv:OpenCVCamera"


def test_simulator_plays_scenes_on_demand() -> None:
    camera = SimulatedCamera(width=320, height=240, scene="face")
    try:
        face = camera.capture_still()
        camera.set_scene("black")
        black = camera.capture_still()
        camera.set_scene("qr", seed=3, qr_text="受理编号 1")
        qr = camera.capture_still()
    finally:
        camera.close()
    assert max(black.data) == 0
    assert face.data != qr.data
    assert qr.sequence == 3
