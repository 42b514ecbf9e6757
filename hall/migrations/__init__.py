"""The hall database's schema migrations (Alembic), run to head whenever the hall opens it.

:func:`upgrade_to_head` is how the hall gets its tables: a new database is built revision by
revision from ``versions/``; one already under Alembic gets the revisions it lacks; one made by a
release before migrations (tables, no ``alembic_version``) is first brought to the baseline and
stamped as revision 0001 (:mod:`hall.migrations.legacy`), then upgraded like the rest. The live
table definitions (``hall.store.metadata``) must equal what head builds; a test compares them on
SQLite and PostgreSQL, so a table changed without a revision fails it.

Revisions are written by hand, one file each in ``versions/`` (``rev_NNNN_<what>.py``), with
explicit table definitions, never imports of the live ones: a revision must keep building the
same schema after the code moves on. On PostgreSQL the whole upgrade is one transaction under an
advisory lock, so two halls starting on one database do not both migrate it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection

from hall.migrations import legacy

log = logging.getLogger(__name__)

BASELINE: Final = "0001"
_SCRIPTS: Final = Path(__file__).parent
# pg_advisory_xact_lock key: any constant the hall's own transactions never use ("QHMIGR").
_LOCK_KEY: Final = 0x51484D49_4752


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's config for the hall's revisions, running on ``conn`` (for ``alembic.command``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    """The newest revision in ``versions/``."""
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None  # versions/ ships with the package
    return found


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: not under Alembic, or empty)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Create or upgrade the hall's schema to head; stamp a pre-migration database first.

    Raises :class:`~hall.migrations.legacy.DuplicateTrackingNumbers` for a pre-migration
    database whose data breaks the unique tracking-number index (a person must resolve it).
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        tables = set(inspect(conn).get_table_names())
        cfg = alembic_config(conn)
        if "alembic_version" not in tables and "submissions" in tables:
            log.info("database from before migrations: adopting it as revision %s", BASELINE)
            legacy.adopt(conn)
            command.stamp(cfg, BASELINE)
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(cfg, "head")
    if before != head():
        log.info("hall database upgraded from revision %s to %s", before or "(empty)", head())
