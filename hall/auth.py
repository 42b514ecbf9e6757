"""Hall staff: accounts, console sessions, roles and the audit log.

Used by every staff-facing part of the hall (the demand desk, catalog publication, and later the
remote-assist console), so it knows nothing about demands or catalogs:

- **Accounts** (``staff`` table): a name, a role (:data:`ROLES`), the department the account
  belongs to (an ``officer`` belongs to one department of :mod:`hall.departments`; the hall's own
  roles, ``helper``, ``supervisor`` and ``admin``, belong to the hall: no department) and an
  argon2id password hash (argon2-cffi). What each role may do is :data:`GRANTS`: a supervisor may
  do all a helper may, an admin all a supervisor may; an officer's work is scoped to their
  department, so the routes that act across departments (:data:`StaffDep`) refuse officers. An
  admin creates accounts (``POST /api/v1/staff``), or anyone with the database from the command
  line (``python -m hall staff add NAME --role officer --department tax``), which reads the
  password from stdin, never from argv (argv shows up in ``ps`` and shell history).
- **Sessions** (``staff_sessions``): login sets a random token in a cookie (``HttpOnly``,
  ``Secure``, ``SameSite=Strict``); the hall stores only the token's sha256, so a copy of the
  database cannot be replayed as a login. A session ends at logout, after
  :data:`SESSION_IDLE` without a request (to the minute: :data:`SESSION_TOUCH`), or
  :data:`SESSION_MAX` after login, whichever is first.
- **Dependencies** for routes: :func:`require_staff` (401 without a live session, any role) and
  :func:`require_role` (403 for a role without that grant). Unsafe methods also check
  ``Origin`` when the browser sends one, on top of SameSite, so a page elsewhere cannot post
  with the cookie.
- **Audit** (``audit_log``): who did which action to which subject, when, from which client
  address (:func:`hall.client_address.client_address`) and how it ended — never field values,
  descriptions or replies. Every refused login (401, 403, 429) and every 403 of a logged-in
  member is recorded with the address.
- **Login limits** (:mod:`hall.rate_limits`): each attempt is counted against its name
  (:data:`NAME_POLICY`: 5 wrong in a row lock it for 30 s, doubling up to 15 min) and its client
  address (:data:`ADDRESS_POLICY`) *before* its password is hashed, in one step, so parallel
  guesses cannot outrun the count. At most :data:`HASH_SLOTS` (the core count) argon2 checks run
  at once; a login that finds them all busy answers 429 with ``Retry-After`` instead of queueing
  64 MiB hashes until the hall runs out of memory.

Logs name staff and actions, never passwords or tokens.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal
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
from hall.client_address import client_address
from hall.clock import iso
from hall.departments import DepartmentStore, known_ids
from hall.rate_limits import Attempt, AttemptLimiter, Policy, Throttled
from hall.store import metadata

log = logging.getLogger(__name__)

Role = Literal["officer", "helper", "supervisor", "admin", "technician"]
ROLES: Final[tuple[Role, ...]] = ("officer", "helper", "supervisor", "admin", "technician")
# What each role may do, named by the roles whose routes it may use. An officer works their own
# department's parts only, so no hall role includes theirs: a route for officers checks the
# department as well (a supervisor sees every department without being one's officer).
GRANTS: Final[dict[Role, frozenset[Role]]] = {
    "officer": frozenset({"officer"}),
    "helper": frozenset({"helper"}),
    "supervisor": frozenset({"helper", "supervisor", "technician"}),
    "admin": frozenset({"helper", "supervisor", "admin", "technician"}),
    # A field technician (issue 20): the fleet, its remote commands and one-time station codes.
    "technician": frozenset({"technician"}),
}
# Roles that belong to a department; the others belong to the hall itself.
DEPARTMENT_ROLES: Final = frozenset({"officer"})

COOKIE_NAME: Final = "qh_staff"
SESSION_IDLE: Final = timedelta(hours=2)
SESSION_MAX: Final = timedelta(hours=12)
# The idle timer moves in steps: a request refreshes a session whose last refresh is this old or
# more. A console paging every few seconds writes once a minute, not with every request (each a
# synced commit that held every other SQLite writer, heartbeats included, for its fsync).
SESSION_TOUCH: Final = timedelta(minutes=1)
# Consecutive wrong passwords for one name before it must wait; the wait doubles each time, up
# to 15 minutes. A name quiet for a day starts over.
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(seconds=30)
MAX_LOCKOUT: Final = timedelta(minutes=15)
NAME_POLICY: Final = Policy(
    limit=MAX_FAILURES,
    lock_s=LOCKOUT.total_seconds(),
    max_lock_s=MAX_LOCKOUT.total_seconds(),
    forget_after_s=timedelta(days=1).total_seconds(),
)
# One address may try more names (an office behind one NAT mistypes too) but not without end; a
# right password does not reset it, so a valid account cannot launder another name's guesses.
ADDRESS_POLICY: Final = Policy(
    limit=20,
    lock_s=LOCKOUT.total_seconds(),
    max_lock_s=MAX_LOCKOUT.total_seconds(),
    forget_after_s=MAX_LOCKOUT.total_seconds(),
)
# argon2id at its defaults takes 64 MiB and a core for ~0.1 s: run no more at once than there are
# cores (120 parallel checks took the hall to 2.6 GB in review).
HASH_SLOTS: Final = os.cpu_count() or 1
BUSY_RETRY_S: Final = 1

_NAME = re.compile(r"[A-Za-z0-9_.-]{2,64}", re.ASCII)

staff = Table(
    "staff",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
    # A department id (hall.departments) for an officer; NULL for the hall's own staff.
    Column("department", String(64), nullable=True),
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
    Column("client", String(64), nullable=True),  # the client address, where there was one
)
Index("audit_subject", audit_log.c.subject_kind, audit_log.c.subject_id)


def _fit(column: Column[Any], value: str | None) -> str | None:
    length = getattr(column.type, "length", None)
    return value if value is None or length is None else value[:length]


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked (bad name, role, department)."""


