"""Generated camera scenes with known ground truth, for the simulator, the tests and the benchmark.

A scene is one RGB image plus what is in it: the page's four corners (documents on a desk at a
random angle, perspective, background and lighting), the text of a QR code, or a face box. The
vision code is measured against these known positions, so every generator keeps its ground truth
exact (the page corners are the points the page texture's corners are warped to).

Everything is drawn with NumPy and OpenCV; a seeded ``numpy.random.Generator`` makes scenes
repeatable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[Any]  # cv2 stubs type results as MatLike; NumPy dtypes do not survive it
Corners = npt.NDArray[Any]

A4_ASPECT = 297 / 210
FACE_ASSET = Path(__file__).with_name("assets") / "face_eileen_collins.jpg"
SceneKind = Literal["document", "qr", "face", "black"]


@dataclass(frozen=True)
class Scene:
    """One generated RGB frame and its ground truth."""

    kind: SceneKind
    image: Image = field(repr=False)
    corners: Corners | None = None  # page corners TL, TR, BR, BL (the page's own orientation)
    qr_text: str | None = None
    face_boxes: tuple[tuple[int, int, int, int], ...] = ()  # (x, y, w, h) of each face drawn

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


# -- building blocks ---------------------------------------------------------------------------


def _desk(rng: np.random.Generator, width: int, height: int) -> Image:
    """A desk surface: plain, wood grain or fabric. Kept darker than paper, as real desks are;
    a white page on a white desk has no edge any camera could find."""
    style = rng.choice(["plain", "wood", "fabric"])
    base = rng.uniform(25, 150, size=3)
    if style == "wood":
        base = np.array([rng.uniform(90, 150), rng.uniform(55, 95), rng.uniform(25, 55)])
    img = np.empty((height, width, 3), np.float32)
    img[:] = base
    if style == "wood":
        # Grain: low-frequency stripes along a random direction, wobbled by a second sine. Drawn
        # at half size and scaled up: the grain is smooth, and this halves generation time.
        hh, hw = height // 2, width // 2
        yy, xx = np.mgrid[0:hh, 0:hw].astype(np.float32) * 2
        angle = rng.uniform(0, math.pi)
        u = xx * math.cos(angle) + yy * math.sin(angle)
        v = -xx * math.sin(angle) + yy * math.cos(angle)
        grain = np.sin(u / rng.uniform(6, 14) + 3 * np.sin(v / rng.uniform(80, 200)))
        grain = cv2.resize(grain, (width, height), interpolation=cv2.INTER_LINEAR)
        img *= (1 + 0.12 * grain)[..., None]
    elif style == "fabric":
        coarse = rng.standard_normal((height // 4 + 1, width // 4 + 1), dtype=np.float32)
        noise = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
        img *= (1 + 0.08 * noise)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _page_texture(rng: np.random.Generator, landscape: bool) -> Image:
    """An A4 form at ~50 dpi: title, text lines, a table and sometimes a red seal (公章)."""
    w, h = 420, round(420 * A4_ASPECT)
    if landscape:
        w, h = h, w
    white = rng.uniform(232, 246)
    page = np.full((h, w, 3), white, np.uint8)
    page[..., 2] = np.uint8(max(0.0, white - rng.uniform(0, 6)))  # slightly warm paper
    ink = (40, 40, 45)
    mx = w // 10
    y = h // 12
    cv2.rectangle(page, (w // 3, y), (w * 2 // 3, y + h // 40), ink, -1)  # title
    y += h // 12
    while y < h * 0.55:
        end = int(rng.uniform(0.5, 0.9) * (w - 2 * mx))
        cv2.rectangle(page, (mx, y), (mx + end, y + max(2, h // 110)), ink, -1)
        y += h // 30
    # A table: form fields.
    top, rows = int(h * 0.6), 5
    bottom = top + rows * h // 24
    for r in range(rows + 1):
        yy = top + r * h // 24
        cv2.line(page, (mx, yy), (w - mx, yy), ink, 1)
    for x in (mx, w // 3, w - mx):
        cv2.line(page, (x, top), (x, bottom), ink, 1)
    if rng.random() < 0.5:
        centre = (int(w * 0.72), int(h * 0.88))
        cv2.circle(page, centre, h // 18, (200, 30, 30), 2)
        cv2.circle(page, centre, h // 80, (200, 30, 30), -1)
    return page


def _lighting(rng: np.random.Generator, width: int, height: int, gain: float) -> Image:
    """Light falloff: a linear ramp in a random direction times a vignette, scaled by gain.
    Computed on a coarse grid and scaled up: light varies slowly."""
    full = (width, height)
    width, height = 64, 36
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx / width - 0.5) * math.cos(angle) + (yy / height - 0.5) * math.sin(angle)
    light = 1 + rng.uniform(0.0, 0.25) * ramp
    r2 = ((xx / width - 0.5) ** 2 + (yy / height - 0.5) ** 2) / 0.5
    light *= 1 - rng.uniform(0.0, 0.2) * r2
    scaled: Image = cv2.resize(
        (light * gain).astype(np.float32), full, interpolation=cv2.INTER_LINEAR
    )
    return scaled


def _finish(rng: np.random.Generator, img: Image, blur_sigma: float, noise: float) -> Image:
    """Optics and sensor: a little defocus and Gaussian noise, then 8 bits."""
    if blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_sigma)
    if noise > 0:
        # OpenCV's generator is ~10x faster than NumPy's here; seeding it from `rng` keeps the
        # scene repeatable.
        grain: Image = np.empty(img.shape, np.float32)
        cv2.setRNGSeed(int(rng.integers(2**31)))
        cv2.randn(grain, np.array([0.0]), np.array([noise]))
        img = cv2.add(img, grain)
    return np.clip(img, 0, 255).astype(np.uint8)


def _paste(canvas: Image, texture: Image, dst: Corners, *, shadow: float = 0.0) -> None:
    """Warp `texture` so its corners land on `dst` (TL, TR, BR, BL) and blend it in place."""
    height, width = canvas.shape[:2]
    th, tw = texture.shape[:2]
    # Work only in the box around the page (plus room for the shadow): 3x faster than warping
    # whole frames, which matters when tests generate hundreds of scenes.
    pad = 40
    x0, y0 = (max(0, int(v) - pad) for v in dst.min(axis=0))
    x1, y1 = min(width, int(dst[:, 0].max()) + pad), min(height, int(dst[:, 1].max()) + pad)
    if x0 >= x1 or y0 >= y1:
        return
    roi = canvas[y0:y1, x0:x1]
    src = np.array([[0, 0], [tw, 0], [tw, th], [0, th]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, (dst - [x0, y0]).astype(np.float32))
    size = (x1 - x0, y1 - y0)
    alpha = cv2.warpPerspective(np.ones((th, tw), np.float32), matrix, size)
    if shadow > 0:
        # A soft drop shadow offset down-right, as from a ceiling light.
        shifted = np.array([[1, 0, 6], [0, 1, 8]], np.float32)
        soft = cv2.GaussianBlur(cv2.warpAffine(alpha, shifted, size), (0, 0), 6)
        roi *= (1 - shadow * soft)[..., None]
    warped = cv2.warpPerspective(texture.astype(np.float32), matrix, size)
    roi *= (1 - alpha)[..., None]
    roi += warped * alpha[..., None]


def _page_corners(
    rng: np.random.Generator, width: int, height: int, landscape: bool, cut_off: bool
) -> Corners:
    """Corners of a page lying on the desk: random size, rotation, position and perspective."""
    for _ in range(1000):
        long_side = rng.uniform(0.55, 0.95) * height
        pw, ph = (
            (long_side, long_side / A4_ASPECT) if landscape else (long_side / A4_ASPECT, long_side)
        )
        angle = math.radians(rng.uniform(-30, 30))
        local = np.array([[-pw, -ph], [pw, -ph], [pw, ph], [-pw, ph]], np.float32) / 2
        # Perspective: a camera not straight above the desk makes the far edge shorter.
        local += rng.uniform(-0.06, 0.06, size=(4, 2)).astype(np.float32) * [pw, ph]
        tilt = rng.uniform(-0.08, 0.08)
        local[:2, 0] *= 1 - tilt
        local[2:, 0] *= 1 + tilt
        rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        centre = rng.uniform([0.25 * width, 0.3 * height], [0.75 * width, 0.7 * height])
        corners: Corners = (local @ rot.T + centre).astype(np.float32)
        margin = 0.03 * min(width, height)
        inside = (
            (corners[:, 0] > margin)
            & (corners[:, 0] < width - margin)
            & (corners[:, 1] > margin)
            & (corners[:, 1] < height - margin)
        )
        if cut_off:
            # At least one corner clearly outside the frame, but most of the page in view.
            outside = (
                (corners[:, 0] < -0.05 * width)
                | (corners[:, 0] > 1.05 * width)
                | (corners[:, 1] < -0.05 * height)
                | (corners[:, 1] > 1.05 * height)
            )
            if outside.any() and inside.sum() >= 2:
                return corners
            continue
        if inside.all():
            return corners
    raise RuntimeError("could not place a page")  # pragma: no cover - 1000 tries always suffice


# -- scenes ------------------------------------------------------------------------------------


def document_scene(
    rng: np.random.Generator,
    width: int = 1280,
    height: int = 720,
    *,
    blur_sigma: float | None = None,
    gain: float | None = None,
    glare: bool = False,
    cut_off: bool = False,
) -> Scene:
    """An A4 page on a desk. `blur_sigma`, `gain` (lighting) and `glare` degrade it on purpose;
    `cut_off` places it partly outside the frame."""
    landscape = bool(rng.random() < 0.2)
    corners = _page_corners(rng, width, height, landscape, cut_off)
    canvas = _desk(rng, width, height).astype(np.float32)
    _paste(canvas, _page_texture(rng, landscape), corners, shadow=rng.uniform(0, 0.35))
    if gain is None:
        gain = rng.uniform(0.78, 0.92)  # auto-exposure keeps paper below saturation
    canvas *= _lighting(rng, width, height, gain)[..., None]
    if glare:
        # A specular reflection of a ceiling lamp on the page: a saturated soft ellipse.
        centre = corners.mean(axis=0) + rng.uniform(-0.15, 0.15, 2) * (corners[2] - corners[0])
        spot: Image = np.zeros((height, width), np.float32)
        axes = (int(0.09 * height), int(0.05 * height))
        cv2.ellipse(
            spot, (int(centre[0]), int(centre[1])), axes, rng.uniform(0, 180), 0, 360, 1.0, -1
        )
        spot = cv2.GaussianBlur(spot, (0, 0), 0.02 * height)
        canvas += 400 * np.clip(spot * 1.5, 0, 1)[..., None]
    sigma = rng.uniform(0.3, 0.9) if blur_sigma is None else blur_sigma
    image = _finish(rng, canvas, sigma, rng.uniform(1.5, 4.0))
    return Scene("document", image, corners=corners)


def upright_document_scene(width: int = 1280, height: int = 720) -> Scene:
    """The simulator's default: a straight A4 page on a grey desk, no noise, evenly lit."""
    page_h = height * 0.8
    page_w = page_h / A4_ASPECT
    left = (width - page_w) / 2 + width / 40
    top = (height - page_h) / 2
    corners = np.array(
        [[left, top], [left + page_w, top], [left + page_w, top + page_h], [left, top + page_h]],
        np.float32,
    )
    canvas = np.empty((height, width, 3), np.float32)
    canvas[:] = DESK_GREY
    _paste(canvas, _page_texture(np.random.default_rng(0), False), corners)
    return Scene("document", np.clip(canvas, 0, 255).astype(np.uint8), corners=corners)


