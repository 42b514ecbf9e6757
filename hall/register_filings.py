"""Filings that reference the enterprise register (免提交): checked at intake, shown at the desk.

A kiosk filing for an enterprise chosen from the register puts ``payload["enterprise"] = {"id",
"uscc"}`` and ``payload["materials_on_file"] = {catalog material id: enterprise material id}``
in the payload (:func:`contracts.register.filing_reference`). :meth:`RegisterFilings.on_intake`
(an intake hook, in the intake's transaction, after the parts are made) checks every reference:
the enterprise was opened at this station (a ``register_lookups`` row answered ``shown``), and
each material exists, is that enterprise's, is of the kind the key names and had not expired on
the day the walk-in filed (the filing's own time, never later than the hall's today: a filing
queued offline is judged by the day the kiosk showed the material as valid). Any failure refuses
the whole filing with :class:`hall.store.IntakeRefused` (``materials_on_file_refused``, one
reason per material from :data:`contracts.register.ON_FILE_REASONS`); the kiosk asks for
photographs instead. A filing that names an enterprise without materials is never refused: an
enterprise the hall does not know or this station never opened is simply not linked.

An accepted filing records its enterprise (``filing_enterprises``: the e-archive finds it) and
its references (``filing_materials_on_file``), and its parts take the enterprise's name and USCC
from the register where the form left them empty (what the inbox searches on).

The desk (:mod:`hall.desk_views`) lists the references with the photographs, named
``<material id>@register`` (:func:`on_file_of`), and serves a referenced document's file through
the same audited materials route (:func:`file_of`); a material whose file the hall does not hold
is shown as held on paper or elsewhere, never as a picture.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine, insert, select, update

from contracts.clock import Clock
from contracts.register import ENTERPRISE_KEY, MATERIALS_ON_FILE_KEY, ON_FILE_REFUSED
from contracts.wire import Submission
from hall.part_model import local_date
from hall.register_schema import (
    enterprise_materials,
    enterprises,
    filing_enterprises,
    filing_materials_on_file,
    register_lookups,
)
from hall.store import IntakeRefused, SubmissionStore, blobs
from hall.tracking import parts

log = logging.getLogger(__name__)

# How a referenced material is named among a filing's materials at the desk.
ON_FILE_SUFFIX: Final = "@register"
_MATERIAL_ID_MAX: Final = 64
_ENTERPRISE_ID_MAX: Final = 32


def media_type_of(data: bytes) -> str | None:
    """The media type of a document file from its first bytes (the ones the register keeps)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _is_id(value: object, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit


class RegisterFilings:
    """The intake hook; thread-safe (it works inside the caller's transaction)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def on_intake(self, conn: Connection, sub: Submission) -> None:
        """Check, record and link a new filing's register references (module docstring)."""
        payload = sub.payload
        if "supplement_for" in payload:  # a 补正 hand-in: its filing was checked already
            return
        ref, spared = payload.get(ENTERPRISE_KEY), payload.get(MATERIALS_ON_FILE_KEY)
        if ref is None and spared is None:
            return
        if spared is not None and not (
            isinstance(spared, dict)
            and all(
                _is_id(k, _MATERIAL_ID_MAX) and _is_id(v, _ENTERPRISE_ID_MAX)
                for k, v in spared.items()
            )
        ):
            raise IntakeRefused(ON_FILE_REFUSED, {MATERIALS_ON_FILE_KEY: "malformed"})
        references: dict[str, str] = dict(spared or {})
        enterprise_id = ref.get("id") if isinstance(ref, dict) else None
        if not _is_id(enterprise_id, _ENTERPRISE_ID_MAX):
            if references:
                raise IntakeRefused(ON_FILE_REFUSED, {ENTERPRISE_KEY: "malformed"})
            log.info("submission %s: enterprise reference malformed, not linked", sub.id)
            return
        assert isinstance(enterprise_id, str)
        enterprise = conn.execute(
            select(enterprises.c.uscc, enterprises.c.name).where(enterprises.c.id == enterprise_id)
        ).one_or_none()
        opened = enterprise is not None and self._opened_at(conn, sub.station_id, enterprise_id)
        reasons = self._check(conn, sub, enterprise_id, references) if opened else {}
        if not opened:
            if references:
                reasons = {f"{MATERIALS_ON_FILE_KEY}.{k}": "not_looked_up" for k in references}
                reasons[ENTERPRISE_KEY] = "not_looked_up"
            else:
                log.info("submission %s: enterprise not opened at station %s, not linked",
                         sub.id, sub.station_id)  # fmt: skip
                return
        if reasons:
            raise IntakeRefused(ON_FILE_REFUSED, reasons)
        assert enterprise is not None
        conn.execute(
            insert(filing_enterprises).values(submission_id=sub.id, enterprise_id=enterprise_id)
        )
        for material_id, on_file in references.items():
            conn.execute(
                insert(filing_materials_on_file).values(
                    submission_id=sub.id, material_id=material_id, enterprise_material_id=on_file
                )
            )
        # What the inbox searches on, from the register where the form left it empty.
        if enterprise.uscc:
            conn.execute(
                update(parts)
                .where(parts.c.submission_id == sub.id, parts.c.uscc == "")
                .values(uscc=enterprise.uscc)
            )
        conn.execute(
            update(parts)
            .where(parts.c.submission_id == sub.id, parts.c.enterprise_name == "")
            .values(enterprise_name=enterprise.name)
        )
        log.info("submission %s: enterprise %s, %d material(s) on file", sub.id, enterprise_id,
                 len(references))  # fmt: skip

    @staticmethod
    def _opened_at(conn: Connection, station_id: str, enterprise_id: str) -> bool:
        return (
            conn.execute(
                select(register_lookups.c.seq)
                .where(
                    register_lookups.c.enterprise_id == enterprise_id,
                    register_lookups.c.station_id == station_id,
                    register_lookups.c.outcome == "shown",
                )
                .limit(1)
            ).first()
            is not None
        )

    def _filed_on(self, sub: Submission) -> str:
        """The day the walk-in filed (district time), never after the hall's today."""
        today = local_date(self.clock.now())
        try:
            filed = dt.datetime.fromisoformat(sub.created_at)
        except ValueError:
            return today.isoformat()
        if filed.tzinfo is None:
            filed = filed.replace(tzinfo=dt.UTC)
        return min(local_date(filed), today).isoformat()

    def _check(
        self, conn: Connection, sub: Submission, enterprise_id: str, references: Mapping[str, str]
    ) -> dict[str, str]:
        """Per ``materials_on_file.<material id>``: why its reference does not hold."""
        if not references:
            return {}
        day = self._filed_on(sub)
        rows = {
            r.id: r
            for r in conn.execute(
                select(
                    enterprise_materials.c.id,
                    enterprise_materials.c.enterprise_id,
                    enterprise_materials.c.kind,
                    enterprise_materials.c.valid_until,
                ).where(enterprise_materials.c.id.in_(set(references.values())))
            )
        }
        reasons: dict[str, str] = {}
        for material_id, on_file in references.items():
            row = rows.get(on_file)
            if row is None:
                reason = "unknown"
            elif row.enterprise_id != enterprise_id:
                reason = "other_enterprise"
            elif row.kind != material_id:
                reason = "wrong_kind"
            elif row.valid_until is not None and row.valid_until < day:
                reason = "expired"
            else:
                continue
            reasons[f"{MATERIALS_ON_FILE_KEY}.{material_id}"] = reason
        return reasons


# --- the desk's view --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnFile:
    """A material a filing took from the register, as the desk lists it."""

    material_id: str  # the catalog's
    enterprise_material_id: str
    kind: str
    issued_on: str | None
    valid_until: str | None
    blob_sha256: str | None
    media_type: str | None
    size: int | None

    @property
    def name(self) -> str:
        return self.material_id + ON_FILE_SUFFIX

    def note(self) -> tuple[str, str]:
        """ "来自企业档案（签发 …，有效至 …）" and its English; or that no file is held here."""
        until_zh = f"有效至 {self.valid_until}" if self.valid_until else "长期有效"
        until_en = f"valid until {self.valid_until}" if self.valid_until else "no expiry"
        zh = [f"签发 {self.issued_on}"] if self.issued_on else []
        en = [f"issued {self.issued_on}"] if self.issued_on else []
        zh_text = f"来自企业档案（{'，'.join([*zh, until_zh])}）"
        en_text = f"From the enterprise's file ({', '.join([*en, until_en])})"
        if self.blob_sha256 is None:
            zh_text += "；档案存有纸质/电子件，本大厅未存文件"
            en_text += "; held on paper or electronically, no file at this hall"
        return zh_text, en_text


def on_file_of(conn: Connection, submission_id: str) -> list[OnFile]:
    """The register materials a filing references, in material id order."""
    rows = conn.execute(
        select(
            filing_materials_on_file.c.material_id,
            filing_materials_on_file.c.enterprise_material_id,
            enterprise_materials.c.kind,
            enterprise_materials.c.issued_on,
            enterprise_materials.c.valid_until,
            enterprise_materials.c.blob_sha256,
            enterprise_materials.c.media_type,
            blobs.c.size,
        )
        .join(
            enterprise_materials,
            enterprise_materials.c.id == filing_materials_on_file.c.enterprise_material_id,
        )
        .join(blobs, blobs.c.sha256 == enterprise_materials.c.blob_sha256, isouter=True)
        .where(filing_materials_on_file.c.submission_id == submission_id)
        .order_by(filing_materials_on_file.c.material_id)
    ).all()
    return [
        OnFile(
            r.material_id,
            r.enterprise_material_id,
            r.kind,
            r.issued_on,
            r.valid_until,
            r.blob_sha256 if r.size is not None else None,  # a file the hall no longer holds
            r.media_type,
            r.size,
        )
        for r in rows
    ]


def file_of(
    store: SubmissionStore, conn: Connection, submission_id: str, name: str
) -> tuple[bytes, str] | None:
    """The bytes and media type of a referenced material (``<material id>@register``), or None
    when the filing references no such material or the hall holds no file of it."""
    if not name.endswith(ON_FILE_SUFFIX):
        return None
    wanted = name.removesuffix(ON_FILE_SUFFIX)
    for item in on_file_of(conn, submission_id):
        if item.material_id == wanted and item.blob_sha256 is not None:
            data = store.get_blob(item.blob_sha256)
            if data is None:
                return None
            return data, item.media_type or "application/octet-stream"
    return None


def material_view(item: OnFile, name_zh: str, name_en: str, url: str) -> dict[str, Any]:
    """One referenced material in the desk's materials list (``url``: the audited route; none
    when the hall holds no file: the console shows the note, never a picture)."""
    zh, en = item.note()
    has_file = item.blob_sha256 is not None
    return {
        "id": item.name,
        "name_zh": name_zh,
        "name_en": name_en,
        "content_type": (item.media_type or "application/octet-stream") if has_file else None,
        "size": item.size if has_file else None,
        "url": url if has_file else None,
        "on_file": {
            "enterprise_material_id": item.enterprise_material_id,
            "kind": item.kind,
            "issued_on": item.issued_on,
            "valid_until": item.valid_until,
            "has_file": has_file,
            "note_zh": zh,
            "note_en": en,
        },
    }
