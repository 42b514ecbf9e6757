"""The service catalog: categories, service items, their forms and "一件事" bundle parts, as data.

The catalog is a versioned JSON document the hall publishes and the kiosk caches, so a station
works offline; a sample ships in ``content/catalog.json``. :func:`load_catalog` (a file) and
:func:`parse_catalog` (an already-decoded document, e.g. from the hall) check it strictly,
first its shape with pydantic and then its cross-references, and turn it into frozen
dataclasses the rest of the core uses. A bad document raises :class:`CatalogError` listing every
problem found, each naming the service and field, so whoever edits the content can fix them all
in one go. Document shape::

    {"version": "2025.06.1",
     "categories": [{"id", "name_zh", "name_en", "icon"}],
     "services": [{"id", "name_zh", "name_en", "department_zh", "department_en", "category",
                   "requires_identity", "summary_zh", "summary_en", "time_limit_days",
                   "parts": [{"id", "department_zh", "department_en", "name_zh", "name_en"}],
                   "form": {"fields": [{"name", "kind", "label_zh", "label_en", "required"?,
                                        "max_length"?, "choices"?: [{"value", "label_zh",
                                        "label_en"}], "help_zh"?, "help_en"?, "prefill"?}]}}]}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kiosk.services.forms import (
    FIELD_KINDS,
    PREFILL_KEYS,
    Choice,
    FieldKind,
    FieldSpec,
    FormSchema,
    PrefillKey,
)

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "Catalog",
    "CatalogError",
    "Category",
    "ServiceItem",
    "ServicePart",
    "load_catalog",
    "parse_catalog",
]

DEFAULT_CATALOG_PATH: Final[Path] = Path(__file__).with_name("content") / "catalog.json"

# Longest promised handling time the content may state; more is surely a typo.
_MAX_TIME_LIMIT_DAYS: Final = 365


class CatalogError(Exception):
    """The catalog document cannot be used; ``reasons`` says why, one problem per entry."""

    def __init__(self, source: str, reasons: Iterable[str]) -> None:
        self.source = source
        self.reasons: tuple[str, ...] = tuple(reasons)
        lines = "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(f"{source}: the service catalog is not usable:\n{lines}")


# --- the loaded, immutable catalog -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    icon: str


@dataclass(frozen=True, slots=True)
class ServicePart:
    """One department's share of a filing; each part is tracked on its own at the hall."""

    id: str
    department_zh: str
    department_en: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ServiceItem:
    """A service a walk-in can file. A "一件事" bundle has several parts; a single service one."""

    id: str
    name_zh: str
    name_en: str
    department_zh: str
    department_en: str
    category: str
    requires_identity: bool
    summary_zh: str
    summary_en: str
    time_limit_days: int
    form: FormSchema
    parts: tuple[ServicePart, ...]

    @property
    def is_bundle(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True, slots=True)
class Catalog:
    version: str
    categories: tuple[Category, ...]
    services: tuple[ServiceItem, ...]
    _services: Mapping[str, ServiceItem] = field(init=False, repr=False, compare=False)
    _categories: Mapping[str, Category] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_services", {s.id: s for s in self.services})
        object.__setattr__(self, "_categories", {c.id: c for c in self.categories})

    def service(self, service_id: str) -> ServiceItem:
        """The service with this id; ``KeyError`` if the catalog has none."""
        return self._services[service_id]

    def category(self, category_id: str) -> Category:
        """The category with this id; ``KeyError`` if the catalog has none."""
        return self._categories[category_id]

    def services_in(self, category_id: str) -> tuple[ServiceItem, ...]:
        """Services of one category, in document order (empty for an unknown category)."""
        return tuple(s for s in self.services if s.category == category_id)


# --- the JSON document, checked strictly -------------------------------------------------------

# Ids end up in URLs, log lines and the hall's database: keep them boring.
_ID_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
_Id = Annotated[str, StringConstraints(pattern=_ID_PATTERN)]
# Shown to people, so blank text is a content mistake.
_TEXT_PATTERN: Final = r"\S"
_Text = Annotated[str, StringConstraints(pattern=_TEXT_PATTERN)]
_ICON_PATTERN: Final = r"^[a-z][a-z0-9_-]{0,31}$"

