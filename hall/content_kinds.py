"""The kiosk's other content in workbooks: the Q&A knowledge base, the demand taxonomy, the
holiday calendar and the policies, each published, versioned, signed and served like the services
catalog.

Each :class:`Kind` is a workbook format (sheets and columns, :mod:`hall.content_workbook`'s
reader: headers "中文 key", every problem as a :class:`~hall.content_workbook.CellError` by
sheet, row and column in Chinese), the JSON document it stands for, that document's canonical
form and a diff. ``docs/content.md`` describes the sheets.

- ``knowledge``: 问答 (id, topic, question, answer, keywords) and 同义词 (one group of words a
  row). The document is ``{version, note, entries, synonyms}``; the kiosk ships the same content
  as ``knowledge.json`` and ``synonyms.json`` (:mod:`kiosk.knowledge`).
- ``demand_taxonomy``: 诉求类别 (13 first-level categories: handler, working days to reply,
  keywords) and 二级类别 (2-6 per category). Checked by :func:`contracts.demands.parse_taxonomy`
  as the hall and the kiosk load it, and every category must have a handler department in the
  published catalog's demand routes, so every demand can be dispatched.
- ``holidays``: 日期 (a date a row: 放假 or 调休上班). An adjusted working day must be a
  Saturday or Sunday.
- ``policies``: 政策 (a policy a row, its conditions in one cell in the rule language of
  :mod:`contracts.policy_rules`), 资质 and 注册地 (the vocabulary the conditions name). The
  document is the kiosk's policies JSON (:mod:`contracts.policies`, checked by
  :func:`~contracts.policies.compile_policies` as the kiosk loads it). The shipped set is the 21
  hand-written policies plus generated ones, 2,147 in all
  (:func:`contracts.policy_synthetic.shipped_document`).

:class:`ContentStore` keeps every published version of each kind (table ``content_versions``,
migration 0011) and signs what it serves with the hall's content key under the kind's own
signature context (:func:`contracts.content_signature.context`), so a signed calendar cannot pass
as a knowledge base. Nothing published yet means the shipped file is current: it is published at
the first start (:meth:`ContentStore.publish_shipped_if_empty`). The hall's own deadlines follow
the published taxonomy and calendar (:mod:`hall.demand_content`).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import hashlib
import json
import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from contracts.clock import Clock
from contracts.content_signature import signed_etag
from contracts.demands import FIRST_LEVEL_COUNT, ContentError, parse_taxonomy
from contracts.policies import LINK, Vocabulary, compile_policies
from contracts.policy_rules import RESERVED, RuleError, format_rule, parse_rule
from contracts.policy_synthetic import shipped_document
from hall.clock import iso
from hall.content_key import ContentKey
from hall.content_workbook import (
    CellError,
    Sheet,
    WorkbookRefused,
    _duplicates,
    _Reader,
    _Row,
    read_sheets,
    write_sheets,
)
from hall.content_workbook import Column as SheetColumn
from hall.store import metadata

log = logging.getLogger(__name__)

_HALL_CONTENT: Final = Path(__file__).with_name("content")
_KIOSK_CONTENT: Final = Path(__file__).resolve().parents[1] / "kiosk" / "services" / "content"
WORKBOOKS: Final = _HALL_CONTENT / "workbooks"
# A knowledge base of a few thousand answers is a few MB; more means the wrong file.
MAX_DOCUMENT_BYTES: Final = 8 * 1024 * 1024
MAX_QUESTION: Final = 200
MAX_ANSWER: Final = 4000

content_versions = Table(
    "content_versions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("version", String(64), nullable=False),
    Column("etag", String(80), nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", String(40), nullable=False),
    Column("published_by", String(64), nullable=False),
    UniqueConstraint("kind", "version", name="content_versions_kind_version"),
    Index("content_versions_of_kind", "kind", "seq"),
)


def _col(key: str, zh: str, kind: Any) -> SheetColumn:
    return SheetColumn(key, zh, kind)


_INFO: Final = Sheet(
    "info", "目录", (_col("version", "版本", "opt_text"), _col("note", "说明", "opt_text"))
)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of content: its workbook, document and checks."""

    key: str
    title_zh: str
    sheets: tuple[Sheet, ...]
    # workbook rows (by sheet key) and the reader -> the document; errors go to the reader
    assemble: Callable[[dict[str, list[_Row]], _Reader, dict[str, Any]], dict[str, Any]]
    rows: Callable[[dict[str, Any]], dict[str, list[dict[str, Any]]]]
    canonical: Callable[[dict[str, Any]], dict[str, Any]]
    diff: Callable[[dict[str, Any] | None, dict[str, Any]], dict[str, Any]]
    # the document checked as its users load it (raises ContentError / ValueError)
    check: Callable[[dict[str, Any]], None]
    shipped: Callable[[], dict[str, Any]]

    @property
    def sample_workbook(self) -> Path:
        return WORKBOOKS / f"{self.key}.xlsx"


