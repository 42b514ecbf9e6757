"""The camera role: frames and the Protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from drivers.health import Health


@dataclass(frozen=True, slots=True)
class Frame:
    """One RGB888 frame, row-major, `width * height * 3` bytes.

    `timestamp` is `time.monotonic()` when the frame was captured (0.0 if unknown); the vision
    code times "still for a second" with it, so tests can hand in frames with made-up times.
    """

    width: int
    height: int
    data: bytes = field(repr=False)
    sequence: int = 0
    timestamp: float = 0.0


@runtime_checkable
class Camera(Protocol):
    """A document/face camera. Blocking; run off the GUI thread."""

    def capture_still(self) -> Frame:
        """Return the newest frame or raise CameraUnavailable."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...
