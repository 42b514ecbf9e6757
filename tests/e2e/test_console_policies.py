"""The console's 惠企政策 tab in real headless Chromium against a real hall (issue 18): the 2,147
shipped policies downloaded as a workbook, a condition that does not parse named by sheet, row
and column with the reason in Chinese, fixed, the diff naming the changed policy, published."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from hall.server import HallServer
from tests.e2e.test_console_content import download_workbook, hall, upload
from tests.hall.helpers import add_staff
from tests.hall.test_content_kinds import edit, row_of

__all__ = ["hall"]  # the fixture, shared with the catalog's page test
# Reading a 2,147-row workbook takes the hall a few seconds on a busy machine.
SLOW_MS = 30_000


def test_an_admin_fixes_a_condition_and_publishes_a_policy(page: Page, hall: HallServer) -> None:
    add_staff(hall, "zhao.admin", "admin")
    downloaded = download_workbook(page, hall.url, "policies", "惠企政策")
    row = row_of(downloaded, "policies", id="hte_first_award")
    wrong = edit(
        downloaded, [("policies", row, "M", "注册地 属于 火星 且 资质 包含 国家高新技术企业")]
    )
    upload(page, "policies.xlsx", wrong)
    errors = page.locator("#content-error-table tr.content-error")
    expect(errors).to_have_count(1, timeout=SLOW_MS)
    expect(errors.first).to_contain_text("不认识的注册地“火星”")
    assert errors.first.locator("td").all_inner_texts()[:3] == ["政策 policies", str(row), "M"]

    fixed = edit(
        downloaded, [("policies", row, "M", "注册地 = 枫桥街道 且 资质 包含 国家高新技术企业")]
    )
    upload(page, "policies.xlsx", fixed)
    expect(page.locator("#content-diff")).to_contain_text(
        "修改政策：首次认定高新技术企业奖励（hte_first_award）——申报条件", timeout=SLOW_MS
    )
    page.click("#content-publish")
    expect(page.locator("#content-published")).to_contain_text("已发布新版本", timeout=SLOW_MS)
    expect(page.locator("#content-versions tr")).to_have_count(2)
    served = hall.app.state.content_store.latest("policies").document()
    assert served["policies"][0]["all"][0] == {
        "field": "district",
        "op": "in",
        "value": ["fengqiao"],
    }
    assert len(served["policies"]) == 2147
