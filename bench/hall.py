"""The hall under station load (issue 20): one ``python -m hall`` process on 127.0.0.1 and a
load generator beside it, every station request signed as a kiosk signs it.

- stations: N stations enrolled through real enrolment codes (made in the hall's database as
  ``python -m hall enrol-code`` does, exchanged over HTTP by :func:`kiosk.provision.provision`);
  each signs with :mod:`kiosk.device_identity` (a fresh nonce per request).
- heartbeats: each station once per ``period`` (60 s in production), spread evenly over it
  (open loop: a late answer never delays the next beat). The body is what
  :meth:`kiosk.runtime.KioskRuntime.heartbeat` sends (devices with their backends, outbox, disk,
  config digest). ``heartbeat_p99_ms`` is send to answer; ``heartbeat_lag_p99_ms`` how late the
  generator sent beats (a large lag means the generator, not the hall, fell behind).
- intake: ``intake_per_s`` filings a second from a pool of the stations, each as the kiosk's
  outbox sends it (offline_queue/sender.py through the kiosk's own HallClient): a 200 KB photo
  sealed to the hall's key ``PUT /api/v1/blobs/{sha256}``, then the sealed submission
  ``POST /api/v1/submissions`` naming it. ``intake_p99_ms`` is the whole filing (both requests).
- console: supervisors paging the filings inbox (``/api/v1/desk/inbox``, first page then the
  next through its cursor) and the fleet page (``/api/v1/stations``, all and alarms), each
  user one request a second.
- assist: concurrent help calls (the kiosk's real :class:`~remote_assist.client.AssistClient`,
  one helper socket per call, each helper its own account), each relaying one edit a second
  once every call of the window is set up; ``assist_relay_p99_ms`` is helper send to the
  kiosk's callback, ``assist_setup_p99_ms`` a call's request to its helper seeing the walk-in's
  consent (all the calls start at once). A frame the hall refuses counts as an error.
- the station table holds ``table_rows`` stations (the enrolled ones plus quiet rows written
  straight into it) so the fleet page and each UPSERT run against a city-sized table.

Phases (``--phases``): each of the issue's goals is stated for its own load, so the full run
gives each its own window against the same halls: ``heartbeats`` (the stations beating and the
supervisors paging), ``intake`` (filings with photos and the supervisors), ``assist`` (the help
calls), then ``mixed``, all of it at once. The headline figures come from each goal's phase; on
this 2-core machine the generator shares the cores with the halls, and ``mixed`` shows what
that costs. ``--quick`` runs ``mixed`` alone.

Instance counts (``--instances 1,2``; the full run does both, ``--quick`` only 1 to stay a few
seconds): **1** is one hall on SQLite (the default ``make run`` hall); **2** (or more) is that
many halls on one throwaway PostgreSQL behind Debian's nginx with TLS
(:mod:`tests.support.hall_cluster`, docs/deploy.md), every client trusting the test CA; the
requests go round robin, except the help calls: each kiosk's socket is pinned to the first hall
and each helper's to the second, so every relayed edit crosses instances (LISTEN/NOTIFY). Each
count's figures are under ``instances["N"]`` (each phase's under ``phases``); the top-level
figures are those of the largest count (``headline_instances``), ``errors`` the sum over all
counts and phases (a heartbeat the generator could not send in its window counts as one).

Each process's CPU seconds (user + system over the window) and RSS (now and peak) come from
``/proc``: every hall, and for several instances nginx and PostgreSQL (the postmaster and its
backends' CPU summed; RSS of the postmaster only, its shared buffers would count once per
backend). Scaling: the full run's 2,000 stations beating every 6 s send the
same 333 heartbeats/s as 20,000 stations beating every 60 s (the issue's goal), against a
20,000-row station table; ``--stations 20000 --period-s 60`` runs it literally (enrolling
20,000 devices takes minutes). Everything lives in a temporary folder; the hall is stopped by
its pid at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import http.client
import json
import os
import queue
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from contracts.sealing import HallPublicKey
    from kiosk.device_identity import DeviceIdentity

ROOT = Path(__file__).resolve().parents[1]
KEYS = (
    "stations",
    "instances",
    "headline_instances",
    "heartbeat_p99_ms",
    "errors",
    "intake_p99_ms",
    "assist_relay_p99_ms",
)
PASSWORD = "bench password 1"
PHOTO_BYTES = 200 * 1024
GOALS = {"heartbeat_p99_ms": 100.0, "intake_p99_ms": 500.0, "assist_relay_p99_ms": 50.0}


@dataclass(frozen=True, slots=True)
class Plan:
    stations: int
    period_s: float  # each station beats once per period
    window_s: float  # how long the load runs
    table_rows: int
    intake_per_s: float
    intake_stations: int
    console_users: int
    assist_sessions: int
    workers: int  # heartbeat sender threads

    @property
    def heartbeats_per_s(self) -> float:
        return self.stations / self.period_s


FULL = Plan(2000, 6.0, 60.0, 20_000, 20.0, 50, 4, 100, 24)
QUICK = Plan(300, 3.0, 10.0, 2_000, 5.0, 10, 2, 5, 12)


PHASES = ("heartbeats", "intake", "assist", "mixed")


def _plan(extra: tuple[str, ...], quick: bool) -> tuple[Plan, list[int], tuple[str, ...]]:
    base = QUICK if quick else FULL
    parser = argparse.ArgumentParser(prog="python -m bench hall")
    for name in Plan.__dataclass_fields__:
        default = getattr(base, name)
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    parser.add_argument(
        "--instances",
        default="1" if quick else "1,2",
        help="hall instance counts to run, e.g. 1,2 (1: SQLite; more: PostgreSQL behind nginx)",
    )
    parser.add_argument(
        "--phases",
        default="mixed" if quick else ",".join(PHASES),
        help=f"load windows to run, in order, from {', '.join(PHASES)} (see _phase_plan)",
    )
    args = vars(parser.parse_args(list(extra)))
    counts = sorted({int(n) for n in str(args.pop("instances")).split(",") if n.strip()})
    if not counts or counts[0] < 1:
        parser.error("--instances takes counts of 1 or more, e.g. 1,2")
    phases = tuple(p.strip() for p in str(args.pop("phases")).split(",") if p.strip())
    if not phases or any(p not in PHASES for p in phases):
        parser.error(f"--phases takes some of {', '.join(PHASES)}")
    return Plan(**args), counts, phases


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


@dataclass
class Figures:
    """Latencies (ms) and errors per endpoint, from many threads."""

    took: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: dict[str, str] = field(default_factory=dict)  # the first error seen per endpoint
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, ms: float) -> None:
        with self.lock:
            self.took[name].append(ms)

    def fail(self, name: str, what: str) -> None:
        with self.lock:
            self.errors[name] += 1
            self.samples.setdefault(name, what[:200])

    def timed(
        self, name: str, ok: int, call: Callable[..., requests.Response], *args: Any, **kw: Any
    ) -> bool:
        t0 = time.perf_counter()
        try:
            answer = call(*args, **kw)
        except requests.RequestException as exc:
            self.fail(name, type(exc).__name__)
            return False
        ms = (time.perf_counter() - t0) * 1000
        if answer.status_code != ok:
            self.fail(name, f"HTTP {answer.status_code}: {answer.text}")
            return False
        self.add(name, ms)
        return True

    def report(self) -> dict[str, dict[str, Any]]:
        names = sorted(set(self.took) | set(self.errors))
        return {
            n: {
                "count": len(self.took[n]),
                "p50_ms": _percentile(self.took[n], 0.5),
                "p99_ms": _percentile(self.took[n], 0.99),
                "max_ms": _percentile(self.took[n], 1.0),
                "errors": self.errors[n],
            }
            for n in names
        }


# --- the hall process ---------------------------------------------------------------------------


class _Hall:
    """``python -m hall`` on a free 127.0.0.1 port in its own process (SQLite)."""

    def __init__(self, db: Path, max_help_calls: int) -> None:
        self.db = db
        db.parent.mkdir(parents=True, exist_ok=True)
        self.log = db.parent / "hall.stderr"  # its warnings and tracebacks, counted at the end
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hall", "--host", "127.0.0.1", "--port", "0", "--db", str(db),
             "--log-level", "WARNING", "--max-help-calls", str(max(1, max_help_calls))],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if match is None:
            self.close()
            raise RuntimeError(f"hall did not start: {line!r}")
        self.url = match.group(0)
        # Whatever it prints later must not fill the pipe and stall it.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    @property
    def db_url(self) -> str:
        return str(self.db)

    pins: tuple[dict[str, str], dict[str, str]] = ({}, {})  # kiosk's, helper's: one hall

    def processes(self) -> dict[str, Callable[[], float]]:
        pid = self.proc.pid
        return {"hall0": functools.partial(_cpu_s, pid)}

    def memory(self) -> dict[str, dict[str, float]]:
        return {"hall0": _memory_mb(self.proc.pid)}

    def public_key(self) -> HallPublicKey:
        from tests.support.sealing import hall_keys  # the key as the tests read it

        return hall_keys(self.db).public

    def exceptions(self) -> dict[str, Any]:
        return _exceptions([self.log])

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(root: int) -> float:
    """CPU seconds of ``root`` and its children now alive (PostgreSQL's backends)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if pid == root or int(fields[1]) == root:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _memory_mb(pid: int) -> dict[str, float]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": found["VmRSS"], "rss_peak_mb": found["VmHWM"]}


def _exceptions(logs: list[Path]) -> dict[str, Any]:
    """The halls' logged exceptions by class (their 500s say why here), and where in the hall
    the first one was raised (its frames in hall/, no values)."""
    found: dict[str, int] = defaultdict(int)
    frames: list[str] = []
    where: list[str] = []
    for log in logs:
        with suppress(OSError):
            for line in log.read_text(errors="replace").splitlines():
                frame = re.match(r'^\s*File ".*/(hall/[\w/]+\.py)", line (\d+), in (\w+)', line)
                if frame:
                    frames.append(":".join(frame.groups()))
                elif match := re.match(r"^([\w.]+(?:Error|Exception|Timeout)\w*):", line):
                    found[match.group(1)] += 1
                    where = where or frames
                elif line.startswith("Traceback"):
                    frames = []
    return {"by_class": dict(found), "first_in": where}


class _Cluster:
    """Several halls on a throwaway PostgreSQL behind nginx with TLS (tests.support.hall_cluster);
    the bench process trusts the test CA while it runs."""

    def __init__(self, tmp: Path, db_url: str, count: int) -> None:
        from tests.support.hall_cluster import PIN_HEADER, HallCluster

        self.halls = HallCluster(tmp / "cluster", db_url, instances=count).start()
        self.url, self.db_url = self.halls.url, db_url
        self.pins = ({PIN_HEADER: "0"}, {PIN_HEADER: "1"})  # a call's two ends on two halls
        self._env = {k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
        for key in self._env:
            os.environ[key] = str(self.halls.ca_file)
        self._postmaster = _postmaster(db_url)

    def processes(self) -> dict[str, Callable[[], float]]:
        # nginx's and PostgreSQL's work is done in their children (workers, backends).
        found: dict[str, Callable[[], float]] = {
            name: functools.partial(_tree_cpu_s if name == "nginx" else _cpu_s, pid)
            for name, pid in self.halls.pids().items()
        }
        found["postgres"] = functools.partial(_tree_cpu_s, self._postmaster)
        return found

    def memory(self) -> dict[str, dict[str, float]]:
        found = {name: _memory_mb(pid) for name, pid in self.halls.pids().items()}
        return found | {"postgres": _memory_mb(self._postmaster)}

    def public_key(self) -> HallPublicKey:
        from hall.sealing import load

        return load(self.halls.folder / "keys" / "seal.key").public

    def exceptions(self) -> dict[str, Any]:
        return _exceptions(sorted(self.halls.folder.glob("hall-*.log")))

    def close(self) -> None:
        self.halls.stop()
        for key, value in self._env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _postmaster(db_url: str) -> int:
    """The PostgreSQL server's main process: the parent of a backend."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:  # read while the backend lives: it ends with the session
            backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            stat = Path(f"/proc/{backend}/stat").read_text()
    finally:
        engine.dispose()
    return int(stat.rsplit(")", 1)[1].split()[1])


@contextmanager
def _hall(tmp: Path, plan: Plan, count: int) -> Iterator[_Hall | _Cluster]:
    if count == 1:
        hall = _Hall(tmp / "hall" / "hall.sqlite3", plan.assist_sessions + 10)
        try:
            yield hall
        finally:
            hall.close()
        return
    from bench.desk import _postgres  # a throwaway cluster, as bench desk makes it

    with _postgres() as url:
        if url is None:
            raise RuntimeError("PostgreSQL is not installed (packaging/system-deps.sh)")
        cluster = _Cluster(tmp, url, count)
        try:
            yield cluster
        finally:
            cluster.close()


Hall = _Hall | _Cluster


# --- setting up: stations, staff, a city-sized station table -----------------------------------


def _enrol(hall: Hall, tmp: Path, count: int) -> list[tuple[str, DeviceIdentity]]:
    from contracts.clock import SYSTEM_CLOCK
    from hall.enrolment import EnrolmentStore
    from hall.store import SubmissionStore
    from kiosk.device_identity import load_identity
    from kiosk.provision import provision

    ids = [f"BENCH-{i:05d}" for i in range(count)]
    store = SubmissionStore(hall.db_url)
    try:
        enrolment = EnrolmentStore(store.engine, SYSTEM_CLOCK)
        codes = [enrolment.create_code(station, "bench").code for station in ids]
    finally:
        store.close()

    def one(station: str, code: str) -> tuple[str, DeviceIdentity]:
        state_dir = tmp / "stations" / station
        provision(state_dir, hall.url, code)
        identity = load_identity(state_dir)
        assert identity is not None
        return station, identity

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, ids, codes))


def _staff_and_rows(hall: Hall, plan: Plan, enrolled: int) -> None:
    """Console accounts (cheap hashes: logging in is not what is measured) and the quiet
    stations that make the station table city-sized."""
    from argon2 import PasswordHasher
    from sqlalchemy import insert

    from contracts.clock import SYSTEM_CLOCK
    from hall.auth import StaffStore
    from hall.fleet import station_health
    from hall.store import SubmissionStore

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    store = SubmissionStore(hall.db_url)
    try:
        staff = StaffStore(store.engine, SYSTEM_CLOCK, hasher)
        for i in range(plan.console_users):
            staff.add(f"bench.boss{i}", "supervisor", PASSWORD)
        for i in range(plan.assist_sessions):
            staff.add(f"bench.helper{i}", "helper", PASSWORD)
        seen = datetime.now(UTC).isoformat()
        report = json.dumps(_beat("QUIET", 0))
        rows = [
            {"station_id": f"CITY-{i:06d}", "last_seen": seen, "report": report}
            for i in range(max(0, plan.table_rows - enrolled))
        ]
        with store.engine.begin() as conn:
            for start in range(0, len(rows), 5000):
                conn.execute(insert(station_health), rows[start : start + 5000])
    finally:
        store.close()


def _login(url: str, name: str) -> requests.Session:
    """A logged-in console session. Done before the window, one at a time: the hall answers
    429 while its argon2 slots are busy rather than queue the hashes."""
    from hall.auth import COOKIE_NAME

    for _ in range(50):
        answer = requests.post(
            url + "/api/v1/auth/login", json={"name": name, "password": PASSWORD}, timeout=10
        )
        if answer.status_code != 429:
            break
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    answer.raise_for_status()
    session = requests.Session()
    session.headers["Cookie"] = f"{COOKIE_NAME}={answer.cookies[COOKIE_NAME]}"
    return session


# --- the loads ---------------------------------------------------------------------------------

DEVICES = {
    "card_reader": {"level": "ok", "code": "", "backend": "cvr100"},
    "printer": {"level": "ok", "code": "", "backend": "escpos_network"},
    "camera": {"level": "ok", "code": "", "backend": "v4l2"},
}


def _beat(station: str, n: int) -> dict[str, Any]:
    """A heartbeat as :meth:`kiosk.runtime.KioskRuntime.heartbeat` builds it."""
    return {
        "version": "1.5.0",
        "station_name": f"{station} 站",
        "uptime_s": 3600.0 + n,
        "outbox_depth": n % 3,
        "oldest_pending_s": None,
        "disk_free_bytes": 41 * 1024**3,
        "disk_free_pct": 68.5,
        "last_error_codes": [],
        "config_version": "0a1b2c3d4e5f",
        "devices": DEVICES,
    }


def _connection(url: str) -> http.client.HTTPConnection:
    """A kept-alive connection for one heartbeat sender. Heartbeats go out through
    ``http.client``, signed by the kiosk's own signer: ``requests`` costs some 1.4 ms of CPU a
    beat more, on the cores the hall shares here (0.45 core at 333 beats/s)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":  # the cluster's nginx: the test CA, trusted via SSL_CERT_FILE
        context = ssl.create_default_context()
        return http.client.HTTPSConnection(parts.netloc, timeout=30, context=context)
    return http.client.HTTPConnection(parts.netloc, timeout=30)


# How long after the window's end the generator still sends beats that were due in it.
BACKLOG_GRACE_S = 2.0


def _heartbeats(
    url: str, stations: list[tuple[str, DeviceIdentity]], plan: Plan, stop_at: float, f: Figures
) -> None:
    """Open loop: beat ``k`` of station ``i`` is due at ``(i / N + k) * period``."""
    due: queue.Queue[tuple[float, int, int] | None] = queue.Queue()
    local = threading.local()
    start = time.perf_counter()

    def send() -> None:
        local.conn = _connection(url)
        while (job := due.get()) is not None:
            at, i, k = job
            # A beat due in the window is sent, unless the generator is still behind well
            # after its end (an overloaded hall): that backlog is counted, not sent.
            if time.perf_counter() > stop_at + BACKLOG_GRACE_S:
                f.fail("heartbeat_not_sent", "the generator fell behind by the window's end")
                continue
            f.add("heartbeat_lag", (time.perf_counter() - at) * 1000)
            station, identity = stations[i]
            path = f"/api/v1/stations/{station}/heartbeat"
            body = json.dumps(_beat(station, k)).encode()
            headers = identity.headers("POST", path, body) | {"Content-Type": "application/json"}
            t0 = time.perf_counter()
            try:
                local.conn.request("POST", path, body, headers)
                answer = local.conn.getresponse()
                text = answer.read()
            except (OSError, http.client.HTTPException) as exc:
                f.fail("heartbeat", type(exc).__name__)
                local.conn.close()
                local.conn = _connection(url)
                continue
            if answer.status == 204:
                f.add("heartbeat", (time.perf_counter() - t0) * 1000)
            else:
                f.fail("heartbeat", f"HTTP {answer.status}: {text[:200]!r}")
        local.conn.close()

    workers = [threading.Thread(target=send, daemon=True) for _ in range(plan.workers)]
    for worker in workers:
        worker.start()
    n, step = len(stations), plan.period_s / len(stations)
    beat = 0
    while True:
        k, i = divmod(beat, n)
        at = start + k * plan.period_s + i * step
        if at >= stop_at:
            break
        if (wait := at - time.perf_counter()) > 0:
            time.sleep(wait)
        due.put((at, i, k))
        beat += 1
    for _ in workers:
        due.put(None)
    for worker in workers:
        worker.join()


def _intake(
    hall: Hall,
    stations: list[tuple[str, DeviceIdentity]],
    public: HallPublicKey,
    plan: Plan,
    stop_at: float,
    f: Figures,
    first: int = 0,
) -> None:
    """Filings at ``intake_per_s``, each a 200 KB photo and its submission, sealed and sent
    through the kiosk's HallClient as the outbox's sender does; numbered from ``first`` (each
    phase its own tracking numbers)."""
    if plan.intake_per_s <= 0:
        return
    from contracts.wire import blob_context
    from kiosk.hall_client import HallClient
    from tests.support.sealing import seal_body

    pool = stations[: plan.intake_stations]
    clients = [HallClient(hall.url, 30.0, auth=identity.requests_auth()) for _, identity in pool]
    today = datetime.now(UTC)

    def file_one(n: int) -> None:
        station, _ = pool[n % len(pool)]
        client = clients[n % len(pool)]
        photo = os.urandom(PHOTO_BYTES)
        sha = hashlib.sha256(photo).hexdigest()
        sealed_photo = public.seal(photo, blob_context(sha))
        body = {
            "id": str(uuid.uuid4()),
            "station_id": station,
            "service_id": "company_startup_power",
            "tracking_number": f"{station}-{today:%Y%m%d}-{n:05d}",
            "created_at": datetime.now(UTC).isoformat(),
            "payload": {
                "service_id": "company_startup_power",
                "parts": [],
                "form": {"company_name": f"苏州压测{n}号有限公司"},
                "helper_filled": [],
                "language": "zh_CN",
                "catalog_version": "2026.11.2",
            },
            "attachments": [
                {"sha256": sha, "size": len(photo), "media_type": "image/jpeg", "name": "a.jpg"}
            ],
        }
        sealed = seal_body(public, body)
        t0 = time.perf_counter()
        try:
            blob = client.put_blob(sha, sealed_photo)
            t1 = time.perf_counter()
            filed = client.post_submission(sealed)
        except (OSError, TimeoutError) as exc:
            f.fail("intake", type(exc).__name__)
            return
        t2 = time.perf_counter()
        if blob.status not in (200, 201):
            f.fail("blob_put", f"HTTP {blob.status}")
            return
        f.add("blob_put", (t1 - t0) * 1000)
        if filed.status != 201:
            f.fail("submission_post", f"HTTP {filed.status}")
            return
        f.add("submission_post", (t2 - t1) * 1000)
        f.add("intake", (t2 - t0) * 1000)

    start = time.perf_counter()
    with ThreadPoolExecutor(16) as executor:
        n = 0
        while (at := start + n / plan.intake_per_s) < stop_at:
            if (wait := at - time.perf_counter()) > 0:
                time.sleep(wait)
            executor.submit(file_one, first + n)
            n += 1
    for client in clients:
        client.close()


def _console(
    url: str, session: requests.Session, stop_at: float, f: Figures, offset_s: float = 0.0
) -> None:
    """One supervisor: an inbox page and its next, the fleet page and its alarms, in turn, a
    request a second, starting ``offset_s`` into the window (supervisors are not in step: four
    started in the same instant would hit the hall together every second for a minute)."""
    inbox, fleet = url + "/api/v1/desk/inbox", url + "/api/v1/stations"
    turn = 0
    time.sleep(offset_s)
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        kind = turn % 4
        if kind == 0:
            f.timed("inbox_page", 200, session.get, inbox, timeout=30)
        elif kind == 1:  # the page after the first, through its cursor
            try:
                first = session.get(inbox, timeout=30).json()
            except (requests.RequestException, ValueError) as exc:
                f.fail("inbox_page", type(exc).__name__)
                first = {}
            after = {"after": first["next"]} if first.get("next") else {}
            f.timed("inbox_page", 200, session.get, inbox, params=after, timeout=30)
        else:
            show = "all" if kind == 2 else "alarms"
            params = {"limit": "50", "show": show}
            f.timed("fleet_page", 200, session.get, fleet, params=params, timeout=30)
        turn += 1
        now = time.perf_counter()
        time.sleep(max(0.0, min(1.0 - (now - t0), stop_at - now)))
    session.close()


class _Gate:
    """Holds the help calls' edits until every call is set up (or has failed to be, or the
    window is half over): the relay is measured with all of them live, not against the burst
    of their handshakes (that burst is ``assist_setup``: request to the helper seeing the
    walk-in's consent)."""

    def __init__(self, parties: int) -> None:
        self.parties = self._left = parties
        self._all_in = threading.Condition()

    def arrive(self) -> int:
        """Check in (set up, or failed to); the order of arrival, from 0."""
        with self._all_in:
            self._left -= 1
            self._all_in.notify_all()
            return self.parties - self._left - 1

    def wait(self, until: float) -> None:
        with self._all_in:
            self._all_in.wait_for(lambda: self._left <= 0, max(0.0, until - time.perf_counter()))


def _assist(
    hall: Hall,
    helper: requests.Session,
    station: tuple[str, DeviceIdentity],
    stop_at: float,
    f: Figures,
    gate: _Gate,
) -> None:
    """One help call relaying an edit a second from the helper's socket to the kiosk, once the
    helper has seen the walk-in's consent (a proposal before it is refused, as the console's
    helper page would not offer it) and every call of the window is set up."""
    from websockets.sync.client import connect

    from remote_assist import protocol as p
    from remote_assist.client import AssistClient, Status

    url = hall.url
    kiosk_pin, helper_pin = hall.pins
    station_id, identity = station

    def signed(method: str, path: str, body: bytes = b"") -> dict[str, str]:
        return identity.headers(method, path, body) | kiosk_pin

    statuses: queue.Queue[Status] = queue.Queue()
    arrived: queue.Queue[tuple[Any, float]] = queue.Queue()
    client = AssistClient(
        url,
        station_id,
        auth_headers=signed,
        on_status=statuses.put,
        on_message=lambda msg: arrived.put((msg, time.perf_counter())),
    )

    def edit_arrived(value: str) -> float:
        """When the kiosk got the edit of ``value`` (other messages are passed over)."""
        while True:
            msg, at = arrived.get(timeout=10)
            if isinstance(msg, p.FieldProposed) and msg.value == value:
                return at

    def wait_phase(phase: str) -> None:
        while statuses.get(timeout=30).phase != phase:
            pass

    slot: int | None = None

    def at_gate() -> int:
        nonlocal slot
        if slot is None:
            slot = gate.arrive()
        return slot

    t_setup = time.perf_counter()
    try:
        client.request_help("bench")
        client.grant_consent()
        row = {"name": "mobile", "label": "mobile", "value": "", "by": ""}
        client.send(
            p.FormSnapshot(
                service_id="bench", service_name="", masked=True, fields=[row], materials=[]
            )
        )
        wait_phase("waiting")
        session_id = client.session_id
        accepted = helper.post(
            f"{url}/api/v1/assist/sessions/{session_id}/accept", headers=helper_pin, timeout=30
        )
        if accepted.status_code != 200:
            f.fail("assist_relay", f"accept HTTP {accepted.status_code}")
            return
        wait_phase("live")
        cookie = str(helper.headers["Cookie"])
        ws_url = re.sub("^http", "ws", url) + "/api/v1/assist/helper"
        headers = {"Cookie": cookie} | helper_pin
        with connect(ws_url, additional_headers=headers, proxy=None) as ws:
            ws.send(p.dump(p.Resume(session_id=session_id, last_seq=0), 0))
            resumed = p.parse_envelope(ws.recv(timeout=30)).message
            assert isinstance(resumed, p.Resumed)
            seq = resumed.last_seq
            while not _consent_seen(p.parse_envelope(ws.recv(timeout=30)).message):
                pass
            f.add("assist_setup", (time.perf_counter() - t_setup) * 1000)
            offset = at_gate() / gate.parties
            # An overloaded hall (the mixed window) may not set every call up in time: those
            # that are relay from the window's middle on.
            gate.wait(stop_at - (stop_at - t_setup) / 2)
            # Helpers type at their own moments: the calls' edits spread over each second.
            time.sleep(offset)
            while time.perf_counter() < stop_at:
                seq += 1
                t0 = time.perf_counter()
                ws.send(p.dump(p.FieldProposed(name="mobile", value=str(seq)), seq))
                try:
                    f.add("assist_relay", (edit_arrived(str(seq)) - t0) * 1000)
                except queue.Empty:
                    f.fail("assist_relay", "edit not relayed within 10 s")
                _refusals(ws, f)
                time.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))
    except Exception as exc:  # one broken call is an error figure, not a failed bench
        f.fail("assist_relay", f"{type(exc).__name__}: {exc}")
    finally:
        at_gate()
        client.close()


