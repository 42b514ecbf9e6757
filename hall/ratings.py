"""好差评 at the hall: the enterprise rates each part itself; a poor rating opens rectification.

The rules are the national 政务服务"好差评" ones. The person served rates each part once (一次一评)
when it is done (closed, refused or not accepted; a demand once it is replied): one of five
levels, 非常满意 (5) … 非常不满意 (1), the four indicators of the offline channel (整体满意度,
服务效率, 服务水平, 服务态度; 1-5 each) and an optional comment of at most
:data:`MAX_COMMENT` characters. The rating may be changed for :data:`CHANGE_DAYS` days after it
was first given, then it is frozen. A rating of 不满意 or 非常不满意 opens a rectification task for
the part's department, due :data:`RECTIFY_WORKING_DAYS` working days later (the hall's
calendar), which that department's officers work with a call-back record (who called, when,
what was agreed) and supervisors see. Staff never enter a rating: only two doors lead in, the
receipt's access token (the phone page, :mod:`hall.rating_page`) and a station that has just
read the card of the person who filed.

The station never sends the ID number: it sends a :class:`contracts.ratings.HolderProof` (a fresh
random salt and ``HMAC-SHA256(salt, id_number)``) in a signed POST body, and the hall computes the
same over the ID-number fields of recent filings with parts awaiting a rating. A fresh salt per
request means the digest names nobody outside that one request. Levels, indicators and limits
are :mod:`contracts.ratings`'.

Every refusal is a :class:`RatingRefused` (a 4xx with ``code``, ``message_zh``, ``message_en``);
nothing here answers 5xx for bad input. Routes::

    POST /api/v1/ratings                      the phone's JSON door (token in the body)
    POST /api/v1/station/ratings/pending      a station: parts awaiting the card holder's rating
    POST /api/v1/station/ratings              a station: the card holder rates a part
    GET  /api/v1/rectifications               officers (own department) and supervisors
    POST /api/v1/rectifications/{seq}         record the call-back, or close the task
    GET  /api/v1/ratings/rates                supervisors: satisfaction per department, service
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as FastPath
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from contracts.clock import Clock
from contracts.rating_scale import INDICATORS, LEVELS, MAX_COMMENT, POOR
from contracts.ratings import HolderProof, holder_digest
from hall import part_model
from hall.applicant_schema import ratings, rectifications
from hall.applicant_view import check_token
from hall.auth import Staff, SupervisorDep, audit
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.demand_content import WorkCalendar
from hall.demand_desk import DEMAND_SERVICE, demands
from hall.desk_access import DeskDep, check_department, department_scope
from hall.device_auth import CallerDep
from hall.notify_wiring import NotifyWiring
from hall.store import submissions
from hall.tracking import parts

log = logging.getLogger(__name__)

CHANGE_DAYS: Final = 7
RECTIFY_WORKING_DAYS: Final = 15
# A station offers parts done within this many days (a reminder, not a limit on rating).
OFFER_DAYS: Final = 30
# Part statuses a rating may follow: 办结 in any of its outcomes.
RATEABLE: Final = part_model.DONE
_DEMAND_RATEABLE: Final = frozenset({"replied", "confirmed"})
_HEX = re.compile(r"^[0-9a-f]+$")


class RatingRefused(Exception):
    """Why a rating (or a rectification step) is refused; :meth:`detail` is the HTTP body."""

    def __init__(self, code: str, status: int, zh: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.status, self.message_zh, self.message_en = code, status, zh, en

    def detail(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}

    def http(self) -> HTTPException:
        return HTTPException(self.status, detail=self.detail())


def _no_such_part() -> RatingRefused:
    return RatingRefused("not_found", 404, "没有这个办件", "No such part")


def _wrong_token() -> RatingRefused:
    return RatingRefused(
        "token_invalid",
        403,
        "评价链接无效，请扫描回执上的二维码或点击短信中的链接",
        "This rating link is not valid; scan the receipt's QR code or open the link in the SMS",
    )


# --- the rules (no database) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating as given: checked by :func:`check_rating`."""

    level: int
    indicators: Mapping[str, int]
    comment: str = ""


