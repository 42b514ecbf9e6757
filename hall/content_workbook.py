"""The service catalog as a workbook: what hall staff edit in a spreadsheet instead of JSON.

One sheet per kind of row (see :data:`SHEETS` and ``docs/content.md``): 目录 (the version it was
downloaded as), 部门 departments, 需求路由 demand routes, 分类 categories, 事项 services, 材料
materials, 表单字段 form fields, 办理部分 bundle parts and 步骤 steps. Row 1 holds the headers,
each "中文 key" (the English key, after the last space, is what is read); a service's
materials, fields, parts and steps are the rows naming it, in sheet order. Yes/no cells take
是/否 (or TRUE/FALSE); a choice field's choices are one per line, ``value | 中文 | English``; a
part's fields are names separated by commas (blank: every field of the form).

:func:`read_workbook` (openpyxl, read-only) builds the catalog JSON document and then runs
:func:`contracts.catalog.parse_catalog`, the check the kiosks run. Every problem is a
:class:`CellError` (sheet, row, column, reason in Chinese); the reader's own checks name the cell
(unknown department or field type, duplicate id, a row of a service that does not exist …), and
what only the catalog check finds is mapped back to the service's or the field's row. Nothing is
published while any error remains (:mod:`hall.content_routes`). :func:`write_workbook` writes a
document the same way (the console's download, ``hall/content/workbooks/services.xlsx``), so a
download uploaded unchanged reads back to the same document (:func:`canonical`) and
:func:`diff` finds no changes.

``python -m hall.content_workbook write-sample`` regenerates the example workbook from the
shipped sample catalog (a test keeps the two equal).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

import openpyxl  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from contracts.catalog import CatalogError, parse_catalog
from contracts.catalog_checks import ICON_PATTERN, ID_PATTERN
from contracts.forms import FIELD_KINDS, PREFILL_KEYS

__all__ = [
    "SHEETS",
    "CellError",
    "Column",
    "Sheet",
    "WorkbookRefused",
    "canonical",
    "diff",
    "read_sheets",
    "read_workbook",
    "write_sheets",
    "write_workbook",
]

SAMPLE_WORKBOOK: Final = Path(__file__).with_name("content") / "workbooks" / "services.xlsx"

# At most this many rows per sheet: a district has a few hundred services, each with a dozen rows.
MAX_ROWS: Final = 50_000
# Listing more than this many problems helps nobody; the total is still given.
MAX_LISTED: Final = 500

ColumnKind = Literal[
    "id", "ref", "text", "opt_text", "bool", "opt_bool", "int", "opt_int", "list", "date"
]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    kind: ColumnKind

    @property
    def header(self) -> str:
        return f"{self.zh} {self.key}"


@dataclass(frozen=True, slots=True)
class Sheet:
    key: str
    zh: str
    columns: tuple[Column, ...]

    @property
    def title(self) -> str:
        return f"{self.zh} {self.key}"


def _c(key: str, zh: str, kind: ColumnKind) -> Column:
    return Column(key, zh, kind)


SHEETS: Final = (
    Sheet("catalog", "目录", (_c("version", "版本", "text"),)),
    Sheet(
        "departments",
        "部门",
        (
            _c("id", "编号", "id"),
            _c("name_zh", "中文名称", "text"),
            _c("name_en", "英文名称", "text"),
        ),
    ),
    Sheet(
        "demand_routes",
        "需求路由",
        (_c("category", "诉求类别", "id"), _c("department", "承办部门", "ref")),
    ),
    Sheet(
        "categories",
        "分类",
        (
            _c("id", "编号", "id"),
            _c("name_zh", "中文名称", "text"),
            _c("name_en", "英文名称", "text"),
            _c("icon", "图标", "text"),
        ),
    ),
    Sheet(
        "services",
        "事项",
        (
            _c("id", "编号", "id"),
            _c("name_zh", "中文名称", "text"),
            _c("name_en", "英文名称", "text"),
            _c("department", "主办部门", "ref"),
            _c("category", "分类", "ref"),
            _c("requires_identity", "需读身份证", "bool"),
            _c("time_limit_days", "承诺时限(工作日)", "int"),
            _c("result_document", "出具证照", "opt_bool"),
            _c("summary_zh", "中文简介", "text"),
            _c("summary_en", "英文简介", "text"),
            _c("eligibility_zh", "中文办理条件", "text"),
            _c("eligibility_en", "英文办理条件", "text"),
            _c("fees_zh", "中文收费", "text"),
            _c("fees_en", "英文收费", "text"),
        ),
    ),
    Sheet(
        "materials",
        "材料",
        (
            _c("service", "事项", "ref"),
            _c("id", "编号", "id"),
            _c("name_zh", "中文名称", "text"),
            _c("name_en", "英文名称", "text"),
            _c("capture", "拍照采集", "bool"),
            _c("required", "必交", "opt_bool"),
        ),
    ),
    Sheet(
        "fields",
        "表单字段",
        (
            _c("service", "事项", "ref"),
            _c("name", "字段名", "id"),
            _c("kind", "类型", "ref"),
            _c("label_zh", "中文标签", "text"),
            _c("label_en", "英文标签", "text"),
            _c("required", "必填", "opt_bool"),
            _c("max_length", "最大长度", "opt_int"),
            _c("choices", "选项", "opt_text"),
            _c("prefill", "读卡预填", "opt_text"),
            _c("help_zh", "中文提示", "opt_text"),
            _c("help_en", "英文提示", "opt_text"),
        ),
    ),
    Sheet(
        "parts",
        "办理部分",
        (
            _c("service", "事项", "ref"),
            _c("id", "编号", "id"),
            _c("department", "承办部门", "ref"),
            _c("name_zh", "中文名称", "text"),
            _c("name_en", "英文名称", "text"),
            _c("fields", "接收字段", "list"),
        ),
    ),
    Sheet(
        "steps",
        "步骤",
        (
            _c("service", "事项", "ref"),
            _c("part", "办理部分", "ref"),
            _c("id", "编号", "id"),
            _c("party_zh", "中文办理方", "text"),
            _c("party_en", "英文办理方", "text"),
            _c("name_zh", "中文名称", "text"),
            _c("name_en", "英文名称", "text"),
        ),
    ),
)
_SHEET: Final = {s.key: s for s in SHEETS}


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem: where (sheet title, 1-based row, column letter and header) and why."""

    sheet: str
    row: int | None
    column: str
    header: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "reason": self.reason,
        }


