"""Vision for the capture screens: find and check a page, read QR codes, guide a face photo.

Three analysers, each fed one `Frame` at a time and answering with guidance for the screen:

- `DocumentScanner`: finds the page (edges → largest convex quadrilateral) on a downscaled frame,
  checks it (blurred, too dark, glare, cut off), and once it has been still and good for
  `still_s` seconds warps it — at full resolution, once — to the page's aspect (A4 by default)
  and encodes a JPEG. A manual shutter captures on the next frame whatever its quality.
- `QrReader`: OpenCV's QR detector; content is decoded as UTF-8 (Chinese included).
- `FaceGuide` (in :mod:`drivers.camera.face_guide`): OpenCV's Haar frontal-face cascade; says
  whether there is exactly one face, centred, large enough and lit well enough. It only guides
  framing: it does not recognise or match anyone.

Guidance reasons are `Guidance` codes; the UI translates them. Captured images live in memory
only, as `CapturedImage` with a `wipe()` that zeroes the bytes — nothing here writes to disk.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from drivers.camera.base import Frame

log = logging.getLogger(__name__)

Image = npt.NDArray[Any]  # cv2 stubs type results as MatLike; NumPy dtypes do not survive it
Corners = npt.NDArray[Any]  # shape (4, 2): top-left, top-right, bottom-right, bottom-left
Point = tuple[float, float]
Box = tuple[int, int, int, int]  # x, y, width, height in frame pixels

A4_ASPECT = 297 / 210


class Guidance(StrEnum):
    """Why a capture is not ready yet; the UI shows one translated hint per code."""

    PAGE_NOT_FOUND = "PAGE_NOT_FOUND"
    PAGE_CUT_OFF = "PAGE_CUT_OFF"
    HOLD_STILL = "HOLD_STILL"
    TOO_DARK = "TOO_DARK"
    BLURRED = "BLURRED"
    GLARE = "GLARE"
    FACE_NOT_FOUND = "FACE_NOT_FOUND"
    FACE_MULTIPLE = "FACE_MULTIPLE"
    FACE_OFF_CENTRE = "FACE_OFF_CENTRE"
    FACE_TOO_SMALL = "FACE_TOO_SMALL"
    FACE_TOO_CLOSE = "FACE_TOO_CLOSE"
    FACE_TOO_DARK = "FACE_TOO_DARK"


def frame_array(frame: Frame) -> Image:
    """A read-only (height, width, 3) RGB view of the frame's bytes; no copy."""
    return np.frombuffer(frame.data, np.uint8).reshape(frame.height, frame.width, 3)


def array_frame(rgb: Image, sequence: int = 0, timestamp: float = 0.0) -> Frame:
    """Wrap an RGB array as a Frame (copies the pixels into immutable bytes)."""
    height, width = rgb.shape[:2]
    return Frame(width, height, np.ascontiguousarray(rgb).tobytes(), sequence, timestamp)


class CapturedImage:
    """A captured page or face photo as JPEG bytes, held in memory only.

    `jpeg` is a bytearray so that `wipe()` can overwrite it in place when the session ends;
    hand it to the outbox's encryption as is (it accepts any bytes-like object).
    """

    __slots__ = ("corners", "height", "jpeg", "manual", "width")

    def __init__(
        self,
        jpeg: bytearray,
        width: int,
        height: int,
        *,
        manual: bool = False,
        corners: tuple[Point, ...] | None = None,
    ) -> None:
        self.jpeg = jpeg
        self.width = width
        self.height = height
        self.manual = manual
        self.corners = corners  # the page outline in frame coordinates, None for a whole frame

    def wipe(self) -> None:
        self.jpeg[:] = bytes(len(self.jpeg))
        self.jpeg.clear()

    def __repr__(self) -> str:
        return (
            f"CapturedImage({self.width}x{self.height}, {len(self.jpeg)} bytes, "
            f"manual={self.manual})"
        )


