"""Enterprise demands (企业诉求) as both sides name them: the taxonomy and the states of the loop.

The **taxonomy** is content (JSON: 13 first-level categories, each with 2-6 second-level ones,
keywords and a handling deadline in working days). The kiosk suggests a category from it for the
walk-in to confirm (:mod:`kiosk.demands`); the hall counts the deadline from the category the
walk-in confirmed (:mod:`hall.demand_loop`), so a category id means the same on both sides.
:func:`parse_taxonomy` checks a document strictly (pydantic; unknown keys refused) and raises
:class:`ContentError` listing every problem.

The **states** of a demand (:class:`DemandState`) and their words (:data:`STATE_LABELS`) are
what the hall reports and a kiosk may show; which action moves a demand from one state to the
next is the hall's business (:mod:`hall.demand_loop`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
)

__all__ = [
    "CLOSED_STATES",
    "OPEN_STATES",
    "STATE_LABELS",
    "ContentError",
    "DemandCategory",
    "DemandState",
    "Subcategory",
    "Taxonomy",
    "parse_taxonomy",
]

FIRST_LEVEL_COUNT: Final = 13


class ContentError(ValueError):
    """Taxonomy or calendar content cannot be used; ``reasons`` lists every problem."""

    def __init__(self, source: str, reasons: Iterable[str]) -> None:
        self.source = source
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__(f"{source}: " + "; ".join(self.reasons))


# --- states --------------------------------------------------------------------------------------


class DemandState(StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    REPLIED = "replied"
    CONFIRMED = "confirmed"
    REOPENED = "reopened"


# The clock runs in these states: the enterprise is waiting for an answer.
OPEN_STATES: Final = frozenset(
    {
        DemandState.RECEIVED,
        DemandState.CLASSIFIED,
        DemandState.DISPATCHED,
        DemandState.HANDLING,
        DemandState.REOPENED,
    }
)
CLOSED_STATES: Final = frozenset({DemandState.CONFIRMED})

STATE_LABELS: Final[Mapping[DemandState, tuple[str, str]]] = {
    DemandState.RECEIVED: ("已受理", "Received"),
    DemandState.CLASSIFIED: ("已分类", "Classified"),
    DemandState.DISPATCHED: ("已交办", "Assigned to a department"),
    DemandState.HANDLING: ("办理中", "Being handled"),
    DemandState.REPLIED: ("已答复，待企业确认", "Answered; waiting for your confirmation"),
    DemandState.CONFIRMED: ("已办结", "Closed"),
    DemandState.REOPENED: ("企业不满意，重新办理", "Reopened at your request"),
}


# --- taxonomy ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subcategory:
    id: str
    name_zh: str
    name_en: str
    keywords: tuple[str, ...]
    deadline_working_days: int


@dataclass(frozen=True, slots=True)
class DemandCategory:
    id: str
    name_zh: str
    name_en: str
    deadline_working_days: int
    handler_zh: str
    handler_en: str
    keywords: tuple[str, ...]
    children: tuple[Subcategory, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    version: str
    categories: tuple[DemandCategory, ...]
    _by_id: Mapping[str, DemandCategory] = field(init=False, repr=False, compare=False)
    _parent_of: Mapping[str, DemandCategory] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.categories})
        object.__setattr__(
            self, "_parent_of", {s.id: c for c in self.categories for s in c.children}
        )

    def category(self, category_id: str) -> DemandCategory:
        """The first-level category; ``KeyError`` if unknown."""
        return self._by_id[category_id]

    def parent_of(self, subcategory_id: str) -> DemandCategory:
        """The first-level category a second-level id belongs to; ``KeyError`` if unknown."""
        return self._parent_of[subcategory_id]

    def deadline_days(self, category_id: str, subcategory_id: str | None = None) -> int:
        """Working days to reply: the subcategory's own limit, else its category's."""
        cat = self.category(category_id)
        for sub in cat.children:
            if sub.id == subcategory_id:
                return sub.deadline_working_days
        if subcategory_id is not None:
            raise KeyError(f"{subcategory_id!r} is not under {category_id!r}")
        return cat.deadline_working_days


# --- the taxonomy document, checked strictly -----------------------------------------------------


def _deadline(value: int) -> int:
    if not 1 <= value <= 60:
        raise ValueError(f"deadline_working_days must be a whole number 1-60, got {value!r}")
    return value


_Text = Annotated[StrictStr, StringConstraints(pattern=r"\S")]
_Days = Annotated[StrictInt, AfterValidator(_deadline)]


class _Doc(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _SubcategoryDoc(_Doc):
    id: _Text
    name_zh: _Text
    name_en: _Text
    keywords: Annotated[list[_Text], Field(min_length=1)]
    deadline_working_days: _Days | None = None  # the category's when left out


class _CategoryDoc(_Doc):
    id: _Text
    name_zh: _Text
    name_en: _Text
    deadline_working_days: _Days
    handler_zh: _Text
    handler_en: _Text
    keywords: list[_Text]
    children: list[_SubcategoryDoc]


class _TaxonomyDoc(_Doc):
    version: StrictStr = ""
    note: StrictStr = ""  # for whoever edits the content
    categories: list[_CategoryDoc]


def parse_taxonomy(data: Any, *, source: str = "taxonomy") -> Taxonomy:
    """Check a decoded taxonomy document; :class:`ContentError` lists every problem."""
    reasons: list[str] = []
    doc: _TaxonomyDoc | None = None
    try:
        doc = _TaxonomyDoc.model_validate(data)
    except ValidationError as exc:
        reasons += [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
    # The structure is checked on the raw document too, so one pass reports shape mistakes and
    # structural ones together.
    reasons += _structure_reasons(data)
    if reasons or doc is None:
        raise ContentError(source, reasons)
    return Taxonomy(
        doc.version,
        tuple(
            DemandCategory(
                cat.id,
                cat.name_zh,
                cat.name_en,
                cat.deadline_working_days,
                cat.handler_zh,
                cat.handler_en,
                tuple(cat.keywords),
                tuple(
                    Subcategory(
                        s.id,
                        s.name_zh,
                        s.name_en,
                        tuple(s.keywords),
                        cat.deadline_working_days
                        if s.deadline_working_days is None
                        else s.deadline_working_days,
                    )
                    for s in cat.children
                ),
            )
            for cat in doc.categories
        ),
    )


def _structure_reasons(data: Any) -> list[str]:
    categories = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(categories, list):
        return []
    reasons: list[str] = []
    seen: Counter[str] = Counter()
    for i, cat in enumerate(categories):
        if not isinstance(cat, dict):
            continue
        children = cat.get("children")
        children = children if isinstance(children, list) else []
        if not 2 <= len(children) <= 6:
            reasons.append(f"categories[{i}] ({cat.get('id')}): needs 2-6 second-level categories")
        ids = [cat.get("id"), *(c.get("id") for c in children if isinstance(c, dict))]
        seen.update(x for x in ids if isinstance(x, str))
    reasons.extend(f"duplicate id {k!r}" for k, n in seen.items() if n > 1)
    if len(categories) != FIRST_LEVEL_COUNT and not reasons:
        reasons.append(
            f"expected {FIRST_LEVEL_COUNT} first-level categories, found {len(categories)}"
        )
    return reasons
