"""Policies kept in a workbook (issue 18): the conditions in one readable cell, every problem named
by sheet, row and column in Chinese, and the diff against the published set. The shipped
2,147-policy workbook's round trip is in test_content_kinds (every kind's shipped workbook).
Against a real hall: a station's policy cache takes the signed published version, and a walk-in
matches on the version their session started with."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Final

import openpyxl  # type: ignore[import-untyped]
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.content_signature import ContentPublicKey, signed_etag
from hall.content_kinds import POLICIES, read, workbook_bytes
from kiosk.hall_client import HallClient
from kiosk.policies import DEFAULT_POLICIES_PATH
from kiosk.policy_cache import PolicyCache
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import add_staff, enrol_station, login
from tests.hall.test_content_kinds import append, edit, places, problems, row_of, sheet_of
from tests.unit.test_consult import Kit, make_kit, open_consult


@pytest.fixture(scope="module")
def hand_written() -> dict[str, Any]:
    """The 21 hand-written policies alone: a small workbook, quick to edit."""
    doc: dict[str, Any] = POLICIES.canonical(json.loads(DEFAULT_POLICIES_PATH.read_text("utf-8")))
    return doc


@pytest.fixture(scope="module")
def small(hand_written: dict[str, Any]) -> bytes:
    return workbook_bytes(POLICIES, hand_written)


def test_the_workbook_says_conditions_in_words(small: bytes, hand_written: dict[str, Any]) -> None:
    assert read(POLICIES, small) == hand_written
    row = row_of(small, "policies", id="ic_industry")
    book = openpyxl.load_workbook(io.BytesIO(small), read_only=True)
    conditions = sheet_of(book, "policies")[f"M{row}"].value
    book.close()
    assert conditions.startswith("注册地 属于 狮山横塘街道、")
    assert (
        "行业 属于 C3973,I652 【属于集成电路设计或制造｜IC design or manufacturing】" in conditions
    )


def test_problems_by_cell(small: bytes) -> None:
    first = row_of(small, "policies", id="hte_first_award")
    second = row_of(small, "policies", id="hte_cultivation")
    third = row_of(small, "policies", id="ic_industry")
    wrong = edit(
        small,
        [
            ("policies", first, "M", "注册地 属于 火星 且 资质 包含 国家高新技术企业"),
            ("policies", second, "A", "hte_first_award"),  # a duplicate id
            ("policies", second, "K", "2025-01-01"),  # closes before it opens
            ("policies", third, "L", "www.example.cn/policy"),  # not a link
            ("policies", third, "I", "三十万"),  # not an amount
        ],
    )
    wrong = append(wrong, "certifications", ["nobel", "诺贝尔且菲尔兹", "Nobel"])
    found = problems(POLICIES, wrong)
    assert places(found) == {
        ("政策 policies", first, "M"),
        ("政策 policies", second, "A"),
        ("政策 policies", second, "K"),
        ("政策 policies", third, "L"),
        ("政策 policies", third, "I"),
        ("资质 certifications", 10, "B"),
    }
    reasons = {(row, column): reason for _, row, column, reason in found}
    assert reasons[(first, "M")].startswith(
        "第 1 个条件“注册地 属于 火星”（第 1 个字起）：不认识的注册地“火星”"
    )
    assert reasons[(second, "A")] == "政策编号“hte_first_award”重复"
    assert reasons[(second, "K")] == "截止日期早于开始申报日期"
    assert reasons[(third, "L")] == "链接应以 http:// 或 https:// 开头，不含空格"
    assert reasons[(third, "I")] == "应为金额（万元），如 30，不能是“三十万”"
    assert reasons[(10, "B")].startswith("名称中不能有“且”")


def test_department_and_link_are_kept(small: bytes, hand_written: dict[str, Any]) -> None:
    row = row_of(small, "policies", id="hte_first_award")
    data = edit(
        small,
        [
            ("policies", row, "F", "科技创新局"),
            ("policies", row, "L", "https://www.snd.gov.cn/policy/hte"),
        ],
    )
    doc = read(POLICIES, data)
    assert doc["policies"][0]["department"] == "科技创新局"
    assert doc["policies"][0]["link"] == "https://www.snd.gov.cn/policy/hte"
    changes = POLICIES.diff(hand_written, doc)
    assert [(c["id"], c["fields"]) for c in changes["changed"]] == [
        ("hte_first_award", ["department", "link"])
    ]


def test_diff_added_removed_changed(hand_written: dict[str, Any]) -> None:
    new = copy.deepcopy(hand_written)
    gone = new["policies"].pop(1)
    new["policies"][0]["all"][2]["value"] = 2
    new["policies"].append({**new["policies"][0], "id": "hte_new", "title_zh": "新政策"})
    changes = POLICIES.diff(hand_written, new)
    assert changes["added"] == [{"id": "hte_new", "name_zh": "新政策"}]
    assert changes["removed"] == [{"id": gone["id"], "name_zh": gone["title_zh"]}]
    assert [(c["id"], c["fields"]) for c in changes["changed"]] == [("hte_first_award", ["all"])]
    assert not changes["no_changes"] and not changes["vocabulary_changed"]
    assert POLICIES.diff(hand_written, copy.deepcopy(hand_written))["no_changes"]


# --- against a real hall: the station's matcher takes the published policies -----------------

PROFILE: Final = {
    "industry": "I",
    "industry_code": "I652",
    "size": "small",
    "capital": "500",
    "founded_year": "2023",
    "district": "dongzhu",
}


def answer(kit: Kit) -> None:
    """A certified software SME's answers on the policy form, matched."""
    consult = kit.flow.consult
    for name, value in PROFILE.items():
        consult.set_profile(name, value)
    if "tech_sme" not in consult.data.certifications:
        consult.toggle_certification("tech_sme")
    consult.match_policies()
    kit.bg.release()


