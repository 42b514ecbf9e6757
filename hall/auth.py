"""Hall staff: accounts, console sessions, roles and the audit log.

Used by every staff-facing part of the hall (the demand desk, catalog publication, and later the
remote-assist console), so it knows nothing about demands or catalogs:

- **Accounts** (``staff`` table): a name, a role (:data:`ROLES`; ``supervisor`` may do all a
  ``helper`` may, and more) and an argon2id password hash (argon2-cffi). Created from the command
  line (``python -m hall staff add NAME --role helper``), which reads the password from stdin,
  never from argv (argv shows up in ``ps`` and shell history).
- **Sessions** (``staff_sessions``): login sets a random token in a cookie (``HttpOnly``,
  ``Secure``, ``SameSite=Strict``); the hall stores only the token's sha256, so a copy of the
  database cannot be replayed as a login. A session ends at logout, after
  :data:`SESSION_IDLE` without a request, or :data:`SESSION_MAX` after login, whichever is first.
- **Dependencies** for routes: :func:`require_staff` (401 without a live session) and
  :func:`require_role` (403 for a lower role). Unsafe methods also check ``Origin`` when the
  browser sends one, on top of SameSite, so a page elsewhere cannot post with the cookie.
- **Audit** (``audit_log``): who did which action to which subject, when, and how it ended —
  never field values, descriptions or replies.

Logs name staff and actions, never passwords or tokens.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Final, Literal
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Index,
    Integer,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from contracts.clock import Clock
from hall.clock import iso
from hall.store import metadata

log = logging.getLogger(__name__)

Role = Literal["helper", "supervisor"]
# Lowest first: a role may do whatever the roles before it may.
ROLES: Final[tuple[Role, ...]] = ("helper", "supervisor")

COOKIE_NAME: Final = "qh_staff"
SESSION_IDLE: Final = timedelta(hours=2)
SESSION_MAX: Final = timedelta(hours=12)
# Consecutive wrong passwords for one name before it must wait; the wait doubles each time.
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(seconds=30)

_NAME = re.compile(r"[A-Za-z0-9_.-]{2,64}", re.ASCII)

staff = Table(
    "staff",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("staff_name", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_seen", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject_kind", String(32), nullable=False),
    Column("subject_id", String(128), nullable=False),
    Column("outcome", String(32), nullable=False),
)
Index("audit_subject", audit_log.c.subject_kind, audit_log.c.subject_id)


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked (bad name, role, duplicate)."""


