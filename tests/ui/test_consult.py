"""The consult screens in the real QML: a robot walk-in without an ID card checks progress (typed
and by the receipt's QR code in front of the simulated camera), matches policies, searches the
Q&A, and confirms a suggested demand category; everything is forgotten after the session."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from drivers.camera.scenes import qr_scene
from tests.journeys.pinyin import PinyinTyper
from tests.ui.conftest import Kiosk

NUMBER = "SND-SS-001-20261120-0007"
STATUS_DOC = {
    "tracking_number": NUMBER,
    "service_id": "company_startup_power",
    "parts": [
        {"id": "company_registration", "status": "completed", "updated_at": "2026-11-21T09:30"},
        {"id": "power_connection", "status": "handling", "updated_at": "2026-11-25T14:05"},
    ],
}


def wait_screen(k: Kiosk, screen: str) -> None:
    k.robot.wait_until(lambda: k.ui.session.property("screen") == screen, 10)


def remember_status(k: Kiosk) -> None:
    """What an earlier, online look-up left in the station's progress cache."""
    cache = k.ui.flow.consult.services.progress_cache
    assert cache is not None
    cache.put(NUMBER, STATUS_DOC, dt.datetime(2026, 11, 26, 8, 15))


def open_without_card(k: Kiosk, kind: str, screen: str) -> None:
    k.runtime.reader.remove_card()
    k.robot.click("startButton")
    wait_screen(k, "Identify")
    k.robot.click("skipIdentityButton")
    wait_screen(k, "ServiceHome")
    k.robot.click(f"consult_{kind}")
    wait_screen(k, screen)


def erase(k: Kiosk, name: str, count: int) -> None:
    """Tap the field and press backspace, as a walk-in correcting an answer does."""
    k.robot.click(name)
    for _ in range(count):
        QTest.keyClick(k.ui.window, Qt.Key.Key_Backspace)
    k.robot.settle()


def shown(k: Kiosk) -> str:
    return "\n".join(k.robot.texts())


