"""The demand desk's closed loop over HTTP against a real hall (SQLite and PostgreSQL), moved
through time by a fake clock: received → classified → dispatched → handling (overdue on the way)
→ replied late → reopened with a new deadline → handling → replied → confirmed (staff cannot
enter a rating: the enterprise rates it itself, tests/hall/test_ratings.py); filters, figures,
refusals, the audit trail and the public progress of the demand.

The enterprise files on Monday 23 November 2026 at 08:30 (Suzhou) under 人力资源 (5 working
days), so the reply is due on Monday 30 November.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    DEMAND_FORM,
    add_staff,
    audit_rows,
    login,
    post_submission,
    submission,
)

CST = dt.timezone(dt.timedelta(hours=8))
DEMANDS = "/api/v1/demands"


class Desk:
    """One staff member at the console; logs in again after the clock jumps past the session."""

    def __init__(self, hall: ConsoleHall, name: str = "lin.helper") -> None:
        self.hall, self.name = hall, name
        add_staff(hall.server, name)
        self.session = login(hall.server, name)

    def at(self, when: dt.datetime) -> Desk:
        self.hall.clock.set(when)
        self.session = login(self.hall.server, self.name)
        return self

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(self.hall.url + path, params=params, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def act(self, demand_id: str, expect: int = 200, **body: Any) -> Any:
        response = self.session.post(
            f"{self.hall.url}{DEMANDS}/{demand_id}/actions", json=body, timeout=5
        )
        assert response.status_code == expect, response.text
        return response.json()


def file_demand(hall: ConsoleHall, n: int, **form: str) -> str:
    body = submission(
        "enterprise_demand", {**DEMAND_FORM, **form}, tracking_number=f"QH001-20261123-000{n}"
    )
    assert post_submission(hall.server, body).status_code == 201
    return str(body["id"])


def progress(hall: ConsoleHall, n: int) -> dict[str, Any]:
    doc: dict[str, Any] = requests.get(
        f"{hall.url}/api/v1/progress/QH001-20261123-000{n}", timeout=5
    ).json()
    return doc["parts"][0]


def test_the_whole_loop_with_overdue_and_reopen(console_hall: ConsoleHall) -> None:
    desk = Desk(console_hall)
    demand = file_demand(console_hall, 1)

    listed = desk.get(DEMANDS)
    assert listed["total"] == 1
    item = listed["items"][0]
    assert (item["state"], item["category"], item["due_date"], item["overdue"]) == (
        "received",
        "human_resources",
        "2026-11-30",
        False,
    )
    assert item["allowed_actions"] == ["classify"]
    assert "description" not in str(listed)  # the list carries no filing data

    detail = desk.get(f"{DEMANDS}/{demand}")
    filing = {f["name"]: f for f in detail["filing"]}
    assert filing["description"]["value"] == DEMAND_FORM["description"]  # staff see it
    assert filing["description"]["label_zh"] == "诉求内容"  # labelled from the catalog
    assert "demand_category" not in filing
    assert progress(console_hall, 1)["status"] == "received"

    desk.act(demand, action="classify", category="human_resources", subcategory="recruitment")
    desk.act(demand, action="dispatch", department="hr_social_security")
    assert progress(console_hall, 1)["status"] == "handling"

    # Tuesday 1 December: a day past the due date, still unanswered.
    desk.at(dt.datetime(2026, 12, 1, 10, 0, tzinfo=CST))
    overdue = desk.get(DEMANDS, overdue="true")
    assert [i["id"] for i in overdue["items"]] == [demand]
    assert desk.get(DEMANDS, overdue="false")["total"] == 0
    stats = desk.get(f"{DEMANDS}/stats")
    assert (stats["overdue_count"], stats["by_category"]["human_resources"]["overdue"]) == (1, 1)

    assert desk.act(demand, action="accept")["overdue"] is True
    replied = desk.act(demand, action="reply", note="已对接区人才市场专场招聘会")
    assert (replied["state"], replied["overdue"], replied["replied_late"]) == (
        "replied",
        False,
        True,
    )
    part = progress(console_hall, 1)
    assert (part["status"], part["note_zh"]) == ("handling", "已答复，待企业确认")
    stats = desk.get(f"{DEMANDS}/stats")
    # 08:30 on the 23rd to 10:00 on 1 December: 8 days 1.5 hours; 6 working days.
    assert (stats["avg_handling_days"], stats["avg_handling_working_days"]) == (8.06, 6.0)
    assert (stats["overdue_count"], stats["late_reply_count"], stats["reply_rate"]) == (0, 1, 1.0)

    # The enterprise is not satisfied: a new 5-working-day period from today.
    reopened = desk.act(demand, action="reopen", note="招聘会时间不合适")
    assert (reopened["state"], reopened["due_date"], reopened["reopen_count"]) == (
        "reopened",
        "2026-12-08",
        1,
    )
    desk.at(dt.datetime(2026, 12, 2, 15, 0, tzinfo=CST))
    desk.act(demand, action="accept")
    desk.act(demand, action="reply", note="已安排12月5日专场")
    # Staff can no longer type the enterprise's rating in after a phone call.
    desk.act(demand, expect=422, action="confirm", rating=4, note="电话回访：满意")
    confirmed = desk.act(demand, action="confirm", note="电话回访：企业认可答复")
    assert (confirmed["state"], confirmed["allowed_actions"]) == ("confirmed", [])
    assert "rating" not in confirmed["demand"]
    assert progress(console_hall, 1)["status"] == "completed"

    stats = desk.get(f"{DEMANDS}/stats")
    assert (stats["completion_rate"], stats["confirmed"], stats["open"]) == (1.0, 1, 0)
    # No rating until the enterprise gives one itself.
    assert (stats["average_rating"], stats["rating_counts"]["4"]) == (None, 0)
    assert desk.get(f"{DEMANDS}/{demand}")["rating"] is None
    assert (stats["reopened_count"], stats["overdue_count"]) == (1, 0)
    # The first answer counts for handling time, not the one after reopening.
    assert stats["avg_handling_days"] == 8.06

    # A double click on a closed demand changes nothing.
    desk.act(demand, expect=409, action="confirm")
    history = desk.get(f"{DEMANDS}/{demand}")["demand"]["history"]
    assert [(e["action"], e["to"], e["actor"]) for e in history][-3:] == [
        ("accept", "handling", "lin.helper"),
        ("reply", "replied", "lin.helper"),
        ("confirm", "confirmed", "lin.helper"),
    ]
    actions = [(a, o) for _, a, s, o in audit_rows(console_hall.server) if s == demand]
    assert actions == [
        ("demand.view", "ok"),
        ("demand.classify", "ok"),
        ("demand.dispatch", "ok"),
        ("demand.accept", "ok"),
        ("demand.reply", "ok"),
        ("demand.reopen", "ok"),
        ("demand.accept", "ok"),
        ("demand.reply", "ok"),
        ("demand.confirm", "ok"),
        ("demand.view", "ok"),
        ("demand.confirm", "not_allowed"),
        ("demand.view", "ok"),
    ]


def test_refusals_say_why(console_hall: ConsoleHall) -> None:
    desk = Desk(console_hall)
    demand = file_demand(console_hall, 2)
    desk.act(demand, expect=409, action="dispatch", department="tax")
    desk.act(demand, expect=422, action="classify", category="no_such_category")
    desk.act(demand, expect=422, action="teleport")
    desk.act(demand, action="classify", category="tax_services")
    desk.act(demand, expect=422, action="dispatch", department="no_such_department")
    desk.act(demand, expect=422, action="dispatch")
    desk.act(demand, action="dispatch", department="tax")
    desk.act(demand, action="return", note="不属于本部门")
    desk.act(demand, action="dispatch", department="tax")
    desk.act(demand, action="accept")
    desk.act(demand, action="reply", note="已答复")
    for rating in (0, 5, None):  # staff may not send a rating at all (FastAPI refuses it)
        desk.act(demand, expect=422, action="confirm", rating=rating)
    assert desk.get(f"{DEMANDS}/{demand}")["state"] == "replied"
    response = desk.session.get(f"{console_hall.url}{DEMANDS}/no-such-id", timeout=5)
    assert response.status_code == 404
    outcomes = [o for _, _, s, o in audit_rows(console_hall.server) if s == demand]
    assert outcomes.count("invalid") == 4 and outcomes.count("not_allowed") == 1


def test_filters_and_category_fallback(sqlite_hall: ConsoleHall) -> None:
    desk = Desk(sqlite_hall)
    first = file_demand(sqlite_hall, 3)
    second = file_demand(sqlite_hall, 4, demand_category="made_up")
    third = file_demand(sqlite_hall, 5, demand_category="government_services")
    assert desk.get(f"{DEMANDS}/{second}")["category"] == "other"
    # 政务服务 has 3 working days: due Thursday 26 November.
    assert desk.get(f"{DEMANDS}/{third}")["due_date"] == "2026-11-26"
    desk.act(first, action="classify", category="human_resources")
    by_state = desk.get(DEMANDS, state="classified")
    assert [i["id"] for i in by_state["items"]] == [first]
    by_category = desk.get(DEMANDS, category="other")
    assert [i["id"] for i in by_category["items"]] == [second]
    meta = desk.get(f"{DEMANDS}/meta")
    assert len(meta["categories"]) == 13
    assert {"id": "tax", "name_zh": "国家税务总局苏州高新技术产业开发区税务局"} in [
        {"id": d["id"], "name_zh": d["name_zh"]} for d in meta["departments"]
    ]
    # Friday 27th: only the 政务服务 one (due the 26th) is overdue.
    desk.at(dt.datetime(2026, 11, 27, 9, 0, tzinfo=CST))
    assert [i["id"] for i in desk.get(DEMANDS, overdue="true")["items"]] == [third]
    assert desk.get(f"{DEMANDS}/stats")["by_category"]["government_services"]["overdue"] == 1


def test_a_kiosk_clock_ahead_of_the_hall_cannot_shorten_the_deadline(
    sqlite_hall: ConsoleHall,
) -> None:
    desk = Desk(sqlite_hall)
    body = submission(
        "enterprise_demand",
        DEMAND_FORM,
        tracking_number="QH001-20261123-0009",
        created_at="2026-11-25T00:00:00+00:00",  # two days in the hall's future
    )
    assert post_submission(sqlite_hall.server, body).status_code == 201
    demand = desk.get(f"{DEMANDS}/{body['id']}")
    assert demand["received_at"].startswith("2026-11-23")
    desk.act(str(body["id"]), action="classify", category="human_resources")
