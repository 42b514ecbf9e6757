"""The services catalog kept in a workbook (issue 18, hall side).

The reader's errors name the exact sheet, row and column; the shipped example workbook is the
shipped sample catalog; download, upload unchanged, "no changes"; a changed workbook's diff and
publication, roll back, and every served catalog signed with the hall's content key and verified
by a real kiosk catalog cache (enrolled against the hall) — on SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import requests

from contracts.content_signature import PIN_FILE, ContentPublicKey, signature_in
from hall.catalog_publish import SAMPLE_CATALOG_PATH
from hall.content_workbook import (
    SAMPLE_WORKBOOK,
    WorkbookRefused,
    canonical,
    diff,
    read_workbook,
    workbook_bytes,
)
from kiosk.hall_client import HallClient
from kiosk.services.catalog_cache import CatalogCache
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import PASSWORD, add_staff, enrol_station, login

CONTENT = "/api/v1/content/services"


def sample() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SAMPLE_CATALOG_PATH.read_text(encoding="utf-8"))
    return doc


def edit(data: bytes, changes: list[tuple[str, int, str, object]]) -> bytes:
    """The workbook with cells replaced: (sheet key, row, column letter, value)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for key, row, column, value in changes:
        sheet = next(ws for ws in book.worksheets if ws.title.split()[-1] == key)
        sheet[f"{column}{row}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(data: bytes, key: str, **wanted: str) -> int:
    """The row number in sheet ``key`` whose cells (by header key) have the wanted values."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = next(ws for ws in book.worksheets if ws.title.split()[-1] == key)
    rows = list(sheet.iter_rows(values_only=True))
    keys = [str(h).split()[-1] for h in rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        values = dict(zip(keys, row, strict=False))
        if all(values.get(k) == v for k, v in wanted.items()):
            book.close()
            return number
    raise AssertionError(f"no row {wanted} in {key}")


def append_rows(data: bytes, key: str, rows: Sequence[Sequence[object]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = next(ws for ws in book.worksheets if ws.title.split()[-1] == key)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def places(exc: WorkbookRefused) -> set[tuple[str, int | None, str]]:
    return {(e.sheet, e.row, e.column) for e in exc.errors}


# --- the workbook format -------------------------------------------------------------------------


def test_the_shipped_workbook_is_the_shipped_sample_catalog() -> None:
    # Regenerate with `python -m hall.content_workbook write-sample` when the sample changes.
    assert read_workbook(SAMPLE_WORKBOOK.read_bytes()) == canonical(sample())


def test_a_written_workbook_reads_back_to_the_same_document() -> None:
    doc = sample()
    again = read_workbook(workbook_bytes(doc))
    assert again == canonical(doc)
    assert diff(doc, again)["no_changes"]


def test_every_problem_is_named_by_sheet_row_and_column() -> None:
    data = workbook_bytes(sample())
    startup = row_of(data, "services", id="company_startup_power")
    second_service = row_of(data, "services", id="ev_charging_pile")
    a_field = row_of(data, "fields", service="ev_charging_pile", name="applicant_name")
    a_material = row_of(data, "materials", service="ev_charging_pile")
    bad = edit(
        data,
        [
            ("services", startup, "D", "water_company"),  # department
            ("services", second_service, "A", "company_startup_power"),  # duplicate id
            ("services", second_service, "F", "maybe"),  # requires_identity: not 是/否
            ("fields", a_field, "C", "colour"),  # kind
            ("materials", a_material, "A", "no_such_service"),  # owner
        ],
    )
    bad = append_rows(
        bad, "steps", [["company_startup_power", "no_part", "s1", "甲", "A", "乙", "B"]]
    )
    with pytest.raises(WorkbookRefused) as refused:
        read_workbook(bad)
    found = places(refused.value)
    assert {
        ("事项 services", startup, "D"),
        ("事项 services", second_service, "A"),
        ("事项 services", second_service, "F"),
        ("表单字段 fields", a_field, "C"),
        ("材料 materials", a_material, "A"),
    } <= found
    reasons = {(e.sheet, e.row, e.column): e.reason for e in refused.value.errors}
    assert "部门“water_company”不存在" in reasons[("事项 services", startup, "D")]
    assert "重复" in reasons[("事项 services", second_service, "A")]
    assert "未知的字段类型“colour”" in reasons[("表单字段 fields", a_field, "C")]
    assert "事项“no_such_service”不存在" in reasons[("材料 materials", a_material, "A")]
    steps_row = max(r for s, r, _ in found if s == "步骤 steps" and r is not None)
    assert reasons[("步骤 steps", steps_row, "B")].startswith("办理部分“no_part”不存在")


def test_a_bundle_part_of_a_missing_service_and_a_missing_sheet() -> None:
    data = append_rows(
        workbook_bytes(sample()), "parts", [["ghost_service", "p1", "tax", "甲", "A", None]]
    )
    with pytest.raises(WorkbookRefused) as refused:
        read_workbook(data)
    [error] = refused.value.errors
    assert (error.sheet, error.column, error.header) == ("办理部分 parts", "A", "事项 service")
    assert error.reason.startswith("事项“ghost_service”不存在")

    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(sample())))
    book.remove(next(ws for ws in book.worksheets if ws.title.endswith("steps")))
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookRefused) as missing:
        read_workbook(out.getvalue())
    assert [(e.sheet, e.reason) for e in missing.value.errors] == [("步骤 steps", "缺少此工作表")]


def test_what_only_the_catalog_check_finds_lands_on_the_fields_row() -> None:
    data = workbook_bytes(sample())
    choice = next(
        (s["id"], f["name"])
        for s in sample()["services"]
        for f in s["form"]["fields"]
        if f["kind"] == "choice"
    )
    number = row_of(data, "fields", service=choice[0], name=choice[1])
    with pytest.raises(WorkbookRefused) as refused:
        read_workbook(edit(data, [("fields", number, "H", None)]))  # a choice without choices
    [error] = refused.value.errors
    assert (error.sheet, error.row) == ("表单字段 fields", number)
    assert error.reason.startswith("目录检查未通过") and "needs at least one choice" in error.reason


def test_not_a_workbook_is_one_error() -> None:
    with pytest.raises(WorkbookRefused) as refused:
        read_workbook(b"PK\x03\x04 not really")
    assert refused.value.errors[0].reason == "文件不是可读取的 Excel 工作簿（.xlsx）"


def test_the_diff_names_added_removed_and_changed_services_and_their_fields() -> None:
    old = sample()
    new = copy.deepcopy(old)
    gone = new["services"].pop()
    new["services"][0]["name_zh"] += "（新）"
    new["services"][0]["time_limit_days"] += 1
    added = copy.deepcopy(new["services"][1])
    added["id"] = "board_filing"
    new["services"].append(added)
    changes = diff(old, new)
    assert [a["id"] for a in changes["added"]] == ["board_filing"]
    assert [r["id"] for r in changes["removed"]] == [gone["id"]]
    assert changes["changed"] == [
        {
            "id": new["services"][0]["id"],
            "name_zh": new["services"][0]["name_zh"],
            "fields": ["name_zh", "time_limit_days"],
        }
    ]
    assert not changes["no_changes"]
    assert diff(old, {**old, "version": "other"})["no_changes"]


# --- every demand category reaches a department with a desk --------------------------------------


def test_every_demand_category_routes_to_a_department_with_a_desk(
    console_hall: ConsoleHall,
) -> None:
    taxonomy = json.loads(
        (Path(SAMPLE_CATALOG_PATH).with_name("demand_taxonomy.json")).read_text("utf-8")
    )
    categories = [c["id"] for c in taxonomy["categories"]]
    assert len(categories) == 13
    routes = sample()["demand_routes"]
    add_staff(console_hall.server, "zhao.admin", "admin")
    admin = login(console_hall.server, "zhao.admin")
    listed = {
        d["id"]
        for d in admin.get(console_hall.url + "/api/v1/staff/departments", timeout=5).json()
        if d["listed"]
    }
    for category in categories:
        department = routes[category]
        assert department in listed, category
        # A desk: an officer of that department can be given an account (and its inbox).
        made = admin.post(
            console_hall.url + "/api/v1/staff",
            json={
                "name": f"officer.{category}"[:64],
                "role": "officer",
                "department": department,
                "password": PASSWORD,
            },
            timeout=5,
        )
        assert made.status_code == 201, (category, made.text)
    for handler in (
        "development_reform",
        "commerce",
        "finance",
        "ecology_environment",
        "transport",
    ):
        assert handler in listed


# --- the console's API against a real hall -------------------------------------------------------


def test_download_upload_publish_roll_back_and_the_kiosk_verifies_each(
    console_hall: ConsoleHall, tmp_path: Path
) -> None:
    hall = console_hall.server
    add_staff(hall, "zhao.admin", "admin")
    add_staff(hall, "wu.super", "supervisor")
    admin = login(hall, "zhao.admin")
    url = console_hall.url
    assert login(hall, "wu.super").get(url + CONTENT + "/workbook", timeout=5).status_code == 403

    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    pinned = ContentPublicKey.from_json(json.loads((station / PIN_FILE).read_text("utf-8")))
    client = HallClient(url, timeout_s=5)
    cache = CatalogCache(station)
    first = cache.refresh(client.get_catalog)
    assert first.outcome == "updated"
    sample_version = first.current.catalog.version

    # Download, upload unchanged: no changes, nothing published.
    download = admin.get(url + CONTENT + "/workbook", timeout=5)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    checked = admin.post(url + CONTENT + "/check", data=download.content, timeout=10).json()
    assert checked["ok"] and checked["diff"]["no_changes"]
    same = admin.post(url + CONTENT + "/publish", data=download.content, timeout=10)
    assert (same.status_code, same.json()["outcome"]) == (200, "unchanged")

    # A workbook with a mistake: listed, and publishing it is refused.
    data = download.content
    ev = row_of(data, "services", id="ev_charging_pile")
    wrong = edit(data, [("services", ev, "D", "water_company")])
    report = admin.post(url + CONTENT + "/check", data=wrong, timeout=10).json()
    assert not report["ok"]
    assert [(e["sheet"], e["row"], e["column"]) for e in report["errors"]] == [
        ("事项 services", ev, "D")
    ]
    refused = admin.post(url + CONTENT + "/publish", data=wrong, timeout=10)
    assert refused.status_code == 422 and refused.json()["detail"]["total"] == 1

    # A changed name: the diff names it, publishing makes a new version the kiosk verifies.
    renamed = edit(data, [("services", ev, "B", "新能源汽车充电桩报装（试行）")])
    checked = admin.post(url + CONTENT + "/check", data=renamed, timeout=10).json()
    assert checked["diff"]["changed"] == [
        {"id": "ev_charging_pile", "name_zh": "新能源汽车充电桩报装（试行）", "fields": ["name_zh"]}
    ]
    published = admin.post(url + CONTENT + "/publish", data=renamed, timeout=10)
    assert published.status_code == 201, published.text
    new_version = published.json()["version"]
    assert new_version != sample_version

    served = requests.get(url + "/api/v1/catalog", timeout=5)
    pinned.verify(served.headers["ETag"], served.content)  # raises if not signed by the hall
    assert signature_in(served.headers["ETag"]) is not None
    updated = cache.refresh(client.get_catalog)
    assert updated.outcome == "updated"
    assert updated.current.catalog.version == new_version
    assert updated.current.catalog.service("ev_charging_pile").name_zh.endswith("（试行）")

    versions = admin.get(url + CONTENT + "/versions", timeout=5).json()
    assert [v["version"] for v in versions] == [new_version, sample_version]
    assert versions[0]["current"] and not versions[1]["current"]

    # Roll back to the sample: published again as the newest, under a new version name.
    back = admin.post(url + CONTENT + "/rollback", json={"version": sample_version}, timeout=5)
    assert back.status_code == 201, back.text
    assert back.json()["rolled_back_to"] == sample_version
    rolled = cache.refresh(client.get_catalog)
    assert rolled.outcome == "updated"
    assert rolled.current.catalog.version == back.json()["version"]
    assert not rolled.current.catalog.service("ev_charging_pile").name_zh.endswith("（试行）")
    again = admin.get(url + CONTENT + "/workbook", timeout=5).content
    assert read_workbook(again) == {**canonical(sample()), "version": back.json()["version"]}
    assert (
        admin.post(url + CONTENT + "/rollback", json={"version": "nope"}, timeout=5).status_code
        == 404
    )
    client.close()


def test_a_workbook_over_the_limit_is_refused_before_it_is_read(
    console_hall: ConsoleHall,
) -> None:
    from hall.body_limits import MAX_CONTENT_WORKBOOK_BYTES

    add_staff(console_hall.server, "zhao.admin", "admin")
    admin = login(console_hall.server, "zhao.admin")
    answer = admin.post(
        console_hall.url + CONTENT + "/check",
        data=b"\0" * (MAX_CONTENT_WORKBOOK_BYTES + 1),
        timeout=30,
    )
    assert answer.status_code == 413


def test_a_station_enrolled_before_the_content_key_fetches_it_once(
    console_hall: ConsoleHall, tmp_path: Path
) -> None:
    """The content key file removed (as on a station enrolled before the hall signed): the next
    refresh asks the hall over the device-signed channel, pins the key and takes the catalog; a
    station that pinned another hall's sealing key, or an unenrolled caller, gets no key."""
    from contracts.content_signature import KEY_MISSING, KEY_PATH
    from contracts.sealing import HallKeyPair
    from kiosk.provision import fetch_content_key
    from offline_queue.hall_key import pin as pin_hall_key

    hall = console_hall.server
    station = tmp_path / "station"
    identity = enrol_station(hall, state_dir=station)
    enrolled_key = (station / PIN_FILE).read_bytes()
    (station / PIN_FILE).unlink()

    client = HallClient(console_hall.url, timeout_s=5, auth=identity.requests_auth())
    cache = CatalogCache(station)
    result = cache.refresh(
        client.get_catalog, fetch_key=lambda: fetch_content_key(station, client.post_content_key)
    )
    assert (result.outcome, result.code) == ("updated", None)
    assert result.current.source == "cache"
    assert json.loads((station / PIN_FILE).read_bytes()) == json.loads(enrolled_key)
    assert (station / PIN_FILE).stat().st_mode & 0o777 == 0o600
    # Pinned now: a fresh cache reads the verified copy without asking again.
    assert CatalogCache(station).load().source == "cache"

    # Another hall's sealing key pinned: the hall cannot open the challenge, nothing is pinned.
    other = tmp_path / "other"
    other_identity = enrol_station(hall, "QH002", state_dir=other)
    (other / PIN_FILE).unlink()
    pin_hall_key(other, HallKeyPair.generate().public)
    other_client = HallClient(console_hall.url, timeout_s=5, auth=other_identity.requests_auth())
    refused = CatalogCache(other).refresh(
        other_client.get_catalog,
        fetch_key=lambda: fetch_content_key(other, other_client.post_content_key),
    )
    assert (refused.outcome, refused.code) == ("rejected", KEY_MISSING)
    assert refused.current.source == "sample"
    assert not (other / PIN_FILE).exists()

    # No device credential: the route is a station's only.
    anonymous = requests.post(
        console_hall.url + KEY_PATH, json={"challenge": "AAAAAAAA"}, timeout=5
    )
    assert anonymous.status_code == 401
    client.close()
    other_client.close()