class WorkbookRefused(Exception):
    """The workbook cannot be published; ``errors`` lists every problem (at most
    :data:`MAX_LISTED`), ``total`` how many there were."""

    def __init__(self, errors: list[CellError]) -> None:
        self.total = len(errors)
        self.errors = errors[:MAX_LISTED]
        super().__init__(f"{self.total} problems in the workbook")

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "errors": [e.to_json() for e in self.errors]}


# --- reading ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """One data row: its number and its values by key, plus where each column is."""

    number: int
    values: dict[str, Any]


@dataclass(slots=True)
class _Reader:
    errors: list[CellError] = field(default_factory=list)
    # sheet key -> column key -> letter (for errors on a column found by its header)
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    # the workbook's sheets by key (the catalog's unless another kind's, hall.content_kinds)
    specs: dict[str, Sheet] = field(default_factory=lambda: dict(_SHEET))

    def error(self, sheet: str, row: int | None, key: str, reason: str) -> None:
        spec = self.specs[sheet]
        col = next((c for c in spec.columns if c.key == key), None)
        self.errors.append(
            CellError(
                sheet=spec.title,
                row=row,
                column=self.letters.get(sheet, {}).get(key, ""),
                header=col.header if col else "",
                reason=reason,
            )
        )


_ID_RE: Final = re.compile(ID_PATTERN)
_ICON_RE: Final = re.compile(ICON_PATTERN)
_YES: Final = {"是", "yes", "y", "true", "1", "√"}
_NO: Final = {"否", "no", "n", "false", "0", "×"}


def _header_key(cell: object) -> str:
    text = "" if cell is None else str(cell).strip()
    return text.split()[-1] if text else ""


