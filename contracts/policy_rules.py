"""Policy conditions as one line of readable text (申报条件), for hall staff who edit a workbook.

A rule is conditions joined by ``且`` (all must hold), with at most one group of alternatives in
parentheses joined by ``或`` (at least one must hold)::

    行业 属于 C39,C40 且 注册地 = 狮山横塘街道 且 年营业收入 >= 500 且 资质 包含 国家高新技术企业
    注册地 属于 枫桥街道、通安镇 且 (资质 包含 瞪羚企业 或 研发占比 >= 5)

A condition is ``条件项 运算符 取值``, optionally followed by how it is said to the walk-in,
``【中文说明｜English wording】`` (the document's ``label_zh`` / ``label_en``). It maps one to one
onto the document's conditions (:mod:`contracts.policies`: ``{"field", "op", "value"}``), so
:func:`format_rule` writes what :func:`parse_rule` reads back unchanged. English aliases work
too (``and``, ``or``, ``industry in C39``, ``revenue >= 500``). ``docs/content.md`` has the full
table of items, operators and values.

:func:`parse_rule` raises :class:`RuleError` listing every problem in Chinese, each naming the
condition (its number and text, and where in the cell it starts) and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, NoReturn

from contracts.policies import SIZE_LABELS, Vocabulary, normalize_industry

__all__ = ["FIELD_WORDS", "MAX_RULE", "OPERATOR_WORDS", "RuleError", "format_rule", "parse_rule"]

# field -> the words that name it; the first is what format_rule writes.
FIELD_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "industry": ("行业", "所属行业", "industry"),
    "size": ("规模", "企业规模", "size"),
    "registered_capital_wan": ("注册资本", "capital", "registered_capital_wan"),
    "age_years": ("成立年限", "age", "age_years"),
    "certifications": ("资质", "资质认定", "certifications", "certification", "cert"),
    "district": ("注册地", "街道", "district"),
    "employees": ("职工人数", "员工人数", "employees"),
    "annual_revenue_wan": (
        "年营业收入",
        "上年营业收入",
        "营业收入",
        "revenue",
        "annual_revenue_wan",
    ),
    "rd_ratio": ("研发占比", "研发费用占比", "rd_ratio", "rd"),
}
# operator word -> the document's op (属于 is "prefix" for the industry, "in" otherwise); the
# first word of each op is what format_rule writes.
OPERATOR_WORDS: Final[Mapping[str, str]] = {
    "属于": "in",
    "=": "in",
    "＝": "in",
    "in": "in",
    ">=": "gte",
    "≥": "gte",
    "＞＝": "gte",
    "不低于": "gte",
    "<=": "lte",
    "≤": "lte",
    "＜＝": "lte",
    "不超过": "lte",
    "介于": "between",
    "between": "between",
    "包含任一": "has_any",
    "has_any": "has_any",
    "包含": "has",
    "has": "has",
    "不包含": "lacks",
    "不含": "lacks",
    "lacks": "lacks",
}
_WRITE_OP: Final = {
    "in": "属于",
    "prefix": "属于",
    "gte": ">=",
    "lte": "<=",
    "between": "介于",
    "has": "包含",
    "has_any": "包含任一",
    "lacks": "不含",
}
_NUMERIC: Final = frozenset(
    {"registered_capital_wan", "age_years", "employees", "annual_revenue_wan", "rd_ratio"}
)
_OPS_OF: Final[Mapping[str, tuple[str, ...]]] = {
    "industry": ("属于",),
    "size": ("属于",),
    "district": ("属于",),
    "certifications": ("包含", "包含任一", "不含"),
    **{f: (">=", "<=", "介于") for f in _NUMERIC},
}
_UNITS: Final = ("万元", "万", "年", "人", "%", "％")
_LIST_SPLIT: Final = re.compile(r"\s*[,，、;；]\s*")
_RANGE_SPLIT: Final = re.compile(r"\s*(?:~|～|至|到|-|－)\s*")
_NUMBER: Final = re.compile(r"\d{1,12}(?:\.\d{1,12})?")
# Connectives at the top level: 且 / 并且 / and, and inside a group 或 / 或者 / or.
_AND: Final = re.compile(r"\s*(?:并且|且)\s*|\s+and\s+", re.IGNORECASE)
_OR: Final = re.compile(r"\s*(?:或者|或)\s*|\s+or\s+", re.IGNORECASE)
_OPEN: Final = "(（"
_CLOSE: Final = ")）"
# A policy's conditions fit in a few hundred characters; far more is a pasted mistake.
MAX_RULE: Final = 4000
# Characters a vocabulary name may not hold: they would cut a rule in the wrong place
# (parentheses only in pairs, like 东渚街道（苏州科技城）).
RESERVED: Final = re.compile(r"[且或,，、;；【】|｜]|^[^()（）]*[)）]|[(（][^()（）]*$")


class RuleError(ValueError):
    """The rule cannot be read; ``problems`` says, in Chinese, where and why, one a line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("；".join(self.problems))


