"""The `opencv` camera backend: a UVC camera through OpenCV's V4L2 capture, in a worker thread.

The worker reads frames as the camera delivers them and keeps only the newest; `capture_still()`
hands out each new frame once. A `FrameWatchdog` judges freshness: no frame, or only identical or
black frames, for `watchdog_ms` means the camera is down (health DOWN with CAMERA_UNAVAILABLE or
CAMERA_FROZEN); the worker then releases the device and reopens it every `reconnect_s` (doubling
up to 10×) until frames flow again.

The device is named by a stable path (`/dev/v4l/by-id/usb-…-video-index0`), because `/dev/videoN`
numbers change when a camera is replugged or a second one appears; an index is accepted for
development. This is the only module that opens a camera with OpenCV; `open_capture` is the seam
where tests put `SimulatedCapture` in place of `cv2.VideoCapture`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import cv2
import numpy.typing as npt

from drivers.camera.base import Frame
from drivers.camera.options import OpenCVCameraOptions
from drivers.camera.watchdog import FrameWatchdog
from drivers.errors import CameraFrozen, CameraUnavailable
from drivers.health import Health, HealthLevel

log = logging.getLogger(__name__)

Device = str | int
Image = npt.NDArray[Any]


class CaptureLike(Protocol):
    """The part of `cv2.VideoCapture` this backend uses."""

    def isOpened(self) -> bool: ...

    def set(self, prop: int, value: float) -> bool: ...

    def get(self, prop: int) -> float: ...

    def read(self) -> tuple[bool, Image | None]: ...

    def release(self) -> None: ...


def open_v4l2(device: Device) -> CaptureLike:
    """Open a V4L2 device by path or index (never a GStreamer pipeline or a URL)."""
    # cv2's stub types read() as returning MatLike (incl. UMat); with no UMat passed in it
    # returns an ndarray, which is what CaptureLike promises.
    capture: CaptureLike = cv2.VideoCapture(device, cv2.CAP_V4L2)
    return capture


def _parse_device(value: object) -> Device:
    if isinstance(value, bool):
        raise ValueError(f"camera option 'device' must be a /dev path or an index, not {value!r}")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, str) and value.startswith("/dev/"):
        return value
    raise ValueError(
        f"camera option 'device' must be a /dev path (e.g. /dev/v4l/by-id/…-video-index0) "
        f"or an index, not {value!r}"
    )


def _fourcc(code: str) -> float:
    if len(code) != 4:
        raise ValueError(f"camera option 'fourcc' must be 4 characters (e.g. MJPG), not {code!r}")
    return float(cv2.VideoWriter.fourcc(*code))


class OpenCVCamera:
    """A V4L2 camera read by a worker thread, with a freshness watchdog and reconnects."""

    def __init__(
        self,
        device: Device = 0,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        *,
        fourcc: str = "MJPG",
        watchdog_ms: float = 2000.0,
        reconnect_s: float = 2.0,
        open_capture: Callable[[Device], CaptureLike] = open_v4l2,
        clock: Callable[[], float] = time.monotonic,
        start: bool = True,
    ) -> None:
        self.device = _parse_device(device)
        self.width, self.height, self.fps = width, height, float(fps)
        # MJPG: raw YUYV at 1280x720 exceeds USB 2.0 bandwidth above ~10 fps on most UVC cameras.
        self._fourcc = _fourcc(fourcc)
        self.reconnect_s = reconnect_s
        self._open_capture = open_capture
        self._clock = clock
        self._watchdog = FrameWatchdog(watchdog_ms / 1000)
        self._cond = threading.Condition()
        self._capture: CaptureLike | None = None
        self._latest: Frame | None = None
        self._handed_out = 0  # sequence of the last frame capture_still returned
        self._sequence = 0
        # Down until proven otherwise is wrong at boot: the watchdog's grace period covers the
        # first open, and health turns DOWN only if no live frame comes within it.
        self._down: Health | None = None
        self._watchdog.reset(clock())
        self._next_open = clock()
        self._backoff = reconnect_s
        self._closed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if start:
            self._thread = threading.Thread(target=self._run, name="camera-capture", daemon=True)
            self._thread.start()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OpenCVCamera:
        """From `[devices.camera.options]`; DriverOptionsError names a bad option."""
        opts = OpenCVCameraOptions.parse(options)
        return cls(
            device=opts.device,
            width=opts.width,
            height=opts.height,
            fps=opts.fps,
            fourcc=opts.fourcc,
            watchdog_ms=opts.watchdog_ms,
            reconnect_s=opts.reconnect_s,
        )

    # -- the worker ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # never let the worker die: log, drop the device, reconnect
                log.exception("camera worker step failed")
                self._give_up(Health.down(CameraUnavailable.code, "worker error"))
            if self._capture is None and not self._stop.is_set():
                self._stop.wait(max(0.01, min(0.25, self._next_open - self._clock())))

    def poll_once(self) -> None:
        """One step of the worker: open when due, else read one frame and judge freshness.
        Public so tests can step the camera on a fake clock without a thread."""
        if self._capture is None:
            if self._clock() >= self._next_open:
                self._open()
            return
        ok, bgr = self._capture.read()
        now = self._clock()
        if not ok or bgr is None:
            # V4L2 fails reads once the device is gone (ENODEV); waiting would only delay.
            self._give_up(Health.down(CameraUnavailable.code, "read failed"))
            return
        live = self._watchdog.observe(bgr, now)
        verdict = self._watchdog.verdict(now)
        if verdict.level is HealthLevel.DOWN:
            self._give_up(verdict)
            return
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        with self._cond:
            self._sequence += 1
            self._latest = Frame(width, height, rgb.tobytes(), self._sequence, now)
            if live and self._down is not None:
                log.info("camera live (%dx%d)", width, height)
                self._down = None
                self._backoff = self.reconnect_s
            self._cond.notify_all()

    def _open(self) -> None:
        now = self._clock()
        try:
            capture = self._open_capture(self.device)
        except Exception as exc:  # OpenCV raises cv2.error for some bad devices
            log.warning("camera open failed: %s", exc)
            capture = None
        if capture is None or not capture.isOpened():
            if capture is not None:
                capture.release()
            self._schedule_reopen(now)
            with self._cond:
                self._down = Health.down(CameraUnavailable.code, "cannot open device")
                self._cond.notify_all()
            return
        # Ask for format, size and rate; V4L2 answers with the nearest mode the camera has.
        capture.set(cv2.CAP_PROP_FOURCC, self._fourcc)
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_FPS, self.fps)
        # One buffer: the preview wants the newest frame, not a queue of stale ones.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        got = (
            int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            capture.get(cv2.CAP_PROP_FPS),
        )
        if got[:2] != (self.width, self.height):
            log.warning(
                "camera offers %dx%d@%.0f instead of %dx%d@%.0f; using it",
                *got,
                self.width,
                self.height,
                self.fps,
            )
        else:
            log.info("camera opened at %dx%d@%.0f", *got)
        self._watchdog.reset(now)
        self._capture = capture

    def _schedule_reopen(self, now: float) -> None:
        self._next_open = now + self._backoff
        self._backoff = min(self._backoff * 2, self.reconnect_s * 10)

    def _give_up(self, health: Health) -> None:
        """Mark the camera down, release the device and schedule a reopen."""
        if self._capture is not None:
            try:
                self._capture.release()
            except Exception:  # pragma: no cover - release on a vanished device
                log.exception("camera release failed")
            self._capture = None
        self._schedule_reopen(self._clock())
        with self._cond:
            if self._down is None:
                log.warning("camera down: %s (%s)", health.code, health.detail)
            self._down = health
            self._cond.notify_all()

    # -- the Camera role -----------------------------------------------------------------------

    def capture_still(self, timeout_s: float | None = None) -> Frame:
        """The next new frame (each frame is handed out once), waiting up to `timeout_s`
        (default: the watchdog's time); raise CameraUnavailable/CameraFrozen if down."""
        wait = self._watchdog.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                if self._closed:
                    raise CameraUnavailable("camera closed")
                if self._down is not None:
                    error = (
                        CameraFrozen if self._down.code == CameraFrozen.code else CameraUnavailable
                    )
                    raise error(self._down.detail)
                latest = self._latest
                if latest is not None and latest.sequence > self._handed_out:
                    self._handed_out = latest.sequence
                    return latest
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CameraUnavailable(f"no frame within {wait * 1000:.0f} ms")
                self._cond.wait(remaining)

    def health(self) -> Health:
        with self._cond:
            if self._closed:
                return Health.down(CameraUnavailable.code, "closed")
            if self._down is not None:
                return self._down
        # A read blocked inside the driver never returns to the worker: judge by the clock too.
        return self._watchdog.verdict(self._clock())

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._closed = True
            self._latest = None
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        log.info("closed")
