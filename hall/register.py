"""The hall's enterprise register (企业档案): enterprises, who may act for them, their materials on
file and their 一企一码; the station look-ups and the desk's approvals that keep it current.

People are keyed by :meth:`RegisterSecrets.id_hmac`, ``HMAC-SHA256`` of the ID number with a key
the hall derives from its sealing key (:mod:`hall.sealing`: the one secret the hall already keeps
in a 0600 file and backs up with the database), so the register holds no ID number and nobody
with the database alone can test a number against it. The 一企一码's MAC key is derived from the
same secret (:mod:`hall.enterprise_code`). Restoring a database needs its key file, as for the
filings still queued at stations.

Kept current by the filings desk (:meth:`EnterpriseRegister.on_moved`, one of the desk's
``moved_hooks``, inside the move's transaction): an approved company start-up
(``company_startup_power``, ``company_startup_full``: their ``company_registration`` part) or
``sole_trader_registration`` creates the enterprise from the filing's form (name, USCC when the
form has one, address, type, capital, scope; the applicant as legal representative by HMAC), with
the business licence as a material on file (its reference: the filing's result) and a 一企一码;
an approved ``company_change_registration`` updates the enterprise its USCC names (name, address,
capital, scope) and files the reissued licence. A change of legal representative removes the old
one's authorisation: the change form carries the new one's name, not the ID number, so the new
representative is added by the next import. Any other service whose result is a document
(the catalog's ``result_document``) files it, when the part is ``result_ready``, as a material
of the enterprise the form's USCC names (kind: the service id; reference: the filing's result).
A change or result filing whose form names no registered USCC counts for the enterprise it chose
from the register at the kiosk (``filing_enterprises``, :mod:`hall.register_filings`).

Every station look-up (:meth:`EnterpriseRegister.mine`, :meth:`~EnterpriseRegister.by_code`,
:meth:`~EnterpriseRegister.by_uscc`) writes a ``register_lookups`` row in its own transaction:
station, device, enterprise (or none), the card holder's HMAC, the outcome. Refusals are
:class:`RegisterRefused` (code, HTTP status, both languages); an unauthorised holder learns no
enterprise data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import HTTPException
from sqlalchemy import Connection, Engine, delete, insert, select, update

from contracts.clock import Clock
from contracts.register import (
    PREFILL_FIELDS,
    EnterpriseAnswer,
    MaterialOnFile,
    Role,
    normalise_id_number,
)
from contracts.sealing import HallKeyPair
from contracts.uscc import is_valid_uscc
from hall import enterprise_code
from hall.catalog_publish import CatalogStore
from hall.clock import iso
from hall.desk_moves import PartMoved
from hall.part_model import local_date
from hall.policy_push_schema import pushed_policies
from hall.rate_limits import AttemptLimiter, Policy
from hall.register_schema import (
    enterprise_codes,
    enterprise_materials,
    enterprise_people,
    enterprises,
    filing_enterprises,
    register_lookups,
)
from hall.store import submissions
from hall.tracking import parts

log = logging.getLogger(__name__)

# Parts whose approval makes an enterprise: the registration part of each start-up service.
STARTUP_PARTS: Final[Mapping[str, str]] = {
    "company_startup_power": "company_registration",
    "company_startup_full": "company_registration",
    "sole_trader_registration": "sole_trader_registration",
}
CHANGE_SERVICE: Final = "company_change_registration"
LICENCE: Final = "business_licence"
_CHANGES: Final[Mapping[str, str]] = {
    "name": "name",
    "address": "address",
    "capital": "registered_capital",
    "scope": "scope",
}
_HKDF_SALT: Final = b"qihang-register"
# Refused look-ups by code or USCC in a row, per device, before it must wait (a device trying
# codes or USCCs; a walk-in who types one wrong stays far below). "Mine" is not counted: a
# walk-in with no enterprise is the common case. Every look-up is logged for review.
REFUSAL_LIMIT: Final = 20
_REFUSAL_POLICY: Final = Policy(
    limit=REFUSAL_LIMIT, lock_s=60.0, max_lock_s=3600.0, forget_after_s=3600.0
)


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=info).derive(secret)


@dataclass(frozen=True, slots=True)
class RegisterSecrets:
    """The register's keys, derived from the hall's sealing key (never stored on their own)."""

    id_key: bytes = field(repr=False)
    code_key: bytes = field(repr=False)

    @classmethod
    def from_seal_keys(cls, keys: HallKeyPair) -> RegisterSecrets:
        raw = keys.private_bytes()
        return cls(_derive(raw, b"id-hmac-v1"), _derive(raw, b"enterprise-code-v1"))

    def id_hmac(self, id_number: str) -> str:
        """``HMAC-SHA256`` (hex) of the ID number, trimmed and upper-cased."""
        number = normalise_id_number(id_number).encode("ascii", "replace")
        return hmac.new(self.id_key, number, hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """``王小明`` → ``王*明``, ``王明`` → ``王*``: enough to recognise, nothing more."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 6) + name[-1]