def _split(text: str, sep: re.Pattern[str], start: int) -> list[tuple[int, str]]:
    """``text`` cut at ``sep`` outside parentheses and 【】, each piece with where it starts
    (``start`` + offset), stripped."""
    pieces: list[tuple[int, str]] = []
    depth, label, begin, i = 0, False, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "【":
            label = True
        elif ch == "】":
            label = False
        elif not label and ch in _OPEN:
            depth += 1
        elif not label and ch in _CLOSE:
            depth -= 1
        elif not label and depth == 0 and not (ch.isspace() and i and text[i - 1].isspace()):
            # Tried once at the start of a run of spaces, not at each (linear, not quadratic).
            m = sep.match(text, i)
            if m is not None and m.end() > i:
                pieces.append((begin, text[begin:i]))
                begin = i = m.end()
                continue
        i += 1
    pieces.append((begin, text[begin:]))
    out = []
    for offset, piece in pieces:
        lead = len(piece) - len(piece.lstrip())
        out.append((start + offset + lead, piece.strip()))
    return out


def parse_rule(text: str, vocab: Vocabulary) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The document's ``all`` and ``any`` conditions written in ``text``; :class:`RuleError`
    lists every problem."""
    problems: list[str] = []
    all_of: list[dict[str, Any]] = []
    any_of: list[dict[str, Any]] = []
    text = text.strip()
    if not text:
        raise RuleError(["申报条件不能为空，至少写一个条件，如“注册地 属于 枫桥街道”"])
    if len(text) > MAX_RULE:
        raise RuleError([f"申报条件过长（{len(text)} 字，最多 {MAX_RULE} 字）"])
    depth = 0
    for ch in text:
        depth += (ch in _OPEN) - (ch in _CLOSE)
        if depth < 0:
            break
    if depth != 0:
        raise RuleError(["括号不成对：每个“(”都要有对应的“)”"])
    parts = _split(text, _AND, 0)
    number = 0
    groups = 0
    for at, part in parts:
        grouped = part[:1] in _OPEN and part[-1:] in _CLOSE
        inner, inner_at = (part[1:-1], at + 1) if grouped else (part, at)
        alternatives = _split(inner, _OR, inner_at)
        if len(alternatives) > 1 and not grouped and len(parts) > 1:
            problems.append(
                f"第 {at + 1} 个字起的“{part[:40]}”：“或”连接的条件要用括号括起来，"
                "如“注册地 属于 枫桥街道 且 (资质 包含 瞪羚企业 或 研发占比 >= 5)”"
            )
        is_group = grouped or len(alternatives) > 1
        if is_group:
            groups += 1
            if groups == 2:
                problems.append(
                    f"第 {at + 1} 个字起的“{part[:40]}”：只能有一组“或”条件（用括号括起来的一组）"
                )
        for where, piece in alternatives:
            number += 1
            if not piece:
                problems.append(f"第 {where + 1} 个字处缺少条件（“且”或“或”的前后都要有条件）")
                continue
            try:
                found = _condition(piece, vocab)
            except ValueError as exc:
                problems.append(f"第 {number} 个条件“{piece[:40]}”（第 {where + 1} 个字起）：{exc}")
                continue
            (any_of if is_group else all_of).append(found)
    if problems:
        raise RuleError(problems)
    return all_of, any_of


def _condition(text: str, vocab: Vocabulary) -> dict[str, Any]:
    labels: tuple[str, str] | None = None
    if text.endswith("】"):
        opened = text.rfind("【")
        if opened < 0:
            raise ValueError(
                "说明要写在【】里，如【注册地在苏州高新区｜registered in the district】"
            )
        inside = re.split(r"[|｜]", text[opened + 1 : -1], maxsplit=1)
        zh, en = inside[0].strip(), (inside[1].strip() if len(inside) > 1 else "")
        if not zh:
            raise ValueError("【】里的中文说明不能为空")
        labels = (zh, en)
        text = text[:opened].rstrip()
    elif "【" in text or "】" in text:
        raise ValueError("说明【…】只能写在条件的最后")
    fld, rest = _field(text)
    word, value_text = _operator(fld, rest)
    op = OPERATOR_WORDS[word.lower()] if word.isascii() else OPERATOR_WORDS[word]
    if op == "in" and fld == "industry":
        op = "prefix"
    allowed = _OPS_OF[fld]
    if _WRITE_OP[op] not in allowed:
        raise ValueError(f"“{FIELD_WORDS[fld][0]}”不能用“{word}”，可用：{'、'.join(allowed)}")
    if not value_text:
        raise ValueError(f"“{word}”后面缺少取值")
    out: dict[str, Any] = {"field": fld, "op": op, "value": _value(fld, op, value_text, vocab)}
    if labels is not None:
        out["label_zh"] = labels[0]
        if labels[1]:
            out["label_en"] = labels[1]
    return out


def _field(text: str) -> tuple[str, str]:
    folded = text.casefold()
    best: tuple[int, str] | None = None
    for fld, words in FIELD_WORDS.items():
        for word in words:
            if folded.startswith(word.casefold()) and (best is None or len(word) > best[0]):
                best = (len(word), fld)
    if best is None:
        names = "、".join(words[0] for words in FIELD_WORDS.values())
        raise ValueError(f"开头应为条件项，可用：{names}")
    return best[1], text[best[0] :].strip()


def _operator(fld: str, rest: str) -> tuple[str, str]:
    folded = rest.casefold()
    for word in sorted(OPERATOR_WORDS, key=len, reverse=True):
        if folded.startswith(word.casefold()):
            after = rest[len(word) :]
            # An English word needs a space after it ("in C39", not "inC39").
            if word.isalpha() and word.isascii() and after[:1] not in ("", " "):
                continue
            return rest[: len(word)], after.strip()
    raise ValueError(f"“{FIELD_WORDS[fld][0]}”后面应为运算符，可用：{'、'.join(_OPS_OF[fld])}")


def _number(text: str) -> int | float:
    for unit in _UNITS:
        if text.endswith(unit):
            text = text[: -len(unit)].rstrip()
            break
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"“{text[:20]}”不是数字，应写如 500 或 0.5")
    return float(text) if "." in text else int(text)


def _names(table: Mapping[str, tuple[str, str]], word: str, what: str) -> str:
    """The id a vocabulary word names: an id, a Chinese or English name, or a unique part of
    a Chinese name."""
    folded = word.casefold()
    for key, (zh, en) in table.items():
        if folded in (key.casefold(), zh.casefold(), en.casefold()):
            return key
    partial = [key for key, (zh, _) in table.items() if word in zh]
    if len(partial) == 1:
        return partial[0]
    known = "、".join(zh for zh, _ in table.values())
    if partial:
        _fail(f"“{word}”可指多个{what}，请写全称：{known}")
    _fail(f"不认识的{what}“{word[:20]}”，可用：{known}")


def _fail(reason: str) -> NoReturn:
    raise ValueError(reason)


def _value(fld: str, op: str, text: str, vocab: Vocabulary) -> Any:
    if fld in _NUMERIC:
        if op == "between":
            ends = _RANGE_SPLIT.split(text)
            if len(ends) != 2:
                raise ValueError("“介于”后应为两个数，如“介于 10~300”")
            lo, hi = _number(ends[0]), _number(ends[1])
            if lo > hi:
                raise ValueError(f"区间 {ends[0]}~{ends[1]} 的下限大于上限")
            return [lo, hi]
        return _number(text)
    words = [w for w in _LIST_SPLIT.split(text) if w]
    if not words:
        raise ValueError("缺少取值")
    if len(set(words)) != len(words):
        raise ValueError("取值中有重复")
    if fld == "industry":
        codes = []
        for word in words:
            if normalize_industry(word) is None:
                raise ValueError(
                    f"“{word[:20]}”不是国民经济行业分类（GB/T 4754-2017）代码，如 C39、I65、M"
                )
            codes.append(word.upper())
        return codes
    if fld == "size":
        return [_names(SIZE_LABELS, w, "企业规模") for w in words]
    if fld == "district":
        return [_names(vocab.districts, w, "注册地") for w in words]
    ids = [_names(vocab.certifications, w, "资质") for w in words]
    if op in ("has", "lacks"):
        if len(ids) != 1:
            raise ValueError(
                f"“{_WRITE_OP[op]}”只能写一个资质；都要具备请用“且”写成多个条件，"
                "具备其一即可请用“包含任一”"
            )
        return ids[0]
    return ids


def format_rule(
    all_of: Iterable[Mapping[str, Any]], any_of: Iterable[Mapping[str, Any]], vocab: Vocabulary
) -> str:
    """The rule text of a policy's conditions (what :func:`parse_rule` reads back the same)."""
    parts = [_write(c, vocab) for c in all_of]
    group = [_write(c, vocab) for c in any_of]
    if group:
        parts.append("(" + " 或 ".join(group) + ")")
    return " 且 ".join(parts)


def _write(cond: Mapping[str, Any], vocab: Vocabulary) -> str:
    fld, op, value = str(cond["field"]), str(cond["op"]), cond["value"]
    if fld in _NUMERIC:
        shown = "~".join(map(_num, value)) if op == "between" else _num(value)
    elif fld == "industry":
        shown = ",".join(value)
    else:
        table = {
            "size": SIZE_LABELS,
            "district": vocab.districts,
            "certifications": vocab.certifications,
        }[fld]
        values = [value] if isinstance(value, str) else value
        shown = "、".join(table[v][0] if v in table else v for v in values)
    text = f"{FIELD_WORDS[fld][0]} {_WRITE_OP[op]} {shown}"
    if cond.get("label_zh"):
        en = cond.get("label_en")
        text += f" 【{cond['label_zh']}" + (f"｜{en}" if en else "") + "】"
    return text


def _num(x: float) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueError(f"not a number: {x!r}")
    return str(x) if isinstance(x, int) else format(Decimal(repr(x)), "f")