@dataclass(frozen=True, slots=True)
class Staff:
    """A logged-in (or looked-up) staff member. No password hash here."""

    name: str
    role: Role

    def has_role(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    outcome: str


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class StaffStore:
    """Accounts, sessions and the audit log in the hall's database; thread-safe."""

    def __init__(self, engine: Engine, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        metadata.create_all(engine, tables=[staff, staff_sessions, audit_log])
        self._dummy: str | None = None
        self._failures: dict[str, tuple[int, datetime]] = {}
        self._failures_lock = threading.Lock()

    # --- accounts -------------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str) -> Staff:
        """Create an account; :class:`StaffError` for a bad name or role, a short password or a
        name already taken."""
        if _NAME.fullmatch(name) is None:
            raise StaffError("name must be 2-64 ASCII letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise StaffError(f"role must be one of: {', '.join(ROLES)}")
        if len(password) < 10:
            raise StaffError("password must be at least 10 characters")
        values = {
            "name": name,
            "role": role,
            "password_hash": self.hasher.hash(password),
            "active": True,
            "created_at": iso(self.clock.now()),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(staff).values(**values))
        except IntegrityError:
            raise StaffError(f"staff {name!r} already exists") from None
        log.info("staff account %s created (%s)", name, role)
        return Staff(name, role)

    def set_active(self, name: str, active: bool) -> None:
        """Enable or disable an account; disabling also ends its sessions."""
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(staff).where(staff.c.name == name).values(active=active)
            ).rowcount
            if not active:
                conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_name == name))
        if not changed:
            raise StaffError(f"no staff named {name!r}")
        log.info("staff account %s %s", name, "enabled" if active else "disabled")

    def set_password(self, name: str, password: str) -> None:
        if len(password) < 10:
            raise StaffError("password must be at least 10 characters")
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(staff)
                .where(staff.c.name == name)
                .values(password_hash=self.hasher.hash(password))
            ).rowcount
            conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_name == name))
        if not changed:
            raise StaffError(f"no staff named {name!r}")

    def known_name(self, name: str) -> str:
        """``name`` if an account has it, else ``"?"``: what a refused login may record.

        Someone who types their password into the name field must not find it in the audit log.
        """
        with self.engine.connect() as conn:
            found = conn.execute(select(staff.c.name).where(staff.c.name == name)).first()
        return name if found else "?"

    def accounts(self) -> list[tuple[Staff, bool]]:
        """Every account with whether it is active, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(staff.c.name, staff.c.role, staff.c.active).order_by(staff.c.name)
            ).all()
        return [(Staff(r.name, r.role), bool(r.active)) for r in rows]

    def verify(self, name: str, password: str) -> Staff | None:
        """The account if ``password`` is right and it is active; None otherwise.

        Raises :class:`LockedOut` after :data:`MAX_FAILURES` wrong passwords in a row for one
        name, until the lockout (doubling each time) has passed.
        """
        now = self.clock.now()
        self._check_lockout(name, now)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(staff.c.role, staff.c.password_hash, staff.c.active).where(
                    staff.c.name == name
                )
            ).one_or_none()
        try:
            self.hasher.verify(row.password_hash if row else self._dummy_hash(), password)
            ok = row is not None and bool(row.active)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None:
            self._note_failure(name, now)
            return None
        with self._failures_lock:
            self._failures.pop(name, None)
        if self.hasher.check_needs_rehash(row.password_hash):
            # Parameters were raised since this hash was made: upgrade it while we have the
            # password in hand.
            with self.engine.begin() as conn:
                conn.execute(
                    update(staff)
                    .where(staff.c.name == name)
                    .values(password_hash=self.hasher.hash(password))
                )
        return Staff(name, row.role)

    def _dummy_hash(self) -> str:
        # Verified against when the name is unknown, so a wrong name costs as long as a wrong
        # password and the answer time does not reveal which names exist. Made on first need:
        # hashing costs tens of milliseconds, which every hall start would otherwise pay.
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def _check_lockout(self, name: str, now: datetime) -> None:
        with self._failures_lock:
            count, last = self._failures.get(name, (0, now))
        if count >= MAX_FAILURES:
            wait = LOCKOUT * (2 ** (count - MAX_FAILURES))
            if now < last + wait:
                raise LockedOut((last + wait - now).total_seconds())

    def _note_failure(self, name: str, now: datetime) -> None:
        with self._failures_lock:
            count, _ = self._failures.get(name, (0, now))
            # Bounded: a flood of made-up names cannot grow this without limit.
            if len(self._failures) > 10_000:
                self._failures.clear()
            self._failures[name] = (count + 1, now)

    # --- sessions -------------------------------------------------------------------------------

    def start_session(self, who: Staff) -> str:
        """A new session for ``who``; returns the token for the cookie (stored only hashed)."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.engine.begin() as conn:
            # Expired sessions of anyone are swept here, the one write every login makes anyway.
            conn.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < iso(now)))
            conn.execute(
                insert(staff_sessions).values(
                    token_sha256=_token_digest(token),
                    staff_name=who.name,
                    created_at=iso(now),
                    last_seen=iso(now),
                    expires_at=iso(now + SESSION_MAX),
                )
            )
        return token

    def session_staff(self, token: str) -> Staff | None:
        """The staff member of a live session; refreshes its idle timer. None when not live."""
        digest = _token_digest(token)
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(
                select(
                    staff_sessions.c.last_seen,
                    staff_sessions.c.expires_at,
                    staff.c.name,
                    staff.c.role,
                    staff.c.active,
                )
                .join(staff, staff.c.name == staff_sessions.c.staff_name)
                .where(staff_sessions.c.token_sha256 == digest)
            ).one_or_none()
            if row is None:
                return None
            idle_end = datetime.fromisoformat(row.last_seen) + SESSION_IDLE
            if not row.active or now >= datetime.fromisoformat(row.expires_at) or now >= idle_end:
                conn.execute(delete(staff_sessions).where(staff_sessions.c.token_sha256 == digest))
                return None
            conn.execute(
                update(staff_sessions)
                .where(staff_sessions.c.token_sha256 == digest)
                .values(last_seen=iso(now))
            )
        return Staff(row.name, row.role)

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(staff_sessions).where(staff_sessions.c.token_sha256 == _token_digest(token))
            )

    # --- audit ----------------------------------------------------------------------------------

    def audit(
        self, actor: str, action: str, subject_kind: str, subject_id: str, outcome: str = "ok"
    ) -> None:
        """Record one staff action. Only names and ids: never values the action carried."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(audit_log).values(
                    at=iso(self.clock.now()),
                    actor=actor,
                    action=action,
                    subject_kind=subject_kind,
                    subject_id=subject_id,
                    outcome=outcome,
                )
            )
        log.info("audit: %s %s %s %s: %s", actor, action, subject_kind, subject_id, outcome)

    def audit_entries(
        self, *, subject_kind: str | None = None, subject_id: str | None = None, limit: int = 500
    ) -> list[AuditEntry]:
        """Audit rows, newest first, optionally for one subject."""
        query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
        if subject_kind is not None:
            query = query.where(audit_log.c.subject_kind == subject_kind)
        if subject_id is not None:
            query = query.where(audit_log.c.subject_id == subject_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(r.at, r.actor, r.action, r.subject_kind, r.subject_id, r.outcome)
            for r in rows
        ]


class LockedOut(Exception):
    """Too many wrong passwords for this name; try again after ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"locked out for {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