def encode_jpeg(rgb: Image, quality: int = 90) -> bytearray:
    """Encode an RGB image as JPEG in memory."""
    ok, buffer = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:  # pragma: no cover - only for empty images, which callers never pass
        raise ValueError("JPEG encoding failed")
    data = bytearray(buffer.tobytes())
    buffer.fill(0)
    return data


# -- page detection ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageDetection:
    """Where the page is, in full-frame coordinates.

    `corners` is None when no whole page was found; `cut_off` says a large page-like shape runs
    into the frame's border (then `hull` is its outline, for drawing).
    """

    corners: Corners | None
    cut_off: bool = False
    hull: Image | None = field(default=None, repr=False)

    @property
    def outline(self) -> tuple[Point, ...] | None:
        """Points to draw, in frame pixels: the 4 corners, or the cut-off shape's hull."""
        points = self.corners if self.corners is not None else self.hull
        if points is None:
            return None
        return tuple((float(x), float(y)) for x, y in points)


_KERNEL = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))


def _points(array: Image) -> tuple[Point, ...]:
    return tuple((float(x), float(y)) for x, y in array)


def _order_corners(points: Image) -> Corners:
    """Clockwise on screen starting at the top-left-most point (smallest x + y)."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]
    start = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -start, axis=0).astype(np.float32)


def _refine(corners: Corners, edges: Image) -> Corners:
    """Fit a line to the edge pixels along each side and intersect neighbours.

    approxPolyDP's vertices sit on the dilated edge chain, a pixel or two off the real border,
    and corners are where detection error concentrates; lines fitted to ~hundreds of edge
    pixels per side land within a fraction of a pixel."""
    ys, xs = np.nonzero(edges)
    if len(xs) < 40:
        return corners
    points = np.column_stack((xs, ys)).astype(np.float32)
    lines: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        direction = b - a
        length = float(np.hypot(*direction))
        if length < 8:
            return corners
        unit = direction / length
        rel = points - a
        along = rel @ unit
        across = np.abs(rel[:, 0] * unit[1] - rel[:, 1] * unit[0])
        near = (across < 3.0) & (along > 0.1 * length) & (along < 0.9 * length)
        if near.sum() < 0.3 * length:
            return corners  # side poorly supported: keep the polygon's corners
        fitted = cv2.fitLine(points[near], cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(4)
        lines.append((fitted[2:4], fitted[0:2]))
    refined = np.empty_like(corners)
    for i in range(4):
        (p1, d1), (p2, d2) = lines[(i - 1) % 4], lines[i]
        denom = d1[0] * d2[1] - d1[1] * d2[0]
        if abs(denom) < 1e-6:
            return corners
        t = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / denom
        refined[i] = p1 + t * d1
    # A refinement that moves a corner far means the fit latched onto something else.
    if float(np.abs(refined - corners).max()) > 6:
        return corners
    return refined


def _find_quad(
    mask: Image, shape: tuple[int, int]
) -> tuple[Corners | None, bool, np.ndarray | None]:
    """Largest convex quadrilateral among the outer contours of `mask`."""
    h, w = shape
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_area = 0.04 * w * h
    hulls = [cv2.convexHull(c) for c in contours]
    hulls = [hull for hull in hulls if cv2.contourArea(hull) >= min_area]
    hulls.sort(key=cv2.contourArea, reverse=True)
    for hull in hulls[:3]:
        pts = hull.reshape(-1, 2)
        touches = bool(
            (pts[:, 0] <= 1).any()
            or (pts[:, 1] <= 1).any()
            or (pts[:, 0] >= w - 2).any()
            or (pts[:, 1] >= h - 2).any()
        )
        if touches:
            # A page running off the frame: the frame border closes its hull. Only the largest
            # shape may claim this, or a stray edge at the border would hide a good page.
            if hull is hulls[0]:
                return None, True, pts.astype(np.float32)
            continue
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return _order_corners(approx.reshape(4, 2).astype(np.float32)), False, None
    return None, False, None


def small_gray(rgb: Image, detect_width: int) -> tuple[Image, float]:
    """Grey, downscaled to `detect_width` (area averaging), and the scale factor used."""
    h, w = rgb.shape[:2]
    scale = min(1.0, detect_width / w)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    if scale < 1.0:
        gray = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return gray, scale


def _to_full(points: Image, scale: float) -> Image:
    # INTER_AREA maps pixel centres: full = (small + 0.5) / scale - 0.5.
    return ((points + 0.5) / scale - 0.5).astype(np.float32)


def _detect_on_small(gray: Image) -> tuple[Corners | None, bool, np.ndarray | None]:
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    edges = cv2.Canny(blurred, 30, 90)
    corners, cut, hull = _find_quad(cv2.dilate(edges, _KERNEL), gray.shape[:2])
    if corners is None and not cut:
        # Fallback for a page whose outline the edges leave open (a shadowed side, low
        # contrast on a busy desk): paper is the bright object on the desk.
        _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, _KERNEL, iterations=2)
        corners, cut, hull = _find_quad(bright, gray.shape[:2])
    if corners is not None:
        corners = _refine(corners, edges)
    return corners, cut, hull


def find_page(rgb: Image, detect_width: int = 640) -> PageDetection:
    """Find the page in an RGB (or grey) image; coordinates are in the image's own pixels."""
    gray, scale = small_gray(rgb, detect_width)
    corners, cut, hull = _detect_on_small(gray)
    return PageDetection(
        None if corners is None else _to_full(corners, scale),
        cut,
        None if hull is None else _to_full(hull, scale),
    )


