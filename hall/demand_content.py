"""The content behind demand deadlines at the hall: its taxonomy file and the working-day calendar
(weekends, public holidays, adjusted working weekends) the deadlines are counted in.

The taxonomy's schema is shared with the kiosk (:mod:`contracts.demands`); the kiosk ships the
same taxonomy for its category suggestions (a test keeps the two files equal). The calendar is
the hall's alone: only the hall counts working days.

Staff publish both from workbooks (:mod:`hall.content_kinds`). The hall then counts in the
published version: :class:`PublishedTaxonomy` and :class:`PublishedCalendar` stand where a
:class:`~contracts.demands.Taxonomy` and a :class:`WorkCalendar` do and follow each publication
(the shipped files until the first), so a new holiday counts from the moment it is published.
A published document the current code cannot read (it was checked when published, so only after
a change of rules) is logged and the shipped file is used.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from contracts.demands import ContentError, DemandCategory, Taxonomy, parse_taxonomy

if TYPE_CHECKING:
    from hall.content_kinds import ContentStore

log = logging.getLogger(__name__)

_CONTENT: Final = Path(__file__).with_name("content")
TAXONOMY_PATH: Final[Path] = _CONTENT / "demand_taxonomy.json"
HOLIDAYS_PATH: Final[Path] = _CONTENT / "holidays.json"


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and check taxonomy content (the hall's shipped file when ``path`` is None)."""
    path = TAXONOMY_PATH if path is None else path
    return parse_taxonomy(_read_json(path), source=str(path))


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
    path = HOLIDAYS_PATH if path is None else path
    return calendar_of(_read_json(path), source=str(path))


def calendar_of(data: Any, *, source: str = "holidays") -> WorkCalendar:
    """Check a decoded holidays document (``holidays``, ``workdays``: ISO dates)."""
    path = source
    try:
        holidays = frozenset(dt.date.fromisoformat(d) for d in data["holidays"])
        workdays = frozenset(dt.date.fromisoformat(d) for d in data["workdays"])
    except (KeyError, TypeError, ValueError) as exc:
        why = f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise ContentError(str(path), [why]) from exc
    if both := holidays & workdays:
        raise ContentError(str(path), [f"both holiday and workday: {sorted(both)[0]}"])
    return WorkCalendar(holidays, workdays)


# --- the published versions --------------------------------------------------------------------


class PublishedCalendar(WorkCalendar):
    """The working days as published (``holidays`` in :mod:`hall.content_kinds`), else
    ``fallback``; a :class:`WorkCalendar` wherever one is expected."""

    _store: ContentStore
    _fallback: WorkCalendar
    _cached: tuple[int | None, WorkCalendar]

    def __init__(self, store: ContentStore, fallback: WorkCalendar) -> None:
        # A frozen dataclass's parent: set through object, like its own __init__ does.
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_fallback", fallback)
        object.__setattr__(self, "_cached", (None, fallback))

    def current(self) -> WorkCalendar:
        latest = self._store.latest("holidays")
        if latest is None:
            return self._fallback
        seq, calendar = self._cached
        if seq != latest.seq:
            try:
                calendar = calendar_of(latest.document(), source=f"holidays {latest.version}")
            except ContentError as exc:
                log.error("published holidays %s not usable: %s", latest.version, exc)
                calendar = self._fallback
            object.__setattr__(self, "_cached", (latest.seq, calendar))
        return calendar

    @property
    def holidays(self) -> frozenset[dt.date]:
        return self.current().holidays

    @property
    def workdays(self) -> frozenset[dt.date]:
        return self.current().workdays

    def is_working_day(self, day: dt.date) -> bool:
        return self.current().is_working_day(day)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        return self.current().add_working_days(start, days)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        return self.current().working_days_between(start, end)

    def __repr__(self) -> str:
        return "PublishedCalendar()"


class PublishedTaxonomy(Taxonomy):
    """The demand taxonomy as published (``demand_taxonomy`` in :mod:`hall.content_kinds`),
    else ``fallback``; a :class:`~contracts.demands.Taxonomy` wherever one is expected."""

    _store: ContentStore
    _fallback: Taxonomy
    _cached: tuple[int | None, Taxonomy]

    def __init__(self, store: ContentStore, fallback: Taxonomy) -> None:
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_fallback", fallback)
        object.__setattr__(self, "_cached", (None, fallback))

    def current(self) -> Taxonomy:
        latest = self._store.latest("demand_taxonomy")
        if latest is None:
            return self._fallback
        seq, taxonomy = self._cached
        if seq != latest.seq:
            try:
                taxonomy = parse_taxonomy(
                    latest.document(), source=f"demand_taxonomy {latest.version}"
                )
            except ContentError as exc:
                log.error("published demand taxonomy %s not usable: %s", latest.version, exc)
                taxonomy = self._fallback
            object.__setattr__(self, "_cached", (latest.seq, taxonomy))
        return taxonomy

    @property
    def version(self) -> str:
        return self.current().version

    @property
    def categories(self) -> tuple[DemandCategory, ...]:
        return self.current().categories

    @property
    def _by_id(self) -> Mapping[str, DemandCategory]:
        return self.current()._by_id

    @property
    def _parent_of(self) -> Mapping[str, DemandCategory]:
        return self.current()._parent_of

    def category(self, category_id: str) -> DemandCategory:
        return self.current().category(category_id)

    def parent_of(self, subcategory_id: str) -> DemandCategory:
        return self.current().parent_of(subcategory_id)

    def deadline_days(self, category_id: str, subcategory_id: str | None = None) -> int:
        return self.current().deadline_days(category_id, subcategory_id)

    def __repr__(self) -> str:
        return "PublishedTaxonomy()"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ContentError(str(path), [str(exc)]) from exc
