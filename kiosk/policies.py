"""Policy matching (惠企政策匹配): an enterprise profile against policy rules kept as data.

A policy is content: who issues it, what it gives, when applications open and close, and its
conditions (``all`` must hold; of ``any``, at least one) over :class:`EnterpriseProfile` fields
with a small set of operators (:data:`OPERATORS`). :func:`compile_policies` turns the documents
into :class:`Policy` values whose conditions are precompiled predicates, and :func:`match`
checks one profile against all of them, returning for every eligible policy *why* (the
conditions met, in words) and for near-misses what is *missing* (at most ``max_missing``
conditions unmet or not known from the profile).

Content: ``services/content/policies.json`` holds ~20 hand-written sample policies in the style of
Suzhou High-tech District (sample data, not real policy text) plus the vocabularies (sizes,
certifications, districts); :func:`synthetic_policies` makes a deterministic set of 2,147 for
scale tests. Industries use GB/T 4754-2017 codes: a section letter and/or digits (``"C3973"``,
``"I65"``, ``"6520"``, ``"M"``); :func:`industry_section` derives the letter from the division.

:func:`uscc_info` reads what a unified social credit code itself says (registration authority,
organisation type, the registering authority's region) and, honestly, what it cannot: industry,
size, capital, founding date and certifications live in registers the hall must query.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from kiosk.services.validators import is_valid_uscc

__all__ = [
    "DEFAULT_POLICIES_PATH",
    "FIELDS",
    "OPERATORS",
    "SECTIONS",
    "EnterpriseProfile",
    "Match",
    "Policy",
    "PolicyError",
    "PolicySet",
    "UsccInfo",
    "compile_policies",
    "industry_section",
    "load_policies",
    "match",
    "profile_from_uscc",
    "synthetic_policies",
    "uscc_from_qr",
    "uscc_info",
]

DEFAULT_POLICIES_PATH: Final[Path] = (
    Path(__file__).with_name("services") / "content" / "policies.json"
)

Size = Literal["micro", "small", "medium", "large"]
SIZES: Final[tuple[Size, ...]] = ("micro", "small", "medium", "large")
SIZE_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "micro": ("微型", "micro"),
    "small": ("小型", "small"),
    "medium": ("中型", "medium"),
    "large": ("大型", "large"),
}

# GB/T 4754-2017 sections and the divisions (two-digit codes) each one spans.
SECTIONS: Final[Mapping[str, tuple[int, int, str, str]]] = {
    "A": (1, 5, "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    "B": (6, 12, "采矿业", "Mining"),
    "C": (13, 43, "制造业", "Manufacturing"),
    "D": (44, 46, "电力、热力、燃气及水生产和供应业", "Utilities"),
    "E": (47, 50, "建筑业", "Construction"),
    "F": (51, 52, "批发和零售业", "Wholesale and retail"),
    "G": (53, 60, "交通运输、仓储和邮政业", "Transport, storage and post"),
    "H": (61, 62, "住宿和餐饮业", "Accommodation and catering"),
    "I": (63, 65, "信息传输、软件和信息技术服务业", "Information transmission, software and IT"),
    "J": (66, 69, "金融业", "Finance"),
    "K": (70, 70, "房地产业", "Real estate"),
    "L": (71, 72, "租赁和商务服务业", "Leasing and business services"),
    "M": (73, 75, "科学研究和技术服务业", "Scientific research and technical services"),
    "N": (76, 79, "水利、环境和公共设施管理业", "Water, environment and public facilities"),
    "O": (80, 82, "居民服务、修理和其他服务业", "Resident and repair services"),
    "P": (83, 83, "教育", "Education"),
    "Q": (84, 85, "卫生和社会工作", "Health and social work"),
    "R": (86, 90, "文化、体育和娱乐业", "Culture, sports and entertainment"),
    "S": (91, 96, "公共管理、社会保障和社会组织", "Public administration and social organisations"),
    "T": (97, 97, "国际组织", "International organisations"),
}
_INDUSTRY = re.compile(r"([A-T])?([0-9]{2,4})?", re.ASCII)


class PolicyError(ValueError):
    """Policy content cannot be used; ``reasons`` lists every problem."""

    def __init__(self, source: str, reasons: Iterable[str]) -> None:
        self.source = source
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__(f"{source}: " + "; ".join(self.reasons[:5]))


def industry_section(code: str) -> str | None:
    """The GB/T 4754 section letter of an industry code (``"3973"`` → ``"C"``); None if bad."""
    normalized = _normalize_industry(code)
    return normalized[0] if normalized else None


def _normalize_industry(code: str) -> str | None:
    """``"C3973"``, ``"3973"`` → ``"C3973"``; ``"M"`` → ``"M"``; inconsistent or bad → None."""
    m = _INDUSTRY.fullmatch(code.strip().upper())
    if m is None or not (m[1] or m[2]) or (m[2] and len(m[2]) == 1):
        return None
    letter, digits = m[1], m[2] or ""
    if digits:
        division = int(digits[:2])
        derived = next((k for k, v in SECTIONS.items() if v[0] <= division <= v[1]), None)
        if derived is None or (letter and letter != derived):
            return None
        letter = derived
    return letter + digits


# --- the profile ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    """What the walk-in tells (or the hall looks up) about the enterprise; None = not known."""

    industry: str | None = None  # GB/T 4754-2017 code, e.g. "C3973" or "I65"
    size: Size | None = None
    registered_capital_wan: float | None = None  # 万元
    founded: dt.date | None = None
    certifications: frozenset[str] = frozenset()
    district: str | None = None
    employees: int | None = None
    annual_revenue_wan: float | None = None  # last year's, 万元
    rd_ratio: float | None = None  # R&D spending as % of revenue
    uscc: str | None = None

    def facts(self, today: dt.date) -> dict[str, Any]:
        """Field values as conditions see them (``age_years`` derived from ``founded``)."""
        age = None
        if self.founded is not None:
            age = (today - self.founded).days / 365.25
        return {
            "industry": _normalize_industry(self.industry) if self.industry else None,
            "size": self.size,
            "registered_capital_wan": self.registered_capital_wan,
            "age_years": age,
            "certifications": self.certifications,
            "district": self.district,
            "employees": self.employees,
            "annual_revenue_wan": self.annual_revenue_wan,
            "rd_ratio": self.rd_ratio,
        }


# field -> (zh label, en label, unit zh, unit en); also the list of fields conditions may use.
FIELDS: Final[Mapping[str, tuple[str, str, str, str]]] = {
    "industry": ("所属行业", "industry", "", ""),
    "size": ("企业规模", "enterprise size", "", ""),
    "registered_capital_wan": ("注册资本", "registered capital", "万元", "×10,000 CNY"),
    "age_years": ("成立年限", "years since founding", "年", "years"),
    "certifications": ("资质认定", "certifications", "", ""),
    "district": ("注册地", "location", "", ""),
    "employees": ("职工人数", "employees", "人", ""),
    "annual_revenue_wan": ("上年营业收入", "last year's revenue", "万元", "×10,000 CNY"),
    "rd_ratio": ("研发费用占比", "R&D spending ratio", "%", "%"),
}
_NUMERIC: Final = frozenset(
    {"registered_capital_wan", "age_years", "employees", "annual_revenue_wan", "rd_ratio"}
)
OPERATORS: Final[Mapping[str, frozenset[str]]] = {
    "in": frozenset({"size", "district"}),
    "prefix": frozenset({"industry"}),
    "gte": _NUMERIC,
    "lte": _NUMERIC,
    "between": _NUMERIC,
    "has": frozenset({"certifications"}),
    "has_any": frozenset({"certifications"}),
    "lacks": frozenset({"certifications"}),
}


# --- compiled policies ---------------------------------------------------------------------------

# None: the profile does not say, so the condition can be neither met nor failed.
Predicate = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: Any
    text_zh: str
    text_en: str
    test: Predicate = dataclasses.field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str
    benefit_zh: str
    benefit_en: str
    max_amount_wan: float | None
    opens: dt.date
    closes: dt.date
    all_of: tuple[Condition, ...]
    any_of: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """One policy for one profile. ``eligible`` when nothing is missing; otherwise a near-miss.

    ``why`` and ``missing`` are condition texts in the requested language; a condition the
    profile cannot answer appears in ``missing`` marked as not provided.
    """

    policy: Policy
    eligible: bool
    why: tuple[str, ...]
    missing: tuple[str, ...]
    days_left: int
    upcoming: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    certifications: Mapping[str, tuple[str, str]]
    districts: Mapping[str, tuple[str, str]]


@dataclass(frozen=True, slots=True)
class PolicySet:
    version: str
    policies: tuple[Policy, ...]
    vocabulary: Vocabulary


def _labels(vocab: Mapping[str, tuple[str, str]], values: Sequence[str]) -> tuple[str, str]:
    return (
        "、".join(vocab.get(v, (v, v))[0] for v in values),
        ", ".join(vocab.get(v, (v, v))[1] for v in values),
    )


def _num(x: float) -> str:
    return f"{x:g}"


# Predicate factories: closures bound at compile time, so matching is one call per condition.
def _between(lo: float, hi: float) -> Predicate:
    return lambda x: bool(lo <= x <= hi)


def _starts_with(codes: tuple[str, ...]) -> Predicate:
    return lambda x: bool(x.startswith(codes))


def _contains(wanted: str) -> Predicate:
    return lambda x: wanted in x


def _lacks(unwanted: str) -> Predicate:
    return lambda x: unwanted not in x


def _intersects(wanted: frozenset[str]) -> Predicate:
    return lambda x: not wanted.isdisjoint(x)


def _compile_condition(raw: Any, vocab: Vocabulary) -> Condition:
    if not isinstance(raw, dict):
        raise ValueError("a condition is an object with field, op and value")
    fld, op, value = str(raw.get("field")), str(raw.get("op")), raw.get("value")
    if fld not in FIELDS:
        raise ValueError(f"unknown field {fld!r}; use one of: {', '.join(FIELDS)}")
    if op not in OPERATORS or fld not in OPERATORS[op]:
        ops = ", ".join(o for o, fs in OPERATORS.items() if fld in fs)
        raise ValueError(f"operator {op!r} does not apply to {fld}; use one of: {ops}")
    name_zh, name_en, unit_zh, unit_en = FIELDS[fld]
    test: Predicate
    if op in ("gte", "lte"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{fld} {op} needs a number")
        limit = float(value)
        if op == "gte":
            test = limit.__le__
            zh, en = (
                f"{name_zh}不低于 {_num(limit)}{unit_zh}",
                f"{name_en} ≥ {_num(limit)} {unit_en}",
            )
        else:
            test = limit.__ge__
            zh, en = (
                f"{name_zh}不超过 {_num(limit)}{unit_zh}",
                f"{name_en} ≤ {_num(limit)} {unit_en}",
            )
        if fld == "age_years":
            zh = f"成立{'满' if op == 'gte' else '不超过'} {_num(limit)} 年"
    elif op == "between":
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or value[0] > value[1]
        ):
            raise ValueError(f"{fld} between needs [low, high] numbers")
        lo, hi = float(value[0]), float(value[1])
        test = _between(lo, hi)
        zh = f"{name_zh}在 {_num(lo)}–{_num(hi)}{unit_zh} 之间"
        en = f"{name_en} {_num(lo)}–{_num(hi)} {unit_en}"
    elif op == "in":
        values = _text_list(value, fld)
        allowed = frozenset(values)
        if fld == "size" and not allowed <= set(SIZES):
            raise ValueError(f"size values must be among {', '.join(SIZES)}")
        if fld == "district" and not allowed <= set(vocab.districts):
            raise ValueError(f"unknown district in {sorted(allowed - set(vocab.districts))}")
        test = allowed.__contains__
        table = SIZE_LABELS if fld == "size" else vocab.districts
        lz, le = _labels(table, values)
        zh, en = f"{name_zh}为 {lz}", f"{name_en}: {le}"
    elif op == "prefix":
        codes = tuple(_industry_code(v) for v in _text_list(value, fld))
        test = _starts_with(codes)
        by_section: dict[str, list[str]] = {}
        for code in codes:
            by_section.setdefault(code[0], []).extend([code] if len(code) > 1 else [])
        names = [
            SECTIONS[k][2] + (f"（{'、'.join(v)}）" if v else "") for k, v in by_section.items()
        ]
        names_en = [
            SECTIONS[k][3] + (f" ({', '.join(v)})" if v else "") for k, v in by_section.items()
        ]
        zh, en = f"行业属于 {'、'.join(names)}", f"industry: {'; '.join(names_en)}"
    else:  # has, has_any, lacks
        values = _text_list([value] if op in ("has", "lacks") else value, fld)
        unknown = set(values) - set(vocab.certifications)
        if unknown:
            raise ValueError(f"unknown certification {sorted(unknown)[0]!r}")
        wanted = frozenset(values)
        lz, le = _labels(vocab.certifications, values)
        if op == "has":
            test = _contains(values[0])
            zh, en = f"已认定 {lz}", f"certified: {le}"
        elif op == "has_any":
            test = _intersects(wanted)
            zh, en = f"已认定 {lz} 之一", f"certified as one of: {le}"
        else:
            test = _lacks(values[0])
            zh, en = f"尚未认定 {lz}", f"not yet certified: {le}"
    # Content may say it better than the generated words ("属于集成电路产业").
    zh = str(raw.get("label_zh") or zh).strip()
    en = str(raw.get("label_en") or en).strip()
    return Condition(fld, op, value, zh, en, test)


def _text_list(value: object, fld: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{fld} needs a non-empty list of text values")
    return list(value)


def _industry_code(value: str) -> str:
    code = _normalize_industry(value)
    if code is None:
        raise ValueError(f"{value!r} is not a GB/T 4754-2017 industry code")
    return code


def compile_policies(data: Any, *, source: str = "policies") -> PolicySet:
    """Check policy content and precompile every condition; :class:`PolicyError` lists problems."""
    if not isinstance(data, dict) or not isinstance(data.get("policies"), list):
        raise PolicyError(source, ["expected an object with a 'policies' list"])
    try:
        vocab = Vocabulary(
            certifications={k: (v[0], v[1]) for k, v in data["certifications"].items()},
            districts={k: (v[0], v[1]) for k, v in data["districts"].items()},
        )
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise PolicyError(source, [f"vocabulary: {exc!r}"]) from exc
    reasons: list[str] = []
    policies: list[Policy] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["policies"]):
        pid = raw.get("id", f"#{i}") if isinstance(raw, dict) else f"#{i}"
        try:
            policy = _compile_policy(raw, vocab)
        except (KeyError, TypeError, ValueError) as exc:
            what = f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
            reasons.append(f"policy {pid!r}: {what}")
            continue
        if policy.id in seen:
            reasons.append(f"policy {policy.id!r}: duplicate id")
        seen.add(policy.id)
        policies.append(policy)
    if reasons:
        raise PolicyError(source, reasons)
    return PolicySet(str(data.get("version", "")), tuple(policies), vocab)


def _compile_policy(raw: Any, vocab: Vocabulary) -> Policy:
    if not isinstance(raw, dict):
        raise ValueError("a policy is an object")
    opens, closes = dt.date.fromisoformat(raw["opens"]), dt.date.fromisoformat(raw["closes"])
    if closes < opens:
        raise ValueError("closes is before opens")
    all_of = tuple(_compile_condition(c, vocab) for c in raw.get("all", []))
    any_of = tuple(_compile_condition(c, vocab) for c in raw.get("any", []))
    if not all_of and not any_of:
        raise ValueError("a policy needs at least one condition")
    amount = raw.get("max_amount_wan")
    if amount is not None and (not isinstance(amount, int | float) or amount < 0):
        raise ValueError("max_amount_wan must be a non-negative number")
    return Policy(
        id=str(raw["id"]),
        title_zh=str(raw["title_zh"]),
        title_en=str(raw["title_en"]),
        issuer_zh=str(raw["issuer_zh"]),
        issuer_en=str(raw["issuer_en"]),
        benefit_zh=str(raw["benefit_zh"]),
        benefit_en=str(raw["benefit_en"]),
        max_amount_wan=None if amount is None else float(amount),
        opens=opens,
        closes=closes,
        all_of=all_of,
        any_of=any_of,
    )


def load_policies(path: Path | None = None) -> PolicySet:
    """The hand-written sample policies (or another policy file)."""
    path = DEFAULT_POLICIES_PATH if path is None else path
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PolicyError(str(path), [str(exc)]) from exc
    return compile_policies(data, source=str(path))


# --- matching ------------------------------------------------------------------------------------


def match(
    profile: EnterpriseProfile,
    policies: Iterable[Policy],
    today: dt.date,
    *,
    max_missing: int = 1,
    language: str = "zh_CN",
) -> list[Match]:
    """Eligible policies and near-misses (at most ``max_missing`` conditions unmet or unknown).

    Closed policies are left out; those not open yet are included with ``upcoming``. Eligible
    ones come first (closing soonest first), then near-misses by how little is missing.
    """
    facts = profile.facts(today)
    en = language == "en_US"
    not_given = " (not provided)" if en else "（未填写）"
    out: list[Match] = []
    for policy in policies:
        if policy.closes < today:
            continue
        why: list[str] = []
        missing: list[str] = []
        for cond in policy.all_of:
            value = facts[cond.field]
            if value is not None and cond.test(value):
                why.append(cond.text_en if en else cond.text_zh)
            else:
                missing.append(
                    (cond.text_en if en else cond.text_zh) + (not_given if value is None else "")
                )
                if len(missing) > max_missing:
                    break
        if len(missing) > max_missing:
            continue
        if policy.any_of:
            met = [
                c for c in policy.any_of if facts[c.field] is not None and c.test(facts[c.field])
            ]
            if met:
                why.extend(c.text_en if en else c.text_zh for c in met)
            else:
                joiner = " or " if en else " 或 "
                missing.append(joiner.join(c.text_en if en else c.text_zh for c in policy.any_of))
                if len(missing) > max_missing:
                    continue
        out.append(
            Match(
                policy,
                not missing,
                tuple(why),
                tuple(missing),
                (policy.closes - today).days,
                policy.opens > today,
            )
        )
    out.sort(key=lambda m: (not m.eligible, len(m.missing), m.days_left, m.policy.id))
    return out


# --- synthetic policies for scale tests ----------------------------------------------------------


def synthetic_policies(
    count: int = 2147, *, seed: int = 4754, vocabulary: PolicySet | None = None
) -> PolicySet:
    """A deterministic set of made-up policies over the sample vocabulary (same seed, same set)."""
    base = vocabulary or load_policies()
    certs = sorted(base.vocabulary.certifications)
    districts = sorted(base.vocabulary.districts)
    rng = random.Random(seed)
    topics = [
        "研发投入",
        "技术改造",
        "人才引进",
        "市场开拓",
        "数字化转型",
        "绿色低碳",
        "融资",
        "知识产权",
        "品牌建设",
        "稳岗就业",
        "首台套",
        "外贸",
        "总部经济",
        "载体租金",
    ]
    kinds = ["奖励", "补贴", "贴息", "专项资金", "券"]
    industries = [
        "C",
        "C39",
        "C397",
        "C27",
        "C35",
        "C38",
        "I",
        "I65",
        "I64",
        "M",
        "M73",
        "M75",
        "L72",
        "F51",
        "G59",
        "C34",
        "C26",
        "R86",
    ]
    docs = []
    for i in range(count):
        conds: list[dict[str, Any]] = []
        pool = rng.sample(
            [
                "industry",
                "size",
                "capital",
                "age",
                "cert",
                "district",
                "employees",
                "revenue",
                "rd",
                "lacks",
            ],
            k=rng.randint(2, 5),
        )
        for kind in pool:
            if kind == "industry":
                conds.append(
                    {
                        "field": "industry",
                        "op": "prefix",
                        "value": rng.sample(industries, k=rng.randint(1, 3)),
                    }
                )
            elif kind == "size":
                conds.append(
                    {
                        "field": "size",
                        "op": "in",
                        "value": rng.sample(list(SIZES), k=rng.randint(1, 3)),
                    }
                )
            elif kind == "capital":
                conds.append(
                    {
                        "field": "registered_capital_wan",
                        "op": "gte",
                        "value": rng.choice([50, 100, 200, 500, 1000, 5000]),
                    }
                )
            elif kind == "age":
                op = rng.choice(["gte", "lte"])
                conds.append(
                    {"field": "age_years", "op": op, "value": rng.choice([1, 2, 3, 5, 10])}
                )
            elif kind == "cert":
                conds.append(
                    {
                        "field": "certifications",
                        "op": "has_any",
                        "value": rng.sample(certs, k=rng.randint(1, 2)),
                    }
                )
            elif kind == "lacks":
                conds.append({"field": "certifications", "op": "lacks", "value": rng.choice(certs)})
            elif kind == "district":
                conds.append(
                    {
                        "field": "district",
                        "op": "in",
                        "value": rng.sample(districts, k=rng.randint(1, 4)),
                    }
                )
            elif kind == "employees":
                conds.append(
                    {
                        "field": "employees",
                        "op": "between",
                        "value": sorted(rng.sample([5, 10, 20, 50, 100, 300, 1000], k=2)),
                    }
                )
            elif kind == "revenue":
                conds.append(
                    {
                        "field": "annual_revenue_wan",
                        "op": "gte",
                        "value": rng.choice([100, 500, 2000, 5000, 20000]),
                    }
                )
            else:
                conds.append(
                    {"field": "rd_ratio", "op": "gte", "value": rng.choice([2, 3, 4, 5, 6])}
                )
        split = rng.randint(0, len(conds) - 1) if len(conds) > 2 else len(conds)
        opens = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        topic, kind_ = rng.choice(topics), rng.choice(kinds)
        any_part = conds[split:]
        # An "any" group of one is just another "all" condition.
        all_part, any_part = (conds[:split], any_part) if len(any_part) >= 2 else (conds, [])
        docs.append(
            {
                "id": f"syn{i:04d}",
                "title_zh": f"示例政策{i:04d}：{topic}{kind_}",
                "title_en": f"Sample policy {i:04d}",
                "issuer_zh": "示例发文单位",
                "issuer_en": "Sample issuer",
                "benefit_zh": f"最高{rng.choice([5, 10, 20, 50, 100, 200])}万元（示例）",
                "benefit_en": "Sample benefit",
                "opens": opens.isoformat(),
                "closes": (opens + dt.timedelta(days=rng.randint(30, 365))).isoformat(),
                "all": all_part,
                "any": any_part,
            }
        )
    data = {
        "version": f"synthetic-{seed}-{count}",
        "certifications": {k: list(v) for k, v in base.vocabulary.certifications.items()},
        "districts": {k: list(v) for k, v in base.vocabulary.districts.items()},
        "policies": docs,
    }
    return compile_policies(data, source="synthetic")


# --- what a unified social credit code tells -----------------------------------------------------

# GB 32100-2015 position 1 (registration authority) and, for the common ones, position 2.
_AUTHORITIES: Final[Mapping[str, tuple[str, str]]] = {
    "1": ("机构编制部门", "institutional establishment authority"),
    "2": ("外交部门", "foreign affairs authority"),
    "3": ("司法行政部门", "justice administration"),
    "4": ("文化部门", "culture authority"),
    "5": ("民政部门", "civil affairs authority"),
    "6": ("旅游部门", "tourism authority"),
    "7": ("宗教事务部门", "religious affairs authority"),
    "8": ("工会", "trade union"),
    "9": ("市场监督管理部门（原工商）", "market regulation (business registration)"),
    "A": ("中央军委改革和编制办公室", "Central Military Commission establishment office"),
    "N": ("农业农村部门", "agriculture authority"),
    "Y": ("其他登记管理部门", "other registration authority"),
}
_ORG_TYPES: Final[Mapping[str, tuple[str, str]]] = {
    "91": ("企业", "enterprise"),
    "92": ("个体工商户", "sole trader"),
    "93": ("农民专业合作社", "farmers' cooperative"),
    "11": ("机关", "government body"),
    "12": ("事业单位", "public institution"),
    "13": ("群众团体", "mass organisation"),
    "51": ("社会团体", "social organisation"),
    "52": ("民办非企业单位", "private non-enterprise unit"),
    "53": ("基金会", "foundation"),
}
_SUZHOU_REGIONS: Final[Mapping[str, tuple[str, str]]] = {
    "320500": ("江苏省苏州市（市本级）", "Suzhou (city level)"),
    "320505": ("江苏省苏州市虎丘区（苏州高新区）", "Huqiu District (Suzhou High-tech District)"),
    "320506": ("江苏省苏州市吴中区", "Wuzhong District, Suzhou"),
    "320507": ("江苏省苏州市相城区", "Xiangcheng District, Suzhou"),
    "320508": ("江苏省苏州市姑苏区", "Gusu District, Suzhou"),
    "320509": ("江苏省苏州市吴江区", "Wujiang District, Suzhou"),
    "320581": ("江苏省常熟市", "Changshu"),
    "320582": ("江苏省张家港市", "Zhangjiagang"),
    "320583": ("江苏省昆山市", "Kunshan"),
    "320585": ("江苏省太仓市", "Taicang"),
}
_PROVINCES: Final[Mapping[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
HIGH_TECH_DISTRICT_REGION: Final = "320505"

# What the code cannot say; the hall looks these up (enterprise register, certification lists).
CANNOT_TELL: Final[tuple[tuple[str, str], ...]] = (
    ("所属行业", "industry"),
    ("企业规模", "size"),
    ("注册资本", "registered capital"),
    ("成立日期", "founding date"),
    ("资质认定（如高新技术企业）", "certifications (e.g. high-tech enterprise)"),
    ("具体街道、镇（注册地在代码中只到区县）", "street or town (the code stops at the county)"),
)


@dataclass(frozen=True, slots=True)
class UsccInfo:
    """What an 18-character USCC itself encodes. ``region`` is where the *registering
    authority* sits (positions 3-8), which is usually but not always the current address."""

    uscc: str
    authority_zh: str
    authority_en: str
    org_type_zh: str
    org_type_en: str
    region_code: str
    region_zh: str
    region_en: str
    in_high_tech_district: bool
    organization_code: str  # positions 9-17: the old national organisation code
    cannot_tell: tuple[tuple[str, str], ...] = CANNOT_TELL


def uscc_info(code: str) -> UsccInfo | None:
    """Decode a valid USCC; None for an invalid one (check digit and alphabet are verified)."""
    if not is_valid_uscc(code):
        return None
    code = code.upper()
    authority = _AUTHORITIES.get(code[0], ("未知登记管理部门", "unknown authority"))
    org_type = _ORG_TYPES.get(code[:2], ("其他类型", "other"))
    region = code[2:8]
    if region in _SUZHOU_REGIONS:
        region_zh, region_en = _SUZHOU_REGIONS[region]
    elif region[:2] in _PROVINCES:
        region_zh, region_en = _PROVINCES[region[:2]] + f"（行政区划代码 {region}）", region
    else:
        region_zh, region_en = f"行政区划代码 {region}", region
    return UsccInfo(
        uscc=code,
        authority_zh=authority[0],
        authority_en=authority[1],
        org_type_zh=org_type[0],
        org_type_en=org_type[1],
        region_code=region,
        region_zh=region_zh,
        region_en=region_en,
        in_high_tech_district=region == HIGH_TECH_DISTRICT_REGION,
        organization_code=code[8:17],
    )


def profile_from_uscc(code: str) -> EnterpriseProfile | None:
    """A profile prefilled from a USCC: only the code itself. Everything else stays None for
    the walk-in to answer or the hall to look up; guessing would make matches lie."""
    info = uscc_info(code)
    return None if info is None else EnterpriseProfile(uscc=info.uscc)


_USCC_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def uscc_from_qr(payload: str) -> str | None:
    """A USCC found in an enterprise QR payload (text or a URL carrying the code), if any.

    The national electronic business licence QR code carries an opaque, signed token, not the
    code in clear: such a payload yields None here and must be resolved by the hall.
    """
    for token in _USCC_TOKEN.findall(payload.upper()):
        if is_valid_uscc(token):
            return str(token)
    return None
