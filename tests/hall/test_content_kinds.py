"""The knowledge base, demand taxonomy, holiday calendar and policies in workbooks (issue 18).

Each kind's shipped example workbook is its shipped content; every problem is named by sheet,
row and column; against a real hall (SQLite and PostgreSQL): download, upload unchanged ("no
changes"), a change checked, published, served to stations signed under the kind's own context,
taken up by the hall's own deadline counting (taxonomy and holidays), and rolled back.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
import requests

from contracts.content_signature import PIN_FILE, ContentPublicKey, SignatureRefused
from hall.content_kinds import HOLIDAYS, KINDS, KNOWLEDGE, TAXONOMY, Kind, read, workbook_bytes
from hall.content_workbook import WorkbookRefused
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import add_staff, enrol_station, login


def sheet_of(book: Any, key: str) -> Any:
    return next(ws for ws in book.worksheets if ws.title.split()[-1] == key)


def edit(data: bytes, changes: list[tuple[str, int, str, object]]) -> bytes:
    """The workbook with cells replaced: (sheet key, row, column letter, value)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for key, row, column, value in changes:
        sheet_of(book, key)[f"{column}{row}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def append(data: bytes, key: str, *rows: list[object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for row in rows:
        sheet_of(book, key).append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(data: bytes, key: str, **wanted: object) -> int:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(sheet_of(book, key).iter_rows(values_only=True))
    book.close()
    keys = [str(h).split()[-1] for h in rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        values = dict(zip(keys, row, strict=False))
        if all(values.get(k) == v for k, v in wanted.items()):
            return number
    raise AssertionError(f"no row {wanted} in {key}")


def problems(kind: Kind, data: bytes, context: dict[str, Any] | None = None) -> list[Any]:
    with pytest.raises(WorkbookRefused) as caught:
        read(kind, data, context)
    return [(e.sheet, e.row, e.column, e.reason) for e in caught.value.errors]


def places(found: list[Any]) -> set[tuple[str, int | None, str]]:
    return {(sheet, row, column) for sheet, row, column, _ in found}


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_each_shipped_workbook_is_the_shipped_content(kind: Kind) -> None:
    assert read(kind, kind.sample_workbook) == kind.shipped(), (
        "regenerate with `python -m hall.content_kinds write-samples`"
    )
    written = workbook_bytes(kind, kind.shipped())
    assert kind.diff(kind.shipped(), read(kind, written))["no_changes"]


def test_knowledge_problems_by_cell() -> None:
    data = workbook_bytes(KNOWLEDGE, KNOWLEDGE.shipped())
    qa2 = row_of(data, "entries", id="qa002")
    qa3 = row_of(data, "entries", id="qa003")
    first_question = KNOWLEDGE.shipped()["entries"][0]["question"]
    wrong = edit(
        data,
        [
            ("entries", qa2, "A", "qa001"),  # a duplicate id
            ("entries", qa3, "C", first_question),  # the same question as row 2
            ("entries", qa3, "D", None),  # no answer
            ("entries", qa3, "B", "Start-up"),  # not an id
        ],
    )
    wrong = append(wrong, "synonyms", ["执照"], ["营业执照, 营业执照正本"])
    last = len(KNOWLEDGE.shipped()["synonyms"]) + 1
    found = problems(KNOWLEDGE, wrong)
    assert places(found) == {
        ("问答 entries", qa2, "A"),
        ("问答 entries", qa3, "C"),
        ("问答 entries", qa3, "D"),
        ("问答 entries", qa3, "B"),
        ("同义词 synonyms", last + 1, "A"),
        ("同义词 synonyms", last + 2, "A"),
    }
    reasons = {(row, reason) for _, row, _, reason in found}
    assert (qa3, "问题与第 2 行相同") in reasons
    assert (last + 1, "同义词组至少要有两个词，用逗号或顿号分隔") in reasons
    assert (last + 2, "词语“营业执照”已在第 2 行的同义词组中") in reasons


def test_taxonomy_problems_by_cell() -> None:
    data = workbook_bytes(TAXONOMY, TAXONOMY.shipped())
    transport = row_of(data, "categories", id="transport")
    finance = row_of(data, "categories", id="finance")
    sub = row_of(data, "subcategories", category="transport")
    routes = {c["id"]: "district_office" for c in TAXONOMY.shipped()["categories"]}
    del routes["finance"]
    wrong = edit(
        data,
        [
            ("categories", transport, "D", 0),  # deadline out of range
            ("subcategories", sub, "A", "transports"),  # a category that does not exist
            ("subcategories", sub + 1, "A", "transports"),
        ],
    )
    found = problems(TAXONOMY, wrong, {"demand_routes": routes})
    assert places(found) == {
        ("诉求类别 categories", transport, "D"),
        ("诉求类别 categories", finance, "A"),  # no handler department routed
        ("二级类别 subcategories", sub, "A"),
        ("二级类别 subcategories", sub + 1, "A"),
        ("诉求类别 categories", transport, "A"),  # now with too few subcategories
    }
    assert any("没有承办部门，诉求将无法分派" in reason for *_, reason in found)
    assert any("2 到 6 个二级类别（现有 1 个）" in reason for *_, reason in found)


def test_holiday_problems_by_cell() -> None:
    data = workbook_bytes(HOLIDAYS, HOLIDAYS.shipped())
    first = row_of(data, "days", kind="放假")
    end = len(HOLIDAYS.shipped()["holidays"]) + len(HOLIDAYS.shipped()["workdays"]) + 1
    wrong = edit(data, [("days", first, "A", "2026-13-01")])
    wrong = append(
        wrong,
        "days",
        [dt.date(2026, 12, 30), "调休上班"],  # a Wednesday
        [dt.date(2026, 10, 1), "放假"],  # already listed
        [dt.date(2026, 12, 31), "休息"],
    )
    found = problems(HOLIDAYS, wrong)
    assert places(found) == {
        ("日期 days", first, "A"),
        ("日期 days", end + 1, "A"),
        ("日期 days", end + 2, "A"),
        ("日期 days", end + 3, "B"),
    }
    reasons = {row: reason for _, row, _, reason in found}
    assert reasons[first] == "应为日期，如 2026-10-01，不能是“2026-13-01”"
    assert reasons[end + 1] == "调休上班日应为周六或周日，2026-12-30 是周三"
    assert reasons[end + 2] == "日期 2026-10-01 重复"


def test_not_a_workbook_is_one_problem() -> None:
    assert problems(HOLIDAYS, b"not a zip") == [
        ("", None, "", "文件不是可读取的 Excel 工作簿（.xlsx）")
    ]


# --- against a real hall -----------------------------------------------------------------------


def test_publish_serve_signed_switch_the_hall_and_roll_back(
    console_hall: ConsoleHall, tmp_path: Path
) -> None:
    hall = console_hall.server
    url = console_hall.url
    add_staff(hall, "zhao.admin", "admin")
    add_staff(hall, "wu.super", "supervisor")
    admin = login(hall, "zhao.admin")
    assert login(hall, "wu.super").get(url + "/api/v1/content/holidays/workbook").status_code == 403
    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    pinned = ContentPublicKey.from_json(json.loads((station / PIN_FILE).read_text("utf-8")))
    state = hall.app.state

    for kind in KINDS.values():
        base = f"{url}/api/v1/content/{kind.key}"
        # The shipped content was published at the first start; a download uploaded unchanged.
        download = admin.get(base + "/workbook", timeout=5)
        assert download.status_code == 200, download.text
        checked = admin.post(base + "/check", data=download.content, timeout=10).json()
        assert checked["ok"] and checked["diff"]["no_changes"], checked
        same = admin.post(base + "/publish", data=download.content, timeout=10)
        assert (same.status_code, same.json()["outcome"]) == (200, "unchanged")
        served = requests.get(f"{url}/api/v1/published/{kind.key}", timeout=5)
        assert served.status_code == 200
        pinned.verify(served.headers["ETag"], served.content, kind.key)
        with pytest.raises(SignatureRefused):  # not a catalog, nor another kind
            pinned.verify(served.headers["ETag"], served.content, "catalog")
        again = requests.get(
            f"{url}/api/v1/published/{kind.key}",
            headers={"If-None-Match": served.headers["ETag"]},
            timeout=5,
        )
        assert again.status_code == 304

    # Knowledge: an answer changed.
    base = url + "/api/v1/content/knowledge"
    data = admin.get(base + "/workbook", timeout=5).content
    changed = edit(data, [("entries", row_of(data, "entries", id="qa001"), "D", "一个工作日内。")])
    checked = admin.post(base + "/check", data=changed, timeout=10).json()
    assert [(c["id"], c["fields"]) for c in checked["diff"]["changed"]] == [("qa001", ["answer"])]
    published = admin.post(base + "/publish", data=changed, timeout=10)
    assert published.status_code == 201, published.text
    served = requests.get(url + "/api/v1/published/knowledge", timeout=5)
    pinned.verify(served.headers["ETag"], served.content, "knowledge")
    assert json.loads(served.content)["entries"][0]["answer"] == "一个工作日内。"
    assert json.loads(served.content)["version"] == published.json()["version"]

    # Demand taxonomy: the hall's desk takes the new deadline and name at once.
    base = url + "/api/v1/content/demand_taxonomy"
    data = admin.get(base + "/workbook", timeout=5).content
    transport = row_of(data, "categories", id="transport")
    assert state.demand_desk.taxonomy.deadline_days("transport") == 5
    wrong = edit(data, [("categories", transport, "D", 61)])
    refused = admin.post(base + "/publish", data=wrong, timeout=10)
    assert refused.status_code == 422
    assert [(e["sheet"], e["row"], e["column"]) for e in refused.json()["detail"]["errors"]] == [
        ("诉求类别 categories", transport, "D")
    ]
    better = edit(
        data, [("categories", transport, "D", 7), ("categories", transport, "B", "交通物流")]
    )
    assert admin.post(base + "/publish", data=better, timeout=10).status_code == 201
    assert state.demand_desk.taxonomy.deadline_days("transport") == 7
    meta = admin.get(url + "/api/v1/demands/meta", timeout=5).json()
    assert {c["id"]: c["name_zh"] for c in meta["categories"]}["transport"] == "交通物流"

    # Holidays: a new day off counts in the hall's working days from the moment it is published.
    base = url + "/api/v1/content/holidays"
    new_year_eve = dt.date(2026, 12, 31)  # a Thursday
    assert state.calendar.is_working_day(new_year_eve)
    data = admin.get(base + "/workbook", timeout=5).content
    assert (
        admin.post(
            base + "/publish", data=append(data, "days", [new_year_eve, "放假"]), timeout=10
        ).status_code
        == 201
    )
    assert not state.calendar.is_working_day(new_year_eve)
    versions = admin.get(base + "/versions", timeout=5).json()
    assert len(versions) == 2 and versions[0]["current"]

    # Roll back to the shipped calendar: a new version with the old content.
    back = admin.post(base + "/rollback", json={"version": versions[1]["version"]}, timeout=5)
    assert back.status_code == 201, back.text
    assert back.json()["diff"]["removed"] == [{"id": "2026-12-31", "name_zh": "2026-12-31 放假"}]
    assert state.calendar.is_working_day(new_year_eve)
    served = requests.get(url + "/api/v1/published/holidays", timeout=5)
    pinned.verify(served.headers["ETag"], served.content, "holidays")
    assert json.loads(served.content)["version"] == back.json()["version"]
    latest = admin.get(base + "/versions", timeout=5).json()[0]
    assert latest["version"] == back.json()["version"]
    old = admin.get(f"{base}/versions/{versions[0]['version']}/workbook", timeout=5)
    assert "2026-12-31" in read(HOLIDAYS, old.content)["holidays"]
    assert admin.post(base + "/rollback", json={"version": "nope"}, timeout=5).status_code == 404
    assert requests.get(url + "/api/v1/published/nothing", timeout=5).status_code == 404


def test_a_station_takes_the_published_knowledge_base(
    console_hall: ConsoleHall, tmp_path: Path
) -> None:
    """The kiosk's knowledge cache: the hall's published version verified and searched, 304 when
    unchanged, a newer one after a publication, kept on disk for the next start; a copy altered
    on disk is not used."""
    from kiosk.hall_client import HallClient
    from kiosk.knowledge import KNOWLEDGE_CACHE_FILE, KnowledgeCache

    hall = console_hall.server
    url = console_hall.url
    add_staff(hall, "zhao.admin", "admin")
    admin = login(hall, "zhao.admin")
    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    client = HallClient(url, timeout_s=5)

    def fetch(etag: str | None) -> tuple[int, str | None, bytes]:
        return client.get_published("knowledge", etag)

    cache = KnowledgeCache(station)
    assert cache.version is None  # the shipped sample until the first refresh
    first = cache.refresh(fetch)
    assert (first.outcome, first.code) == ("updated", None)
    assert cache.refresh(fetch).outcome == "not_modified"

    base = url + "/api/v1/content/knowledge"
    data = admin.get(base + "/workbook", timeout=5).content
    added = append(
        data,
        "entries",
        [
            "qa900",
            "general",
            "自助终端支持哪些充电方式？",
            "本机提供无线充电板。",
            "手机快充、快充",
        ],
    )
    published = admin.post(base + "/publish", data=added, timeout=10)
    assert published.status_code == 201, published.text
    newer = cache.refresh(fetch)
    assert (newer.outcome, newer.version) == ("updated", published.json()["version"])
    kb = cache.knowledge_base()
    for query in ("无线充电", "手机快充", "快充"):  # the answer, a keyword (indexed, and short)
        hits = kb.search(query)
        assert hits and hits[0].id == "qa900", query
    assert "快充" not in hits[0].answer  # keywords are searched, never shown

    # A restart reads the verified copy; an altered copy is not used (the shipped sample is).
    assert KnowledgeCache(station).version == published.json()["version"]
    path = station / KNOWLEDGE_CACHE_FILE
    envelope = json.loads(path.read_text("utf-8"))
    envelope["body"] = envelope["body"].replace("无线充电板", "有线充电板")
    path.write_text(json.dumps(envelope, ensure_ascii=False), "utf-8")
    assert KnowledgeCache(station).version is None
    client.close()
