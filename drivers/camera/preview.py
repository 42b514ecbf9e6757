"""The live preview behind the capture screens: frames from a Camera, analysed, handed to the UI.

`LivePreview` runs a worker thread that takes each new frame from the camera, runs the current
mode's analysis and calls `on_update(PreviewUpdate)` — on the worker thread; a Qt bridge
forwards it with a queued signal and copies the pixels into a QImage. Modes:

- "document": `DocumentScanner` on every frame (page outline, guidance, auto-capture, shutter);
- "qr": a second worker decodes the newest frame whenever it is free (QR decoding is slower than
  the camera), so the preview never waits for it; a decoded code rides on the next update once;
- "face": `FaceGuide` on every third frame (the Haar cascade is the costliest step, ~30 ms at
  1280x720; 10 checks a second are plenty for framing hints, and the last box is reused between);
- "plain": frames only.

Captured images exist only in memory; `wipe()` zeroes them and drops every frame reference, and
the session's wipe must call it. Nothing here writes pixels to disk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from drivers.camera.base import Camera, Frame
from drivers.camera.face_guide import FaceGuide
from drivers.camera.vision import (
    Box,
    CapturedImage,
    DocumentScanner,
    Guidance,
    Point,
    QrCode,
    QrReader,
)
from drivers.errors import CameraError

log = logging.getLogger(__name__)

Mode = Literal["document", "qr", "face", "plain"]
MODES: tuple[Mode, ...] = ("document", "qr", "face", "plain")


@dataclass(frozen=True)
class PreviewUpdate:
    """One preview tick.

    `frame` is None when the camera failed; then `error` holds its failure code
    (CAMERA_UNAVAILABLE / CAMERA_FROZEN). `outline` is the page outline (document mode) or the
    QR code's corners (qr mode) in frame pixels. `face` is the single face's box. `steady` is
    the 0..1 progress of "hold still". `qr` and `captured` are events: set on one update only.
    """

    mode: Mode
    frame: Frame | None
    outline: tuple[Point, ...] | None = None
    reasons: tuple[Guidance, ...] = ()
    steady: float = 0.0
    face: Box | None = None
    qr: QrCode | None = None
    captured: CapturedImage | None = None
    error: str | None = None


class LivePreview:
    """Pulls frames from `camera` in a worker thread and publishes `PreviewUpdate`s."""

    def __init__(
        self,
        camera: Camera,
        on_update: Callable[[PreviewUpdate], None],
        *,
        mode: Mode = "document",
        max_fps: float = 30.0,
        scanner: DocumentScanner | None = None,
        face_guide: FaceGuide | None = None,
        qr_reader: QrReader | None = None,
        qr_max_fps: float = 10.0,
        face_every: int = 3,
        retry_s: float = 0.5,
    ) -> None:
        self._camera = camera
        self._on_update = on_update
        self._mode: Mode = mode
        self._min_interval = 1.0 / max_fps
        self.scanner = scanner or DocumentScanner()
        self._face_guide = face_guide
        self._qr_reader = qr_reader
        self._retry_s = retry_s
        # Decoding every camera frame would take half a core for nothing: a code held up to the
        # camera stays in view for seconds, and ~10 tries a second find it at once.
        self._qr_interval = 1.0 / qr_max_fps
        self._face_every = max(1, face_every)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._latest: PreviewUpdate | None = None
        self._face_cache: tuple[Box | None, tuple[Guidance, ...]] = (None, ())
        self._face_tick = 0
        self._captures: list[CapturedImage] = []
        # QR worker hand-off: the newest frame to decode, and the newest result to publish.
        self._qr_wake = threading.Condition(self._lock)
        self._qr_frame: Frame | None = None
        self._qr_found: QrCode | None = None
        self._qr_last_text: str | None = None
        self.frames = 0  # frames analysed, for the benchmark

    # -- control (any thread) ------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        for name, target in (("camera-preview", self._run), ("camera-qr", self._run_qr)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        with self._qr_wake:
            self._qr_wake.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode) -> None:
        if mode not in MODES:
            raise ValueError(f"preview mode must be one of {', '.join(MODES)}, not {mode!r}")
        with self._lock:
            self._mode = mode
            self._qr_last_text = None
            self._qr_found = None
        self.scanner.reset()
        log.info("preview mode: %s", mode)

    def shutter(self) -> None:
        """Manual capture in document mode: the next frame is captured whatever its quality."""
        self.scanner.shutter()

    def retake(self) -> None:
        """Arm auto-capture again and forget the last QR code (the walk-in wants another go)."""
        self.scanner.reset()
        with self._lock:
            self._qr_last_text = None

    def latest(self) -> PreviewUpdate | None:
        with self._lock:
            return self._latest

    def wipe(self) -> None:
        """End of session: zero every captured image and drop all frames and results."""
        self.scanner.wipe()
        with self._lock:
            for image in self._captures:
                image.wipe()
            self._captures.clear()
            self._latest = None
            self._qr_frame = None
            self._qr_found = None
            self._qr_last_text = None
            self._face_cache = (None, ())

    # -- workers -------------------------------------------------------------------------------

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                frame = self._camera.capture_still()
            except CameraError as exc:
                self._publish(PreviewUpdate(self._mode, None, error=exc.code))
                self._stop.wait(self._retry_s)
                continue
            try:
                self._publish(self.analyze(frame))
            except Exception:  # a vision bug must not kill the preview; log and go on
                log.exception("preview analysis failed")
            # Cameras that render on demand (the simulator) would otherwise spin.
            next_at = max(next_at + self._min_interval, time.monotonic())
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def analyze(self, frame: Frame) -> PreviewUpdate:
        """Run the current mode's analysis on one frame (the worker's step; public for tests)."""
        mode = self._mode
        self.frames += 1
        if mode == "document":
            result = self.scanner.analyze(frame)
            if result.captured is not None:
                with self._lock:
                    self._captures.append(result.captured)
            return PreviewUpdate(
                mode, frame, result.outline, result.reasons, result.steady, captured=result.captured
            )
        if mode == "face":
            guide = self._face_guide = self._face_guide or FaceGuide()
            self._face_tick += 1
            if self._face_tick % self._face_every == 1 % self._face_every or self._face_cache == (
                None,
                (),
            ):
                found = guide.analyze(frame)
                self._face_cache = (found.box, found.reasons)
            box, reasons = self._face_cache
            return PreviewUpdate(mode, frame, reasons=reasons, face=box)
        if mode == "qr":
            with self._qr_wake:
                self._qr_frame = frame
                code, self._qr_found = self._qr_found, None
                self._qr_wake.notify_all()
            return PreviewUpdate(mode, frame, None if code is None else code.corners, qr=code)
        return PreviewUpdate(mode, frame)

    def _run_qr(self) -> None:
        reader = self._qr_reader
        while not self._stop.is_set():
            started = time.monotonic()
            with self._qr_wake:
                while self._qr_frame is None and not self._stop.is_set():
                    self._qr_wake.wait(0.5)
                frame, self._qr_frame = self._qr_frame, None
            if frame is None:
                continue
            reader = reader or QrReader()
            try:
                code = reader.decode(frame)
            except Exception:
                log.exception("QR decoding failed")
                code = None
            self._stop.wait(max(0.0, started + self._qr_interval - time.monotonic()))
            if code is None:
                continue
            with self._lock:
                # Report each code once while it stays in view.
                if code.text != self._qr_last_text and self._mode == "qr":
                    self._qr_last_text = code.text
                    self._qr_found = code
                    log.info("QR code read (%d characters)", len(code.text))

    def _publish(self, update: PreviewUpdate) -> None:
        with self._lock:
            self._latest = update
        try:
            self._on_update(update)
        except Exception:
            log.exception("preview listener failed")
