"""Vision: page detection + quality checks per 1280x720 frame, QR and face speed, live CPU share.

`python -m bench vision --json`. Single-thread figures run with `cv2.setNumThreads(1)`. The live
figures run the real pipeline — `OpenCVCamera`'s worker reading a simulated 30 fps MJPG camera
(JPEG decoding included, as with a UVC camera) and `LivePreview` analysing every frame — and
report process CPU time over wall time (1.0 = one core). Goals (issue 6): page detection +
quality >= 60 fps on one thread, QR >= 10 fps in a worker, live pipeline < 50 % of one core.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import cv2
import numpy as np

from drivers.camera import scenes
from drivers.camera.face_guide import FaceGuide
from drivers.camera.opencv import OpenCVCamera
from drivers.camera.preview import LivePreview, Mode, PreviewUpdate
from drivers.camera.simulator import SimulatedDevice
from drivers.camera.vision import (
    DocumentScanner,
    QrReader,
    array_frame,
    encode_jpeg,
    page_corner_error,
    warp_page,
)

WIDTH, HEIGHT = 1280, 720
KEYS = (
    "runs",
    "frame",
    "page_detect_quality_fps_1thread",
    "page_corner_rate_2pct",
    "capture_warp_jpeg_ms",
    "qr_decode_fps_1thread",
    "qr_decode_rate",
    "face_guide_fps_1thread",
    "live_document_cpu_share",
    "live_document_preview_fps",
    "live_document_cpu_share_cv2_threads",
    "live_qr_cpu_share",
    "live_qr_preview_fps",
    "live_face_cpu_share",
    "live_face_preview_fps",
)


def _per_second(calls: list[float]) -> float:
    return round(1 / statistics.median(calls), 1)


def _live(mode: Mode, seconds: float, threads: int, warm_s: float) -> dict[str, float]:
    cv2.setNumThreads(threads)
    device = SimulatedDevice(WIDTH, HEIGHT, fps=30, scene="document", seed=4, mjpeg=True)
    if mode == "qr":
        device.set_scene("qr", seed=4, qr_text="受理编号 QH-001-20250115-0042")
    elif mode == "face":
        device.set_scene("face")
    camera = OpenCVCamera("/dev/sim", WIDTH, HEIGHT, 30, open_capture=lambda _d: device.open())
    updates: list[PreviewUpdate] = []
    # Auto-capture off (still_s huge): steady state is what runs for most of a capture screen.
    preview = LivePreview(camera, updates.append, mode=mode, scanner=DocumentScanner(still_s=1e9))
    camera.capture_still()  # opened and streaming
    preview.start()
    time.sleep(warm_s)
    n0, cpu0, wall0 = len(updates), time.process_time(), time.monotonic()
    time.sleep(seconds)
    cpu, wall, n = time.process_time() - cpu0, time.monotonic() - wall0, len(updates) - n0
    preview.stop()
    camera.close()
    return {"cpu_share": round(cpu / wall, 3), "preview_fps": round(n / wall, 1)}


def run(runs: int = 5, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: 4 documents, 2 QR codes and half a second of each live pipeline."""
    rng = np.random.default_rng(6)
    docs = [scenes.document_scene(rng, WIDTH, HEIGHT) for _ in range(4 if quick else 40)]
    qrs = [
        scenes.qr_scene(f"受理编号 QH-001-20250115-{i:04d}", rng, WIDTH, HEIGHT)
        for i in range(2 if quick else 20)
    ]
    faces = [scenes.face_scene(WIDTH, HEIGHT, scale=s) for s in (0.6, 0.75, 0.9)]

    cv2.setNumThreads(1)
    detect, warp, qr, face = [], [], [], []
    hits = 0
    for _ in range(runs):
        scanner = DocumentScanner(still_s=1e9)
        frames = [array_frame(s.image, i + 1, i / 30) for i, s in enumerate(docs)]
        t0 = time.perf_counter()
        results = [scanner.analyze(f) for f in frames]
        detect.append((time.perf_counter() - t0) / len(frames))
        hits = sum(
            r.outline is not None
            and len(r.outline) == 4
            and page_corner_error(np.float32(r.outline), s.corners) < 0.02  # type: ignore[arg-type]
            for r, s in zip(results, docs, strict=True)
        )
        t0 = time.perf_counter()
        for s in docs[:10]:
            encode_jpeg(warp_page(s.image, s.corners))  # type: ignore[arg-type]
        warp.append((time.perf_counter() - t0) / len(docs[:10]))
        reader = QrReader()
        t0 = time.perf_counter()
        decoded = sum(reader.decode(s.image) is not None for s in qrs)
        qr.append((time.perf_counter() - t0) / len(qrs))
        guide = FaceGuide()
        t0 = time.perf_counter()
        for s in faces:
            guide.analyze(array_frame(s.image))
        face.append((time.perf_counter() - t0) / len(faces))

    seconds, warm_s = (0.5, 0.2) if quick else (3.0, 0.5)
    live_doc = _live("document", seconds, 1, warm_s)
    # OpenCV's own thread pool (2 cores here)
    live_doc_default = _live("document", seconds, 0, warm_s)
    live_qr = _live("qr", seconds, 1, warm_s)
    live_face = _live("face", seconds, 1, warm_s)
    cv2.setNumThreads(-1)
    return {
        "runs": runs,
        "frame": f"{WIDTH}x{HEIGHT}",
        "page_detect_quality_fps_1thread": _per_second(detect),
        "page_corner_rate_2pct": round(hits / len(docs), 3),
        "capture_warp_jpeg_ms": round(1000 * statistics.median(warp), 1),
        "qr_decode_fps_1thread": _per_second(qr),
        "qr_decode_rate": round(decoded / len(qrs), 3),
        "face_guide_fps_1thread": _per_second(face),
        "live_document_cpu_share": live_doc["cpu_share"],
        "live_document_preview_fps": live_doc["preview_fps"],
        "live_document_cpu_share_cv2_threads": live_doc_default["cpu_share"],
        "live_qr_cpu_share": live_qr["cpu_share"],
        "live_qr_preview_fps": live_qr["preview_fps"],
        "live_face_cpu_share": live_face["cpu_share"],
        "live_face_preview_fps": live_face["preview_fps"],
    }
