"""The console's 内容发布 page in real headless Chromium against a real hall (issue 18).

An admin downloads the catalog workbook, adds a service (董监事备案) with three mistakes, uploads
it and sees all three with sheet, row and column; fixes them, sees the diff, previews the new
service (the hall runs the kiosk's own renderer, ``main.py preview``: the unpublished service drawn
by the real QML in Chinese, English and care mode) and publishes. A station enrolled with the
hall (its content key pinned) fetches the catalog through the kiosk's own cache and client, as
its runtime does with every heartbeat: the new, signed version with the new service. Rolling back
from the version list restores the old content at the station. Writes
``console_content_errors.png``, ``console_content_diff.png`` and ``console_content_preview.png``
to ``$CONSOLE_SCREENSHOTS`` (else the test's temporary folder).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from hall.content_preview import PreviewSettings
from hall.server import HallServer
from kiosk.hall_client import HallClient
from kiosk.services.catalog_cache import CatalogCache
from tests.hall.helpers import PASSWORD, add_staff, cheap_hasher, enrol_station
from tests.hall.test_content_workbook import append_rows, edit, row_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The kiosk's renderer from this checkout, as the demo configures it.
PREVIEW = PreviewSettings((sys.executable, str(Path(__file__).parents[2] / "main.py"), "preview"))

# 董监事备案: a new service in the market regulation department, one part, two fields.
SERVICE: list[object] = [
    "board_filing",
    "董事监事经理备案",
    "Directors and supervisors filing",
    "market_regulation",
    None,  # the category: filled in from the workbook
    "是",
    5,
    "否",
    "公司董事、监事、经理变动后办理备案。",
    "File changes of directors, supervisors and managers.",
    "已设立的公司。",
    "Companies already registered.",
    "免费",
    "Free of charge",
]


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    # The hall's real clock: the station signs its enrolment with the real time.
    server = HallServer(
        str(tmp_path / "hall.db"), password_hasher=cheap_hasher(), preview=PREVIEW
    ).start()
    try:
        yield server
    finally:
        server.stop()


def upload(page: Page, name: str, data: bytes) -> None:
    payload: FilePayload = {"name": name, "mimeType": XLSX, "buffer": data}
    page.set_input_files("#content-file", files=[payload])
    page.click("#content-check")


def download_workbook(page: Page, url: str, kind: str, label: str) -> bytes:
    """Log in as zhao.admin, open the content page's ``kind`` tab (its download button says
    ``label``; one published version so far) and download its workbook."""
    page.goto(url + "/console/")
    page.fill("#login-name", "zhao.admin")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.click("#nav a[data-section=content]")
    page.click(f"#content-kinds button[data-kind={kind}]")
    expect(page.locator("#content-download")).to_contain_text(label)
    expect(page.locator("#content-versions tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.click("#content-download")
    return Path(download_info.value.path()).read_bytes()


def test_an_admin_fixes_three_mistakes_publishes_and_rolls_back(
    page: Page, hall: HallServer, tmp_path: Path, shots: Path
) -> None:
    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    client = HallClient(hall.url, timeout_s=5)
    cache = CatalogCache(station)
    first = cache.refresh(client.get_catalog)
    assert first.outcome == "updated"
    sample_version = first.current.catalog.version

    add_staff(hall, "zhao.admin", "admin")
    page.goto(hall.url + "/console/")
    page.fill("#login-name", "zhao.admin")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.click("#nav a[data-section=content]")
    expect(page.locator(f"#content-versions tr[data-version='{sample_version}']")).to_contain_text(
        "当前版本"
    )

    with page.expect_download() as download_info:
        page.click("#content-download")
    downloaded = Path(download_info.value.path()).read_bytes()
    category = first.current.catalog.service("company_startup_power").category
    good_service = [*SERVICE[:4], category, *SERVICE[5:]]

    # Three mistakes: a department that does not exist, a field type that does not exist, and a
    # part naming a service id with a typo.
    bad_service = [*good_service[:3], "market_regulator", *good_service[4:]]
    fields = [
        ["board_filing", "company_name", "text", "企业名称", "Company name", "是", 100],
        ["board_filing", "changes", "paragraph", "变动情况", "What changed", "是", 500],
    ]
    data = append_rows(downloaded, "services", [bad_service])
    data = append_rows(data, "fields", fields)
    data = append_rows(
        data, "parts", [["board_filng", "filing", "market_regulation", "备案", "Filing", None]]
    )
    service_row = row_of(data, "services", id="board_filing")
    field_row = row_of(data, "fields", service="board_filing", name="changes")
    part_row = row_of(data, "parts", service="board_filng")

    upload(page, "services.xlsx", data)
    rows = page.locator("#content-error-table tr.content-error")
    expect(rows).to_have_count(3)
    expect(page.locator("#content-errors h2")).to_contain_text("发现 3 个问题")
    seen = {tuple(rows.nth(i).locator("td").all_inner_texts()[:3]) for i in range(rows.count())}
    assert seen == {
        ("事项 services", str(service_row), "D"),
        ("表单字段 fields", str(field_row), "C"),
        ("办理部分 parts", str(part_row), "A"),
    }
    expect(page.locator("#content-error-table")).to_contain_text("部门“market_regulator”不存在")
    expect(page.locator("#content-error-table")).to_contain_text("未知的字段类型“paragraph”")
    expect(page.locator("#content-error-table")).to_contain_text("事项“board_filng”不存在")
    expect(page.locator("#content-publish")).to_be_hidden()
    page.screenshot(path=str(shots / "console_content_errors.png"), full_page=True)

    fixed = edit(
        data,
        [
            ("services", service_row, "D", "market_regulation"),
            ("fields", field_row, "C", "text"),
            ("parts", part_row, "A", "board_filing"),
        ],
    )
    upload(page, "services.xlsx", fixed)
    expect(page.locator("#content-diff")).to_contain_text(
        "新增事项：董事监事经理备案（board_filing）"
    )
    page.screenshot(path=str(shots / "console_content_diff.png"), full_page=True)

    # The preview: the new service, not yet published, drawn by the kiosk's own screens.
    expect(page.locator("#preview-service")).to_have_value("board_filing")
    page.click("#preview-run")
    shots_shown = page.locator("#preview-shots img")
    expect(shots_shown.first).to_be_visible(timeout=120_000)
    expect(page.locator("#preview-modes button")).to_have_text(["中文", "English", "关怀版"])
    form = page.locator("#preview-shots img[data-screen=form_1]")
    expect(form).to_have_attribute("alt", "中文：填写表单 1")
    assert form.evaluate("img => img.complete && img.naturalWidth") > 300
    expect(page.locator("#preview-shots img[data-screen=review_1]")).to_have_count(1)
    page.click("#preview-modes button[data-mode=care]")
    expect(page.locator("#preview-shots img[data-screen=form_1]")).to_have_attribute(
        "alt", "关怀版：填写表单 1"
    )
    page.screenshot(path=str(shots / "console_content_preview.png"), full_page=True)
    page.click("#content-publish")
    expect(page.locator("#content-published")).to_contain_text("已发布新版本")
    new_version = page.locator("#content-versions tr").first.get_attribute("data-version")
    assert new_version and new_version != sample_version

    # The station: the next refresh brings the signed new version and its new service.
    fetched = cache.refresh(client.get_catalog)
    assert (fetched.outcome, fetched.current.catalog.version) == ("updated", new_version)
    assert fetched.current.catalog.service("board_filing").name_zh == "董事监事经理备案"

    # Roll back to the sample from the version list: the station loses the new service again.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#content-versions tr[data-version='{sample_version}'] button.rollback")
    expect(page.locator("#content-versions tr").first).not_to_have_attribute(
        "data-version", new_version
    )
    rolled = cache.refresh(client.get_catalog)
    assert rolled.outcome == "updated"
    assert rolled.current.catalog.version not in (sample_version, new_version)
    with pytest.raises(KeyError):
        rolled.current.catalog.service("board_filing")
    client.close()


def test_an_admin_publishes_a_holiday_from_its_tab(page: Page, hall: HallServer) -> None:
    """The 节假日 tab: a 调休上班 on a Wednesday is named by its cell; fixed (a day off), the diff
    names the date, publishing makes it the hall's own: 2026-12-31 is no longer a working day."""
    import datetime as dt

    from tests.hall.test_content_kinds import append
    from tests.hall.test_content_kinds import row_of as kind_row_of

    add_staff(hall, "zhao.admin", "admin")
    downloaded = download_workbook(page, hall.url, "holidays", "节假日")
    day = dt.date(2026, 12, 31)  # a Thursday
    wrong = append(downloaded, "days", [day, "调休上班"])
    upload(page, "holidays.xlsx", wrong)
    rows = page.locator("#content-error-table tr.content-error")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("调休上班日应为周六或周日，2026-12-31 是周四")
    assert rows.first.locator("td").all_inner_texts()[:3] == [
        "日期 days",
        str(kind_row_of(wrong, "days", date=dt.datetime(2026, 12, 31))),
        "A",
    ]

    assert hall.app.state.calendar.is_working_day(day)
    upload(page, "holidays.xlsx", append(downloaded, "days", [day, "放假"]))
    expect(page.locator("#content-diff")).to_contain_text("新增日期：2026-12-31 放假")
    page.click("#content-publish")
    expect(page.locator("#content-published")).to_contain_text("已发布新版本")
    expect(page.locator("#content-versions tr")).to_have_count(2)
    assert not hall.app.state.calendar.is_working_day(day)


def test_a_hall_without_a_renderer_says_so_on_the_page(page: Page, tmp_path: Path) -> None:
    """The workbook downloaded and uploaded unchanged: 没有变化, and the preview answers that
    this hall has no renderer configured, in the page's own words."""
    with HallServer(str(tmp_path / "hall.db"), password_hasher=cheap_hasher()) as bare:
        add_staff(bare, "zhao.admin", "admin")
        page.goto(bare.url + "/console/")
        page.fill("#login-name", "zhao.admin")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.click("#nav a[data-section=content]")
        with page.expect_download() as download_info:
            page.click("#content-download")
        upload(page, "services.xlsx", Path(download_info.value.path()).read_bytes())
        expect(page.locator("#content-diff h2")).to_have_text("没有变化")
        page.click("#preview-run")
        expect(page.locator("#preview-unavailable")).to_contain_text("此大厅未配置预览")
        expect(page.locator("#preview-shots")).to_have_count(0)
