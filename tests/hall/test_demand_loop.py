"""Tests for the hall's demand loop and working-day calendar: deadlines, actions, statistics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from contracts.demands import ContentError, DemandState, Taxonomy
from hall.demand_content import WorkCalendar, load_calendar, load_taxonomy
from hall.demand_loop import (
    Action,
    Demand,
    TransitionNotAllowed,
    allowed_actions,
    apply,
    demand_stats,
    is_overdue,
    new_demand,
)
from tests.support.clock import FakeClock

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return load_calendar()


# --- working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (dt.date(2026, 11, 27), 1, dt.date(2026, 11, 30)),  # Friday -> Monday
        (dt.date(2026, 11, 27), 5, dt.date(2026, 12, 4)),
        (dt.date(2026, 9, 30), 1, dt.date(2026, 10, 8)),  # National Day week off
        (dt.date(2026, 9, 18), 2, dt.date(2026, 9, 21)),  # Sunday 20 Sept is a working day
        (dt.date(2026, 2, 13), 1, dt.date(2026, 2, 14)),  # so is Saturday 14 Feb
        (dt.date(2026, 2, 13), 2, dt.date(2026, 2, 24)),  # then Spring Festival
        (dt.date(2026, 4, 30), 1, dt.date(2026, 5, 6)),  # Labour Day
        (dt.date(2026, 5, 8), 1, dt.date(2026, 5, 9)),  # Saturday 9 May is a working day
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 1)),  # no 2027 list yet: weekdays only
        (dt.date(2026, 11, 27), 0, dt.date(2026, 11, 27)),
    ],
)
def test_add_working_days(calendar: WorkCalendar, start: dt.date, days: int, due: dt.date) -> None:
    assert calendar.add_working_days(start, days) == due


def test_working_days_between(calendar: WorkCalendar) -> None:
    assert calendar.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 8)) == 1
    assert calendar.working_days_between(dt.date(2026, 11, 23), dt.date(2026, 11, 30)) == 5
    assert calendar.working_days_between(dt.date(2026, 11, 30), dt.date(2026, 11, 23)) == -5
    assert calendar.working_days_between(dt.date(2026, 11, 30), dt.date(2026, 11, 30)) == 0


def test_holiday_list_has_every_2026_holiday_and_makeup_day(calendar: WorkCalendar) -> None:
    assert len(calendar.holidays) == 33  # 3 + 9 + 3 + 5 + 3 + 3 + 7 days
    assert len(calendar.workdays) == 6
    assert not calendar.is_working_day(dt.date(2026, 1, 1))
    assert calendar.is_working_day(dt.date(2026, 1, 4))  # a Sunday worked for New Year


def test_holiday_and_workday_on_the_same_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"holidays": ["2026-01-04"], "workdays": ["2026-01-04"]}))
    with pytest.raises(ContentError, match="both holiday and workday"):
        load_calendar(path)


# --- the loop ------------------------------------------------------------------------------------


def _start(taxonomy: Taxonomy, calendar: WorkCalendar, clock: FakeClock) -> Demand:
    # Friday 27 Nov 2026, 10:00: a human-resources demand has 5 working days, due Fri 4 Dec.
    return new_demand("D-1", "human_resources", clock.now(), taxonomy=taxonomy, calendar=calendar)


def test_the_whole_loop_through_reopen_to_confirmed(
    taxonomy: Taxonomy, calendar: WorkCalendar
) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    d = _start(taxonomy, calendar, clock)
    assert d.state is DemandState.RECEIVED and d.due_date == dt.date(2026, 12, 4)

    def act(demand: Demand, action: Action, **kw: object) -> Demand:
        return apply(demand, action, at=clock.now(), taxonomy=taxonomy, calendar=calendar, **kw)

    clock.advance(dt.timedelta(hours=1))
    d = act(d, Action.CLASSIFY, category="human_resources", subcategory="recruitment")
    assert d.state is DemandState.CLASSIFIED
    clock.advance(dt.timedelta(hours=1))
    d = act(d, Action.DISPATCH, department="hr_social_security", actor="staff-7")
    assert d.state is DemandState.DISPATCHED and d.department == "hr_social_security"
    clock.advance(dt.timedelta(days=3))  # Monday
    d = act(d, Action.ACCEPT)
    assert d.state is DemandState.HANDLING
    clock.advance(dt.timedelta(days=1))
    d = act(d, Action.REPLY, note="已对接人才市场专场招聘会")
    assert d.state is DemandState.REPLIED and d.replied_at == clock.now()
    first_reply = clock.now()
    clock.advance(dt.timedelta(days=1))  # Wednesday 2 Dec
    d = act(d, Action.REOPEN, note="招聘会时间不合适")
    assert d.state is DemandState.REOPENED and d.reopen_count == 1
    assert d.due_date == dt.date(2026, 12, 9)  # a fresh 5 working days from the reopen
    clock.advance(dt.timedelta(hours=2))
    d = act(d, Action.ACCEPT)
    clock.advance(dt.timedelta(days=1))
    d = act(d, Action.REPLY)
    clock.advance(dt.timedelta(days=1))
    d = act(d, Action.CONFIRM)
    assert d.state is DemandState.CONFIRMED and d.confirmed_at == clock.now()
    assert d.first_replied_at == first_reply
    assert allowed_actions(d.state) == ()
    assert [e.action for e in d.history] == [
        Action.CLASSIFY,
        Action.DISPATCH,
        Action.ACCEPT,
        Action.REPLY,
        Action.REOPEN,
        Action.ACCEPT,
        Action.REPLY,
        Action.CONFIRM,
    ]
    assert d.history[1].actor == "staff-7" and d.history[1].detail == {
        "department": "hr_social_security"
    }
    # Staff record no rating: the enterprise rates the demand itself (hall.ratings).
    doc = json.loads(json.dumps(d.to_json()))
    assert doc["history"][-1]["detail"] == {} and "rating" not in doc


def test_department_can_return_a_demand_and_it_is_redispatched(
    taxonomy: Taxonomy, calendar: WorkCalendar
) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    kw = {"taxonomy": taxonomy, "calendar": calendar}
    d = _start(taxonomy, calendar, clock)
    d = apply(d, "classify", at=clock.now(), category="transport", **kw)
    d = apply(d, "dispatch", at=clock.now(), department="enterprise_service", **kw)
    d = apply(d, "return", at=clock.advance(dt.timedelta(hours=3)), **kw)
    assert d.state is DemandState.CLASSIFIED and d.department is None
    d = apply(d, "dispatch", at=clock.now(), department="transport_bureau", **kw)
    assert d.department == "transport_bureau"


def test_reclassifying_moves_the_deadline_from_the_day_received(
    taxonomy: Taxonomy, calendar: WorkCalendar
) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    d = _start(taxonomy, calendar, clock)
    d = apply(
        d,
        Action.CLASSIFY,
        at=clock.advance(dt.timedelta(days=3)),
        taxonomy=taxonomy,
        calendar=calendar,
        category="government_services",  # 3 working days
    )
    assert d.due_date == dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("state_actions", "action"),
    [
        ([], Action.REPLY),
        ([], Action.DISPATCH),
        (["classify"], Action.CONFIRM),
        (["classify", "dispatch"], Action.REOPEN),
        (["classify", "dispatch", "accept", "reply", "confirm"], Action.REOPEN),
    ],
)
def test_stray_actions_are_refused(
    taxonomy: Taxonomy, calendar: WorkCalendar, state_actions: list[str], action: Action
) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    d = _start(taxonomy, calendar, clock)
    args = {"category": "human_resources", "department": "x"}
    for name in state_actions:
        d = apply(d, name, at=clock.now(), taxonomy=taxonomy, calendar=calendar, **args)
    with pytest.raises(TransitionNotAllowed, match=f"cannot {action.value}"):
        apply(d, action, at=clock.now(), taxonomy=taxonomy, calendar=calendar, **args)


def test_bad_arguments_are_refused(taxonomy: Taxonomy, calendar: WorkCalendar) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST))
    kw = {"taxonomy": taxonomy, "calendar": calendar}
    d = _start(taxonomy, calendar, clock)
    with pytest.raises(ValueError, match="unknown category"):
        apply(d, "classify", at=clock.now(), category="weather", **kw)
    with pytest.raises(ValueError, match="unknown category"):
        apply(d, "classify", at=clock.now(), category="transport", subcategory="patents", **kw)
    d = apply(d, "classify", at=clock.now(), category="transport", **kw)
    with pytest.raises(ValueError, match="needs a department"):
        apply(d, "dispatch", at=clock.now(), **kw)
    with pytest.raises(ValueError, match="before the last event"):
        apply(d, "dispatch", at=clock.now() - dt.timedelta(seconds=1), department="x", **kw)
    d = apply(d, "dispatch", at=clock.now(), department="x", **kw)
    d = apply(d, "accept", at=clock.now(), **kw)
    d = apply(d, "reply", at=clock.now(), **kw)
    with pytest.raises(TypeError, match="rating"):  # staff can no longer enter a rating
        apply(d, "confirm", at=clock.now(), rating=5, **kw)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        apply(d, "shout", at=clock.now(), **kw)


def test_overdue_with_a_fake_clock(taxonomy: Taxonomy, calendar: WorkCalendar) -> None:
    clock = FakeClock(dt.datetime(2026, 9, 25 - 1, 16, 0, tzinfo=CST))  # Thu 24 Sept
    kw = {"taxonomy": taxonomy, "calendar": calendar}
    d = new_demand("D-9", "government_services", clock.now(), **kw)
    # 3 working days, skipping Mid-Autumn (25-27 Sept): Mon 28, Tue 29, Wed 30.
    assert d.due_date == dt.date(2026, 9, 30)
    assert not is_overdue(d, dt.datetime(2026, 9, 30, 23, 59, tzinfo=CST))
    assert is_overdue(d, dt.datetime(2026, 10, 1, 0, 0, tzinfo=CST))
    later = clock.advance(dt.timedelta(days=10))
    d = apply(d, "classify", at=later, category="government_services", **kw)
    d = apply(d, "dispatch", at=clock.now(), department="approval", **kw)
    d = apply(d, "accept", at=clock.now(), **kw)
    assert is_overdue(d, clock.now())
    d = apply(d, "reply", at=clock.advance(dt.timedelta(hours=1)), **kw)
    assert not is_overdue(d, clock.now())  # answered: no longer waiting, though late
    stats = demand_stats([d], clock.now(), calendar)
    assert stats.overdue_count == 0 and stats.late_reply_count == 1


def test_statistics(taxonomy: Taxonomy, calendar: WorkCalendar) -> None:
    kw = {"taxonomy": taxonomy, "calendar": calendar}
    t0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # Monday

    def through(
        did: str, category: str, actions: list[tuple[str, float, dict[str, object]]]
    ) -> Demand:
        d = new_demand(did, category, t0, **kw)
        for name, days_after, extra in actions:
            d = apply(d, name, at=t0 + dt.timedelta(days=days_after), **kw, **extra)
        return d

    loop = [
        ("classify", 0, {"category": "human_resources"}),
        ("dispatch", 0, {"department": "h"}),
        ("accept", 0.5, {}),
    ]
    closed_fast = through("A", "human_resources", [*loop, ("reply", 1, {}), ("confirm", 2, {})])
    closed_slow = through("B", "human_resources", [*loop, ("reply", 3, {}), ("confirm", 4, {})])
    waiting = through("C", "human_resources", [*loop, ("reply", 2, {})])
    stuck = through("D", "transport", [("classify", 0, {"category": "transport"})])
    fresh = new_demand("E", "tax_services", t0 + dt.timedelta(days=9), **kw)

    now = t0 + dt.timedelta(days=10)  # Thu 3 Dec: transport (5 days) was due Mon 30 Nov
    stats = demand_stats([closed_fast, closed_slow, waiting, stuck, fresh], now, calendar)
    assert stats.total == 5
    assert stats.confirmed == 2 and stats.replied == 1 and stats.open == 2
    assert stats.completion_rate == pytest.approx(0.4)
    assert stats.reply_rate == pytest.approx(0.6)
    assert stats.avg_handling_days == pytest.approx(2.0)  # (1 + 3 + 2) / 3
    assert stats.avg_handling_working_days == pytest.approx(2.0)
    assert stats.overdue_count == 1
    assert stats.by_category["transport"].overdue == 1
    assert stats.by_category["human_resources"].confirmed == 2
    assert stats.to_json()["by_category"]["human_resources"]["confirmed"] == 2


def test_statistics_of_nothing(calendar: WorkCalendar) -> None:
    stats = demand_stats([], dt.datetime(2026, 1, 5, tzinfo=CST), calendar)
    assert stats.total == 0 and stats.completion_rate == 0.0
    assert stats.avg_handling_days is None and stats.avg_handling_working_days is None
