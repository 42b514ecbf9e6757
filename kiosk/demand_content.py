"""The content behind enterprise demands, shared by kiosk and hall: the two-level taxonomy with
keywords and deadlines (and the keyword-scored category suggestion), and the working-day calendar
(weekends, public holidays, adjusted working weekends) the deadlines are counted in.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

_CONTENT: Final = Path(__file__).with_name("services") / "content"
DEFAULT_TAXONOMY_PATH: Final[Path] = _CONTENT / "demand_taxonomy.json"
DEFAULT_HOLIDAYS_PATH: Final[Path] = _CONTENT / "holidays.json"


class ContentError(ValueError):
    """Taxonomy or calendar content cannot be used; ``reasons`` lists every problem."""

    def __init__(self, source: str, reasons: Iterable[str]) -> None:
        self.source = source
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__(f"{source}: " + "; ".join(self.reasons))


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
class Suggestion:
    """A scored guess; ``hits`` are the keywords found in the text (the explanation)."""

    category: str
    subcategory: str | None
    name_zh: str
    name_en: str
    score: float
    hits: tuple[str, ...]


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

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        """Rank (category, subcategory) pairs for free text; empty when no keyword hits.

        A keyword scores its length in characters (a longer keyword is more specific: "劳动合同"
        says more than "劳动"), counted at most twice so repeating a word cannot win alone.
        A second-level suggestion also earns its parent's keyword hits.
        """
        folded = _fold(text)
        if not folded:
            return []
        found: list[Suggestion] = []
        for cat in self.categories:
            parent_hits = _hits(folded, cat.keywords)
            best_children = []
            for sub in cat.children:
                sub_hits = _hits(folded, sub.keywords)
                if sub_hits:
                    # A word listed at both levels counts once.
                    both = tuple(dict.fromkeys(parent_hits + sub_hits))
                    best_children.append(
                        Suggestion(
                            cat.id,
                            sub.id,
                            f"{cat.name_zh} / {sub.name_zh}",
                            f"{cat.name_en} / {sub.name_en}",
                            _score(folded, both),
                            both,
                        )
                    )
            if best_children:
                found.extend(best_children)
            elif parent_hits:
                score = _score(folded, parent_hits)
                found.append(Suggestion(cat.id, None, cat.name_zh, cat.name_en, score, parent_hits))
        order = {c.id: i for i, c in enumerate(self.categories)}
        # Highest score first; ties keep taxonomy order so the result is stable.
        found.sort(key=lambda s: (-s.score, order[s.category]))
        return found[:limit]


def _fold(text: str) -> str:
    # NFKC folds full-width Latin ("ＡＰＰ") from Chinese IMEs; case does not matter for "App".
    return unicodedata.normalize("NFKC", text).casefold()


def _hits(folded: str, keywords: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k in keywords if _fold(k) in folded)


def _score(folded: str, hits: Sequence[str]) -> float:
    return float(sum(len(k) * min(folded.count(_fold(k)), 2) for k in hits))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and check taxonomy content (the shipped sample when ``path`` is None)."""
    path = DEFAULT_TAXONOMY_PATH if path is None else path
    return parse_taxonomy(_read_json(path), source=str(path))


def parse_taxonomy(data: Any, *, source: str = "taxonomy") -> Taxonomy:
    """Check a decoded taxonomy document; :class:`ContentError` lists every problem."""
    reasons: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ContentError(source, ["expected an object with a 'categories' list"])
    categories: list[DemandCategory] = []
    seen: Counter[str] = Counter()
    for i, raw in enumerate(data["categories"]):
        where = f"categories[{i}]"
        try:
            cat_days = _days(raw["deadline_working_days"])
            children = []
            for j, child in enumerate(raw["children"]):
                children.append(
                    Subcategory(
                        _text(child["id"]),
                        _text(child["name_zh"]),
                        _text(child["name_en"]),
                        _keywords(child["keywords"]),
                        _days(child.get("deadline_working_days", cat_days)),
                    )
                )
                if not children[-1].keywords:
                    reasons.append(f"{where}.children[{j}]: needs at least one keyword")
            cat = DemandCategory(
                _text(raw["id"]),
                _text(raw["name_zh"]),
                _text(raw["name_en"]),
                cat_days,
                _text(raw["handler_zh"]),
                _text(raw["handler_en"]),
                _keywords(raw["keywords"]),
                tuple(children),
            )
        except (KeyError, TypeError, ValueError) as exc:
            reasons.append(f"{where}: {_why(exc)}")
            continue
        if not 2 <= len(cat.children) <= 6:
            reasons.append(f"{where} ({cat.id}): needs 2-6 second-level categories")
        seen.update([cat.id, *(s.id for s in cat.children)])
        categories.append(cat)
    reasons.extend(f"duplicate id {k!r}" for k, n in seen.items() if n > 1)
    if len(categories) != 13 and not reasons:
        reasons.append(f"expected 13 first-level categories, found {len(categories)}")
    if reasons:
        raise ContentError(source, reasons)
    return Taxonomy(str(data.get("version", "")), tuple(categories))


def _why(exc: Exception) -> str:
    return f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected non-blank text, got {value!r}")
    return value


def _days(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
        raise ValueError(f"deadline_working_days must be a whole number 1-60, got {value!r}")
    return value


def _keywords(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("keywords must be a list of text")
    return tuple(_text(k) for k in value)


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return load_taxonomy()


def suggest_category(
    text: str, taxonomy: Taxonomy | None = None, limit: int = 3
) -> list[Suggestion]:
    """Suggest categories for a demand's free text (the shipped taxonomy unless given)."""
    return (taxonomy or _default_taxonomy()).suggest(text, limit)


# --- working days --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days: Monday-Friday, minus public holidays, plus adjusted working weekends."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``: 0 for the same day, negative if ``end`` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def load_calendar(path: Path | None = None) -> WorkCalendar:
    """Load holidays and adjusted working days (the shipped 2026 list when ``path`` is None)."""
    path = DEFAULT_HOLIDAYS_PATH if path is None else path
    data = _read_json(path)
    try:
        holidays = frozenset(dt.date.fromisoformat(d) for d in data["holidays"])
        workdays = frozenset(dt.date.fromisoformat(d) for d in data["workdays"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ContentError(str(path), [_why(exc)]) from exc
    if both := holidays & workdays:
        raise ContentError(str(path), [f"both holiday and workday: {sorted(both)[0]}"])
    return WorkCalendar(holidays, workdays)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ContentError(str(path), [str(exc)]) from exc
