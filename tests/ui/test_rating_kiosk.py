"""The kiosk's 好差评 offer in the real QML, against a real hall: the card holder's closed part
is offered right after the card is read, before the service list; the walk-in rates it 不满意
(the indicators follow, one is changed), submits, is thanked and goes on to the services. At the
hall the rating is the enterprise's (channel kiosk) and a rectification task is open. The next
walk-in with the same card is offered nothing; a walk-in without a card never sees the offer.
A comment typed in Pinyin on the on-screen keyboard arrives at the hall with the rating, and
leaves nothing behind: not in the session, not in the keyboard's learning dictionary."""

from __future__ import annotations

import json
import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.rating_scale import MAX_COMMENT
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
from tests.journeys.pinyin import PinyinTyper
from tests.support.clock import FakeClock
from tests.support.robot import Robot
from tests.ui.conftest import Kiosk, make_kiosk
from tests.ui.test_keyboard_privacy import PIECES, PINYIN, RARE_NAME, files_holding
from ui import config_home
from ui.app import prepare_environment

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


def as_individual(k: Kiosk) -> None:
    """The approved start-up put 张三丰's company in the register: 办理企业 is asked first, the
    好差评 offer follows the choice (kiosk/session/enterprise.py)."""
    wait_screen(k, "Enterprise")
    k.robot.click("asIndividualButton")


def test_the_card_holders_closed_part_is_offered_and_rated(kiosk: Kiosk) -> None:
    k = kiosk
    sub = closed_filing(k.hall)
    k.robot.click("startButton")
    as_individual(k)
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
    as_individual(k)
    wait_screen(k, "ServiceHome")
    k.robot.wait_until(lambda: k.ui.flow is not None and k.ui.flow.rating.data.proof is None, 10)
    assert k.ui.session.property("screen") == "ServiceHome"


@pytest.fixture
def private_kiosk(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hall_server: HallServer
) -> Iterator[tuple[Kiosk, Path]]:
    """The kiosk with its environment as main.py prepares it (HOME and the runtime dir in tmp),
    so what the Pinyin keyboard learns would land where the test can look
    (tests/ui/test_keyboard_privacy.py)."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    prepare_environment()
    try:
        ui, runtime, clock = make_kiosk(tmp_path, hall_server)
        try:
            yield Kiosk(ui, runtime, Robot(ui.window), clock, hall_server), tmp_path
        finally:
            ui.close()
            runtime.close()
    finally:
        config_home.release()


COMMENT = RARE_NAME + "很好"  # a phrase the dictionary does not know, then a common word


def test_a_comment_typed_in_pinyin_reaches_the_hall_and_leaves_no_trace(
    private_kiosk: tuple[Kiosk, Path],
) -> None:
    k, env = private_kiosk
    real_config = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".config" / "qtvirtualkeyboard"
    closed_filing(k.hall)
    typer = PinyinTyper(k.ui.engine)
    try:
        k.robot.wait_until(lambda: bool(k.robot.items("inputPanel")))
        k.robot.click("startButton")
        as_individual(k)
        wait_screen(k, "Rating")
        assert not k.robot.visible_items("ratingComment")  # a level first, then the words
        k.robot.click("ratingLevel5")
        k.robot.wait_until(lambda: k.ui.rating.property("level") == 5)
        k.robot.click("ratingComment")  # opens the keyboard, in Pinyin
        typer.compose(PINYIN, PIECES)
        typer.type_word("henhao", "很好")
        k.robot.wait_until(lambda: k.ui.rating.property("comment") == COMMENT)
        assert k.robot.find("ratingComment").property("text") == COMMENT
        assert f"{len(COMMENT)} / 300" in k.robot.texts()

        k.robot.click("ratingSubmit")
        k.robot.wait_until(lambda: k.ui.rating.property("done"), 10)
        store = SubmissionStore(k.hall.db_path)
        try:
            with store.engine.connect() as conn:
                (rated,) = conn.execute(select(ratings)).all()
        finally:
            store.close()
        assert (rated.level, rated.channel, rated.comment) == (5, "kiosk", COMMENT)

        # The session ends: the words are gone from it, from disk and from the keyboard.
        k.robot.click("ratingContinue")
        wait_screen(k, "ServiceHome")
        k.robot.click("cancelButton")
        wait_screen(k, "Attract")
        assert k.ui.flow is not None and k.ui.flow.rating.data.comment == ""
        # The hall keeps the rating (its database is in the same temporary folder); the station's
        # folders, HOME, the runtime dir and the keyboard's config hold nothing of it.
        station = [p for p in env.iterdir() if p.name != "hall"]
        assert station and files_holding([*station, real_config], RARE_NAME) == []
        # The next walk-in (the same card: 办理企业 first) types the same pinyin into a form field.
        k.robot.click("startButton")
        as_individual(k)
        wait_screen(k, "ServiceHome")
        k.robot.click("service_company_startup_power")
        wait_screen(k, "Form")
        k.robot.click("field_company_name")
        offered = typer.offered(PINYIN)
        assert offered and RARE_NAME not in offered, offered[:5]
        typer.drop()
    finally:
        typer.close()


def test_the_comment_is_cut_at_the_halls_limit(kiosk: Kiosk) -> None:
    k = kiosk
    closed_filing(k.hall)
    k.robot.click("startButton")
    as_individual(k)
    wait_screen(k, "Rating")
    k.robot.click("ratingLevel4")
    k.robot.wait_until(lambda: bool(k.robot.visible_items("ratingComment")))
    k.ui.rating.setComment("好" * (MAX_COMMENT + 20))  # what the text area sends as it grows
    k.robot.wait_until(lambda: len(k.ui.rating.property("comment")) == MAX_COMMENT)
    assert f"{MAX_COMMENT} / {MAX_COMMENT}" in k.robot.texts()
    k.robot.click("ratingSubmit")
    k.robot.wait_until(lambda: k.ui.rating.property("done"), 10)
    store = SubmissionStore(k.hall.db_path)
    try:
        with store.engine.connect() as conn:
            (rated,) = conn.execute(select(ratings)).all()
    finally:
        store.close()
    assert rated.comment == "好" * MAX_COMMENT