def _consent_seen(msg: Any) -> bool:
    from remote_assist import protocol as p

    return isinstance(msg, p.ConsentGranted) or (isinstance(msg, p.FormSnapshot) and not msg.masked)


def _refusals(ws: Any, f: Figures) -> None:
    """What the hall said to the helper since the last edit: a refused frame is an error."""
    from remote_assist import protocol as p

    while True:
        try:
            msg = p.parse_envelope(ws.recv(timeout=0)).message
        except TimeoutError:
            return
        if isinstance(msg, p.FrameRefused):
            f.fail("assist_relay", f"{msg.refused} refused ({msg.reason})")


def run(runs: int = 1, *extra: str, quick: bool = False) -> dict[str, Any]:
    """``runs`` is ignored: per instance count, one load window per phase (``--phases``; each
    ``--window-s`` long; the headline figures come from each goal's own phase, ``mixed`` runs
    everything at once). ``--instances 1,2``, ``--stations``, ``--period-s``, ``--table-rows``,
    ``--intake-per-s``, ``--assist-sessions`` … change the plan; ``quick``: one instance, the
    mixed window only, 300 stations every 3 s for 10 s (a smoke run)."""
    plan, counts, phases = _plan(extra, quick)
    per = {str(count): _run_one(plan, count, phases) for count in counts}
    top = per[str(counts[-1])]
    result: dict[str, Any] = {
        "stations": plan.stations,
        "headline_instances": counts[-1],
        "quick": quick,
        "phases": list(phases),
        **{key: top[key] for key in ("heartbeat_p99_ms", "intake_p99_ms", "assist_relay_p99_ms")},
        "errors": sum(one["errors"] for one in per.values()),
        "scaling": (
            f"{plan.stations} stations beating every {plan.period_s:g} s = "
            f"{plan.heartbeats_per_s:.0f}/s, the rate of "
            f"{round(plan.heartbeats_per_s * 60):,} stations at one beat a minute; "
            f"station table {max(plan.table_rows, plan.stations):,} rows"
        ),
        "instances": per,
    }
    result["goals"] = {
        count: {key: (one[key] is not None and one[key] < goal) for key, goal in GOALS.items()}
        | {"zero_errors": one["goal_errors"] == 0}
        for count, one in per.items()
    }
    return result


