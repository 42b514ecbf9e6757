"""Policy content (惠企政策) as both sides read it: the document, its vocabulary and its checks.

A policy is content: who issues it, what it gives, when applications open and close, and its
conditions (``all`` must hold; of ``any``, at least one) over an enterprise's facts (:data:`FIELDS`)
with a small set of operators (:data:`OPERATORS`). :func:`compile_policies` checks a document
(``{version, note, certifications, districts, policies}``, the format of
``kiosk/services/content/policies.json`` and of what the hall publishes as the ``policies`` kind)
and turns it into :class:`Policy` values whose conditions are precompiled predicates; it raises
:class:`PolicyError` listing every problem. The kiosk matches a profile against them
(:mod:`kiosk.policies`); the hall checks a workbook with the same function before publishing
(:mod:`hall.content_kinds`), and the conditions' cell text is :mod:`contracts.policy_rules`.

Industries use GB/T 4754-2017 codes: a section letter and/or digits (``"C3973"``, ``"I65"``,
``"6520"``, ``"M"``); :func:`industry_section` derives the letter from the division.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = [
    "FIELDS",
    "LINK",
    "OPERATORS",
    "SECTIONS",
    "SIZES",
    "SIZE_LABELS",
    "Condition",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Size",
    "Vocabulary",
    "compile_policies",
    "industry_section",
    "normalize_industry",
    "section_named",
]

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
# A policy's link: an address a phone can open (shown as a QR code), nothing else.
LINK: Final = re.compile(r"https?://[^\s<>\"']{1,500}")
_INDUSTRY = re.compile(r"([A-T])?([0-9]{2,4})?", re.ASCII)


class PolicyError(ValueError):
    """Policy content cannot be used; ``reasons`` lists every problem."""

    def __init__(self, source: str, reasons: Iterable[str]) -> None:
        self.source = source
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__(f"{source}: " + "; ".join(self.reasons[:5]))


def industry_section(code: str) -> str | None:
    """The GB/T 4754 section letter of an industry code (``"3973"`` → ``"C"``); None if bad."""
    normalized = normalize_industry(code)
    return normalized[0] if normalized else None


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} - {"行业", "业、", "和零"}


def section_named(text: str) -> str | None:
    """The GB/T 4754 section whose Chinese name shares the most words with an industry's name
    (软件和信息技术服务业 → ``I``); None when none does."""
    grams = _bigrams(text.strip())
    best, score = None, 0
    for letter, (_, _, zh, _) in SECTIONS.items():
        shared = len(grams & _bigrams(zh))
        if shared > score:
            best, score = letter, shared
    return best


def normalize_industry(code: str) -> str | None:
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
    # Optional: the department that takes applications, and where the policy text is published.
    department: str = ""
    link: str = ""


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
    code = normalize_industry(value)
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
    department, link = raw.get("department", ""), raw.get("link", "")
    if not isinstance(department, str) or not isinstance(link, str):
        raise ValueError("department and link are text")
    if link and not LINK.fullmatch(link):
        raise ValueError("link must be an http:// or https:// address without spaces")
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
        department=department,
        link=link,
    )
