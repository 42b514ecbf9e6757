"""Alembic's entry point for the hall: runs the revisions on the connection that
:func:`hall.migrations.upgrade_to_head` passes in (never a URL of its own, so the hall's engine
settings, SQLite pragmas included, apply to migrations too)."""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


# Alembic executes this file with its context installed; a plain import (the package walk of the
# hall's .deb test, an IDE, pydoc) must not try to migrate anything.
if hasattr(context, "config"):
    run_migrations()