def read(kind: Kind, source: IO[bytes] | Path | bytes, context: dict[str, Any] | None = None
         ) -> dict[str, Any]:  # fmt: skip
    """The document in a workbook of ``kind``; :class:`WorkbookRefused` with every problem.
    ``context`` carries what the checks look up elsewhere (the catalog's demand routes)."""
    rows, reader = read_sheets(source, kind.sheets)
    doc = kind.assemble(rows, reader, context or {})
    if not reader.errors:
        try:
            kind.check(doc)
        except (ContentError, ValueError) as exc:
            reasons = getattr(exc, "reasons", None) or [str(exc)]
            reader.errors += [
                CellError(kind.sheets[1].title, None, "", "", f"内容检查未通过：{r}")
                for r in reasons
            ]
    if reader.errors:
        raise WorkbookRefused(reader.errors)
    return kind.canonical(doc)


def workbook_bytes(kind: Kind, doc: dict[str, Any]) -> bytes:
    import io

    out = io.BytesIO()
    write_sheets(kind.sheets, kind.rows(doc), out)
    return out.getvalue()


def _info(rows: dict[str, list[_Row]]) -> dict[str, str]:
    first = rows["info"][0].values if rows["info"] else {}
    return {"version": first.get("version") or "", "note": first.get("note") or ""}


def _info_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"version": doc.get("version", ""), "note": doc.get("note", "")}]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _by_id_diff(
    before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]], key: str, label: str
) -> dict[str, Any]:
    a = {str(x[key]): x for x in before}
    b = {str(x[key]): x for x in after}
    changed = [
        {
            "id": k,
            "name_zh": str(v.get(label, "")),
            "fields": sorted(f for f in set(a[k]) | set(v) if a[k].get(f) != v.get(f)),
        }
        for k, v in b.items()
        if k in a and a[k] != v
    ]
    return {
        "added": [{"id": k, "name_zh": str(v.get(label, ""))} for k, v in b.items() if k not in a],
        "removed": [
            {"id": k, "name_zh": str(v.get(label, ""))} for k, v in a.items() if k not in b
        ],
        "changed": changed,
        "order_changed": list(a) != list(b),
    }


def _done(out: dict[str, Any], *flags: str) -> dict[str, Any]:
    out["no_changes"] = not (
        out["added"] or out["removed"] or out["changed"] or any(out[f] for f in flags)
    )
    return out


# --- the Q&A knowledge base --------------------------------------------------------------------

_KNOWLEDGE_SHEETS: Final = (
    _INFO,
    Sheet(
        "entries",
        "问答",
        (
            _col("id", "编号", "id"),
            _col("topic", "主题", "id"),
            _col("question", "问题", "text"),
            _col("answer", "答案", "text"),
            _col("keywords", "关键词", "list"),
        ),
    ),
    Sheet("synonyms", "同义词", (_col("words", "同义词组", "list"),)),
)


