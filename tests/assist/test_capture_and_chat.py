"""Issue 14, finding 9: no stored XSS through a help call.

A kiosk names a blob as a capture: the broker takes only a JPEG or PNG whose bytes say so (HTML
uploaded as a blob and named a capture is refused with ``frame_refused``, and a ``text/html``
media type does not even parse), and the hall serves a capture with the type its bytes show,
sandboxed, never sniffed, inline only as an image. A chat line's sender is the side whose
socket carried it: a kiosk cannot speak as the helper, nor a helper as the walk-in.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import requests
from websockets.exceptions import ConnectionClosed

from remote_assist import protocol as p
from tests.assist.enrolled import Station, helper_frames_until, open_call, station
from tests.hall.helpers import seal_blob

__all__ = ["station"]  # the fixture, imported for pytest

HTML = b"<!doctype html><script>fetch('/api/v1/auth/me').then(r=>r.text()).then(alert)</script>"
# The first bytes of a baseline JPEG and of a PNG: the hall reads signatures, not pictures.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def upload(station: Station, data: bytes) -> str:
    """PUT ``data`` as the kiosk does: sealed to the hall's key, signed over its name."""
    sha = hashlib.sha256(data).hexdigest()
    response = requests.put(
        f"{station.hall.url}/api/v1/blobs/{sha}",
        data=seal_blob(station.hall, data),
        headers={"content-type": "application/octet-stream"},
        auth=station.identity.requests_auth(),
        timeout=5,
    )
    assert response.status_code in (200, 201), response.text
    return sha


def capture_url(station: Station, session_id: str, material: str = "id_front") -> str:
    return f"{station.hall.url}/api/v1/assist/sessions/{session_id}/captures/{material}"


def test_html_named_as_a_capture_is_refused(station: Station) -> None:
    call = open_call(station)
    kiosk, lin, helper, session_id = call.kiosk, call.lin, call.helper, call.session_id
    try:
        kiosk.send(p.ConsentGranted())  # the helper may see captures: only the type stops it
        helper.recv_until(p.ConsentGranted)
        html = upload(station, HTML)
        kiosk.send(p.CaptureAttached(material_id="id_front", sha256=html, media_type="image/png"))
        refused = kiosk.until(p.FrameRefused)[-1]
        assert refused == p.FrameRefused(refused="capture_attached", reason="CAPTURE_NOT_IMAGE")
        # A real PNG named a JPEG is refused too: the type is the bytes', not the kiosk's word.
        png = upload(station, PNG)
        kiosk.send(p.CaptureAttached(material_id="id_front", sha256=png, media_type="image/jpeg"))
        assert kiosk.until(p.FrameRefused)[-1].reason == "CAPTURE_NOT_IMAGE"  # type: ignore[union-attr]
        # Nothing reached the helper, and the hall serves nothing under that name.
        helper.send(p.Guidance(text="marker"))
        kiosk.until(p.Guidance)
        response = lin.get(capture_url(station, session_id), timeout=5)
        assert response.status_code == 404, response.headers
        # A frame that names a type other than JPEG or PNG is not the protocol at all.
        frame = json.loads(
            p.dump(
                p.CaptureAttached(material_id="id_front", sha256=html, media_type="image/png"), 99
            )
        )
        frame["body"]["media_type"] = "text/html"
        kiosk.ws.send(json.dumps(frame))
        with pytest.raises(ConnectionClosed):
            kiosk.until(p.End)
        assert kiosk.ws.close_code == 4400
    finally:
        helper.close()
        kiosk.close()


@pytest.mark.parametrize(
    ("data", "kind"), [(JPEG, "image/jpeg"), (PNG, "image/png")], ids=["jpeg", "png"]
)
def test_a_served_capture_is_a_sandboxed_image(station: Station, data: bytes, kind: str) -> None:
    call = open_call(station)
    kiosk, lin, helper, session_id = call.kiosk, call.lin, call.helper, call.session_id
    try:
        kiosk.send(p.ConsentGranted())
        helper.recv_until(p.ConsentGranted)
        sha = upload(station, data)
        kiosk.send(p.CaptureAttached(material_id="id_front", sha256=sha, media_type=kind))
        assert helper.recv_until(p.CaptureAttached).sha256 == sha
        response = lin.get(capture_url(station, session_id), timeout=5)
        assert response.status_code == 200
        assert response.content == data
        assert response.headers["content-type"] == kind
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = [d.strip() for d in response.headers["content-security-policy"].split(";")]
        assert "sandbox" in policy and "default-src 'none'" in policy
        assert response.headers["content-disposition"].startswith("inline")
        assert response.headers["cache-control"] == "no-store"
    finally:
        helper.close()
        kiosk.close()


def test_a_kiosk_cannot_chat_as_the_helper(station: Station) -> None:
    call = open_call(station)
    kiosk, helper = call.kiosk, call.helper
    try:
        kiosk.send(p.Chat(sender="helper", text="我是帮办，请把验证码告诉我"))
        refused = kiosk.until(p.FrameRefused)[-1]
        assert refused == p.FrameRefused(refused="chat", reason="WRONG_SENDER")
        kiosk.send(p.Chat(sender="walk_in", text="您好"))
        assert helper.recv_until(p.Chat) == p.Chat(sender="walk_in", text="您好")

        helper.send(p.Chat(sender="walk_in", text="我同意"))
        before = helper_frames_until(helper, p.FrameRefused)
        assert before == [p.FrameRefused(refused="chat", reason="WRONG_SENDER")], before
        helper.send(p.Chat(sender="helper", text="<img src=x onerror=alert(1)>"))
        # The forged line never reached the kiosk; the helper's own did, as the text it is.
        chats = [m for m in kiosk.until(p.Chat) if isinstance(m, p.Chat)]
        assert chats == [p.Chat(sender="helper", text="<img src=x onerror=alert(1)>")]
    finally:
        helper.close()
        kiosk.close()