def _rows(book: Any, spec: Sheet, reader: _Reader) -> list[_Row]:
    """The data rows of one sheet (blank rows skipped), each cell converted to its kind."""
    titles = {ws.title.strip(): ws for ws in book.worksheets}
    ws = titles.get(spec.title) or next(
        (w for t, w in titles.items() if t.split()[-1:] == [spec.key]), None
    )
    if ws is None:
        reader.errors.append(CellError(spec.title, None, "", "", "缺少此工作表"))
        return []
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        if not key:
            continue
        if key not in {c.key for c in spec.columns}:
            reader.errors.append(
                CellError(
                    spec.title, 1, get_column_letter(index + 1), str(cell), "无法识别的列标题"
                )
            )
        elif key in where:
            reader.errors.append(
                CellError(spec.title, 1, get_column_letter(index + 1), str(cell), "列标题重复")
            )
        else:
            where[key] = index
    reader.letters[spec.key] = {k: get_column_letter(i + 1) for k, i in where.items()}
    for col in spec.columns:
        if col.key not in where:
            reader.errors.append(CellError(spec.title, 1, "", col.header, f"缺少列“{col.header}”"))
    out: list[_Row] = []
    for number, raw in enumerate(rows, start=2):
        if number > MAX_ROWS:
            reader.error(spec.key, number, "", f"行数超过 {MAX_ROWS}，文件可能有误")
            break
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue
        values: dict[str, Any] = {}
        for col in spec.columns:
            at = where.get(col.key)
            cell = raw[at] if at is not None and at < len(raw) else None
            values[col.key] = _convert(cell, col, spec.key, number, reader)
        out.append(_Row(number, values))
    return out


def _convert(cell: object, col: Column, sheet: str, row: int, reader: _Reader) -> Any:
    text = "" if cell is None else (str(cell) if not isinstance(cell, str) else cell.strip())
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    kind = col.kind
    if kind == "date":
        if isinstance(cell, dt.datetime | dt.date):
            day = cell.date() if isinstance(cell, dt.datetime) else cell
            return day.isoformat()
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            shown = f"，不能是“{text[:20]}”" if text else ""
            reader.error(sheet, row, col.key, f"应为日期，如 2026-10-01{shown}")
            return None
    if kind in ("bool", "opt_bool"):
        if isinstance(cell, bool):
            return cell
        if not text:
            if kind == "bool":
                reader.error(sheet, row, col.key, "不能为空，请填写“是”或“否”")
            return None
        low = text.lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
        reader.error(sheet, row, col.key, f"应填写“是”或“否”，不能是“{text[:20]}”")
        return None
    if kind in ("int", "opt_int"):
        if not text:
            if kind == "int":
                reader.error(sheet, row, col.key, "不能为空，请填写整数")
            return None
        if isinstance(cell, bool) or not re.fullmatch(r"\d{1,6}", text):
            reader.error(sheet, row, col.key, f"应为非负整数，不能是“{text[:20]}”")
            return None
        return int(text)
    if kind == "list":
        return [p.strip() for p in re.split(r"[,，、;；\s]+", text) if p.strip()] if text else None
    if kind == "id":
        if not text:
            reader.error(sheet, row, col.key, "编号不能为空")
        elif not _ID_RE.match(text):
            reader.error(
                sheet,
                row,
                col.key,
                f"编号“{text[:40]}”只能用小写英文字母、数字和下划线，以字母开头",
            )
        return text
    if kind in ("text", "ref") and not text:
        reader.error(sheet, row, col.key, "不能为空")
    return text


def _duplicates(rows: Iterable[tuple[str, _Row]]) -> Iterator[tuple[str, _Row]]:
    """Every row whose key an earlier row already has."""
    seen: set[str] = set()
    for key, row in rows:
        if key and key in seen:
            yield key, row
        seen.add(key)


def _choices(text: str, row: _Row, reader: _Reader) -> list[dict[str, str]]:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not all(parts) or not _ID_RE.match(parts[0]):
            reader.error(
                "fields",
                row.number,
                "choices",
                f"选项第 {n} 行应为“值 | 中文 | English”，值用小写英文字母、数字和下划线",
            )
            continue
        out.append({"value": parts[0], "label_zh": parts[1], "label_en": parts[2]})
    return out


