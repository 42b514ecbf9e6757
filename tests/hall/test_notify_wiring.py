"""The applicant's texts wired into a real hall (uvicorn; SQLite and PostgreSQL) that sends them
over SMPP to the SMSC simulator on 127.0.0.1.

A filing texts "received"; an officer's 补正 texts the list of materials; a result texts the
pick-up station; a closed part invites a rating; a demand's reply texts "replied" (a second reply
after a reopen, a second text). Each arrives once, UCS-2, reassembled whole by the simulator, with
the tracking number and the link ``<public URL>/p/<number>?t=<token>`` — and without the name,
the ID number or any form answer. A filing without a mobile number is stored and texts nobody;
an English filing is texted in English. The console's "sent messages" list shows numbers masked
to supervisors only. The hall's SMS options are checked before it starts.
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from hall.__main__ import _notify_settings
from hall.notifications import notifications
from hall.notify_wiring import NotifySettings
from hall.server import HallServer
from hall.sms_gateway import GatewayConfig
from hall.sms_smpp import SmppConfig
from hall.smsc_sim.server import SmscSimulator, StoredMessage
from hall.store import SubmissionStore
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    DEMAND_FORM,
    START,
    add_staff,
    cheap_hasher,
    login,
    post_submission,
    submission,
)
from tests.hall.test_desk_moves import add_officer, moved
from tests.support.clock import FakeClock

PUBLIC = "https://hall.example"
BUNDLE = "company_startup_power"
ITEMS = [
    {"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页"},
    {"material": "articles_of_association", "reason": "章程未签字"},
]
# What the filings carry that no text may hold: names, ID numbers, form answers.
PERSONAL = ("王小明", "320505199001011234", "苏州启航测试科技有限公司", "锦峰路", "软件开发",
            "赵经理", "数控操作工", "租赁合同缺少", "章程未签字")  # fmt: skip


@dataclass
class SmsHall:
    hall: ConsoleHall
    smsc: SmscSimulator

    @property
    def url(self) -> str:
        return self.hall.url

    def texts(self, count: int, timeout_s: float = 15.0) -> list[StoredMessage]:
        """The simulator's messages once it holds ``count`` (and no more arrive meanwhile)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.smsc.messages()
            if len(found) >= count:
                time.sleep(0.3)  # a duplicate would show up now
                return self.smsc.messages()
            time.sleep(0.05)
        raise AssertionError(f"{len(self.smsc.messages())} texts, waited for {count}")


@pytest.fixture
def sms_hall(hall_db: str) -> Iterator[SmsHall]:
    with SmscSimulator(system_id="hall", password="secret") as smsc:
        clock = FakeClock(START)
        settings = NotifySettings(
            PUBLIC,
            SmppConfig("127.0.0.1", smsc.port, "hall", "secret"),
            {"per_number_gap_s": 0.0, "poll_interval_s": 0.1, "backoff_base_s": 0.1},
        )
        server = HallServer(
            hall_db, clock=clock, password_hasher=cheap_hasher(), notify_settings=settings
        ).start()
        try:
            yield SmsHall(ConsoleHall(server, clock), smsc)
        finally:
            server.stop()


def file(sms: SmsHall, service: str, form: dict[str, str], number: str, **payload: str) -> str:
    body = submission(service, form, tracking_number=number)
    body["payload"].update(payload)
    assert post_submission(sms.hall.server, body).status_code == 201
    # The kiosk re-sends after a lost answer: the same filing, no second text.
    assert post_submission(sms.hall.server, body).status_code == 200
    return str(body["id"])


def assert_clean(text: str) -> None:
    for secret in PERSONAL:
        assert secret not in text


