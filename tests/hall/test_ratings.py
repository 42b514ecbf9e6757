"""好差评 against a real hall (uvicorn; SQLite and PostgreSQL), moved through time by a fake clock.

The enterprise rates a closed part through its receipt's token: once per part, changeable for 7
days, then frozen. A 不满意 opens a rectification task for the part's department, due 15
working days later, which only that department's officers (and supervisors) see and work:
call-back first (who, when, what was agreed), then close. Supervisors see satisfaction rates per
department and per service. A station offers the card holder's pending ratings from a salted
digest of the ID number (never the number itself) in a signed body. Every bad input is a 4xx
with a reason in both languages.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

import requests
from hypothesis import given
from hypothesis import strategies as st

from contracts.ratings import holder_digest
from hall.ratings import RatingRefused, check_rating
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    EV_FORM,
    login,
    post_submission,
    signed_session,
    station_identity,
    submission,
)
from tests.hall.test_desk_moves import add_member, add_officer, moved

BUNDLE = "company_startup_power"  # market regulation + State Grid
NUMBER = "QH001-20261123-0001"
TOKEN = "Zq4v9XbT2mWc7LpR1sNd8e"
ID_NUMBER = BUNDLE_FORM["applicant_id_number"]
SCORES = {"overall": 2, "efficiency": 2, "skill": 3, "attitude": 3}


def file_with_token(hall: ConsoleHall, service: str, form: dict[str, str], number: str) -> str:
    body = submission(service, form, tracking_number=number)
    body["payload"]["access_token"] = TOKEN + number[-1]
    assert post_submission(hall.server, body).status_code == 201
    return str(body["id"])


def close_part(hall: ConsoleHall, officer: requests.Session, sub: str, part: str) -> None:
    for version, (to, extra) in enumerate(
        [
            ("accepted", {}),
            ("in_review", {}),
            ("approved", {}),
            ("result_ready", {"delivery": "pickup"}),
            ("closed", {}),
        ],
        start=1,
    ):
        moved(officer, hall, sub, part, to=to, version=version, **extra)


def rate(hall: ConsoleHall, number: str = NUMBER, **body: Any) -> requests.Response:
    doc = {
        "tracking_number": number,
        "token": TOKEN + number[-1],
        "part_id": "company_registration",
        "level": 2,
        "indicators": SCORES,
        **body,
    }
    return requests.post(hall.url + "/api/v1/ratings", json=doc, timeout=5)


def refused(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message_zh"] and detail["message_en"], detail


def test_a_poor_rating_opens_a_rectification_worked_by_the_department(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    sub = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER)
    market = add_officer(hall, "mei.market", "market_regulation")
    grid = add_officer(hall, "gao.grid", "state_grid")
    supervisor = add_member(hall, "zhou.super", "supervisor")
    helper = add_member(hall, "lin.helper", "helper")

    # Not closed yet: nothing to rate.
    refused(rate(hall), 409, "not_done")
    close_part(hall, market, sub, "company_registration")
    refused(rate(hall, part_id="power_connection"), 409, "not_done")  # State Grid still works

    # Bad input, each refused with its reason and nothing stored.
    refused(rate(hall, token="A" * 22), 403, "token_invalid")
    refused(rate(hall, level=6), 422, "level_out_of_range")
    refused(rate(hall, level=0), 422, "level_out_of_range")
    refused(rate(hall, indicators={**SCORES, "attitude": 9}), 422, "indicator_out_of_range")
    refused(rate(hall, indicators={"overall": 3}), 422, "indicators_required")
    refused(rate(hall, comment="太慢" * 200), 422, "comment_too_long")
    refused(rate(hall, part_id="no_such_part"), 404, "not_found")
    assert rate(hall, level="2").status_code == 422  # not a number at all: FastAPI says where
    assert rate(hall, level=True).status_code == 422
    assert requests.get(hall.url + "/api/v1/rectifications", timeout=5).status_code == 401
    assert market.get(hall.url + "/api/v1/rectifications", timeout=5).json()["total"] == 0

    # 不满意: a rectification for market regulation, due 15 working days from Monday the 23rd.
    given = rate(hall, comment="窗口等候时间太长")
    assert given.status_code == 200, given.text
    task_seq = given.json()["rectification"]
    assert isinstance(task_seq, int)
    assert given.json()["rating"]["changeable"] is True
    tasks = market.get(hall.url + "/api/v1/rectifications", timeout=5).json()["items"]
    assert [(t["seq"], t["state"], t["due_on"], t["level"]) for t in tasks] == [
        (task_seq, "open", "2026-12-14", 2)
    ]
    assert (tasks[0]["tracking_number"], tasks[0]["comment"]) == (NUMBER, "窗口等候时间太长")
    assert tasks[0]["department_name_zh"] == "苏州高新区市场监督管理局"
    assert "320505" not in str(tasks)  # the task names the filing, not the person

    # Changed within 7 days (worse still): the same rating, still one task.
    hall.clock.advance(dt.timedelta(days=6))
    changed = rate(hall, level=1, indicators={k: 1 for k in SCORES})
    assert changed.status_code == 200, changed.text
    assert changed.json()["rectification"] is None
    assert changed.json()["rating"]["level"] == 1
    supervisor = login(hall.server, "zhou.super")
    assert supervisor.get(hall.url + "/api/v1/rectifications", timeout=5).json()["total"] == 1
    # Past 7 days: frozen.
    hall.clock.advance(dt.timedelta(days=1, minutes=1))
    refused(rate(hall, level=5, indicators={k: 5 for k in SCORES}), 409, "rating_frozen")

    # Only the department's own officers (and supervisors) see and work it.
    market, grid, helper = (login(hall.server, n) for n in ("mei.market", "gao.grid", "lin.helper"))
    supervisor = login(hall.server, "zhou.super")
    assert grid.get(hall.url + "/api/v1/rectifications", timeout=5).json()["total"] == 0
    assert helper.get(hall.url + "/api/v1/rectifications", timeout=5).status_code == 403
    url = f"{hall.url}/api/v1/rectifications/{task_seq}"
    call = {"action": "callback", "version": 1, "note": "已致电企业，约定增设午间窗口"}
    assert grid.post(url, json=call, timeout=5).status_code == 403
    refused(market.post(url, json={"action": "close", "version": 1}, timeout=5), 409,
            "callback_first")  # fmt: skip
    refused(market.post(url, json={**call, "note": " "}, timeout=5), 422, "note_required")
    refused(market.post(url, json={**call, "action": "fly"}, timeout=5), 422, "unknown_action")
    refused(
        market.post(url, json={**call, "called_at": "2030-01-01T00:00:00+08:00"}, timeout=5),
        422,
        "called_at_invalid",
    )
    called = market.post(
        url, json={**call, "called_at": "2026-11-30T08:45:00+08:00"}, timeout=5
    ).json()
    assert (called["state"], called["handled_by"], called["callback_at"]) == (
        "called_back",
        "mei.market",
        "2026-11-30T00:45:00.000+00:00",
    )
    assert called["callback_note"] == "已致电企业，约定增设午间窗口"
    refused(market.post(url, json={"action": "close", "version": 1}, timeout=5), 409, "changed")
    closed = market.post(url, json={"action": "close", "version": 2}, timeout=5).json()
    assert closed["state"] == "closed"
    assert (
        market.get(hall.url + "/api/v1/rectifications?state=open", timeout=5).json()["total"] == 0
    )

    # The supervisor's rates: per department and per service; an officer is refused them.
    assert market.get(hall.url + "/api/v1/ratings/rates", timeout=5).status_code == 403
    rates = supervisor.get(hall.url + "/api/v1/ratings/rates", timeout=5).json()
    (dep,) = rates["departments"]
    assert (dep["department"], dep["count"], dep["satisfied_rate"], dep["poor"]) == (
        "market_regulation",
        1,
        0.0,
        1,
    )
    assert (dep["rectifications_open"], dep["by_level"]["1"]) == (0, 1)
    assert [(s["service_id"], s["count"]) for s in rates["services"]] == [(BUNDLE, 1)]


def test_good_ratings_open_nothing_and_rates_count_them(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    market = add_officer(hall, "mei.market", "market_regulation")
    first = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER)
    second = file_with_token(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0002")
    close_part(hall, market, first, "company_registration")
    close_part(hall, market, second, "company_registration")
    assert rate(hall, level=5, indicators={k: 5 for k in SCORES}).json()["rectification"] is None
    assert rate(hall, "QH001-20261123-0002", level=3).json()["rectification"] is None
    supervisor = add_member(hall, "zhou.super", "supervisor")
    rates = supervisor.get(hall.url + "/api/v1/ratings/rates", timeout=5).json()
    assert (rates["total"]["count"], rates["total"]["satisfied_rate"]) == (2, 1.0)
    assert rates["total"]["average"] == 4.0
    assert supervisor.get(hall.url + "/api/v1/rectifications", timeout=5).json()["total"] == 0


def test_a_replied_demand_is_rated_by_the_enterprise(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file_with_token(hall, "enterprise_demand", DEMAND_FORM, NUMBER)
    staff = add_member(hall, "lin.helper", "helper")
    demand_rating: dict[str, Any] = {"part_id": "demand_handling", "level": 4, "indicators": SCORES}
    refused(rate(hall, NUMBER, **demand_rating), 409, "not_done")
    actions = f"{hall.url}/api/v1/demands/{sub}/actions"
    for body in (
        {"action": "classify", "category": "human_resources"},
        {"action": "dispatch", "department": "hr_social_security"},
        {"action": "accept"},
        {"action": "reply", "note": "已对接人才市场"},
    ):
        assert staff.post(actions, json=body, timeout=5).status_code == 200
    assert rate(hall, NUMBER, **demand_rating).status_code == 200
    stats = staff.get(f"{hall.url}/api/v1/demands/stats", timeout=5).json()
    assert (stats["average_rating"], stats["rating_counts"]["4"]) == (4.0, 1)


def test_a_station_offers_the_card_holders_pending_ratings(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    market = add_officer(hall, "mei.market", "market_regulation")
    mine = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER)
    other = file_with_token(hall, "ev_charging_pile", EV_FORM, "QH001-20261123-0002")
    close_part(hall, market, mine, "company_registration")
    station = signed_session(station_identity(hall.server))
    pending_url = hall.url + "/api/v1/station/ratings/pending"

    def holder(id_number: str) -> dict[str, str]:
        salt = secrets.token_hex(16)
        return {"salt": salt, "holder": holder_digest(salt, id_number)}

    asked = holder(ID_NUMBER)
    assert ID_NUMBER not in str(asked)
    items = station.post(pending_url, json=asked, timeout=5).json()["items"]
    assert [(i["submission_id"], i["part_id"], i["tracking_number"]) for i in items] == [
        (mine, "company_registration", NUMBER)
    ]
    assert items[0]["part_name_zh"] and items[0]["department_name_zh"]
    # Someone else's card, an unsigned caller, a malformed digest.
    assert (
        station.post(pending_url, json=holder(EV_FORM["applicant_id_number"]), timeout=5).json()[
            "items"
        ]
        == []
    )
    assert requests.post(pending_url, json=asked, timeout=5).status_code == 401
    refused(station.post(pending_url, json={"salt": "zz" * 16, "holder": "0" * 64}, timeout=5),
            422, "holder_invalid")  # fmt: skip
    assert other  # filed by another person: never offered to this card

    rate_url = hall.url + "/api/v1/station/ratings"
    body = {**holder(ID_NUMBER), "submission_id": mine, "part_id": "company_registration",
            "level": 4, "indicators": SCORES}  # fmt: skip
    refused(station.post(rate_url, json={**body, **holder(EV_FORM["applicant_id_number"])},
                         timeout=5), 403, "not_the_holder")  # fmt: skip
    refused(station.post(rate_url, json={**body, "level": 9}, timeout=5), 422,
            "level_out_of_range")  # fmt: skip
    given = station.post(rate_url, json=body, timeout=5)
    assert given.status_code == 200, given.text
    assert given.json()["rating"]["channel"] == "kiosk"
    assert station.post(pending_url, json=holder(ID_NUMBER), timeout=5).json()["items"] == []


# --- the kiosk's offer: kiosk.session.rating through the real hall client -----------------------


class Session:
    """The bits of a session the rating flow talks to: its state, and jobs run at once."""

    def __init__(self) -> None:
        self.state = "choosing_service"
        self.sent: list[str] = []
        self.changes = 0

    def send(self, event: str) -> None:
        self.sent.append(event)
        self.state = {"rating_offered": "rating", "rating_closed": "choosing_service"}[event]

    def run(self, job: Any, on_done: Any, on_error: Any) -> None:
        try:
            result = job()
        except Exception as exc:  # the session's runner hands errors to on_error likewise
            on_error(exc)
        else:
            on_done(result)

    def changed(self) -> None:
        self.changes += 1


def rating_flow(session: Session, call: Any) -> Any:
    from kiosk.session.rating import RatingFlow

    return RatingFlow(
        call=call,
        send=session.send,
        state=lambda: session.state,
        run=session.run,
        changed=session.changed,
    )


def test_the_kiosk_offers_rates_and_moves_on(sqlite_hall: ConsoleHall) -> None:
    from kiosk.hall_client import HallClient

    hall = sqlite_hall
    market = add_officer(hall, "mei.market", "market_regulation")
    first = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER)
    second = file_with_token(hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0002")
    close_part(hall, market, first, "company_registration")
    close_part(hall, market, second, "company_registration")
    client = HallClient(hall.url, 5.0, auth=station_identity(hall.server).requests_auth())
    sent_bodies: list[str] = []

    def call(path: str, body: dict[str, Any]) -> Any:
        sent_bodies.append(str(body))
        return client.post_rating(path, body)

    session = Session()
    flow = rating_flow(session, call)
    flow.offer(ID_NUMBER)
    assert session.state == "rating"
    assert [i.tracking_number for i in flow.data.items] == [
        "QH001-20261123-0002",
        NUMBER,
    ]  # the latest done first
    flow.choose_level(2)
    assert flow.data.scores == {k: 2 for k in SCORES}
    flow.set_score("attitude", 4)
    flow.submit()
    assert (flow.data.rated, flow.data.current, flow.data.level) == (1, 1, 0)
    flow.skip()  # the second one: not now
    assert flow.data.done and session.state == "rating"
    flow.close()
    assert session.state == "choosing_service" and flow.data.proof is None
    assert all(ID_NUMBER not in body for body in sent_bodies)

    # The part rated at the kiosk is the enterprise's rating; its 不满意 opened a task.
    supervisor = add_member(hall, "zhou.super", "supervisor")
    tasks = supervisor.get(hall.url + "/api/v1/rectifications", timeout=5).json()["items"]
    assert [(t["tracking_number"], t["level"]) for t in tasks] == [("QH001-20261123-0002", 2)]

    # Next visit: only the skipped part is offered; another card, or a walk-in who already moved
    # on, is offered nothing.
    session = Session()
    flow = rating_flow(session, call)
    flow.offer(ID_NUMBER)
    assert [i.tracking_number for i in flow.data.items] == [NUMBER]
    session = Session()
    flow = rating_flow(session, call)
    flow.offer(EV_FORM["applicant_id_number"])
    assert session.sent == [] and flow.data.proof is None
    session = Session()
    session.state = "filling_form"
    flow = rating_flow(session, call)
    flow.offer(ID_NUMBER)
    assert session.sent == []

    # A refusal (here: a part the hall does not know) is shown in the hall's words, and the
    # walk-in stays on that part.
    session = Session()
    flow = rating_flow(session, call)
    flow.offer(ID_NUMBER)
    flow.data.items[0] = flow.data.items[0].model_copy(update={"part_id": "no_such_part"})
    flow.choose_level(5)
    flow.submit()
    assert flow.data.refusal == ("没有这个办件", "No such part")
    assert flow.data.rated == 0 and flow.data.current == 0


def test_the_kiosk_without_its_hall_offers_nothing(sqlite_hall: ConsoleHall) -> None:
    from kiosk.hall_client import HallClient

    client = HallClient("http://127.0.0.1:9", 0.5)
    session = Session()
    flow = rating_flow(session, client.post_rating)
    flow.offer(ID_NUMBER)
    assert session.sent == [] and flow.data.items == []


def test_a_poor_rating_texts_the_enterprise_that_the_department_will_call(
    tmp_path: Any,
) -> None:
    from hall.notify_wiring import NotifySettings
    from hall.server import HallServer
    from hall.sms_smpp import SmppConfig
    from hall.smsc_sim.server import SmscSimulator
    from tests.hall.helpers import START, cheap_hasher
    from tests.support.clock import FakeClock

    with SmscSimulator(system_id="hall", password="secret") as smsc:
        settings = NotifySettings(
            "https://hall.example",
            SmppConfig("127.0.0.1", smsc.port, "hall", "secret"),
            {"per_number_gap_s": 0.0, "poll_interval_s": 0.1, "backoff_base_s": 0.1},
        )
        clock = FakeClock(START)
        server = HallServer(
            str(tmp_path / "hall.db"),
            clock=clock,
            password_hasher=cheap_hasher(),
            notify_settings=settings,
        ).start()
        try:
            hall = ConsoleHall(server, clock)
            sub = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER)
            close_part(hall, add_officer(hall, "mei.market", "market_regulation"), sub,
                       "company_registration")  # fmt: skip
            assert rate(hall).status_code == 200  # 不满意
            assert rate(hall, level=1).status_code == 200  # changed: no second text

            def texts() -> list[str]:
                return [m.text for m in smsc.messages()]

            deadline = time.monotonic() + 15
            while not any("整改" in t for t in texts()) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)  # a duplicate would arrive now
        finally:
            server.stop()
    follow_ups = [t for t in texts() if "整改" in t]
    assert follow_ups == [
        "【企航政务】我们已收到您对企业开办+用电报装“一件事”"
        f"（{NUMBER}）的评价，相关部门将在15个工作日内整改并回访。"
        f"进度 https://hall.example/p/{NUMBER}?t={TOKEN}1"
    ]
    assert all(ID_NUMBER not in t and "窗口" not in t for t in texts())


@given(
    level=st.one_of(st.integers(), st.text(max_size=5), st.none(), st.booleans()),
    indicators=st.one_of(
        st.dictionaries(st.sampled_from([*SCORES, "other"]), st.integers(-3, 9), max_size=5),
        st.lists(st.integers(), max_size=4),
        st.none(),
    ),
    comment=st.one_of(st.text(max_size=400), st.none(), st.integers()),
)
def test_check_rating_stores_a_valid_rating_or_says_why(
    level: object, indicators: object, comment: object
) -> None:
    try:
        rating = check_rating(level, indicators, comment)
    except RatingRefused as exc:
        assert 400 <= exc.status < 500 and exc.message_zh and exc.message_en
        return
    assert rating.level in range(1, 6) and not isinstance(rating.level, bool)
    assert set(rating.indicators) == set(SCORES)
    assert all(v in range(1, 6) for v in rating.indicators.values())
    assert len(rating.comment) <= 300


def test_hostile_numbers_and_forms_are_4xx(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sub = file_with_token(hall, BUNDLE, BUNDLE_FORM, NUMBER)
    market = add_officer(hall, "mei.market", "market_regulation")
    close_part(hall, market, sub, "company_registration")
    refused(rate(hall, level=10**30), 422, "level_out_of_range")
    refused(rate(hall, indicators={k: -(10**30) for k in SCORES}), 422, "indicator_out_of_range")
    assert rate(hall).status_code == 200
    (task,) = market.get(hall.url + "/api/v1/rectifications", timeout=5).json()["items"]
    url = f"{hall.url}/api/v1/rectifications"
    for path, body in (
        (f"/{10**20}", {"action": "close", "version": 1}),
        (f"/{task['seq']}", {"action": "close", "version": 10**20}),
        ("/-1", {"action": "close", "version": 1}),
        (f"/{task['seq']}", {"action": "callback", "version": 1, "note": "x" * 5000}),
    ):
        assert market.post(url + path, json=body, timeout=5).status_code == 422, path
    refused(market.post(f"{url}/99999", json={"action": "close", "version": 1}, timeout=5), 404,
            "not_found")  # fmt: skip
    page = f"{hall.url}/p/{NUMBER}/rating"
    for form in (
        {"t": TOKEN + "1", "part_id": "company_registration", "level": "9" * 5000},
        {"t": TOKEN + "1", "part_id": "x" * 500, "level": "3", "overall": "3"},
        {"t": TOKEN + "1"},
        {"t": "'\"><script>", "level": "2"},
    ):
        answer = requests.post(page, data=form, timeout=5)
        assert 400 <= answer.status_code < 500, (form, answer.status_code)
        assert "<script>" not in answer.text