class RegisterRefused(Exception):
    """Why a look-up is refused; :meth:`detail` is the HTTP body (no enterprise data in it)."""

    def __init__(self, code: str, status: int, zh: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code, self.status, self.message_zh, self.message_en = code, status, zh, en

    def detail(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}

    def http(self) -> HTTPException:
        return HTTPException(self.status, detail=self.detail())


NOT_AUTHORISED: Final = RegisterRefused(
    "not_authorised",
    403,
    "您不是该企业登记的法定代表人或授权经办人，不能查看或代办。可以个人身份办理，或呼叫帮办人员",
    "You are not this enterprise's registered legal representative or authorised agent. You "
    "can file as an individual, or call a helper",
)
NO_AGENTS: Final = RegisterRefused(
    "no_authorised_people",
    403,
    "企业档案中没有该企业的法定代表人或经办人，请到窗口办理授权，或以个人身份办理",
    "The register names no legal representative or agent for this enterprise. Ask at a "
    "counter to be authorised, or file as an individual",
)
CODE_FORGED: Final = RegisterRefused(
    "code_forged",
    422,
    "这不是本大厅签发的一企一码，请扫描企业档案中的二维码，或输入统一社会信用代码",
    "This is not an enterprise code issued by this hall. Scan the code from the enterprise's "
    "file, or type the unified social credit code",
)
CODE_REVOKED: Final = RegisterRefused(
    "code_revoked",
    410,
    "该一企一码已作废，请使用企业新领取的二维码，或输入统一社会信用代码",
    "This enterprise code has been withdrawn. Use the enterprise's new code, or type the "
    "unified social credit code",
)
USCC_INVALID: Final = RegisterRefused(
    "uscc_invalid",
    422,
    "统一社会信用代码有误（校验位不对），请核对营业执照后重新输入",
    "The unified social credit code is wrong (check character); check the business licence "
    "and type it again",
)
NOT_REGISTERED: Final = RegisterRefused(
    "not_registered",
    404,
    "企业档案中没有这个统一社会信用代码，请手工填写并拍摄材料",
    "This unified social credit code is not in the register; type the form and photograph "
    "the materials",
)


@dataclass(frozen=True, slots=True)
class Station:
    """Who asks: the signed request's station and device."""

    station_id: str
    device_id: str


class EnterpriseRegister:
    """The register in the hall's database; thread-safe (each call its own transaction)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        keys: RegisterSecrets,
        catalogs: CatalogStore | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.keys = keys
        # Which services issue a result document (filed when ready); None: none filed.
        self.catalogs = catalogs
        self.limits = AttemptLimiter(clock, {"device": _REFUSAL_POLICY})

    # --- station look-ups ----------------------------------------------------------------------

    def mine(self, holder: str, station: Station) -> list[EnterpriseAnswer]:
        """The enterprises where the holder (``id_hmac``) is legal representative or agent."""
        with self.engine.begin() as conn:
            roles = self._roles_of(conn, holder)
            rows = (
                conn.execute(select(enterprises).where(enterprises.c.id.in_(roles))).all()
                if roles
                else []
            )
            answers = [self._answer(conn, row, roles[row.id]) for row in rows]
            answers.sort(key=lambda a: (a.role != "legal_rep", a.name))
            logged: list[str | None] = [a.id for a in answers] or [None]
            for enterprise_id in logged:
                self._log(conn, station, "mine", enterprise_id, holder,
                          "shown" if enterprise_id else "none")  # fmt: skip
        log.info("station %s: %d enterprise(s) for the card holder", station.station_id,
                 len(answers))  # fmt: skip
        return answers

    def by_code(self, token: str, holder: str, station: Station) -> EnterpriseAnswer:
        """The enterprise of a 一企一码 if the holder may act for it (else refused);
        :class:`~hall.rate_limits.Throttled` after too many refusals in a row from the device."""
        attempt = self.limits.reserve(device=station.device_id)
        with self.engine.begin() as conn:
            outcome = self._by_code(conn, token, holder, station)
        # Refused after the transaction committed: the look-up's log row stays.
        if isinstance(outcome, RegisterRefused):
            raise outcome
        self.limits.succeeded(attempt, forget=("device",))
        return outcome

    def _by_code(
        self, conn: Connection, token: str, holder: str, station: Station
    ) -> EnterpriseAnswer | RegisterRefused:
        try:
            token_id = enterprise_code.token_id_of(self.keys.code_key, token)
        except enterprise_code.CodeForged:
            return self._refuse(conn, station, "code", None, holder, CODE_FORGED)
        row = conn.execute(
            select(enterprise_codes).where(enterprise_codes.c.token_id == token_id)
        ).one_or_none()
        if row is None:  # MAC'd by this hall, row gone (database restored): not a code now
            return self._refuse(conn, station, "code", None, holder, CODE_FORGED)
        if row.revoked_at is not None:
            return self._refuse(conn, station, "code", row.enterprise_id, holder, CODE_REVOKED)
        return self._authorised(conn, station, "code", row.enterprise_id, holder)

    def by_uscc(self, uscc: str, holder: str, station: Station) -> EnterpriseAnswer:
        """The enterprise of a USCC if the holder may act for it (else refused, or throttled
        as :meth:`by_code`)."""
        attempt = self.limits.reserve(device=station.device_id)
        with self.engine.begin() as conn:
            outcome = self._by_uscc(conn, uscc.strip().upper(), holder, station)
        if isinstance(outcome, RegisterRefused):
            raise outcome
        self.limits.succeeded(attempt, forget=("device",))
        return outcome

    def _by_uscc(
        self, conn: Connection, uscc: str, holder: str, station: Station
    ) -> EnterpriseAnswer | RegisterRefused:
        if not is_valid_uscc(uscc):
            return self._refuse(conn, station, "uscc", None, holder, USCC_INVALID)
        found = conn.execute(
            select(enterprises.c.id).where(enterprises.c.uscc == uscc)
        ).scalar_one_or_none()
        if found is None:
            return self._refuse(conn, station, "uscc", None, holder, NOT_REGISTERED)
        return self._authorised(conn, station, "uscc", found, holder)

    def open_for(
        self, enterprise_id: str, holder: str, station: Station, how: str
    ) -> EnterpriseAnswer:
        """The enterprise by its id for a holder who may act for it (the e-archive: ``how``
        ``archive``, ``print``); an unknown id is refused as ``not_authorised`` (no oracle),
        throttled as :meth:`by_code`."""
        attempt = self.limits.reserve(device=station.device_id)
        with self.engine.begin() as conn:
            known = conn.execute(
                select(enterprises.c.id).where(enterprises.c.id == enterprise_id)
            ).first()
            outcome = (
                self._authorised(conn, station, how, enterprise_id, holder)
                if known is not None
                else self._refuse(conn, station, how, None, holder, NOT_AUTHORISED)
            )
        if isinstance(outcome, RegisterRefused):
            raise outcome
        self.limits.succeeded(attempt, forget=("device",))
        return outcome

    def _authorised(
        self, conn: Connection, station: Station, how: str, enterprise_id: str, holder: str
    ) -> EnterpriseAnswer | RegisterRefused:
        role = self._roles_of(conn, holder, enterprise_id).get(enterprise_id)
        if role is None:
            anyone = conn.execute(
                select(enterprise_people.c.seq)
                .where(enterprise_people.c.enterprise_id == enterprise_id)
                .limit(1)
            ).first()
            refusal = NOT_AUTHORISED if anyone is not None else NO_AGENTS
            return self._refuse(conn, station, how, enterprise_id, holder, refusal)
        row = conn.execute(select(enterprises).where(enterprises.c.id == enterprise_id)).one()
        answer = self._answer(conn, row, role)
        self._log(conn, station, how, enterprise_id, holder, "shown")
        log.info("station %s: enterprise %s shown (%s)", station.station_id, enterprise_id, how)
        return answer

    def _refuse(
        self,
        conn: Connection,
        station: Station,
        how: str,
        enterprise_id: str | None,
        holder: str,
        refusal: RegisterRefused,
    ) -> RegisterRefused:
        self._log(conn, station, how, enterprise_id, holder, refusal.code[:16])
        log.info("station %s: register look-up by %s refused: %s", station.station_id, how,
                 refusal.code)  # fmt: skip
        return refusal

    def _roles_of(
        self, conn: Connection, holder: str, enterprise_id: str | None = None
    ) -> dict[str, Role]:
        query = select(enterprise_people.c.enterprise_id, enterprise_people.c.role).where(
            enterprise_people.c.id_hmac == holder
        )
        if enterprise_id is not None:
            query = query.where(enterprise_people.c.enterprise_id == enterprise_id)
        roles: dict[str, Role] = {}
        for found, role in conn.execute(query):
            if role == "legal_rep" or found not in roles:
                roles[found] = "legal_rep" if role == "legal_rep" else "agent"
        return roles

    def _log(
        self,
        conn: Connection,
        station: Station,
        how: str,
        enterprise_id: str | None,
        holder: str,
        outcome: str,
    ) -> None:
        conn.execute(
            insert(register_lookups).values(
                at=iso(self.clock.now()),
                station_id=station.station_id,
                device_id=station.device_id,
                how=how,
                enterprise_id=enterprise_id,
                holder_hmac=holder,
                outcome=outcome,
            )
        )

    def _answer(self, conn: Connection, row: Any, role: Role) -> EnterpriseAnswer:
        today = local_date(self.clock.now()).isoformat()
        newest: dict[str, Any] = {}
        for m in conn.execute(
            select(enterprise_materials)
            .where(enterprise_materials.c.enterprise_id == row.id)
            .order_by(enterprise_materials.c.created_at, enterprise_materials.c.id)
        ):
            # The newest of each kind counts (a reissued licence replaces the old one).
            held = newest.get(m.kind)
            if held is None or (m.issued_on or "") >= (held.issued_on or ""):
                newest[m.kind] = m
        materials = [
            MaterialOnFile(
                id=m.id,
                kind=m.kind,
                issued_on=m.issued_on,
                valid_until=m.valid_until,
                expired=m.valid_until is not None and m.valid_until < today,
            )
            for m in sorted(newest.values(), key=lambda m: m.kind)
        ]
        legal = conn.execute(
            select(enterprise_people.c.name_masked)
            .where(
                enterprise_people.c.enterprise_id == row.id,
                enterprise_people.c.role == "legal_rep",
            )
            .order_by(enterprise_people.c.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        code = conn.execute(
            select(enterprise_codes.c.token_id)
            .where(
                enterprise_codes.c.enterprise_id == row.id,
                enterprise_codes.c.revoked_at.is_(None),
            )
            .order_by(enterprise_codes.c.issued_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        values = {"name": row.name, "uscc": row.uscc or "", "address": row.address}
        return EnterpriseAnswer(
            id=row.id,
            uscc=row.uscc,
            name=row.name,
            type=row.type,
            address=row.address,
            industry=row.industry,
            size=row.size,
            qualifications=json.loads(row.qualifications),
            role=role,
            legal_rep_masked=legal or "",
            code=enterprise_code.token_for(self.keys.code_key, code) if code else None,
            prefill={name: values[key] for name, key in PREFILL_FIELDS.items() if values[key]},
            materials=materials,
            policies=pushed_policies(conn, row.id, local_date(self.clock.now())),
        )

    # --- writing ------------------------------------------------------------------------------

    def create(
        self,
        conn: Connection,
        *,
        name: str,
        uscc: str | None,
        source: str,
        people: Iterable[tuple[Role, str, str]] = (),
        submission_id: str | None = None,
        **fields: str,
    ) -> str:
        """A new enterprise (and its 一企一码); ``people`` as (role, ID number, name)."""
        at = iso(self.clock.now())
        enterprise_id = secrets.token_hex(16)
        conn.execute(
            insert(enterprises).values(
                id=enterprise_id,
                uscc=uscc,
                name=name,
                type=fields.get("type", ""),
                address=fields.get("address", ""),
                industry=fields.get("industry", ""),
                size=fields.get("size", ""),
                qualifications=fields.get("qualifications", "[]"),
                registered_capital=fields.get("registered_capital", ""),
                scope=fields.get("scope", ""),
                source=source,
                submission_id=submission_id,
                created_at=at,
                updated_at=at,
            )
        )
        for role, id_number, person in people:
            self.add_person(conn, enterprise_id, role, id_number, person, source)
        self.issue_code(conn, enterprise_id)
        return enterprise_id

    def add_person(
        self,
        conn: Connection,
        enterprise_id: str,
        role: Role,
        id_number: str,
        name: str,
        source: str,
    ) -> None:
        holder = self.keys.id_hmac(id_number)
        known = conn.execute(
            select(enterprise_people.c.seq).where(
                enterprise_people.c.enterprise_id == enterprise_id,
                enterprise_people.c.role == role,
                enterprise_people.c.id_hmac == holder,
            )
        ).first()
        if known is None:
            conn.execute(
                insert(enterprise_people).values(
                    enterprise_id=enterprise_id,
                    role=role,
                    id_hmac=holder,
                    name_masked=mask_name(name),
                    source=source,
                    created_at=iso(self.clock.now()),
                )
            )

    def add_material(
        self,
        conn: Connection,
        enterprise_id: str,
        kind: str,
        *,
        source: str,
        issued_on: str | None = None,
        valid_until: str | None = None,
        blob_sha256: str | None = None,
        file_ref: str | None = None,
    ) -> str:
        material_id = secrets.token_hex(16)
        conn.execute(
            insert(enterprise_materials).values(
                id=material_id,
                enterprise_id=enterprise_id,
                kind=kind,
                issued_on=issued_on,
                valid_until=valid_until,
                blob_sha256=blob_sha256,
                file_ref=file_ref,
                source=source,
                created_at=iso(self.clock.now()),
            )
        )
        return material_id

    def attach_file(self, material_id: str, sha256: str, media_type: str) -> str | None:
        """Keep a file (a blob the hall holds) as a material's document; its enterprise id, or
        None for an unknown material."""
        with self.engine.begin() as conn:
            found = conn.execute(
                select(enterprise_materials.c.enterprise_id).where(
                    enterprise_materials.c.id == material_id
                )
            ).scalar_one_or_none()
            if found is not None:
                conn.execute(
                    update(enterprise_materials)
                    .where(enterprise_materials.c.id == material_id)
                    .values(blob_sha256=sha256, media_type=media_type)
                )
        return None if found is None else str(found)

    def issue_code(self, conn: Connection, enterprise_id: str, revoke_by: str = "") -> str:
        """A new 一企一码 for the enterprise; with ``revoke_by``, its earlier codes are revoked."""
        at = iso(self.clock.now())
        if revoke_by:
            conn.execute(
                update(enterprise_codes)
                .where(
                    enterprise_codes.c.enterprise_id == enterprise_id,
                    enterprise_codes.c.revoked_at.is_(None),
                )
                .values(revoked_at=at, revoked_by=revoke_by)
            )
        token_id = enterprise_code.new_token_id()
        conn.execute(
            insert(enterprise_codes).values(
                token_id=token_id, enterprise_id=enterprise_id, issued_at=at
            )
        )
        return enterprise_code.token_for(self.keys.code_key, token_id)

    def revoke_code(self, token: str, who: str) -> str:
        """Revoke a code; returns its enterprise id. :class:`RegisterRefused` for a forged one."""
        try:
            token_id = enterprise_code.token_id_of(self.keys.code_key, token)
        except enterprise_code.CodeForged:
            raise CODE_FORGED from None
        with self.engine.begin() as conn:
            row = conn.execute(
                select(enterprise_codes).where(enterprise_codes.c.token_id == token_id)
            ).one_or_none()
            if row is None:
                raise CODE_FORGED
            if row.revoked_at is None:
                conn.execute(
                    update(enterprise_codes)
                    .where(enterprise_codes.c.token_id == token_id)
                    .values(revoked_at=iso(self.clock.now()), revoked_by=who)
                )
        log.info("enterprise code of %s revoked by %s", row.enterprise_id, who)
        return str(row.enterprise_id)

    def staff_view(self, uscc: str) -> dict[str, Any] | None:
        """The enterprise of a USCC for hall staff: its record, people masked, its code."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(enterprises).where(enterprises.c.uscc == uscc.strip().upper())
            ).one_or_none()
            if row is None:
                return None
            answer = self._answer(conn, row, "legal_rep")
            people = [
                {"role": p.role, "name_masked": p.name_masked, "source": p.source}
                for p in conn.execute(
                    select(enterprise_people)
                    .where(enterprise_people.c.enterprise_id == row.id)
                    .order_by(enterprise_people.c.seq)
                )
            ]
        doc = answer.model_dump(exclude={"role", "prefill"})
        return {**doc, "source": row.source, "people": people}

    def count(self) -> int:
        from sqlalchemy import func

        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(enterprises)).scalar_one())

    # --- kept current by the desk ----------------------------------------------------------------

    def on_moved(self, conn: Connection, moved: PartMoved) -> None:
        """The desk's moved hook: approvals of start-ups and changes, result documents ready
        (see the module docstring)."""
        if moved.move.to not in ("approved", "result_ready"):
            return
        part = conn.execute(
            select(parts.c.service_id, parts.c.tracking_number).where(
                parts.c.submission_id == moved.submission_id, parts.c.part_id == moved.part_id
            )
        ).one_or_none()
        if part is None:
            return
        if moved.move.to == "result_ready":
            self._result_ready(conn, moved, part.service_id, part.tracking_number)
        elif STARTUP_PARTS.get(part.service_id) == moved.part_id:
            form = self._form(conn, moved.submission_id)
            self._from_startup(conn, moved, part.service_id, part.tracking_number, form)
        elif part.service_id == CHANGE_SERVICE:
            form = self._form(conn, moved.submission_id)
            self._from_change(conn, moved, part.tracking_number, form)

    def _result_ready(
        self, conn: Connection, moved: PartMoved, service_id: str, number: str
    ) -> None:
        # Start-ups and changes filed the licence at approval; other document results are
        # filed now, under the service's id, for the enterprise the form's USCC names.
        if service_id in STARTUP_PARTS or service_id == CHANGE_SERVICE or self.catalogs is None:
            return
        latest = self.catalogs.latest(conn)
        try:
            issues_document = (
                latest is not None and latest.catalog.service(service_id).result_document
            )
        except KeyError:
            issues_document = False
        if not issues_document:
            return
        form = self._form(conn, moved.submission_id)
        found = self._enterprise_of(conn, moved.submission_id, form)
        if found is None:
            return
        self.add_material(
            conn,
            str(found),
            service_id,
            source=f"filing:{number}/{moved.part_id}"[:80],
            issued_on=local_date(self.clock.now()).isoformat(),
            file_ref=f"result:{number}/{moved.part_id}"[:300],
        )
        log.info("register: result of %s filed for enterprise %s", number, found)

    @staticmethod
    def _enterprise_of(conn: Connection, submission_id: str, form: Mapping[str, str]) -> str | None:
        """The enterprise a filing is for: the one its form's USCC names, else the one it chose
        from the register at the kiosk (``filing_enterprises``, :mod:`hall.register_filings`)."""
        uscc = form.get("uscc", "").upper()
        found = (
            conn.execute(select(enterprises.c.id).where(enterprises.c.uscc == uscc)).scalar()
            if uscc
            else None
        )
        if found is None:
            found = conn.execute(
                select(filing_enterprises.c.enterprise_id).where(
                    filing_enterprises.c.submission_id == submission_id
                )
            ).scalar()
        return None if found is None else str(found)

    @staticmethod
    def _form(conn: Connection, submission_id: str) -> dict[str, str]:
        payload = conn.execute(
            select(submissions.c.payload).where(submissions.c.id == submission_id)
        ).scalar_one_or_none()
        form = json.loads(payload).get("form") if payload else None
        if not isinstance(form, dict):
            return {}
        return {k: v.strip() for k, v in form.items() if isinstance(v, str)}

    def _licence(self, conn: Connection, enterprise_id: str, number: str, part_id: str) -> None:
        self.add_material(
            conn,
            enterprise_id,
            LICENCE,
            source=f"filing:{number}/{part_id}"[:80],
            issued_on=local_date(self.clock.now()).isoformat(),
            file_ref=f"result:{number}/{part_id}"[:300],
        )

    def _from_startup(
        self,
        conn: Connection,
        moved: PartMoved,
        service_id: str,
        number: str,
        form: dict[str, str],
    ) -> None:
        made = conn.execute(
            select(enterprises.c.id).where(enterprises.c.submission_id == moved.submission_id)
        ).first()
        if made is not None:  # approved again after a step back: made already
            return
        applicant = form.get("applicant_name", "")
        uscc = form.get("uscc", "").upper() or None
        if uscc is not None and not is_valid_uscc(uscc):
            uscc = None
        sole_trader = service_id == "sole_trader_registration"
        name = (
            form.get("company_name")
            or form.get("shop_name")
            or (f"个体工商户（{mask_name(applicant)}）" if sole_trader else "")
        )
        people: list[tuple[Role, str, str]] = []
        if form.get("applicant_id_number"):
            people.append(("legal_rep", form["applicant_id_number"], applicant))
        existing = (
            conn.execute(select(enterprises.c.id).where(enterprises.c.uscc == uscc)).scalar()
            if uscc
            else None
        )
        if existing is not None:
            enterprise_id = str(existing)
            for role, id_number, person in people:
                self.add_person(conn, enterprise_id, role, id_number, person, "filing")
        else:
            enterprise_id = self.create(
                conn,
                name=name[:200],
                uscc=uscc,
                source="filing",
                people=people,
                submission_id=moved.submission_id,
                type=form.get("enterprise_type") or ("sole_trader" if sole_trader else ""),
                address=form.get("business_address", "")[:300],
                registered_capital=form.get("registered_capital", "")[:16],
                scope=form.get("business_scope", ""),
            )
        self._licence(conn, enterprise_id, number, moved.part_id)
        log.info("register: enterprise %s from the start-up %s", enterprise_id, number)

    def _from_change(
        self, conn: Connection, moved: PartMoved, number: str, form: dict[str, str]
    ) -> None:
        found = self._enterprise_of(conn, moved.submission_id, form)
        if found is None:
            log.info("register: change %s names no registered enterprise", number)
            return
        enterprise_id = str(found)
        item, value = form.get("change_item", ""), form.get("new_value", "")
        changes: dict[str, str] = {"updated_at": iso(self.clock.now())}
        column = _CHANGES.get(item)
        if column is not None and value:
            limit = {"name": 200, "address": 300, "registered_capital": 16}.get(column)
            changes[column] = value[:limit] if limit else value
        conn.execute(update(enterprises).where(enterprises.c.id == enterprise_id).values(changes))
        if item == "legal_representative":
            conn.execute(
                delete(enterprise_people).where(
                    enterprise_people.c.enterprise_id == enterprise_id,
                    enterprise_people.c.role == "legal_rep",
                )
            )
        self._licence(conn, enterprise_id, number, moved.part_id)
        log.info("register: enterprise %s changed (%s) by %s", enterprise_id, item, number)