# pydantic's "String should match pattern ..." rewritten in words a content editor can act on.
_PATTERN_HINTS: Final[dict[str, str]] = {
    _ID_PATTERN: "must be 1-64 lower-case ASCII letters, digits or '_', starting with a letter",
    _TEXT_PATTERN: "must not be blank",
    _ICON_PATTERN: "must be a short lower-case ASCII icon name such as 'bolt'",
}


class _Doc(BaseModel):
    # strict: "true" is not a bool and "3" is not an int; extra: a misspelt key is an error,
    # not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _ChoiceDoc(_Doc):
    value: _Id
    label_zh: _Text
    label_en: _Text


class _FieldDoc(_Doc):
    name: _Id
    # kind and prefill are plain strings here and checked in _cross_check, which can say
    # which values are accepted in the catalog's own words.
    kind: str
    label_zh: _Text
    label_en: _Text
    required: bool = True
    max_length: Annotated[int, Field(ge=1, le=10_000)] | None = None
    choices: list[_ChoiceDoc] = []
    help_zh: str = ""
    help_en: str = ""
    prefill: str = ""


class _FormDoc(_Doc):
    fields: list[_FieldDoc]


class _PartDoc(_Doc):
    id: _Id
    department_zh: _Text
    department_en: _Text
    name_zh: _Text
    name_en: _Text


class _ServiceDoc(_Doc):
    id: _Id
    name_zh: _Text
    name_en: _Text
    department_zh: _Text
    department_en: _Text
    category: str
    requires_identity: bool
    summary_zh: _Text
    summary_en: _Text
    time_limit_days: Annotated[int, Field(ge=0, le=_MAX_TIME_LIMIT_DAYS)]
    form: _FormDoc
    parts: list[_PartDoc]


class _CategoryDoc(_Doc):
    id: _Id
    name_zh: _Text
    name_en: _Text
    icon: Annotated[str, StringConstraints(pattern=_ICON_PATTERN)]


class _CatalogDoc(_Doc):
    version: _Text
    categories: list[_CategoryDoc]
    services: list[_ServiceDoc]


