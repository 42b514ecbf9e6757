"""Forwarding accepted parts to a department's own case system: signed JSON from a durable queue.

A department may be given an endpoint (``PUT /api/v1/admin/departments/{id}/endpoint``, admin):
an ``https://`` URL (plain ``http://`` only to this machine, as the kiosk allows for its hall), a
shared secret and an on/off switch; ``GET`` shows it without the secret. When an officer accepts
a part (受理), :meth:`Forwarder.enqueue` runs inside that move's transaction
(``app.state.desk.accepted_hooks``) and adds a ``forward_queue`` row when the part's department
has an active endpoint, so an accepted part and its delivery are committed together or not at
all. The idempotency key is ``<submission id>/<part id>``.

A worker thread (:class:`Forwarder`, started and stopped with the app) delivers due rows::

    POST <url>
    Content-Type: application/json; charset=utf-8
    Idempotency-Key: <submission id>/<part id>
    X-Qihang-Timestamp: <unix seconds>
    X-Qihang-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

    {"idempotency_key", "tracking_number", "submission_id", "part_id", "service_id",
     "department", "accepted_at", "form": {the part's own fields only},
     "materials": [{"id", "sha256", "content_type", "size"}]}

A 2xx answer carrying ``{"case_number": "..."}`` delivers the row: the number is kept in
``forward_queue.case_number`` and ``parts.case_number`` (the filing detail shows it). Anything
else — another status, a timeout, a refused connection, an answer without a case number — is
an attempt that failed: ``attempts`` and ``last_error`` (a code, :data:`FAILURES`) record it and
the row is tried again after an exponential back-off with jitter, capped; after
``max_attempts`` it is ``failed`` and waits for a supervisor (``GET /api/v1/desk/forwarding``,
``POST /api/v1/desk/forwarding/{seq}/retry``). The same key may arrive twice (an answer lost on
the way back, a hall stopped mid-delivery): the receiver must answer a repeated key with the
case number it gave the first time.

Rows live in the database, so a restarted hall delivers what was pending. Before posting, a
worker leases its row (moves ``next_attempt_at`` past the delivery's timeout with a guarded
update), so several halls on one PostgreSQL never post the same row at once; a hall that dies
mid-delivery leaves the row to be tried again when the lease runs out. Form values and the
secret are never logged; log lines name the queue row, the key and the department.
"""

from __future__ import annotations

import hmac
import http.client
import json
import logging
import random
import ssl
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
)
from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from contracts.catalog_checks import ID_PATTERN
from contracts.clock import Clock
from hall.auth import AdminDep, SupervisorDep, audit
from hall.clock import iso
from hall.desk_schema import department_endpoints, forward_queue
from hall.store import MAX_DB_INT, submissions
from hall.tracking import parts

log = logging.getLogger(__name__)

ForwardState = Literal["pending", "delivered", "failed"]
FORWARD_STATES: Final[tuple[ForwardState, ...]] = ("pending", "delivered", "failed")

# What ``last_error`` holds after a failed attempt (a status adds its number: FORWARD_HTTP_500).
FAILURES: Final = {
    "FORWARD_TIMEOUT": "no answer within the timeout",
    "FORWARD_UNREACHABLE": "connection refused, reset or closed without an answer",
    "FORWARD_TLS": "the endpoint's certificate did not verify",
    "FORWARD_HTTP": "the endpoint answered a status other than 2xx (FORWARD_HTTP_<status>)",
    "FORWARD_BAD_ANSWER": "a 2xx answer without a JSON case_number",
    "FORWARD_NO_ENDPOINT": "the department's endpoint was removed or switched off",
    "FORWARD_PART_GONE": "the part or its submission no longer exists",
}

# Plain http:// only to this very machine (a department system's local adapter, tests): anywhere
# else the walk-in's answers would cross the network in clear text. The kiosk's config has the
# same rule for its hall URL (kiosk/config.py); the hall may not import the kiosk.
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_SECRET: Final = 256
MIN_SECRET: Final = 16


