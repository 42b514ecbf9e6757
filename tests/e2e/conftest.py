"""Real headless Chromium for the hall console, driven by Playwright.

Debian's ``chromium`` package (``packaging/system-deps.sh``), never ``playwright install``: the
browser is launched from ``/usr/bin/chromium`` with the flags a headless container needs. One
browser per test session (launch ~0.5 s), a fresh context (cookies, storage) per test. Without
Chromium the tests fail: `make test` installs it, so its absence is an install bug.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from hall.server import HallServer
    from tests.support.clock import FakeClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make test` (packaging/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # zh-CN and the hall's time zone: what a hall desk's browser has.
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    # Waits are for conditions; this only bounds how long a broken page takes to fail.
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium reports every 4xx answer as a console error; the console expects some (the 401
    # that shows the login form). Script errors and CSP refusals ("Refused to ...") still count.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    # A script error or a CSP violation in the console fails the test that caused it.
    assert errors == [], errors


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $CONSOLE_SCREENSHOTS (docs/screenshots when refreshing), else tmp."""
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def clocked_hall(tmp_path: Path) -> Iterator[tuple[HallServer, FakeClock]]:
    """A real hall on its own SQLite file whose clock the test moves (tests.support.clock)."""
    from tests.hall.helpers import START, start_hall
    from tests.support.clock import FakeClock

    clock = FakeClock(START)
    server = start_hall(str(tmp_path / "hall.db"), clock)
    try:
        yield server, clock
    finally:
        server.stop()
