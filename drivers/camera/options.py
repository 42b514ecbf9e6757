"""Options of the camera backends (`[devices.camera.options]`), one model per backend.

Pydantic and the standard library only — no OpenCV, no NumPy — so `kiosk.config` can check them
at start; see `drivers.options` for the error they raise.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from drivers.options import DriverOptions

MAX_SIDE = 7680
Side = Annotated[int, Field(ge=16, le=MAX_SIDE)]
SceneName = Literal["document", "qr", "face", "black"]  # scenes.SceneKind
DEFAULT_QR_TEXT = "https://qihang.example/progress/QH-001-20250101-0001"


class SimulatedCameraOptions(DriverOptions):
    KIND: ClassVar[str] = "camera"
    BACKEND: ClassVar[str] = "simulator"

    width: Side = 1280
    height: Side = 720
    fps: float = Field(default=15.0, gt=0, le=120)
    scene: SceneName = "document"
    seed: int | None = None
    qr_text: str = DEFAULT_QR_TEXT
    watchdog_ms: float = Field(default=2000.0, gt=0, le=60000)


class OpenCVCameraOptions(DriverOptions):
    KIND: ClassVar[str] = "camera"
    BACKEND: ClassVar[str] = "opencv"

    device: Annotated[int, Field(ge=0)] | Annotated[str, Field(pattern=r"^(/dev/\S+|\d+)$")] = (
        Field(default=0, description="a /dev path (e.g. /dev/v4l/by-id/…-video-index0) or index")
    )
    width: Side = 1280
    height: Side = 720
    fps: float = Field(default=30.0, gt=0, le=120)
    fourcc: str = Field(default="MJPG", pattern=r"^\S{4}$", description="4 characters, e.g. MJPG")
    watchdog_ms: float = Field(default=2000.0, gt=0, le=60000)
    reconnect_s: float = Field(default=2.0, gt=0, le=300)
