"""补正 at any station: what a filing still lacks, and the hand-ins that bring it.

**Asking.** ``POST /api/v1/supplements/lookup`` (device signed, :mod:`contracts.supplement`)
takes a tracking number and either the receipt's access token
(checked by :func:`hall.applicant_view.check_token`) or the HMAC of the ID number the kiosk read
from the card (:func:`contracts.supplement.id_proof`); the hall computes the same HMAC over the
ID numbers the filing's form holds. It answers the parts waiting for material (``needs_more``),
each material with the officer's reason from the 补正 move, or 404 — the same for an unknown
number and a proof that does not match, so the route confirms nothing to a guesser. ID numbers
are few enough to enumerate, so look-ups that find nothing are counted per device and per
tracking number (:mod:`hall.rate_limits`): after :data:`GUESS_LIMIT` in a row the key is locked
(429 with ``Retry-After``, doubling up to an hour); a look-up that finds the filing takes its
count back.

**Handing in.** A hand-in is an ordinary filing (service
:data:`~contracts.supplement.SUPPLEMENT_SERVICE`) through the outbox and the idempotent intake.
:meth:`SupplementDesk.on_intake` runs in the intake's transaction and records a
:data:`~hall.applicant_schema.supplements` row, ``pending``, linked to the part it names (the
tracking store does not fan a hand-in out into parts of its own: :func:`unless_supplement`).
After the intake committed, :meth:`SupplementDesk.apply` moves the part ``needs_more`` →
``in_review`` through :class:`hall.desk_moves.PartDesk` with the actor ``walk-in`` (the move's
event carries the hand-in's tracking number) and marks the row ``applied``; a part that no
longer waits (an officer moved it meanwhile, or the hand-in sat in an offline outbox) leaves the
row ``late``: kept and shown on the filing detail, never refused, never lost. A hall stopped
between the intake and the move finishes it at its next start (:meth:`apply_pending`); the
move's event names the hand-in, so a move made before a crash is recognised, not repeated.

States: ``pending`` → ``applied`` | ``late``. Payloads are personal data; logs carry ids only.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import ValidationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from contracts.clock import Clock
from contracts.supplement import (
    LOOKUP_PATH,
    SUPPLEMENT_SERVICE,
    LookupAnswer,
    LookupRequest,
    MissingMaterial,
    SupplementFor,
    WaitingPart,
    id_proof,
)
from contracts.wire import Submission
from hall import applicant_view, device_auth
from hall.applicant_schema import supplements
from hall.auth import Staff
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.desk_moves import PartDesk
from hall.desk_schema import part_events
from hall.part_model import Move, MoveRefused
from hall.rate_limits import AttemptLimiter, Policy, Throttled
from hall.store import IntakeHook, submissions
from hall.tracking import parts

log = logging.getLogger(__name__)

ACTOR: Final = "walk-in"
_MOVE_ATTEMPTS: Final = 3
# Look-ups in a row that find nothing, per device and per tracking number, before a lock.
GUESS_LIMIT: Final = 10
_GUESS_POLICY: Final = Policy(
    limit=GUESS_LIMIT, lock_s=60.0, max_lock_s=3600.0, forget_after_s=3600.0
)


def unless_supplement(hook: IntakeHook) -> IntakeHook:
    """``hook`` for every new submission but a hand-in (which adds material to another's part)."""

    def guarded(conn: Connection, sub: Submission) -> None:
        if sub.service_id != SUPPLEMENT_SERVICE:
            hook(conn, sub)

    return guarded


def _marker(tracking_number: str) -> str:
    """The reason on the walk-in's move: names the hand-in that made it."""
    return f"补正 {tracking_number}"


class SupplementDesk:
    """Look-ups, intake and application of hand-ins in the hall's database; thread-safe."""

    def __init__(
        self, engine: Engine, clock: Clock, catalogs: CatalogStore, desk: PartDesk
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.catalogs = catalogs
        self.desk = desk
        self.limits = AttemptLimiter(clock, {"device": _GUESS_POLICY, "filing": _GUESS_POLICY})

    # --- asking ---------------------------------------------------------------------------------

    def lookup(self, request: LookupRequest, device_id: str) -> LookupAnswer | None:
        """The filing's parts waiting for material, or None (unknown, or not proven);
        :class:`~hall.rate_limits.Throttled` once ``device_id`` or the number guessed too often."""
        attempt = self.limits.reserve(device=device_id, filing=request.tracking_number)
        answer = self._lookup(request)
        if answer is not None:
            self.limits.succeeded(attempt)
        return answer

    def _lookup(self, request: LookupRequest) -> LookupAnswer | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(submissions.c.id, submissions.c.service_id, submissions.c.payload).where(
                    submissions.c.tracking_number == request.tracking_number
                )
            ).one_or_none()
            if row is None or row.service_id == SUPPLEMENT_SERVICE:
                return None
            if not self._proven(conn, row.id, row.payload, request):
                return None
            waiting = conn.execute(
                select(parts.c.part_id, parts.c.service_id)
                .where(parts.c.submission_id == row.id, parts.c.status == "needs_more")
                .order_by(parts.c.position)
            ).all()
            latest = self.catalogs.latest(conn)
            try:
                item = latest.catalog.service(row.service_id) if latest else None
            except KeyError:
                item = None
            names = {m.id: (m.name_zh, m.name_en) for m in item.materials} if item else {}
            part_names = {p.id: (p.name_zh, p.name_en) for p in item.parts} if item else {}
            found = []
            for part in waiting:
                asked = conn.execute(
                    select(part_events.c["items"])
                    .where(
                        part_events.c.submission_id == row.id,
                        part_events.c.part_id == part.part_id,
                        part_events.c.to_status == "needs_more",
                    )
                    .order_by(part_events.c.seq.desc())
                    .limit(1)
                ).scalar_one_or_none()
                listed = json.loads(asked) if asked else []
                items = tuple(
                    MissingMaterial(
                        material=str(i["material"]),
                        name_zh=names.get(str(i["material"]), (str(i["material"]),) * 2)[0],
                        name_en=names.get(str(i["material"]), (str(i["material"]),) * 2)[1],
                        reason=str(i.get("reason", "")),
                    )
                    for i in listed
                    if isinstance(i, dict) and "material" in i
                )
                zh, en = part_names.get(part.part_id, (part.part_id, part.part_id))
                found.append(WaitingPart(part_id=part.part_id, name_zh=zh, name_en=en, items=items))
        return LookupAnswer(
            tracking_number=request.tracking_number, service_id=row.service_id, waiting=tuple(found)
        )

    def _proven(
        self, conn: Connection, submission_id: str, payload: str, request: LookupRequest
    ) -> bool:
        if request.token is not None:
            # The receipt's token, checked as the applicant's page checks it (hall.applicant_view).
            opened = applicant_view.check_token(
                conn, request.tracking_number, request.token, self.clock.now()
            )
            return opened == submission_id
        assert request.id_proof is not None  # LookupRequest holds exactly one proof
        form = json.loads(payload).get("form")
        candidates = (
            [v for k, v in form.items() if k.endswith("id_number") and isinstance(v, str)]
            if isinstance(form, dict)
            else []
        )
        return any(
            hmac.compare_digest(id_proof(request.tracking_number, v), request.id_proof)
            for v in candidates
        )

    # --- handing in -----------------------------------------------------------------------------

    def on_intake(self, conn: Connection, sub: Submission) -> None:
        """Record a new hand-in, ``pending``, in the intake's transaction. Never raises for odd
        content: a hand-in that names no waiting part is kept as ``late``."""
        if sub.service_id != SUPPLEMENT_SERVICE:
            return
        handed_in = [a.name for a in sub.attachments if a.name]
        original, part_id, state = "", "", "late"
        try:
            target = SupplementFor.model_validate(sub.payload.get("supplement_for"))
        except ValidationError:
            target = None
        if target is not None:
            part_id = target.part_id
            found = conn.execute(
                select(parts.c.submission_id).where(
                    parts.c.tracking_number == target.tracking_number,
                    parts.c.part_id == target.part_id,
                )
            ).scalar_one_or_none()
            if found is not None:
                original, state = str(found), "pending"
        conn.execute(
            insert(supplements).values(
                submission_id=sub.id,
                original_submission_id=original,
                part_id=part_id,
                tracking_number=sub.tracking_number,
                state=state,
                materials=json.dumps(handed_in, ensure_ascii=False),
                received_at=iso(self.clock.now()),
            )
        )
        if state == "late":
            log.warning("supplement %s names no known part: kept as late", sub.id)

    def apply(self, submission_id: str) -> str | None:
        """Move the part of a ``pending`` hand-in back to review; its state after, or None when
        ``submission_id`` is not a hand-in."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(supplements).where(supplements.c.submission_id == submission_id)
            ).one_or_none()
        if row is None:
            return None
        if row.state != "pending":
            return str(row.state)
        marker = _marker(row.tracking_number)
        for _ in range(_MOVE_ATTEMPTS):
            with self.engine.connect() as conn:
                part = conn.execute(
                    select(parts.c.status, parts.c.version, parts.c.department).where(
                        parts.c.submission_id == row.original_submission_id,
                        parts.c.part_id == row.part_id,
                    )
                ).one_or_none()
                moved_before = conn.execute(
                    select(part_events.c.seq).where(
                        part_events.c.submission_id == row.original_submission_id,
                        part_events.c.part_id == row.part_id,
                        part_events.c.actor == ACTOR,
                        part_events.c.reason == marker,
                    )
                ).first()
            if moved_before is not None:
                return self._mark(submission_id, "applied")
            if part is None or part.status != "needs_more":
                log.info("supplement %s: part %s no longer waits", submission_id, row.part_id)
                return self._mark(submission_id, "late")
            walk_in = Staff(ACTOR, "officer", part.department)
            move = Move(
                "in_review",
                reason=marker,
                note_zh="已收到补正材料，重新审查",
                note_en="The material was handed in; back in review",
            )
            try:
                self.desk.move(walk_in, row.original_submission_id, row.part_id, move, part.version)
            except MoveRefused as exc:
                log.info("supplement %s: move refused (%s), read again", submission_id, exc.code)
                continue
            except Exception as exc:
                # PartDesk's optimistic write lost to an officer's move: read again.
                if type(exc).__name__ != "_Lost":
                    raise
                continue
            return self._mark(submission_id, "applied")
        # Moved by others on every attempt: keep it for the officer rather than guess.
        return self._mark(submission_id, "late")

    def apply_pending(self) -> int:
        """Finish hand-ins a stopped hall left ``pending``; how many were."""
        with self.engine.connect() as conn:
            pending = [
                str(v)
                for v in conn.execute(
                    select(supplements.c.submission_id).where(supplements.c.state == "pending")
                ).scalars()
            ]
        for sub_id in pending:
            self.apply(sub_id)
        return len(pending)

    def _mark(self, submission_id: str, state: str) -> str:
        with self.engine.begin() as conn:
            conn.execute(
                update(supplements)
                .where(
                    supplements.c.submission_id == submission_id,
                    supplements.c.state == "pending",
                )
                .values(state=state)
            )
        log.info("supplement %s: %s", submission_id, state)
        return state


def handed_in(conn: Connection, submission_id: str) -> list[dict[str, Any]]:
    """The hand-ins for a filing, oldest first, for its detail at the desk: each photographed
    material with the hand-in's tracking number, state and time (the attachments as stored)."""
    rows = conn.execute(
        select(
            supplements.c.submission_id,
            supplements.c.part_id,
            supplements.c.tracking_number,
            supplements.c.state,
            supplements.c.received_at,
            submissions.c.attachments,
        )
        .join(submissions, submissions.c.id == supplements.c.submission_id)
        .where(supplements.c.original_submission_id == submission_id)
        .order_by(supplements.c.received_at, supplements.c.submission_id)
    ).all()
    found = []
    for r in rows:
        listed = json.loads(r.attachments) if r.attachments else []
        for a in listed:
            if isinstance(a, dict) and isinstance(a.get("sha256"), str):
                found.append(
                    {
                        "attachment": a,
                        "supplement_id": r.submission_id,
                        "part_id": r.part_id,
                        "tracking_number": r.tracking_number,
                        "state": r.state,
                        "received_at": r.received_at,
                    }
                )
    return found


def router() -> APIRouter:
    api = APIRouter(tags=["supplements"])

    def desk(request: Request) -> SupplementDesk:
        found: SupplementDesk = request.app.state.supplements
        return found

    @api.post(
        LOOKUP_PATH,
        responses={
            404: {"description": "unknown tracking number, or the proof does not match"},
            429: {"description": "too many look-ups that found nothing (Retry-After)"},
        },
    )
    def post_lookup(
        body: LookupRequest, request: Request, who: device_auth.CallerDep
    ) -> LookupAnswer:
        device_auth.admit_http(request, who, None)
        try:
            answer = desk(request).lookup(body, who.device_id)
        except Throttled as exc:
            log.warning(
                "supplement lookup by station %s refused: too many misses (%s)",
                who.station_id,
                exc.dimension,
            )
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="too many look-ups that found nothing; try again later",
                headers={"Retry-After": str(max(1, round(exc.retry_after_s)))},
            ) from None
        log.info(
            "supplement lookup by station %s: %s",
            who.station_id,
            "found" if answer is not None else "not found",
        )
        if answer is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such filing")
        return answer

    return api
