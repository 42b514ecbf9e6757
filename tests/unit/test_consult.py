"""Consulting without an ID card — progress, policies, Q&A — and the demand category suggestion.

The SessionFlow runs over the card simulator and the real content modules (progress cache on a
temp file, the shipped policies, the knowledge base, the demand taxonomy). Background jobs are
held by hand, so each test shows that blocking work runs off the caller and that late answers
are dropped. No Qt.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.card_reader.simulator import SimulatedCardReader
from kiosk.knowledge import KnowledgeBase
from kiosk.policies_synthetic import synthetic_policies
from kiosk.progress import OutboxStub, ProgressCache
from kiosk.services.catalog import load_catalog
from kiosk.services.validators import uscc_check_char
from kiosk.session.consult import (
    ConsultServices,
    build_profile,
    hall_unavailable,
    normalize_tracking_number,
)
from kiosk.session.flow import SessionFlow, Timeouts
from tests.support.background import HeldBackground
from tests.support.clock import FakeClock

HALL = "http://127.0.0.1:8700"
NOW = dt.datetime(2026, 11, 27, 10, 0)
NUMBER = "SND-SS-001-20261120-0007"
USCC = "91320505MA1MXXXX1" + uscc_check_char("91320505MA1MXXXX1")
STATUS_DOC = {
    "tracking_number": NUMBER,
    "service_id": "company_startup_power",
    "parts": [
        {"id": "company_registration", "status": "completed", "updated_at": "2026-11-21T09:30"},
        {"id": "power_connection", "status": "handling", "updated_at": "2026-11-25T14:05"},
    ],
}


class _NoPrinter:
    """Consulting never prints; a call here would be a bug."""

    def print_receipt(self, receipt: object) -> None:
        raise AssertionError("consulting must not print")


class _NoQueue:
    """Consulting never files anything; a call here would be a bug."""

    def enqueue(self, service_id: str, payload: dict[str, Any], **_: Any) -> Any:
        raise AssertionError("consulting must not queue a filing")


@dataclass
class Hall:
    """The hall's progress endpoint as the runtime will offer it: answers, 404s or is down."""

    docs: dict[str, Mapping[str, Any]]
    down: bool = False
    calls: int = 0

    def fetch(self, tracking_number: str) -> Mapping[str, Any] | None:
        self.calls += 1
        if self.down:
            raise ConnectionError("hall unreachable")
        return self.docs.get(tracking_number)


@dataclass
class Kit:
    flow: SessionFlow
    bg: HeldBackground
    hall: Hall
    cache: ProgressCache
    stubs: dict[str, OutboxStub]
    clock: FakeClock


def make_kit(tmp_path: Path, **services: Any) -> Kit:
    hall = Hall({})
    cache = ProgressCache(tmp_path / "progress.cache.json")
    stubs: dict[str, OutboxStub] = {}
    bg, kit_clock = HeldBackground(), FakeClock(monotonic=0.0)
    flow = SessionFlow(
        catalog=load_catalog(),
        reader=SimulatedCardReader.from_options({"delay_s": 0}),
        printer=_NoPrinter(),  # type: ignore[arg-type]
        queue=_NoQueue(),
        background=bg,
        timeouts=Timeouts(idle_s=90, warning_s=20, receipt_s=20, card_read_s=5),
        station_name="狮山街道站",
        hall_url=HALL,
        clock=kit_clock,
        consult=ConsultServices(
            progress_cache=cache,
            fetch_progress=hall.fetch,
            outbox_stub=stubs.get,
            **services,
        ),
    )
    return Kit(flow, bg, hall, cache, stubs, kit_clock)


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    k = make_kit(tmp_path)
    yield k
    k.flow.consult.close_resources()


def walk_in_without_card(k: Kit) -> None:
    k.flow.start("zh_CN")
    k.flow.skip_identity()
    k.bg.release()  # the card read started by `start` answers late and is dropped
    assert k.flow.state == "choosing_service"
    assert k.flow.context.identity is None


def open_consult(k: Kit, kind: str) -> None:
    walk_in_without_card(k)
    k.flow.open_consult(kind)
    assert k.flow.state == "consulting"
    k.bg.release()  # content warms up


# -- progress -------------------------------------------------------------------------------------


