"""Policies kept in a workbook (issue 18): the conditions in one readable cell, every problem named
by sheet, row and column in Chinese, and the diff against the published set. The shipped
2,147-policy workbook's round trip is in test_content_kinds (every kind's shipped workbook)."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from hall.content_kinds import POLICIES, read, workbook_bytes
from kiosk.policies import DEFAULT_POLICIES_PATH
from tests.hall.test_content_kinds import append, edit, places, problems, row_of, sheet_of


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
