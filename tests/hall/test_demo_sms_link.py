"""`python main.py demo`'s texts link to the demo's own hall: the SMSC simulator and the hall
options come from main.py's `_start_smsc`, as the demo wires them, and the hall listens on the
port the links name. A filing's "received" text carries ``http://127.0.0.1:<port>/p/<number>``
with its token, and that link opens the phone page, so a click on the console's 短信记录 page
lands on a page, not on a placeholder address. Plain http is accepted for loopback only.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

import main as kiosk_main
from hall.__main__ import _notify_settings
from hall.notifications import notifications
from hall.notify_wiring import NotifySettings
from hall.server import HallServer
from hall.sms_smpp import SmppConfig
from hall.store import SubmissionStore
from tests.hall.helpers import BUNDLE_FORM, cheap_hasher, post_submission, submission

NUMBER = "QH001-20261123-0001"
TOKEN = "Rk3v9QpZtW2xY7bN4mC8sA"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _hall_args(options: list[str]) -> argparse.Namespace:
    """The demo's `--name value` hall options as the hall's parser leaves them."""
    given = dict(zip(options[::2], options[1::2], strict=True))
    return argparse.Namespace(
        public_url=given["--public-url"],
        smpp=given["--smpp"],
        smpp_system_id=given["--smpp-system-id"],
        smpp_password_file=Path(given["--smpp-password-file"]),
        sms_source_addr="106900",
        sms_gateway=None,
        sms_secret_file=None,
    )


@pytest.fixture
def demo_hall(tmp_path: Path) -> Iterator[tuple[HallServer, str]]:
    port = _free_port()
    hall_url = f"http://127.0.0.1:{port}"
    smsc, options = kiosk_main._start_smsc(tmp_path, hall_url)
    try:
        settings = _notify_settings(_hall_args(options))
        assert settings is not None and settings.public_url == hall_url
        server = HallServer(
            tmp_path / "hall.sqlite3",
            port=port,
            password_hasher=cheap_hasher(),
            notify_settings=settings,
        ).start()
        try:
            yield server, hall_url
        finally:
            server.stop()
    finally:
        smsc.terminate()
        try:
            smsc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            smsc.kill()
            smsc.wait()


def test_the_demos_texts_link_to_the_demo_hall(demo_hall: tuple[HallServer, str]) -> None:
    hall, hall_url = demo_hall
    assert hall.url == hall_url
    body = submission("company_startup_power", BUNDLE_FORM, tracking_number=NUMBER)
    body["payload"]["access_token"] = TOKEN
    assert post_submission(hall, body).status_code == 201

    store = SubmissionStore(hall.db_path)
    try:
        with store.engine.connect() as conn:
            (text,) = conn.execute(select(notifications.c.body)).scalars().all()
    finally:
        store.close()
    link = f"{hall_url}/p/{NUMBER}?t={TOKEN}"
    assert link in text
    assert "hall.qihang.example" not in text

    # The link opens the applicant's page on the demo's hall; so does what the console's
    # 短信记录 shows of it (the token blanked: the status by number only).
    for url in (link, f"{hall_url}/p/{NUMBER}?t=***", f"{hall_url}/p/{NUMBER}"):
        page = requests.get(url, timeout=10)
        assert page.status_code == 200, url
        assert NUMBER in page.text


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8700", "http://localhost:8700", "http://[::1]:8700"]
)
def test_plain_http_links_are_for_loopback_only(url: str) -> None:
    smpp = SmppConfig("127.0.0.1", 2775, "hall", "secret")
    assert NotifySettings(url, smpp).public_url == url
    for elsewhere in ("http://hall.example", "http://10.0.0.5:8700", "http://127.0.0.1.example"):
        with pytest.raises(ValueError, match="loopback"):
            NotifySettings(elsewhere, smpp)
