"""Tests for kiosk.policies: conditions as data, why and what is missing, scale, USCC hints."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from kiosk.policies import (
    DEFAULT_POLICIES_PATH,
    EnterpriseProfile,
    Match,
    PolicyError,
    compile_policies,
    industry_section,
    load_policies,
    match,
)
from kiosk.policies_synthetic import synthetic_policies
from kiosk.services.validators import uscc_check_char
from kiosk.uscc import profile_from_uscc, uscc_from_qr, uscc_info

TODAY = dt.date(2026, 7, 1)

# A small software company in Suzhou Science City, certified as a tech-based SME.
SOFTWARE_SME = EnterpriseProfile(
    industry="I6513",
    size="small",
    registered_capital_wan=500,
    founded=dt.date(2023, 5, 1),
    certifications=frozenset({"tech_sme"}),
    district="dongzhu",
    employees=40,
    annual_revenue_wan=3000,
    rd_ratio=6,
)


@pytest.fixture(scope="module")
def sample() -> Any:
    return load_policies()


def _by_id(matches: list[Match]) -> dict[str, Match]:
    return {m.policy.id: m for m in matches}


def test_sample_has_about_twenty_policies(sample: Any) -> None:
    assert 18 <= len(sample.policies) <= 25


def test_software_sme_matches_with_reasons(sample: Any) -> None:
    found = _by_id(match(SOFTWARE_SME, sample.policies, TODAY))
    cultivation = found["hte_cultivation"]
    assert cultivation.eligible and cultivation.missing == ()
    assert cultivation.why == (
        "注册地在苏州高新区",
        "尚未认定 国家高新技术企业",
        "已认定 科技型中小企业",
        "研发费用占比不低于 3%",
    )
    ai = found["ai_compute_voucher"]
    assert ai.eligible
    assert "已认定 国家高新技术企业、科技型中小企业 之一" in ai.why
    assert found["tech_loan_interest"].eligible
    assert found["job_retention_refund"].eligible
    # Not manufacturing: the factory-only policies are not even near misses here...
    assert "smart_manufacturing" not in found
    # ...but one condition away shows up with what is missing.
    growth = found["software_growth"]
    assert not growth.eligible
    assert growth.missing == ("上年营业收入不低于 10000万元",)
    rent = found["startup_rent"]
    assert rent.missing == ("成立不超过 3 年",)  # founded 3 years and 2 months ago


def test_eligible_first_then_near_misses(sample: Any) -> None:
    results = match(SOFTWARE_SME, sample.policies, TODAY)
    flags = [m.eligible for m in results]
    assert flags == sorted(flags, reverse=True)
    assert all(len(m.missing) <= 1 for m in results)
    assert all(
        len(m.missing) <= 2 for m in match(SOFTWARE_SME, sample.policies, TODAY, max_missing=2)
    )
    strict = match(SOFTWARE_SME, sample.policies, TODAY, max_missing=0)
    assert strict and all(m.eligible for m in strict)


def test_closed_and_upcoming_policies(sample: Any) -> None:
    manufacturer = EnterpriseProfile(industry="C3973", district="fengqiao")
    early = _by_id(match(manufacturer, sample.policies, dt.date(2026, 2, 1), max_missing=5))
    assert "quality_award_2026h1" in early and not early["quality_award_2026h1"].upcoming
    assert early["ic_industry"].upcoming  # opens 1 April
    late = _by_id(match(manufacturer, sample.policies, dt.date(2026, 7, 1), max_missing=5))
    assert "quality_award_2026h1" not in late  # closed 30 June
    assert late["ic_industry"].days_left == (dt.date(2026, 12, 31) - dt.date(2026, 7, 1)).days


def test_unknown_facts_are_missing_not_failed(sample: Any) -> None:
    bare = EnterpriseProfile(district="tongan")
    found = _by_id(match(bare, sample.policies, TODAY))
    assert found["invention_patent"].eligible
    assert found["export_credit_insurance"].missing == ("已认定 进出口经营者",)
    two = _by_id(match(bare, sample.policies, TODAY, max_missing=2, language="en_US"))
    assert two["graduate_hiring"].missing == (
        "enterprise size: micro, small, medium (not provided)",
        "employees ≥ 1 (not provided)",
    )


def test_any_group_needs_one(sample: Any) -> None:
    no_cert = EnterpriseProfile(industry="I65", district="dongzhu", size="small")
    loan = _by_id(match(no_cert, sample.policies, TODAY))["tech_loan_interest"]
    assert not loan.eligible
    assert loan.missing == ("已认定 国家高新技术企业、科技型中小企业 之一",)


def test_manufacturer_hand_written_case(sample: Any) -> None:
    factory = EnterpriseProfile(
        industry="3973",  # digits only: section C derived
        size="medium",
        founded=dt.date(2015, 3, 1),
        certifications=frozenset({"high_tech", "above_scale", "specialized_sme"}),
        district="hushuguan",
        employees=320,
        annual_revenue_wan=45000,
        rd_ratio=5.5,
    )
    found = _by_id(match(factory, sample.policies, TODAY))
    for pid in (
        "hte_first_award",
        "specialized_sme_award",
        "ic_industry",
        "smart_manufacturing",
        "green_factory",
        "tech_loan_interest",
    ):
        assert found[pid].eligible, pid
    assert "above_scale_first" not in found or not found["above_scale_first"].eligible
    assert found["little_giant_award"].missing == ("已认定 专精特新“小巨人”企业",)


@pytest.mark.parametrize(
    ("code", "section"),
    [
        ("C3973", "C"),
        ("3973", "C"),
        ("I65", "I"),
        ("6520", "I"),
        ("M", "M"),
        ("01", "A"),
        ("97", "T"),
        ("A3973", None),
        ("99", None),
        ("5", None),
        ("", None),
        ("Z12", None),
    ],
)
def test_industry_sections(code: str, section: str | None) -> None:
    assert industry_section(code) == section


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_POLICIES_PATH.read_text("utf-8"))
    return data


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        ({"field": "colour", "op": "in", "value": ["red"]}, "unknown field 'colour'"),
        ({"field": "size", "op": "gte", "value": 3}, "does not apply to size"),
        ({"field": "size", "op": "in", "value": ["huge"]}, "size values must be among"),
        ({"field": "district", "op": "in", "value": ["mars"]}, "unknown district"),
        ({"field": "industry", "op": "prefix", "value": ["Q99"]}, "not a GB/T 4754-2017"),
        ({"field": "employees", "op": "between", "value": [10, 5]}, "between needs"),
        ({"field": "rd_ratio", "op": "gte", "value": "3"}, "needs a number"),
        ({"field": "certifications", "op": "has", "value": "nobel"}, "unknown certification"),
    ],
)
def test_bad_conditions_are_refused_with_reasons(condition: dict[str, Any], why: str) -> None:
    doc = _doc()
    doc["policies"][0]["all"].append(condition)
    with pytest.raises(PolicyError, match=why):
        compile_policies(doc)


def test_policy_level_problems_are_all_listed() -> None:
    doc = _doc()
    doc["policies"][1]["closes"] = "2025-01-01"
    doc["policies"][2]["all"] = []
    doc["policies"][3]["id"] = doc["policies"][4]["id"]
    del doc["policies"][5]["benefit_zh"]
    with pytest.raises(PolicyError) as info:
        compile_policies(doc)
    text = "\n".join(info.value.reasons)
    assert "closes is before opens" in text
    assert "at least one condition" in text
    assert "duplicate id" in text
    assert "missing key 'benefit_zh'" in text


def test_synthetic_set_is_deterministic_and_sized(sample: Any) -> None:
    one = synthetic_policies(2147, vocabulary=sample)
    two = synthetic_policies(2147, vocabulary=sample)
    assert len(one.policies) == 2147
    assert [p.id for p in one.policies] == [p.id for p in two.policies]
    assert [c.text_zh for c in one.policies[100].all_of] == [
        c.text_zh for c in two.policies[100].all_of
    ]
    ids = [m.policy.id for m in match(SOFTWARE_SME, one.policies, TODAY)]
    assert ids == [m.policy.id for m in match(SOFTWARE_SME, two.policies, TODAY)]
    assert len(ids) > 0
    assert synthetic_policies(50, seed=1, vocabulary=sample).policies[0] != one.policies[0]


def test_content_is_marked_as_sample() -> None:
    assert "SAMPLE" in _doc()["note"]


def test_match_is_pure(sample: Any) -> None:
    before = copy.deepcopy(SOFTWARE_SME)
    match(SOFTWARE_SME, sample.policies, TODAY)
    assert before == SOFTWARE_SME


# --- USCC ----------------------------------------------------------------------------------------


def _uscc(prefix17: str) -> str:
    return prefix17 + uscc_check_char(prefix17)


def test_uscc_from_the_high_tech_district() -> None:
    code = _uscc("91320505MA1MXXXX1")
    info = uscc_info(code)
    assert info is not None
    assert info.authority_zh.startswith("市场监督管理部门")
    assert info.org_type_zh == "企业"
    assert info.region_code == "320505" and info.in_high_tech_district
    assert "苏州高新区" in info.region_zh
    assert info.organization_code == "MA1MXXXX1"
    assert any("行业" in zh for zh, _ in info.cannot_tell)
    assert any("成立日期" in zh for zh, _ in info.cannot_tell)


def test_uscc_elsewhere_and_other_types() -> None:
    info = uscc_info("91350100M000100Y43")
    assert info is not None and not info.in_high_tech_district
    assert info.region_zh.startswith("福建省")
    sole_trader = uscc_info(_uscc("92320506MA1N00001"))
    assert sole_trader is not None and sole_trader.org_type_zh == "个体工商户"
    assert sole_trader.region_zh == "江苏省苏州市吴中区"
    social = uscc_info(_uscc("52320505MJ0000001"))
    assert social is not None and social.authority_zh == "民政部门"


def test_invalid_uscc_tells_nothing() -> None:
    assert uscc_info("91350100M000100Y44") is None
    assert profile_from_uscc("nope") is None


def test_profile_from_uscc_prefills_only_what_the_code_says() -> None:
    code = _uscc("91320505MA1MXXXX1")
    profile = profile_from_uscc(code.lower())
    assert profile == EnterpriseProfile(uscc=code)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("https://example.cn/qy?uscc=91350100M000100Y43&t=1", "91350100M000100Y43"),
        ("统一社会信用代码：91350100m000100y43", "91350100M000100Y43"),
        (
            "https://zzlz.gsxt.gov.cn/businessCheck/verifKey.do?showType=p&serial=91350100M000100Y4"
            "3X",
            None,
        ),  # glued to other characters: not a code on its own
        ("opaque-signed-token-AAAABBBBCCCC", None),
        ("91350100M000100Y44", None),  # bad check character
    ],
)
def test_uscc_from_qr(payload: str, expected: str | None) -> None:
    assert uscc_from_qr(payload) == expected
