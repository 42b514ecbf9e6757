"""Terminal enrolment: single-use codes, enrolled devices, revocation.

A supervisor makes an **enrolment code** for a station (``python -m hall enrol-code --station
ID`` or the console's 终端 page): 16 characters from an alphabet without look-alikes, shown as
four groups (``K7QM-4XPD-R9TB-2HNW``), valid for :data:`CODE_TTL`, usable once. The hall keeps
only its sha256 (the code carries ~79 random bits, so an unsalted hash cannot be searched).

The technician types it into the terminal (``python main.py provision`` or the first-boot
screen); the terminal makes an Ed25519 key pair and posts ``{code, public_key, proof}`` to the
public ``POST /api/v1/enrolment``, the proof being the key's signature over the code and the key
(:func:`contracts.device_auth.enrolment_proof_input`). The hall marks the code used and creates a
**device** (id, station, public key, the sha256 of a fresh random credential) in one
transaction, answers the credential once with the station's config (id, name, ICE servers), and
revokes any earlier device of that station (a replaced terminal stops working). Enrolment is the
only way a station gets to talk to the hall (:mod:`hall.device_auth`).

Errors are distinct so the technician knows what to do: ``unknown_code`` (404), ``code_used``
(409; a replay is this), ``code_expired`` (410), ``bad_proof`` (422) and ``too_many_attempts``
(429 with ``Retry-After``): :data:`GUESS_LIMIT` failed attempts in a row from one client address
(:func:`hall.client_address.client_address`), or for one code prefix (its first group), lock that
address or prefix for :data:`GUESS_WINDOW` (:mod:`hall.rate_limits`; counted before the code is
looked at, bounded tables). No limit is hall-wide: a station on another address with its own
code is never held up by someone guessing elsewhere. Staff list devices and **revoke** one (``POST
/api/v1/enrolment/devices/{id}/revoke`` or ``python -m hall devices revoke ID``); a revoked device
is refused everywhere from its next request. Code creation and revocation go to the audit log
(the code itself never does, nor does it reach the log).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import Column, Engine, Index, String, Table, Text, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from contracts.clock import Clock
from contracts.device_auth import (
    CODE_ALPHABET,
    CODE_LENGTH,
    enrolment_proof_input,
    normalise_code,
)
from contracts.ids import STATION_ID_PATTERN
from hall.auth import StaffDep, SupervisorDep, audit
from hall.client_address import client_address
from hall.clock import iso
from hall.rate_limits import AttemptLimiter, Policy, Throttled
from hall.store import metadata, reading

log = logging.getLogger(__name__)

ALPHABET: Final = CODE_ALPHABET  # no 0/O, 1/I/L
GROUP_LEN: Final = 4
CODE_TTL: Final = timedelta(minutes=30)
MAX_TTL: Final = timedelta(hours=24)
GUESS_LIMIT: Final = 10
GUESS_WINDOW: Final = timedelta(minutes=15)
_GUESS_POLICY: Final = Policy(
    limit=GUESS_LIMIT,
    lock_s=GUESS_WINDOW.total_seconds(),
    max_lock_s=GUESS_WINDOW.total_seconds(),
    forget_after_s=GUESS_WINDOW.total_seconds(),
)
STATION_PATTERN: Final = STATION_ID_PATTERN  # the shared rule (contracts.ids)

enrolment_codes = Table(
    "enrolment_codes",
    metadata,
    Column("code_sha256", String(64), primary_key=True),
    Column("station_id", String(32), nullable=False),
    Column("station_name", String(128), nullable=False),
    Column("ice_servers", Text, nullable=False),  # JSON list
    Column("created_by", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
    Column("device_id", String(40), nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(40), primary_key=True),
    Column("station_id", String(32), nullable=False),
    Column("station_name", String(128), nullable=False),
    Column("public_key", String(64), nullable=False),  # raw Ed25519, base64
    Column("credential_sha256", String(64), nullable=False),
    Column("enrolled_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    Column("revoked_by", String(64), nullable=True),
)
Index("devices_station", devices.c.station_id)

ErrorCode = Literal["unknown_code", "code_used", "code_expired", "bad_proof", "too_many_attempts"]
_HTTP: Final[dict[str, int]] = {
    "unknown_code": status.HTTP_404_NOT_FOUND,
    "code_used": status.HTTP_409_CONFLICT,
    "code_expired": status.HTTP_410_GONE,
    "bad_proof": 422,
    "too_many_attempts": status.HTTP_429_TOO_MANY_REQUESTS,
}
_WORDS: Final[dict[str, str]] = {
    "unknown_code": "no such enrolment code; check it letter by letter",
    "code_used": "this enrolment code was already used; ask the hall for a new one",
    "code_expired": "this enrolment code has expired; ask the hall for a new one",
    "bad_proof": "the key proof does not match the code and public key",
    "too_many_attempts": "too many wrong enrolment attempts; wait before trying again",
}


class EnrolmentError(Exception):
    def __init__(self, code: ErrorCode, retry_after_s: float | None = None) -> None:
        super().__init__(_WORDS[code])
        self.code: ErrorCode = code
        self.retry_after_s = retry_after_s


class UnknownDevice(LookupError):
    pass


def new_code() -> str:
    """A fresh code, grouped for reading aloud: ``XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP_LEN] for i in range(0, len(raw), GROUP_LEN))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def credential_digest(credential: str) -> str:
    return _digest(credential)