# --- loading -----------------------------------------------------------------------------------


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and check a catalog file (the shipped sample when ``path`` is None)."""
    path = DEFAULT_CATALOG_PATH if path is None else path
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(source, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise CatalogError(source, ["the file is not UTF-8 text"]) from exc
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise CatalogError(source, [reason]) from exc
    return parse_catalog(data, source=source)


def parse_catalog(data: object, *, source: str = "catalog") -> Catalog:
    """Check a decoded catalog document (e.g. the hall's published JSON) and build the catalog."""
    try:
        doc = _CatalogDoc.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(source, _shape_reasons(exc, data)) from exc
    reasons = _cross_check(doc)
    if reasons:
        raise CatalogError(source, reasons)
    return _build(doc)


def _shape_reasons(exc: ValidationError, data: object) -> list[str]:
    reasons = []
    for err in exc.errors(include_url=False):
        where = _where(err["loc"], data)
        msg = err["msg"]
        if err["type"] == "string_pattern_mismatch":
            msg = _PATTERN_HINTS.get(str(err.get("ctx", {}).get("pattern")), msg)
        reasons.append(f"{where}: {msg}" if where else msg)
    return reasons


def _where(loc: tuple[int | str, ...], data: object) -> str:
    """Render a pydantic location, naming the service by id when the document has one."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    text = "".join(parts)
    if len(loc) >= 2 and loc[0] == "services" and isinstance(loc[1], int):
        service_id = _service_id_at(data, loc[1])
        if service_id:
            rest = text.split("]", 1)[1].lstrip(".")
            return f"service {service_id!r}" + (f": {rest}" if rest else "")
    return text


def _service_id_at(data: object, index: int) -> str | None:
    services: Any = data.get("services") if isinstance(data, dict) else None
    if isinstance(services, list) and 0 <= index < len(services):
        entry = services[index]
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            return str(entry["id"])
    return None


def _duplicates(values: Iterable[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def _cross_check(doc: _CatalogDoc) -> list[str]:
    reasons: list[str] = []
    if not doc.categories:
        reasons.append("categories: the catalog has no categories")
    for dup in _duplicates(c.id for c in doc.categories):
        reasons.append(f"categories: duplicate category id {dup!r}")
    for dup in _duplicates(s.id for s in doc.services):
        reasons.append(f"services: duplicate service id {dup!r}")

    category_ids = [c.id for c in doc.categories]
    for svc in doc.services:
        at = f"service {svc.id!r}"
        if svc.category not in category_ids:
            reasons.append(
                f"{at}: unknown category {svc.category!r}; use one of: {', '.join(category_ids)}"
            )
        if not svc.parts:
            reasons.append(f"{at}: parts is empty; a single service still has one part")
        for dup in _duplicates(p.id for p in svc.parts):
            reasons.append(f"{at}: duplicate part id {dup!r}")
        if not svc.form.fields:
            reasons.append(f"{at}: the form is empty; a service needs at least one field")
        for dup in _duplicates(f.name for f in svc.form.fields):
            reasons.append(f"{at}: duplicate field name {dup!r}")
        for fld in svc.form.fields:
            reasons.extend(f"{at}: field {fld.name!r}: {r}" for r in _field_problems(fld, svc))
    return reasons


def _field_problems(fld: _FieldDoc, svc: _ServiceDoc) -> list[str]:
    problems: list[str] = []
    if fld.kind not in FIELD_KINDS:
        problems.append(f"unknown field kind {fld.kind!r}; use one of: {', '.join(FIELD_KINDS)}")
    if fld.kind == "choice" and not fld.choices:
        problems.append("a choice field needs at least one choice")
    if fld.kind != "choice" and fld.choices:
        problems.append(f"choices are given but the kind is {fld.kind!r}, not 'choice'")
    for dup in _duplicates(c.value for c in fld.choices):
        problems.append(f"duplicate choice value {dup!r}")
    if fld.prefill not in PREFILL_KEYS:
        known = ", ".join(k for k in PREFILL_KEYS if k)
        problems.append(f"unknown prefill key {fld.prefill!r}; use one of: {known}")
    elif fld.prefill and not svc.requires_identity:
        # Without a card read there is nothing to prefill from.
        problems.append(f"prefill {fld.prefill!r} needs requires_identity true on the service")
    # The card yields a name and an ID number; each belongs in a field that can hold it.
    wanted_kind = {"identity.name": "text", "identity.id_number": "id_number"}.get(fld.prefill)
    if wanted_kind and fld.kind in FIELD_KINDS and fld.kind != wanted_kind:
        problems.append(f"prefill {fld.prefill!r} belongs on a {wanted_kind!r} field")
    return problems


def _build(doc: _CatalogDoc) -> Catalog:
    return Catalog(
        version=doc.version,
        categories=tuple(
            Category(id=c.id, name_zh=c.name_zh, name_en=c.name_en, icon=c.icon)
            for c in doc.categories
        ),
        services=tuple(_build_service(s) for s in doc.services),
    )


def _build_service(svc: _ServiceDoc) -> ServiceItem:
    fields = tuple(
        FieldSpec(
            name=f.name,
            kind=cast(FieldKind, f.kind),  # checked against FIELD_KINDS in _cross_check
            label_zh=f.label_zh,
            label_en=f.label_en,
            required=f.required,
            max_length=f.max_length,
            choices=tuple(Choice(c.value, c.label_zh, c.label_en) for c in f.choices),
            help_zh=f.help_zh,
            help_en=f.help_en,
            prefill=cast(PrefillKey, f.prefill),  # checked against PREFILL_KEYS too
        )
        for f in svc.form.fields
    )
    return ServiceItem(
        id=svc.id,
        name_zh=svc.name_zh,
        name_en=svc.name_en,
        department_zh=svc.department_zh,
        department_en=svc.department_en,
        category=svc.category,
        requires_identity=svc.requires_identity,
        summary_zh=svc.summary_zh,
        summary_en=svc.summary_en,
        time_limit_days=svc.time_limit_days,
        form=FormSchema(fields),
        parts=tuple(
            ServicePart(
                id=p.id,
                department_zh=p.department_zh,
                department_en=p.department_en,
                name_zh=p.name_zh,
                name_en=p.name_en,
            )
            for p in svc.parts
        ),
    )