@dataclass(frozen=True, slots=True)
class ForwardingSettings:
    """How the worker delivers: per-request timeout, attempts before ``failed``, the back-off
    (first delay ``backoff_base_s``, doubling, at most ``backoff_cap_s``; half of it random), how
    often it looks for due rows when not woken, and how many rows one pass takes."""

    timeout_s: float = 10.0
    max_attempts: int = 8
    backoff_base_s: float = 30.0
    backoff_cap_s: float = 3600.0
    poll_s: float = 2.0
    batch: int = 20

    def __post_init__(self) -> None:
        if min(self.timeout_s, self.backoff_base_s, self.backoff_cap_s, self.poll_s) <= 0:
            raise ValueError("forwarding timeouts, back-off and poll interval must be positive")
        if self.max_attempts < 1 or self.batch < 1:
            raise ValueError("forwarding max_attempts and batch must be at least 1")

    @property
    def lease_s(self) -> float:
        """How long a row is held by the worker posting it (past any delivery's timeout)."""
        return 2 * self.timeout_s + 30.0


def backoff_delay(attempts: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """Delay after ``attempts`` failed tries (1-based): exponential, capped, "equal jitter".

    The same rule as the kiosk's sender (offline_queue.sender.backoff_delay), which the hall does
    not ship: half fixed, half random, so deliveries that failed together do not retry in step.
    """
    exp = min(cap_s, base_s * 2.0 ** min(attempts - 1, 60))
    return exp / 2.0 + rng.uniform(0.0, exp / 2.0)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Qihang-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + mac.hexdigest()


def idempotency_key(submission_id: str, part_id: str) -> str:
    return f"{submission_id}/{part_id}"


class DeliveryFailed(Exception):
    """One attempt did not deliver; ``code`` is what ``last_error`` records (:data:`FAILURES`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _CaseAnswer(BaseModel):
    """What a department system answers a delivery with (other keys are its own business)."""

    model_config = ConfigDict(extra="ignore")

    case_number: Annotated[StrictStr, Field(min_length=1, max_length=64)]


def post_json(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> str:
    """POST ``body`` to ``url``; the case number of a 2xx answer, else :class:`DeliveryFailed`.

    The standard library's client: the hall has no other HTTP client, redirects are not
    followed (a department system that moved is reconfigured, not guessed), and ``https`` checks
    the certificate against the system's CA store.
    """
    target = urlsplit(url)
    host, port = target.hostname or "", target.port
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout_s, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        conn.request("POST", path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read(64 * 1024)
    except TimeoutError:
        raise DeliveryFailed("FORWARD_TIMEOUT") from None
    except ssl.SSLError:
        raise DeliveryFailed("FORWARD_TLS") from None
    except (OSError, http.client.HTTPException):
        raise DeliveryFailed("FORWARD_UNREACHABLE") from None
    finally:
        conn.close()
    if not 200 <= answer.status < 300:
        raise DeliveryFailed(f"FORWARD_HTTP_{answer.status}")
    try:
        return _CaseAnswer.model_validate_json(data).case_number
    except ValidationError:
        raise DeliveryFailed("FORWARD_BAD_ANSWER") from None


class Forwarder:
    """The forwarding queue and the worker thread that empties it; thread-safe."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        settings: ForwardingSettings | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings or ForwardingSettings()
        self._rng = rng or random.Random()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the accept hook ------------------------------------------------------------------------

    def enqueue(self, conn: Connection, submission_id: str, part_id: str, department: str) -> bool:
        """Queue the part for its department's system, in the caller's (the accept move's)
        transaction; True if a delivery was queued. A key already queued is left as it is."""
        active = conn.execute(
            select(department_endpoints.c.active).where(
                department_endpoints.c.department == department
            )
        ).scalar_one_or_none()
        if not active:
            return False
        now = iso(self.clock.now())
        values = {
            "idempotency_key": idempotency_key(submission_id, part_id),
            "submission_id": submission_id,
            "part_id": part_id,
            "department": department,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        stmt: Any = (
            postgresql.insert(forward_queue)
            if conn.dialect.name == "postgresql"
            else sqlite.insert(forward_queue)
        )
        added = conn.execute(
            stmt.values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
        ).rowcount
        if added:
            log.info("forwarding %s to %s queued", values["idempotency_key"], department)
            # Woken before the accept commits, a pass may not see the row yet: the next poll does.
            self._wake.set()
        return bool(added)

    # --- the worker -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="forwarding", daemon=True)
        self._thread.start()
        log.info("forwarding worker started")

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop after the delivery in flight (if any); rows left pending wait for the next start."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join(self.settings.timeout_s + 5.0 if timeout_s is None else timeout_s)
        if thread.is_alive():
            log.warning("forwarding worker did not stop in time")
        else:
            log.info("forwarding worker stopped")

    def wake(self) -> None:
        """Look for due rows now (after an enqueue, or a supervisor's retry)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.deliver_due()
            except Exception:  # a database hiccup must not end the worker for good
                log.exception("forwarding pass failed")
            self._wake.wait(self.settings.poll_s)
            self._wake.clear()

    def deliver_due(self) -> int:
        """Try every row due now (at most one batch); returns how many were attempted."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            due = conn.execute(
                select(forward_queue.c.seq, forward_queue.c.next_attempt_at)
                .where(forward_queue.c.state == "pending")
                .where(forward_queue.c.next_attempt_at <= iso(now))
                .order_by(forward_queue.c.next_attempt_at, forward_queue.c.seq)
                .limit(self.settings.batch)
            ).all()
        tried = 0
        for row in due:
            if self._stopping.is_set():
                break
            if self._lease(row.seq, row.next_attempt_at):
                self._attempt(row.seq)
                tried += 1
        return tried

    def _lease(self, seq: int, due_at: str) -> bool:
        """Hold the row for this worker; False if another worker (or hall) took it first."""
        until = iso(self.clock.now() + timedelta(seconds=self.settings.lease_s))
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(forward_queue)
                .where(
                    forward_queue.c.seq == seq,
                    forward_queue.c.state == "pending",
                    forward_queue.c.next_attempt_at == due_at,
                )
                .values(next_attempt_at=until)
            ).rowcount
        return bool(taken)

    def _attempt(self, seq: int) -> None:
        with self.engine.connect() as conn:
            job = conn.execute(select(forward_queue).where(forward_queue.c.seq == seq)).one()
            endpoint = conn.execute(
                select(department_endpoints).where(
                    department_endpoints.c.department == job.department
                )
            ).one_or_none()
            body = self._body(conn, job)
        try:
            if body is None:
                raise DeliveryFailed("FORWARD_PART_GONE")
            if endpoint is None or not endpoint.active:
                raise DeliveryFailed("FORWARD_NO_ENDPOINT")
            timestamp = str(int(self.clock.now().timestamp()))
            case_number = post_json(
                endpoint.url,
                body,
                {
                    "Content-Type": "application/json; charset=utf-8",
                    "Idempotency-Key": job.idempotency_key,
                    "X-Qihang-Timestamp": timestamp,
                    "X-Qihang-Signature": sign(endpoint.secret, timestamp, body),
                },
                self.settings.timeout_s,
            )
        except DeliveryFailed as exc:
            self._failed(job, exc.code, final=body is None)
            return
        self._delivered(job, case_number)

    def _body(self, conn: Connection, job: Any) -> bytes | None:
        """The delivery's JSON, or None when its part or submission is gone."""
        part = conn.execute(
            select(parts).where(
                parts.c.submission_id == job.submission_id, parts.c.part_id == job.part_id
            )
        ).one_or_none()
        sub = conn.execute(
            select(submissions.c.payload, submissions.c.attachments).where(
                submissions.c.id == job.submission_id
            )
        ).one_or_none()
        if part is None or sub is None:
            return None
        payload = json.loads(sub.payload)
        form = payload.get("form") if isinstance(payload, dict) else None
        answers = form if isinstance(form, dict) else {}
        fields = json.loads(part.fields)
        # The department receives its own part's fields, never the rest of the filing.
        own = {name: v for name in fields if isinstance(v := answers.get(name, ""), str)}
        materials = [
            {
                "id": a.get("name", ""),
                "sha256": a["sha256"],
                "content_type": a.get("media_type", "application/octet-stream"),
                "size": a["size"],
            }
            for a in json.loads(sub.attachments or "[]")
        ]
        doc = {
            "idempotency_key": job.idempotency_key,
            "tracking_number": part.tracking_number,
            "submission_id": job.submission_id,
            "part_id": job.part_id,
            "service_id": part.service_id,
            "department": job.department,
            "accepted_at": job.created_at,
            "form": own,
            "materials": materials,
        }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _delivered(self, job: Any, case_number: str) -> None:
        now = iso(self.clock.now())
        with self.engine.begin() as conn:
            conn.execute(
                update(forward_queue)
                .where(forward_queue.c.seq == job.seq)
                .values(
                    state="delivered",
                    attempts=forward_queue.c.attempts + 1,
                    last_error=None,
                    case_number=case_number,
                    delivered_at=now,
                )
            )
            # Not a move: the part's version stays, so an officer's next move is not refused.
            conn.execute(
                update(parts)
                .where(parts.c.submission_id == job.submission_id, parts.c.part_id == job.part_id)
                .values(case_number=case_number)
            )
        log.info(
            "forwarding %s (#%d) to %s delivered: case %s",
            job.idempotency_key,
            job.seq,
            job.department,
            case_number,
        )

    def _failed(self, job: Any, code: str, *, final: bool = False) -> None:
        attempts = job.attempts + 1
        give_up = final or attempts >= self.settings.max_attempts
        delay = backoff_delay(
            attempts, self.settings.backoff_base_s, self.settings.backoff_cap_s, self._rng
        )
        with self.engine.begin() as conn:
            conn.execute(
                update(forward_queue)
                .where(forward_queue.c.seq == job.seq)
                .values(
                    state="failed" if give_up else "pending",
                    attempts=attempts,
                    last_error=code,
                    next_attempt_at=iso(self.clock.now() + timedelta(seconds=delay)),
                )
            )
        log.warning(
            "forwarding %s (#%d) to %s: attempt %d failed (%s)%s",
            job.idempotency_key,
            job.seq,
            job.department,
            attempts,
            code,
            ", given up" if give_up else f", next in {delay:.1f} s",
        )

    # --- what supervisors and admins see --------------------------------------------------------

    def rows(
        self, state: ForwardState | None, department: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Queue rows, newest first (ids, codes and case numbers only: no form values)."""
        query = select(forward_queue).order_by(forward_queue.c.seq.desc()).limit(limit)
        if state is not None:
            query = query.where(forward_queue.c.state == state)
        if department is not None:
            query = query.where(forward_queue.c.department == department)
        with self.engine.connect() as conn:
            found = conn.execute(query).all()
        return [
            {
                "seq": r.seq,
                "idempotency_key": r.idempotency_key,
                "submission_id": r.submission_id,
                "part_id": r.part_id,
                "department": r.department,
                "state": r.state,
                "attempts": r.attempts,
                "next_attempt_at": r.next_attempt_at,
                "last_error": r.last_error,
                "case_number": r.case_number,
                "created_at": r.created_at,
                "delivered_at": r.delivered_at,
            }
            for r in found
        ]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(forward_queue.c.state, func.count()).group_by(forward_queue.c.state)
            ).all()
        by_state: dict[str, int] = {s: 0 for s in FORWARD_STATES}
        by_state.update({state: count for state, count in found})
        return by_state

    def retry(self, seq: int) -> bool:
        """Put a failed row back in the queue with a fresh count; False unless it was failed."""
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(forward_queue)
                .where(forward_queue.c.seq == seq, forward_queue.c.state == "failed")
                .values(state="pending", attempts=0, next_attempt_at=iso(self.clock.now()))
            ).rowcount
        if changed:
            self.wake()
        return bool(changed)

    def endpoint(self, department: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                select(department_endpoints).where(department_endpoints.c.department == department)
            ).one_or_none()
        return None if r is None else _endpoint_json(r)

    def set_endpoint(
        self, department: str, url: str, secret: str, active: bool, by: str
    ) -> dict[str, Any]:
        values = {
            "department": department,
            "url": url,
            "secret": secret,
            "active": active,
            "updated_at": iso(self.clock.now()),
            "updated_by": by,
        }
        changes = {k: v for k, v in values.items() if k != "department"}
        with self.engine.begin() as conn:
            stmt: Any = (
                postgresql.insert(department_endpoints)
                if conn.dialect.name == "postgresql"
                else sqlite.insert(department_endpoints)
            )
            conn.execute(
                stmt.values(**values).on_conflict_do_update(
                    index_elements=["department"], set_=changes
                )
            )
        log.info("department %s endpoint set by %s (active %s)", department, by, active)
        if active:
            self.wake()  # rows waiting on a switched-off endpoint may go now
        return {k: v for k, v in values.items() if k != "secret"}


def _endpoint_json(r: Any) -> dict[str, Any]:
    return {
        "department": r.department,
        "url": r.url,
        "active": bool(r.active),
        "updated_at": r.updated_at,
        "updated_by": r.updated_by,
    }


# --- routes ------------------------------------------------------------------------------------


class EndpointIn(BaseModel):
    """A department system's endpoint as an admin sets it."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[StrictStr, Field(min_length=8, max_length=2000)]
    secret: Annotated[StrictStr, Field(min_length=MIN_SECRET, max_length=MAX_SECRET)]
    active: StrictBool

    @field_validator("url")
    @classmethod
    def _tls_off_loopback(cls, v: str) -> str:
        try:
            target = urlsplit(v)
            target.port  # noqa: B018  # raises for a port out of range
        except ValueError as exc:
            raise ValueError(f"not a URL: {exc}") from None
        if target.scheme not in ("https", "http") or not target.hostname:
            raise ValueError("must be an https:// URL with a host")
        if target.username is not None or target.password is not None or target.fragment:
            raise ValueError("no user, password or #fragment in the URL (the secret signs)")
        if target.scheme == "http" and target.hostname not in LOOPBACK_HOSTS:
            raise ValueError(
                f"plain http:// is only allowed to this machine "
                f"({', '.join(sorted(LOOPBACK_HOSTS))}); use https:// for {target.hostname!r}"
            )
        return v


class EndpointOut(BaseModel):
    department: str
    url: str
    active: bool
    updated_at: str
    updated_by: str


# Department ids are catalog ids: anything else is refused before it reaches the database.
DepartmentId = Annotated[str, Path(pattern=ID_PATTERN)]


def _forwarder(request: Request) -> Forwarder:
    found: Forwarder = request.app.state.forwarder
    return found


def router() -> APIRouter:
    """The endpoint admin API and the supervisor's view of the queue."""
    api = APIRouter(tags=["forwarding"])

    @api.put(
        "/api/v1/admin/departments/{department_id}/endpoint",
        responses={404: {"description": "no such department"}},
    )
    def put_endpoint(
        department_id: DepartmentId, body: EndpointIn, request: Request, who: AdminDep
    ) -> EndpointOut:
        if request.app.state.staff_store.departments.get(department_id) is None:
            audit(request, who, "department.endpoint", "department", department_id[:64], "unknown")
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such department")
        saved = _forwarder(request).set_endpoint(
            department_id, body.url, body.secret, body.active, who.name
        )
        outcome = "active" if body.active else "inactive"
        audit(request, who, "department.endpoint", "department", department_id, outcome)
        return EndpointOut(**saved)

    @api.get(
        "/api/v1/admin/departments/{department_id}/endpoint",
        responses={404: {"description": "no endpoint set for this department"}},
    )
    def get_endpoint(department_id: DepartmentId, request: Request, who: AdminDep) -> EndpointOut:
        found = _forwarder(request).endpoint(department_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no endpoint for this department")
        return EndpointOut(**found)

    @api.get("/api/v1/desk/forwarding")
    def list_forwarding(
        request: Request,
        who: SupervisorDep,
        state: ForwardState | None = None,
        department: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        forwarder = _forwarder(request)
        return {
            "items": forwarder.rows(state, department, limit),
            "counts": forwarder.counts(),
        }

    @api.post(
        "/api/v1/desk/forwarding/{seq}/retry",
        responses={409: {"description": "the row is not failed"}},
    )
    def retry(
        seq: Annotated[int, Path(ge=1, le=MAX_DB_INT)], request: Request, who: SupervisorDep
    ) -> dict[str, Any]:
        if not _forwarder(request).retry(seq):
            audit(request, who, "forwarding.retry", "forward", str(seq), "not_failed")
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="only a failed delivery is retried"
            )
        audit(request, who, "forwarding.retry", "forward", str(seq), "ok")
        return {"seq": seq, "state": "pending"}

    return api
