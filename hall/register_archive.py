"""The enterprise's e-archive (电子档案) for a station: its filings, demands, documents on file and
ratings, newest first, and a document's file for the kiosk's A4 printer.

Both are opened for a card holder who may act for the enterprise (:meth:`hall.register.
EnterpriseRegister.open_for`, logged in ``register_lookups`` with ``how`` ``archive`` or
``print``); anyone else is refused ``not_authorised`` before anything is read.

The enterprise's filings and demands are its parts: those whose USCC is the enterprise's, those
of filings that named it from the register (``filing_enterprises``, :mod:`hall.register_filings`)
and the start-up filing that made it; one item per part, at the time it was received, with its
status now. Documents are its materials on file (every one, a replaced licence too), at their
issue date; ratings are the 好差评 given on its parts (the level, never the comment). At most
:data:`contracts.register.ARCHIVE_MAX` items, newest first. Titles come from the latest
published catalog (a service's name, with the part's name for a bundle; a material's name).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Connection, or_, select

from contracts.catalog import Catalog
from contracts.rating_scale import LEVELS
from contracts.register import ARCHIVE_MAX, ArchiveAnswer, ArchiveItem, EnterpriseAnswer
from hall.applicant_schema import ratings
from hall.catalog_publish import CatalogStore
from hall.demand_desk import DEMAND_SERVICE
from hall.part_model import DISTRICT_TIME, STATUS_NAMES, local_date
from hall.register import EnterpriseRegister, RegisterRefused, Station
from hall.register_schema import enterprise_materials, enterprises, filing_enterprises
from hall.store import SubmissionStore
from hall.tracking import parts

log = logging.getLogger(__name__)

# A demand's part statuses (hall.demand_desk) beside the filings desk's.
_DEMAND_STATUS: Final[Mapping[str, tuple[str, str]]] = {
    "received": ("待受理", "received"),
    "handling": ("办理中", "being handled"),
    "completed": ("已办结", "completed"),
}

DOCUMENT_NOT_FOUND: Final = RegisterRefused(
    "document_not_found",
    404,
    "该企业档案中没有这份文件",
    "The enterprise's file holds no such document",
)
NO_FILE: Final = RegisterRefused(
    "no_file",
    404,
    "这份材料在档案中存有纸质或电子件，本机无法打印，请到窗口领取复印件",
    "This document is held on paper or elsewhere and cannot be printed here; ask at a counter",
)


class _Names:
    """Titles from the latest catalog: services, their parts, materials."""

    def __init__(self, catalog: Catalog | None) -> None:
        self.services: dict[str, tuple[str, str]] = {}
        self.parts: dict[tuple[str, str], tuple[str, str]] = {}
        self.materials: dict[str, tuple[str, str]] = {}
        self.bundles: set[str] = set()
        for item in catalog.services if catalog is not None else ():
            self.services[item.id] = (item.name_zh, item.name_en)
            if len(item.parts) > 1:
                self.bundles.add(item.id)
            for part in item.parts:
                self.parts[item.id, part.id] = (part.name_zh, part.name_en)
            for material in item.materials:
                self.materials.setdefault(material.id, (material.name_zh, material.name_en))

    def service(self, service_id: str) -> tuple[str, str]:
        return self.services.get(service_id, (service_id, service_id))

    def part(self, service_id: str, part_id: str) -> tuple[str, str]:
        zh, en = self.service(service_id)
        named = self.parts.get((service_id, part_id))
        if service_id in self.bundles and named is not None:
            return f"{zh} · {named[0]}", f"{en} · {named[1]}"
        return zh, en

    def document(self, kind: str) -> tuple[str, str]:
        # A kind is a catalog material id, or a service id for a result document it issued.
        return self.materials.get(kind) or self.services.get(kind) or (kind, kind)


def _moment(at: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(at)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class EnterpriseArchive:
    """The e-archive over the hall's database; thread-safe."""

    def __init__(
        self, register: EnterpriseRegister, store: SubmissionStore, catalogs: CatalogStore
    ) -> None:
        self.register = register
        self.store = store
        self.catalogs = catalogs

    def archive(self, enterprise_id: str, holder: str, station: Station) -> ArchiveAnswer:
        """The e-archive for an authorised holder (:class:`RegisterRefused` otherwise)."""
        answer = self.register.open_for(enterprise_id, holder, station, "archive")
        with self.register.engine.connect() as conn:
            latest = self.catalogs.latest(conn)
            names = _Names(latest.catalog if latest is not None else None)
            items = [
                *self._filings(conn, enterprise_id, names),
                *self._documents(conn, enterprise_id, names),
                *self._ratings(conn, enterprise_id, names),
                *_policies(answer),
            ]
        items.sort(key=lambda i: _moment(i.at), reverse=True)
        log.info("station %s: e-archive of enterprise %s, %d item(s)", station.station_id,
                 enterprise_id, min(len(items), ARCHIVE_MAX))  # fmt: skip
        return ArchiveAnswer(enterprise=answer, items=items[:ARCHIVE_MAX])

    def document(
        self, enterprise_id: str, material_id: str, holder: str, station: Station
    ) -> tuple[bytes, str]:
        """A document's file and media type for an authorised holder (to print)."""
        self.register.open_for(enterprise_id, holder, station, "print")
        with self.register.engine.connect() as conn:
            row = conn.execute(
                select(enterprise_materials.c.blob_sha256, enterprise_materials.c.media_type).where(
                    enterprise_materials.c.id == material_id,
                    enterprise_materials.c.enterprise_id == enterprise_id,
                )
            ).one_or_none()
        if row is None:
            raise DOCUMENT_NOT_FOUND
        data = self.store.get_blob(row.blob_sha256) if row.blob_sha256 else None
        if data is None:
            raise NO_FILE
        log.info("station %s: document %s of enterprise %s to print", station.station_id,
                 material_id, enterprise_id)  # fmt: skip
        return data, row.media_type or "application/octet-stream"

    # --- the items ------------------------------------------------------------------------------

    @staticmethod
    def _parts_of(conn: Connection, enterprise_id: str) -> Any:
        """The condition naming the enterprise's parts."""
        row = conn.execute(
            select(enterprises.c.uscc, enterprises.c.submission_id).where(
                enterprises.c.id == enterprise_id
            )
        ).one()
        named = [
            parts.c.submission_id.in_(
                select(filing_enterprises.c.submission_id).where(
                    filing_enterprises.c.enterprise_id == enterprise_id
                )
            )
        ]
        if row.uscc:
            named.append(parts.c.uscc == row.uscc)
        if row.submission_id:
            named.append(parts.c.submission_id == row.submission_id)
        return or_(*named)

    def _filings(self, conn: Connection, enterprise_id: str, names: _Names) -> list[ArchiveItem]:
        rows = conn.execute(
            select(
                parts.c.part_id,
                parts.c.tracking_number,
                parts.c.service_id,
                parts.c.status,
                parts.c.received_at,
                parts.c.updated_at,
            )
            .where(self._parts_of(conn, enterprise_id))
            .order_by(parts.c.received_at.desc(), parts.c.position)
            .limit(ARCHIVE_MAX)
        ).all()
        items = []
        for r in rows:
            demand = r.service_id == DEMAND_SERVICE
            words = _DEMAND_STATUS if demand else STATUS_NAMES
            status_zh, status_en = words.get(r.status, (r.status, r.status))
            status_en = status_en[:1].upper() + status_en[1:]  # a label, not mid-sentence
            title_zh, title_en = names.part(r.service_id, r.part_id)
            items.append(
                ArchiveItem(
                    kind="demand" if demand else "filing",
                    at=r.received_at or r.updated_at,
                    tracking_number=r.tracking_number,
                    title_zh=title_zh,
                    title_en=title_en,
                    status=r.status,
                    status_zh=status_zh,
                    status_en=status_en,
                    material_id=None,
                    printable=False,
                )
            )
        return items

    def _documents(self, conn: Connection, enterprise_id: str, names: _Names) -> list[ArchiveItem]:
        today = local_date(self.register.clock.now()).isoformat()
        rows = conn.execute(
            select(enterprise_materials)
            .where(enterprise_materials.c.enterprise_id == enterprise_id)
            .order_by(enterprise_materials.c.created_at.desc())
            .limit(ARCHIVE_MAX)
        ).all()
        items = []
        for m in rows:
            until = m.valid_until
            if until is not None and until < today:
                status, zh, en = "expired", f"已于 {until} 过期", f"expired on {until}"
            elif until is not None:
                status, zh, en = "valid", f"有效至 {until}", f"valid until {until}"
            else:
                status, zh, en = "valid", "长期有效", "valid, no expiry"
            issued = (
                dt.datetime.combine(dt.date.fromisoformat(m.issued_on), dt.time(), DISTRICT_TIME)
                if m.issued_on
                else None
            )
            title_zh, title_en = names.document(m.kind)
            printable = m.blob_sha256 is not None
            items.append(
                ArchiveItem(
                    kind="document",
                    at=issued.isoformat() if issued is not None else m.created_at,
                    tracking_number=None,
                    title_zh=title_zh,
                    title_en=title_en,
                    status=status,
                    status_zh=zh,
                    status_en=en,
                    material_id=m.id if printable else None,
                    printable=printable,
                )
            )
        return items

    def _ratings(self, conn: Connection, enterprise_id: str, names: _Names) -> list[ArchiveItem]:
        of_enterprise = select(parts.c.submission_id).where(self._parts_of(conn, enterprise_id))
        rows = conn.execute(
            select(
                ratings.c.tracking_number,
                ratings.c.service_id,
                ratings.c.part_id,
                ratings.c.level,
                ratings.c.updated_at,
            )
            .where(ratings.c.submission_id.in_(of_enterprise))
            .order_by(ratings.c.updated_at.desc())
            .limit(ARCHIVE_MAX)
        ).all()
        items = []
        for r in rows:
            zh, en = names.part(r.service_id, r.part_id)
            level_zh, level_en = LEVELS.get(r.level, (str(r.level), str(r.level)))
            items.append(
                ArchiveItem(
                    kind="rating",
                    at=r.updated_at,
                    tracking_number=r.tracking_number,
                    title_zh=f"好差评：{zh}",
                    title_en=f"Rating: {en}",
                    status=str(r.level),
                    status_zh=level_zh,
                    status_en=level_en,
                    material_id=None,
                    printable=False,
                )
            )
        return items


def _policies(answer: EnterpriseAnswer) -> list[ArchiveItem]:
    """The policies pushed to the enterprise (免申即享, :mod:`hall.policy_push`), at the time
    staff confirmed them; ``tracking_number`` is the push's reference."""
    return [
        ArchiveItem(
            kind="policy",
            at=p.pushed_at,
            tracking_number=p.reference,
            title_zh=f"政策推送：{p.title_zh}",
            title_en=f"Policy for you: {p.title_en}",
            status="pushed",
            status_zh=f"可申报，截止 {p.closes}",
            status_en=f"open until {p.closes}",
            material_id=None,
            printable=False,
        )
        for p in answer.policies
    ]
