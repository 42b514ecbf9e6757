"""Policy matching (惠企政策匹配): an enterprise profile against policy rules kept as data.

The policy document, its conditions and their checks are shared with the hall
(:mod:`contracts.policies`: :func:`~contracts.policies.compile_policies` turns a document into
:class:`~contracts.policies.Policy` values with precompiled predicates). Here, :func:`match`
checks one :class:`EnterpriseProfile` against all of them, returning for every eligible policy
*why* (the conditions met, in words) and for near-misses what is *missing* (at most
``max_missing`` conditions unmet or not known from the profile).

Content: the hall publishes the ``policies`` kind (2,147 policies: the hand-written samples plus
a deterministic generated set, :mod:`contracts.policy_synthetic`), which the kiosk fetches,
verifies and caches (:mod:`kiosk.policy_cache`); until then the same set is built from the
shipped ``services/content/policies.json`` (~20 hand-written sample policies in the style of
Suzhou High-tech District, sample data, not real policy text, plus the vocabularies: sizes,
certifications, districts). :func:`load_policies` reads the hand-written file alone.

What a unified social credit code itself says (and what it cannot) is read in :mod:`kiosk.uscc`,
which builds a profile for matching here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from contracts.policies import (
    FIELDS,
    OPERATORS,
    SECTIONS,
    SIZE_LABELS,
    SIZES,
    Policy,
    PolicyError,
    PolicySet,
    Size,
    Vocabulary,
    compile_policies,
    industry_section,
    normalize_industry,
    section_named,
)
from contracts.policy_synthetic import shipped_document

# The shared names are listed so that the kiosk's callers keep one import (the matcher and what
# it matches on); their home is contracts.policies.
__all__ = [
    "DEFAULT_POLICIES_PATH",
    "FIELDS",
    "OPERATORS",
    "SECTIONS",
    "SIZES",
    "SIZE_LABELS",
    "EnterpriseProfile",
    "Match",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Size",
    "Vocabulary",
    "compile_policies",
    "industry_section",
    "load_policies",
    "match",
    "shipped_policies",
]

DEFAULT_POLICIES_PATH: Final[Path] = (
    Path(__file__).with_name("services") / "content" / "policies.json"
)

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
            "industry": normalize_industry(self.industry) if self.industry else None,
            "size": self.size,
            "registered_capital_wan": self.registered_capital_wan,
            "age_years": age,
            "certifications": self.certifications,
            "district": self.district,
            "employees": self.employees,
            "annual_revenue_wan": self.annual_revenue_wan,
            "rd_ratio": self.rd_ratio,
        }


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


def _read(path: Path | None) -> tuple[Path, Any]:
    path = DEFAULT_POLICIES_PATH if path is None else path
    try:
        return path, json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PolicyError(str(path), [str(exc)]) from exc


def load_policies(path: Path | None = None) -> PolicySet:
    """The hand-written sample policies (or another policy file)."""
    path, data = _read(path)
    return compile_policies(data, source=str(path))


def shipped_policies(path: Path | None = None) -> PolicySet:
    """The set the hall ships and publishes at its first start: the hand-written policies plus
    generated ones over the same vocabulary, 2,147 in all (:mod:`contracts.policy_synthetic`);
    the kiosk's policies until the hall's published version arrives."""
    path = DEFAULT_POLICIES_PATH if path is None else path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(str(path), [str(exc)]) from exc
    return _shipped_set(str(path), raw)


@functools.lru_cache(maxsize=2)
def _shipped_set(source: str, raw: bytes) -> PolicySet:
    # Generating and compiling 2,147 policies takes ~0.2 s; the set is frozen and depends only on
    # the file's bytes, so every kiosk start in one process shares it.
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise PolicyError(source, [str(exc)]) from exc
    return compile_policies(shipped_document(data), source=f"{source} (shipped set)")


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


def industry_section_of(text: str) -> str | None:
    """The GB/T 4754 section a register's industry names: a code as it is ("I65", "I"), or the
    section whose Chinese name shares the most words with it (软件和信息技术服务业 → I); None when
    nothing matches (the walk-in chooses)."""
    code = text.strip().upper()
    if code[:1] in SECTIONS and (len(code) == 1 or code[1:].isdigit()):
        return code[:1]
    return section_named(text)


def profile_from_register(
    *,
    uscc: str | None,
    industry: str,
    size: str,
    qualifications: Sequence[str],
    vocabulary: Vocabulary,
) -> tuple[dict[str, str], set[str]]:
    """The policy form's answers (``PROFILE_FIELDS`` names) and certifications from an
    enterprise's register record: what the register knows, nothing guessed; the walk-in may
    change any of it. A qualification counts when it names a certification of the policies'
    vocabulary (高新技术企业 is the vocabulary's 国家高新技术企业)."""
    answers: dict[str, str] = {}
    if uscc:
        answers["uscc"] = uscc
    section = industry_section_of(industry) if industry else None
    if section is not None:
        answers["industry"] = section
    if size in SIZES:
        answers["size"] = size
    certifications: set[str] = set()
    for name in qualifications:
        name = name.strip()
        for cid, (zh, en) in vocabulary.certifications.items():
            if name and (name in (cid, zh, en) or zh.endswith(name) or name.endswith(zh)):
                certifications.add(cid)
    return answers, certifications