def test_live_progress_in_both_languages_then_cached(kit: Kit) -> None:
    kit.hall.docs[NUMBER] = STATUS_DOC
    open_consult(kit, "progress")
    kit.flow.consult.look_up_progress(" snd-ss-001-20261120-0007 ")
    data = kit.flow.context.consult
    assert data.status == "busy" and data.progress == {}  # nothing fetched on the caller
    kit.bg.release()
    assert data.status == "done"
    zh, en = data.progress["zh_CN"], data.progress["en_US"]
    assert zh.source == "hall" and zh.notice == ""
    assert [p.words for p in zh.parts] == ["已办结", "正在办理"]
    assert [p.words for p in en.parts] == ["Completed", "Being processed"]
    assert kit.hall.calls == 1  # one fetch, worded twice
    assert kit.cache.get(NUMBER) is not None


def test_offline_shows_the_last_known_status(kit: Kit) -> None:
    kit.cache.put(NUMBER, STATUS_DOC, dt.datetime(2026, 11, 26, 8, 15))
    kit.hall.down = True
    open_consult(kit, "progress")
    kit.flow.consult.look_up_progress(NUMBER)
    kit.bg.release()
    view = kit.flow.context.consult.progress["zh_CN"]
    assert view.source == "cache"
    assert "2026-11-26 08:15" in view.notice
    assert "last known status" in kit.flow.context.consult.progress["en_US"].notice


def test_not_yet_sent_from_the_outbox_stub(kit: Kit) -> None:
    kit.hall.down = True
    kit.stubs[NUMBER] = OutboxStub(NUMBER, "enterprise_demand", "pending", NOW)
    open_consult(kit, "progress")
    kit.flow.consult.look_up_progress(NUMBER)
    kit.bg.release()
    view = kit.flow.context.consult.progress["zh_CN"]
    assert view.source == "outbox"
    assert view.parts[0].status == "queued"


def test_without_a_runtime_fetch_the_look_up_is_offline(tmp_path: Path) -> None:
    k = make_kit(tmp_path)
    k.flow.consult.services = ConsultServices(progress_cache=k.cache)
    assert k.flow.consult.services.fetch_progress is hall_unavailable
    k.cache.put(NUMBER, STATUS_DOC, NOW)
    open_consult(k, "progress")
    k.flow.consult.look_up_progress(NUMBER)
    k.bg.release()
    assert k.flow.context.consult.progress["zh_CN"].source == "cache"


def test_unknown_and_malformed_numbers(kit: Kit) -> None:
    open_consult(kit, "progress")
    kit.flow.consult.look_up_progress("12345")
    assert kit.flow.context.consult.status == "invalid"
    assert kit.bg.jobs == []  # not even asked
    kit.flow.consult.look_up_progress(NUMBER)
    kit.bg.release()
    assert kit.flow.context.consult.status == "not_found"


def test_qr_code_of_our_receipt_is_looked_up_and_others_are_named(kit: Kit) -> None:
    kit.hall.docs[NUMBER] = STATUS_DOC
    open_consult(kit, "progress")
    consult = kit.flow.consult
    consult.qr_scanned(f"{HALL}/progress/{NUMBER}")
    assert kit.bg.jobs == []  # not scanning: a stray code is ignored
    consult.start_scan()
    consult.qr_scanned("https://example.com/progress/" + NUMBER)
    assert kit.flow.context.consult.status == "qr_foreign"
    assert kit.flow.context.consult.scanning
    consult.qr_scanned(f"{HALL}/progress/{NUMBER}")
    assert not kit.flow.context.consult.scanning
    kit.bg.release()
    assert kit.flow.context.consult.query == NUMBER
    assert kit.flow.context.consult.progress["zh_CN"].tracking_number == NUMBER


def test_a_late_answer_after_leaving_is_dropped(kit: Kit) -> None:
    kit.hall.docs[NUMBER] = STATUS_DOC
    open_consult(kit, "progress")
    kit.flow.consult.look_up_progress(NUMBER)
    kit.flow.close_consult()
    assert kit.flow.state == "choosing_service"
    kit.bg.release()
    assert kit.flow.context.consult.progress == {}
    assert kit.flow.context.consult.query == ""


def test_only_the_latest_request_is_answered(kit: Kit) -> None:
    other = NUMBER.replace("0007", "0008")
    kit.hall.docs[NUMBER] = STATUS_DOC
    kit.hall.docs[other] = {**STATUS_DOC, "tracking_number": other}
    open_consult(kit, "progress")
    kit.flow.consult.look_up_progress(NUMBER)
    kit.flow.consult.look_up_progress(other)
    kit.bg.release()
    assert kit.flow.context.consult.progress["zh_CN"].tracking_number == other