class StaffExists(StaffError):
    """The name is taken by another account."""


@dataclass(frozen=True, slots=True)
class Staff:
    """A logged-in (or looked-up) staff member. No password hash here."""

    name: str
    role: Role
    department: str | None = None  # None: the hall's own staff

    def has_role(self, role: Role) -> bool:
        """Whether this member may use routes for ``role`` (:data:`GRANTS`)."""
        return role in GRANTS[self.role]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    outcome: str
    client: str | None = None


def _a(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class StaffStore:
    """Accounts, sessions and the audit log in the hall's database; thread-safe."""

    def __init__(self, engine: Engine, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.departments = DepartmentStore(engine, clock)
        self._dummy: str | None = None
        self.limits = AttemptLimiter(clock, {"name": NAME_POLICY, "address": ADDRESS_POLICY})
        self._hash_slots = threading.BoundedSemaphore(HASH_SLOTS)

    # --- accounts -------------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str, department: str | None = None) -> Staff:
        """Create an account; :class:`StaffError` for a bad name, role or department or a short
        password, :class:`StaffExists` for a name already taken.

        An ``officer`` needs a ``department`` the latest catalog lists; the hall's roles take
        none (they belong to the hall).
        """
        if _NAME.fullmatch(name) is None:
            raise StaffError("name must be 2-64 ASCII letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise StaffError(f"role must be one of: {', '.join(ROLES)}")
        self._check_department(role, department)
        if len(password) < 10:
            raise StaffError("password must be at least 10 characters")
        values = {
            "name": name,
            "role": role,
            "password_hash": self.hasher.hash(password),
            "active": True,
            "created_at": iso(self.clock.now()),
            "department": department,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(staff).values(**values))
        except IntegrityError:
            raise StaffExists(f"staff {name!r} already exists") from None
        log.info("staff account %s created (%s, %s)", name, role, department or "hall")
        return Staff(name, role, department)

    def _check_department(self, role: str, department: str | None) -> None:
        if role not in DEPARTMENT_ROLES:
            if department is not None:
                raise StaffError(f"{_a(role)} {role} belongs to the hall: give no department")
            return
        listed = known_ids(self.departments.all())
        if department is None:
            raise StaffError(
                f"{_a(role)} {role} belongs to a department; use one of: {', '.join(listed)}"
            )
        if department not in listed:
            raise StaffError(f"unknown department {department!r}; use one of: {', '.join(listed)}")

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
                select(staff.c.name, staff.c.role, staff.c.department, staff.c.active).order_by(
                    staff.c.name
                )
            ).all()
        return [(Staff(r.name, r.role, r.department), bool(r.active)) for r in rows]

    def verify(self, name: str, password: str, address: str = "-") -> Staff | None:
        """The account if ``password`` is right and it is active; None otherwise.

        Raises :class:`LockedOut` while the name or the client ``address`` is locked (see
        :data:`NAME_POLICY`, :data:`ADDRESS_POLICY`) and :class:`HashingBusy` when every hashing
        slot is taken; neither hashes anything.
        """
        if not self._hash_slots.acquire(blocking=False):
            raise HashingBusy(BUSY_RETRY_S)
        try:
            try:
                attempt = self.limits.reserve(name=name, address=address)
            except Throttled as exc:
                raise LockedOut(exc.retry_after_s) from None
            return self._check_password(name, password, attempt)
        finally:
            self._hash_slots.release()

    def _check_password(self, name: str, password: str, attempt: Attempt) -> Staff | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    staff.c.role, staff.c.department, staff.c.password_hash, staff.c.active
                ).where(staff.c.name == name)
            ).one_or_none()
        try:
            self.hasher.verify(row.password_hash if row else self._dummy_hash(), password)
            ok = row is not None and bool(row.active)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None:
            return None  # the attempt stays counted
        self.limits.succeeded(attempt, forget=("name",))
        if self.hasher.check_needs_rehash(row.password_hash):
            # Parameters were raised since this hash was made: upgrade it while we have the
            # password in hand.
            with self.engine.begin() as conn:
                conn.execute(
                    update(staff)
                    .where(staff.c.name == name)
                    .values(password_hash=self.hasher.hash(password))
                )
        return Staff(name, row.role, row.department)

    def _dummy_hash(self) -> str:
        # Verified against when the name is unknown, so a wrong name costs as long as a wrong
        # password and the answer time does not reveal which names exist. Made on first need:
        # hashing costs tens of milliseconds, which every hall start would otherwise pay.
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

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
                    staff.c.department,
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
            if now - datetime.fromisoformat(row.last_seen) >= SESSION_TOUCH:
                conn.execute(
                    update(staff_sessions)
                    .where(staff_sessions.c.token_sha256 == digest)
                    .values(last_seen=iso(now))
                )
        return Staff(row.name, row.role, row.department)

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(staff_sessions).where(staff_sessions.c.token_sha256 == _token_digest(token))
            )

    # --- audit ----------------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        subject_kind: str,
        subject_id: str,
        outcome: str = "ok",
        client: str | None = None,
    ) -> None:
        """Record one staff action. Only names, ids and the client address: never values the
        action carried. Each value is cut to its column (PostgreSQL refuses a longer one, and an
        audit row must never turn an action into a 500)."""
        values = {"actor": actor, "action": action, "subject_kind": subject_kind,
                  "subject_id": subject_id, "outcome": outcome, "client": client}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(
                insert(audit_log).values(
                    at=iso(self.clock.now()),
                    **{k: _fit(audit_log.c[k], v) for k, v in values.items()},
                )
            )
        log.info(
            "audit: %s %s %s %s: %s (from %s)",
            actor,
            action,
            subject_kind,
            subject_id,
            outcome,
            client or "-",
        )

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
            AuditEntry(r.at, r.actor, r.action, r.subject_kind, r.subject_id, r.outcome, r.client)
            for r in rows
        ]


