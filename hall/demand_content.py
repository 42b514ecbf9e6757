"""The content behind demand deadlines at the hall: its taxonomy file and the working-day calendar
(weekends, public holidays, adjusted working weekends) the deadlines are counted in.

The taxonomy's schema is shared with the kiosk (:mod:`contracts.demands`); the kiosk ships the
same taxonomy for its category suggestions (a test keeps the two files equal). The calendar is
the hall's alone: only the hall counts working days.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from contracts.demands import ContentError, Taxonomy, parse_taxonomy

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
    data = _read_json(path)
    try:
        holidays = frozenset(dt.date.fromisoformat(d) for d in data["holidays"])
        workdays = frozenset(dt.date.fromisoformat(d) for d in data["workdays"])
    except (KeyError, TypeError, ValueError) as exc:
        why = f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise ContentError(str(path), [why]) from exc
    if both := holidays & workdays:
        raise ContentError(str(path), [f"both holiday and workday: {sorted(both)[0]}"])
    return WorkCalendar(holidays, workdays)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ContentError(str(path), [str(exc)]) from exc
