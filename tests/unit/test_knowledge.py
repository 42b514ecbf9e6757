"""Tests for kiosk.knowledge: FTS5 trigram search, short terms, pinyin initials, synonyms."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.knowledge import (
    Entry,
    KnowledgeBase,
    load_entries,
    pinyin_initials,
    synthetic_entries,
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_content()


def _ids(kb: KnowledgeBase, query: str, limit: int = 5) -> list[str]:
    return [h.id for h in kb.search(query, limit)]


def test_sqlite_has_fts5_trigram() -> None:
    version = tuple(int(x) for x in sqlite3.sqlite_version.split("."))
    assert version >= (3, 34, 0)


def test_sample_size() -> None:
    assert 55 <= len(load_entries()) <= 80


def test_chinese_substring_anywhere_in_the_question(kb: KnowledgeBase) -> None:
    hits = kb.search("丢了怎么办")  # a substring from the middle of the question
    assert hits[0].question == "营业执照丢了怎么办？"
    assert hits[0].matched == "text"


def test_substring_of_the_answer_is_found_too(kb: KnowledgeBase) -> None:
    # "住所申报承诺制" appears only in an answer.
    assert _ids(kb, "住所申报承诺制") == ["qa004"]


def test_question_hits_rank_above_answer_hits(kb: KnowledgeBase) -> None:
    hits = kb.search("充电桩")
    assert {h.id for h in hits[:2]} == {"qa034", "qa035"}  # in the question
    assert all(h.score >= hits[-1].score for h in hits)


@pytest.mark.parametrize(("query", "expected"), [("社保", "qa023"), ("发票", "qa016")])
def test_two_character_queries_need_no_trigram(
    kb: KnowledgeBase, query: str, expected: str
) -> None:
    assert expected in _ids(kb, query)


def test_single_character_query(kb: KnowledgeBase) -> None:
    assert kb.search("电")  # a scan, but still an answer


@pytest.mark.parametrize(
    ("query", "expected"),
    [("yyzz", "qa005"), ("gsdz", "qa010"), ("cdz", "qa034"), ("YYZZ", "qa005"), ("xgs", "qa023")],
)
def test_pinyin_initials(kb: KnowledgeBase, query: str, expected: str) -> None:
    hits = kb.search(query)
    assert expected in [h.id for h in hits]
    assert hits[0].matched == "pinyin"


def test_pinyin_prefix_ranks_first(kb: KnowledgeBase) -> None:
    # 营业执照丢了… starts with yyzz; the others only contain it.
    assert _ids(kb, "yyzz")[0] == "qa005"


def test_initials_helper() -> None:
    assert pinyin_initials("营业执照怎么办理") == "yyzzzmbl"
    assert pinyin_initials("申请PCT专利？") == "sqpctzl"
    assert pinyin_initials("银行") == "yh"


def test_synonyms_find_the_official_wording(kb: KnowledgeBase) -> None:
    assert "qa005" in _ids(kb, "执照丢了")  # 执照 ~ 营业执照
    assert "qa023" in _ids(kb, "五险")  # 五险 ~ 社保
    assert "qa044" in _ids(kb, "高企认定条件")  # 高企 ~ 高新技术企业, then fuzzy
    assert _ids(kb, "法人变更")[0] == "qa009"  # 法人 ~ 法定代表人


def test_several_terms_must_all_match(kb: KnowledgeBase) -> None:
    assert _ids(kb, "专利 质押") == ["qa050"]
    assert _ids(kb, "专利 充电桩") == []


def test_fuzzy_for_a_reworded_question(kb: KnowledgeBase) -> None:
    hits = kb.search("物业不让装充电桩")
    assert hits[0].id == "qa035" and hits[0].matched == "fuzzy"


@pytest.mark.parametrize("query", ["天气预报", "", "   ", "？？", "zzzzqqqq", '"', "*", "a OR b"])
def test_no_answer_is_an_empty_list(kb: KnowledgeBase, query: str) -> None:
    assert kb.search(query) == []


@pytest.mark.parametrize("query", ['营业"执照', "NEAR(营业 执照)", "执照*", "%", "_", "\\"])
def test_fts_syntax_in_queries_is_just_text(kb: KnowledgeBase, query: str) -> None:
    kb.search(query)  # must not raise sqlite3.OperationalError


def test_full_width_and_case_are_folded(kb: KnowledgeBase) -> None:
    assert _ids(kb, "ＹＹＺＺ") == _ids(kb, "yyzz")


def test_limit(kb: KnowledgeBase) -> None:
    assert len(kb.search("企业", limit=2)) == 2


def test_on_disk_index_is_rebuilt_not_duplicated(tmp_path: object) -> None:
    path = f"{tmp_path}/kb.sqlite3"
    entries = [Entry("a", "t", "营业执照怎么办", "去窗口"), Entry("b", "t", "社保怎么交", "网上交")]
    KnowledgeBase(entries, database=path).close()
    again = KnowledgeBase(entries, database=path)
    assert len(again) == 2
    again.close()


def test_synthetic_set_is_deterministic_and_searchable() -> None:
    one, two = synthetic_entries(5000), synthetic_entries(5000)
    assert len(one) == 5000 and one == two
    assert len({e.question for e in one}) == 5000
    big = KnowledgeBase(one[:400])
    assert big.search(one[123].question)[0].id == one[123].id
    big.close()
