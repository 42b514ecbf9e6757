"""Tests for the demand taxonomy (contracts.demands) and the kiosk's category suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.demands import ContentError, Taxonomy, parse_taxonomy
from hall.demand_content import TAXONOMY_PATH
from kiosk.demands import DEFAULT_TAXONOMY_PATH, load_taxonomy, suggest, suggest_category
from kiosk.services.catalog import load_catalog


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


# --- taxonomy ------------------------------------------------------------------------------------


def test_taxonomy_has_13_categories_each_with_2_to_6_children(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.categories) == 13
    for cat in taxonomy.categories:
        assert 2 <= len(cat.children) <= 6, cat.id
        assert cat.deadline_working_days >= 1
    assert [c.name_zh for c in taxonomy.categories[:3]] == ["人力资源", "发展改革", "商务贸易"]


def test_taxonomy_matches_the_kiosk_form_choices(taxonomy: Taxonomy) -> None:
    field = load_catalog().service("enterprise_demand").form.field("demand_category")
    assert field.choice_values == tuple(c.id for c in taxonomy.categories)


@pytest.mark.parametrize(
    ("text", "category", "subcategory", "hit"),
    [
        ("公司缺工严重，急需招聘一批普工", "human_resources", "recruitment", "普工"),
        ("员工的社保缴费基数怎么调整", "human_resources", "social_insurance", "缴费基数"),
        (
            "申请高新技术企业认定需要哪些条件",
            "technology_innovation",
            "high_tech_certification",
            "高新技术企业",
        ),
        ("厂区附近公交线路太少，员工通勤困难", "transport", "commuting", "公交线路"),
        ("出口订单报关太慢，影响交货", "commerce_trade", "foreign_trade", "报关"),
        ("数电票开票额度不够用", "tax_services", "invoices", "开票额度"),
        ("隔壁工厂夜里噪声扰民，还有异味", "ecology_environment", "pollution_control", "噪声"),
        ("ＡＰＰ登录不了，网上办一直失败", "government_services", "online_services", "app"),
    ],
)
def test_suggestions_explain_their_keyword_hits(
    taxonomy: Taxonomy, text: str, category: str, subcategory: str, hit: str
) -> None:
    best = suggest(taxonomy, text)[0]
    assert (best.category, best.subcategory) == (category, subcategory)
    assert hit in [h.casefold() for h in best.hits]
    assert best.score > 0


def test_suggestions_are_ranked_and_limited(taxonomy: Taxonomy) -> None:
    found = suggest(taxonomy, "想申请发明专利资助，也想了解知识产权质押贷款", limit=3)
    assert len(found) == 3
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert found[0].category == "intellectual_property"
    assert len(set(found[0].hits)) == len(found[0].hits)  # a word at two levels counts once


def test_no_keyword_no_suggestion(taxonomy: Taxonomy) -> None:
    assert suggest(taxonomy, "你好") == []
    assert suggest(taxonomy, "   ") == []
    assert suggest_category("谢谢") == []


def test_broken_taxonomy_lists_every_problem() -> None:
    doc = json.loads(DEFAULT_TAXONOMY_PATH.read_text("utf-8"))
    doc["categories"][12]["deadline_working_days"] = 0
    doc["categories"][1]["children"] = doc["categories"][1]["children"][:1]
    doc["categories"][2]["children"][0]["id"] = "recruitment"  # already used under HR
    with pytest.raises(ContentError) as info:
        parse_taxonomy(doc)
    text = "\n".join(info.value.reasons)
    assert "deadline_working_days must be a whole number" in text
    assert "needs 2-6 second-level categories" in text
    assert "duplicate id 'recruitment'" in text


def test_the_kiosk_suggests_from_the_taxonomy_the_hall_counts_deadlines_from() -> None:
    # Two packages ship the file (the kiosk for suggestions, the hall for deadlines): one content.
    assert json.loads(Path(DEFAULT_TAXONOMY_PATH).read_bytes()) == json.loads(
        TAXONOMY_PATH.read_bytes()
    )