class LoginRefused(Exception):
    """A login refused without checking its password; retry after ``retry_after_s``."""

    outcome = "refused"

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"{self.outcome} for {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class LockedOut(LoginRefused):
    """Too many wrong passwords for this name or from this address."""

    outcome = "locked_out"


class HashingBusy(LoginRefused):
    """Every password-hashing slot is taken; the login was not tried."""

    outcome = "busy"


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


def _refuse_member(request: Request, who: Staff, outcome: str, detail: str) -> HTTPException:
    # A logged-in member refused is worth a row: a helper probing supervisor routes, or a page
    # elsewhere posting with their cookie. (A 401 without a session names nobody and is not
    # recorded: anyone could fill the log with them.)
    _store(request).audit(
        who.name, "auth.refused", "route", request.url.path[:128], outcome, client_address(request)
    )
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=detail)


def require_staff(request: Request) -> Staff:
    """The logged-in staff member, or 401. Unsafe methods from another origin get 403."""
    token = request.cookies.get(COOKIE_NAME)
    who = _store(request).session_staff(token) if token else None
    if who is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="login required")
    if request.method not in _SAFE_METHODS and not _same_origin(request):
        raise _refuse_member(request, who, "cross_origin", "cross-origin request refused")
    return who


def require_role(role: Role) -> Callable[[Request, Staff], Staff]:
    """A dependency: the logged-in staff member if they have ``role`` (or higher), else 403."""

    def check(request: Request, who: Annotated[Staff, Depends(require_staff)]) -> Staff:
        if not who.has_role(role):
            raise _refuse_member(request, who, f"needs_{role}", f"needs the {role} role")
        return who

    return check