def test_a_filing_and_its_moves_text_the_applicant(sms_hall: SmsHall) -> None:
    token = secrets.token_urlsafe(16)
    number = "QH001-20261123-0001"
    link = f"{PUBLIC}/p/{number}?t={token}"
    sub = file(sms_hall, BUNDLE, BUNDLE_FORM, number, access_token=token)
    (received,) = sms_hall.texts(1)
    assert (received.destination, received.data_coding) == ("8613912345678", 0x08)  # UCS-2
    assert received.text == (
        "【企航政务】您的企业开办+用电报装“一件事”申请已受理，"
        f"受理号{number}。办理进度请查看 {link}"
    )

    hall = sms_hall.hall
    market = add_officer(hall, "mei.market", "market_regulation")
    moved(market, hall, sub, "company_registration", to="accepted", version=1)
    moved(market, hall, sub, "company_registration", to="in_review", version=2)
    moved(market, hall, sub, "company_registration", to="needs_more", version=3, items=ITEMS)
    needs_more = sms_hall.texts(2)[1]
    # Longer than one UCS-2 SMS: concatenated parts, reassembled whole by the simulator.
    assert needs_more.parts >= 2 and needs_more.data_coding == 0x08
    assert needs_more.text == (
        f"【企航政务】您的企业设立登记申请（{number}）需补正材料："
        "经营场所使用证明（房产证或租赁合同）、公司章程（可使用标准模板）。"
        f"可在任一自助终端扫描回执二维码补交，详情 {link}"
    )

    moved(market, hall, sub, "company_registration", to="in_review", version=4)
    moved(market, hall, sub, "company_registration", to="approved", version=5)
    moved(market, hall, sub, "company_registration", to="result_ready", version=6,
          delivery="pickup")  # fmt: skip
    moved(market, hall, sub, "company_registration", to="closed", version=7)
    texts = sms_hall.texts(4)
    assert len(texts) == 4  # nothing for accepted, in review or approved
    assert texts[2].text == (
        f"【企航政务】您的企业设立登记办理结果（{number}）已出，请到QH001领取。详情 {link}"
    )
    assert texts[3].text.startswith("【企航政务】请为企业设立登记") and link in texts[3].text
    for sms in texts:
        assert number in sms.text and link in sms.text
        assert_clean(sms.text)
    assert sms_hall.smsc.stats()["duplicates"] == 0

    # One row per event, each under its own key; all sent.
    store = SubmissionStore(hall.server.db_path)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(notifications).order_by(notifications.c.seq)).all()
    finally:
        store.close()
    assert [r.event for r in rows] == [
        "filing_received", "needs_more", "result_ready", "rating_invited",
    ]  # fmt: skip
    assert rows[0].dedupe_key == f"{sub}:filing_received"
    assert rows[1].dedupe_key.startswith(f"{sub}:company_registration:needs_more:")
    assert {r.state for r in rows} == {"sent"}


def test_a_demands_replies_text_the_enterprise(sms_hall: SmsHall) -> None:
    number = "QH001-20261123-0002"
    demand = file(sms_hall, "enterprise_demand", DEMAND_FORM, number)  # no token: an old kiosk
    hall = sms_hall.hall
    add_staff(hall.server, "lin.helper")
    desk = login(hall.server, "lin.helper")
    actions = f"{hall.url}/api/v1/demands/{demand}/actions"

    def act(**body: str) -> None:
        assert desk.post(actions, json=body, timeout=5).status_code == 200

    act(action="classify", category="human_resources")
    act(action="dispatch", department="hr_social_security")
    act(action="accept")
    act(action="reply", note="已对接区人才市场专场招聘会")
    act(action="reopen", note="时间不合适")
    act(action="accept")
    act(action="reply", note="已安排12月5日专场")
    texts = sms_hall.texts(3)
    assert [t.destination for t in texts] == ["8613700001111"] * 3
    replied = [t.text for t in texts[1:]]
    assert replied[0] == replied[1]  # one text per reply, the reply itself stays on the page
    assert replied[0].startswith(f"【企航政务】您的诉求（{number}，") and "已答复" in replied[0]
    assert f"{PUBLIC}/p/{number} " not in replied[0] and replied[0].endswith(f"/p/{number}")
    for text in (t.text for t in texts):
        assert_clean(text)
        assert "人才市场" not in text and "12月5日" not in text


def test_no_mobile_no_text_and_english_in_english(sms_hall: SmsHall) -> None:
    no_mobile = {k: v for k, v in BUNDLE_FORM.items() if k != "mobile"}
    file(sms_hall, BUNDLE, no_mobile, "QH001-20261123-0003")
    file(sms_hall, BUNDLE, {**BUNDLE_FORM, "mobile": "12345"}, "QH001-20261123-0004")
    token = secrets.token_urlsafe(16)
    file(
        sms_hall, BUNDLE, {**BUNDLE_FORM, "mobile": "+86 139-1234-5678"}, "QH001-20261123-0005",
        language="en_US", access_token=token,
    )  # fmt: skip
    (text,) = sms_hall.texts(1)
    assert text.destination == "8613912345678"  # normalised, sent as +86
    assert text.text.startswith("[Qihang Services] Your Start a Business + Electricity Conn")
    assert text.text.endswith(f"{PUBLIC}/p/QH001-20261123-0005?t={token}")
    # The filings without a usable number were stored all the same.
    for n in (3, 4):
        assert (
            requests.get(
                f"{sms_hall.url}/api/v1/progress/QH001-20261123-000{n}", timeout=5
            ).status_code
            == 200
        )


