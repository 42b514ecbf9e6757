"""Filings desk: inbox pages and filing details with 100,000 parts, on SQLite and PostgreSQL.

A year of filings is written straight into a hall's database through its real schema (the
migrations' head; bulk inserts, for speed): submissions with their form, one row per part with
what intake fills (station, time received, promised-by date in working days, enterprise name,
USCC), each part's moves as ``part_events``, most parts closed, the rest spread over the open
statuses, some overdue, some paused for material. Then a real hall (uvicorn, loopback HTTP, a
logged-in officer and supervisor, every request authenticated as the console's are) is asked:

- inbox pages: an officer's default page and each tab, a second page through the cursor, a
  tracking-number prefix, an enterprise-name search, and a supervisor's page over every
  department — p99 over all of them (``inbox_p99_ms_sqlite``, ``inbox_p99_ms_postgres``) and
  the slowest kind's p99 for each database;
- filing details of random bundles and single filings (each one audited, as in production):
  ``detail_p99_ms`` (SQLite; ``detail_p99_ms_postgres`` beside it).

Goal: under 50 ms p99 for both. PostgreSQL is a throwaway cluster as the tests start it
(``tests/conftest.py``'s :class:`PostgresCluster`), stopped at the end. ``--quick``: 2,000 parts
and few requests (a smoke run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from argon2 import PasswordHasher

KEYS = (
    "parts",
    "inbox_p99_ms_sqlite",
    "inbox_p99_ms_postgres",
    "detail_p99_ms",
)

FULL_PARTS = 100_000
QUICK_PARTS = 2_000
PASSWORD = "bench password 1"
# Requests per kind of inbox page, and filing details, per run.
FULL_REQUESTS = 60
QUICK_REQUESTS = 5
_DISTRICT = dt.timezone(dt.timedelta(hours=8))
_ENTERPRISES = ("科技", "餐饮", "贸易", "物流", "建设", "电子", "医药", "文化", "咨询", "制造")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def _postgres() -> Iterator[str | None]:
    """A database URL on a throwaway cluster, or None where PostgreSQL is not installed."""
    # tests/conftest.py marks the process environment for its leftover check when imported:
    # keep the mark this process inherited (a test run's), so the cluster carries that one.
    mark = os.environ.get("QIHANG_TEST_RUN")
    from tests.conftest import PostgresCluster, _postgres_bin

    if mark is None:
        os.environ.pop("QIHANG_TEST_RUN", None)
    else:
        os.environ["QIHANG_TEST_RUN"] = mark
    bin_dir = _postgres_bin()
    if bin_dir is None:
        yield None
        return
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    try:
        yield cluster.new_database()
    finally:
        cluster.stop()


# --- filling a year of filings -------------------------------------------------------------------


def _fill(db: str, total: int, rng: random.Random) -> dict[str, Any]:
    """Write ``total`` parts (and their submissions and events); return what the bench asks for."""
    from sqlalchemy import insert

    from contracts.catalog import parse_catalog
    from hall import desk_schema  # noqa: F401  # its tables on the metadata
    from hall.catalog_publish import SAMPLE_CATALOG_PATH
    from hall.clock import iso
    from hall.demand_content import load_calendar
    from hall.desk_schema import part_events
    from hall.store import SubmissionStore, submissions
    from hall.tracking import part_steps, parts

    catalog = parse_catalog(json.loads(SAMPLE_CATALOG_PATH.read_text(encoding="utf-8")))
    calendar = load_calendar()
    services = [s for s in catalog.services if s.id != "enterprise_demand"]
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(_DISTRICT).date()
    store = SubmissionStore(db)
    subs: list[dict[str, Any]] = []
    part_rows: list[dict[str, Any]] = []
    step_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    bundles: list[str] = []
    singles: list[str] = []
    prefixes: list[str] = []
    names: list[str] = []
    n = 0
    while len(part_rows) < total:
        n += 1
        item = services[n % len(services)]
        received = now - dt.timedelta(seconds=rng.uniform(0, 365 * 86400))
        received_at = iso(received)
        station = f"QH{rng.randint(1, 40):03d}"
        local = received.astimezone(_DISTRICT).date()
        tracking = f"{station}-{local:%Y%m%d}-{n:06d}"
        enterprise = f"苏州{rng.choice(_ENTERPRISES)}{n}号有限公司"
        uscc = "91320505" + hashlib.sha256(str(n).encode()).hexdigest()[:10].upper()
        form = {f.name: f"{f.name}-{n}" for f in item.form.fields}
        form.update({"company_name": enterprise, "enterprise_name": enterprise, "uscc": uscc})
        for f in item.form.fields:
            if f.kind == "id_number":
                form[f.name] = f"320505{1960 + n % 40}0101{n % 10000:04d}"
        sub_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        payload = {
            "service_id": item.id,
            "parts": [p.id for p in item.parts],
            "form": form,
            "helper_filled": [],
            "language": "zh_CN",
            "catalog_version": catalog.version,
            "confirmed_at": received_at,
        }
        attachments = [
            {
                "sha256": hashlib.sha256(f"{n}/{m.id}".encode()).hexdigest(),
                "size": 180_000,
                "media_type": "image/jpeg",
                "name": m.id,
            }
            for m in item.captured_materials
        ]
        subs.append(
            {
                "id": sub_id,
                "station_id": station,
                "service_id": item.id,
                "tracking_number": tracking,
                "created_at": received_at,
                "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
                "attachments": json.dumps(attachments) if attachments else None,
                "content_sha256": hashlib.sha256(sub_id.encode()).hexdigest(),
                "status": "received",
                "received_at": received_at,
            }
        )
        (bundles if item.is_bundle else singles).append(sub_id)
        if n % 97 == 0:
            prefixes.append(tracking[:-3])
            names.append(enterprise[2:6])
        due = calendar.add_working_days(local, item.time_limit_days)
        age = (today - local).days
        for position, part in enumerate(item.parts):
            if age > 25 or rng.random() < 0.3:
                path = rng.choices(
                    (
                        ["accepted", "in_review", "approved", "result_ready", "closed"],
                        ["accepted", "in_review", "refused"],
                        ["not_accepted"],
                    ),
                    weights=(90, 6, 4),
                )[0]
            else:
                path = [
                    "accepted",
                    "in_review",
                    "needs_more",
                    "in_review",
                    "approved",
                    "result_ready",
                ][: rng.randint(0, 6)]
            status = path[-1] if path else "received"
            at = received
            previous = "received"
            for to in path:
                at += dt.timedelta(hours=rng.uniform(1, 30))
                event_rows.append(
                    {
                        "submission_id": sub_id,
                        "part_id": part.id,
                        "at": iso(at),
                        "actor": f"officer.{part.department}",
                        "from_status": previous,
                        "to_status": to,
                        "reason": "材料不全" if to in ("refused", "not_accepted") else "",
                        "items": (
                            json.dumps([{"material": "premises_proof", "reason": "缺页"}])
                            if to == "needs_more"
                            else None
                        ),
                        "public_note_zh": "",
                        "public_note_en": "",
                    }
                )
                previous = to
            done = status in ("closed", "refused", "not_accepted")
            part_rows.append(
                {
                    "submission_id": sub_id,
                    "part_id": part.id,
                    "position": position,
                    "tracking_number": tracking,
                    "service_id": item.id,
                    "department": part.department,
                    "fields": json.dumps(list(part.fields)),
                    "status": status,
                    "note_zh": "",
                    "note_en": "",
                    "updated_at": iso(at),
                    "version": 1 + len(path),
                    "station_id": station,
                    "received_at": received_at,
                    "due_on": due.isoformat(),
                    "paused_since": iso(at) if status == "needs_more" else None,
                    "enterprise_name": enterprise,
                    "uscc": uscc,
                    "updated_by": f"officer.{part.department}" if path else "",
                    "closed_at": iso(at) if done else None,
                    "case_number": None,
                }
            )
            for step_pos, step in enumerate(part.steps):
                step_rows.append(
                    {
                        "submission_id": sub_id,
                        "part_id": part.id,
                        "step_id": step.id,
                        "position": step_pos,
                        "status": "pending",
                        "updated_at": received_at,
                    }
                )
    t0 = time.perf_counter()
    chunk = 5000
    with store.engine.begin() as conn:
        for table, rows in (
            (submissions, subs),
            (parts, part_rows),
            (part_steps, step_rows),
            (part_events, event_rows),
        ):
            for i in range(0, len(rows), chunk):
                conn.execute(insert(table), rows[i : i + chunk])
        if conn.dialect.name == "sqlite":
            # Statistics as on PostgreSQL (SQLite's planner works without them too).
            conn.exec_driver_sql("ANALYZE")
    if store.engine.dialect.name == "postgresql":
        # What autovacuum has done to a table a year old: statistics, and the visibility map
        # that lets a count read the index alone.
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE submissions, parts, part_steps, part_events")
    store.close()
    return {
        "parts": len(part_rows),
        "submissions": len(subs),
        "events": len(event_rows),
        "fill_s": round(time.perf_counter() - t0, 1),
        "bundles": bundles,
        "singles": singles,
        "prefixes": prefixes or [part_rows[0]["tracking_number"][:8]],
        "names": names or ["有限公司"],
    }


# --- asking a real hall -------------------------------------------------------------------------


def _session(url: str, name: str) -> requests.Session:
    from hall.auth import COOKIE_NAME

    answer = requests.post(
        url + "/api/v1/auth/login", json={"name": name, "password": PASSWORD}, timeout=10
    )
    answer.raise_for_status()
    session = requests.Session()
    session.headers["Cookie"] = f"{COOKIE_NAME}={answer.cookies[COOKIE_NAME]}"
    return session


def _timed(call: Callable[[], requests.Response]) -> float:
    t0 = time.perf_counter()
    answer = call()
    took = time.perf_counter() - t0
    answer.raise_for_status()
    return took * 1000


def _measure(db: str, total: int, requests_per_kind: int, runs: int, seed: int) -> dict[str, Any]:
    from contracts.clock import SYSTEM_CLOCK
    from hall.auth import StaffStore
    from hall.server import HallServer
    from hall.store import SubmissionStore

    rng = random.Random(seed)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with HallServer(db, password_hasher=hasher) as hall:
        filled = _fill(db, total, rng)
        store = SubmissionStore(db)
        staff = StaffStore(store.engine, SYSTEM_CLOCK, hasher)
        staff.add("bench.market", "officer", PASSWORD, "market_regulation")
        staff.add("bench.boss", "supervisor", PASSWORD)
        store.close()
        officer = _session(hall.url, "bench.market")
        boss = _session(hall.url, "bench.boss")
        inbox = hall.url + "/api/v1/desk/inbox"

        def page(
            session: requests.Session, filing: str = "", **params: Any
        ) -> Callable[[], requests.Response]:
            url = f"{hall.url}/api/v1/desk/filings/{filing}" if filing else inbox
            return lambda: session.get(url, params=params, timeout=30)

        def second_page() -> requests.Response:
            first = officer.get(inbox, params={"tab": "done"}, timeout=30).json()
            return officer.get(inbox, params={"tab": "done", "after": first["next"]}, timeout=30)

        kinds: dict[str, Callable[[], Callable[[], requests.Response]]] = {
            "officer_all": lambda: page(officer),
            "officer_waiting": lambda: page(officer, tab="waiting"),
            "officer_in_progress": lambda: page(officer, tab="in_progress"),
            "officer_needs_more": lambda: page(officer, tab="needs_more"),
            "officer_overdue": lambda: page(officer, tab="overdue"),
            "officer_done": lambda: page(officer, tab="done"),
            "tracking_prefix": lambda: page(officer, q=rng.choice(filled["prefixes"])),
            "enterprise_name": lambda: page(officer, q=rng.choice(filled["names"])),
            "supervisor_all": lambda: page(boss),
            "supervisor_overdue": lambda: page(boss, tab="overdue"),
        }
        for make in kinds.values():  # warm: imports, caches, the first plan
            make()().raise_for_status()
        second_page().raise_for_status()
        per_kind: dict[str, list[float]] = {k: [] for k in kinds}
        per_kind["officer_done_page_2"] = []
        details: list[float] = []
        sample = (
            filled["bundles"][:: max(1, len(filled["bundles"]) // 200)]
            + filled["singles"][:: max(1, len(filled["singles"]) // 200)]
        )
        for _ in range(runs):
            for _ in range(requests_per_kind):
                for name, make in kinds.items():
                    per_kind[name].append(_timed(make()))
                first = officer.get(inbox, params={"tab": "done"}, timeout=30).json()
                after = {"tab": "done", "after": first["next"]}
                per_kind["officer_done_page_2"].append(_timed(page(officer, **after)))
                sub = rng.choice(sample)
                details.append(_timed(page(boss, filing=sub)))
    every = [v for values in per_kind.values() for v in values]
    kind_p99 = {k: round(_percentile(v, 0.99), 2) for k, v in per_kind.items()}
    slowest = max(kind_p99, key=lambda k: kind_p99[k])
    return {
        "parts": filled["parts"],
        "submissions": filled["submissions"],
        "events": filled["events"],
        "fill_s": filled["fill_s"],
        "inbox_p50_ms": round(statistics.median(every), 2),
        "inbox_p99_ms": round(_percentile(every, 0.99), 2),
        "inbox_slowest_kind": slowest,
        "inbox_slowest_kind_p99_ms": kind_p99[slowest],
        "inbox_kind_p99_ms": kind_p99,
        "detail_p50_ms": round(statistics.median(details), 2),
        "detail_p99_ms": round(_percentile(details, 0.99), 2),
    }


def run(runs: int = 5, *extra: str, quick: bool = False) -> dict[str, Any]:
    """``quick``: 2,000 parts and a few requests of each kind."""
    total = QUICK_PARTS if quick else FULL_PARTS
    per_kind = QUICK_REQUESTS if quick else FULL_REQUESTS
    with tempfile.TemporaryDirectory(prefix="bench-desk-") as tmp:
        lite = _measure(str(Path(tmp) / "hall.db"), total, per_kind, runs, seed=15)
    with _postgres() as url:
        pg = _measure(url, total, per_kind, runs, seed=15) if url is not None else None
    result: dict[str, Any] = {
        "parts": lite["parts"],
        "inbox_p99_ms_sqlite": lite["inbox_p99_ms"],
        "inbox_p99_ms_postgres": pg["inbox_p99_ms"] if pg else None,
        "detail_p99_ms": lite["detail_p99_ms"],
        "detail_p99_ms_postgres": pg["detail_p99_ms"] if pg else None,
        "inbox_p50_ms_sqlite": lite["inbox_p50_ms"],
        "inbox_p50_ms_postgres": pg["inbox_p50_ms"] if pg else None,
        "detail_p50_ms": lite["detail_p50_ms"],
        "submissions": lite["submissions"],
        "events": lite["events"],
        "fill_s_sqlite": lite["fill_s"],
        "fill_s_postgres": pg["fill_s"] if pg else None,
        "inbox_kind_p99_ms_sqlite": lite["inbox_kind_p99_ms"],
        "inbox_kind_p99_ms_postgres": pg["inbox_kind_p99_ms"] if pg else None,
        "runs": runs,
    }
    return result
