"""Face photo guidance: OpenCV's Haar frontal-face cascade says whether there is exactly one face,
centred, large enough and lit well enough. It only guides framing: it does not recognise or
match anyone, and nothing leaves memory (see :class:`drivers.camera.vision.CapturedImage`)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from drivers.camera.base import Frame
from drivers.camera.vision import (
    Box,
    CapturedImage,
    Guidance,
    Image,
    encode_jpeg,
    frame_array,
    small_gray,
)


@dataclass(frozen=True)
class FaceLimits:
    """Framing rules for a face photo, as shares of the frame."""

    min_height: float = 0.2  # face box height / frame height
    max_height: float = 0.65
    max_offset_x: float = 0.12  # face centre from frame centre / frame width
    max_offset_y: float = 0.15
    min_brightness: float = 70.0  # mean grey inside the face box


@dataclass(frozen=True)
class FaceGuidance:
    sequence: int
    box: Box | None  # the one face, when there is exactly one
    faces: tuple[Box, ...]
    reasons: tuple[Guidance, ...]


def _cascade_path() -> str:
    return str(cv2.data.haarcascades) + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]


class FaceGuide:
    """Haar-cascade face framing for a face photo. Detection only: it never compares faces."""

    def __init__(self, detect_width: int = 400, limits: FaceLimits = FaceLimits()) -> None:
        self.detect_width = detect_width
        self.limits = limits
        self._cascade = cv2.CascadeClassifier(_cascade_path())
        if self._cascade.empty():  # pragma: no cover - the cascade ships with opencv 4.x
            raise RuntimeError(
                "OpenCV's Haar face cascade is missing (opencv-python-headless < 5?)"
            )

    def detect(self, rgb: Image) -> tuple[Box, ...]:
        gray, scale = small_gray(rgb, self.detect_width)
        # Tuned on the simulator's face scenes (66 poses, sizes, lights, pairs): 66/66 counted
        # right at 400 px, 13 ms. Histogram equalisation, often recommended, turned the plain
        # wall behind the face into false faces (35/66); 320 px missed small faces.
        low, high = round(0.12 * gray.shape[0]), round(0.8 * gray.shape[0])
        found = self._cascade.detectMultiScale(
            gray, scaleFactor=1.05, minNeighbors=4, minSize=(low, low), maxSize=(high, high)
        )
        return tuple(
            (round(x / scale), round(y / scale), round(w / scale), round(h / scale))
            for x, y, w, h in found
        )

    def analyze(self, frame: Frame) -> FaceGuidance:
        rgb = frame_array(frame)
        faces = self.detect(rgb)
        if not faces:
            return FaceGuidance(frame.sequence, None, (), (Guidance.FACE_NOT_FOUND,))
        if len(faces) > 1:
            return FaceGuidance(frame.sequence, None, faces, (Guidance.FACE_MULTIPLE,))
        box = faces[0]
        x, y, w, h = box
        lim = self.limits
        reasons: list[Guidance] = []
        if h < lim.min_height * frame.height:
            reasons.append(Guidance.FACE_TOO_SMALL)
        elif h > lim.max_height * frame.height:
            reasons.append(Guidance.FACE_TOO_CLOSE)
        cx, cy = x + w / 2, y + h / 2
        if (
            abs(cx - frame.width / 2) > lim.max_offset_x * frame.width
            or abs(cy - frame.height / 2) > lim.max_offset_y * frame.height
        ):
            reasons.append(Guidance.FACE_OFF_CENTRE)
        gray = cv2.cvtColor(rgb[y : y + h, x : x + w], cv2.COLOR_RGB2GRAY)
        if gray.size and float(gray.mean()) < lim.min_brightness:
            reasons.append(Guidance.FACE_TOO_DARK)
        return FaceGuidance(frame.sequence, box, faces, tuple(reasons))

    @staticmethod
    def capture(frame: Frame, box: Box, quality: int = 90) -> CapturedImage:
        """A head-and-shoulders crop around `box` (ID-photo framing, 3:4) as JPEG."""
        x, y, w, h = box
        out_h = min(frame.height, round(h * 2.2))
        out_w = min(frame.width, round(out_h * 3 / 4))
        cx, cy = x + w / 2, y + h * 0.6
        left = int(min(max(0, cx - out_w / 2), frame.width - out_w))
        top = int(min(max(0, cy - out_h / 2), frame.height - out_h))
        crop = frame_array(frame)[top : top + out_h, left : left + out_w]
        return CapturedImage(encode_jpeg(np.ascontiguousarray(crop), quality), out_w, out_h)
