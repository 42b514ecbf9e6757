"""补正 at any station, through a real hall (uvicorn; SQLite and PostgreSQL).

A filing's market-regulation part is sent back for two materials; another station asks what is
missing (by the ID card's proof, and by the receipt's token), hands both in as a filing of its
own, and the part is back in review with the walk-in's event; the officer sees the hand-in on
the filing's detail and opens its photographs. A repeat of the same hand-in changes nothing; a
hand-in for a part that no longer waits, or for a part nobody knows, is stored as ``late`` and
shown — never refused. A wrong proof, a wrong token and an unknown number all get the same 404.
A hall stopped between the intake and the move finishes it at its next start, once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select, update

from contracts.supplement import LOOKUP_PATH, SUPPLEMENT_SERVICE, id_proof, supplement_payload
from contracts.wire import Submission
from hall.applicant_schema import supplements
from hall.catalog_publish import CatalogStore
from hall.demand_content import load_calendar
from hall.desk_moves import PartDesk
from hall.desk_schema import part_events
from hall.store import SubmissionStore
from hall.supplements import GUESS_LIMIT, SupplementDesk
from hall.tracking import parts
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    START,
    enrol_station,
    post_submission,
    seal_blob,
    signed_session,
    start_hall,
    station_identity,
)
from tests.hall.test_desk_views import DESK, JPEG, file, move, staff
from tests.support.clock import FakeClock

ORIGINAL = "QH001-20261123-0001"
PART = "company_registration"
ITEMS = [
    {"material": "premises_proof", "reason": "租赁合同缺少出租方盖章页"},
    {"material": "articles_of_association", "reason": "章程未签字"},
]
LEASE = JPEG + b"lease"
ARTICLES = JPEG + b"articles"
TOKEN = "Rk3v9QpZtW2xY7bN4mC8sA"  # the receipt's access token (the kiosk seals it in the payload)


def lookup(hall: ConsoleHall, station: str, **body: Any) -> requests.Response:
    identity = station_identity(hall.server, station)
    return signed_session(identity).post(hall.url + LOOKUP_PATH, json=body, timeout=10)


def hand_in_body(
    hall: ConsoleHall,
    number: str,
    photos: dict[str, bytes],
    *,
    original: str = ORIGINAL,
    part: str = PART,
) -> dict[str, Any]:
    """A hand-in as the kiosk's outbox sends it, its photographs uploaded first."""
    station = number.split("-")[0]
    identity = station_identity(hall.server, station)
    refs = []
    for material, data in photos.items():
        sha = hashlib.sha256(data).hexdigest()
        put = signed_session(identity).put(
            f"{hall.url}/api/v1/blobs/{sha}", data=seal_blob(hall.server, data), timeout=10
        )
        assert put.status_code in (200, 201), put.text
        refs.append(
            {"sha256": sha, "size": len(data), "media_type": "image/jpeg", "name": material}
        )
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "station_id": station,
        "service_id": SUPPLEMENT_SERVICE,
        "tracking_number": number,
        "created_at": "2026-11-25T02:00:00+00:00",
        "payload": supplement_payload(original, part, list(photos), "zh_CN"),
    }
    if refs:
        body["attachments"] = refs
    return body


def rows(hall: ConsoleHall, query: Any) -> list[Any]:
    store = SubmissionStore(hall.server.db_path)
    try:
        with store.engine.connect() as conn:
            return list(conn.execute(query).all())
    finally:
        store.close()


def walk_in_events(hall: ConsoleHall, sub: str) -> list[Any]:
    return rows(
        hall,
        select(part_events)
        .where(part_events.c.submission_id == sub, part_events.c.actor == "walk-in")
        .order_by(part_events.c.seq),
    )


def part_status(hall: ConsoleHall, sub: str, part: str = PART) -> str:
    found = rows(
        hall,
        select(parts.c.status).where(parts.c.submission_id == sub, parts.c.part_id == part),
    )
    return str(found[0].status)


def sent_back(hall: ConsoleHall) -> tuple[str, Any]:
    """A bundle filed at QH001 whose market-regulation part now waits for two materials."""
    s = staff(hall)
    sub = file(
        hall,
        "company_startup_power",
        BUNDLE_FORM,
        1,
        payload={"access_token": TOKEN},
        attachments={"premises_proof": JPEG},
    )
    move(s["market"], hall, sub, PART, "accepted")
    move(s["market"], hall, sub, PART, "in_review")
    move(s["market"], hall, sub, PART, "needs_more", items=ITEMS)
    return sub, s


