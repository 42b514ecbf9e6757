"""The hall's schema migrations against a database the last release before them filled.

That release is taken from git (:data:`LAST_RELEASE`, ``git archive``) and run as it was: its hall
under uvicorn in a subprocess, its staff, an enrolled station filing a bundle with a photo, an EV
charger and an enterprise demand, staff moving a part and a demand, a heartbeat
(``tests/hall/last_release_fill.py``). Then today's code opens the database: it is adopted as
revision 0001 (its schema must equal the frozen baseline), upgraded to head, and every row of
every table is still there; the live table definitions equal what head built. On SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, select

import hall.app  # noqa: F401  # every hall module's tables on the shared metadata
from contracts.catalog import parse_catalog
from hall import migrations
from hall.auth import StaffStore
from hall.departments import DepartmentStore
from hall.migrations.baseline import baseline_metadata
from hall.store import SubmissionStore, database_url, metadata
from tests.conftest import PostgresCluster
from tests.hall.helpers import PASSWORD, START, cheap_hasher
from tests.support.clock import FakeClock

REPO = Path(__file__).resolve().parents[2]
# The last commit whose hall made its tables with create_all (no alembic_version).
LAST_RELEASE = "37fc53e4d7035b60e92eaed3e6032fa35b827f61"
FILL = Path(__file__).with_name("last_release_fill.py")
# Tables the fill writes rows into; the rest (assist calls, diagnostics) stay empty.
FILLED = {
    "submissions", "blobs", "staff", "staff_sessions", "audit_log", "catalogs", "parts",
    "part_steps", "demands", "enrolment_codes", "devices", "request_nonces", "station_health",
}  # fmt: skip


@pytest.fixture(scope="module")
def last_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last release's source tree, from git."""
    tree = tmp_path_factory.mktemp("last-release")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", LAST_RELEASE],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    shutil.copy(FILL, tree / FILL.name)
    return tree


def fill_with_last_release(tree: Path, db: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, FILL.name, db], cwd=tree, env=env, capture_output=True, timeout=180
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-4000:]


def snapshot(db: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in a stable order."""
    engine = create_engine(database_url(db))
    try:
        found = MetaData()
        found.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted((dict(row._mapping) for row in conn.execute(select(table))), key=repr)
                for name, table in found.tables.items()
            }
    finally:
        engine.dispose()


def schema_differences(db: str, target: MetaData) -> list[Any]:
    """What Alembic's autogenerate would change to make ``db`` match ``target`` (empty: equal)."""
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), target))
    finally:
        engine.dispose()


@pytest.fixture
def filled(last_release: Path, hall_db: str) -> Iterator[str]:
    fill_with_last_release(last_release, hall_db)
    yield hall_db


def test_a_database_filled_by_the_last_release_upgrades_with_nothing_lost(filled: str) -> None:
    before = snapshot(filled)
    assert "alembic_version" not in before
    assert {name for name, rows in before.items() if rows} == FILLED
    # What that release made is exactly the baseline revision 0001 stands for.
    assert schema_differences(filled, baseline_metadata()) == []

    store = SubmissionStore(filled)
    try:
        assert migrations.current(store.engine) == migrations.head()
        after = snapshot(filled)
        # Statuses of the old staff model map onto the part model (demands keep theirs).
        renamed = {"handling": "in_review", "completed": "closed", "rejected": "refused"}
        expected = {
            name: [
                {**row, "status": renamed.get(row["status"], row["status"])}
                if name == "parts" and row["service_id"] != "enterprise_demand"
                else row
                for row in rows
            ]
            for name, rows in before.items()
        }
        for name, rows in expected.items():
            columns = list(rows[0]) if rows else []
            assert [{c: row[c] for c in columns} for row in after[name]] == rows, name
        # The new columns and tables, filled from what was there.
        assert {row["department"] for row in after["staff"]} == {None}
        assert any(row["status"] == "handling" for row in before["parts"])  # the map was used
        submitted = {row["id"]: row for row in before["submissions"]}
        for part in after["parts"]:
            sub = submitted[part["submission_id"]]
            assert (part["station_id"], part["received_at"], part["version"]) == (
                sub["station_id"], sub["received_at"], 1,
            )  # fmt: skip
        assert any(part["enterprise_name"] for part in after["parts"])
        published = parse_catalog(json.loads(before["catalogs"][-1]["body"]))
        assert {(d["id"], d["name_zh"], d["listed"]) for d in after["departments"]} == {
            (d.id, d.name_zh, True) for d in published.departments
        }
        # Today's code reads yesterday's rows: a filing with its photo, a login, a department.
        filing = store.load(next(r["id"] for r in before["submissions"] if r["attachments"]))
        assert filing is not None and filing.service_id == "company_startup_power"
        assert store.get_blob(filing.attachments[0].sha256) is not None
        staff = StaffStore(store.engine, FakeClock(START), cheap_hasher())
        helper = staff.verify("lin.helper", PASSWORD)
        assert helper is not None and (helper.role, helper.department) == ("helper", None)
        assert DepartmentStore(store.engine, FakeClock(START)).get("state_grid") is not None
    finally:
        store.close()
    assert schema_differences(filled, metadata) == []
    # Opening it again changes nothing.
    SubmissionStore(filled).close()
    assert snapshot(filled) == after


def test_a_new_database_is_built_to_head_and_matches_the_live_tables(hall_db: str) -> None:
    store = SubmissionStore(hall_db)
    try:
        assert migrations.current(store.engine) == migrations.head() == "0016"
    finally:
        store.close()
    assert schema_differences(hall_db, metadata) == []


def test_every_revision_goes_down_and_up_again(hall_db: str) -> None:
    store = SubmissionStore(hall_db)
    try:
        with store.engine.begin() as conn:
            cfg = migrations.alembic_config(conn)
            command.downgrade(cfg, migrations.BASELINE)
            assert MigrationContext.configure(conn).get_current_revision() == "0001"
            command.downgrade(cfg, "base")
            command.upgrade(cfg, "head")
    finally:
        store.close()
    assert schema_differences(hall_db, metadata) == []


def test_halls_starting_together_on_one_postgresql_database_migrate_it_once(
    postgres: PostgresCluster,
) -> None:
    url = postgres.new_database()
    failures: list[BaseException] = []

    def start() -> None:
        try:
            SubmissionStore(url).close()
        except BaseException as exc:  # collected for the assertion below
            failures.append(exc)

    halls = [threading.Thread(target=start) for _ in range(3)]
    for hall_thread in halls:
        hall_thread.start()
    for hall_thread in halls:
        hall_thread.join(timeout=60)
    assert failures == []
    assert schema_differences(url, metadata) == []