def read_sheets(
    source: IO[bytes] | Path | bytes, sheets: Iterable[Sheet]
) -> tuple[dict[str, list[_Row]], _Reader]:
    """Every sheet's data rows, converted by column kind, and the reader holding the problems
    found so far (for another content kind's workbook, :mod:`hall.content_kinds`). Raises
    :class:`WorkbookRefused` when the file is not a workbook at all."""
    specs = {spec.key: spec for spec in sheets}
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise WorkbookRefused(
            [CellError("", None, "", "", "文件不是可读取的 Excel 工作簿（.xlsx）")]
        ) from None
    reader = _Reader(specs=specs)
    try:
        rows = {key: _rows(book, spec, reader) for key, spec in specs.items()}
    finally:
        book.close()
    return rows, reader


def read_workbook(source: IO[bytes] | Path | bytes) -> dict[str, Any]:
    """The catalog document in the workbook, checked as the kiosks check it.

    Raises :class:`WorkbookRefused` with every problem found.
    """
    rows, reader = read_sheets(source, SHEETS)
    doc = _assemble(rows, reader)
    if not reader.errors:
        try:
            parse_catalog(doc, source="workbook")
        except CatalogError as exc:
            reader.errors.extend(_map_reasons(exc.reasons, rows))
    if reader.errors:
        raise WorkbookRefused(reader.errors)
    return doc


