"""Tests for kiosk.progress: plain words per part, offline fallback, the receipt's QR code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from contracts.catalog import Catalog
from contracts.progress import describe, parse_status
from kiosk.progress import OutboxStub, ProgressCache, ProgressNotFound, look_up, parse_progress_qr
from kiosk.receipts import progress_url
from kiosk.services.catalog import load_catalog

TN = "QH-SZ-001-20261127-0003"
CST = dt.timezone(dt.timedelta(hours=8))
T1 = dt.datetime(2026, 11, 27, 10, 5, tzinfo=CST)
T2 = dt.datetime(2026, 11, 28, 9, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _ev_status(power: str = "handling") -> dict[str, Any]:
    return {
        "tracking_number": TN,
        "service_id": "ev_charging_pile",
        "parts": [
            {
                "id": "property_consent",
                "status": "completed",
                "updated_at": "2026-11-27T10:05:00+08:00",
                "steps": [
                    {"id": "applicant_request", "status": "done", "updated_at": None},
                    {
                        "id": "property_confirmation",
                        "status": "done",
                        "updated_at": "2026-11-27T10:05:00+08:00",
                    },
                ],
            },
            {
                "id": "community_coordination",
                "status": "needs_more",
                "updated_at": "2026-11-27T11:00:00+08:00",
                "note_zh": "请补充施工方案",
                "note_en": "Please add the construction plan",
                "steps": [
                    {"id": "community_confirmation", "status": "done"},
                    {"id": "construction_plan", "status": "in_progress"},
                    {"id": "civil_air_defence_filing", "status": "skipped"},
                ],
            },
            {"id": "power_supply", "status": power, "updated_at": "2026-11-27T12:00:00+08:00"},
        ],
    }


def test_every_part_and_step_in_plain_words(catalog: Catalog) -> None:
    view = describe(parse_status(_ev_status()), catalog, "zh_CN")
    assert view.service_name == "居民充电桩报装"
    assert view.live and view.notice == ""
    assert view.headline == "需要您补充材料"
    consent, community, power = view.parts
    assert consent.name == "车位安装条件确认" and consent.words == "已办结"
    assert consent.department == "苏州高新区住房和城乡建设局（人防办）"
    assert community.note == "请补充施工方案"
    assert community.words.startswith("需要补充材料")
    assert [(s.name, s.words) for s in community.steps] == [
        ("确认并协调（无物业或物业不配合时）", "已完成"),
        ("提交施工方案（走线、计量、消防）", "进行中"),
        ("人防工程内车位的安装备案", "无需办理"),
    ]
    assert community.steps[2].party == "区人防办"
    assert power.words == "正在办理" and power.department == "国网苏州供电公司"
    assert power.updated_at  # local time text, e.g. "2026-11-27 12:00" in CST


def test_english_and_all_done(catalog: Catalog) -> None:
    doc = _ev_status()
    for part in doc["parts"]:
        part["status"] = "completed"
    view = describe(parse_status(doc), catalog, "en_US")
    assert view.headline == "All done"
    assert view.parts[2].name == "Electricity connection for the charger"


def test_bundle_parts_from_the_startup_bundle(catalog: Catalog) -> None:
    doc = {
        "tracking_number": TN,
        "service_id": "company_startup_power",
        "parts": [
            {"id": "company_registration", "status": "completed", "updated_at": None},
            {"id": "power_connection", "status": "received", "updated_at": None},
        ],
    }
    view = describe(parse_status(doc), catalog, "zh_CN")
    assert view.headline == "办理中（1/2 项已办结）"
    assert [p.department for p in view.parts] == ["苏州高新区市场监督管理局", "国网苏州供电公司"]


def test_unknown_status_and_part_do_not_crash(catalog: Catalog) -> None:
    doc = {"tracking_number": TN, "parts": [{"id": "mystery", "status": "teleported"}]}
    view = describe(parse_status(doc), catalog)
    assert view.parts[0].name == "mystery"
    assert "状态更新中" in view.parts[0].words


@pytest.mark.parametrize(
    ("doc", "why"),
    [
        ([], "^document: Input should be a valid dictionary"),
        ({"tracking_number": "nope", "parts": []}, "^tracking_number: .*not a tracking number"),
        ({"tracking_number": TN, "parts": []}, "^parts: .*at least 1 item"),
        ({"tracking_number": TN, "parts": [{"id": "a"}]}, "^parts.0.status: Field required"),
        ({"tracking_number": TN, "parts": [{"id": "a", "status": ""}]}, "^parts.0.status: "),
        # Strict: a number is not text, a Unix time is not an ISO-8601 time.
        ({"tracking_number": TN, "parts": [{"id": 7, "status": "x"}]}, "^parts.0.id: "),
        (
            {"tracking_number": TN, "parts": [{"id": "a", "status": "x", "updated_at": 1}]},
            "ISO-8601",
        ),
        (
            {"tracking_number": TN, "parts": [{"id": "a", "status": "x", "updated_at": "soon"}]},
            "ISO-8601",
        ),
        (
            {"tracking_number": TN, "parts": [{"id": "a", "status": "x", "steps": [1]}]},
            "^parts.0.steps.0: Input should be a valid dictionary",
        ),
    ],
)
def test_malformed_status_documents(doc: object, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_status(doc)


class Hall:
    """The hall's progress endpoint as the kiosk sees it: answers, 404s, or is unreachable."""

    def __init__(self) -> None:
        self.docs: dict[str, Mapping[str, Any]] = {}
        self.online = True

    def fetch(self, tracking_number: str) -> Mapping[str, Any] | None:
        if not self.online:
            raise ConnectionError("connection refused")
        return self.docs.get(tracking_number)


