"""The service catalog: departments, categories, service items, their forms and "一件事" bundles.

The catalog is a versioned JSON document the hall publishes (:mod:`hall.catalog_publish`) and the
kiosk caches, so a station works offline (:mod:`kiosk.services.catalog_cache`).
:func:`parse_catalog` checks a decoded document strictly, the same check on both sides: first its
shape with pydantic (strict: no coercion, unknown keys refused), then its cross-references; it
turns it into frozen dataclasses the rest of the code uses. A bad document raises
:class:`CatalogError` listing every problem found, each naming the service and field, so whoever
edits the content can fix them all in one go. Document shape::

    {"version": "2026.11.2",
     "departments": [{"id", "name_zh", "name_en"}],
     "demand_routes"?: {demand category id: department id, ...},
     "categories": [{"id", "name_zh", "name_en", "icon"}],
     "services": [{"id", "name_zh", "name_en", "department", "category", "requires_identity",
                   "summary_zh", "summary_en", "eligibility_zh", "eligibility_en",
                   "fees_zh", "fees_en", "time_limit_days", "result_document"?,
                   "materials"?: [{"id", "name_zh", "name_en", "capture", "required"?}],
                   "parts": [{"id", "department", "name_zh", "name_en",
                              "fields"?: [field name, ...],
                              "steps"?: [{"id", "party_zh", "party_en", "name_zh", "name_en"}]}],
                   "form": {"fields": [{"name", "kind", "label_zh", "label_en", "required"?,
                                        "max_length"?, "choices"?: [{"value", "label_zh",
                                        "label_en"}], "help_zh"?, "help_en"?, "prefill"?}]}}]}

A service with several parts is a "一件事" bundle: the walk-in fills one form, and
:func:`fan_out` splits the filing into one :class:`PartFiling` per part (each with only the
fields its department needs), which the hall tracks separately. A part may list ``steps`` when
several parties act in turn (the home EV charger: property management, community, civil air
defence, power company); each step has its own status at the hall.

Departments are referenced by id; the built :class:`ServiceItem` and :class:`ServicePart` still
carry ``department_zh``/``department_en`` resolved from the department list, so screens and
receipts need no lookup. ``demand_routes`` names the department each first-level enterprise
demand category (:mod:`contracts.demands`) goes to. The department list is the hall's list of
departments (:mod:`hall.departments`): a service, a bundle part or a demand route naming a
department the list lacks is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, NotRequired, cast

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from 3.12

from contracts.catalog_checks import (
    ICON_PATTERN,
    ID_PATTERN,
    TEXT_PATTERN,
    cross_check,
    shape_reasons,
)
from contracts.forms import (
    Choice,
    FieldKind,
    FieldSpec,
    FormSchema,
    PrefillKey,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "Category",
    "Department",
    "Material",
    "PartFiling",
    "PartStep",
    "ServiceItem",
    "ServicePart",
    "fan_out",
    "parse_catalog",
]

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
class Department:
    """A department (or the power company) that handles service items and bundle parts."""

    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    icon: str


@dataclass(frozen=True, slots=True)
class Material:
    """A document the walk-in brings; ``capture`` means the kiosk camera photographs it."""

    id: str
    name_zh: str
    name_en: str
    capture: bool
    required: bool = True


@dataclass(frozen=True, slots=True)
class PartStep:
    """One party's turn within a part (e.g. the owners' committee confirming a parking space)."""

    id: str
    party_zh: str
    party_en: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ServicePart:
    """One department's share of a filing; each part is tracked on its own at the hall.

    ``fields`` names the form fields this part's department receives (all of them when the
    content does not say); ``steps`` are the parties acting in turn, empty for a plain part.
    """

    id: str
    department_zh: str
    department_en: str
    name_zh: str
    name_en: str
    department: str = ""
    fields: tuple[str, ...] = ()
    steps: tuple[PartStep, ...] = ()


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
    department: str = ""
    eligibility_zh: str = ""
    eligibility_en: str = ""
    fees_zh: str = ""
    fees_en: str = ""
    materials: tuple[Material, ...] = ()
    # The result is a document (licence, certificate, permit): the walk-in chooses at review to
    # pick it up at the station or have it sent by EMS (contracts.delivery).
    result_document: bool = False

    @property
    def is_bundle(self) -> bool:
        return len(self.parts) > 1

    @property
    def captured_materials(self) -> tuple[Material, ...]:
        """The materials the kiosk camera photographs, in content order."""
        return tuple(m for m in self.materials if m.capture)

    @property
    def shared_fields(self) -> tuple[str, ...]:
        """Form fields every part of the filing receives (all fields for a single service)."""
        return tuple(name for name in self.form.names if all(name in p.fields for p in self.parts))


@dataclass(frozen=True, slots=True)
class PartFiling:
    """One part of a submitted filing, as the hall stores and tracks it."""

    part_id: str
    department: str
    values: Mapping[str, str]
    steps: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "part_id": self.part_id,
            "department": self.department,
            "values": dict(self.values),
            "steps": list(self.steps),
        }


@dataclass(frozen=True, slots=True)
class Catalog:
    version: str
    categories: tuple[Category, ...]
    services: tuple[ServiceItem, ...]
    departments: tuple[Department, ...] = ()
    # First-level demand category id -> the department its demands go to.
    demand_routes: Mapping[str, str] = field(default_factory=dict)
    _services: Mapping[str, ServiceItem] = field(init=False, repr=False, compare=False)
    _categories: Mapping[str, Category] = field(init=False, repr=False, compare=False)
    _departments: Mapping[str, Department] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_services", {s.id: s for s in self.services})
        object.__setattr__(self, "_categories", {c.id: c for c in self.categories})
        object.__setattr__(self, "_departments", {d.id: d for d in self.departments})

    def service(self, service_id: str) -> ServiceItem:
        """The service with this id; ``KeyError`` if the catalog has none."""
        return self._services[service_id]

    def category(self, category_id: str) -> Category:
        """The category with this id; ``KeyError`` if the catalog has none."""
        return self._categories[category_id]

    def department(self, department_id: str) -> Department:
        """The department with this id; ``KeyError`` if the catalog has none."""
        return self._departments[department_id]

    def demand_department(self, category_id: str) -> Department | None:
        """The department a demand of this first-level category goes to (None: not routed)."""
        routed = self.demand_routes.get(category_id)
        return None if routed is None else self._departments.get(routed)

    def services_in(self, category_id: str) -> tuple[ServiceItem, ...]:
        """Services of one category, in document order (empty for an unknown category)."""
        return tuple(s for s in self.services if s.category == category_id)

    def services_of(self, department_id: str) -> tuple[ServiceItem, ...]:
        """Services a department owns or takes a part of, in document order."""
        return tuple(
            s
            for s in self.services
            if s.department == department_id or any(p.department == department_id for p in s.parts)
        )


def fan_out(item: ServiceItem, values: Mapping[str, str]) -> tuple[PartFiling, ...]:
    """Split one filing (normalized form values) into the parts the hall tracks separately.

    Each part gets only the fields its department needs, in form order; the walk-in typed the
    shared ones (name, mobile, company name) once. Values for names the form does not know are
    dropped, so a stale UI cannot smuggle fields to a department.
    """
    return tuple(
        PartFiling(
            part_id=part.id,
            department=part.department,
            values={name: values.get(name, "") for name in part.fields},
            steps=tuple(step.id for step in part.steps),
        )
        for part in item.parts
    )


# --- the JSON document, checked strictly -------------------------------------------------------

# Ids end up in URLs, log lines and the hall's database: keep them boring.
_Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# Shown to people, so blank text is a content mistake.
_Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN)]


# Validated into TypedDicts, not models: the document is read once, straight into the frozen
# dataclasses below, and checking plain dicts costs half what building ~5,000 frozen model
# instances did for the 272-service catalog. strict: "true" is not a bool and "3" is not an int;
# extra="forbid": a misspelt key is an error, not a silently ignored setting. Keys that may be
# left out are NotRequired; their defaults are applied where the document is read (_build).
_STRICT: Final = ConfigDict(extra="forbid", strict=True)


class _ChoiceDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    value: _Id
    label_zh: _Text
    label_en: _Text


class _FieldDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    name: _Id
    # kind and prefill are plain strings here and checked in cross_check, which can say which
    # values are accepted in the catalog's own words.
    kind: str
    label_zh: _Text
    label_en: _Text
    required: NotRequired[bool]  # default True
    max_length: NotRequired[Annotated[int, Field(ge=1, le=10_000)] | None]
    choices: NotRequired[list[_ChoiceDoc]]
    help_zh: NotRequired[str]
    help_en: NotRequired[str]
    prefill: NotRequired[str]


class _FormDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    fields: list[_FieldDoc]


class _StepDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: _Id
    party_zh: _Text
    party_en: _Text
    name_zh: _Text
    name_en: _Text


class _PartDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: _Id
    department: str
    name_zh: _Text
    name_en: _Text
    fields: NotRequired[list[str] | None]  # left out (or null): every field of the form
    steps: NotRequired[list[_StepDoc]]


class _MaterialDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: _Id
    name_zh: _Text
    name_en: _Text
    capture: bool
    required: NotRequired[bool]  # default True


class _DepartmentDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: _Id
    name_zh: _Text
    name_en: _Text


class _ServiceDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: _Id
    name_zh: _Text
    name_en: _Text
    department: str
    category: str
    requires_identity: bool
    summary_zh: _Text
    summary_en: _Text
    eligibility_zh: _Text
    eligibility_en: _Text
    fees_zh: _Text
    fees_en: _Text
    time_limit_days: Annotated[int, Field(ge=0, le=_MAX_TIME_LIMIT_DAYS)]
    materials: NotRequired[list[_MaterialDoc]]
    result_document: NotRequired[bool]  # default False
    form: _FormDoc
    parts: list[_PartDoc]


class _CategoryDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    id: _Id
    name_zh: _Text
    name_en: _Text
    icon: Annotated[str, StringConstraints(pattern=ICON_PATTERN)]


class _CatalogDoc(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    version: _Text
    departments: list[_DepartmentDoc]
    demand_routes: NotRequired[dict[_Id, str]]
    categories: list[_CategoryDoc]
    services: list[_ServiceDoc]


_CATALOG_DOC: Final = TypeAdapter(_CatalogDoc)


# --- parsing --------------------------------------------------------------------------------------


def parse_catalog(data: object, *, source: str = "catalog") -> Catalog:
    """Check a decoded catalog document (e.g. the hall's published JSON) and build the catalog."""
    try:
        doc = _CATALOG_DOC.validate_python(data)
    except ValidationError as exc:
        raise CatalogError(source, shape_reasons(exc, data)) from exc
    reasons = cross_check(doc)
    if reasons:
        raise CatalogError(source, reasons)
    return _build(doc)


def _build(doc: _CatalogDoc) -> Catalog:
    departments = {
        d["id"]: Department(id=d["id"], name_zh=d["name_zh"], name_en=d["name_en"])
        for d in doc["departments"]
    }
    shared = _Shared()
    return Catalog(
        version=doc["version"],
        categories=tuple(
            Category(id=c["id"], name_zh=c["name_zh"], name_en=c["name_en"], icon=c["icon"])
            for c in doc["categories"]
        ),
        services=tuple(_build_service(s, departments, shared) for s in doc["services"]),
        departments=tuple(departments.values()),
        demand_routes=dict(doc.get("demand_routes", {})),
    )


# A field as written in the document, defaults applied: equal keys share one FieldSpec.
_FieldKey = tuple[
    str, str, str, str, bool, int | None, tuple[tuple[str, str, str], ...], str, str, str
]


class _Shared:
    """One object for equal fields and equal materials across the catalog's services.

    A district catalog repeats a few dozen of each (applicant, mobile, company name, the
    business licence): 952 fields and 1,052 materials of the generated 272 services are 96 and
    57 distinct ones. Building each once is a fifth of the catalog's build, and less memory.
    """

    def __init__(self) -> None:
        self._fields: dict[_FieldKey, FieldSpec] = {}
        self._materials: dict[tuple[str, str, str, bool, bool], Material] = {}

    def field(self, f: _FieldDoc) -> FieldSpec:
        choices = tuple((c["value"], c["label_zh"], c["label_en"]) for c in f.get("choices", ()))
        key: _FieldKey = (
            f["name"], f["kind"], f["label_zh"], f["label_en"], f.get("required", True),
            f.get("max_length"), choices, f.get("help_zh", ""), f.get("help_en", ""),
            f.get("prefill", ""),
        )  # fmt: skip
        spec = self._fields.get(key)
        if spec is None:
            name, kind, label_zh, label_en, required, max_length, _, help_zh, help_en, prefill = key
            spec = self._fields[key] = FieldSpec(
                name=name,
                kind=cast(FieldKind, kind),  # checked against FIELD_KINDS in cross_check
                label_zh=label_zh,
                label_en=label_en,
                required=required,
                max_length=max_length,
                choices=tuple(Choice(*c) for c in choices),
                help_zh=help_zh,
                help_en=help_en,
                prefill=cast(PrefillKey, prefill),  # checked against PREFILL_KEYS too
            )
        return spec

    def material(self, m: _MaterialDoc) -> Material:
        key = (m["id"], m["name_zh"], m["name_en"], m["capture"], m.get("required", True))
        material = self._materials.get(key)
        if material is None:
            material = self._materials[key] = Material(*key)
        return material


def _build_service(
    svc: _ServiceDoc, departments: Mapping[str, Department], shared: _Shared
) -> ServiceItem:
    fields = tuple(shared.field(f) for f in svc["form"]["fields"])
    names = tuple(f.name for f in fields)
    owner = departments[svc["department"]]  # checked in cross_check
    return ServiceItem(
        id=svc["id"],
        name_zh=svc["name_zh"],
        name_en=svc["name_en"],
        department_zh=owner.name_zh,
        department_en=owner.name_en,
        category=svc["category"],
        requires_identity=svc["requires_identity"],
        summary_zh=svc["summary_zh"],
        summary_en=svc["summary_en"],
        time_limit_days=svc["time_limit_days"],
        result_document=svc.get("result_document", False),
        form=FormSchema(fields),
        parts=tuple(
            ServicePart(
                id=p["id"],
                department_zh=departments[p["department"]].name_zh,
                department_en=departments[p["department"]].name_en,
                name_zh=p["name_zh"],
                name_en=p["name_en"],
                department=p["department"],
                fields=_part_fields(names, p.get("fields")),
                steps=tuple(
                    PartStep(st["id"], st["party_zh"], st["party_en"], st["name_zh"], st["name_en"])
                    for st in p.get("steps", ())
                ),
            )
            for p in svc["parts"]
        ),
        department=svc["department"],
        eligibility_zh=svc["eligibility_zh"],
        eligibility_en=svc["eligibility_en"],
        fees_zh=svc["fees_zh"],
        fees_en=svc["fees_en"],
        materials=tuple(shared.material(m) for m in svc.get("materials", ())),
    )


def _part_fields(names: tuple[str, ...], listed: list[str] | None) -> tuple[str, ...]:
    """The fields a part receives, in form order whatever order the content lists them in;
    left out (or null): every field."""
    return names if listed is None else tuple(n for n in names if n in listed)