def _phase_plan(plan: Plan, phase: str) -> Plan:
    """What runs in a phase: ``heartbeats`` (the stations beating, supervisors paging),
    ``intake`` (filings with photos, supervisors paging), ``assist`` (the help calls), ``mixed``
    (all of it at once). Each of the issue's goals is stated for its own load; on this 2-core
    machine the load generator shares the cores with the halls, and all at once is reported
    beside them."""
    if phase == "heartbeats":
        return dataclasses.replace(plan, intake_per_s=0.0, assist_sessions=0)
    if phase == "intake":
        return dataclasses.replace(plan, stations=0, assist_sessions=0)
    if phase == "assist":
        return dataclasses.replace(plan, stations=0, intake_per_s=0.0, console_users=0)
    return plan


def _run_one(plan: Plan, count: int, phases: tuple[str, ...]) -> dict[str, Any]:
    """The load windows (one per phase) against ``count`` hall instances; their figures."""
    with (
        tempfile.TemporaryDirectory(prefix="qihang-bench-hall-") as name,
        _hall(Path(name), plan, count) as hall,
    ):
        t0 = time.perf_counter()
        stations = _enrol(hall, Path(name), plan.stations)
        enrol_s = time.perf_counter() - t0
        _staff_and_rows(hall, plan, len(stations))
        bosses = [_login(hall.url, f"bench.boss{u}") for u in range(plan.console_users)]
        helpers = [_login(hall.url, f"bench.helper{i}") for i in range(plan.assist_sessions)]
        per: dict[str, dict[str, Any]] = {}
        for n, phase in enumerate(phases):
            p = _phase_plan(plan, phase)
            callers = stations[-p.assist_sessions :] if p.assist_sessions else []
            per[phase] = _window(
                hall, p, stations[: p.stations], stations, bosses[: p.console_users],
                helpers[: p.assist_sessions], callers, first=n * 100_000,
            )  # fmt: skip
            per[phase]["phase"] = phase
    headline = {
        "heartbeat": per.get("heartbeats") or per[phases[-1]],
        "intake": per.get("intake") or per[phases[-1]],
        "assist_relay": per.get("assist") or per[phases[-1]],
    }
    result: dict[str, Any] = {
        "instances": count,
        "database": "sqlite" if count == 1 else "postgresql",
        "proxy": None if count == 1 else "nginx, TLS, round robin (help calls pinned across)",
        "stations": plan.stations,
        "enrol_s": round(enrol_s, 1),
        "heartbeat_p99_ms": headline["heartbeat"]["heartbeat_p99_ms"],
        "heartbeats_per_s_sent": headline["heartbeat"]["heartbeats_per_s_sent"],
        "intake_p99_ms": headline["intake"]["intake_p99_ms"],
        "assist_relay_p99_ms": headline["assist_relay"]["assist_relay_p99_ms"],
        "errors": sum(one["errors"] for one in per.values()),
        # The errors of the windows the goals are judged in (the mixed window, all loads at once
        # on these two cores, is reported beside them; it is each goal's only window when it
        # is the only one run).
        "goal_errors": sum(
            one["errors"] for one in {id(one): one for one in headline.values()}.values()
        ),
        "phases": per,
    }
    return result


