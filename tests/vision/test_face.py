"""Face photo guidance with OpenCV's Haar cascade on the public-domain portrait."""

from __future__ import annotations

import pytest

from drivers.camera import scenes
from drivers.camera.face_guide import FaceGuide, FaceLimits
from drivers.camera.vision import Guidance, array_frame


@pytest.fixture(scope="module")
def guide() -> FaceGuide:
    return FaceGuide()


def test_the_asset_has_exactly_one_face(guide: FaceGuide) -> None:
    portrait = scenes._face_asset()
    assert len(guide.detect(portrait)) == 1


def test_a_centred_well_lit_face_is_ready(guide: FaceGuide) -> None:
    scene = scenes.face_scene()
    result = guide.analyze(array_frame(scene.image))
    assert result.reasons == ()
    assert result.box is not None
    x, y, w, h = result.box
    tx, ty, tw, th = scene.face_boxes[0]
    # Same face as the ground truth: centres within a third of its size.
    assert abs((x + w / 2) - (tx + tw / 2)) < tw / 3
    assert abs((y + h / 2) - (ty + th / 2)) < th / 3


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"scale": 0.5}, Guidance.FACE_TOO_SMALL),
        ({"offset": (0.25, 0.0)}, Guidance.FACE_OFF_CENTRE),
        ({"gain": 0.4}, Guidance.FACE_TOO_DARK),
        ({"count": 2, "scale": 0.6}, Guidance.FACE_MULTIPLE),
    ],
)
def test_guidance_names_the_problem(
    guide: FaceGuide, options: dict[str, object], reason: Guidance
) -> None:
    scene = scenes.face_scene(**options)  # type: ignore[arg-type]
    assert reason in guide.analyze(array_frame(scene.image)).reasons


def test_no_face_and_too_close() -> None:
    guide = FaceGuide(limits=FaceLimits(max_height=0.2))
    assert guide.analyze(array_frame(scenes.black_scene(640, 360).image)).reasons == (
        Guidance.FACE_NOT_FOUND,
    )
    result = guide.analyze(array_frame(scenes.face_scene().image))
    assert Guidance.FACE_TOO_CLOSE in result.reasons


def test_face_capture_is_a_portrait_jpeg(guide: FaceGuide) -> None:
    frame = array_frame(scenes.face_scene().image)
    result = guide.analyze(frame)
    assert result.box is not None
    photo = FaceGuide.capture(frame, result.box)
    assert photo.jpeg[:3] == b"\xff\xd8\xff"
    assert photo.height > photo.width
    photo.wipe()
    assert len(photo.jpeg) == 0