def test_online_then_offline_shows_last_known_status(tmp_path: Path, catalog: Catalog) -> None:
    hall, cache = Hall(), ProgressCache(tmp_path / "progress.json")
    hall.docs[TN] = _ev_status()
    clock = iter([T1, T2])
    live = look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: next(clock))
    assert live.source == "hall" and live.as_of == T1

    hall.online = False
    offline = look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T2)
    assert offline.source == "cache" and not offline.live
    assert offline.as_of == T1
    assert "最新已知状态" in offline.notice and T1.astimezone().strftime("%H:%M") in offline.notice
    assert [p.status for p in offline.parts] == ["completed", "needs_more", "handling"]

    english = look_up(
        TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T2, language="en_US"
    )
    assert english.notice.startswith("The service hall cannot be reached; last known status at")


def test_newer_status_replaces_the_cached_one(tmp_path: Path, catalog: Catalog) -> None:
    hall, cache = Hall(), ProgressCache(tmp_path / "progress.json")
    hall.docs[TN] = _ev_status("handling")
    look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T1)
    hall.docs[TN] = _ev_status("completed")
    look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T2)
    hall.online = False
    view = look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T2)
    assert view.parts[2].status == "completed" and view.as_of == T2


def test_bad_hall_answer_falls_back_to_the_cache(tmp_path: Path, catalog: Catalog) -> None:
    hall, cache = Hall(), ProgressCache(tmp_path / "progress.json")
    hall.docs[TN] = _ev_status()
    look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T1)
    hall.docs[TN] = {"tracking_number": TN, "parts": "garbage"}
    view = look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T2)
    assert view.source == "cache"


def test_filing_still_in_the_outbox(tmp_path: Path, catalog: Catalog) -> None:
    hall, cache = Hall(), ProgressCache(tmp_path / "progress.json")
    hall.online = False
    stub = OutboxStub(TN, "company_startup_power", "pending", T1)
    view = look_up(
        TN,
        fetch=hall.fetch,
        cache=cache,
        catalog=catalog,
        now=lambda: T2,
        outbox_stub=lambda tn: stub if tn == TN else None,
    )
    assert view.source == "outbox"
    assert view.headline == "等待发送"
    assert [p.id for p in view.parts] == ["company_registration", "power_connection"]
    assert all(p.status == "queued" for p in view.parts)
    assert "尚未把这份申请发送" in view.notice


def test_unknown_and_invalid_numbers(tmp_path: Path, catalog: Catalog) -> None:
    hall, cache = Hall(), ProgressCache(tmp_path / "progress.json")
    with pytest.raises(ProgressNotFound):
        look_up(TN, fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T1)
    with pytest.raises(ValueError, match="not a tracking number"):
        look_up("hello", fetch=hall.fetch, cache=cache, catalog=catalog, now=lambda: T1)


def test_cache_is_bounded_and_survives_corruption(tmp_path: Path) -> None:
    cache = ProgressCache(tmp_path / "progress.json", max_entries=2)
    for seq in range(1, 4):
        cache.put(f"QH-20261127-000{seq}", {"n": seq}, T1)
    assert cache.get("QH-20261127-0001") is None
    assert cache.get("QH-20261127-0003") == ({"n": 3}, T1)
    (tmp_path / "progress.json").write_text("{broken", "utf-8")
    assert cache.get("QH-20261127-0003") is None
    cache.put("QH-20261127-0004", {"n": 4}, T2)
    assert cache.get("QH-20261127-0004") == ({"n": 4}, T2)


# --- QR codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("hall_url", ["http://127.0.0.1:8800", "https://hall.example.cn/qihang/"])
def test_receipt_qr_round_trip(hall_url: str) -> None:
    url = progress_url(hall_url, TN)
    assert parse_progress_qr(url) == TN
    assert parse_progress_qr(url, hall_url) == TN
    assert parse_progress_qr(url + "/") == TN
    assert parse_progress_qr(url + "?from=sms#top", hall_url) == TN


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "hello",
        "https://hall.example.cn/progress/",
        "https://hall.example.cn/status/QH-20261127-0003",
        "https://hall.example.cn/progress/QH-20261327-0003",  # month 13
        "ftp://hall.example.cn/progress/QH-20261127-0003",
        "/progress/QH-20261127-0003",
        "WIFI:S:guest;T:WPA;P:secret;;",
    ],
)
def test_foreign_or_broken_qr_payloads(payload: str) -> None:
    assert parse_progress_qr(payload) is None


def test_qr_for_another_hall_is_refused_when_ours_is_known() -> None:
    other = "https://evil.example.com/progress/QH-20261127-0003"
    assert parse_progress_qr(other) == "QH-20261127-0003"
    assert parse_progress_qr(other, "https://hall.example.cn") is None
    assert (
        parse_progress_qr(
            "https://hall.example.cn/x/progress/QH-20261127-0003", "https://hall.example.cn/qihang"
        )
        is None
    )


def test_typed_tracking_number_is_accepted() -> None:
    assert parse_progress_qr(f"  {TN} ") == TN