def test_normalize_tracking_number() -> None:
    assert normalize_tracking_number(" ｓｎｄ-ss-001-20261120-0007\n") == NUMBER


# -- policies -------------------------------------------------------------------------------------


def test_the_screen_hears_when_the_policy_content_has_loaded(kit: Kit) -> None:
    walk_in_without_card(kit)
    kit.flow.open_consult("policies")
    assert kit.flow.consult.policy_set is None  # not on the caller
    told: list[bool] = []
    kit.flow.subscribe(lambda: told.append(kit.flow.consult.policy_set is not None))
    kit.bg.release()
    assert told == [True]


def test_policy_form_errors_are_named_per_field(kit: Kit) -> None:
    open_consult(kit, "policies")
    consult = kit.flow.consult
    for name, value in {
        "uscc": "91320505MA1MXXXX10",
        "capital": "很多",
        "founded_year": "2099",
        "industry": "C",
        "industry_code": "I652",
    }.items():
        consult.set_profile(name, value)
    consult.match_policies()
    kit.bg.release()
    data = kit.flow.context.consult
    assert data.errors == {
        "uscc": "uscc_invalid",
        "capital": "amount_invalid",
        "founded_year": "year_invalid",
        "industry_code": "industry_code_invalid",
    }
    assert data.matches == {} and data.status == ""
    consult.set_profile("capital", "500")
    assert "capital" not in data.errors


def test_matching_says_why_and_what_is_missing(kit: Kit) -> None:
    open_consult(kit, "policies")
    consult = kit.flow.consult
    assert consult.policy_set is not None  # loaded in the background on opening
    for name, value in {
        "uscc": USCC,
        "industry": "C",
        "size": "small",
        "capital": "500",
        "founded_year": "2020",
        "district": "shishan_hengtang",
    }.items():
        consult.set_profile(name, value)
    consult.toggle_certification("high_tech")
    consult.match_policies()
    assert kit.flow.context.consult.status == "busy"
    kit.bg.release()
    data = kit.flow.context.consult
    assert data.status == "done"
    zh = data.matches["zh_CN"]
    eligible = [m for m in zh if m.eligible]
    near = [m for m in zh if not m.eligible]
    assert eligible and near
    assert any("已认定 国家高新技术企业" in m.why for m in eligible)
    assert all(len(m.missing) == 1 for m in near)
    en = {m.policy.id: m for m in data.matches["en_US"]}
    assert en[eligible[0].policy.id].eligible
    consult.edit_profile()
    assert data.matches == {} and data.profile["capital"] == "500"
    consult.toggle_certification("high_tech")
    assert data.certifications == set()


def test_two_thousand_policies_are_matched_off_the_caller(tmp_path: Path) -> None:
    k = make_kit(tmp_path, load_policies=synthetic_policies)
    open_consult(k, "policies")
    k.flow.consult.set_profile("industry", "C")
    k.flow.consult.match_policies()
    assert len(k.bg.jobs) == 1 and k.flow.context.consult.matches == {}
    k.bg.release()
    assert len(k.flow.context.consult.matches["zh_CN"]) > 100


def test_build_profile_reads_the_year_and_the_finer_industry_code(kit: Kit) -> None:
    open_consult(kit, "policies")
    policy_set = kit.flow.consult.policy_set
    assert policy_set is not None
    profile, errors = build_profile(
        {"industry": "I", "industry_code": "i652", "founded_year": "2026", "capital": "12.5"},
        {"high_tech"},
        policy_set,
        dt.date(2026, 3, 1),
    )
    assert errors == {} and profile is not None
    assert profile.industry == "I652"
    assert profile.founded == dt.date(2026, 3, 1)  # not in the future
    assert profile.registered_capital_wan == 12.5
    assert profile.certifications == frozenset({"high_tech"})


# -- Q&A ------------------------------------------------------------------------------------------


def test_search_finds_answers_by_words_and_by_pinyin_initials(kit: Kit) -> None:
    open_consult(kit, "qa")
    consult = kit.flow.consult
    consult.search_knowledge("营业执照丢了")
    kit.bg.release()
    hits = kit.flow.context.consult.hits
    assert kit.flow.context.consult.status == "done"
    assert "营业执照" in hits[0].question
    consult.search_knowledge("yyzz")
    kit.bg.release()
    assert any(h.matched == "pinyin" for h in kit.flow.context.consult.hits)


def test_no_answer_means_not_found(kit: Kit) -> None:
    open_consult(kit, "qa")
    kit.flow.consult.search_knowledge("火星移民签证")
    kit.bg.release()
    assert kit.flow.context.consult.status == "not_found"
    assert kit.flow.context.consult.hits == ()


