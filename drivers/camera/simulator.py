"""A simulated document camera: generated frames for the demo and tests, no hardware, no OpenCV.

Each still shows a grey desk with a white A4-shaped page and a frame counter, drawn with Pillow
(cheap: the static scene is drawn once, only the counter changes). `unplug()` / `replug()` imitate
a USB camera going away and coming back, so the failure paths can be driven.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageDraw

from drivers.camera.base import Frame
from drivers.errors import CameraUnavailable
from drivers.health import Health

log = logging.getLogger(__name__)

MAX_SIDE = 7680
DESK_GREY = (96, 96, 96)
PAGE_WHITE = (250, 250, 248)


class SimulatedCamera:
    """Camera backend producing RGB888 frames of a page on a desk. Thread-safe."""

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 15.0) -> None:
        for name, value in (("width", width), ("height", height)):
            if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= MAX_SIDE:
                raise ValueError(f"camera option {name!r} must be 16-{MAX_SIDE}, not {value!r}")
        if isinstance(fps, bool) or not isinstance(fps, int | float) or not 0 < fps <= 120:
            raise ValueError(f"camera option 'fps' must be in (0, 120], not {fps!r}")
        self.width = width
        self.height = height
        self.fps = float(fps)
        self._lock = threading.Lock()
        self._sequence = 0
        self._plugged = True
        self._closed = False
        self._scene = self._draw_scene()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SimulatedCamera:
        known = {"width", "height", "fps"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(
                f"camera simulator: unknown option(s) {', '.join(unknown)}; "
                f"use any of: {', '.join(sorted(known))}"
            )
        return cls(
            width=options.get("width", 1280),
            height=options.get("height", 720),
            fps=options.get("fps", 15.0),
        )

    def _draw_scene(self) -> Image.Image:
        scene = Image.new("RGB", (self.width, self.height), DESK_GREY)
        # An A4 page (1:1.414), portrait, filling 80 % of the height, slightly off-centre like a
        # page a walk-in has just laid down.
        page_h = int(self.height * 0.8)
        page_w = int(page_h / 1.414)
        left = (self.width - page_w) // 2 + self.width // 40
        top = (self.height - page_h) // 2
        draw = ImageDraw.Draw(scene)
        draw.rectangle((left, top, left + page_w, top + page_h), fill=PAGE_WHITE)
        # A few grey "text lines" so edge and content detectors have something to find.
        line_h = max(2, page_h // 60)
        for row in range(6, 40, 3):
            y = top + row * page_h // 48
            draw.rectangle(
                (left + page_w // 10, y, left + page_w * 9 // 10, y + line_h), fill=(60, 60, 60)
            )
        return scene

    def capture_still(self) -> Frame:
        with self._lock:
            if self._closed:
                raise CameraUnavailable("camera closed")
            if not self._plugged:
                raise CameraUnavailable("simulated camera unplugged")
            self._sequence += 1
            sequence = self._sequence
        image = self._scene.copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 150, 24), fill=(0, 0, 0))
        draw.text((6, 6), f"SIM #{sequence}", fill=(0, 255, 0))
        return Frame(self.width, self.height, image.tobytes(), sequence)

    def unplug(self) -> None:
        with self._lock:
            self._plugged = False
        log.info("camera unplugged")

    def replug(self) -> None:
        with self._lock:
            self._plugged = True
        log.info("camera plugged in")

    def health(self) -> Health:
        with self._lock:
            if self._closed:
                return Health.down(CameraUnavailable.code, "closed")
            if not self._plugged:
                return Health.down(CameraUnavailable.code, "unplugged")
            return Health.ok()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        log.info("closed")