def test_a_hand_in_at_another_station_sends_the_part_back_to_review(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    sub, s = sent_back(hall)
    proof = id_proof(ORIGINAL, BUNDLE_FORM["applicant_id_number"])

    # Another station asks with the card it read: only the waiting part, with names and reasons.
    answer = lookup(hall, "QH002", tracking_number=ORIGINAL, id_proof=proof)
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc["service_id"] == "company_startup_power"
    assert [p["part_id"] for p in doc["waiting"]] == [PART]
    assert doc["waiting"][0]["name_zh"] == "企业设立登记"
    assert [(i["material"], i["reason"]) for i in doc["waiting"][0]["items"]] == [
        (i["material"], i["reason"]) for i in ITEMS
    ]
    assert doc["waiting"][0]["items"][0]["name_zh"] == "经营场所使用证明（房产证或租赁合同）"
    # Nothing personal comes back, and the ID number never travelled.
    assert BUNDLE_FORM["applicant_id_number"] not in answer.text
    assert BUNDLE_FORM["applicant_name"] not in answer.text

    # Another card, an unknown number, a token that is not the filing's: the same 404.
    other = id_proof(ORIGINAL, "320505199202021234")
    for body in (
        {"tracking_number": ORIGINAL, "id_proof": other},
        {"tracking_number": "QH001-20261123-0999", "id_proof": proof},
        {"tracking_number": ORIGINAL, "token": "not-the-token"},
    ):
        refused = lookup(hall, "QH002", **body)
        assert (refused.status_code, refused.json()) == (404, {"detail": "no such filing"})
    # Both proofs, or neither: a bad request.
    assert lookup(hall, "QH002", tracking_number=ORIGINAL).status_code == 422
    both = lookup(hall, "QH002", tracking_number=ORIGINAL, id_proof=proof, token="x")
    assert both.status_code == 422
    # Unsigned: refused before anything is read.
    unsigned = requests.post(
        hall.url + LOOKUP_PATH, json={"tracking_number": ORIGINAL, "id_proof": proof}, timeout=10
    )
    assert unsigned.status_code == 401

    # The receipt's token (scanned from its QR) proves the filing as well.
    by_token = lookup(hall, "QH002", tracking_number=ORIGINAL, token=TOKEN)
    assert by_token.status_code == 200 and by_token.json() == doc

    # The hand-in: a filing of its own at QH002, linked to the part, which goes back to review.
    body = hand_in_body(
        hall, "QH002-20261125-0001", {"premises_proof": LEASE, "articles_of_association": ARTICLES}
    )
    assert post_submission(hall.server, body).status_code == 201
    assert part_status(hall, sub) == "in_review"
    assert part_status(hall, sub, "power_connection") == "received"  # the other part untouched
    events = walk_in_events(hall, sub)
    assert [(e.from_status, e.to_status, e.reason) for e in events] == [
        ("needs_more", "in_review", "补正 QH002-20261125-0001")
    ]
    (row,) = rows(hall, select(supplements).where(supplements.c.submission_id == body["id"]))
    assert (row.original_submission_id, row.part_id, row.state) == (sub, PART, "applied")
    assert json.loads(row.materials) == ["premises_proof", "articles_of_association"]
    # The hand-in has no parts of its own: it is nobody's new work in the inbox.
    assert rows(hall, select(parts).where(parts.c.submission_id == body["id"])) == []

    # The officer sees what was handed in, and opens it.
    detail = s["market"].get(f"{hall.url}{DESK}/filings/{sub}", timeout=10).json()
    handed = {m["id"]: m for m in detail["materials"] if "supplement" in m}
    lease_id = "premises_proof@QH002-20261125-0001"
    assert set(handed) == {lease_id, "articles_of_association@QH002-20261125-0001"}
    assert handed[lease_id]["supplement"]["state"] == "applied"
    assert handed[lease_id]["name_zh"] == (
        "经营场所使用证明（房产证或租赁合同）（补正件 QH002-20261125-0001）"
    )
    photo = s["market"].get(hall.url + handed[lease_id]["url"], timeout=10)
    assert (photo.status_code, photo.content) == (200, LEASE)
    # Another department's officer may not open it.
    assert s["taxman"].get(hall.url + handed[lease_id]["url"], timeout=10).status_code == 403
    market_part = next(p for p in detail["parts"] if p["part_id"] == PART)
    assert market_part["status"] == "in_review" and market_part["paused"] is False

    # The outbox sends it again (its answer was lost): the same answer, no second move.
    assert post_submission(hall.server, body).status_code == 200
    assert len(walk_in_events(hall, sub)) == 1

    # Nothing waits any more: the kiosk is told so (an empty list, not an error).
    after = lookup(hall, "QH002", tracking_number=ORIGINAL, id_proof=proof)
    assert (after.status_code, after.json()["waiting"]) == (200, [])


def test_guessing_the_id_number_locks_the_device_and_the_filing(sqlite_hall: ConsoleHall) -> None:
    hall = sqlite_hall
    sent_back(hall)
    right = id_proof(ORIGINAL, BUNDLE_FORM["applicant_id_number"])
    for n in range(GUESS_LIMIT):
        guess = id_proof(ORIGINAL, f"32050519900101{n:04d}")
        assert lookup(hall, "QH002", tracking_number=ORIGINAL, id_proof=guess).status_code == 404
    # Locked before the proof is checked: the right card gets the same answer for a while.
    locked = lookup(hall, "QH002", tracking_number=ORIGINAL, id_proof=right)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    # The filing itself is locked too, so another station cannot take over the guessing.
    assert lookup(hall, "QH003", tracking_number=ORIGINAL, id_proof=right).status_code == 429
    hall.clock.advance(61)
    assert lookup(hall, "QH002", tracking_number=ORIGINAL, id_proof=right).status_code == 200


def test_a_late_or_stray_hand_in_is_kept_and_shown_never_refused(
    console_hall: ConsoleHall,
) -> None:
    hall = console_hall
    sub, s = sent_back(hall)
    move(s["market"], hall, sub, PART, "in_review")  # the officer went on without it
    # A hand-in that sat in an offline outbox arrives after the part stopped waiting.
    late = hand_in_body(hall, "QH003-20261125-0001", {"premises_proof": LEASE})
    assert post_submission(hall.server, late).status_code == 201
    assert part_status(hall, sub) == "in_review"
    assert walk_in_events(hall, sub) == []
    (row,) = rows(hall, select(supplements).where(supplements.c.submission_id == late["id"]))
    assert (row.original_submission_id, row.state) == (sub, "late")
    detail = s["market"].get(f"{hall.url}{DESK}/filings/{sub}", timeout=10).json()
    (shown,) = [m for m in detail["materials"] if "supplement" in m]
    assert shown["supplement"]["state"] == "late"
    assert shown["supplement"]["tracking_number"] == "QH003-20261125-0001"
    assert shown["name_en"].endswith(
        "(hand-in QH003-20261125-0001, after the part stopped waiting)"
    )

    # One naming a part nobody knows is stored too, as late, linked to nothing.
    stray = hand_in_body(hall, "QH003-20261125-0002", {}, original="QH009-20261101-0042")
    assert post_submission(hall.server, stray).status_code == 201
    (row,) = rows(hall, select(supplements).where(supplements.c.submission_id == stray["id"]))
    assert (row.original_submission_id, row.state) == ("", "late")
    # So is one whose payload does not say what it is for.
    odd = hand_in_body(hall, "QH003-20261125-0003", {})
    odd["payload"] = {"service_id": SUPPLEMENT_SERVICE, "supplement_for": "?"}
    assert post_submission(hall.server, odd).status_code == 201
    (row,) = rows(hall, select(supplements).where(supplements.c.submission_id == odd["id"]))
    assert row.state == "late"


def test_a_hall_stopped_before_the_move_finishes_it_at_start_once(tmp_path: Path) -> None:
    db = str(tmp_path / "hall" / "hall.db")
    clock = FakeClock(START)
    hall = ConsoleHall(start_hall(db, clock), clock)
    try:
        sub, _ = sent_back(hall)
        applied = hand_in_body(hall, "QH002-20261125-0001", {"premises_proof": LEASE})
        assert post_submission(hall.server, applied).status_code == 201
    finally:
        hall.server.stop()

    store = SubmissionStore(db)
    try:
        engine = store.engine
        # Stopped after the move but before the row said so: pending again.
        with engine.begin() as conn:
            conn.execute(
                update(supplements)
                .where(supplements.c.submission_id == applied["id"])
                .values(state="pending")
            )
        # The officer asks again; then a hand-in is stored but the hall stops before the move.
        with engine.begin() as conn:
            conn.execute(
                update(parts)
                .where(parts.c.submission_id == sub, parts.c.part_id == PART)
                .values(status="needs_more", version=parts.c.version + 1)
            )
        catalogs = CatalogStore(engine, clock)
        desk = PartDesk(engine, clock, catalogs, load_calendar(), {})
        store.intake_hooks.append(SupplementDesk(engine, clock, catalogs, desk).on_intake)
        stored = Submission(
            id=str(uuid.uuid4()),
            station_id="QH004",
            service_id=SUPPLEMENT_SERVICE,
            tracking_number="QH004-20261126-0001",
            created_at="2026-11-26T02:00:00+00:00",
            payload=supplement_payload(ORIGINAL, PART, [], "en_US"),
        )
        assert store.put(stored) == "created"
    finally:
        store.close()

    hall = ConsoleHall(start_hall(db, clock), clock)
    try:
        states = {
            r.submission_id: r.state
            for r in rows(hall, select(supplements.c.submission_id, supplements.c.state))
        }
        assert states == {applied["id"]: "applied", stored.id: "applied"}
        assert [e.reason for e in walk_in_events(hall, sub)] == [
            "补正 QH002-20261125-0001",
            "补正 QH004-20261126-0001",
        ]
        assert part_status(hall, sub) == "in_review"
    finally:
        hall.server.stop()


# --- the kiosk's side: SupplementFlow, a real outbox and sender, against the real hall -----------


class Walk:
    """A session machine in the service home, with the supplement flow over a real hall client,
    outbox and sender; background jobs run at once (the order is what a test checks)."""

    def __init__(self, hall: ConsoleHall, station: str, state_dir: Path) -> None:
        from kiosk.hall_client import HallClient
        from kiosk.session.context import SessionContext
        from kiosk.session.machine import SessionMachine
        from kiosk.session.supplement import SupplementFlow
        from offline_queue.outbox import Outbox

        identity = enrol_station(hall.server, station, state_dir=state_dir)
        self.client = HallClient(hall.url, 5.0, auth=identity.requests_auth())
        self.outbox_path = state_dir / "outbox.sqlite3"
        self.outbox = Outbox(self.outbox_path, station)
        self.context = SessionContext(language="zh_CN")
        self.machine = SessionMachine(self.context)
        self.machine.send("started")
        self.machine.send("identity_skipped")
        self.station = station
        self.changes = 0

        def run(job: Any, ok: Any, err: Any) -> None:
            try:
                result = job()
            except Exception as exc:
                err(exc)
            else:
                ok(result)

        def changed() -> None:
            self.changes += 1

        self.flow = SupplementFlow(
            context=self.context,
            lookup=self.client.post_supplement_lookup,
            queue=self.outbox,
            send=self.machine.send,
            state=lambda: str(self.machine.current_state_value),
            run=run,
            changed=changed,
            hall_url=hall.url,
        )

    def deliver(self) -> None:
        """Send the outbox to the hall until it is empty (the sender thread, run once)."""
        from offline_queue.sender import Sender

        sender = Sender(self.outbox_path, self.station, self.client)
        sender.start()
        try:
            for _ in range(100):
                if sender.status().depth == 0 and sender.status().last_success_at is not None:
                    return
                threading.Event().wait(0.05)
            raise AssertionError(f"outbox not delivered: {sender.status()}")
        finally:
            sender.stop()

    def close(self) -> None:
        self.outbox.close()
        self.client.close()


def test_a_kiosk_hands_in_through_its_outbox_exactly_once(
    sqlite_hall: ConsoleHall, tmp_path: Path
) -> None:
    from drivers.card_reader.base import Identity

    hall = sqlite_hall
    sub, s = sent_back(hall)
    walk = Walk(hall, "QH002", tmp_path / "QH002")
    try:
        flow, data = walk.flow, walk.context.supplement
        flow.open()
        assert walk.machine.current_state_value == "supplementing"
        # The receipt's QR code: its token proves the filing, no card needed.
        flow.qr_scanned(f"{hall.url}/p/{ORIGINAL}?t={TOKEN}")
        assert data.status == ""  # not scanning: a stray code is ignored
        flow.start_scan()
        flow.qr_scanned(f"{hall.url}/p/{ORIGINAL}?t={TOKEN}")
        assert (data.status, data.part_id, data.scanning) == ("list", PART, False)
        flow.start_scan()
        flow.qr_scanned(f"{hall.url}/p/{ORIGINAL}?t=Zz9vQpZtW2xY7bN4mC8sAx")
        assert data.status == "not_found"  # a wrong token: as unknown
        flow.again()
        # A typed number needs the card that filed it.
        flow.look_up_number(ORIGINAL.lower())
        assert (data.status, data.query) == ("card_required", ORIGINAL)
        walk.context.identity = Identity(name="王小明", id_number="320505199202021234")
        flow.look_up_number(ORIGINAL)
        assert data.status == "not_found"  # another person's card
        walk.context.identity = Identity(
            name="王小明", id_number=BUNDLE_FORM["applicant_id_number"]
        )
        flow.look_up_number(ORIGINAL)
        assert data.status == "list" and data.part_id == PART
        assert [i["material"] for i in flow.items()] == [i["material"] for i in ITEMS]
        assert flow.items()[0]["reason"] == ITEMS[0]["reason"]

        # Confirming with a material missing is refused; each is photographed, then queued.
        flow.open_photo("premises_proof")
        flow.accept_photo(bytearray(LEASE))
        flow.confirm()
        assert data.status == "incomplete"
        flow.open_photo("articles_of_association")
        kept = bytearray(ARTICLES)
        flow.accept_photo(kept)
        flow.confirm()
        assert data.status == "queued"
        assert data.tracking_number.startswith("QH002-") and data.photos == {}
        assert kept == bytes(len(kept))  # the photo in memory was zeroed once sealed
        assert part_status(hall, sub) == "needs_more"  # queued, not yet sent

        walk.deliver()
        assert part_status(hall, sub) == "in_review"
        (row,) = rows(hall, select(supplements))
        assert (row.tracking_number, row.state) == (data.tracking_number, "applied")
        detail = s["market"].get(f"{hall.url}{DESK}/filings/{sub}", timeout=10).json()
        url = next(
            m["url"] for m in detail["materials"] if m["id"].startswith("articles_of_association@")
        )
        assert s["market"].get(hall.url + url, timeout=10).content == ARTICLES

        flow.finish()
        assert walk.machine.current_state_value == "idle"
        assert walk.context.is_empty()

        # The next walk-in with the same card: nothing waits, and the kiosk says so.
        walk.machine.send("started")
        walk.machine.send("identity_skipped")
        walk.context.identity = Identity(
            name="王小明", id_number=BUNDLE_FORM["applicant_id_number"]
        )
        walk.flow.open()
        walk.flow.look_up_number(ORIGINAL)
        assert walk.context.supplement.status == "not_waiting"
        walk.flow.close()
        assert walk.machine.current_state_value == "choosing_service"
    finally:
        walk.close()
    assert len(walk_in_events(hall, sub)) == 1


def test_without_the_hall_the_kiosk_says_so_and_guesses_nothing(
    sqlite_hall: ConsoleHall, tmp_path: Path
) -> None:
    from drivers.card_reader.base import Identity

    hall = sqlite_hall
    walk = Walk(hall, "QH002", tmp_path / "QH002")
    try:
        walk.context.identity = Identity(
            name="王小明", id_number=BUNDLE_FORM["applicant_id_number"]
        )
        hall.server.stop()  # the hall goes away
        walk.flow.open()
        walk.flow.look_up_number(ORIGINAL)
        data = walk.context.supplement
        assert (data.status, data.waiting, data.part_id) == ("unavailable", [], "")
        walk.flow.confirm()  # nothing to hand in without the hall's list
        assert data.status == "unavailable" and walk.outbox.depth() == 0
        # A code that is not one of our receipts is not looked up at all.
        walk.flow.start_scan()
        walk.flow.qr_scanned("https://example.com/p/QH001-20261123-0001?t=abc")
        assert data.status == "qr_foreign"
    finally:
        walk.close()
