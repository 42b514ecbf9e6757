"""LivePreview: the worker that feeds the capture screens, over the camera simulator."""

from __future__ import annotations

import threading

import numpy as np

from drivers.camera import scenes
from drivers.camera.preview import LivePreview, PreviewUpdate
from drivers.camera.simulator import SimulatedCamera
from drivers.camera.vision import DocumentScanner, Guidance


def test_document_mode_outlines_the_page_and_auto_captures() -> None:
    camera = SimulatedCamera(1280, 720, scene="document", seed=11)
    preview = LivePreview(camera, lambda _u: None, scanner=DocumentScanner(still_s=0.0))
    first = preview.analyze(camera.capture_still())
    assert first.outline is not None and len(first.outline) == 4
    assert first.reasons == (Guidance.HOLD_STILL,)
    second = preview.analyze(camera.capture_still())
    assert second.captured is not None
    assert second.captured.jpeg[:3] == b"\xff\xd8\xff"
    # Events appear once: the next frame carries no new capture (auto-capture is disarmed).
    assert preview.analyze(camera.capture_still()).captured is None

    jpeg = second.captured.jpeg
    preview.wipe()
    assert len(jpeg) == 0 and preview.latest() is None
    camera.close()


def test_face_mode_reports_the_box() -> None:
    camera = SimulatedCamera(1280, 720, scene="face")
    preview = LivePreview(camera, lambda _u: None, mode="face")
    update = preview.analyze(camera.capture_still())
    assert update.face is not None and update.reasons == ()
    camera.close()


def test_qr_worker_reports_a_code_once_and_errors_reach_the_listener() -> None:
    text = "受理编号 QH-001-20250115-0042"
    camera = SimulatedCamera(1280, 720, fps=30, scene="qr", qr_text=text, seed=5)
    got_code = threading.Event()
    got_error = threading.Event()
    updates: list[PreviewUpdate] = []

    def on_update(update: PreviewUpdate) -> None:
        updates.append(update)
        if update.qr is not None:
            got_code.set()
        if update.error is not None:
            got_error.set()

    preview = LivePreview(camera, on_update, mode="qr", retry_s=0.05)
    preview.start()
    try:
        assert got_code.wait(10)
        camera.unplug()
        assert got_error.wait(10)
    finally:
        preview.stop()
        camera.close()
    codes = [u.qr for u in updates if u.qr is not None]
    assert [c.text for c in codes] == [text]  # once, although it stayed in view
    assert any(u.error == "CAMERA_UNAVAILABLE" for u in updates)
    assert all(u.frame is None for u in updates if u.error)


def test_mode_switch_and_plain_frames() -> None:
    camera = SimulatedCamera(320, 240)
    preview = LivePreview(camera, lambda _u: None, mode="plain")
    update = preview.analyze(camera.capture_still())
    assert update.outline is None and update.reasons == () and update.frame is not None
    preview.set_mode("document")
    assert preview.analyze(camera.capture_still()).mode == "document"
    try:
        preview.set_mode("video")  # type: ignore[arg-type]
    except ValueError as exc:
        assert "video" in str(exc)
    else:
        raise AssertionError("unknown mode accepted")
    camera.close()


def test_scanner_reads_degraded_scenes_from_the_simulator() -> None:
    camera = SimulatedCamera(1280, 720)
    camera.show(scenes.document_scene(np.random.default_rng(1), gain=0.3))
    preview = LivePreview(camera, lambda _u: None)
    assert Guidance.TOO_DARK in preview.analyze(camera.capture_still()).reasons
    camera.close()