# The hall's routes that act across departments (assist, demands, parts, devices): helper and up.
# An officer is refused (403) until a route checks their department (issue 15: the inbox).
StaffDep = Annotated[Staff, Depends(require_role("helper"))]
SupervisorDep = Annotated[Staff, Depends(require_role("supervisor"))]
AdminDep = Annotated[Staff, Depends(require_role("admin"))]
# Any live session, whatever the role (who am I).
SessionDep = Annotated[Staff, Depends(require_staff)]


def audit(request: Request, who: Staff, action: str, kind: str, subject: str, outcome: str) -> None:
    """Record a staff action through the app's store (for routes in other modules)."""
    _store(request).audit(who.name, action, kind, subject, outcome, client_address(request))


# --- routes ------------------------------------------------------------------------------------


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=1024)]


class StaffOut(BaseModel):
    name: str
    role: str
    department: str | None = None  # None: the hall's own staff


class AccountOut(StaffOut):
    active: bool


class AccountIn(BaseModel):
    """A new account, as an admin creates it (the initial password travels only over TLS)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[StrictStr, Field(min_length=2, max_length=64, pattern=_NAME.pattern)]
    role: Role
    department: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
    password: Annotated[StrictStr, Field(min_length=10, max_length=1024)]


def router() -> APIRouter:
    """``/api/v1/auth`` (login, logout, who am I) and ``/api/v1/staff`` (accounts, for admins)."""
    api = APIRouter()
    api.include_router(_session_router())
    api.include_router(_accounts_router())
    return api


def _session_router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/auth", tags=["staff"])

    @api.post(
        "/login",
        responses={
            401: {"description": "wrong name or password"},
            403: {"description": "cross-origin request"},
            429: {"description": "name or address locked out, or the hall is busy hashing"},
        },
    )
    def login(body: LoginIn, request: Request, response: Response) -> StaffOut:
        store = _store(request)
        client = client_address(request)

        def refuse(outcome: str) -> None:
            # Only a name that exists is recorded: a password typed into the name field is not.
            name = store.known_name(body.name)
            store.audit(name, "auth.login", "staff", name, outcome, client)

        if not _same_origin(request):
            refuse("cross_origin")
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-origin request refused")
        try:
            who = store.verify(body.name, body.password, client)
        except LoginRefused as exc:
            refuse(exc.outcome)
            busy = isinstance(exc, HashingBusy)
            # Never more than the longest lock, whatever the arithmetic said.
            wait = min(max(1, round(exc.retry_after_s)), int(MAX_LOCKOUT.total_seconds()))
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="the hall is busy; try again in a moment"
                if busy
                else "too many wrong passwords; wait and try again",
                headers={"Retry-After": str(wait)},
            ) from None
        if who is None:
            refuse("refused")
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
        store.audit(who.name, "auth.login", "staff", who.name, "ok", client)
        return StaffOut(name=who.name, role=who.role, department=who.department)

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
    def me(who: SessionDep) -> StaffOut:
        return StaffOut(name=who.name, role=who.role, department=who.department)

    return api


def _accounts_router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/staff", tags=["staff"])

    @api.get("")
    def accounts(request: Request, who: AdminDep) -> list[AccountOut]:
        return [
            AccountOut(name=s.name, role=s.role, department=s.department, active=active)
            for s, active in _store(request).accounts()
        ]

    @api.get("/departments")
    def departments(request: Request, who: AdminDep) -> list[dict[str, object]]:
        """The departments an officer's account may name (and those a newer catalog dropped)."""
        return [d.to_json() for d in _store(request).departments.all()]

    @api.post(
        "",
        status_code=status.HTTP_201_CREATED,
        responses={
            409: {"description": "the name is taken"},
            422: {"description": "bad role, department or password; detail says which"},
        },
    )
    def create(body: AccountIn, request: Request, who: AdminDep) -> AccountOut:
        try:
            made = _store(request).add(body.name, body.role, body.password, body.department)
        except StaffExists as exc:
            audit(request, who, "staff.add", "staff", body.name, "exists")
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
        except StaffError as exc:
            audit(request, who, "staff.add", "staff", body.name, "rejected")
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
        audit(request, who, "staff.add", "staff", made.name, "ok")
        return AccountOut(name=made.name, role=made.role, department=made.department, active=True)

    return api