DESK_GREY = (96, 96, 96)


def qr_image(text: str, box_size: int = 6, *, mixed_segments: bool = False) -> Image:
    """A QR code of `text` (UTF-8, error correction M, quiet zone 4) as RGB.

    By default the whole text is one byte segment, as phone apps and most generators write it.
    `mixed_segments=True` lets python-qrcode split off alphanumeric runs (a USCC before a
    Chinese name): OpenCV 4.14 cannot decode that mix (it returns nothing), see the QR tests."""
    import qrcode

    code = qrcode.QRCode(
        border=4, box_size=box_size, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    code.add_data(text.encode("utf-8"), optimize=20 if mixed_segments else 0)
    code.make(fit=True)
    matrix = np.array(code.get_matrix(), dtype=bool)
    gray = np.where(matrix, 0, 255).astype(np.uint8)
    gray = np.kron(gray, np.ones((box_size, box_size), np.uint8))
    return np.repeat(gray[..., None], 3, axis=2)


def qr_scene(text: str, rng: np.random.Generator, width: int = 1280, height: int = 720) -> Scene:
    """A printed QR code (a slip or phone screen) held up to the camera at a random pose."""
    code = qr_image(text)
    side = rng.uniform(0.35, 0.6) * height
    angle = math.radians(rng.uniform(-25, 25))
    local = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * side / 2
    local += rng.uniform(-0.05, 0.05, size=(4, 2)).astype(np.float32) * side
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    centre = rng.uniform([0.3 * width, 0.35 * height], [0.7 * width, 0.65 * height])
    corners = (local @ rot.T + centre).astype(np.float32)
    canvas = _desk(rng, width, height).astype(np.float32)
    _paste(canvas, code, corners)
    canvas *= _lighting(rng, width, height, rng.uniform(0.7, 1.0))[..., None]
    image = _finish(rng, canvas, rng.uniform(0.3, 1.0), rng.uniform(1.5, 4.0))
    return Scene("qr", image, corners=corners, qr_text=text)


@cache
def _face_asset() -> Image:
    bgr = cv2.imread(str(FACE_ASSET), cv2.IMREAD_COLOR)
    if bgr is None:  # pragma: no cover - the asset ships with the code
        raise FileNotFoundError(FACE_ASSET)
    rgb: Image = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return rgb


def face_scene(
    width: int = 1280,
    height: int = 720,
    *,
    count: int = 1,
    scale: float = 0.75,
    offset: tuple[float, float] = (0.0, 0.0),
    gain: float = 1.0,
    rng: np.random.Generator | None = None,
) -> Scene:
    """The public-domain portrait pasted `count` times on a plain wall.

    `scale` is the portrait's height as a share of the frame height; `offset` moves the first
    portrait from the centre by a share of the frame size; `gain` scales the light.
    """
    rng = rng or np.random.default_rng(0)
    portrait = _face_asset()
    ph = max(8, int(height * scale))
    pw = max(8, int(ph * portrait.shape[1] / portrait.shape[0]))
    small = cv2.resize(portrait, (pw, ph), interpolation=cv2.INTER_AREA)
    canvas = np.empty((height, width, 3), np.float32)
    canvas[:] = (200, 200, 195)
    boxes: list[tuple[int, int, int, int]] = []
    # Where the face sits in the asset (Haar box on the 200×250 original), to report ground truth.
    fx, fy, fs = 55 / 200, 54 / 250, 80 / 200
    for i in range(count):
        if i == 0:
            cx = width / 2 + offset[0] * width
            cy = height / 2 + offset[1] * height
        else:
            cx = width * (0.5 + 0.3 * (1 if i % 2 else -1))
            cy = height / 2
        x0, y0 = int(cx - pw / 2), int(cy - ph / 2)
        xa, ya = max(0, x0), max(0, y0)
        xb, yb = min(width, x0 + pw), min(height, y0 + ph)
        if xa >= xb or ya >= yb:
            continue
        canvas[ya:yb, xa:xb] = small[ya - y0 : yb - y0, xa - x0 : xb - x0]
        boxes.append((int(x0 + fx * pw), int(y0 + fy * ph), int(fs * pw), int(fs * pw)))
    canvas *= gain
    image = _finish(rng, canvas, 0.0, 2.0)
    return Scene("face", image, face_boxes=tuple(boxes))


def black_scene(width: int = 1280, height: int = 720) -> Scene:
    """What a dead sensor or a capped lens delivers: all zeros."""
    return Scene("black", np.zeros((height, width, 3), np.uint8))
