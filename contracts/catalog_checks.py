"""The catalog document's checks beyond its shape: every reason a catalog is refused, worded for
the person who edits the content ("service 'x': unknown department 'y'; use one of: ...").
:func:`contracts.catalog.parse_catalog` runs them before it builds anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from contracts.forms import FIELD_KINDS, PREFILL_KEYS

if TYPE_CHECKING:
    from pydantic import ValidationError

    from contracts.catalog import _CatalogDoc, _FieldDoc, _ServiceDoc

# The catalog document's text patterns (the schema in contracts.catalog uses them).
ID_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
TEXT_PATTERN: Final = r"\S"
ICON_PATTERN: Final = r"^[a-z][a-z0-9_-]{0,31}$"

# The card yields a name and an ID number; each belongs in a field that can hold it.
_PREFILL_FIELD_KINDS: Final[dict[str, str]] = {
    "identity.name": "text",
    "identity.id_number": "id_number",
}

# pydantic's "String should match pattern ..." rewritten in words a content editor can act on.
_PATTERN_HINTS: Final[dict[str, str]] = {
    ID_PATTERN: "must be 1-64 lower-case ASCII letters, digits or '_', starting with a letter",
    TEXT_PATTERN: "must not be blank",
    ICON_PATTERN: "must be a short lower-case ASCII icon name such as 'bolt'",
}


def shape_reasons(exc: ValidationError, data: object) -> list[str]:
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
    items = list(values)
    if len(set(items)) == len(items):  # the usual answer, without a Counter per list
        return []
    return [v for v, n in Counter(items).items() if n > 1]


def cross_check(doc: _CatalogDoc) -> list[str]:
    reasons: list[str] = []
    categories, departments, services = doc["categories"], doc["departments"], doc["services"]
    if not categories:
        reasons.append("categories: the catalog has no categories")
    for dup in _duplicates(c["id"] for c in categories):
        reasons.append(f"categories: duplicate category id {dup!r}")
    for dup in _duplicates(s["id"] for s in services):
        reasons.append(f"services: duplicate service id {dup!r}")

    if not departments:
        reasons.append("departments: the catalog has no departments")
    for dup in _duplicates(d["id"] for d in departments):
        reasons.append(f"departments: duplicate department id {dup!r}")

    # Lists name the accepted ids in a reason in document order; sets answer "is it known".
    category_ids = [c["id"] for c in categories]
    department_ids = [d["id"] for d in departments]
    known_categories, known_departments = set(category_ids), set(department_ids)
    for demand_category, department in doc.get("demand_routes", {}).items():
        if department not in known_departments:
            reasons.append(
                f"demand_routes: demand category {demand_category!r}: unknown department "
                f"{department!r}; use one of: {', '.join(department_ids)}"
            )
    for svc in services:
        at = f"service {svc['id']!r}"
        if svc["category"] not in known_categories:
            reasons.append(
                f"{at}: unknown category {svc['category']!r}; use one of: {', '.join(category_ids)}"
            )
        if svc["department"] not in known_departments:
            reasons.append(
                f"{at}: unknown department {svc['department']!r}; "
                f"use one of: {', '.join(department_ids)}"
            )
        for dup in _duplicates(m["id"] for m in svc.get("materials", ())):
            reasons.append(f"{at}: duplicate material id {dup!r}")
        if not svc["parts"]:
            reasons.append(f"{at}: parts is empty; a single service still has one part")
        for dup in _duplicates(p["id"] for p in svc["parts"]):
            reasons.append(f"{at}: duplicate part id {dup!r}")
        reasons.extend(_part_problems(svc, department_ids, known_departments))
        fields = svc["form"]["fields"]
        if not fields:
            reasons.append(f"{at}: the form is empty; a service needs at least one field")
        for dup in _duplicates(f["name"] for f in fields):
            reasons.append(f"{at}: duplicate field name {dup!r}")
        for fld in fields:
            reasons.extend(f"{at}: field {fld['name']!r}: {r}" for r in _field_problems(fld, svc))
    return reasons


def _part_problems(
    svc: _ServiceDoc, department_ids: list[str], known_departments: set[str]
) -> list[str]:
    """A bundle's parts must name real departments and real fields, and together need them all."""
    at = f"service {svc['id']!r}"
    problems: list[str] = []
    field_names = [f["name"] for f in svc["form"]["fields"]]
    received: set[str] = set()
    for part in svc["parts"]:
        here = f"{at}: part {part['id']!r}"
        if part["department"] not in known_departments:
            problems.append(
                f"{here}: unknown department {part['department']!r}; "
                f"use one of: {', '.join(department_ids)}"
            )
        listed = part.get("fields")
        wanted = field_names if listed is None else listed
        if listed is not None and not listed:
            problems.append(f"{here}: fields is empty; leave it out to send every field")
        for name in wanted:
            if name not in field_names:
                problems.append(f"{here}: field {name!r} is not on the form")
        for dup in _duplicates(wanted):
            problems.append(f"{here}: field {dup!r} is listed twice")
        received.update(wanted)
        for dup in _duplicates(st["id"] for st in part.get("steps", ())):
            problems.append(f"{here}: duplicate step id {dup!r}")
    # A question no department receives is one the walk-in answers for nothing.
    for name in field_names:
        if svc["parts"] and name not in received:
            problems.append(f"{at}: field {name!r} is asked but no part receives it")
    return problems


def _field_problems(fld: _FieldDoc, svc: _ServiceDoc) -> list[str]:
    problems: list[str] = []
    kind, prefill, choices = fld["kind"], fld.get("prefill", ""), fld.get("choices", [])
    if kind not in FIELD_KINDS:
        problems.append(f"unknown field kind {kind!r}; use one of: {', '.join(FIELD_KINDS)}")
    if kind == "choice" and not choices:
        problems.append("a choice field needs at least one choice")
    if kind != "choice" and choices:
        problems.append(f"choices are given but the kind is {kind!r}, not 'choice'")
    if choices:
        for dup in _duplicates(c["value"] for c in choices):
            problems.append(f"duplicate choice value {dup!r}")
    if prefill not in PREFILL_KEYS:
        known = ", ".join(k for k in PREFILL_KEYS if k)
        problems.append(f"unknown prefill key {prefill!r}; use one of: {known}")
    elif prefill and not svc["requires_identity"]:
        # Without a card read there is nothing to prefill from.
        problems.append(f"prefill {prefill!r} needs requires_identity true on the service")
    wanted_kind = _PREFILL_FIELD_KINDS.get(prefill)
    if wanted_kind and kind in FIELD_KINDS and kind != wanted_kind:
        problems.append(f"prefill {prefill!r} belongs on a {wanted_kind!r} field")
    return problems
