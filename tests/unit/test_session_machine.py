"""The session state chart: every transition, a timeout in each state, and the wipe on each path."""

from __future__ import annotations

import datetime as dt

import pytest
from statemachine.exceptions import TransitionNotAllowed

from drivers.card_reader.base import Identity
from kiosk.session.context import AssistRef, SessionContext
from kiosk.session.machine import ACTIVE_STATES, SessionMachine

# The shortest event path from idle to each state.
PATHS: dict[str, list[str]] = {
    "idle": [],
    "identifying": ["started"],
    "choosing_service": ["started", "card_read"],
    "filling_form": ["started", "card_read", "service_chosen"],
    "capturing": ["started", "card_read", "service_chosen", "capture_opened"],
    "consulting": ["started", "identity_skipped", "consult_opened"],
    "supplementing": ["started", "identity_skipped", "supplement_opened"],
    "rating": ["started", "card_read", "rating_offered"],
    "choosing_enterprise": ["started", "card_read", "enterprise_opened"],
    "browsing_archive": ["started", "card_read", "archive_opened"],
    "reviewing": ["started", "card_read", "service_chosen", "form_completed"],
    "addressing": ["started", "card_read", "service_chosen", "form_completed", "address_opened"],
    "submitting": ["started", "card_read", "service_chosen", "form_completed", "confirmed"],
    "printing": ["started", "card_read", "service_chosen", "form_completed", "confirmed", "queued"],
    "error": ["started", "failed"],
}


def machine_in(state: str) -> SessionMachine:
    ctx = SessionContext()
    machine = SessionMachine(ctx)
    for event in PATHS[state]:
        machine.send(event)
    # Personal data as a session would hold it by now.
    ctx.identity = Identity(
        name="张三丰", id_number="11010519491231002X", birth_date=dt.date(1949, 12, 31)
    )
    ctx.values = {"applicant_name": "张三丰", "mobile": "13912345678"}
    ctx.helper_filled.add("mobile")
    ctx.assisted_by = AssistRef(helper="林帮办", session_id="3f0c1a52-assist")
    ctx.tracking_number = "SND-1-20261127-0001"
    ctx.attachments = {"premises_proof": bytearray(b"\xff\xd8 a lease contract photo")}
    ctx.consult.kind = "policies"
    ctx.consult.query = "SND-1-20261120-0007"
    ctx.consult.profile = {"uscc": "91320505MA1MXXXX1X", "capital": "500"}
    ctx.consult.certifications.add("high_tech")
    ctx.supplement.query = "SND-1-20261120-0007"
    ctx.supplement.token = "Rk3v9QpZtW2xY7bN4mC8sA"
    ctx.supplement.waiting.append({"part_id": "company_registration", "items": []})
    ctx.delivery.method = "ems"
    ctx.delivery.street = "狮山路88号"
    ctx.delivery.recipient = "王芳"
    ctx.delivery.mobile = "13912345678"
    ctx.delivery.errors["city"] = "required"
    ctx.supplement.photos = {"premises_proof": bytearray(b"\xff\xd8 the stamped lease page")}
    return machine


def all_transitions() -> list[tuple[str, str, str]]:
    out = []
    for state in SessionMachine.states:
        if state.id == "wiping":  # momentary: left on entry, covered by every wipe test
            continue
        for transition in state.transitions:
            for event in transition.events:
                out.append((state.id, str(event), transition.target.id))
    return out


def test_every_state_is_reachable_by_the_paths() -> None:
    assert set(PATHS) == {s.id for s in SessionMachine.states} - {"wiping"}


@pytest.mark.parametrize(("source", "event", "target"), all_transitions())
def test_every_transition(source: str, event: str, target: str) -> None:
    machine = machine_in(source)
    machine.send(event)
    expected = "idle" if target == "wiping" else target
    assert machine.state_id == expected
    if target == "wiping":
        assert machine.context.is_empty()


@pytest.mark.parametrize("state", sorted(ACTIVE_STATES))
def test_timeout_in_each_state_wipes_and_returns_to_idle(state: str) -> None:
    machine = machine_in(state)
    assert not machine.context.is_empty()
    machine.send("timed_out")
    assert machine.state_id == "idle"
    assert machine.context.is_empty()
    assert machine.context.identity is None


@pytest.mark.parametrize("state", sorted(ACTIVE_STATES))
def test_cancel_in_each_state_wipes(state: str) -> None:
    machine = machine_in(state)
    machine.send("cancelled")
    assert machine.state_id == "idle"
    assert machine.context.is_empty()


@pytest.mark.parametrize("state", sorted(ACTIVE_STATES - {"error"}))
def test_failure_in_each_state_shows_the_error_screen_then_wipes(state: str) -> None:
    machine = machine_in(state)
    machine.send("failed")
    assert machine.state_id == "error"
    machine.send("acknowledged")
    assert machine.state_id == "idle"
    assert machine.context.is_empty()


def test_done_path_wipes() -> None:
    machine = machine_in("printing")
    machine.send("finished")
    assert machine.state_id == "idle"
    assert machine.context.is_empty()


@pytest.mark.parametrize("event", ["card_read", "confirmed", "queued", "finished", "timed_out"])
def test_stray_events_in_idle_are_rejected_loudly(event: str) -> None:
    machine = machine_in("idle")
    with pytest.raises(TransitionNotAllowed):
        machine.send(event)


def test_context_repr_hides_personal_data() -> None:
    machine = machine_in("filling_form")
    text = repr(machine.context) + repr(machine.context.identity)
    assert "张三丰" not in text and "11010519491231002X" not in text


def test_wipe_zeroes_captured_photos() -> None:
    ctx = SessionContext()
    photo = bytearray(b"\xff\xd8 jpeg bytes of a lease contract")
    ctx.attachments["premises_proof"] = photo
    ctx.wipe()
    assert photo == bytearray(len(photo)) and ctx.attachments == {}


def test_wipe_zeroes_the_supplements_photos_in_place() -> None:
    ctx = SessionContext()
    photo = bytearray(b"\xff\xd8 the stamped lease page")
    ctx.supplement.photos["premises_proof"] = photo
    waiting = ctx.supplement.waiting
    waiting.append({"part_id": "company_registration"})
    ctx.wipe()
    assert photo == bytearray(len(photo)) and waiting == []
    assert ctx.is_empty()


def test_consultation_wipe_clears_containers_in_place() -> None:
    ctx = SessionContext()
    ctx.consult.kind = "policies"
    profile, certifications = ctx.consult.profile, ctx.consult.certifications
    profile["capital"] = "500"
    certifications.add("high_tech")
    ctx.wipe()
    assert profile == {} and certifications == set()
    assert ctx.is_empty()


def test_consulting_is_reached_without_a_card_and_left_for_the_service_home() -> None:
    machine = machine_in("consulting")
    machine.send("consult_closed")
    assert machine.state_id == "choosing_service"
    with pytest.raises(TransitionNotAllowed):
        machine.send("consult_closed")  # only from consulting


def test_wipe_clears_containers_in_place() -> None:
    ctx = SessionContext()
    values = ctx.values
    values["name"] = "张三丰"
    ctx.wipe()
    assert values == {}  # an alias held elsewhere sees the wipe too