# The hall's storage of every kind is tested on both databases in test_content_kinds.
@pytest.mark.parametrize("hall_db", ["sqlite"], indirect=True)
def test_a_station_matches_on_the_published_policies(
    console_hall: ConsoleHall, tmp_path: Path
) -> None:
    """The kiosk's policy cache: the shipped 2,147 until the first refresh, the hall's signed
    version after it (304 when unchanged), a new policy published from the workbook reaches the
    next walk-in, never the one in session; a copy altered on disk, an unsigned or foreign-signed
    answer and an unreachable hall leave the last good version in use."""
    hall, url = console_hall.server, console_hall.url
    add_staff(hall, "zhao.admin", "admin")
    admin = login(hall, "zhao.admin")
    station = tmp_path / "station"
    enrol_station(hall, state_dir=station)
    client = HallClient(url, timeout_s=10)

    def fetch(etag: str | None) -> tuple[int, str | None, bytes]:
        return client.get_published("policies", etag)

    cache = PolicyCache(station)
    assert cache.version is None and len(cache.policy_set().policies) == 2147
    first = cache.refresh(fetch)
    assert (first.outcome, first.code) == ("updated", None)
    assert len(cache.policy_set().policies) == 2147
    assert cache.refresh(fetch).outcome == "not_modified"

    # A walk-in asks about policies: the session takes the version in use.
    kit = make_kit(tmp_path, load_policies=cache.policy_set)
    open_consult(kit, "policies")
    kit.bg.release()
    in_session = kit.flow.consult.policy_set
    assert in_session is cache.policy_set()

    # Meanwhile staff publish a new policy for certified software SMEs in 东渚.
    base = url + "/api/v1/content/policies"
    data = admin.get(base + "/workbook", timeout=30).content
    rule = (
        "行业 属于 I65 且 注册地 = 东渚街道（苏州科技城） 且 规模 属于 小型、微型 "
        "且 注册资本 >= 100 且 资质 包含 科技型中小企业"
    )
    new = [
        "low_altitude_pilot", "低空经济试点补贴", "Low-altitude economy pilot subsidy",
        "苏州高新区科技创新局", "District Science and Technology Innovation Bureau", "科技创新局",
        "试点费用补贴50%",
        "50% of pilot costs", 20, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
        "https://www.snd.gov.cn/policy/low-altitude", rule,
    ]  # fmt: skip
    data = append(data, "policies", new)
    checked = admin.post(base + "/check", data=data, timeout=30).json()
    assert checked["ok"], [e["reason"] for e in checked["errors"]]
    assert checked["diff"]["added"] == [{"id": "low_altitude_pilot", "name_zh": "低空经济试点补贴"}]
    published = admin.post(base + "/publish", data=data, timeout=30)
    assert published.status_code == 201, published.text
    newer = cache.refresh(fetch)
    assert (newer.outcome, newer.version) == ("updated", published.json()["version"])
    assert len(cache.policy_set().policies) == 2148

    # The walk-in in session still matches on the version they started with ...
    consult = kit.flow.consult
    answer(kit)
    assert consult.policy_set is in_session
    ids = {m.policy.id for m in kit.flow.context.consult.matches["zh_CN"]}
    assert "low_altitude_pilot" not in ids
    kit.flow.cancel()
    # ... the next one matches on the new one, with the reasons in words.
    open_consult(kit, "policies")
    kit.bg.release()
    answer(kit)
    found = {m.policy.id: m for m in kit.flow.context.consult.matches["zh_CN"]}
    voucher = found["low_altitude_pilot"]
    assert voucher.eligible and voucher.policy.link == "https://www.snd.gov.cn/policy/low-altitude"
    assert "注册资本不低于 100万元" in voucher.why
    kit.flow.consult.close_resources()

    # A restart reads the verified copy; a copy altered on disk is not used.
    assert PolicyCache(station).version == published.json()["version"]
    envelope = json.loads(cache.path.read_text("utf-8"))
    envelope["body"] = envelope["body"].replace("低空经济试点补贴", "低空经济补贴")
    cache.path.write_text(json.dumps(envelope, ensure_ascii=False), "utf-8")
    assert PolicyCache(station).version is None

    # Refused answers keep the last good version, with the catalog's codes.
    foreign = ContentPublicKey(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    other = PolicyCache(tmp_path / "other", content_key=foreign)
    assert other.refresh(fetch).code == "CATALOG_BAD_SIGNATURE"
    assert other.refresh(lambda etag: (200, '"abc"', b"{}")).code == "CATALOG_UNSIGNED"
    assert PolicyCache(tmp_path / "none").refresh(fetch).code == "CATALOG_KEY_MISSING"
    body = json.dumps({"version": "x", "certifications": {}, "districts": {}, "policies": 1})
    store = hall.app.state.content_store
    etag = signed_etag('"bad"', store.content_key.sign(body.encode(), "policies"))
    bad = cache.refresh(lambda _: (200, etag, body.encode()))
    assert (bad.code, bad.version) == ("HALL_BAD_DOCUMENT", published.json()["version"])
    offline = HallClient("http://127.0.0.1:9", timeout_s=2)
    gone = cache.refresh(lambda etag: offline.get_published("policies", etag))
    assert (gone.outcome, gone.version) == ("offline", published.json()["version"])
    offline.close()
    client.close()
