"""The policy push index gives exactly what the kiosk's full matcher gives: random enterprises
(values on and around the policies' thresholds, fields left unknown) against the synthetic
policies and the hand-written samples, every enterprise × policy compared."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from contracts.policies import SIZES, Condition
from hall.policy_push_index import NUMERIC, EnterpriseIndex, Facts, RegisterReader, industry_of
from kiosk.policies import EnterpriseProfile, load_policies, match
from kiosk.policies_synthetic import synthetic_policies

TODAY = dt.date(2026, 6, 1)
_INDUSTRIES = ["C3973", "C3911", "C27", "C351", "I6513", "I64", "M7310", "L7211", "F5123",
               "G5910", "C2611", "R8610", "A0111", "I", "C"]  # fmt: skip
_NUMBERS = [1, 2, 3, 4, 5, 6, 10, 20, 50, 100, 200, 300, 500, 1000, 2000, 5000, 20000]


def _profile(rng: random.Random, certs: list[str], districts: list[str]) -> EnterpriseProfile:
    def maybe(value: object) -> object:
        return None if rng.random() < 0.15 else value

    def number() -> float:
        base = rng.choice(_NUMBERS)
        return float(base + rng.choice([-0.5, 0, 0, 0.5]))

    founded = TODAY - dt.timedelta(days=round(rng.choice([0.5, 1, 2, 3, 5, 10, 12]) * 365.25))
    return EnterpriseProfile(
        industry=maybe(rng.choice(_INDUSTRIES)),  # type: ignore[arg-type]
        size=maybe(rng.choice(SIZES)),  # type: ignore[arg-type]
        registered_capital_wan=maybe(number()),  # type: ignore[arg-type]
        founded=maybe(founded),  # type: ignore[arg-type]
        certifications=frozenset(rng.sample(certs, rng.randint(0, 3))),
        district=maybe(rng.choice(districts)),  # type: ignore[arg-type]
        employees=maybe(int(number())),  # type: ignore[arg-type]
        annual_revenue_wan=maybe(number()),  # type: ignore[arg-type]
        rd_ratio=maybe(number() / 100 * rng.choice([1, 10])),  # type: ignore[arg-type]
    )


def _facts(profile: EnterpriseProfile) -> Facts:
    f = profile.facts(TODAY)
    return Facts(
        industry=f["industry"],
        size=f["size"],
        district=f["district"],
        certifications=f["certifications"],
        numbers={name: f[name] for name in NUMERIC},
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_index_matches_exactly_what_the_full_matcher_matches(seed: int) -> None:
    sample = load_policies()
    policies = [*synthetic_policies(400, seed=seed).policies, *sample.policies]
    rng = random.Random(seed)
    certs, districts = sorted(sample.vocabulary.certifications), sorted(sample.vocabulary.districts)
    profiles = [_profile(rng, certs, districts) for _ in range(400)]
    keys = [f"e{i}" for i in range(len(profiles))]
    index = EnterpriseIndex(keys, [_facts(p) for p in profiles])

    expected = {
        (m.policy.id, key)
        for key, profile in zip(keys, profiles, strict=True)
        for m in match(profile, policies, TODAY, max_missing=0)
        if m.eligible
    }
    got = {
        (policy.id, key)
        for policy in policies
        for key in index.eligible_keys(policy, TODAY)  # type: ignore[arg-type]
    }
    assert got == expected
    # The sample is not trivial: many pairs match, most do not.
    assert 500 < len(expected) < len(policies) * len(profiles) // 2


def test_register_rows_become_what_the_register_proves() -> None:
    reader = RegisterReader(load_policies().vocabulary)  # type: ignore[arg-type]
    facts = reader.facts(
        industry="软件和信息技术服务业",
        size="small",
        qualifications='["高新技术企业", "某个未知资质"]',
        capital="500",
        address="苏州高新区狮山横塘街道长江路 1 号",
    )
    assert facts.industry == "I"
    assert facts.size == "small"
    assert facts.certifications == frozenset({"high_tech"})
    assert facts.district == "shishan_hengtang"
    assert facts.numbers == {"registered_capital_wan": 500.0}
    unknown = reader.facts(industry="", size="", qualifications="[]", capital="五百", address="")
    assert (unknown.industry, unknown.size, unknown.district) == (None, None, None)
    assert unknown.numbers == {"registered_capital_wan": None}
    assert industry_of("3973") == "C3973"
    assert industry_of("I65") == "I65"


def test_an_index_updated_in_place_answers_as_one_built_afresh() -> None:
    sample = load_policies()
    policies = [*synthetic_policies(300, seed=3).policies, *sample.policies]
    rng = random.Random(3)
    certs, districts = sorted(sample.vocabulary.certifications), sorted(sample.vocabulary.districts)
    facts = [_facts(_profile(rng, certs, districts)) for _ in range(300)]
    keys = [f"e{i}" for i in range(len(facts))]
    index = EnterpriseIndex(keys, facts)
    for policy in policies:  # ranges cached before the changes must not answer after them
        index.eligible(policy, TODAY)  # type: ignore[arg-type]
    for row in rng.sample(range(len(facts)), 80):  # changed enterprises
        facts[row] = _facts(_profile(rng, certs, districts))
        index.update(keys[row], facts[row])
    for i in range(40):  # new ones
        keys.append(f"new{i}")
        facts.append(_facts(_profile(rng, certs, districts)))
        index.update(keys[-1], facts[-1])
    fresh = EnterpriseIndex(keys, facts)
    for policy in policies:
        got = sorted(index.eligible_keys(policy, TODAY))  # type: ignore[arg-type]
        assert got == sorted(fresh.eligible_keys(policy, TODAY)), policy.id  # type: ignore[arg-type]


def test_two_enterprises_trading_values_are_seen_at_once() -> None:
    # Sorted values the same before and after, the rows behind them not: no stale range.
    small = Facts(numbers={"registered_capital_wan": 10.0})
    large = Facts(numbers={"registered_capital_wan": 1000.0})
    index = EnterpriseIndex(["a", "b"], [small, large])
    policy = synthetic_policies(1).policies[0]
    over_500 = Condition("registered_capital_wan", "gte", 500, "", "", test=(500.0).__le__)
    rich = dataclasses.replace(policy, all_of=(over_500,), any_of=(), closes=TODAY)
    assert index.eligible_keys(rich, TODAY) == ["b"]  # type: ignore[arg-type]
    index.update("a", large)
    index.update("b", small)
    assert index.eligible_keys(rich, TODAY) == ["a"]  # type: ignore[arg-type]