# --- FastAPI dependencies ----------------------------------------------------------------------

_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def _store(request: Request) -> StaffStore:
    store: StaffStore = request.app.state.staff_store
    return store


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        # Non-browser clients (and same-origin GETs in some browsers) send none.
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


def require_staff(request: Request) -> Staff:
    """The logged-in staff member, or 401. Unsafe methods from another origin get 403."""
    token = request.cookies.get(COOKIE_NAME)
    who = _store(request).session_staff(token) if token else None
    if who is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="login required")
    if request.method not in _SAFE_METHODS and not _same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-origin request refused")
    return who


def require_role(role: Role) -> Callable[[Staff], Staff]:
    """A dependency: the logged-in staff member if they have ``role`` (or higher), else 403."""

    def check(who: Annotated[Staff, Depends(require_staff)]) -> Staff:
        if not who.has_role(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"needs the {role} role")
        return who

    return check


StaffDep = Annotated[Staff, Depends(require_staff)]
SupervisorDep = Annotated[Staff, Depends(require_role("supervisor"))]


def audit(request: Request, who: Staff, action: str, kind: str, subject: str, outcome: str) -> None:
    """Record a staff action through the app's store (for routes in other modules)."""
    _store(request).audit(who.name, action, kind, subject, outcome)


# --- routes ------------------------------------------------------------------------------------


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=1024)]


class StaffOut(BaseModel):
    name: str
    role: str


def router() -> APIRouter:
    """``/api/v1/auth``: login, logout and who am I."""
    api = APIRouter(prefix="/api/v1/auth", tags=["staff"])

    @api.post("/login")
    def login(body: LoginIn, request: Request, response: Response) -> StaffOut:
        store = _store(request)
        if not _same_origin(request):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-origin request refused")
        try:
            who = store.verify(body.name, body.password)
        except LockedOut as exc:
            name = store.known_name(body.name)
            store.audit(name, "auth.login", "staff", name, "locked_out")
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="too many wrong passwords; wait and try again",
                headers={"Retry-After": str(max(1, round(exc.retry_after_s)))},
            ) from None
        if who is None:
            name = store.known_name(body.name)
            store.audit(name, "auth.login", "staff", name, "refused")
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong name or password")
        token = store.start_session(who)
        response.set_cookie(
            COOKIE_NAME,
            token,
            max_age=int(SESSION_MAX.total_seconds()),
            path="/",
            secure=True,
            httponly=True,
            samesite="strict",
        )
        store.audit(who.name, "auth.login", "staff", who.name, "ok")
        return StaffOut(name=who.name, role=who.role)

    @api.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
    def logout(request: Request, response: Response) -> None:
        token = request.cookies.get(COOKIE_NAME)
        store = _store(request)
        if token:
            who = store.session_staff(token)
            store.end_session(token)
            if who is not None:
                store.audit(who.name, "auth.logout", "staff", who.name, "ok")
        response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="strict")

    @api.get("/me")
    def me(who: StaffDep) -> StaffOut:
        return StaffOut(name=who.name, role=who.role)

    return api
