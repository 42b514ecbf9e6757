"""The kiosk's 好差评 offer in the real QML, against a real hall: the card holder's closed part
is offered right after the card is read, before the service list; the walk-in rates it 不满意
(the indicators follow, one is changed), submits, is thanked and goes on to the services. At the
hall the rating is the enterprise's (channel kiosk) and a rectification task is open. The next
walk-in with the same card is offered nothing; a walk-in without a card never sees the offer."""

from __future__ import annotations

import json

from sqlalchemy import select

from hall.applicant_schema import ratings, rectifications
from hall.auth import StaffStore
from hall.server import HallServer
from hall.store import SubmissionStore
from tests.hall.helpers import (
    BUNDLE_FORM,
    PASSWORD,
    START,
    cheap_hasher,
    login,
    post_submission,
    submission,
)
from tests.support.clock import FakeClock
from tests.ui.conftest import Kiosk

NUMBER = "QH001-20261123-0001"
HOLDER = "11010519491231002X"  # the card simulator's 张三丰
PART = "company_registration"


def closed_filing(hall: HallServer) -> str:
    """A bundle 张三丰 filed at another station; market regulation has closed its part."""
    body = submission(
        "company_startup_power",
        {**BUNDLE_FORM, "applicant_name": "张三丰", "applicant_id_number": HOLDER},
        tracking_number=NUMBER,
    )
    assert post_submission(hall, body).status_code == 201
    store = SubmissionStore(hall.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(
            "market", "officer", PASSWORD, "market_regulation"
        )
    finally:
        store.close()
    officer = login(hall, "market")
    url = f"{hall.url}/api/v1/desk/parts/{body['id']}/{PART}/moves"
    steps = ("accepted", "in_review", "approved", "result_ready", "closed")
    for version, to in enumerate(steps, start=1):
        extra = {"delivery": "pickup"} if to == "result_ready" else {}
        answer = officer.post(url, json={"to": to, "version": version, **extra}, timeout=10)
        assert answer.status_code == 200, answer.text
    return str(body["id"])


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


def test_the_card_holders_closed_part_is_offered_and_rated(kiosk: Kiosk) -> None:
    k = kiosk
    sub = closed_filing(k.hall)
    k.robot.click("startButton")
    wait_screen(k, "Rating")
    k.robot.wait_until(lambda: "企业设立登记" in k.robot.texts())
    texts = "\n".join(k.robot.texts())
    assert NUMBER in texts and "苏州高新区市场监督管理局" in texts
    assert HOLDER not in texts
    assert not k.robot.find("ratingSubmit").isEnabled()  # a level first

    k.robot.click("ratingLevel2")  # 不满意
    k.robot.wait_until(lambda: k.ui.rating.property("level") == 2)
    k.robot.click("ratingScore_attitude_4")
    k.robot.wait_until(
        lambda: [i["score"] for i in k.ui.rating.property("indicators")] == [2, 2, 2, 4]
    )
    k.robot.click("ratingSubmit")
    k.robot.wait_until(lambda: k.ui.rating.property("done"), 10)
    k.robot.wait_until(lambda: "感谢您的评价" in "\n".join(k.robot.texts()))
    k.robot.click("ratingContinue")
    wait_screen(k, "ServiceHome")

    store = SubmissionStore(k.hall.db_path)
    try:
        with store.engine.connect() as conn:
            (rated,) = conn.execute(select(ratings)).all()
            (task,) = conn.execute(select(rectifications)).all()
    finally:
        store.close()
    assert (rated.submission_id, rated.part_id, rated.level, rated.channel) == (
        sub,
        PART,
        2,
        "kiosk",
    )
    assert json.loads(rated.indicators) == {
        "overall": 2,
        "efficiency": 2,
        "skill": 2,
        "attitude": 4,
    }
    assert (task.department, task.state) == ("market_regulation", "open")

    # The next session with the same card: nothing left to rate, straight to the services.
    k.robot.click("cancelButton")
    wait_screen(k, "Attract")
    k.robot.click("startButton")
    wait_screen(k, "ServiceHome")
    k.robot.wait_until(lambda: k.ui.flow is not None and k.ui.flow.rating.data.proof is None, 10)
    assert k.ui.session.property("screen") == "ServiceHome"
