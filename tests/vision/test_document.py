"""Document capture on generated desk scenes with known page corners.

The detection test prints its rate: run with `-s` (or read the captured output) to see it.
"""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera import scenes
from drivers.camera.scenes import A4_ASPECT
from drivers.camera.vision import (
    DocumentScanner,
    Guidance,
    array_frame,
    find_page,
    page_corner_error,
)

SCENES = 110
MAX_ERROR = 0.02  # of the page diagonal
MIN_RATE = 0.95


def test_page_corners_found_within_2_percent_of_the_diagonal() -> None:
    rng = np.random.default_rng(20250101)
    errors = []
    for _ in range(SCENES):
        scene = scenes.document_scene(rng)
        assert scene.corners is not None
        found = find_page(scene.image)
        errors.append(
            1.0 if found.corners is None else page_corner_error(found.corners, scene.corners)
        )
    rate = float(np.mean(np.array(errors) < MAX_ERROR))
    print(
        f"\npage detection: {rate:.1%} of {SCENES} scenes within {MAX_ERROR:.0%} of the diagonal "
        f"(median error {np.median(errors):.2%}, worst {max(errors):.2%})"
    )
    assert rate >= MIN_RATE


def test_corner_error_measure_can_fail() -> None:
    scene = scenes.document_scene(np.random.default_rng(1))
    assert scene.corners is not None
    shifted = scene.corners + np.float32([25, 0])
    assert page_corner_error(scene.corners, scene.corners) == 0.0
    assert page_corner_error(np.roll(scene.corners, 1, axis=0), scene.corners) == 0.0
    assert page_corner_error(shifted, scene.corners) > MAX_ERROR


def test_an_empty_desk_has_no_page() -> None:
    rng = np.random.default_rng(5)
    desk = scenes._desk(rng, 1280, 720)
    assert find_page(desk).corners is None


@pytest.mark.parametrize(
    ("degrade", "reason"),
    [
        ({"blur_sigma": 3.0}, Guidance.BLURRED),
        ({"gain": 0.3}, Guidance.TOO_DARK),
        ({"glare": True}, Guidance.GLARE),
        ({"cut_off": True}, Guidance.PAGE_CUT_OFF),
    ],
)
def test_quality_checks_name_the_problem(degrade: dict[str, object], reason: Guidance) -> None:
    rng = np.random.default_rng(42)
    for _ in range(5):
        scene = scenes.document_scene(rng, **degrade)  # type: ignore[arg-type]
        guidance = DocumentScanner().analyze(array_frame(scene.image, 1, 10.0))
        assert reason in guidance.reasons, guidance
        assert guidance.captured is None


def test_good_pages_have_no_complaint_but_hold_still() -> None:
    rng = np.random.default_rng(43)
    for _ in range(10):
        scene = scenes.document_scene(rng)
        guidance = DocumentScanner().analyze(array_frame(scene.image, 1, 10.0))
        # The first sight of a page always asks to hold still; nothing else may be wrong.
        assert guidance.reasons == (Guidance.HOLD_STILL,), guidance.quality
        assert guidance.outline is not None and len(guidance.outline) == 4


def _frames(image: np.ndarray, start: float, step: float, count: int) -> list:
    return [array_frame(image, i + 1, start + i * step) for i in range(count)]


def test_auto_capture_after_the_page_was_still_for_the_configured_time() -> None:
    scene = scenes.document_scene(np.random.default_rng(7))
    scanner = DocumentScanner(still_s=1.0)
    results = [scanner.analyze(f) for f in _frames(scene.image, 100.0, 1 / 30, 40)]
    captured = [i for i, r in enumerate(results) if r.captured is not None]
    # Frame 0 starts the still period at t=100; frame 30 is at t=101.0: the first to qualify.
    assert captured == [30]
    assert 0 < results[15].steady < 1 and results[15].reasons == ()
    page = results[30].captured
    assert page is not None and not page.manual
    assert page.jpeg[:3] == b"\xff\xd8\xff"
    long_side, short_side = max(page.width, page.height), min(page.width, page.height)
    assert abs(long_side / short_side - A4_ASPECT) < 0.01


def test_a_moving_page_is_not_captured() -> None:
    rng = np.random.default_rng(8)
    scanner = DocumentScanner(still_s=0.5)
    for i in range(15):  # a new pose on every frame: the walk-in is still placing the page
        scene = scenes.document_scene(rng)
        result = scanner.analyze(array_frame(scene.image, i + 1, 100 + i / 30))
        assert result.captured is None
        if result.outline is not None:
            assert Guidance.HOLD_STILL in result.reasons or result.reasons


def test_manual_shutter_captures_the_next_frame_even_if_blurred() -> None:
    scene = scenes.document_scene(np.random.default_rng(9), blur_sigma=3.0)
    scanner = DocumentScanner()
    frame = array_frame(scene.image, 1, 5.0)
    assert scanner.analyze(frame).captured is None
    scanner.shutter()
    result = scanner.analyze(array_frame(scene.image, 2, 5.1))
    assert result.captured is not None and result.captured.manual
    assert Guidance.BLURRED in result.reasons
    # No page at all: the shutter takes the whole frame.
    scanner.shutter()
    empty = scanner.analyze(array_frame(scenes.black_scene(640, 360).image, 3, 5.2))
    assert empty.reasons == (Guidance.PAGE_NOT_FOUND,)
    assert empty.captured is not None and (empty.captured.width, empty.captured.height) == (
        640,
        360,
    )


def test_wipe_zeroes_captured_images() -> None:
    scene = scenes.document_scene(np.random.default_rng(10))
    scanner = DocumentScanner()
    scanner.shutter()
    captured = scanner.analyze(array_frame(scene.image, 1, 1.0)).captured
    assert captured is not None
    buffer = captured.jpeg
    assert len(buffer) > 1000
    scanner.wipe()
    assert len(buffer) == 0 and captured.jpeg == bytearray()