@dataclass(frozen=True)
class IssuedCode:
    code: str
    station_id: str
    expires_at: str

    def __repr__(self) -> str:
        return f"IssuedCode(station_id={self.station_id!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class Device:
    device_id: str
    station_id: str
    station_name: str
    public_key: str
    credential_sha256: str
    enrolled_at: str
    revoked_at: str | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def public(self) -> dict[str, Any]:
        """What staff see: no credential hash, no key."""
        return {
            "device_id": self.device_id,
            "station_id": self.station_id,
            "station_name": self.station_name,
            "enrolled_at": self.enrolled_at,
            "revoked_at": self.revoked_at,
            "key_fingerprint": hashlib.sha256(self.public_key.encode()).hexdigest()[:16],
        }


class EnrolmentStore:
    """Codes and devices in the hall's database; thread-safe."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        metadata.create_all(engine, tables=[enrolment_codes, devices])
        self.limits = AttemptLimiter(clock, {"address": _GUESS_POLICY, "prefix": _GUESS_POLICY})

    # --- codes ----------------------------------------------------------------------------------

    def create_code(
        self,
        station_id: str,
        created_by: str,
        *,
        station_name: str = "",
        ice_servers: list[str] | None = None,
        ttl: timedelta = CODE_TTL,
    ) -> IssuedCode:
        code = new_code()
        now = self.clock.now()
        expires = iso(now + ttl)
        with self.engine.begin() as conn:
            conn.execute(
                insert(enrolment_codes).values(
                    code_sha256=_digest(normalise_code(code)),
                    station_id=station_id,
                    station_name=station_name or station_id,
                    ice_servers=json.dumps(list(ice_servers or [])),
                    created_by=created_by,
                    created_at=iso(now),
                    expires_at=expires,
                )
            )
        log.info("enrolment code made for station %s (expires %s)", station_id, expires)
        return IssuedCode(code, station_id, expires)

    def enrol(self, code: str, public_key_b64: str, proof_b64: str, client: str) -> dict[str, Any]:
        """Exchange a code for a device credential; raises :class:`EnrolmentError`.

        The attempt counts as a failure against ``client`` and the code's prefix before the code
        is looked at, and is taken back only when it succeeds.
        """
        try:
            attempt = self.limits.reserve(address=client, prefix=normalise_code(code)[:GROUP_LEN])
        except Throttled as exc:
            log.warning("enrolment refused: too many attempts (%s)", exc.dimension)
            raise EnrolmentError("too_many_attempts", exc.retry_after_s) from None
        try:
            answer = self._enrol(code, public_key_b64, proof_b64)
        except EnrolmentError as exc:
            log.warning("enrolment refused: %s", exc.code)
            raise
        self.limits.succeeded(attempt)
        return answer

    def _enrol(self, code: str, public_key_b64: str, proof_b64: str) -> dict[str, Any]:
        _verify_proof(code, public_key_b64, proof_b64)
        digest = _digest(normalise_code(code))
        now = self.clock.now()
        device_id = "dev-" + secrets.token_hex(8)
        credential = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            row = conn.execute(
                select(enrolment_codes).where(enrolment_codes.c.code_sha256 == digest)
            ).first()
            if row is None:
                raise EnrolmentError("unknown_code")
            if row.used_at is not None:
                raise EnrolmentError("code_used")
            if datetime.fromisoformat(row.expires_at) <= now:
                raise EnrolmentError("code_expired")
            # The guard on used_at makes two simultaneous exchanges of one code end with one
            # device: the loser updates no row.
            claimed = conn.execute(
                update(enrolment_codes)
                .where(enrolment_codes.c.code_sha256 == digest)
                .where(enrolment_codes.c.used_at.is_(None))
                .values(used_at=iso(now), device_id=device_id)
            )
            if claimed.rowcount != 1:
                raise EnrolmentError("code_used")
            conn.execute(
                update(devices)
                .where(devices.c.station_id == row.station_id)
                .where(devices.c.revoked_at.is_(None))
                .values(revoked_at=iso(now), revoked_by="re-enrolled")
            )
            conn.execute(
                insert(devices).values(
                    device_id=device_id,
                    station_id=row.station_id,
                    station_name=row.station_name,
                    public_key=public_key_b64,
                    credential_sha256=credential_digest(credential),
                    enrolled_at=iso(now),
                )
            )
        log.info("device %s enrolled for station %s", device_id, row.station_id)
        return {
            "device_id": device_id,
            "station_id": row.station_id,
            "credential": credential,
            "station": {"id": row.station_id, "name": row.station_name},
            "assist": {"ice_servers": json.loads(row.ice_servers)},
        }

    # --- devices --------------------------------------------------------------------------------

    def device(self, device_id: str, conn: Connection | None = None) -> Device | None:
        """The enrolled device (revoked or not); ``conn``: read in that open transaction."""
        # Every signed request asks this: one statement, built once.
        with reading(self.engine, conn) as read:
            row = read.execute(_DEVICE_BY_ID, {"device_id": device_id}).first()
        return None if row is None else _device(row)

    def devices(self) -> list[Device]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(devices).order_by(devices.c.station_id, devices.c.enrolled_at)
            ).all()
        return [_device(r) for r in rows]

    def revoke(self, device_id: str, by: str) -> Device:
        now = iso(self.clock.now())
        with self.engine.begin() as conn:
            found = conn.execute(
                update(devices)
                .where(devices.c.device_id == device_id)
                .where(devices.c.revoked_at.is_(None))
                .values(revoked_at=now, revoked_by=by)
            )
            row = conn.execute(select(devices).where(devices.c.device_id == device_id)).first()
        if row is None:
            raise UnknownDevice(device_id)
        if found.rowcount:
            log.info("device %s (station %s) revoked", device_id, row.station_id)
        return _device(row)


_DEVICE_BY_ID: Final = select(devices).where(devices.c.device_id == bindparam("device_id"))


def _device(row: Any) -> Device:
    return Device(
        row.device_id,
        row.station_id,
        row.station_name,
        row.public_key,
        row.credential_sha256,
        row.enrolled_at,
        row.revoked_at,
    )


def _verify_proof(code: str, public_key_b64: str, proof_b64: str) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(public_key_b64, validate=True)
        signature = base64.b64decode(proof_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(
            signature, enrolment_proof_input(code, public_key_b64)
        )
    except (ValueError, InvalidSignature):
        raise EnrolmentError("bad_proof") from None


# --- HTTP ----------------------------------------------------------------------------------------


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    public_key: Annotated[StrictStr, Field(min_length=40, max_length=64)]
    proof: Annotated[StrictStr, Field(min_length=80, max_length=100)]


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    station_id: Annotated[StrictStr, Field(pattern=STATION_PATTERN)]
    station_name: Annotated[StrictStr, Field(max_length=128)] = ""
    ice_servers: Annotated[
        list[Annotated[StrictStr, Field(max_length=256)]], Field(max_length=8)
    ] = []
    ttl_minutes: Annotated[int, Field(ge=1, le=int(MAX_TTL.total_seconds() // 60))] = int(
        CODE_TTL.total_seconds() // 60
    )


def _store(request: Request) -> EnrolmentStore:
    found: EnrolmentStore = request.app.state.enrolment
    return found


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/enrolment", tags=["enrolment"])

    @api.post("", status_code=status.HTTP_201_CREATED)
    def enrol(body: EnrolIn, request: Request) -> Any:
        client = client_address(request)
        try:
            answer = _store(request).enrol(body.code, body.public_key, body.proof, client)
            # The station pins the hall's sealing key from here (kiosk.provision): what it
            # queues, only this hall opens (hall.sealing).
            # Its content key too: the station verifies every published catalog with it.
            # And its apt repository's key: the only key the station's apt source trusts
            # (hall.apt_repo; none before the hall's repository is set up).
            apt = request.app.state.apt_repo.enrolment_field()
            return {
                **answer,
                "sealing": request.app.state.seal_keys.public.to_json(),
                "content_key": request.app.state.catalog_store.content_key.public.to_json(),
                **({"apt": apt} if apt is not None else {}),
            }
        except EnrolmentError as exc:
            headers = {}
            if exc.retry_after_s is not None:
                headers["Retry-After"] = str(int(exc.retry_after_s + 0.999))
            return JSONResponse(
                status_code=_HTTP[exc.code],
                content={"detail": {"code": exc.code, "msg": str(exc)}},
                headers=headers,
            )

    @api.post("/codes", status_code=status.HTTP_201_CREATED)
    def create_code(body: CodeIn, request: Request, who: SupervisorDep) -> dict[str, str]:
        issued = _store(request).create_code(
            body.station_id,
            who.name,
            station_name=body.station_name,
            ice_servers=list(body.ice_servers),
            ttl=timedelta(minutes=body.ttl_minutes),
        )
        audit(request, who, "enrolment.code", "station", body.station_id, "ok")
        return {
            "code": issued.code,
            "station_id": issued.station_id,
            "expires_at": issued.expires_at,
        }

    @api.get("/devices")
    def list_devices(request: Request, who: StaffDep) -> list[dict[str, Any]]:
        return [d.public() for d in _store(request).devices()]

    @api.post("/devices/{device_id}/revoke")
    def revoke(device_id: str, request: Request, who: SupervisorDep) -> dict[str, Any]:
        try:
            device = _store(request).revoke(device_id[:40], who.name)
        except UnknownDevice:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such device") from None
        audit(request, who, "enrolment.revoke", "device", device.device_id, "ok")
        return device.public()

    return api