def _knowledge_assemble(
    rows: dict[str, list[_Row]], reader: _Reader, context: dict[str, Any]
) -> dict[str, Any]:
    for _, row in _duplicates((r.values["id"], r) for r in rows["entries"]):
        reader.error("entries", row.number, "id", f"问答编号“{row.values['id']}”重复")
    asked: dict[str, int] = {}
    entries = []
    for r in rows["entries"]:
        v = r.values
        folded = _fold(v["question"])
        if folded and folded in asked:
            reader.error("entries", r.number, "question", f"问题与第 {asked[folded]} 行相同")
        asked.setdefault(folded, r.number)
        if len(v["question"]) > MAX_QUESTION:
            reader.error("entries", r.number, "question", f"问题过长（最多 {MAX_QUESTION} 字）")
        if len(v["answer"]) > MAX_ANSWER:
            reader.error("entries", r.number, "answer", f"答案过长（最多 {MAX_ANSWER} 字）")
        entry = {k: v[k] for k in ("id", "topic", "question", "answer")}
        if v["keywords"]:
            entry["keywords"] = v["keywords"]
        entries.append(entry)
    if not rows["entries"] and "entries" in reader.letters:
        reader.error("entries", None, "", "“问答”表中没有任何问答")
    groups: list[list[str]] = []
    seen: dict[str, int] = {}
    for r in rows["synonyms"]:
        words = r.values["words"] or []
        if len(words) < 2:
            reader.error("synonyms", r.number, "words", "同义词组至少要有两个词，用逗号或顿号分隔")
        folded_words = [_fold(w) for w in words]
        if len(set(folded_words)) != len(folded_words):
            reader.error("synonyms", r.number, "words", "同一组中有重复的词")
        for word, f in zip(words, folded_words, strict=True):
            if f in seen and seen[f] != r.number:
                reader.error(
                    "synonyms", r.number, "words", f"词语“{word}”已在第 {seen[f]} 行的同义词组中"
                )
            seen.setdefault(f, r.number)
        groups.append(words)
    return {**_info(rows), "entries": entries, "synonyms": groups}


def _knowledge_rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        "info": _info_rows(doc),
        "entries": [dict(e) for e in doc.get("entries", [])],
        "synonyms": [{"words": list(g)} for g in doc.get("synonyms", [])],
    }