def _assemble(rows: dict[str, list[_Row]], reader: _Reader) -> dict[str, Any]:
    version = next((r.values["version"] for r in rows["catalog"] if r.values["version"]), "")
    if not rows["catalog"] and reader.letters.get("catalog") is not None:
        reader.error(
            "catalog", 2, "version", "请填写版本（下载时的版本号即可，发布时大厅另起新版本号）"
        )

    departments = []
    for _, row in _duplicates((r.values["id"], r) for r in rows["departments"]):
        reader.error("departments", row.number, "id", f"部门编号“{row.values['id']}”重复")
    for r in rows["departments"]:
        departments.append({k: r.values[k] for k in ("id", "name_zh", "name_en")})
    department_ids = {d["id"] for d in departments}

    def known_department(sheet: str, row: _Row, key: str) -> None:
        value = row.values[key]
        if value and value not in department_ids:
            reader.error(sheet, row.number, key, f"部门“{value}”不存在（请先在“部门”表中添加）")

    routes: dict[str, str] = {}
    for _, row in _duplicates((r.values["category"], r) for r in rows["demand_routes"]):
        reader.error("demand_routes", row.number, "category", "同一诉求类别只能有一个承办部门")
    for r in rows["demand_routes"]:
        known_department("demand_routes", r, "department")
        routes.setdefault(r.values["category"], r.values["department"])

    categories = []
    for _, row in _duplicates((r.values["id"], r) for r in rows["categories"]):
        reader.error("categories", row.number, "id", f"分类编号“{row.values['id']}”重复")
    for r in rows["categories"]:
        if r.values["icon"] and not _ICON_RE.match(r.values["icon"]):
            reader.error("categories", r.number, "icon", "图标名只能用小写英文字母、数字、-和_")
        categories.append({k: r.values[k] for k in ("id", "name_zh", "name_en", "icon")})
    category_ids = {c["id"] for c in categories}

    services: dict[str, dict[str, Any]] = {}
    for _, row in _duplicates((r.values["id"], r) for r in rows["services"]):
        reader.error("services", row.number, "id", f"事项编号“{row.values['id']}”重复")
    for r in rows["services"]:
        v = r.values
        known_department("services", r, "department")
        if v["category"] and v["category"] not in category_ids:
            reader.error("services", r.number, "category", f"分类“{v['category']}”不存在")
        svc: dict[str, Any] = {
            k: v[k]
            for k in (
                "id",
                "name_zh",
                "name_en",
                "department",
                "category",
                "requires_identity",
                "summary_zh",
                "summary_en",
                "eligibility_zh",
                "eligibility_en",
                "fees_zh",
                "fees_en",
                "time_limit_days",
            )
        }
        if v["result_document"]:
            svc["result_document"] = True
        svc.update(materials=[], form={"fields": []}, parts=[])
        services.setdefault(v["id"], svc)

    orphans: set[str] = set()  # sheets with a row of a service that does not exist

    def owner(sheet: str, row: _Row) -> dict[str, Any] | None:
        found = services.get(row.values["service"])
        if found is None and row.values["service"]:
            orphans.add(sheet)
            reader.error(
                sheet,
                row.number,
                "service",
                f"事项“{row.values['service']}”不存在（“事项”表中没有）",
            )
        return found

    for _, row in _duplicates(
        (f"{r.values['service']}/{r.values['id']}", r) for r in rows["materials"]
    ):
        reader.error("materials", row.number, "id", f"同一事项下材料编号“{row.values['id']}”重复")
    for r in rows["materials"]:
        svc_doc = owner("materials", r)
        material = {k: r.values[k] for k in ("id", "name_zh", "name_en", "capture")}
        if r.values["required"] is False:
            material["required"] = False
        if svc_doc is not None:
            svc_doc["materials"].append(material)

    for _, row in _duplicates(
        (f"{r.values['service']}/{r.values['name']}", r) for r in rows["fields"]
    ):
        reader.error("fields", row.number, "name", f"同一事项下字段名“{row.values['name']}”重复")
    for r in rows["fields"]:
        v = r.values
        svc_doc = owner("fields", r)
        if v["kind"] and v["kind"] not in FIELD_KINDS:
            reader.error(
                "fields",
                r.number,
                "kind",
                f"未知的字段类型“{v['kind']}”，可用：{'、'.join(FIELD_KINDS)}",
            )
        if v["prefill"] and v["prefill"] not in PREFILL_KEYS:
            known = "、".join(k for k in PREFILL_KEYS if k)
            reader.error(
                "fields", r.number, "prefill", f"未知的读卡预填“{v['prefill']}”，可用：{known}"
            )
        fld: dict[str, Any] = {k: v[k] for k in ("name", "kind", "label_zh", "label_en")}
        if v["required"] is False:
            fld["required"] = False
        if v["max_length"] is not None:
            if not 1 <= v["max_length"] <= 10_000:
                reader.error("fields", r.number, "max_length", "最大长度应在 1 到 10000 之间")
            fld["max_length"] = v["max_length"]
        if v["choices"]:
            fld["choices"] = _choices(v["choices"], r, reader)
        for key in ("help_zh", "help_en", "prefill"):
            if v[key]:
                fld[key] = v[key]
        if svc_doc is not None:
            svc_doc["form"]["fields"].append(fld)

    parts: dict[tuple[str, str], dict[str, Any]] = {}
    for _, row in _duplicates(
        (f"{r.values['service']}/{r.values['id']}", r) for r in rows["parts"]
    ):
        reader.error("parts", row.number, "id", f"同一事项下办理部分编号“{row.values['id']}”重复")
    for r in rows["parts"]:
        v = r.values
        svc_doc = owner("parts", r)
        known_department("parts", r, "department")
        part: dict[str, Any] = {k: v[k] for k in ("id", "department", "name_zh", "name_en")}
        if v["fields"] is not None:
            part["fields"] = v["fields"]
            if svc_doc is not None:
                names = {f["name"] for f in svc_doc["form"]["fields"]}
                for name in v["fields"]:
                    if name not in names:
                        reader.error("parts", r.number, "fields", f"字段“{name}”不在该事项的表单上")
        part["steps"] = []
        if svc_doc is not None:
            svc_doc["parts"].append(part)
            parts.setdefault((v["service"], v["id"]), part)

    for _, row in _duplicates(
        (f"{r.values['service']}/{r.values['part']}/{r.values['id']}", r) for r in rows["steps"]
    ):
        reader.error("steps", row.number, "id", f"同一办理部分下步骤编号“{row.values['id']}”重复")
    for r in rows["steps"]:
        v = r.values
        if owner("steps", r) is None:
            continue
        target = parts.get((v["service"], v["part"]))
        if target is None:
            reader.error(
                "steps",
                r.number,
                "part",
                f"办理部分“{v['part']}”不存在（该事项在“办理部分”表中没有）",
            )
            continue
        target["steps"].append(
            {k: v[k] for k in ("id", "party_zh", "party_en", "name_zh", "name_en")}
        )

    for sid, svc_doc in services.items():
        number = _row_of(rows["services"], id=sid)
        # A service without rows in a sheet that has rows of a mistyped service: the mistyped
        # id is the mistake, already listed; saying so twice only hides it.
        if not svc_doc["parts"] and "parts" not in orphans:
            reader.error(
                "services",
                number,
                "id",
                "该事项在“办理部分”表中没有任何行（单一事项也要有一个部分）",
            )
        if not svc_doc["form"]["fields"] and "fields" not in orphans:
            reader.error("services", number, "id", "该事项在“表单字段”表中没有任何字段")

    return canonical(
        {
            "version": version,
            "departments": departments,
            "demand_routes": routes,
            "categories": categories,
            "services": list(services.values()),
        }
    )


