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
import uuid
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, select, update

from contracts.supplement import LOOKUP_PATH, SUPPLEMENT_SERVICE, id_proof, supplement_payload
from contracts.wire import Submission
from hall.applicant_schema import applicant_access, supplements
from hall.catalog_publish import CatalogStore
from hall.demand_content import load_calendar
from hall.desk_moves import PartDesk
from hall.desk_schema import part_events
from hall.store import SubmissionStore
from hall.supplements import SupplementDesk
from hall.tracking import parts
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import (
    BUNDLE_FORM,
    START,
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
    sub = file(hall, "company_startup_power", BUNDLE_FORM, 1, attachments={"premises_proof": JPEG})
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
    held = rows(
        hall, select(applicant_access.c.token).where(applicant_access.c.submission_id == sub)
    )
    if held:
        token = str(held[0].token)
    else:  # a hall whose intake mints no token yet: give the filing one, as the receipt would
        token = "t" * 43
        store = SubmissionStore(hall.server.db_path)
        try:
            with store.engine.begin() as conn:
                conn.execute(
                    insert(applicant_access).values(
                        submission_id=sub,
                        tracking_number=ORIGINAL,
                        token=token,
                        created_at="2026-11-23T01:00:00+00:00",
                    )
                )
        finally:
            store.close()
    by_token = lookup(hall, "QH002", tracking_number=ORIGINAL, token=token)
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
    assert handed[lease_id]["name_zh"] == "经营场所使用证明（房产证或租赁合同）"
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