def test_typed_number_offline_shows_the_last_known_status(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    remember_status(k)
    open_without_card(k, "progress", "Progress")
    k.robot.type_into("trackingField", NUMBER.lower())
    k.robot.click("lookUpButton")
    k.robot.wait_until(lambda: consult.property("status") == "done", 10)
    k.robot.wait_until(lambda: "已办结" in k.robot.texts())
    text = shown(k)
    assert "以下是 2026-11-26 08:15 的最新已知状态" in text
    assert "正在办理" in text and "企业开办+用电报装“一件事”" in text
    assert k.robot.find("part_power_connection").isVisible()
    # The walk-in switches to English: the same answer, in English words.
    k.robot.click("languageButton")
    k.robot.wait_until(lambda: "Being processed" in k.robot.texts())
    assert "last known status at 2026-11-26 08:15" in shown(k)


def test_bad_and_unknown_numbers_say_what_to_do(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    open_without_card(k, "progress", "Progress")
    k.robot.type_into("trackingField", "12345")
    k.robot.click("lookUpButton")
    k.robot.wait_until(lambda: "这不是有效的受理编号" in k.robot.texts())
    k.robot.type_into("trackingField", "6")  # editing clears the problem shown
    assert consult.property("query") == "123456"
    assert consult.property("statusTitle") == ""
    assert "这不是有效的受理编号" not in k.robot.texts()
    k.ui.consult.setQuery(NUMBER)
    k.robot.click("lookUpButton")
    k.robot.wait_until(lambda: consult.property("status") == "not_found", 10)
    assert "没有找到这个编号的申请" in k.robot.texts()


def test_receipt_qr_code_in_front_of_the_camera(kiosk: Kiosk) -> None:
    k, consult, scan = kiosk, kiosk.ui.consult, kiosk.ui.qr_scan
    remember_status(k)
    k.runtime.camera.show(qr_scene(f"{k.hall.url}/progress/{NUMBER}", np.random.default_rng(5)))
    open_without_card(k, "progress", "Progress")
    k.robot.click("scanButton")
    k.robot.wait_until(lambda: scan.property("active"))
    assert k.robot.find("qrViewport").isVisible()
    k.robot.wait_until(lambda: consult.property("status") == "done", 20)
    assert consult.property("progressTrackingNumber") == NUMBER
    k.robot.wait_until(lambda: not scan.property("active"))  # the camera closes after the scan
    assert "已办结" in k.robot.texts()


def test_a_foreign_qr_code_is_named_and_scanning_goes_on(kiosk: Kiosk) -> None:
    k, consult, scan = kiosk, kiosk.ui.consult, kiosk.ui.qr_scan
    k.runtime.camera.show(qr_scene("https://example.com/coupon/42", np.random.default_rng(6)))
    open_without_card(k, "progress", "Progress")
    k.robot.click("scanButton")
    k.robot.wait_until(lambda: consult.property("status") == "qr_foreign", 20)
    assert scan.property("active") and consult.property("scanning")
    assert "这个二维码不是本站回执上的查询码" in k.robot.texts()
    k.robot.click("stopScanButton")
    k.robot.wait_until(lambda: not scan.property("active"))
    assert k.robot.find("trackingField").isVisible()


def test_policy_matching_from_the_profile_form(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    open_without_card(k, "policies", "Policies")
    # The choices come from the policy content, loaded in the background: the screen shows them
    # once it is there, without waiting for a tap.
    k.robot.wait_until(lambda: bool(k.robot.items("district_shishan_hengtang")), 10)
    k.robot.type_into("profile_capital", "500")
    k.robot.type_into("profile_founded_year", "2099")
    for name in ("size_small", "cert_high_tech", "district_shishan_hengtang", "industry_C"):
        k.robot.click(name)
    k.robot.click("matchButton")
    k.robot.wait_until(lambda: consult.property("profileErrorCount") == 1, 10)
    assert "请输入年份，例如 2018" in k.robot.texts()
    assert not consult.property("matched")
    erase(k, "profile_founded_year", 4)
    k.robot.type_into("profile_founded_year", "2020")
    assert consult.property("profile")["founded_year"] == "2020"
    k.robot.click("matchButton")
    k.robot.wait_until(lambda: consult.property("matched"), 10)
    eligible = consult.property("eligible")
    assert any("已认定 国家高新技术企业" in p["why"] for p in eligible)
    first = k.robot.wait_for("policy_" + eligible[0]["id"])
    assert first.isVisible()
    assert "可以申报" in k.robot.texts()
    near = consult.property("nearMisses")
    assert near and all(len(p["missing"]) == 1 for p in near)
    # Back to the form: the answers are still there.
    k.robot.click("backButton")
    k.robot.wait_until(lambda: k.robot.find("profile_capital").isVisible())
    assert k.robot.find("profile_capital").property("text") == "500"
    k.robot.click("backButton")
    wait_screen(k, "ServiceHome")
    assert k.ui.flow.context.consult.profile == {}


def test_qa_search_by_pinyin_and_remote_help_when_nothing_answers(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    typer = PinyinTyper(k.ui.engine)
    try:
        k.robot.wait_until(lambda: bool(k.robot.items("inputPanel")))
        open_without_card(k, "qa", "Qa")
        k.robot.click("qaSearchField")
        typer.type_word("shebao", "社保")
        assert consult.property("query") == "社保"
        k.robot.click("searchButton")
        k.robot.wait_until(lambda: consult.property("status") == "done", 10)
        hits = consult.property("hits")
        assert any("社保" in h["question"] for h in hits)
        k.robot.wait_for("hit_" + hits[0]["id"])
        assert not k.robot.visible_items("getHelpButton")
        k.ui.consult.setQuery("火星移民签证")
        k.robot.click("searchButton")
        k.robot.wait_until(lambda: consult.property("status") == "not_found", 10)
        assert "没有找到答案" in k.robot.texts()
        # The station is enrolled, so remote help is there: the button asks the hall for a helper.
        k.robot.click("getHelpButton")
        k.robot.wait_until(lambda: k.ui.assist.property("phase") in ("connecting", "waiting"), 10)
    finally:
        typer.close()


def test_pinyin_initials_find_answers(kiosk: Kiosk) -> None:
    k, consult = kiosk, kiosk.ui.consult
    open_without_card(k, "qa", "Qa")
    k.robot.type_into("qaSearchField", "yyzz")
    k.robot.click("searchButton")
    k.robot.wait_until(lambda: consult.property("status") == "done", 10)
    assert any("营业执照" in h["question"] for h in consult.property("hits"))


def test_demand_category_suggestion_is_confirmed_by_a_tap(kiosk: Kiosk) -> None:
    k = kiosk
    typer = PinyinTyper(k.ui.engine)
    try:
        k.robot.wait_until(lambda: bool(k.robot.items("inputPanel")))
        k.robot.click("startButton")
        wait_screen(k, "ServiceHome")
        k.robot.click("category_enterprise_demands")
        k.robot.click("service_enterprise_demand")
        wait_screen(k, "Form")
        k.robot.click("field_description")
        typer.type_word("zhaopin", "招聘")
        typer.type_word("kunnan", "困难")
        chip = k.robot.wait_for("suggestion_human_resources")
        assert k.ui.flow.context.values["demand_category"] == ""  # shown, not applied
        k.robot.click_item(chip)
        assert k.ui.flow.context.values["demand_category"] == "human_resources"
        k.robot.wait_until(
            lambda: k.robot.find("choice_demand_category_human_resources").property("selected")
        )
    finally:
        typer.close()


@pytest.mark.parametrize(("kind", "screen"), [("progress", "Progress"), ("policies", "Policies")])
def test_leaving_mid_consultation_forgets_it(kiosk: Kiosk, kind: str, screen: str) -> None:
    k, consult = kiosk, kiosk.ui.consult
    remember_status(k)
    open_without_card(k, kind, screen)
    if kind == "progress":
        k.robot.type_into("trackingField", NUMBER)
        k.robot.click("lookUpButton")
        k.robot.wait_until(lambda: consult.property("status") == "done", 10)
    else:
        k.robot.wait_until(lambda: bool(consult.property("districts")))
        k.robot.type_into("profile_capital", "98765")
    timeouts = k.runtime.config.timeouts
    k.clock.advance(timeouts.idle_s + 1)
    k.robot.wait_until(lambda: k.robot.find("timeoutOverlay").isVisible())
    k.clock.advance(timeouts.warning_s)
    wait_screen(k, "Attract")
    assert k.ui.flow.context.is_empty()
    meta = consult.metaObject()
    held = "\n".join(
        repr(consult.property(meta.property(i).name()))
        for i in range(meta.propertyOffset(), meta.propertyCount())
    )
    for secret in (NUMBER, "98765"):
        assert secret not in held
        assert secret not in shown(k)


def test_qa_searches_the_knowledge_base_the_runtime_keeps_from_the_hall(kiosk: Kiosk) -> None:
    """The consult screen asks the runtime's knowledge cache (the hall's published Q&A once
    fetched and verified, tests/hall/test_content_kinds.py), not the shipped file directly."""
    from ui.app import consult_services

    services = consult_services(kiosk.runtime)
    cache = kiosk.runtime.knowledge_cache()
    assert getattr(services.load_knowledge, "__self__", None) is cache
    assert services.load_knowledge().search("营业执照")  # the shipped sample until published
