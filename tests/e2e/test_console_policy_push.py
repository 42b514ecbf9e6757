"""The console's 政策推送 page in real headless Chromium against a real hall (issue 18): a
published policy's eligible enterprises listed by name and USCC, a supervisor confirms them all,
the pending count goes to nought and the push is recorded as theirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hall.policy_push_schema import policy_pushes
from hall.server import HallServer
from hall.store import SubmissionStore
from tests.e2e.test_console_desk import log_in
from tests.hall.helpers import add_staff, cheap_hasher, login
from tests.hall.test_policy_push import _policies
from tests.hall.test_register import import_file, row, uscc, workbook


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    server = HallServer(str(tmp_path / "hall.db"), password_hasher=cheap_hasher()).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_supervisor_confirms_a_policys_pushes(page: Page, hall: HallServer) -> None:
    add_staff(hall, "ada", "admin")
    add_staff(hall, "zhao.super", "supervisor")
    rows = [row(1), row(2), row(3, 企业规模="大型")]
    assert import_file(login(hall, "ada"), hall, workbook(rows)).status_code == 200  # type: ignore[arg-type]
    hall.app.state.content_store.publish("policies", _policies("2026.12.06-9"), "ada")

    log_in(page, hall, "zhao.super", "#/policy-push")
    policy = page.locator("tr[data-policy=digital_sme]")
    expect(policy).to_contain_text("中小企业数字化转型补贴")
    expect(page.locator("#push-rematch")).to_be_hidden()  # an admin's
    expect(policy.locator(".push-pending")).to_have_text("2")
    policy.locator("button.push-open").click()
    listed = page.locator("#push-enterprises tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text(uscc(1))
    page.click("#push-confirm-all")
    expect(policy.locator(".push-pending")).to_have_text("0")
    expect(page.locator("#push-enterprises")).to_contain_text("没有待确认的企业")
    store = SubmissionStore(hall.db_path)
    try:
        with store.engine.connect() as conn:
            confirmed = conn.execute(
                select(policy_pushes).where(policy_pushes.c.state == "confirmed")
            ).all()
    finally:
        store.close()
    assert sorted(r.confirmed_by for r in confirmed) == ["zhao.super", "zhao.super"]


def test_an_admin_matches_the_register_imported_after_the_publication(
    page: Page, hall: HallServer
) -> None:
    add_staff(hall, "ada", "admin")
    hall.app.state.content_store.publish("policies", _policies("2026.12.06-9"), "ada")
    rows = [row(1), row(2), row(3, 企业规模="大型")]  # imported after: not matched yet
    assert import_file(login(hall, "ada"), hall, workbook(rows)).status_code == 200  # type: ignore[arg-type]

    log_in(page, hall, "ada", "#/policy-push")
    policy = page.locator("tr[data-policy=digital_sme]")
    expect(policy.locator(".push-pending")).to_have_text("0")
    page.click("#push-rematch")
    expect(page.locator("#toast")).to_contain_text("新增待确认 2 家次")
    expect(policy.locator(".push-pending")).to_have_text("2")
