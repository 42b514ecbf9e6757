"""The policies' rule language (contracts.policy_rules): one line of text per policy's conditions,
read one to one onto the document's conditions, every problem named in Chinese."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.policies import PolicySet, compile_policies
from contracts.policy_rules import RuleError, format_rule, parse_rule
from contracts.policy_synthetic import shipped_document, synthetic_documents
from kiosk.policies import DEFAULT_POLICIES_PATH


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_POLICIES_PATH.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def policy_set(sample: dict[str, Any]) -> PolicySet:
    return compile_policies(sample)


def test_the_issue_example_reads_as_conditions(policy_set: PolicySet) -> None:
    text = (
        "行业 属于 C39,C40 且 注册地 = 狮山横塘街道 且 年营业收入 >= 500 且 资质 包含 高新技术企业"
    )
    assert parse_rule(text, policy_set.vocabulary) == (
        [
            {"field": "industry", "op": "prefix", "value": ["C39", "C40"]},
            {"field": "district", "op": "in", "value": ["shishan_hengtang"]},
            {"field": "annual_revenue_wan", "op": "gte", "value": 500},
            {"field": "certifications", "op": "has", "value": "high_tech"},
        ],
        [],
    )


def test_every_operator_group_labels_and_english_aliases(policy_set: PolicySet) -> None:
    vocab = policy_set.vocabulary
    all_of, any_of = parse_rule(
        "规模 属于 小型、中型 且 注册资本>=100万元 且 成立年限 <= 5年 且 职工人数 介于 10~300人 "
        "且 资质 不含 规模以上企业 且 研发占比 >= 0.5 【有研发投入｜has R&D spending】 "
        "且 (资质 包含任一 瞪羚企业、科技型中小企业 或 营业收入 >= 2000)",
        vocab,
    )
    assert [(c["field"], c["op"], c["value"]) for c in all_of] == [
        ("size", "in", ["small", "medium"]),
        ("registered_capital_wan", "gte", 100),
        ("age_years", "lte", 5),
        ("employees", "between", [10, 300]),
        ("certifications", "lacks", "above_scale"),
        ("rd_ratio", "gte", 0.5),
    ]
    assert all_of[-1]["label_zh"] == "有研发投入"
    assert all_of[-1]["label_en"] == "has R&D spending"
    assert any_of == [
        {"field": "certifications", "op": "has_any", "value": ["gazelle", "tech_sme"]},
        {"field": "annual_revenue_wan", "op": "gte", "value": 2000},
    ]
    english = parse_rule("industry in C39 and (cert has gazelle or revenue >= 500)", vocab)
    assert english == (
        [{"field": "industry", "op": "prefix", "value": ["C39"]}],
        [
            {"field": "certifications", "op": "has", "value": "gazelle"},
            {"field": "annual_revenue_wan", "op": "gte", "value": 500},
        ],
    )
    # A whole rule of alternatives needs no parentheses.
    assert parse_rule("规模 = 微型 或 规模 = 小型", vocab)[0] == []


def test_hand_written_and_generated_policies_round_trip(sample: dict[str, Any]) -> None:
    vocab = compile_policies(sample).vocabulary
    generated = synthetic_documents(
        400,
        seed=7,
        certifications=list(sample["certifications"]),
        districts=list(sample["districts"]),
    )
    for policy in [*sample["policies"], *generated]:
        text = format_rule(policy["all"], policy.get("any", []), vocab)
        assert parse_rule(text, vocab) == (policy["all"], policy.get("any", [])), text


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("颜色 = 红", "第 1 个条件“颜色 = 红”（第 1 个字起）：开头应为条件项"),
        ("注册地 属于 火星", "不认识的注册地“火星”"),
        ("行业 属于 Q99", "“Q99”不是国民经济行业分类"),
        ("规模 >= 3", "“规模”不能用“>=”，可用：属于"),
        ("注册资本 >= 五百", "“五百”不是数字"),
        ("职工人数 介于 300~10", "下限大于上限"),
        ("资质 包含 瞪羚企业、规模以上企业", "“包含”只能写一个资质"),
        ("资质 包含 企业", "可指多个资质"),
        ("注册地 = 枫桥街道 且 规模 = 小型 或 规模 = 中型", "“或”连接的条件要用括号括起来"),
        ("(规模 = 小型 或 规模 = 中型) 且 (资质 包含 瞪羚企业 或 研发占比 >= 3)", "只能有一组"),
        ("注册地 = 枫桥街道 且 (规模 = 小型", "括号不成对"),
        ("注册地 = 枫桥街道 且 ", "缺少条件"),
        ("研发占比", "后面应为运算符"),
        ("研发占比 >=", "后面缺少取值"),
        ("", "申报条件不能为空"),
        ("规模 = 小型 且 " * 500, "申报条件过长"),
    ],
)
def test_problems_say_where_and_why(policy_set: PolicySet, text: str, why: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(text, policy_set.vocabulary)
    assert any(why in p for p in caught.value.problems), caught.value.problems


def test_every_problem_of_a_rule_is_listed(policy_set: PolicySet) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule("行业 属于 Q99 且 注册地 = 枫桥街道 且 资质 >= 3", policy_set.vocabulary)
    assert [p.split("：")[0] for p in caught.value.problems] == [
        "第 1 个条件“行业 属于 Q99”（第 1 个字起）",
        "第 3 个条件“资质 >= 3”（第 26 个字起）",
    ]


def test_the_shipped_set_is_2147_deterministic(sample: dict[str, Any]) -> None:
    one, two = shipped_document(sample), shipped_document(sample)
    assert one == two
    assert len(one["policies"]) == 2147
    assert one["policies"][: len(sample["policies"])] == sample["policies"]
    assert len(compile_policies(one).policies) == 2147


_PIECES = [
    "行业", "规模", "注册地", "资质", "注册资本", "研发占比", "industry", "cert", " 属于 ", "=",
    ">=", "<=", " 介于 ", "包含", "包含任一", "不含", " in ", " has ", "C39", "I65", "Q99", "小型",
    "微型", "枫桥街道", "东渚街道（苏州科技城）", "瞪羚企业", "企业", "火星", "500", "0.5",
    "10~300",
    "万元", " 且 ", " 或 ", " and ", " or ", "(", ")", "（", "）", "【", "】", "｜", "说明", "、",
    ",", " ", "\u3000",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24))
def test_any_text_reads_or_is_refused_in_words(policy_set: PolicySet, pieces: list[str]) -> None:
    """Whatever is typed: conditions the kiosk compiles, written back the same, or RuleError."""
    vocab = policy_set.vocabulary
    text = "".join(pieces)
    try:
        all_of, any_of = parse_rule(text, vocab)
    except RuleError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    doc = {
        "certifications": {k: list(v) for k, v in vocab.certifications.items()},
        "districts": {k: list(v) for k, v in vocab.districts.items()},
        "policies": [
            {
                "id": "p", "title_zh": "t", "title_en": "t", "issuer_zh": "i", "issuer_en": "i",
                "benefit_zh": "b", "benefit_en": "b", "opens": "2026-01-01",
                "closes": "2026-12-31", "all": all_of, "any": any_of,
            }
        ],
    }  # fmt: skip
    compile_policies(doc)
    assert parse_rule(format_rule(all_of, any_of, vocab), vocab) == (all_of, any_of)