_SERVICE_RE: Final = re.compile(r"^service '([^']+)'(?:: (.*))?$")
_FIELD_RE: Final = re.compile(r"field '([^']+)'")
_PART_RE: Final = re.compile(r"part '([^']+)'")


def _map_reasons(reasons: Iterable[str], rows: dict[str, list[_Row]]) -> list[CellError]:
    """The catalog check's reasons placed on the row they are about (the service's, its field's
    or its part's), worded "目录检查" + the check's own words."""
    out = []
    for reason in reasons:
        sheet, row_no = "catalog", None
        match = _SERVICE_RE.match(reason)
        if match:
            service_id, rest = match.group(1), match.group(2) or ""
            sheet, row_no = "services", _row_of(rows["services"], id=service_id)
            if (fm := _FIELD_RE.match(rest)) is not None:
                sheet = "fields"
                row_no = _row_of(rows["fields"], service=service_id, name=fm.group(1))
            elif (pm := _PART_RE.match(rest)) is not None:
                sheet = "parts"
                row_no = _row_of(rows["parts"], service=service_id, id=pm.group(1))
        spec = _SHEET[sheet]
        out.append(CellError(spec.title, row_no, "", "", f"目录检查未通过：{reason}"))
    return out


def _row_of(rows: list[_Row], **wanted: str) -> int | None:
    return next(
        (r.number for r in rows if all(r.values.get(k) == v for k, v in wanted.items())), None
    )


# --- the document's canonical form and differences ----------------------------------------------


