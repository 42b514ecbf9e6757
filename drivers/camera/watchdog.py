"""Frame-freshness watchdog: is a camera live, judged only from the frames it delivers.

USB cameras fail in three ways that raise no error: the driver stops delivering (read blocks or
fails), it keeps delivering the last buffer again and again (a UVC stall), or the sensor sends
black frames (seen after a resume from suspend). A live sensor never sends two identical frames —
there is always noise — so "no new frame, or only identical or black frames, for `timeout_s`"
means the camera is down. Times come from the caller, so tests drive it with a fake clock.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from drivers.errors import CameraFrozen, CameraUnavailable
from drivers.health import Health

Image = npt.NDArray[Any]

# Every 8th pixel of every 8th row: ~14,000 values of a 1280x720 frame, ~20 µs to compare, and
# sensor noise changes almost all of them between two live frames.
_STRIDE = 8
_BLACK_LEVEL = 12


class FrameWatchdog:
    """Feed it every frame with `observe`; ask `verdict` at any time (from any thread)."""

    def __init__(self, timeout_s: float) -> None:
        if timeout_s <= 0:
            raise ValueError("watchdog timeout must be positive")
        self.timeout_s = timeout_s
        self._last_frame_at = 0.0
        self._last_live_at = 0.0
        self._previous: Image | None = None
        self._why = ""

    def reset(self, now: float) -> None:
        """Start a fresh grace period, e.g. when the device has just been opened. The last
        frame is kept: a reopened camera still sending that same frame is still frozen."""
        self._last_frame_at = self._last_live_at = now

    def observe(self, image: Image, now: float) -> bool:
        """Record a frame; return True if it looks live (differs from the last, not black)."""
        sample = np.ascontiguousarray(image[::_STRIDE, ::_STRIDE])
        self._last_frame_at = now
        black = int(sample.max()) <= _BLACK_LEVEL
        same = self._previous is not None and np.array_equal(sample, self._previous)
        self._previous = sample
        if black:
            self._why = "black frames"
        elif same:
            self._why = "identical frames"
        else:
            self._last_live_at = now
            return True
        return False

    def verdict(self, now: float) -> Health:
        """OK, or down with CAMERA_UNAVAILABLE (no frames) / CAMERA_FROZEN (dead frames)."""
        if now - self._last_frame_at >= self.timeout_s:
            return Health.down(
                CameraUnavailable.code, f"no frame for {self.timeout_s * 1000:.0f} ms"
            )
        if now - self._last_live_at >= self.timeout_s:
            return Health.down(CameraFrozen.code, f"{self._why} for {self.timeout_s * 1000:.0f} ms")
        return Health.ok()
