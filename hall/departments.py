"""The departments the hall routes work to: data published with the catalog, kept in a table.

A department (market regulation, tax, the power company …) exists because the published catalog
names it (:class:`contracts.catalog.Department`); the catalog check refuses a catalog whose
services, bundle parts or demand categories route to a department it does not list. The hall
keeps them in the ``departments`` table (migration 0002) so staff accounts and, later, each
department's inbox can name one: a department a newer catalog drops stays in the table with
``listed`` false, since accounts and parts still name it.

The table follows the latest published catalog: every read through :class:`DepartmentStore`
first compares the newest catalog's ``seq`` with the one the rows were last brought in line
with, and syncs when a newer one exists (published here, by the CLI, or by another hall
instance on the same PostgreSQL).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    String,
    Table,
    Text,
    column,
    func,
    select,
    table,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from contracts.catalog import parse_catalog
from contracts.clock import Clock
from hall.clock import iso
from hall.store import metadata

log = logging.getLogger(__name__)

departments = Table(
    "departments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("listed", Boolean, nullable=False),  # named by the latest published catalog
    Column("catalog_seq", Integer, nullable=False),  # the catalog the row was last synced from
    Column("updated_at", String(40), nullable=False),
)

# The published catalogs, read by name: hall.catalog_publish owns the table (and imports
# hall.auth, which imports this module).
_catalogs = table("catalogs", column("seq", Integer), column("version", String), column("body"))


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """A department as the hall holds it."""

    id: str
    name_zh: str
    name_en: str
    listed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "listed": self.listed,
        }


class DepartmentStore:
    """The departments table, synced from the latest published catalog; thread-safe."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def all(self) -> list[DepartmentRow]:
        """Every department the hall knows, listed ones first, then by id."""
        with self.engine.begin() as conn:
            self.sync(conn)
            rows = conn.execute(
                select(departments).order_by(departments.c.listed.desc(), departments.c.id)
            ).all()
        return [DepartmentRow(r.id, r.name_zh, r.name_en, bool(r.listed)) for r in rows]

    def get(self, department_id: str) -> DepartmentRow | None:
        with self.engine.begin() as conn:
            self.sync(conn)
            r = conn.execute(
                select(departments).where(departments.c.id == department_id)
            ).one_or_none()
        return None if r is None else DepartmentRow(r.id, r.name_zh, r.name_en, bool(r.listed))

    def sync(self, conn: Connection) -> bool:
        """Bring the table in line with the latest published catalog; True if it changed."""
        head = conn.execute(select(func.max(_catalogs.c.seq))).scalar_one_or_none()
        if head is None:
            return False
        synced = conn.execute(select(func.max(departments.c.catalog_seq))).scalar_one_or_none()
        if synced is not None and synced >= head:
            return False
        row = conn.execute(
            select(_catalogs.c.version, _catalogs.c.body).where(_catalogs.c.seq == head)
        ).one()
        catalog = parse_catalog(json.loads(row.body), source=f"published {row.version}")
        now = iso(self.clock.now())
        for dep in catalog.departments:
            self._upsert(conn, dep.id, dep.name_zh, dep.name_en, head, now)
        listed = [d.id for d in catalog.departments]
        conn.execute(
            update(departments)
            .where(departments.c.id.not_in(listed))
            .values(listed=False, catalog_seq=head, updated_at=now)
        )
        log.info("departments synced from catalog %s: %d listed", row.version, len(listed))
        return True

    def _upsert(
        self, conn: Connection, dep_id: str, name_zh: str, name_en: str, seq: int, now: str
    ) -> None:
        values = {
            "id": dep_id,
            "name_zh": name_zh,
            "name_en": name_en,
            "listed": True,
            "catalog_seq": seq,
            "updated_at": now,
        }
        changes = {k: v for k, v in values.items() if k != "id"}
        # Two requests (or two hall instances) may sync at once: the second one's insert turns
        # into the same update instead of a duplicate-key error.
        if conn.dialect.name == "postgresql":
            stmt: Any = postgresql.insert(departments).values(**values)
        else:
            stmt = sqlite.insert(departments).values(**values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changes))


def known_ids(rows: Sequence[DepartmentRow]) -> list[str]:
    """The ids of the departments still listed (what a new account may be given)."""
    return [r.id for r in rows if r.listed]
