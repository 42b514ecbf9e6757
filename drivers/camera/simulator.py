"""A simulated camera for the demo and tests: generated scenes, faults on demand, no hardware.

Three layers, so that tests can run the real backend code against fake hardware:

- `SimulatedDevice` is the hardware: what the lens sees (a scene from `scenes.py`: a document on
  a desk, a QR code, a face, black) plus sensor noise, and faults — `unplug()`, `replug()`,
  `freeze()` (the driver repeats one buffer), `resume()`.
- `SimulatedCapture` imitates the part of `cv2.VideoCapture` that `OpenCVCamera` uses (open,
  set/get, read in BGR, paced at the device's fps, optionally through MJPG decoding as a UVC
  camera does), so the OpenCV backend, its watchdog and its reconnect loop run for real.
- `SimulatedCamera` is the `simulator` backend picked by config: a `Camera` that renders the
  device's picture on each `capture_still()`, with the same frame watchdog as the real backend.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from drivers.camera import scenes
from drivers.camera.base import Frame
from drivers.camera.options import DEFAULT_QR_TEXT, SimulatedCameraOptions
from drivers.camera.scenes import DESK_GREY, Scene, SceneKind
from drivers.camera.watchdog import FrameWatchdog
from drivers.errors import CameraFrozen, CameraUnavailable
from drivers.health import Health, HealthLevel

log = logging.getLogger(__name__)

__all__ = ["DESK_GREY", "SimulatedCamera", "SimulatedCapture", "SimulatedDevice"]

MAX_SIDE = 7680
SCENES: tuple[SceneKind, ...] = ("document", "qr", "face", "black")
_NOISE_VARIANTS = 3  # frames cycle through these, so consecutive frames always differ

Image = npt.NDArray[Any]  # cv2 stubs type results as MatLike; NumPy dtypes do not survive it


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= MAX_SIDE:
        raise ValueError(f"camera option {name!r} must be 16-{MAX_SIDE}, not {value!r}")
    return value


def _check_fps(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 120:
        raise ValueError(f"camera option 'fps' must be in (0, 120], not {value!r}")
    return float(value)


class SimulatedDevice:
    """The simulated camera hardware. Thread-safe; faults take effect on the next frame."""

    def __init__(
        self,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        *,
        scene: SceneKind = "document",
        seed: int | None = None,
        qr_text: str = DEFAULT_QR_TEXT,
        mjpeg: bool = False,
    ) -> None:
        self.width = _check_size("width", width)
        self.height = _check_size("height", height)
        self.fps = _check_fps(fps)
        self.mjpeg = mjpeg
        self._lock = threading.Lock()
        self._plugged = True
        self._frozen: Image | None = None
        self._counter = 0
        self._variants: list[Image] = []
        self._jpegs: list[Image] = []
        self.scene: Scene = scenes.black_scene(width, height)
        self.set_scene(scene, seed=seed, qr_text=qr_text)

    # -- what the lens sees --------------------------------------------------------------------

    def set_scene(
        self, kind: SceneKind, *, seed: int | None = None, qr_text: str = DEFAULT_QR_TEXT
    ) -> Scene:
        """Switch to a generated scene. `seed=None` gives each kind's fixed default picture
        (an upright page for documents); an int gives a random pose, desk and lighting."""
        if kind not in SCENES:
            raise ValueError(
                f"camera option 'scene' must be one of {', '.join(SCENES)}, not {kind!r}"
            )
        rng = np.random.default_rng(seed if seed is not None else 0)
        w, h = self.width, self.height
        if kind == "document":
            scene = (
                scenes.upright_document_scene(w, h)
                if seed is None
                else scenes.document_scene(rng, w, h)
            )
        elif kind == "qr":
            scene = scenes.qr_scene(qr_text, rng, w, h)
        elif kind == "face":
            scene = scenes.face_scene(w, h, rng=rng)
        else:
            scene = scenes.black_scene(w, h)
        self.show(scene)
        return scene

    def show(self, scene: Scene) -> None:
        """Put any scene (e.g. a degraded one built by a test) in front of the lens."""
        if (scene.width, scene.height) != (self.width, self.height):
            raise ValueError(
                f"scene is {scene.width}x{scene.height}, device {self.width}x{self.height}"
            )
        variants = [scene.image]
        if scene.kind != "black":  # a dead sensor sends exact zeros; a live one is noisy
            rng = np.random.default_rng(self._counter)
            base = scene.image.astype(np.int16)
            variants = [
                np.clip(base + rng.integers(-2, 3, base.shape, dtype=np.int16), 0, 255).astype(
                    np.uint8
                )
                for _ in range(_NOISE_VARIANTS)
            ]
        jpegs = []
        if self.mjpeg:
            for image in variants:
                _ok, buf = cv2.imencode(
                    ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]
                )
                jpegs.append(buf)
        with self._lock:
            self.scene = scene
            self._variants = variants
            self._jpegs = jpegs
        log.info("scene: %s", scene.kind)

    # -- faults --------------------------------------------------------------------------------

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False
        log.info("camera unplugged")

    def replug(self) -> None:
        with self._lock:
            self._plugged = True
        log.info("camera plugged in")

    def freeze(self) -> None:
        """From now on every frame repeats the current one, as a stalled UVC driver does."""
        with self._lock:
            self._frozen = self._variants[self._counter % len(self._variants)]
        log.info("camera frozen")

    def resume(self) -> None:
        with self._lock:
            self._frozen = None
        log.info("camera resumed")

    @property
    def plugged(self) -> bool:
        with self._lock:
            return self._plugged

    # -- frames --------------------------------------------------------------------------------

    def render(self, bgr: bool = False) -> Image | None:
        """The next picture (RGB, or BGR as OpenCV delivers it), or None while unplugged."""
        with self._lock:
            if not self._plugged:
                return None
            self._counter += 1
            if self._frozen is not None:
                image = self._frozen
                jpeg = None
            else:
                index = self._counter % len(self._variants)
                image = self._variants[index]
                jpeg = self._jpegs[index] if self._jpegs else None
        if jpeg is not None:
            # The camera sent MJPG: decoding it is the host's work, as with a real UVC camera.
            decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
            if decoded is None:  # pragma: no cover - we encoded it ourselves
                return None
            return decoded if bgr else cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
        if bgr:
            converted: Image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
            return converted
        copied: Image = image.copy()
        return copied

    def open(self, paced: bool = True) -> SimulatedCapture:
        return SimulatedCapture(self, paced=paced)


class SimulatedCapture:
    """Stands in for `cv2.VideoCapture` on a `SimulatedDevice` (the subset OpenCVCamera uses).

    Opening fails while the device is unplugged; a capture opened before an unplug fails every
    read afterwards (a V4L2 handle does not survive the device going away, even after replug).
    With `paced=True` reads block until the next frame time, like a real camera.
    """

    def __init__(self, device: SimulatedDevice, *, paced: bool = True) -> None:
        self._device = device
        self._paced = paced
        self._opened = device.plugged
        self._next = time.monotonic()
        self._props: dict[int, float] = {
            cv2.CAP_PROP_FRAME_WIDTH: float(device.width),
            cv2.CAP_PROP_FRAME_HEIGHT: float(device.height),
            cv2.CAP_PROP_FPS: device.fps,
        }

    def isOpened(self) -> bool:
        return self._opened

    def set(self, prop: int, value: float) -> bool:
        # The simulated sensor has one mode: like V4L2, it answers a request with what it has.
        if prop in (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT, cv2.CAP_PROP_FPS):
            return True
        self._props[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self._props.get(prop, 0.0)

    def read(self) -> tuple[bool, Image | None]:
        if not self._opened:
            return False, None
        if self._paced:
            now = time.monotonic()
            self._next = max(self._next + 1 / self._device.fps, now)
            if self._next > now:
                time.sleep(self._next - now)
        image = self._device.render(bgr=True)
        if image is None:
            self._opened = False  # the handle is dead for good, as after a USB unplug
            return False, None
        return True, image

    def release(self) -> None:
        self._opened = False


class SimulatedCamera:
    """The `simulator` camera backend: renders the device's picture on each capture. Thread-safe.

    Options: width, height, fps, scene ("document" | "qr" | "face" | "black"), seed (random
    pose, desk and lighting), qr_text, watchdog_ms (frozen/black frames for this long = down).
    """

    def __init__(
        self,
        width: int = 1280,
        height: int = 720,
        fps: float = 15.0,
        *,
        scene: SceneKind = "document",
        seed: int | None = None,
        qr_text: str = DEFAULT_QR_TEXT,
        watchdog_ms: float = 2000.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.device = SimulatedDevice(width, height, fps, scene=scene, seed=seed, qr_text=qr_text)
        self.width, self.height, self.fps = self.device.width, self.device.height, self.device.fps
        self._clock = clock
        self._lock = threading.Lock()
        self._sequence = 0
        self._closed = False
        self._watchdog = FrameWatchdog(watchdog_ms / 1000)
        self._watchdog.reset(clock())

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SimulatedCamera:
        """From `[devices.camera.options]`; DriverOptionsError names a bad option."""
        opts = SimulatedCameraOptions.parse(options)
        return cls(
            width=opts.width,
            height=opts.height,
            fps=opts.fps,
            scene=opts.scene,
            seed=opts.seed,
            qr_text=opts.qr_text,
            watchdog_ms=opts.watchdog_ms,
        )

    # The device's controls, for tests and the demo's technician menu.
    def set_scene(
        self, kind: SceneKind, *, seed: int | None = None, qr_text: str = DEFAULT_QR_TEXT
    ) -> Scene:
        return self.device.set_scene(kind, seed=seed, qr_text=qr_text)

    def show(self, scene: Scene) -> None:
        self.device.show(scene)

    def unplug(self) -> None:
        self.device.unplug()

    def replug(self) -> None:
        self.device.replug()
        with self._lock:
            self._watchdog.reset(self._clock())

    def freeze(self) -> None:
        self.device.freeze()

    def resume(self) -> None:
        self.device.resume()

    def capture_still(self) -> Frame:
        with self._lock:
            if self._closed:
                raise CameraUnavailable("camera closed")
        image = self.device.render()
        now = self._clock()
        with self._lock:
            if image is None:
                raise CameraUnavailable("simulated camera unplugged")
            self._watchdog.observe(image, now)
            health = self._watchdog.verdict(now)
            if health.code == CameraFrozen.code:
                raise CameraFrozen(health.detail)
            self._sequence += 1
            sequence = self._sequence
        return Frame(self.width, self.height, image.tobytes(), sequence, now)

    def health(self) -> Health:
        with self._lock:
            if self._closed:
                return Health.down(CameraUnavailable.code, "closed")
        if not self.device.plugged:
            return Health.down(CameraUnavailable.code, "unplugged")
        with self._lock:
            # Frames are made on demand here, so only frozen/black frames count, not their age.
            health = self._watchdog.verdict(self._clock())
        if health.level is HealthLevel.DOWN and health.code == CameraFrozen.code:
            return health
        return Health.ok()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        log.info("closed")