# -- page quality ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityLimits:
    """Thresholds of the page checks, measured on the downscaled grey page (0-255)."""

    # Variance of the Laplacian over the variance of grey, inside the page. Dividing by the
    # contrast makes it a measure of how much of the page's detail is fine detail, so a dim or
    # faint page is not called blurred. Generated A4 forms at 1280x720: sharp 11-36, defocus
    # sigma 2 px 3.8-5.9, sigma 3 px 1.5-2.6.
    min_sharpness: float = 6.5
    min_brightness: float = 90.0  # mean grey of the page; evenly lit paper reads 160-215
    max_glare: float = 0.015  # share of page pixels at >= 250; a lamp's reflection is 9-16 %


@dataclass(frozen=True)
class PageQuality:
    sharpness: float
    brightness: float
    glare: float
    reasons: tuple[Guidance, ...]


def page_quality(
    gray: Image, corners: Corners, limits: QualityLimits = QualityLimits()
) -> PageQuality:
    """Check the page inside `corners` (in `gray`'s pixels); 15 % in from its border, so that
    the page's own edge does not count as sharpness and the desk does not count as darkness."""
    centre = corners.mean(axis=0)
    inner = (centre + 0.85 * (corners - centre)).astype(np.int32)
    x, y, w, h = cv2.boundingRect(inner)
    x, y = max(0, x), max(0, y)
    roi = gray[y : y + h, x : x + w]
    if roi.size == 0:
        return PageQuality(0.0, 0.0, 0.0, (Guidance.PAGE_NOT_FOUND,))
    mask = np.zeros(roi.shape, np.uint8)
    cv2.fillConvexPoly(mask, inner - (x, y), 255)
    mean, _ = cv2.meanStdDev(roi, mask=mask)
    lap = cv2.Laplacian(roi, cv2.CV_16S, ksize=3)
    _, lap_std = cv2.meanStdDev(lap, mask=mask)
    _, gray_std = cv2.meanStdDev(roi, mask=mask)
    area = max(1, cv2.countNonZero(mask))
    glare = cv2.countNonZero(cv2.bitwise_and(cv2.inRange(roi, 250, 255), mask)) / area
    brightness = float(mean[0, 0])
    sharpness = float(lap_std[0, 0]) ** 2 / max(float(gray_std[0, 0]) ** 2, 1.0)
    reasons: list[Guidance] = []
    if brightness < limits.min_brightness:
        reasons.append(Guidance.TOO_DARK)
    if glare > limits.max_glare:
        reasons.append(Guidance.GLARE)
    # A dark page has weak contrast everywhere; "too dark" is the useful hint, not "blurred".
    if sharpness < limits.min_sharpness and Guidance.TOO_DARK not in reasons:
        reasons.append(Guidance.BLURRED)
    return PageQuality(sharpness, brightness, glare, tuple(reasons))