def canonical(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with defaults left out (required true, no help, no steps …), so two
    documents that mean the same catalog compare equal whatever their source spelt out."""
    out = copy.deepcopy(doc)
    if not out.get("demand_routes"):
        out.pop("demand_routes", None)
    for svc in out.get("services", []):
        if not svc.get("result_document"):
            svc.pop("result_document", None)
        if not svc.get("materials"):
            svc.pop("materials", None)
        for m in svc.get("materials", []):
            if m.get("required", True) is True:
                m.pop("required", None)
        for f in svc.get("form", {}).get("fields", []):
            if f.get("required", True) is True:
                f.pop("required", None)
            for key in ("help_zh", "help_en", "prefill"):
                if not f.get(key):
                    f.pop(key, None)
            if f.get("max_length") is None:
                f.pop("max_length", None)
            if not f.get("choices"):
                f.pop("choices", None)
        for p in svc.get("parts", []):
            if not p.get("steps"):
                p.pop("steps", None)
            if p.get("fields", ...) is None:
                p.pop("fields", None)
    return out


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """What publishing ``new`` over ``old`` changes: services added, removed and changed (with
    the keys that changed), and whether departments, demand routes or categories changed. The
    version alone is not a change."""
    a = canonical(old or {"services": []})
    b = canonical(new)
    before = {s["id"]: s for s in a.get("services", [])}
    after = {s["id"]: s for s in b.get("services", [])}
    changed = []
    for sid, svc in after.items():
        was = before.get(sid)
        if was is not None and was != svc:
            keys = sorted(k for k in set(was) | set(svc) if was.get(k) != svc.get(k))
            changed.append({"id": sid, "name_zh": svc["name_zh"], "fields": keys})
    lists = {
        key: a.get(key) != b.get(key) for key in ("departments", "demand_routes", "categories")
    }
    ordered = [s["id"] for s in a.get("services", [])] != [s["id"] for s in b.get("services", [])]
    out = {
        "added": [{"id": k, "name_zh": v["name_zh"]} for k, v in after.items() if k not in before],
        "removed": [
            {"id": k, "name_zh": v["name_zh"]} for k, v in before.items() if k not in after
        ],
        "changed": changed,
        "departments_changed": lists["departments"],
        "demand_routes_changed": lists["demand_routes"],
        "categories_changed": lists["categories"],
        "order_changed": ordered,
    }
    out["no_changes"] = not (
        out["added"] or out["removed"] or changed or any(lists.values()) or ordered
    )
    return out


# --- writing -----------------------------------------------------------------------------------

_HEAD_FONT: Final = Font(bold=True)
_HEAD_FILL: Final = PatternFill("solid", fgColor="DDEBF7")


def _cell(value: Any, kind: ColumnKind) -> Any:
    if kind in ("bool", "opt_bool"):
        return None if value is None else ("是" if value else "否")
    if kind == "list":
        return None if value is None else ", ".join(value)
    return value


def _sheet_rows(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    services = doc.get("services", [])
    out: dict[str, list[dict[str, Any]]] = {
        "catalog": [{"version": doc.get("version", "")}],
        "departments": list(doc.get("departments", [])),
        "demand_routes": [
            {"category": k, "department": v} for k, v in doc.get("demand_routes", {}).items()
        ],
        "categories": list(doc.get("categories", [])),
        "services": [{**s, "result_document": s.get("result_document", False)} for s in services],
        "materials": [],
        "fields": [],
        "parts": [],
        "steps": [],
    }
    for s in services:
        for m in s.get("materials", []):
            out["materials"].append({"service": s["id"], **m, "required": m.get("required", True)})
        for f in s["form"]["fields"]:
            choices = "\n".join(
                f"{c['value']} | {c['label_zh']} | {c['label_en']}" for c in f.get("choices", [])
            )
            out["fields"].append(
                {"service": s["id"], **f, "required": f.get("required", True), "choices": choices}
            )
        for p in s["parts"]:
            out["parts"].append({"service": s["id"], **p, "steps": None})
            for st in p.get("steps", []):
                out["steps"].append({"service": s["id"], "part": p["id"], **st})
    return out


def write_workbook(doc: dict[str, Any], dest: IO[bytes] | Path) -> None:
    """Write a catalog document as the workbook :func:`read_workbook` reads."""
    write_sheets(SHEETS, _sheet_rows(doc), dest)


def write_sheets(
    sheets: Iterable[Sheet], rows: dict[str, list[dict[str, Any]]], dest: IO[bytes] | Path
) -> None:
    """Write rows (by sheet key, each a dict by column key) as a workbook :func:`read_sheets`
    reads back: headers "中文 key", yes/no as 是/否, lists comma-separated."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        ws = book.create_sheet(spec.title)
        ws.append([c.header for c in spec.columns])
        for cell in ws[1]:
            cell.font = _HEAD_FONT
            cell.fill = _HEAD_FILL
        for entry in rows.get(spec.key, []):
            ws.append([_cell(entry.get(c.key), c.kind) for c in spec.columns])
        ws.freeze_panes = "A2"
        for index, col in enumerate(spec.columns, start=1):
            wide = col.key.endswith(("_zh", "_en")) and col.kind == "text"
            ws.column_dimensions[get_column_letter(index)].width = 36 if wide else 18
            if col.key in ("choices", "answer"):
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(dest)


def workbook_bytes(doc: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    write_workbook(doc, out)
    return out.getvalue()


def main(argv: list[str]) -> int:
    """``write-sample``: regenerate hall/content/workbooks/services.xlsx from the sample."""
    if argv != ["write-sample"]:
        print("usage: python -m hall.content_workbook write-sample", file=sys.stderr)
        return 2
    from hall.catalog_publish import SAMPLE_CATALOG_PATH

    doc = json.loads(SAMPLE_CATALOG_PATH.read_text(encoding="utf-8"))
    SAMPLE_WORKBOOK.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(doc, SAMPLE_WORKBOOK)
    print(f"wrote {SAMPLE_WORKBOOK}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
