"""The content preview (issue 18): the hall runs the kiosk's renderer for one service.

Against a real hall on SQLite: the real renderer (``main.py preview``, English only to keep it
short) draws a service of the published catalog (an uploaded workbook's: the e2e test); a hall
without a renderer answers 409 with the reason the console shows. The runner's limits are checked
with small real programs that misbehave in one way each (sleep, fail, write outside their folder,
write too much): every one is a 4xx with a reason, and the temporary folder is gone afterwards.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hall.content_preview import PreviewFailed, PreviewRunner, PreviewSettings
from hall.content_workbook import workbook_bytes
from hall.server import HallServer
from tests.hall.helpers import add_staff, audit_rows, cheap_hasher, login
from tests.hall.test_content_workbook import append_rows, sample

ROOT = Path(__file__).parents[2]
RENDERER = (sys.executable, str(ROOT / "main.py"), "preview", "--mode", "en")
PREVIEW = "/api/v1/content/services/preview/"
PNG = b"\x89PNG\r\n\x1a\n"

# A renderer that misbehaves as its first argument says.
MISBEHAVING = """
import json, sys, time
from pathlib import Path
how, args = sys.argv[1], sys.argv[2:]
out = Path(args[args.index("--out") + 1])
out.mkdir()
if how == "sleep":
    time.sleep(30)
if how == "fail":
    sys.exit("something broke")
if how == "chatty":  # more than a pipe holds: drained, only its end kept
    sys.stderr.write("x" * 5_000_000)
    sys.exit(3)
name = "../escape.png" if how == "escape" else "zh_01_home.png"
(out / name).write_bytes(b"\\x89PNG" + b"0" * 5000)
(out / "manifest.json").write_text(json.dumps(
    {"images": [{"mode": "zh", "screen": "home", "file": name}]}))
"""


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = HallServer(
        str(tmp_path / "hall.db"),
        password_hasher=cheap_hasher(),
        preview=PreviewSettings(RENDERER, timeout_s=120),
    ).start()
    try:
        add_staff(server, "zhao.admin", "admin")
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the runner makes its temporary folders (to see that they are removed)."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def misbehaving(tmp_path: Path, how: str, **limits: float) -> PreviewRunner:
    script = tmp_path / "renderer.py"
    script.write_text(MISBEHAVING, encoding="utf-8")
    return PreviewRunner(PreviewSettings((sys.executable, str(script), how), **limits))  # type: ignore[arg-type]


def test_the_kiosk_renderer_draws_a_service_of_the_published_catalog(
    hall: HallServer,
) -> None:
    admin = login(hall, "zhao.admin")
    published = admin.post(hall.url + PREVIEW + "sole_trader_registration", timeout=120)
    assert published.status_code == 200, published.text
    answer = published.json()
    assert answer["published"] is True
    screens = [i["screen"] for i in answer["images"]]
    assert screens[0] == "home" and "form_1" in screens and "review_1" in screens
    assert {i["mode"] for i in answer["images"]} == {"en"}
    assert all(base64.b64decode(i["png"]).startswith(PNG) for i in answer["images"])

    # A service only an uploaded workbook has is not in the published catalog (the console's
    # preview of an upload is tests/e2e/test_console_content.py).
    assert admin.post(hall.url + PREVIEW + "board_filing", timeout=10).status_code == 404
    previews = [r for r in audit_rows(hall, subject_kind="catalog") if r[1] == "content.preview"]
    assert previews == [("zhao.admin", "content.preview", "sole_trader_registration", "ok")]


def test_what_the_preview_refuses(hall: HallServer, tmp_path: Path) -> None:
    admin = login(hall, "zhao.admin")
    add_staff(hall, "wu.super", "supervisor")
    url = hall.url + PREVIEW
    assert login(hall, "wu.super").post(url + "board_filing", timeout=5).status_code == 403
    assert admin.post(url + "Bad-Id", timeout=5).status_code == 422
    unknown = admin.post(url + "no_such_service", timeout=5)
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "目录中没有事项“no_such_service”",
    )
    # A workbook with a mistake: its errors, as the check lists them.
    bad = append_rows(workbook_bytes(sample()), "services", [["board_filing"]])
    refused = admin.post(url + "board_filing", data=bad, timeout=10)
    assert refused.status_code == 422 and refused.json()["detail"]["total"] > 0
    # The workbook limit, not the small JSON routes' 64 KiB: a big upload is read and judged.
    junk = admin.post(url + "board_filing", data=b"x" * 100_000, timeout=10)
    assert junk.status_code == 422 and junk.json()["detail"]["total"] == 1

    # The runner's own refusals, through the route: a failed renderer, then a busy one.
    hall.app.state.preview = misbehaving(tmp_path, "fail")
    failed = admin.post(url + "sole_trader_registration", timeout=10)
    assert (failed.status_code, failed.json()["detail"]) == (422, "预览程序出错（退出码 1）")
    hall.app.state.preview = misbehaving(tmp_path, "sleep", timeout_s=3)
    first: list[requests.Response] = []
    slow = threading.Thread(
        target=lambda: first.append(admin.post(url + "sole_trader_registration", timeout=10))
    )
    slow.start()
    try:
        deadline = time.monotonic() + 5
        while not hall.app.state.preview._running.locked() and time.monotonic() < deadline:
            time.sleep(0.02)
        busy = login(hall, "zhao.admin").post(url + "sole_trader_registration", timeout=5)
        assert (busy.status_code, busy.headers["Retry-After"]) == (429, "5")
    finally:
        slow.join()
    assert first[0].status_code == 422
    assert first[0].json()["detail"] == "预览程序 3 秒内未完成，请稍后再试"


def test_a_hall_without_a_renderer_says_so(tmp_path: Path) -> None:
    with HallServer(str(tmp_path / "hall.db"), password_hasher=cheap_hasher()) as hall:
        add_staff(hall, "zhao.admin", "admin")
        answer = login(hall, "zhao.admin").post(hall.url + PREVIEW + "board_filing", timeout=5)
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith("此大厅未配置预览")


@pytest.mark.parametrize(
    ("how", "limits", "reason"),
    [
        ("sleep", {"timeout_s": 1}, "预览程序 1 秒内未完成，请稍后再试"),
        ("fail", {}, "预览程序出错（退出码 1）"),
        ("chatty", {"timeout_s": 20}, "预览程序出错（退出码 3）"),
        ("escape", {}, "预览结果不完整"),
        ("big", {"max_bytes": 4000}, "预览结果过大"),
    ],
)
def test_the_runner_limits_the_renderer_and_removes_its_folder(
    tmp_path: Path, own_temp: Path, how: str, limits: dict[str, float], reason: str
) -> None:
    runner = misbehaving(tmp_path, how, **limits)
    with pytest.raises(PreviewFailed) as refused:
        runner.render(sample(), "sole_trader_registration")
    assert refused.value.reason == reason
    assert list(own_temp.iterdir()) == []
    # Within its limits the same program's answer is used.
    if how == "big":
        runner = misbehaving(tmp_path, how)
        [image] = runner.render(sample(), "sole_trader_registration")
        assert (image.mode, image.screen, image.png[:4]) == ("zh", "home", PNG[:4])
        assert list(own_temp.iterdir()) == []


def test_an_empty_or_unclosed_command_line_is_refused() -> None:
    assert PreviewSettings.from_command_line("python -m ui.preview").command == (
        "python",
        "-m",
        "ui.preview",
    )
    for line in ("", "python 'unclosed"):
        with pytest.raises(ValueError):
            PreviewSettings.from_command_line(line)
