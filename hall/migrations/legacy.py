"""Adopting a database made before migrations: bring it to the baseline so it can be stamped.

Releases before Alembic created their tables with ``create_all`` and patched older files in place
at start (the ``attachments`` column, the ``audit_log.client`` column, the unique index on
tracking numbers). Such a database has no ``alembic_version`` table. :func:`adopt` repeats exactly
those steps, creating any baseline table the file lacks, so that afterwards it matches revision
0001 and is stamped as such; later revisions then run as on any other database.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.engine import Connection

from hall.migrations.baseline import TRACKING_UNIQUE, baseline_metadata

log = logging.getLogger(__name__)


class DuplicateTrackingNumbers(RuntimeError):
    """The database holds a tracking number more than once: the unique index cannot be made."""

    def __init__(self, numbers: Sequence[str]) -> None:
        shown = ", ".join(numbers[:10]) + (" …" if len(numbers) > 10 else "")
        super().__init__(
            f"the hall database holds {len(numbers)} tracking number(s) on more than one "
            f"submission ({shown}); each must name one submission. Resolve them (keep the real "
            "station's submission, remove the others) before starting the hall."
        )
        self.numbers = tuple(numbers)


def adopt(conn: Connection) -> None:
    """Bring a pre-migration database to the baseline schema (its rows untouched).

    Raises :class:`DuplicateTrackingNumbers` when the data already breaks the unique index: a
    person must decide which submission is the real one.
    """
    md = baseline_metadata()
    # Tables a release older than the baseline did not have yet.
    md.create_all(conn, checkfirst=True)
    inspector = inspect(conn)
    if "attachments" not in {c["name"] for c in inspector.get_columns("submissions")}:
        log.info("adding submissions.attachments")
        conn.execute(text("ALTER TABLE submissions ADD COLUMN attachments TEXT"))
    if "client" not in {c["name"] for c in inspector.get_columns("audit_log")}:
        log.info("adding audit_log.client")
        conn.execute(text("ALTER TABLE audit_log ADD COLUMN client VARCHAR(64)"))
    if TRACKING_UNIQUE not in {i["name"] for i in inspector.get_indexes("submissions")}:
        submissions: Table = md.tables["submissions"]
        twice = [
            str(v)
            for v in conn.execute(
                select(submissions.c.tracking_number)
                .group_by(submissions.c.tracking_number)
                .having(func.count() > 1)
                .order_by(submissions.c.tracking_number)
            ).scalars()
        ]
        if twice:
            raise DuplicateTrackingNumbers(twice)
        log.info("adding the unique index on tracking numbers")
        next(i for i in submissions.indexes if i.name == TRACKING_UNIQUE).create(conn)