def check_rating(level: object, indicators: object, comment: object) -> Rating:
    """The rating as it will be stored, or :class:`RatingRefused` (422) saying what is wrong."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise RatingRefused(
            "level_out_of_range",
            422,
            "评价等级须为 1（非常不满意）至 5（非常满意）",
            "The level must be 1 (very dissatisfied) to 5 (very satisfied)",
        )
    if not isinstance(indicators, Mapping) or set(indicators) != set(INDICATORS):
        raise RatingRefused(
            "indicators_required",
            422,
            "请为整体满意度、服务效率、服务水平、服务态度各打 1 至 5 分",
            "Score each of overall, efficiency, competence and attitude from 1 to 5",
        )
    for name, (zh, en) in INDICATORS.items():
        score = indicators[name]
        if isinstance(score, bool) or not isinstance(score, int) or score not in LEVELS:
            raise RatingRefused(
                "indicator_out_of_range",
                422,
                f"“{zh}”须为 1 至 5 分",
                f"{en} must be scored 1 to 5",
            )
    text = comment.strip() if isinstance(comment, str) else ""
    if len(text) > MAX_COMMENT:
        raise RatingRefused(
            "comment_too_long",
            422,
            f"意见建议不能超过 {MAX_COMMENT} 字",
            f"The comment is longer than {MAX_COMMENT} characters",
        )
    return Rating(level, {k: int(indicators[k]) for k in INDICATORS}, text)


def satisfied_rate(levels: list[int]) -> float | None:
    """满意率: the share of ratings 基本满意 or better (None when nothing was rated)."""
    return round(sum(1 for v in levels if v >= 3) / len(levels), 4) if levels else None


# --- the desk ------------------------------------------------------------------------------------


class RatingDesk:
    """Ratings and rectification tasks in the hall's database (``app.state.ratings``)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        calendar: WorkCalendar,
        catalogs: CatalogStore,
        notify: NotifyWiring | None = None,
    ) -> None:
        self.engine, self.clock, self.calendar, self.catalogs = engine, clock, calendar, catalogs
        # The applicant's texts (hall.notify_wiring); None: the hall sends none.
        self.notify = notify

    # --- who may rate ---------------------------------------------------------------------------

    def check_token(self, tracking_number: str, token: str) -> str:
        """The submission id the receipt's token opens, or :class:`RatingRefused` (403)."""
        with self.engine.connect() as conn:
            found = check_token(conn, tracking_number, token, self.clock.now())
        if found is None:
            raise _wrong_token()
        return found

    def holder_filed(self, conn: Connection, submission_id: str, salt: str, digest: str) -> bool:
        """Whether the card holder named by ``digest`` is the one who filed ``submission_id``."""
        found = conn.execute(
            select(submissions.c.service_id, submissions.c.payload).where(
                submissions.c.id == submission_id
            )
        ).one_or_none()
        return found is not None and self._holder_matches(
            found.service_id, found.payload, salt, digest
        )

    def _holder_matches(self, service_id: str, payload: str, salt: str, digest: str) -> bool:
        form = json.loads(payload).get("form")
        if not isinstance(form, dict):
            return False
        names = self._id_fields(service_id)
        for name, value in form.items():
            if not (isinstance(value, str) and value):
                continue
            if (name in names or name.endswith("id_number")) and hmac.compare_digest(
                holder_digest(salt, value), digest
            ):
                return True
        return False

    def _id_fields(self, service_id: str) -> frozenset[str]:
        latest = self.catalogs.latest()
        try:
            form = latest.catalog.service(service_id).form if latest else None
        except KeyError:
            form = None
        if form is None:
            return frozenset()
        return frozenset(
            f.name
            for f in form.fields
            if f.kind == "id_number" or f.prefill == "identity.id_number"
        )

    # --- reading --------------------------------------------------------------------------------

    def _rateable(self, conn: Connection, part: Row[Any]) -> bool:
        if part.service_id == DEMAND_SERVICE:
            state = conn.execute(
                select(demands.c.state).where(demands.c.id == part.submission_id)
            ).scalar_one_or_none()
            return state in _DEMAND_RATEABLE
        return part.status in RATEABLE

    def parts_for(self, submission_id: str) -> list[dict[str, Any]]:
        """Every part of a filing with whether it may be rated now and its rating, if any."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(parts)
                .where(parts.c.submission_id == submission_id)
                .order_by(parts.c.position)
            ).all()
            given = {
                r.part_id: r
                for r in conn.execute(
                    select(ratings).where(ratings.c.submission_id == submission_id)
                ).all()
            }
            out = []
            for p in rows:
                rating = given.get(p.part_id)
                rateable = self._rateable(conn, p)
                out.append(
                    {
                        **self._names(p.service_id, p.part_id, p.department),
                        "submission_id": p.submission_id,
                        "part_id": p.part_id,
                        "tracking_number": p.tracking_number,
                        "status": p.status,
                        "rateable": rateable and (rating is None or self._open(rating, now)),
                        "rating": None if rating is None else self._rating_view(rating, now),
                    }
                )
        return out

    def pending_for_holder(self, salt: str, digest: str) -> list[dict[str, Any]]:
        """Parts done within :data:`OFFER_DAYS` days, not yet rated, filed by the card holder."""
        cutoff = iso(self.clock.now() - dt.timedelta(days=OFFER_DAYS))
        with self.engine.connect() as conn:
            candidates = conn.execute(
                select(parts, submissions.c.payload)
                .join(submissions, submissions.c.id == parts.c.submission_id)
                .outerjoin(
                    ratings,
                    and_(
                        ratings.c.submission_id == parts.c.submission_id,
                        ratings.c.part_id == parts.c.part_id,
                    ),
                )
                .outerjoin(demands, demands.c.id == parts.c.submission_id)
                .where(
                    ratings.c.seq.is_(None),
                    parts.c.updated_at >= cutoff,
                    or_(
                        and_(parts.c.service_id != DEMAND_SERVICE, parts.c.status.in_(RATEABLE)),
                        and_(
                            parts.c.service_id == DEMAND_SERVICE,
                            demands.c.state.in_(_DEMAND_RATEABLE),
                        ),
                    ),
                )
                # Latest first; a station's numbers grow, so they settle a tie in the time.
                .order_by(
                    parts.c.updated_at.desc(), parts.c.tracking_number.desc(), parts.c.position
                )
            ).all()
        out: list[dict[str, Any]] = []
        matched: dict[str, bool] = {}
        for p in candidates:
            if p.submission_id not in matched:
                matched[p.submission_id] = self._holder_matches(
                    p.service_id, p.payload, salt, digest
                )
            if matched[p.submission_id]:
                out.append(
                    {
                        **self._names(p.service_id, p.part_id, p.department),
                        "submission_id": p.submission_id,
                        "part_id": p.part_id,
                        "tracking_number": p.tracking_number,
                        "status": p.status,
                        "done_at": p.updated_at,
                    }
                )
        return out

    def _names(self, service_id: str, part_id: str, department: str) -> dict[str, str]:
        latest = self.catalogs.latest()
        names = {
            "service_id": service_id,
            "department": department,
            "service_name_zh": service_id,
            "service_name_en": service_id,
            "part_name_zh": part_id,
            "part_name_en": part_id,
            "department_name_zh": department,
            "department_name_en": department,
        }
        if latest is None:
            return names
        try:
            item = latest.catalog.service(service_id)
            names |= {"service_name_zh": item.name_zh, "service_name_en": item.name_en}
            part = next((p for p in item.parts if p.id == part_id), None)
            if part is not None:
                names |= {"part_name_zh": part.name_zh, "part_name_en": part.name_en}
        except KeyError:
            pass
        try:
            dep = latest.catalog.department(department)
            names |= {"department_name_zh": dep.name_zh, "department_name_en": dep.name_en}
        except KeyError:
            pass
        return names

    def _open(self, rating: Row[Any], now: dt.datetime) -> bool:
        return now < dt.datetime.fromisoformat(rating.created_at) + dt.timedelta(days=CHANGE_DAYS)

    def _rating_view(self, rating: Row[Any], now: dt.datetime) -> dict[str, Any]:
        until = dt.datetime.fromisoformat(rating.created_at) + dt.timedelta(days=CHANGE_DAYS)
        return {
            "level": rating.level,
            "indicators": json.loads(rating.indicators),
            "comment": rating.comment,
            "channel": rating.channel,
            "created_at": rating.created_at,
            "updated_at": rating.updated_at,
            "changeable_until": iso(until),
            "changeable": now < until,
        }

    # --- rating ---------------------------------------------------------------------------------

    def rate(
        self,
        submission_id: str,
        part_id: str,
        rating: Rating,
        *,
        channel: str,
        holder: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """Store (or change) the rating of one part; open a rectification for a poor one.

        ``holder`` (salt, digest): a station's card holder, checked against the filing.
        """
        now = self.clock.now()
        at = iso(now)
        try:
            with self.engine.begin() as conn:
                part = conn.execute(
                    select(parts).where(
                        parts.c.submission_id == submission_id, parts.c.part_id == part_id
                    )
                ).one_or_none()
                if part is None:
                    raise _no_such_part()
                if holder is not None and not self.holder_filed(conn, submission_id, *holder):
                    raise RatingRefused(
                        "not_the_holder",
                        403,
                        "只有办理人本人可以评价此办件",
                        "Only the person who filed may rate this part",
                    )
                if not self._rateable(conn, part):
                    raise RatingRefused(
                        "not_done",
                        409,
                        "此办件尚未办结，办结后才能评价",
                        "This part is not done yet; it can be rated once it is",
                    )
                before = conn.execute(
                    select(ratings).where(
                        ratings.c.submission_id == submission_id, ratings.c.part_id == part_id
                    )
                ).one_or_none()
                values = {
                    "level": rating.level,
                    "indicators": json.dumps(dict(rating.indicators)),
                    "comment": rating.comment,
                    "channel": channel,
                    "updated_at": at,
                }
                if before is None:
                    seq = conn.execute(
                        insert(ratings).values(
                            submission_id=submission_id,
                            part_id=part_id,
                            tracking_number=part.tracking_number,
                            service_id=part.service_id,
                            department=part.department,
                            created_at=at,
                            **values,
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
                else:
                    if not self._open(before, now):
                        raise RatingRefused(
                            "rating_frozen",
                            409,
                            f"评价提交 {CHANGE_DAYS} 天后不能再修改",
                            f"A rating cannot be changed more than {CHANGE_DAYS} days after it "
                            "was given",
                        )
                    seq = before.seq
                    conn.execute(update(ratings).where(ratings.c.seq == seq).values(**values))
                opened = None
                if rating.level in POOR:
                    opened = self._open_rectification(conn, int(seq), part.department, now)
                if opened is not None and self.notify is not None:
                    # The enterprise hears the department will call back (once per part).
                    key = f"{submission_id}:{part_id}:poor_rating_follow_up"
                    self.notify.notify(conn, "poor_rating_follow_up", submission_id, {}, key)
        except IntegrityError:
            # Two devices rating the same part at once: the other one's rating stands.
            raise RatingRefused(
                "rated_meanwhile",
                409,
                "此办件刚刚已被评价，请刷新后查看",
                "This part was rated a moment ago; reload to see it",
            ) from None
        log.info(
            "part %s/%s rated %d via %s%s",
            submission_id,
            part_id,
            rating.level,
            channel,
            f", rectification {opened} opened" if opened else "",
        )
        with self.engine.connect() as conn:
            row = conn.execute(select(ratings).where(ratings.c.seq == seq)).one()
        return {"part_id": part_id, "rating": self._rating_view(row, now), "rectification": opened}

    def _open_rectification(
        self, conn: Connection, rating_seq: int, department: str, now: dt.datetime
    ) -> int | None:
        """A new task for a poor rating; None when the rating already has one (it was changed)."""
        exists = conn.execute(
            select(rectifications.c.seq).where(rectifications.c.rating_seq == rating_seq)
        ).scalar_one_or_none()
        if exists is not None:
            return None
        due = self.calendar.add_working_days(part_model.local_date(now), RECTIFY_WORKING_DAYS)
        at = iso(now)
        seq = conn.execute(
            insert(rectifications).values(
                rating_seq=rating_seq,
                department=department,
                due_on=due.isoformat(),
                state="open",
                created_at=at,
                updated_at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return int(seq)

    # --- rectification --------------------------------------------------------------------------

    def rectifications(self, scope: str | None, state: str | None) -> list[dict[str, Any]]:
        """Tasks of one department (None: all), open and most urgent first."""
        query = select(rectifications, ratings).join(
            ratings, ratings.c.seq == rectifications.c.rating_seq
        )
        if scope is not None:
            query = query.where(rectifications.c.department == scope)
        if state:
            query = query.where(rectifications.c.state == state)
        query = query.order_by(rectifications.c.due_on, rectifications.c.seq)
        today = part_model.local_date(self.clock.now())
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._task_view(r, today) for r in rows]

    def _task_view(self, r: Row[Any], today: dt.date) -> dict[str, Any]:
        m = r._mapping
        due = dt.date.fromisoformat(m[rectifications.c.due_on])
        state = m[rectifications.c.state]
        return {
            **self._names(m[ratings.c.service_id], m[ratings.c.part_id], m[ratings.c.department]),
            "seq": m[rectifications.c.seq],
            "state": state,
            "due_on": due.isoformat(),
            "working_days_left": self.calendar.working_days_between(today, due),
            "overdue": state == "open" and due < today,
            "callback_note": m[rectifications.c.callback_note],
            "callback_at": m[rectifications.c.callback_at],
            "handled_by": m[rectifications.c.handled_by],
            "version": m[rectifications.c.version],
            "opened_at": m[rectifications.c.created_at],
            "tracking_number": m[ratings.c.tracking_number],
            "submission_id": m[ratings.c.submission_id],
            "level": m[ratings.c.level],
            "indicators": json.loads(m[ratings.c.indicators]),
            "comment": m[ratings.c.comment],
        }

    def task(self, seq: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(rectifications, ratings)
                .join(ratings, ratings.c.seq == rectifications.c.rating_seq)
                .where(rectifications.c.seq == seq)
            ).one_or_none()
        if row is None:
            raise RatingRefused("not_found", 404, "没有这个整改任务", "No such rectification task")
        return self._task_view(row, part_model.local_date(self.clock.now()))

    def work(
        self, seq: int, action: str, *, who: str, version: int, note: str, called_at: str | None
    ) -> dict[str, Any]:
        """``callback`` records the call (open → called_back; again to amend it); ``close``
        ends a task whose call-back is recorded."""
        task = self.task(seq)
        note = note.strip()
        if action == "callback":
            if task["state"] == "closed":
                raise RatingRefused(
                    "task_closed", 409, "整改任务已办结", "This rectification task is closed"
                )
            if not note:
                raise RatingRefused(
                    "note_required",
                    422,
                    "请写明回访情况：与企业商定了什么",
                    "Write down what was agreed with the enterprise on the call",
                )
            when = self.clock.now()
            if called_at:
                try:
                    when = dt.datetime.fromisoformat(called_at)
                except ValueError:
                    when = None  # type: ignore[assignment]
                if when is None or when.tzinfo is None or when > self.clock.now():
                    raise RatingRefused(
                        "called_at_invalid",
                        422,
                        "回访时间须为带时区的过去时间",
                        "The call time must be a past time with a UTC offset",
                    )
            values: dict[str, Any] = {
                "state": "called_back",
                "callback_note": note,
                "callback_at": iso(when),
                "handled_by": who,
            }
        elif action == "close":
            if task["state"] != "called_back":
                raise RatingRefused(
                    "callback_first",
                    409,
                    "须先记录回访，才能办结整改任务",
                    "Record the call-back before closing the task",
                )
            values = {"state": "closed"}
        else:
            raise RatingRefused(
                "unknown_action",
                422,
                f"未知的操作：{action[:16]}",
                f"Unknown action: {action[:16]}",
            )
        with self.engine.begin() as conn:
            done = conn.execute(
                update(rectifications)
                .where(rectifications.c.seq == seq, rectifications.c.version == version)
                .values(**values, version=version + 1, updated_at=iso(self.clock.now()))
            ).rowcount
        if not done:
            raise RatingRefused(
                "changed",
                409,
                "整改任务已被他人修改，请刷新后重试",
                "The task was changed by someone else; reload and try again",
            )
        log.info("rectification %d: %s by %s", seq, action, who)
        return self.task(seq)

    # --- figures --------------------------------------------------------------------------------

    def rates(self) -> dict[str, Any]:
        """满意率 and averages per department and per service; open and overdue tasks."""
        today = part_model.local_date(self.clock.now())
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ratings.c.department, ratings.c.service_id, ratings.c.level)
            ).all()
            tasks = conn.execute(
                select(rectifications.c.department, rectifications.c.state, rectifications.c.due_on)
            ).all()

        def figures(levels: list[int]) -> dict[str, Any]:
            return {
                "count": len(levels),
                "satisfied_rate": satisfied_rate(levels),
                "average": round(sum(levels) / len(levels), 2) if levels else None,
                "poor": sum(1 for v in levels if v in POOR),
                "by_level": {str(k): levels.count(k) for k in LEVELS},
            }

        by_dep: dict[str, list[int]] = {}
        by_svc: dict[str, list[int]] = {}
        for r in rows:
            by_dep.setdefault(r.department, []).append(r.level)
            by_svc.setdefault(r.service_id, []).append(r.level)
        open_tasks: dict[str, int] = {}
        overdue: dict[str, int] = {}
        for t in tasks:
            if t.state != "closed":
                open_tasks[t.department] = open_tasks.get(t.department, 0) + 1
            if t.state == "open" and dt.date.fromisoformat(t.due_on) < today:
                overdue[t.department] = overdue.get(t.department, 0) + 1
        departments = []
        for dep in sorted(set(by_dep) | set(open_tasks)):
            names = self._names("", "", dep)
            departments.append(
                {
                    "department": dep,
                    "name_zh": names["department_name_zh"],
                    "name_en": names["department_name_en"],
                    **figures(by_dep.get(dep, [])),
                    "rectifications_open": open_tasks.get(dep, 0),
                    "rectifications_overdue": overdue.get(dep, 0),
                }
            )
        services = []
        for svc in sorted(by_svc):
            names = self._names(svc, "", "")
            services.append(
                {
                    "service_id": svc,
                    "name_zh": names["service_name_zh"],
                    "name_en": names["service_name_en"],
                    **figures(by_svc[svc]),
                }
            )
        return {
            "as_of": self.clock.now().isoformat(),
            "total": figures([r.level for r in rows]),
            "departments": departments,
            "services": services,
        }


# --- the API -------------------------------------------------------------------------------------

_Score = StrictInt
# Bigger numbers than a 32-bit column holds are refused (422) before they reach the database.
_INT_MAX: Final = 2**31 - 1
_Salt = Annotated[StrictStr, Field(min_length=32, max_length=64)]
_Digest = Annotated[StrictStr, Field(min_length=64, max_length=64)]


class _RatingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    part_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    # Ranges are checked by check_rating, which says why in both languages.
    level: StrictInt
    indicators: dict[StrictStr, _Score]
    comment: Annotated[StrictStr, Field(max_length=4 * MAX_COMMENT)] = ""


class PhoneRatingIn(_RatingBody):
    tracking_number: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    token: Annotated[StrictStr, Field(min_length=1, max_length=128)]


class StationRatingIn(_RatingBody):
    salt: _Salt
    holder: _Digest
    submission_id: Annotated[StrictStr, Field(min_length=1, max_length=36)]


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Annotated[StrictStr, Field(max_length=16)]
    version: Annotated[StrictInt, Field(ge=1, le=_INT_MAX)]
    note: Annotated[StrictStr, Field(max_length=2000)] = ""
    called_at: Annotated[StrictStr, Field(max_length=40)] | None = None


def _check_holder(salt: str, holder: str) -> tuple[str, str]:
    salt, holder = salt.lower(), holder.lower()
    if not _HEX.match(salt) or len(salt) % 2 or not _HEX.match(holder):
        raise RatingRefused(
            "holder_invalid",
            422,
            "身份摘要格式不对，请重新读卡",
            "The card holder's digest is malformed; read the card again",
        ).http()
    return salt, holder


def desk_of(request: Request) -> RatingDesk:
    found: RatingDesk = request.app.state.ratings
    return found


def router() -> APIRouter:
    api = APIRouter(tags=["ratings"])

    @api.post("/api/v1/ratings")
    def rate_by_token(body: PhoneRatingIn, request: Request) -> dict[str, Any]:
        d = desk_of(request)
        try:
            sub = d.check_token(body.tracking_number, body.token)
            rating = check_rating(body.level, body.indicators, body.comment)
            return d.rate(sub, body.part_id, rating, channel="phone")
        except RatingRefused as exc:
            raise exc.http() from None

    @api.post("/api/v1/station/ratings/pending")
    def pending(body: HolderProof, request: Request, caller: CallerDep) -> dict[str, Any]:
        salt, holder = _check_holder(body.salt, body.holder)
        items = desk_of(request).pending_for_holder(salt, holder)
        log.info("station %s: %d part(s) await the card holder's rating", caller.station_id,
                 len(items))  # fmt: skip
        return {"items": items}

    @api.post("/api/v1/station/ratings")
    def rate_at_station(
        body: StationRatingIn, request: Request, caller: CallerDep
    ) -> dict[str, Any]:
        salt, holder = _check_holder(body.salt, body.holder)
        d = desk_of(request)
        try:
            rating = check_rating(body.level, body.indicators, body.comment)
            return d.rate(
                body.submission_id, body.part_id, rating, channel="kiosk", holder=(salt, holder)
            )
        except RatingRefused as exc:
            raise exc.http() from None

    @api.get("/api/v1/rectifications")
    def list_tasks(
        request: Request,
        who: DeskDep,
        state: Annotated[str | None, Query(max_length=16)] = None,
    ) -> dict[str, Any]:
        d = desk_of(request)
        items = d.rectifications(department_scope(who), state or None)
        return {"as_of": d.clock.now().isoformat(), "total": len(items), "items": items}

    @api.post("/api/v1/rectifications/{seq}")
    def work_task(
        seq: Annotated[int, FastPath(ge=1, le=_INT_MAX)],
        body: TaskIn,
        request: Request,
        who: DeskDep,
    ) -> dict[str, Any]:
        d = desk_of(request)
        subject = str(seq)
        try:
            task = d.task(seq)
            check_department(request, who, task["department"], f"rectification/{seq}")
            done = d.work(
                seq,
                body.action,
                who=who.name,
                version=body.version,
                note=body.note,
                called_at=body.called_at,
            )
        except RatingRefused as exc:
            _audit(request, who, body.action, subject, exc.code)
            raise exc.http() from None
        _audit(request, who, body.action, subject, "ok")
        return done

    @api.get("/api/v1/ratings/rates")
    def rates(request: Request, who: SupervisorDep) -> dict[str, Any]:
        return desk_of(request).rates()

    return api


def _audit(request: Request, who: Staff, action: str, subject: str, outcome: str) -> None:
    kind = action if action in {"callback", "close"} else "?"
    audit(request, who, f"rectification.{kind}", "rectification", subject, outcome)