def test_the_knowledge_base_lives_on_one_thread(kit: Kit) -> None:
    """SQLite connections belong to their thread: searches from any worker must still work."""
    open_consult(kit, "qa")
    results: list[int] = []

    def search_from_another_thread() -> None:
        results.append(len(kit.flow.consult._with_kb(lambda kb: kb.search("社保"))))

    worker = threading.Thread(target=search_from_another_thread)
    worker.start()
    worker.join()
    results.append(len(kit.flow.consult._with_kb(lambda kb: kb.search("社保"))))
    assert results[0] > 0 and results[0] == results[1]


def test_knowledge_base_is_built_once(tmp_path: Path) -> None:
    built: list[KnowledgeBase] = []

    def build() -> KnowledgeBase:
        built.append(KnowledgeBase.from_content())
        return built[-1]

    k = make_kit(tmp_path, load_knowledge=build)
    try:
        open_consult(k, "qa")
        assert len(built) == 1  # warmed up on opening, off the caller
        k.flow.consult.search_knowledge("社保")
        k.bg.release()
        assert len(built) == 1
    finally:
        k.flow.consult.close_resources()


# -- leaving, wiping ------------------------------------------------------------------------------


def test_closing_forgets_what_was_asked(kit: Kit) -> None:
    open_consult(kit, "policies")
    kit.flow.consult.set_profile("capital", "500")
    kit.flow.close_consult()
    assert kit.flow.state == "choosing_service"
    assert kit.flow.context.consult.profile == {}
    assert kit.flow.context.consult.kind == ""


@pytest.mark.parametrize("kind", ["progress", "policies", "qa"])
def test_cancel_and_timeout_wipe_the_consultation(kit: Kit, kind: str) -> None:
    kit.cache.put(NUMBER, STATUS_DOC, NOW)
    open_consult(kit, kind)
    consult = kit.flow.consult
    if kind == "progress":
        consult.look_up_progress(NUMBER)
    elif kind == "policies":
        consult.set_profile("uscc", USCC)
        consult.match_policies()
    else:
        consult.search_knowledge("社保")
    kit.bg.release()
    assert not kit.flow.context.is_empty()
    kit.flow.cancel()
    assert kit.flow.state == "idle"
    assert kit.flow.context.is_empty()


def test_consulting_times_out(kit: Kit) -> None:
    open_consult(kit, "qa")
    kit.clock.advance(90 + 20 + 1)
    kit.flow.tick()
    kit.flow.tick()
    assert kit.flow.state == "idle"


def test_intents_of_another_consultation_are_rejected(kit: Kit) -> None:
    open_consult(kit, "qa")
    with pytest.raises(RuntimeError):
        kit.flow.consult.look_up_progress(NUMBER)
    kit.flow.close_consult()
    with pytest.raises(ValueError):
        kit.flow.open_consult("weather")
    assert kit.flow.state == "choosing_service"


# -- the enterprise demand's category suggestion --------------------------------------------------


def test_demand_category_is_suggested_and_set_only_when_confirmed(kit: Kit) -> None:
    flow = kit.flow
    flow.start("zh_CN")
    kit.bg.release()  # the simulated ID card is read
    flow.choose_service("enterprise_demand")
    kit.bg.release()  # the taxonomy loads
    flow.set_field("description", "今年招聘困难，想了解招工和社保补贴政策。")
    suggestions = flow.context.demand_suggestions
    assert suggestions[0].category == "human_resources"
    assert len({s.category for s in suggestions}) == len(suggestions)
    assert flow.context.values["demand_category"] == ""  # never set unasked
    with pytest.raises(KeyError):
        flow.confirm_demand_category("transport")
    flow.confirm_demand_category("human_resources")
    assert flow.context.values["demand_category"] == "human_resources"
    flow.back()
    flow.choose_service("enterprise_demand")
    assert flow.context.demand_suggestions == ()  # a new form starts without old suggestions


def test_suggestions_wait_for_the_taxonomy(kit: Kit) -> None:
    flow = kit.flow
    flow.start("zh_CN")
    kit.bg.release()
    flow.choose_service("enterprise_demand")
    flow.set_field("description", "环评审批太慢")  # typed before the taxonomy arrived
    assert flow.context.demand_suggestions == ()
    kit.bg.release()
    assert flow.context.demand_suggestions
    flow.cancel()
    assert flow.context.demand_suggestions == ()