def _knowledge_canonical(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for e in out.get("entries", []):
        if not e.get("keywords"):
            e.pop("keywords", None)
    out.setdefault("note", "")
    out.setdefault("synonyms", [])
    return out


def _knowledge_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    a = _knowledge_canonical(old or {"entries": []})
    b = _knowledge_canonical(new)
    out = _by_id_diff(a["entries"], b["entries"], "id", "question")
    out["synonyms_changed"] = a["synonyms"] != b["synonyms"]
    return _done(out, "synonyms_changed", "order_changed")


def _knowledge_check(doc: dict[str, Any]) -> None:
    for e in doc["entries"]:
        for key in ("id", "topic", "question", "answer"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                raise ValueError(f"entry {e.get('id')!r}: {key} is empty")


def _knowledge_shipped() -> dict[str, Any]:
    qa = json.loads((_KIOSK_CONTENT / "knowledge.json").read_text("utf-8"))
    synonyms = json.loads((_KIOSK_CONTENT / "synonyms.json").read_text("utf-8"))
    return _knowledge_canonical(
        {
            "version": qa.get("version", ""),
            "note": qa.get("note", ""),
            "entries": qa["entries"],
            "synonyms": synonyms["groups"],
        }
    )


# --- the demand taxonomy -----------------------------------------------------------------------

_TAXONOMY_SHEETS: Final = (
    _INFO,
    Sheet(
        "categories",
        "诉求类别",
        (
            _col("id", "编号", "id"),
            _col("name_zh", "中文名称", "text"),
            _col("name_en", "英文名称", "text"),
            _col("deadline_working_days", "答复时限(工作日)", "int"),
            _col("handler_zh", "中文承办部门", "text"),
            _col("handler_en", "英文承办部门", "text"),
            _col("keywords", "关键词", "list"),
        ),
    ),
    Sheet(
        "subcategories",
        "二级类别",
        (
            _col("category", "诉求类别", "ref"),
            _col("id", "编号", "id"),
            _col("name_zh", "中文名称", "text"),
            _col("name_en", "英文名称", "text"),
            _col("keywords", "关键词", "list"),
            _col("deadline_working_days", "答复时限(工作日)", "opt_int"),
        ),
    ),
)


def _days_ok(value: int | None) -> bool:
    return value is None or 1 <= value <= 60


def _taxonomy_assemble(
    rows: dict[str, list[_Row]], reader: _Reader, context: dict[str, Any]
) -> dict[str, Any]:
    both = [(r.values["id"], ("categories", r)) for r in rows["categories"]] + [
        (r.values["id"], ("subcategories", r)) for r in rows["subcategories"]
    ]
    seen: set[str] = set()
    for key, (sheet, row) in both:
        if key and key in seen:
            reader.error(
                sheet, row.number, "id", f"编号“{key}”重复（一级和二级类别的编号都不能重复）"
            )
        seen.add(key)
    routes: dict[str, str] | None = context.get("demand_routes")
    categories: dict[str, dict[str, Any]] = {}
    for r in rows["categories"]:
        v = r.values
        if not _days_ok(v["deadline_working_days"]):
            reader.error(
                "categories", r.number, "deadline_working_days", "答复时限应在 1 到 60 个工作日之间"
            )
        if routes is not None and v["id"] and v["id"] not in routes:
            reader.error(
                "categories",
                r.number,
                "id",
                f"诉求类别“{v['id']}”在事项目录的“需求路由”表中没有承办部门，诉求将无法分派",
            )
        cat = {
            k: v[k]
            for k in (
                "id",
                "name_zh",
                "name_en",
                "deadline_working_days",
                "handler_zh",
                "handler_en",
            )
        }
        cat.update(keywords=v["keywords"] or [], children=[])
        categories.setdefault(v["id"], cat)
    for r in rows["subcategories"]:
        v = r.values
        parent = categories.get(v["category"])
        if parent is None and v["category"]:
            reader.error(
                "subcategories",
                r.number,
                "category",
                f"诉求类别“{v['category']}”不存在（“诉求类别”表中没有）",
            )
        if not v["keywords"]:
            reader.error("subcategories", r.number, "keywords", "至少填写一个关键词")
        if not _days_ok(v["deadline_working_days"]):
            reader.error(
                "subcategories",
                r.number,
                "deadline_working_days",
                "答复时限应在 1 到 60 个工作日之间",
            )
        sub: dict[str, Any] = {k: v[k] for k in ("id", "name_zh", "name_en")}
        sub["keywords"] = v["keywords"] or []
        if v["deadline_working_days"] is not None:
            sub["deadline_working_days"] = v["deadline_working_days"]
        if parent is not None:
            parent["children"].append(sub)
    for r in rows["categories"]:
        found = categories.get(r.values["id"])
        if found is not None and not 2 <= len(found["children"]) <= 6:
            reader.error(
                "categories",
                r.number,
                "id",
                f"每个诉求类别要有 2 到 6 个二级类别（现有 {len(found['children'])} 个）",
            )
    if len(categories) != FIRST_LEVEL_COUNT and "categories" in reader.letters:
        reader.error(
            "categories",
            None,
            "",
            f"诉求类别应为 {FIRST_LEVEL_COUNT} 个，现有 {len(categories)} 个",
        )
    return {**_info(rows), "categories": list(categories.values())}


def _taxonomy_rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    cats = doc.get("categories", [])
    return {
        "info": _info_rows(doc),
        "categories": [dict(c) for c in cats],
        "subcategories": [{"category": c["id"], **s} for c in cats for s in c.get("children", [])],
    }


def _taxonomy_canonical(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out.setdefault("note", "")
    return out


def _taxonomy_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    a = _taxonomy_canonical(old or {"categories": []})
    b = _taxonomy_canonical(new)
    out = _by_id_diff(a["categories"], b["categories"], "id", "name_zh")
    return _done(out, "order_changed")


def _taxonomy_check(doc: dict[str, Any]) -> None:
    parse_taxonomy(doc, source="workbook")


def _taxonomy_shipped() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((_HALL_CONTENT / "demand_taxonomy.json").read_text("utf-8"))
    return _taxonomy_canonical(doc)


# --- the holiday calendar ----------------------------------------------------------------------

_HOLIDAY_SHEETS: Final = (
    _INFO,
    Sheet(
        "days",
        "日期",
        (
            _col("date", "日期", "date"),
            _col("kind", "类型", "ref"),
        ),
    ),
)
_HOLIDAY: Final = {"放假", "休", "假", "holiday"}
_WORKDAY: Final = {"调休上班", "上班", "班", "workday"}
_WEEKDAYS: Final = "一二三四五六日"


def _holidays_assemble(
    rows: dict[str, list[_Row]], reader: _Reader, context: dict[str, Any]
) -> dict[str, Any]:
    holidays: list[str] = []
    workdays: list[str] = []
    for key, row in _duplicates((r.values["date"] or "", r) for r in rows["days"]):
        reader.error("days", row.number, "date", f"日期 {key} 重复")
    for r in rows["days"]:
        day, kind = r.values["date"], r.values["kind"]
        if kind in _HOLIDAY:
            target = holidays
        elif kind in _WORKDAY:
            target = workdays
            if day and dt.date.fromisoformat(day).weekday() < 5:
                weekday = _WEEKDAYS[dt.date.fromisoformat(day).weekday()]
                reader.error(
                    "days", r.number, "date", f"调休上班日应为周六或周日，{day} 是周{weekday}"
                )
        else:
            if kind:
                reader.error(
                    "days", r.number, "kind", f"类型应填写“放假”或“调休上班”，不能是“{kind[:20]}”"
                )
            continue
        if day:
            target.append(day)
    if not rows["days"] and "days" in reader.letters:
        reader.error("days", None, "", "“日期”表中没有任何日期")
    return {**_info(rows), "holidays": holidays, "workdays": workdays}


def _holidays_rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    days = [(d, "放假") for d in doc.get("holidays", [])] + [
        (d, "调休上班") for d in doc.get("workdays", [])
    ]
    return {
        "info": _info_rows(doc),
        "days": [{"date": dt.date.fromisoformat(d), "kind": k} for d, k in sorted(days)],
    }


def _holidays_canonical(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["holidays"] = sorted(set(out.get("holidays", [])))
    out["workdays"] = sorted(set(out.get("workdays", [])))
    out.setdefault("note", "")
    return out


def _holidays_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    def days(doc: dict[str, Any]) -> list[dict[str, Any]]:
        c = _holidays_canonical(doc)
        both = [(d, "放假") for d in c["holidays"]] + [(d, "调休上班") for d in c["workdays"]]
        return [{"date": d, "name_zh": f"{d} {k}", "kind": k} for d, k in sorted(both)]

    out = _by_id_diff(days(old or {}), days(new), "date", "name_zh")
    out["order_changed"] = False  # dates are kept sorted
    return _done(out)


def _holidays_check(doc: dict[str, Any]) -> None:
    from hall.demand_content import calendar_of

    calendar_of(doc, source="workbook")


def _holidays_shipped() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((_HALL_CONTENT / "holidays.json").read_text("utf-8"))
    return _holidays_canonical(doc)


# --- policies ------------------------------------------------------------------------------------

_POLICY_SHEETS: Final = (
    _INFO,
    Sheet(
        "policies",
        "政策",
        (
            _col("id", "编号", "id"),
            _col("title_zh", "中文标题", "text"),
            _col("title_en", "英文标题", "text"),
            _col("issuer_zh", "中文发文单位", "text"),
            _col("issuer_en", "英文发文单位", "text"),
            _col("department", "受理部门", "opt_text"),
            _col("benefit_zh", "中文扶持内容", "text"),
            _col("benefit_en", "英文扶持内容", "text"),
            _col("max_amount_wan", "最高金额(万元)", "opt_text"),
            _col("opens", "开始申报", "date"),
            _col("closes", "截止日期", "date"),
            _col("link", "政策链接", "opt_text"),
            _col("conditions", "申报条件", "text"),
        ),
    ),
    Sheet(
        "certifications",
        "资质",
        (
            _col("id", "编号", "id"),
            _col("name_zh", "中文名称", "text"),
            _col("name_en", "英文名称", "text"),
        ),
    ),
    Sheet(
        "districts",
        "注册地",
        (
            _col("id", "编号", "id"),
            _col("name_zh", "中文名称", "text"),
            _col("name_en", "英文名称", "text"),
        ),
    ),
)
_AMOUNT: Final = re.compile(r"\d{1,9}(?:\.\d{1,4})?")
_VOCAB_WHAT: Final = {"certifications": "资质", "districts": "注册地"}


def _vocabulary(rows: dict[str, list[_Row]], reader: _Reader, sheet: str) -> dict[str, list[str]]:
    what = _VOCAB_WHAT[sheet]
    for key, row in _duplicates((r.values["id"], r) for r in rows[sheet]):
        reader.error(sheet, row.number, "id", f"{what}编号“{key}”重复")
    names: dict[str, int] = {}
    out: dict[str, list[str]] = {}
    for r in rows[sheet]:
        v = r.values
        for col in ("name_zh", "name_en"):
            bad = RESERVED.search(v[col])
            if bad:
                reader.error(
                    sheet,
                    r.number,
                    col,
                    f"名称中不能有“{bad[0]}”：申报条件用“且、或、逗号、顿号、【】”分隔条件和取值，"
                    "括号要成对",
                )
            folded = _fold(v[col])
            if folded and folded in names and names[folded] != r.number:
                reader.error(sheet, r.number, col, f"名称与第 {names[folded]} 行相同")
            if folded:
                names.setdefault(folded, r.number)
        out.setdefault(v["id"], [v["name_zh"], v["name_en"]])
    if not rows[sheet] and sheet in reader.letters:
        reader.error(sheet, None, "", f"“{what}”表中没有任何{what}")
    return out


def _policies_assemble(
    rows: dict[str, list[_Row]], reader: _Reader, context: dict[str, Any]
) -> dict[str, Any]:
    certifications = _vocabulary(rows, reader, "certifications")
    districts = _vocabulary(rows, reader, "districts")
    vocab = Vocabulary(
        certifications={k: (v[0], v[1]) for k, v in certifications.items()},
        districts={k: (v[0], v[1]) for k, v in districts.items()},
    )
    for key, row in _duplicates((r.values["id"], r) for r in rows["policies"]):
        reader.error("policies", row.number, "id", f"政策编号“{key}”重复")
    policies = []
    for r in rows["policies"]:
        v = r.values
        policy: dict[str, Any] = {
            k: v[k] for k in ("id", "title_zh", "title_en", "issuer_zh", "issuer_en")
        }
        if v["department"]:
            policy["department"] = v["department"]
        policy.update(benefit_zh=v["benefit_zh"], benefit_en=v["benefit_en"])
        amount = v["max_amount_wan"]
        if amount:
            if _AMOUNT.fullmatch(amount):
                policy["max_amount_wan"] = float(amount) if "." in amount else int(amount)
            else:
                reader.error(
                    "policies",
                    r.number,
                    "max_amount_wan",
                    f"应为金额（万元），如 30，不能是“{amount[:20]}”",
                )
        policy.update(opens=v["opens"], closes=v["closes"])
        if v["opens"] and v["closes"] and v["closes"] < v["opens"]:
            reader.error("policies", r.number, "closes", "截止日期早于开始申报日期")
        if v["link"]:
            if LINK.fullmatch(v["link"]):
                policy["link"] = v["link"]
            else:
                reader.error(
                    "policies", r.number, "link", "链接应以 http:// 或 https:// 开头，不含空格"
                )
        policy["all"], policy["any"] = [], []
        if v["conditions"]:
            try:
                policy["all"], policy["any"] = parse_rule(v["conditions"], vocab)
            except RuleError as exc:
                for problem in exc.problems:
                    reader.error("policies", r.number, "conditions", problem)
        policies.append(policy)
    if not rows["policies"] and "policies" in reader.letters:
        reader.error("policies", None, "", "“政策”表中没有任何政策")
    return {
        **_info(rows),
        "certifications": certifications,
        "districts": districts,
        "policies": policies,
    }


def _policies_rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    vocab = compile_policies({**doc, "policies": []}).vocabulary
    policies = [
        {
            **p,
            "opens": dt.date.fromisoformat(p["opens"]),
            "closes": dt.date.fromisoformat(p["closes"]),
            "conditions": format_rule(p.get("all", []), p.get("any", []), vocab),
        }
        for p in doc.get("policies", [])
    ]
    return {
        "info": _info_rows(doc),
        "policies": policies,
        "certifications": [
            {"id": k, "name_zh": v[0], "name_en": v[1]} for k, v in doc["certifications"].items()
        ],
        "districts": [
            {"id": k, "name_zh": v[0], "name_en": v[1]} for k, v in doc["districts"].items()
        ],
    }


def _policies_canonical(doc: dict[str, Any]) -> dict[str, Any]:
    """Empty optional parts left out, so a JSON file and its workbook read back the same."""
    out = copy.deepcopy(doc)
    out.setdefault("note", "")
    for p in out.get("policies", []):
        for key in ("any", "department", "link", "max_amount_wan"):
            if p.get(key) in (None, "", []):
                p.pop(key, None)
        for cond in [*p.get("all", []), *p.get("any", [])]:
            for key in ("label_zh", "label_en"):
                if not cond.get(key):
                    cond.pop(key, None)
    for key in ("certifications", "districts"):
        out[key] = {k: list(v) for k, v in out.get(key, {}).items()}
    return out


def _policies_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    a = _policies_canonical(old or {"policies": []})
    b = _policies_canonical(new)
    out = _by_id_diff(a["policies"], b["policies"], "id", "title_zh")
    out["vocabulary_changed"] = (a["certifications"], a["districts"]) != (
        b["certifications"],
        b["districts"],
    )
    return _done(out, "vocabulary_changed", "order_changed")


def _policies_check(doc: dict[str, Any]) -> None:
    compile_policies(doc, source="workbook")  # PolicyError: a ValueError with its reasons


def _policies_shipped() -> dict[str, Any]:
    raw = (_KIOSK_CONTENT / "policies.json").read_bytes()
    # A fresh copy of the one built per process: generating and canonicalising 2,147 policies
    # takes ~0.5 s, and every hall start on an empty database publishes them.
    doc: dict[str, Any] = json.loads(_policies_shipped_json(raw))
    return doc


@functools.lru_cache(maxsize=2)
def _policies_shipped_json(raw: bytes) -> str:
    doc = _policies_canonical(shipped_document(json.loads(raw)))
    return json.dumps(doc, ensure_ascii=False)


KNOWLEDGE: Final = Kind(
    "knowledge",
    "问答知识库",
    _KNOWLEDGE_SHEETS,
    _knowledge_assemble,
    _knowledge_rows,
    _knowledge_canonical,
    _knowledge_diff,
    _knowledge_check,
    _knowledge_shipped,
)
TAXONOMY: Final = Kind(
    "demand_taxonomy",
    "诉求分类",
    _TAXONOMY_SHEETS,
    _taxonomy_assemble,
    _taxonomy_rows,
    _taxonomy_canonical,
    _taxonomy_diff,
    _taxonomy_check,
    _taxonomy_shipped,
)
HOLIDAYS: Final = Kind(
    "holidays",
    "节假日",
    _HOLIDAY_SHEETS,
    _holidays_assemble,
    _holidays_rows,
    _holidays_canonical,
    _holidays_diff,
    _holidays_check,
    _holidays_shipped,
)
POLICIES: Final = Kind(
    "policies",
    "惠企政策",
    _POLICY_SHEETS,
    _policies_assemble,
    _policies_rows,
    _policies_canonical,
    _policies_diff,
    _policies_check,
    _policies_shipped,
)
KINDS: Final = {k.key: k for k in (KNOWLEDGE, TAXONOMY, HOLIDAYS, POLICIES)}


# --- versions ------------------------------------------------------------------------------------


class VersionClash(Exception):
    """Another publication took the version name first (ask again)."""


@dataclass(frozen=True, slots=True)
class Published:
    """One published version of a kind: its bytes as served and their signed ETag."""

    seq: int
    kind: str
    version: str
    etag: str
    body: bytes
    published_at: str
    published_by: str
    served_etag: str

    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.body)
        return found


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class ContentStore:
    """Published versions of every kind in the hall's database; thread-safe.

    :meth:`latest` is cached per kind and re-reads the database when this process published or
    at most every :data:`RECHECK_S` seconds (another hall instance on the same PostgreSQL may have
    published), so the hall's deadline counting can ask on every call.
    """

    RECHECK_S: Final = 5.0

    def __init__(self, engine: Engine, clock: Clock, content_key: ContentKey | None = None) -> None:
        self.engine, self.clock = engine, clock
        self.content_key = content_key or ContentKey(Ed25519PrivateKey.generate())
        metadata.create_all(engine, tables=[content_versions])
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[float, Published | None]] = {}
        self._hooks: list[Callable[[str], None]] = []

    def publish_shipped_if_empty(self) -> None:
        """Publish the shipped content of every kind that has no version yet (first start)."""
        for kind in KINDS.values():
            if self.latest(kind.key) is None:
                doc = kind.shipped()
                # Another hall instance may have published it first.
                with contextlib.suppress(VersionClash):
                    self.publish(
                        kind.key, {**doc, "version": doc.get("version") or "shipped"}, "system"
                    )

    def publish(self, kind: str, doc: dict[str, Any], actor: str) -> Published:
        """Store ``doc`` (checked by the caller) as the newest version of ``kind``."""
        body = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB")
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(content_versions).values(
                        kind=kind,
                        version=str(doc["version"]),
                        etag=_etag(body),
                        body=body.decode("utf-8"),
                        published_at=iso(self.clock.now()),
                        published_by=actor,
                    )
                )
        except IntegrityError:
            raise VersionClash(doc["version"]) from None
        log.info("%s %s published by %s", kind, doc["version"], actor)
        with self._lock:
            self._latest.pop(kind, None)
        latest = self.latest(kind)
        assert latest is not None
        for hook in list(self._hooks):
            hook(kind)
        return latest

    def latest(self, kind: str) -> Published | None:
        with self._lock:
            cached = self._latest.get(kind)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.RECHECK_S:
            return cached[1]
        with self.engine.connect() as conn:
            head = conn.execute(
                select(func.max(content_versions.c.seq)).where(content_versions.c.kind == kind)
            ).scalar_one_or_none()
            if cached is not None and cached[1] is not None and cached[1].seq == head:
                found: Published | None = cached[1]
            elif head is None:
                found = None
            else:
                row = conn.execute(
                    select(content_versions).where(content_versions.c.seq == head)
                ).one()
                body = row.body.encode("utf-8")
                found = Published(
                    seq=row.seq,
                    kind=kind,
                    version=row.version,
                    etag=row.etag,
                    body=body,
                    published_at=row.published_at,
                    published_by=row.published_by,
                    served_etag=signed_etag(row.etag, self.content_key.sign(body, kind)),
                )
        with self._lock:
            self._latest[kind] = (now, found)
        return found

    def next_version(self, kind: str) -> str:
        """The day and a number (``2026.12.06-3``), the number one more than the kind's count."""
        with self.engine.connect() as conn:
            count = conn.execute(
                select(func.count()).where(content_versions.c.kind == kind)
            ).scalar_one()
        return f"{self.clock.now():%Y.%m.%d}-{int(count) + 1}"

    def document(self, kind: str, version: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            body = conn.execute(
                select(content_versions.c.body).where(
                    content_versions.c.kind == kind, content_versions.c.version == version
                )
            ).scalar_one_or_none()
        if body is None:
            return None
        found: dict[str, Any] = json.loads(body)
        return found

    def history(self, kind: str) -> list[dict[str, Any]]:
        """Every version of ``kind``, newest first (no bodies)."""
        c = content_versions.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.seq, c.version, c.etag, c.published_at, c.published_by)
                .where(c.kind == kind)
                .order_by(c.seq.desc())
            ).all()
        return [dict(r._mapping) for r in rows]

    def on_publish(self, hook: Callable[[str], None]) -> None:
        """Call ``hook(kind)`` after each publication in this process."""
        self._hooks.append(hook)


def main(argv: list[str]) -> int:
    """``write-samples``: regenerate hall/content/workbooks/<kind>.xlsx from the shipped files."""
    import sys

    if argv != ["write-samples"]:
        print("usage: python -m hall.content_kinds write-samples", file=sys.stderr)
        return 2
    WORKBOOKS.mkdir(parents=True, exist_ok=True)
    for kind in KINDS.values():
        kind.sample_workbook.write_bytes(workbook_bytes(kind, kind.shipped()))
        print(f"wrote {kind.sample_workbook}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