def test_sent_messages_for_supervisors_numbers_masked(sms_hall: SmsHall) -> None:
    file(sms_hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0006", access_token="a" * 22)
    sms_hall.texts(1)
    server = sms_hall.hall.server
    add_staff(server, "wu.super", "supervisor")
    add_staff(server, "lin.helper")
    url = f"{server.url}/api/v1/notifications"
    assert login(server, "lin.helper").get(url, timeout=5).status_code == 403
    assert requests.get(url, timeout=5).status_code == 401
    answer = login(server, "wu.super").get(url, params={"limit": 10}, timeout=5)
    assert answer.status_code == 200
    doc = answer.json()
    assert doc["backend"] == "smpp"
    (message,) = doc["messages"]
    assert (message["to_masked"], message["event"], message["state"]) == (
        "139****5678", "filing_received", "sent",
    )  # fmt: skip
    assert "13912345678" not in answer.text
    # The link's token is the applicant's capability: staff see it blanked.
    assert message["body"].endswith("/p/QH001-20261123-0006?t=***") and "a" * 22 not in answer.text


def _options(**given: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "public_url": None, "smpp": None, "smpp_system_id": "", "smpp_password_file": None,
        "sms_source_addr": "106900", "sms_gateway": None, "sms_secret_file": None,
    }  # fmt: skip
    return argparse.Namespace(**{**base, **given})


def test_the_halls_sms_options(tmp_path: Path) -> None:
    password = tmp_path / "smpp.pass"
    password.write_text("s3cret\n")
    secret = tmp_path / "gateway.secret"
    secret.write_text("0123456789abcdef0123\n")
    assert _notify_settings(_options()) is None
    smpp = _notify_settings(
        _options(public_url=PUBLIC, smpp="127.0.0.1:2775", smpp_system_id="hall",
                 smpp_password_file=password)
    )  # fmt: skip
    assert smpp is not None and smpp.backend == SmppConfig("127.0.0.1", 2775, "hall", "s3cret")
    gateway = _notify_settings(
        _options(public_url=PUBLIC, sms_gateway="https://sms.example/send", sms_secret_file=secret)
    )
    assert gateway is not None and isinstance(gateway.backend, GatewayConfig)
    assert gateway.backend.secret == b"0123456789abcdef0123"
    for wrong in (
        _options(smpp="127.0.0.1:2775", smpp_system_id="hall", smpp_password_file=password),
        _options(public_url="http://hall.example", smpp="127.0.0.1:2775", smpp_system_id="h",
                 smpp_password_file=password),
        _options(public_url=PUBLIC, smpp="no-port", smpp_system_id="h",
                 smpp_password_file=password),
        _options(public_url=PUBLIC, smpp="127.0.0.1:2775"),
        _options(public_url=PUBLIC, smpp="127.0.0.1:2775", sms_gateway="https://sms.example"),
        _options(public_url=PUBLIC, sms_gateway="http://sms.example", sms_secret_file=secret),
        _options(public_url=PUBLIC, sms_gateway="https://sms.example"),
    ):  # fmt: skip
        with pytest.raises(ValueError):
            _notify_settings(wrong)


def test_a_refused_part_invites_a_rating_too(sms_hall: SmsHall) -> None:
    sub = file(sms_hall, BUNDLE, BUNDLE_FORM, "QH001-20261123-0007")
    hall = sms_hall.hall
    grid = add_officer(hall, "zhou.grid", "state_grid")
    moved(grid, hall, sub, "power_connection", to="not_accepted", version=1, reason="不在供电范围")
    _, invited = sms_hall.texts(2)
    assert invited.text.startswith("【企航政务】请为低压用电报装（QH001-20261123-0007）的办理评价")
    assert "不在供电范围" not in invited.text  # the officer's reason stays at the hall