def _window(
    hall: Hall,
    plan: Plan,
    stations: list[tuple[str, DeviceIdentity]],
    filers: list[tuple[str, DeviceIdentity]],
    bosses: list[requests.Session],
    helpers: list[requests.Session],
    callers: list[tuple[str, DeviceIdentity]],
    *,
    first: int,
) -> dict[str, Any]:
    """One load window of ``plan.window_s``; its figures."""
    public = hall.public_key()
    f = Figures()
    processes = hall.processes()
    cpu0 = {name: cpu() for name, cpu in processes.items()}
    start = time.perf_counter()
    stop_at = start + plan.window_s
    gate = _Gate(len(callers))
    threads = [
        threading.Thread(target=_assist, args=(hall, h, s, stop_at, f, gate), daemon=True)
        for h, s in zip(helpers, callers, strict=True)
    ]
    threads += [
        threading.Thread(
            target=_console, args=(hall.url, boss, stop_at, f, n / len(bosses)), daemon=True
        )
        for n, boss in enumerate(bosses)
    ]
    threads.append(
        threading.Thread(
            target=_intake,
            args=(hall, filers, public, plan, stop_at, f, first),
            daemon=True,
        )
    )
    for thread in threads:
        thread.start()
    if stations:
        _heartbeats(hall.url, stations, plan, stop_at, f)
    else:
        time.sleep(max(0.0, stop_at - time.perf_counter()))
    for thread in threads:  # one deadline for all: a stuck call must not stall the bench
        thread.join(timeout=max(0.1, stop_at + 30 - time.perf_counter()))
    stuck = sum(thread.is_alive() for thread in threads)
    elapsed = time.perf_counter() - start
    cpu = {name: round(cpu() - cpu0[name], 1) for name, cpu in processes.items()}
    memory = hall.memory()
    hall_exceptions = hall.exceptions()
    endpoints = f.report()
    lag = endpoints.pop("heartbeat_lag", {})
    beats = endpoints.get("heartbeat", {}).get("count", 0)
    relay = endpoints.get("assist_relay", {})
    result: dict[str, Any] = {
        "stations": plan.stations,
        "window_s": round(elapsed, 1),
        "heartbeats_per_s_sent": round(beats / elapsed, 1),
        "heartbeat_p50_ms": endpoints.get("heartbeat", {}).get("p50_ms"),
        "heartbeat_p99_ms": endpoints.get("heartbeat", {}).get("p99_ms"),
        "heartbeat_lag_p99_ms": lag.get("p99_ms"),
        "intake_per_s": plan.intake_per_s,
        "intake_p50_ms": endpoints.get("intake", {}).get("p50_ms"),
        "intake_p99_ms": endpoints.get("intake", {}).get("p99_ms"),
        "assist_sessions": plan.assist_sessions,
        "assist_relay_p50_ms": relay.get("p50_ms"),
        "assist_relay_p99_ms": relay.get("p99_ms"),
        "assist_setup_p99_ms": endpoints.get("assist_setup", {}).get("p99_ms"),
        "console_users": plan.console_users,
        "errors": sum(e["errors"] for e in endpoints.values()),
        "error_samples": dict(f.samples),
        "hall_exceptions": hall_exceptions,
        "threads_stuck_after_window": stuck,
        "endpoints": endpoints,
        "cpu_s": cpu,
        "cpu_per_s": {name: round(v / elapsed, 2) for name, v in cpu.items()},
        "memory_mb": memory,
    }
    if plan.assist_sessions and not relay.get("count"):
        result["assist_relay_reason"] = "no help call relayed an edit (see error_samples)"
    return result