def warp_page(
    rgb: Image, corners: Corners, aspect: float = A4_ASPECT, max_side: int = 2000
) -> Image:
    """Perspective-correct the page to `aspect` (long side / short side), portrait or landscape
    as it lies; the long side keeps the resolution the camera saw, up to `max_side`."""
    tl, tr, br, bl = corners.astype(np.float32)
    width = max(np.hypot(*(tr - tl)), np.hypot(*(br - bl)))
    height = max(np.hypot(*(bl - tl)), np.hypot(*(br - tr)))
    if width > height:
        out_w = min(max_side, round(width))
        out_h = round(out_w / aspect)
    else:
        out_h = min(max_side, round(height))
        out_w = round(out_h / aspect)
    dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    warped: Image = cv2.warpPerspective(rgb, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    return warped


# -- the document scanner ----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentGuidance:
    """What the capture screen shows for one frame.

    `outline`: the page's corners (or a cut-off page's shape) in frame pixels, None if no page.
    `reasons`: empty when the page is good; `steady`: 0..1 progress of "hold still";
    `captured`: set on the one frame where a capture happened.
    """

    sequence: int
    outline: tuple[Point, ...] | None
    reasons: tuple[Guidance, ...]
    steady: float = 0.0
    captured: CapturedImage | None = None
    quality: PageQuality | None = field(default=None, repr=False)


class DocumentScanner:
    """Frame-by-frame document capture with auto-capture and a manual shutter. Not thread-safe:
    one thread feeds it frames (the preview worker).

    Auto-capture fires once the page has been found, good and still (corners moving less than
    `still_tolerance` of the page diagonal) for `still_s` seconds of frame time; after a capture
    the scanner waits for `reset()` before capturing again.
    """

    def __init__(
        self,
        *,
        aspect: float = A4_ASPECT,
        detect_width: int = 640,
        still_s: float = 1.0,
        still_tolerance: float = 0.015,
        limits: QualityLimits = QualityLimits(),
        jpeg_quality: int = 90,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.aspect = aspect
        self.detect_width = detect_width
        self.still_s = still_s
        self.still_tolerance = still_tolerance
        self.limits = limits
        self.jpeg_quality = jpeg_quality
        self._clock = clock
        self._anchor: Corners | None = None
        self._still_since: float | None = None
        self._shutter = False
        self._armed = True
        self._captured: list[CapturedImage] = []

    def shutter(self) -> None:
        """Capture on the next frame, whatever the guidance (the page if one is found, else the
        whole frame)."""
        self._shutter = True

    def reset(self) -> None:
        """Arm auto-capture again (after the walk-in chose "retake")."""
        self._armed = True
        self._anchor = None
        self._still_since = None

    def wipe(self) -> None:
        """Zero every image this scanner captured and forget the page."""
        for image in self._captured:
            image.wipe()
        self._captured.clear()
        self._shutter = False
        self.reset()

    def analyze(self, frame: Frame) -> DocumentGuidance:
        now = frame.timestamp or self._clock()
        rgb = frame_array(frame)
        gray, scale = small_gray(rgb, self.detect_width)
        small, cut, hull = _detect_on_small(gray)
        if small is None:
            self._anchor, self._still_since = None, None
            shape = None if hull is None else _points(_to_full(hull, scale))
            missing = Guidance.PAGE_CUT_OFF if cut else Guidance.PAGE_NOT_FOUND
            captured = self._capture(rgb, None) if self._shutter else None
            return DocumentGuidance(frame.sequence, shape, (missing,), captured=captured)
        corners = _to_full(small, scale)
        quality = page_quality(gray, small, self.limits)
        reasons = list(quality.reasons)
        if self._near_border(small, gray.shape[:2]):
            reasons.insert(0, Guidance.PAGE_CUT_OFF)
        diagonal = float(np.hypot(*(corners[2] - corners[0])))
        moved = self._anchor is None or float(
            np.abs(corners - self._anchor).max()
        ) > self.still_tolerance * max(diagonal, 1.0)
        if moved or reasons:
            self._anchor, self._still_since = corners, now
        if moved and not reasons:
            reasons.append(Guidance.HOLD_STILL)
        held = 0.0 if self._still_since is None else now - self._still_since
        steady = 0.0 if reasons else min(1.0, held / self.still_s) if self.still_s > 0 else 1.0
        captured = None
        if self._shutter or (self._armed and not reasons and steady >= 1.0):
            captured = self._capture(rgb, corners)
        return DocumentGuidance(
            frame.sequence, _points(corners), tuple(reasons), steady, captured, quality
        )

    @staticmethod
    def _near_border(corners: Corners, shape: tuple[int, int]) -> bool:
        h, w = shape
        margin = 0.01 * min(w, h)
        return bool(
            (corners[:, 0] < margin).any()
            or (corners[:, 1] < margin).any()
            or (corners[:, 0] > w - 1 - margin).any()
            or (corners[:, 1] > h - 1 - margin).any()
        )

    def _capture(self, rgb: Image, corners: Corners | None) -> CapturedImage:
        manual = self._shutter
        self._shutter = False
        self._armed = False
        if corners is None:
            page = rgb
            outline = None
        else:
            page = warp_page(rgb, corners, self.aspect)
            outline = tuple((float(x), float(y)) for x, y in corners)
        image = CapturedImage(
            encode_jpeg(page, self.jpeg_quality),
            int(page.shape[1]),
            int(page.shape[0]),
            manual=manual,
            corners=outline,
        )
        self._captured.append(image)
        log.info(
            "page captured (%s, %dx%d)", "manual" if manual else "auto", image.width, image.height
        )
        return image


# -- QR codes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QrCode:
    """A decoded QR code: its text and its four corners in frame pixels."""

    text: str = field(repr=False)
    corners: tuple[Point, ...]


class QrReader:
    """Decode the QR code in a frame with OpenCV's ArUco-based detector (faster than the
    classic one and as accurate on our scenes). Tries a downscaled frame first — codes held up
    to the camera are large — then full resolution. Not thread-safe: one per worker."""

    def __init__(self, detect_width: int = 960) -> None:
        self.detect_width = detect_width
        self._detector = cv2.QRCodeDetectorAruco()

    def decode(self, image: Image | Frame) -> QrCode | None:
        rgb = frame_array(image) if isinstance(image, Frame) else image
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
        h, w = gray.shape[:2]
        attempts: list[tuple[Image, float]] = []
        if w > self.detect_width:
            scale = self.detect_width / w
            small = cv2.resize(
                gray, (self.detect_width, round(h * scale)), interpolation=cv2.INTER_AREA
            )
            attempts.append((small, scale))
        attempts.append((gray, 1.0))
        for img, scale in attempts:
            text, points, _ = self._detector.detectAndDecode(img)
            if text and points is not None:
                corners = points.reshape(-1, 2) / scale
                return QrCode(text, tuple((float(x), float(y)) for x, y in corners))
        return None


# -- face photo guidance -----------------------------------------------------------------------


def page_corner_error(found: Corners, truth: Corners) -> float:
    """Largest corner distance after matching the corners cyclically, as a share of the true
    page's diagonal (the measure of the detection test and the benchmark)."""
    diagonal = max(float(np.hypot(*(truth[2] - truth[0]))), float(np.hypot(*(truth[3] - truth[1]))))
    best = math.inf
    for shift in range(4):
        rolled = np.roll(found, shift, axis=0)
        best = min(best, float(np.hypot(*(rolled - truth).T).max()))
    return best / diagonal
