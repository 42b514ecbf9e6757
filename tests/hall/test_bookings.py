"""帮办代办 bookings at the front desk, against a real hall on SQLite and PostgreSQL.

A booking filing posted as a kiosk posts it becomes a ``requested`` slot on the walk-in's
preferred date (the morning); helpers list, confirm, move and cancel it; a stale version is
refused with who changed it and when; officers are refused; every action is audited.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

from hall.auth import StaffStore
from hall.store import SubmissionStore
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    PASSWORD,
    START,
    add_staff,
    audit_rows,
    cheap_hasher,
    login,
    post_submission,
    submission,
)
from tests.support.clock import FakeClock

BOOKING_FORM = {
    "enterprise_name": "苏州启航测试科技有限公司",
    "uscc": "91320505MA1XXXXX0X",
    "contact_name": "王小明",
    "mobile": "13912345678",
    "matter": "企业开办与用电报装一起办",
    "preferred_date": "2026-11-26",
}


def _book(hall: ConsoleHall, number: str, **form: str) -> str:
    body = submission("assisted_service_booking", {**BOOKING_FORM, **form}, tracking_number=number)
    assert post_submission(hall.server, body).status_code == 201
    return str(body["id"])


def _bookings(staff: requests.Session, hall: ConsoleHall, **query: str) -> list[dict[str, Any]]:
    answer = staff.get(hall.url + "/api/v1/desk/bookings", params=query, timeout=5)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _act(
    staff: requests.Session, hall: ConsoleHall, sub_id: str, **body: object
) -> requests.Response:
    return staff.post(f"{hall.url}/api/v1/desk/bookings/{sub_id}", json=body, timeout=5)


def test_a_booking_filing_becomes_a_requested_slot_and_is_worked(
    console_hall: ConsoleHall,
) -> None:
    add_staff(console_hall.server, "lin.helper")
    first = _book(console_hall, "QH001-20261123-0001")
    # No preferred date: the day it was filed (23 November in Suzhou), never a lost filing.
    second = _book(console_hall, "QH001-20261123-0002", preferred_date="")
    # Something else entirely: no booking.
    other = submission("company_startup_power", BUNDLE_FORM, tracking_number="QH001-20261123-0003")
    assert post_submission(console_hall.server, other).status_code == 201
    helper = login(console_hall.server, "lin.helper")

    listed = _bookings(helper, console_hall)
    assert [(b["submission_id"], b["slot_date"]) for b in listed] == [
        (second, "2026-11-23"),
        (first, "2026-11-26"),
    ]
    booking = listed[1]
    assert booking["tracking_number"] == "QH001-20261123-0001"
    assert booking["station_id"] == "QH001"
    assert booking["enterprise_name"] == BOOKING_FORM["enterprise_name"]
    assert (booking["slot_period"], booking["state"], booking["version"]) == ("am", "requested", 1)
    # The walk-in's contact details stay in the filing.
    assert BOOKING_FORM["mobile"] not in str(listed) and BOOKING_FORM["contact_name"] not in str(
        listed
    )
    assert [b["submission_id"] for b in _bookings(helper, console_hall, date="2026-11-26")] == [
        first
    ]

    confirmed = _act(helper, console_hall, first, action="confirm", version=1)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["version"] == 2
    assert confirmed.json()["updated_by"] == "lin.helper"

    moved = _act(
        helper,
        console_hall,
        first,
        action="move",
        version=2,
        slot_date="2026-11-27",
        slot_period="pm",
        note="企业来电改到周五下午",
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["slot_date"], moved.json()["slot_period"]) == ("2026-11-27", "pm")
    assert moved.json()["state"] == "confirmed" and moved.json()["note"] == "企业来电改到周五下午"

    cancelled = _act(helper, console_hall, second, action="cancel", version=1)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert [b["submission_id"] for b in _bookings(helper, console_hall, state="confirmed")] == [
        first
    ]
    # Nothing leaves cancelled.
    again = _act(helper, console_hall, second, action="confirm", version=2)
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "not_allowed"
    assert "已取消" in again.json()["detail"]["message_zh"]

    actions = [(a, s, o) for _, a, s, o in audit_rows(console_hall.server, subject_kind="booking")]
    assert actions == [
        ("booking.confirm", first, "ok"),
        ("booking.move", first, "ok"),
        ("booking.cancel", second, "ok"),
        ("booking.confirm", second, "not_allowed"),
    ]


def test_a_stale_version_says_who_changed_it_and_when(console_hall: ConsoleHall) -> None:
    add_staff(console_hall.server, "lin.helper")
    add_staff(console_hall.server, "zhou.helper")
    sub_id = _book(console_hall, "QH001-20261123-0001")
    lin = login(console_hall.server, "lin.helper")
    zhou = login(console_hall.server, "zhou.helper")

    assert _act(lin, console_hall, sub_id, action="confirm", version=1).status_code == 200
    stale = _act(zhou, console_hall, sub_id, action="cancel", version=1)
    assert stale.status_code == 409
    detail = stale.json()["detail"]
    assert detail["code"] == "changed" and detail["by"] == "lin.helper"
    # 09:00 in Suzhou on the fake clock's day, as the desk reads it.
    assert detail["message_zh"] == "该预约已被 lin.helper 于 2026-11-23 09:00 修改，请刷新后重试"
    assert detail["message_en"] == "Changed by lin.helper at 2026-11-23 09:00; reload and try again"
    assert _bookings(zhou, console_hall)[0]["state"] == "confirmed"


def test_two_helpers_at_once_one_wins(console_hall: ConsoleHall) -> None:
    """Both read version 1 and post together: exactly one action lands, never a lost update."""
    add_staff(console_hall.server, "lin.helper")
    add_staff(console_hall.server, "zhou.helper")
    sub_id = _book(console_hall, "QH001-20261123-0001")
    sessions = [login(console_hall.server, n) for n in ("lin.helper", "zhou.helper")]
    bodies = [
        {"action": "move", "version": 1, "slot_date": "2026-11-30"},
        {"action": "cancel", "version": 1},
    ]
    barrier = threading.Barrier(2)
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def go(i: int) -> None:
        barrier.wait()
        answer = _act(sessions[i], console_hall, sub_id, **bodies[i])
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(a.status_code for a in answers) == [200, 409]
    won = next(a for a in answers if a.status_code == 200).json()
    lost = next(a for a in answers if a.status_code == 409).json()["detail"]
    assert lost["code"] == "changed" and lost["by"] == won["updated_by"]
    final = _bookings(sessions[0], console_hall)[0]
    assert final["version"] == 2 and final["updated_by"] == won["updated_by"]


def test_bad_input_is_refused_with_words(console_hall: ConsoleHall) -> None:
    add_staff(console_hall.server, "lin.helper")
    sub_id = _book(console_hall, "QH001-20261123-0001")
    helper = login(console_hall.server, "lin.helper")

    long_note = _act(helper, console_hall, sub_id, action="confirm", version=1, note="字" * 2001)
    assert long_note.status_code == 422
    assert long_note.json()["detail"]["code"] == "note_too_long"
    assert "2000" in long_note.json()["detail"]["message_zh"]
    no_slot = _act(helper, console_hall, sub_id, action="move", version=1)
    assert no_slot.status_code == 422 and no_slot.json()["detail"]["code"] == "slot_required"
    missing = _act(helper, console_hall, "no-such-booking", action="cancel", version=1)
    assert missing.status_code == 404 and missing.json()["detail"]["code"] == "not_found"
    for body in (
        {"action": "approve", "version": 1},
        {"action": "move", "version": 1, "slot_date": "2026-02-30"},
        {"action": "move", "version": 1, "slot_period": "night"},
        {"action": "confirm", "version": "1"},
        {"action": "confirm", "version": 1, "extra": True},
    ):
        assert _act(helper, console_hall, sub_id, **body).status_code == 422, body
    assert (
        helper.get(
            console_hall.url + "/api/v1/desk/bookings", params={"state": "lost"}, timeout=5
        ).status_code
        == 422
    )
    # None of it changed the booking.
    assert _bookings(helper, console_hall)[0]["version"] == 1


def test_officers_and_strangers_are_refused(console_hall: ConsoleHall) -> None:
    store = SubmissionStore(console_hall.server.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            "li.officer", "officer", PASSWORD, "enterprise_service"
        )
    finally:
        store.close()
    sub_id = _book(console_hall, "QH001-20261123-0001")
    officer = login(console_hall.server, "li.officer")
    assert officer.get(console_hall.url + "/api/v1/desk/bookings", timeout=5).status_code == 403
    assert _act(officer, console_hall, sub_id, action="cancel", version=1).status_code == 403
    anonymous = requests.Session()
    assert anonymous.get(console_hall.url + "/api/v1/desk/bookings", timeout=5).status_code == 401
    add_staff(console_hall.server, "wu.supervisor", role="supervisor")
    supervisor = login(console_hall.server, "wu.supervisor")
    assert _bookings(supervisor, console_hall)[0]["state"] == "requested"
