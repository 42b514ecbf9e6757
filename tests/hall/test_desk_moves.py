"""Officers move parts at the filings desk, through a real hall (uvicorn, SQLite and PostgreSQL).

A bundle's part goes through its whole life and each move is an event (who, when, from, to,
reason, materials, notes); the deadline pauses while it waits for material and resumes later by
the working days waited, for that part only. Every illegal move and every piece of bad input is
refused with its code and both languages' messages, and writes nothing. Two officers moving the
same part at once: one wins, the other is told who and when, and no move is lost. An officer of
another department, a helper, or an officer reassigning gets 403 on every route; demands are
the demand loop's (409). The public progress shows the applicant-facing events only.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from hall.auth import StaffStore
from hall.desk_schema import part_events
from hall.store import SubmissionStore
from hall.tracking import parts
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    EV_FORM,
    PASSWORD,
    SECRETS,
    START,
    add_staff,
    audit_rows,
    cheap_hasher,
    login,
    post_submission,
    submission,
)
from tests.support.clock import FakeClock

BUNDLE = "company_startup_power"  # 企业开办 + 用电报装: market regulation, State Grid
FULL = "company_startup_full"  # three parts: market regulation, tax, social security
FULL_FORM = {
    "applicant_name": "王小明",
    "applicant_id_number": "320505199001011234",
    "mobile": "13912345678",
    "company_name": "苏州启航测试科技有限公司",
    "registered_capital": "100",
    "business_address": "苏州高新区科技城锦峰路8号",
    "employee_count": "5",
    "invoice_type": "general",
}
ITEMS = [{"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页"}]


def add_officer(hall: ConsoleHall, name: str, department: str) -> requests.Session:
    store = SubmissionStore(hall.server.db_path)
    try:
        staff = StaffStore(store.engine, FakeClock(START), cheap_hasher())
        staff.add(name, "officer", PASSWORD, department)
    finally:
        store.close()
    return login(hall.server, name)


def add_member(hall: ConsoleHall, name: str, role: str) -> requests.Session:
    add_staff(hall.server, name, role)
    return login(hall.server, name)


def file(hall: ConsoleHall, service: str, form: dict[str, str], number: str) -> str:
    body = submission(service, form, tracking_number=number)
    assert post_submission(hall.server, body).status_code == 201
    return str(body["id"])


def part_url(hall: ConsoleHall, sub: str, part: str, tail: str = "moves") -> str:
    return f"{hall.url}/api/v1/desk/parts/{sub}/{part}/{tail}"


def move(
    session: requests.Session, hall: ConsoleHall, sub: str, part: str, **body: Any
) -> requests.Response:
    return session.post(part_url(hall, sub, part), json=body, timeout=10)


def moved(
    session: requests.Session, hall: ConsoleHall, sub: str, part: str, **body: Any
) -> dict[str, Any]:
    response = move(session, hall, sub, part, **body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def in_db(hall: ConsoleHall) -> tuple[SubmissionStore, Connection]:
    store = SubmissionStore(hall.server.db_path)
    return store, store.engine.connect()


def part_row(hall: ConsoleHall, sub: str, part: str) -> Any:
    store, conn = in_db(hall)
    try:
        with conn:
            return conn.execute(
                select(parts).where(parts.c.submission_id == sub, parts.c.part_id == part)
            ).one()
    finally:
        store.close()


def event_rows(hall: ConsoleHall, sub: str, part: str | None = None) -> list[Any]:
    store, conn = in_db(hall)
    query = select(part_events).where(part_events.c.submission_id == sub)
    if part is not None:
        query = query.where(part_events.c.part_id == part)
    try:
        with conn:
            return list(conn.execute(query.order_by(part_events.c.seq)).all())
    finally:
        store.close()


def refusal(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message_zh"] and detail["message_en"], detail
    return detail


# --- a part's life -------------------------------------------------------------------------------


def test_a_bundle_part_lives_its_life_and_every_move_is_an_event(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    sub = file(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0001")
    market = add_officer(hall, "mei.market", "market_regulation")
    # Received Monday 23 November; the bundle promises 3 working days: Thursday the 26th.
    row = part_row(hall, sub, "company_registration")
    assert (row.status, row.version, row.due_on, row.station_id) == (
        "received", 1, "2026-11-26", "QH001",
    )  # fmt: skip
    assert (row.enterprise_name, row.uscc) == ("苏州启航测试科技有限公司", "")

    view = moved(market, hall, sub, "company_registration", to="accepted", version=1)
    assert (view["status"], view["version"], view["mine"]) == ("accepted", 2, True)
    assert (view["name_zh"], view["department_name_zh"]) == (
        "企业设立登记",
        "苏州高新区市场监督管理局",
    )
    assert (view["due_on"], view["working_days_left"], view["overdue"]) == ("2026-11-26", 3, False)
    moved(market, hall, sub, "company_registration", to="in_review", version=2)
    view = moved(
        market, hall, sub, "company_registration", to="needs_more", version=3, items=ITEMS,
        note_zh="请补交盖章页", note_en="Please hand in the stamped page",
    )  # fmt: skip
    assert (view["status"], view["paused"], view["overdue"]) == ("needs_more", True, False)
    assert part_row(hall, sub, "company_registration").paused_since is not None

    # Two working days later (Wednesday) the material comes: the deadline moves from Thursday
    # the 26th by two working days, to Monday the 30th. The State Grid's part never paused.
    hall.clock.advance(timedelta(days=2))
    market = login(hall.server, "mei.market")  # a new day, a new session
    view = moved(market, hall, sub, "company_registration", to="in_review", version=4)
    assert (view["due_on"], view["paused"]) == ("2026-11-30", False)
    assert part_row(hall, sub, "company_registration").paused_since is None
    grid = part_row(hall, sub, "power_connection")
    assert (grid.status, grid.due_on, grid.paused_since) == ("received", "2026-11-26", None)

    moved(market, hall, sub, "company_registration", to="approved", version=5)
    moved(market, hall, sub, "company_registration", to="result_ready", version=6, delivery="ems")
    hall.clock.advance(timedelta(hours=3))
    market = login(hall.server, "mei.market")
    view = moved(market, hall, sub, "company_registration", to="closed", version=7)
    assert (view["status"], view["version"], view["overdue"]) == ("closed", 8, False)
    closed = part_row(hall, sub, "company_registration")
    assert (closed.closed_at, closed.updated_by) == (closed.updated_at, "mei.market")

    events = [
        (e.actor, e.from_status, e.to_status, e.reason, e.items, e.public_note_zh)
        for e in event_rows(hall, sub)
    ]
    asked = json.dumps(ITEMS, ensure_ascii=False)
    assert events == [
        ("mei.market", "received", "accepted", "", None, ""),
        ("mei.market", "accepted", "in_review", "", None, ""),
        ("mei.market", "in_review", "needs_more", "", asked, "请补交盖章页"),
        ("mei.market", "needs_more", "in_review", "", None, ""),
        ("mei.market", "in_review", "approved", "", None, ""),
        ("mei.market", "approved", "result_ready", "ems", None, ""),
        ("mei.market", "result_ready", "closed", "", None, ""),
    ]
    times = [e.at for e in event_rows(hall, sub)]
    assert times[0].startswith("2026-11-23T01:00") and times[3].startswith("2026-11-25T01:00")
    assert times[-1].startswith("2026-11-25T04:00")
    # The answer lists the same history, with who moved it (staff see that; the public never).
    assert [(e["actor"], e["to"]) for e in view["events"]][2] == ("mei.market", "needs_more")
    assert view["events"][2]["items"] == ITEMS

    # The public progress (the number alone): each move's status and time, nobody's name, no
    # personal data, not even what the 补正 asks for (the receipt's token shows that:
    # tests/hall/test_applicant_view.py).
    number = "QH001-20261123-0001"
    response = requests.get(f"{hall.url}/api/v1/progress/{number}", timeout=5)
    doc = response.json()
    company, power = doc["parts"]
    assert [e["status"] for e in company["events"]] == [
        "accepted", "in_review", "needs_more", "in_review", "approved", "result_ready", "closed",
    ]  # fmt: skip
    assert company["events"][2] == {"status": "needs_more", "at": times[2]}
    assert company["events"][5]["delivery"] == "ems"
    assert "events" not in power and power["status"] == "received"
    page = requests.get(f"{hall.url}/progress/{number}", timeout=5).text
    for text in (response.text, page):
        assert "mei.market" not in text
        for secret in (*SECRETS, "租赁合同缺少出租方盖章页", "请补交盖章页", "premises_proof"):
            assert secret not in text
    assert "办理结果将通过 EMS 政务专递寄出" in page


def test_rejections_need_a_reason_end_the_part_and_keep_the_reason_internal(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    sub = file(hall, FULL, FULL_FORM, "QH001-20261123-0002")
    boss = add_member(hall, "wu.super", "supervisor")
    for blank in ({}, {"reason": "   "}):
        refusal(
            move(boss, hall, sub, "company_registration", to="not_accepted", version=1, **blank),
            422,
            "reason_required",
        )
    view = moved(
        boss, hall, sub, "company_registration", to="not_accepted", version=1,
        reason="名称与在册企业重复（内部核查记录 17 号）", note_zh="企业名称已被占用",
        note_en="The company name is taken",
    )  # fmt: skip
    assert view["status"] == "not_accepted"
    assert part_row(hall, sub, "company_registration").closed_at is not None
    detail = refusal(
        move(boss, hall, sub, "company_registration", to="accepted", version=2),
        409,
        "move_not_allowed",
    )
    assert (detail["from"], detail["to"]) == ("not_accepted", "accepted")

    moved(boss, hall, sub, "invoice_first_issue", to="accepted", version=1)
    moved(boss, hall, sub, "invoice_first_issue", to="in_review", version=2)
    refusal(
        move(boss, hall, sub, "invoice_first_issue", to="refused", version=3),
        422,
        "reason_required",
    )
    moved(
        boss, hall, sub, "invoice_first_issue", to="refused", version=3,
        reason="经营范围不含开票事项，内部风险评级 C",
    )  # fmt: skip
    assert [(e.to_status, e.reason) for e in event_rows(hall, sub)] == [
        ("not_accepted", "名称与在册企业重复（内部核查记录 17 号）"),
        ("accepted", ""),
        ("in_review", ""),
        ("refused", "经营范围不含开票事项，内部风险评级 C"),
    ]
    doc = requests.get(f"{hall.url}/api/v1/progress/QH001-20261123-0002", timeout=5)
    assert "内部核查记录" not in doc.text and "风险评级" not in doc.text
    company = doc.json()["parts"][0]
    # The number alone: the status; the public note is the token holder's (the phone page).
    assert company["events"] == [{"status": "not_accepted", "at": company["events"][0]["at"]}]
    assert "企业名称已被占用" not in doc.text


# The contract's moves, written out (not read from hall.part_model).
LEGAL = {
    "received": {"accepted", "not_accepted"},
    "accepted": {"in_review"},
    "in_review": {"needs_more", "approved", "refused"},
    "needs_more": {"in_review"},
    "approved": {"result_ready"},
    "result_ready": {"closed"},
    "not_accepted": set(),
    "refused": set(),
    "closed": set(),
}
WITH_ALL = {"reason": "理由", "items": ITEMS, "delivery": "pickup"}


def test_every_illegal_move_is_refused_with_from_and_to(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file(hall, FULL, FULL_FORM, "QH001-20261123-0003")
    boss = add_member(hall, "wu.super", "supervisor")
    version = {
        "company_registration": 1,
        "invoice_first_issue": 1,
        "social_insurance_registration": 1,
    }

    def try_all_illegal(part: str, status: str) -> None:
        before = len(event_rows(hall, sub))
        for to in sorted(set(LEGAL) - LEGAL[status]):
            detail = refusal(
                move(boss, hall, sub, part, to=to, version=version[part], **WITH_ALL),
                409,
                "move_not_allowed",
            )
            assert (detail["from"], detail["to"]) == (status, to)
        assert len(event_rows(hall, sub)) == before
        assert part_row(hall, sub, part).version == version[part]

    def go(part: str, to: str) -> None:
        moved(boss, hall, sub, part, to=to, version=version[part], **WITH_ALL)
        version[part] += 1

    path = [
        "accepted",
        "in_review",
        "needs_more",
        "in_review",
        "approved",
        "result_ready",
        "closed",
    ]
    status = "received"
    for to in path:
        try_all_illegal("company_registration", status)
        go("company_registration", to)
        status = to
    try_all_illegal("company_registration", "closed")
    go("invoice_first_issue", "not_accepted")
    try_all_illegal("invoice_first_issue", "not_accepted")
    for to in ("accepted", "in_review", "refused"):
        go("social_insurance_registration", to)
    try_all_illegal("social_insurance_registration", "refused")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"to": "teleported"}, 422, "unknown_status"),
        ({"to": "needs_more"}, 422, "items_required"),
        ({"to": "needs_more", "items": []}, 422, "items_required"),
        ({"to": "needs_more", "items": [{"material": "id_card", "reason": " "}]}, 422,
         "items_required"),
        ({"to": "needs_more", "items": [{"material": "moon_rock", "reason": "缺"}]}, 422,
         "unknown_material"),
        ({"to": "needs_more", "items": ITEMS, "note_zh": "字" * 2001}, 422, "note_too_long"),
        ({"to": "needs_more", "items": ITEMS, "note_en": "x" * 2001}, 422, "note_too_long"),
        ({"to": "refused", "reason": "x" * 2001}, 422, "note_too_long"),
        ({"to": "approved", "version": 2}, 409, "changed"),
        ({"to": "approved", "version": 99}, 409, "changed"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_translated_message_and_writes_nothing(
    sqlite_hall: ConsoleHall, body: dict[str, Any], status: int, code: str
) -> None:
    hall = sqlite_hall
    sub = file(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0004")
    market = add_officer(hall, "mei.market", "market_regulation")
    moved(market, hall, sub, "company_registration", to="accepted", version=1)
    moved(market, hall, sub, "company_registration", to="in_review", version=2)
    refusal(move(market, hall, sub, "company_registration", **{"version": 3, **body}), status, code)
    assert part_row(hall, sub, "company_registration").version == 3
    assert len(event_rows(hall, sub)) == 2
    # A note of exactly the limit is taken.
    ok = moved(
        market, hall, sub, "company_registration", to="needs_more", version=3, items=ITEMS,
        note_zh="字" * 2000,
    )  # fmt: skip
    assert ok["events"][-1]["note_zh"] == "字" * 2000


def test_bodies_that_do_not_parse_and_unknown_parts(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0005")
    boss = add_member(hall, "wu.super", "supervisor")
    for body in ({"to": "accepted"}, {"to": "accepted", "version": "1"}, {"version": 1},
                 {"to": "accepted", "version": 1, "by": "someone"}):  # fmt: skip
        assert move(boss, hall, sub, "company_registration", **body).status_code == 422
    refusal(move(boss, hall, sub, "no_such_part", to="accepted", version=1), 404, "not_found")
    refusal(move(boss, hall, "0" * 500, "x" * 500, to="accepted", version=1), 404, "not_found")
    refusal(
        move(boss, hall, sub, "company_registration", to="result_ready", version=1),
        409,
        "move_not_allowed",
    )
    assert event_rows(hall, sub) == []


# --- two officers at once ------------------------------------------------------------------------


def race(
    sessions: dict[str, requests.Session], hall: ConsoleHall, sub: str, part: str, **body: Any
) -> dict[str, requests.Response]:
    """Each session posts the same move at the same moment (threads behind a barrier)."""
    start = threading.Barrier(len(sessions))
    answers: dict[str, requests.Response] = {}

    def post(name: str) -> None:
        start.wait()
        answers[name] = move(sessions[name], hall, sub, part, **body)

    threads = [threading.Thread(target=post, args=(name,)) for name in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


def test_two_officers_moving_one_part_at_once_one_wins_and_nothing_is_lost(
    console_hall: ConsoleHall, caplog: pytest.LogCaptureFixture
) -> None:
    hall = console_hall
    caplog.set_level(logging.INFO, logger="hall.desk_moves")
    sub = file(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0006")
    officers = {
        "zhou.grid": add_officer(hall, "zhou.grid", "state_grid"),
        "qian.grid": add_officer(hall, "qian.grid", "state_grid"),
    }
    # The accept move holds its transaction open a moment (a hook in it, as forwarding's is),
    # so the second officer's move meets the first one's uncommitted row: the lost update the
    # version check exists for (on PostgreSQL at the update itself, see below).
    desk = hall.server.app.state.desk
    desk.accepted_hooks.append(lambda conn, sub_id, part, dep: threading.Event().wait(0.3))
    postgres = str(hall.server.db_path).startswith("postgresql")
    rounds: list[dict[str, Any]] = [
        {"to": "accepted"},
        {"to": "in_review"},
        {"to": "needs_more", "items": [{"material": "id_card", "reason": "复印件不清晰"}]},
        {"to": "in_review"},
        {"to": "approved"},
    ]
    for version, body in enumerate(rounds, start=1):
        answers = race(officers, hall, sub, "power_connection", version=version, **body)
        codes = sorted(r.status_code for r in answers.values())
        assert codes == [200, 409], {n: r.text for n, r in answers.items()}
        winner = next(n for n, r in answers.items() if r.status_code == 200)
        loser = next(n for n in officers if n != winner)
        detail = refusal(answers[loser], 409, "changed")
        row = part_row(hall, sub, "power_connection")
        assert (row.version, row.status, row.updated_by) == (version + 1, body["to"], winner)
        assert (detail["by"], detail["at"]) == (winner, row.updated_at)
        assert f"已被 {winner} 于" in detail["message_zh"]
        assert detail["message_en"].startswith(f"Changed by {winner} at ")
        if version == 1 and postgres:
            # The loser's update met the winner's open transaction (row locks: its auth and read
            # went ahead). On SQLite writers queue for one lock: the loser may wait out the
            # winner there and be refused at its read instead — the same 409, checked above.
            assert "another move committed first" in caplog.text
    events = event_rows(hall, sub, "power_connection")
    assert [e.to_status for e in events] == [r["to"] for r in rounds]
    store, conn = in_db(hall)
    try:
        with conn:
            count = conn.execute(select(func.count()).select_from(part_events)).scalar_one()
    finally:
        store.close()
    assert count == len(rounds)


# --- who may act ---------------------------------------------------------------------------------


def test_only_the_parts_department_or_a_supervisor_may_act_on_every_route(
    sqlite_hall: ConsoleHall,
) -> None:
    hall = sqlite_hall
    sub = file(hall, "ev_charging_pile", EV_FORM, "QH001-20261123-0007")
    market = add_officer(hall, "mei.market", "market_regulation")
    grid = add_officer(hall, "zhou.grid", "state_grid")
    housing = add_officer(hall, "he.housing", "housing_construction")
    helper = add_member(hall, "lin.helper", "helper")
    boss = add_member(hall, "wu.super", "supervisor")
    step = part_url(hall, sub, "power_supply", "steps/site_survey")
    reassign = part_url(hall, sub, "power_supply", "reassign")
    move_url = part_url(hall, sub, "power_supply")
    calls = [
        (move_url, {"to": "accepted", "version": 1}),
        (step, {"status": "done", "version": 1}),
        (reassign, {"department": "market_regulation", "version": 1, "reason": "转交"}),
    ]
    for session in (market, housing, helper):
        for url, body in calls:
            assert session.post(url, json=body, timeout=5).status_code == 403, (url, body)
    refused = audit_rows(hall.server, subject_kind="part")
    assert ("mei.market", "auth.refused", f"{sub}/power_supply", "other_department") in refused
    assert (
        "he.housing",
        "auth.refused",
        f"{sub}/power_supply/site_survey",
        "other_department",
    ) in (refused)
    # Not one of those wrote anything.
    assert part_row(hall, sub, "power_supply").version == 1 and event_rows(hall, sub) == []

    # The State Grid's officer works their part but may not hand it on; a supervisor may.
    assert grid.post(move_url, json=calls[0][1], timeout=5).status_code == 200
    assert grid.post(step, json={"status": "done", "version": 2}, timeout=5).status_code == 200
    body = {"department": "housing_construction", "version": 3, "reason": "属于小区内部配套"}
    assert grid.post(reassign, json=body, timeout=5).status_code == 403
    for bad, code, status in (
        ({**body, "department": "treasury"}, "unknown_department", 422),
        ({**body, "reason": " "}, "reason_required", 422),
        ({**body, "department": "state_grid"}, "move_not_allowed", 409),
        ({**body, "version": 2}, "changed", 409),
    ):
        refusal(boss.post(reassign, json=bad, timeout=5), status, code)
    view = boss.post(reassign, json=body, timeout=5).json()
    assert (view["department"], view["version"], view["status"]) == (
        "housing_construction", 4, "accepted",
    )  # fmt: skip
    assert view["events"][-1]["reason"] == "state_grid → housing_construction: 属于小区内部配套"
    # Now it is the housing officer's, and no longer the State Grid's.
    assert grid.post(move_url, json={"to": "in_review", "version": 4}, timeout=5).status_code == 403
    assert (
        housing.post(move_url, json={"to": "in_review", "version": 4}, timeout=5).status_code == 200
    )
    # A supervisor moves any department's part.
    assert moved(boss, hall, sub, "property_consent", to="accepted", version=1)["mine"] is True
    # The reassignment is no step of the applicant's: the public history skips it.
    doc = requests.get(f"{hall.url}/api/v1/progress/QH001-20261123-0007", timeout=5).json()
    power = next(p for p in doc["parts"] if p["id"] == "power_supply")
    assert [e["status"] for e in power["events"]] == ["accepted", "in_review"]


def test_demands_are_the_demand_loops(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file(hall, "enterprise_demand", DEMAND_FORM, "QH001-20261123-0008")
    boss = add_member(hall, "wu.super", "supervisor")
    refusal(move(boss, hall, sub, "demand_handling", to="accepted", version=1), 409, "managed")
    assert event_rows(hall, sub) == []


def test_catalog_steps_move_under_the_parts_version(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file(hall, "ev_charging_pile", EV_FORM, "QH001-20261123-0009")
    hall.clock.advance(timedelta(days=1))
    grid = add_officer(hall, "zhou.grid", "state_grid")
    url = part_url(hall, sub, "power_supply", "steps/site_survey")
    view = grid.post(url, json={"status": "done", "version": 1}, timeout=5).json()
    assert view["version"] == 2
    assert [(s["id"], s["status"]) for s in view["steps"]] == [
        ("application_acceptance", "pending"), ("site_survey", "done"),
        ("meter_connection", "pending"),
    ]  # fmt: skip
    assert view["steps"][1]["updated_at"].startswith("2026-11-24")
    refusal(grid.post(url, json={"status": "pending", "version": 1}, timeout=5), 409, "changed")
    refusal(
        grid.post(url, json={"status": "done", "version": 2}, timeout=5), 409, "move_not_allowed"
    )
    refusal(
        grid.post(url, json={"status": "flying", "version": 2}, timeout=5), 422, "unknown_status"
    )
    missing = part_url(hall, sub, "power_supply", "steps/no_such_step")
    refusal(grid.post(missing, json={"status": "done", "version": 2}, timeout=5), 404, "not_found")
    doc = requests.get(f"{hall.url}/api/v1/progress/QH001-20261123-0009", timeout=5).json()
    power = next(p for p in doc["parts"] if p["id"] == "power_supply")
    assert power["steps"][1]["status"] == "done" and power["status"] == "received"
    assert ("zhou.grid", "part.step", f"{sub}/power_supply/site_survey", "received") in audit_rows(
        hall.server, subject_kind="part"
    )


def test_the_accept_move_runs_its_hooks_inside_its_transaction(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0010")
    market = add_officer(hall, "mei.market", "market_regulation")
    seen: list[tuple[str, str, str, str]] = []

    def hook(conn: Connection, sub_id: str, part: str, department: str) -> None:
        # Inside the move: the part already reads accepted on the move's own connection.
        status = conn.execute(
            select(parts.c.status).where(parts.c.submission_id == sub_id, parts.c.part_id == part)
        ).scalar_one()
        seen.append((sub_id, part, department, status))
        if len(seen) == 1:
            raise RuntimeError("the department system's queue is unavailable")

    hall.server.app.state.desk.accepted_hooks.append(hook)
    failed = move(market, hall, sub, "company_registration", to="accepted", version=1)
    assert failed.status_code == 500
    # The hook failed, so the move did not happen at all.
    assert part_row(hall, sub, "company_registration").status == "received"
    assert event_rows(hall, sub) == []
    moved(market, hall, sub, "company_registration", to="accepted", version=1)
    moved(market, hall, sub, "company_registration", to="in_review", version=2)
    assert seen == [(sub, "company_registration", "market_regulation", "accepted")] * 2
