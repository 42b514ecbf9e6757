"""The part model on its own: the moves the contract allows (written out here, not read from the
model), what each move must carry, the deadline's pause and resume over the holiday calendar,
and what of a move the applicant sees."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hall import part_model
from hall.demand_content import load_calendar
from hall.part_model import MaterialRequest, Move, MoveRefused

# The contract (docs/hall.md, "The part model"), independent of hall.part_model.MOVES.
LEGAL = {
    ("received", "accepted"),
    ("received", "not_accepted"),
    ("accepted", "in_review"),
    ("in_review", "needs_more"),
    ("in_review", "approved"),
    ("in_review", "refused"),
    ("needs_more", "in_review"),
    ("approved", "result_ready"),
    ("result_ready", "closed"),
}
STATUSES = (
    "received", "accepted", "not_accepted", "in_review", "needs_more", "approved", "refused",
    "result_ready", "closed",
)  # fmt: skip
CST = dt.timezone(dt.timedelta(hours=8))


def complete(to: str) -> Move:
    """A move to ``to`` carrying everything any move may need."""
    return Move(
        to,
        reason="材料不全",
        items=(MaterialRequest("id_card", "复印件不清晰"),),
        delivery="pickup",
    )


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("to", STATUSES)
def test_only_the_contracts_moves_are_allowed(current: str, to: str) -> None:
    if (current, to) in LEGAL:
        assert part_model.check_move(current, complete(to)).to == to
        return
    with pytest.raises(MoveRefused) as refused:
        part_model.check_move(current, complete(to))
    assert refused.value.status == 409
    detail = refused.value.detail()
    assert (detail["code"], detail["from"], detail["to"]) == ("move_not_allowed", current, to)
    assert (
        detail["message_zh"].startswith("不能从")
        and current.replace("_", " ") in (detail["message_en"])
    )


def test_the_open_and_done_statuses_split_every_status() -> None:
    assert set(STATUSES) == part_model.OPEN | part_model.DONE
    assert not part_model.OPEN & part_model.DONE
    assert {"not_accepted", "refused", "closed"} == part_model.DONE
    tabs = part_model.TABS
    assert set().union(*tabs.values()) == set(STATUSES)


@pytest.mark.parametrize(
    ("current", "move", "code", "status"),
    [
        ("received", Move("teleported"), "unknown_status", 422),
        ("received", Move("not_accepted"), "reason_required", 422),
        ("received", Move("not_accepted", reason=" \n "), "reason_required", 422),
        ("in_review", Move("refused"), "reason_required", 422),
        ("in_review", Move("needs_more"), "items_required", 422),
        ("in_review", Move("needs_more", items=(MaterialRequest("id_card", " "),)),
         "items_required", 422),
        ("in_review", Move("needs_more", items=(MaterialRequest("moon_rock", "缺"),)),
         "unknown_material", 422),
        ("approved", Move("result_ready"), "delivery_required", 422),
        ("approved", Move("result_ready", delivery="pigeon"), "delivery_required", 422),
        ("received", Move("accepted", note_zh="字" * 2001), "note_too_long", 422),
        ("received", Move("not_accepted", reason="x" * 2001), "note_too_long", 422),
        # An unknown status is named as such even from a done status.
        ("closed", Move("reopened"), "unknown_status", 422),
    ],
)  # fmt: skip
def test_a_move_missing_what_it_must_carry_is_refused(
    current: str, move: Move, code: str, status: int
) -> None:
    with pytest.raises(MoveRefused) as refused:
        part_model.check_move(current, move, materials={"id_card", "premises_proof"})
    assert (refused.value.code, refused.value.status) == (code, status)
    assert refused.value.message_zh and refused.value.message_en


def test_a_note_of_exactly_the_limit_is_taken_and_texts_are_trimmed() -> None:
    moved = part_model.check_move(
        "received", Move("accepted", note_zh="字" * 2000, note_en="  ok  ", reason="  r ")
    )
    assert (len(moved.note_zh), moved.note_en, moved.reason) == (2000, "ok", "r")
    ready = part_model.check_move("approved", Move("result_ready", delivery="ems"))
    assert (ready.reason, ready.delivery) == ("ems", "ems")
    # Materials are only kept on a 补正.
    assert part_model.check_move("received", complete("accepted")).items == ()


def test_steps_move_while_the_part_is_open() -> None:
    part_model.check_step("accepted", "pending", "done")
    for to, code in (("teleported", "unknown_status"), ("pending", "move_not_allowed")):
        with pytest.raises(MoveRefused) as refused:
            part_model.check_step("accepted", "pending", to)
        assert refused.value.code == code
    with pytest.raises(MoveRefused) as refused:
        part_model.check_step("closed", "pending", "done")
    assert refused.value.code == "move_not_allowed"


def test_the_deadline_counts_working_days_of_the_calendar() -> None:
    calendar = load_calendar()
    # Received on Monday 28 September 2026: 3 working days are the 29th, the 30th and — past
    # the National Day week — Thursday 8 October.
    received = dt.datetime(2026, 9, 28, 15, 30, tzinfo=dt.UTC)
    assert part_model.due_on(received, 3, calendar) == dt.date(2026, 10, 8)
    # 20:00 UTC on the 29th is already the 30th in Suzhou: the next working day is 8 October.
    late = dt.datetime(2026, 9, 29, 20, 0, tzinfo=dt.UTC)
    assert part_model.due_on(late, 1, calendar) == dt.date(2026, 10, 8)


def test_a_pause_moves_the_deadline_by_the_working_days_waited() -> None:
    calendar = load_calendar()
    due = dt.date(2026, 11, 26)  # a Thursday
    paused = "2026-11-23T01:00:00.000+00:00"  # Monday
    wednesday = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)
    assert part_model.resumed_due_on(due, paused, wednesday, calendar) == dt.date(2026, 11, 30)
    same_day = dt.datetime(2026, 11, 23, 17, 0, tzinfo=CST)
    assert part_model.resumed_due_on(due, paused, same_day, calendar) == due
    # A weekend waited costs nothing: Friday to Sunday is 0 working days.
    friday = "2026-11-27T02:00:00.000+00:00"
    sunday = dt.datetime(2026, 11, 29, 10, 0, tzinfo=CST)
    assert part_model.resumed_due_on(due, friday, sunday, calendar) == due


def test_time_left_and_overdue() -> None:
    calendar = load_calendar()
    today = dt.date(2026, 11, 27)  # Friday
    left = part_model.deadline("in_review", "2026-11-30", None, today, calendar)
    assert (left.working_days_left, left.overdue, left.paused) == (1, False, False)
    late = part_model.deadline("in_review", "2026-11-25", None, today, calendar)
    assert (late.working_days_left, late.overdue) == (-2, True)
    # Waiting for material, or done: never overdue.
    assert not part_model.deadline("needs_more", "2026-11-25", "x", today, calendar).overdue
    assert part_model.deadline("needs_more", "2026-11-25", "x", today, calendar).paused
    assert not part_model.deadline("closed", "2026-11-25", None, today, calendar).overdue
    assert part_model.deadline("received", None, None, today, calendar).due_on is None


def test_the_applicant_sees_the_move_but_not_who_or_why_internally() -> None:
    items = json.dumps([{"material": "id_card", "reason": "复印件不清晰"}], ensure_ascii=False)
    asked = part_model.public_event(
        "in_review", "needs_more", "2026-11-23T01:00:00.000+00:00", items, "请补交", "Hand in",
        "internal: officer thinks the copy is forged",
    )  # fmt: skip
    assert asked == {
        "status": "needs_more",
        "at": "2026-11-23T01:00:00.000+00:00",
        "note_zh": "请补交",
        "note_en": "Hand in",
        "items": [{"material": "id_card", "reason": "复印件不清晰"}],
    }
    refused = part_model.public_event("in_review", "refused", "t", None, "", "", "secret why")
    assert refused == {"status": "refused", "at": "t"}
    ready = part_model.public_event("approved", "result_ready", "t", None, "", "", "ems")
    assert ready == {"status": "result_ready", "at": "t", "delivery": "ems"}
    # A reassignment is no move of the applicant's filing.
    assert part_model.public_event("accepted", "accepted", "t", None, "", "", "x → y") is None


def test_changed_names_who_and_when_in_the_district_time() -> None:
    detail = part_model.changed("zhou.grid", "2026-11-23T01:05:00.000+00:00").detail()
    assert detail["code"] == "changed"
    assert (detail["by"], detail["at"]) == ("zhou.grid", "2026-11-23T01:05:00.000+00:00")
    assert detail["message_zh"] == "此事项已被 zhou.grid 于 2026-11-23 09:05 修改，请刷新后重试"
    assert detail["message_en"] == "Changed by zhou.grid at 2026-11-23 09:05; reload and try again"
