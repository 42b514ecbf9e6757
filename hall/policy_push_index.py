"""An index over the enterprises of the register for policy push (免申即享): which enterprises
a policy's conditions hold for, without a full match per enterprise × policy.

Policies are the published JSON documents (``{"policies": [{"id", "all": [...], "any": [...],
"opens", "closes", ...}]}``, the format :mod:`kiosk.policies` reads), conditions ``{"field",
"op", "value"}`` over the fields of an enterprise profile. An enterprise is eligible when every
``all`` condition holds and, if there are ``any`` conditions, one of them does; a field the
register does not know (``None``) fails every condition on it, as the kiosk's matcher counts
it as missing. Closed policies (``closes`` before ``today``) match nobody.

:class:`EnterpriseIndex` keeps the enterprises as rows (0..n-1) and, per condition, a set of
rows as a Python ``int`` used as a bit set (67,000 enterprises: 8 KB; AND/OR of two is a few
microseconds):

- ``in`` (size, district): one bit set per value, OR-ed;
- ``prefix`` (industry, GB/T 4754 codes): one bit set per prefix of every code the register
  holds (``C``, ``C39``, ``C397``, ``C3973``), so a policy's prefix is one look-up;
- ``has``/``has_any``/``lacks`` (certifications): one bit set per certification (``lacks`` is
  its complement);
- ``gte``/``lte``/``between`` (numbers): the known values sorted once, a threshold found by
  bisection, the rows of the range turned into a bit set once per distinct range (policies
  share a handful of thresholds).

A policy is then a few ANDs and ORs. The answer is the same as the full matcher's for every
enterprise; ``tests/hall/test_policy_push_index.py`` checks it against :func:`kiosk.policies.
match` on random profiles and policies.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from contracts.policies import (
    SIZES,
    Condition,
    Policy,
    Vocabulary,
    normalize_industry,
    section_named,
)

NUMERIC: Final = frozenset(
    {"registered_capital_wan", "age_years", "employees", "annual_revenue_wan", "rd_ratio"}
)


@dataclass(frozen=True, slots=True)
class Facts:
    """One enterprise as conditions see it; None: not known (fails every condition on it)."""

    industry: str | None = None  # a normalised GB/T 4754 code: "C3973", "I65", "M"
    size: str | None = None
    district: str | None = None
    certifications: frozenset[str] = frozenset()
    numbers: Mapping[str, float | None] = field(default_factory=dict)  # NUMERIC fields


def _bits(rows: Iterable[int], nbytes: int) -> int:
    buf = bytearray(nbytes)
    for i in rows:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def _value_keys(f: Facts) -> list[tuple[str, str]]:
    keys = [("certifications", cert) for cert in f.certifications]
    if f.size is not None:
        keys.append(("size", f.size))
    if f.district is not None:
        keys.append(("district", f.district))
    return keys


def _prefixes_of(f: Facts) -> list[str]:
    return [f.industry[:end] for end in range(1, len(f.industry) + 1)] if f.industry else []


def rows_of(bits: int) -> Iterator[int]:
    """The rows set in a bit set, in order."""
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for byte_at, byte in enumerate(data):
        while byte:
            low = byte & -byte
            yield (byte_at << 3) + low.bit_length() - 1
            byte ^= low


class EnterpriseIndex:
    """The register's enterprises (``keys[row]``: their ids) indexed by what conditions ask."""

    def __init__(self, keys: Sequence[str], facts: Sequence[Facts]) -> None:
        if len(keys) != len(facts):
            raise ValueError("one key per enterprise")
        self.keys: list[str] = list(keys)
        self._row = {key: row for row, key in enumerate(self.keys)}
        self._facts: list[Facts] = list(facts)
        self.size = len(self.keys)
        self._nbytes = (self.size + 7) // 8
        self.everyone = (1 << self.size) - 1
        values: dict[tuple[str, str], list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        numbers: dict[str, list[tuple[float, int]]] = {f: [] for f in NUMERIC}
        for row, f in enumerate(facts):
            for k in _value_keys(f):
                values.setdefault(k, []).append(row)
            for p in _prefixes_of(f):
                prefixes.setdefault(p, []).append(row)
            for name, number in f.numbers.items():
                if number is not None and name in numbers:
                    numbers[name].append((float(number), row))
        self._values = {k: _bits(rows, self._nbytes) for k, rows in values.items()}
        self._prefixes = {k: _bits(rows, self._nbytes) for k, rows in prefixes.items()}
        self._sorted: dict[str, tuple[list[float], list[int]]] = {}
        for name, pairs in numbers.items():
            pairs.sort()
            self._sorted[name] = ([v for v, _ in pairs], [r for _, r in pairs])
        self._ranges: dict[tuple[str, int, int], int] = {}

    def update(self, key: str, facts: Facts) -> None:
        """Put one enterprise's new or changed facts in the index, in place (a few enterprises
        changed since it was built: cheaper than building it again)."""
        row = self._row.get(key)
        if row is None:
            row = self._row[key] = self.size
            self.keys.append(key)
            self._facts.append(facts)
            self.size += 1
            self._nbytes = (self.size + 7) // 8
            self.everyone |= 1 << row
        else:
            self._place(row, self._facts[row], add=False)
            self._facts[row] = facts
        self._place(row, facts, add=True)
        self._ranges.clear()

    def _place(self, row: int, f: Facts, *, add: bool) -> None:
        bit = 1 << row
        for k in _value_keys(f):
            self._values[k] = (self._values.get(k, 0) | bit) if add else self._values[k] & ~bit
        for p in _prefixes_of(f):
            self._prefixes[p] = (
                (self._prefixes.get(p, 0) | bit) if add else self._prefixes[p] & ~bit
            )
        for name, number in f.numbers.items():
            if number is None or name not in self._sorted:
                continue
            ordered, rows = self._sorted[name]
            value = float(number)
            if add:
                at = bisect.bisect_right(ordered, value)
                ordered.insert(at, value)
                rows.insert(at, row)
                continue
            at = bisect.bisect_left(ordered, value)
            while rows[at] != row:
                at += 1
            del ordered[at], rows[at]

    # --- conditions ------------------------------------------------------------------------------

    def condition(self, cond: Condition) -> int:
        """The rows a (checked) condition holds for."""
        op, value = cond.op, cond.value
        if op == "in":
            return self._any_value(cond.field, value)
        if op == "prefix":
            bits = 0
            for code in value:
                bits |= self._prefixes.get(normalize_industry(code) or "", 0)
            return bits
        if op == "has":
            return self._values.get(("certifications", value), 0)
        if op == "lacks":
            return self.everyone & ~self._values.get(("certifications", value), 0)
        if op == "has_any":
            return self._any_value(cond.field, value)
        return self._numeric(cond.field, op, value)

    def _any_value(self, fld: str, values: Iterable[str]) -> int:
        bits = 0
        for v in values:
            bits |= self._values.get((fld, v), 0)
        return bits

    def _numeric(self, fld: str, op: str, value: Any) -> int:
        ordered, rows = self._sorted[fld]
        if op == "gte":
            lo, hi = bisect.bisect_left(ordered, float(value)), len(ordered)
        elif op == "lte":
            lo, hi = 0, bisect.bisect_right(ordered, float(value))
        else:  # between
            lo = bisect.bisect_left(ordered, float(value[0]))
            hi = bisect.bisect_right(ordered, float(value[1]))
        if lo >= hi:
            return 0
        key = (fld, lo, hi)
        found = self._ranges.get(key)
        if found is None:
            found = self._ranges[key] = _bits(rows[lo:hi], self._nbytes)
        return found

    # --- policies --------------------------------------------------------------------------------

    def eligible(self, policy: Policy, today: dt.date) -> int:
        """The rows eligible for one policy (a bit set)."""
        if policy.closes < today:
            return 0
        bits = self.everyone
        for cond in policy.all_of:
            bits &= self.condition(cond)
            if not bits:
                return 0
        if policy.any_of:
            either = 0
            for cond in policy.any_of:
                either |= self.condition(cond)
            bits &= either
        return bits

    def eligible_keys(self, policy: Policy, today: dt.date) -> list[str]:
        """The ids of the enterprises eligible for one policy."""
        return [self.keys[row] for row in rows_of(self.eligible(policy, today))]


# --- the register's enterprises as facts -----------------------------------------------------


def industry_of(text: str) -> str | None:
    """A register's industry as a code: a GB/T 4754 code as it is (normalised), else the
    section its Chinese name names (软件和信息技术服务业 → ``I``); None when none does."""
    return normalize_industry(text) or section_named(text) if text.strip() else None


def _district_words(zh: str) -> list[str]:
    words = []
    for part in zh.replace("）", "（").split("（"):
        part = part.strip()
        for suffix in ("街道", "镇"):
            part = part.removesuffix(suffix)
        if len(part) >= 2:
            words.append(part)
    return words


class RegisterReader:
    """Turns register rows into :class:`Facts` with a policy set's vocabulary (industries and
    qualifications repeat across the register: each text is read once)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        # One pattern for every district's words (longest first): one search per address.
        self._district_of = {
            w: did for did, (zh, _) in vocabulary.districts.items() for w in _district_words(zh)
        }
        words = sorted(self._district_of, key=len, reverse=True)
        self._districts = re.compile("|".join(map(re.escape, words)))
        self._industries: dict[str, str | None] = {}
        self._certifications: dict[str, frozenset[str]] = {}

    def facts(
        self, *, industry: str, size: str, qualifications: str, capital: str, address: str
    ) -> Facts:
        """What the register proves about an enterprise; what it does not hold stays None
        (founding date, employees, revenue, R&D ratio: a policy asking for them is not pushed).
        ``qualifications`` is the register's JSON list."""
        code = self._industries.get(industry, "?")
        if code == "?":
            code = self._industries[industry] = industry_of(industry) if industry.strip() else None
        certifications = self._certifications.get(qualifications)
        if certifications is None:
            held = json.loads(qualifications or "[]")
            names = [q for q in held if isinstance(q, str)] if isinstance(held, list) else []
            certifications = self._certifications[qualifications] = self._certified(names)
        found = self._districts.search(address) if self._district_of else None
        district = self._district_of[found.group()] if found else None
        try:
            capital_wan: float | None = float(capital) if capital.strip() else None
        except ValueError:
            capital_wan = None
        return Facts(
            industry=code,
            size=size if size in SIZES else None,
            district=district,
            certifications=certifications,
            numbers={"registered_capital_wan": capital_wan},
        )

    def _certified(self, qualifications: Sequence[str]) -> frozenset[str]:
        found = set()
        for name in (q.strip() for q in qualifications):
            for cid, (zh, en) in self.vocabulary.certifications.items():
                if name and (name in (cid, zh, en) or zh.endswith(name) or name.endswith(zh)):
                    found.add(cid)
        return frozenset(found)
