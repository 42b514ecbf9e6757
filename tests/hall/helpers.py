"""Helpers for the hall's tests: a fake clock, cheap password hashing, staff sessions, and
:func:`enrol_station`, which enrols a station against a real hall the way a technician does
(every station-facing request needs an enrolled device).

Passwords are hashed with argon2id at minimal cost here (the hall's production parameters cost
~150 ms per hash on a CI core); the code paths are the same. The session cookie is ``Secure``,
which ``requests`` will not send over plain http, so :func:`login` sends it as a header itself,
after checking the attributes the hall set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tempfile
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from argon2 import PasswordHasher

from contracts.wire import blob_context
from hall.auth import COOKIE_NAME, StaffStore
from hall.rate_limits import AttemptLimiter
from hall.server import HallServer
from hall.store import SubmissionStore
from tests.support.clock import FakeClock
from tests.support.sealing import hall_keys, seal_body

if TYPE_CHECKING:
    from contracts.clock import Clock
    from contracts.sealing import HallPublicKey
    from kiosk.config import KioskConfig
    from kiosk.device_identity import DeviceIdentity
    from kiosk.runtime import KioskRuntime

# Monday 23 November 2026, 09:00 in Suzhou.
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PASSWORD = "correct horse battery"


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def start_hall(db: str, clock: FakeClock | None = None) -> HallServer:
    """A started hall on ``db`` with a fake clock (at :data:`START` unless given)."""
    return HallServer(db, clock=clock or FakeClock(START), password_hasher=cheap_hasher()).start()


def hall_db(server: Any) -> Path | str:
    """The database of a running hall: a :class:`HallServer`, or the subprocess hall of the
    assist restart tests (``.db``)."""
    found: Path | str = getattr(server, "db_path", None) or server.db
    return found


def enrol_station(
    server: Any,
    station_id: str = "QH001",
    *,
    state_dir: Path | None = None,
    clock: Clock | None = None,
) -> DeviceIdentity:
    """Enrol ``station_id`` against the running hall and return its device identity.

    The code is made in the hall's database (as ``python -m hall enrol-code`` does) and
    exchanged over HTTP by :func:`kiosk.provision.provision`, which stores the key and
    credential under ``state_dir`` (a fresh temporary folder when not given). The identity
    signs with ``clock`` — by default the hall's own (a fake one in console tests), so its
    timestamps fall inside the hall's window."""
    from contracts.clock import SYSTEM_CLOCK
    from hall.enrolment import EnrolmentStore
    from kiosk.device_identity import load_identity
    from kiosk.provision import provision

    clock = clock or getattr(server, "app_options", {}).get("clock") or SYSTEM_CLOCK
    store = SubmissionStore(hall_db(server))
    try:
        code = EnrolmentStore(store.engine, clock).create_code(station_id, "test").code
    finally:
        store.close()
    state_dir = state_dir or Path(tempfile.mkdtemp(prefix=f"station-{station_id}-"))
    provision(state_dir, server.url, code)
    identity = load_identity(state_dir, clock=clock)
    assert identity is not None
    return identity


def enrolled_runtime(
    config: KioskConfig, server: HallServer, *, start_sender: bool = False
) -> KioskRuntime:
    """A kiosk runtime for ``config`` whose station is enrolled at ``server`` (its state folder
    provisioned as a technician would) and whose device signs with the hall's clock."""
    from contracts.clock import SYSTEM_CLOCK
    from kiosk.device_identity import load_identity
    from kiosk.runtime import KioskRuntime

    enrol_station(server, config.station.id, state_dir=Path(config.paths.state_dir))
    runtime = KioskRuntime(config, start=False, start_sender=start_sender)
    clock = server.app_options.get("clock") or SYSTEM_CLOCK
    runtime.identity = load_identity(runtime.state_dir, clock=clock)
    runtime.start()
    if runtime.start_error is not None:
        raise runtime.start_error
    return runtime


def station_runtime(
    state_dir: Path, server: HallServer, clock: FakeClock, station_id: str = "SND-SS-001"
) -> KioskRuntime:
    """An enrolled kiosk runtime for ``station_id`` on the simulators (its printer on a free
    port), talking to ``server``, whose remote commands go by the hall's ``clock``."""
    from kiosk.config import parse_config

    config = parse_config(
        {
            "station": {"id": station_id, "name": "狮山街道站"},
            "hall": {"url": server.url, "timeout_s": 2},
            "devices": {"printer": {"backend": "simulator", "options": {"port": 0}}},
            "paths": {"state_dir": str(state_dir)},
        }
    )
    runtime = enrolled_runtime(config, server)
    runtime.remote.inbox.clock = clock  # the station's clock agrees with the hall's
    return runtime


def signed_session(identity: DeviceIdentity) -> requests.Session:
    """A requests session that signs every request as ``identity`` (a fresh nonce each)."""
    session = requests.Session()
    session.auth = identity.requests_auth()
    return session


def add_staff(server: HallServer, name: str, role: str = "helper") -> None:
    """Create an account directly in the hall's database (as `python -m hall staff add` does)."""
    store = SubmissionStore(server.db_path)
    try:
        StaffStore(store.engine, FakeClock(START), cheap_hasher()).add(name, role, PASSWORD)
    finally:
        store.close()


def login(server: HallServer, name: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in as ``name``; asserts the cookie's security attributes."""
    response = requests.post(
        server.url + "/api/v1/auth/login", json={"name": name, "password": password}, timeout=5
    )
    assert response.status_code == 200, response.text
    set_cookie = response.headers["set-cookie"]
    token = response.cookies[COOKIE_NAME]
    for attribute in ("HttpOnly", "Secure", "SameSite=strict"):
        assert attribute.lower() in set_cookie.lower(), set_cookie
    session = requests.Session()
    session.headers["Cookie"] = f"{COOKIE_NAME}={token}"
    return session


def submission(
    service_id: str,
    form: dict[str, str],
    *,
    tracking_number: str = "QH001-20261123-0001",
    created_at: str = "2026-11-23T00:30:00+00:00",
) -> dict[str, Any]:
    """An intake body the way the kiosk's session flow builds it."""
    return {
        "id": str(uuid.uuid4()),
        "station_id": "QH001",
        "service_id": service_id,
        "tracking_number": tracking_number,
        "created_at": created_at,
        "payload": {
            "service_id": service_id,
            "parts": [],
            "form": form,
            "helper_filled": [],
            "language": "zh_CN",
            "catalog_version": "2026.11.3",  # the shipped sample's version
        },
    }


def station_identity(server: Any, station_id: str = "QH001") -> DeviceIdentity:
    """The station's enrolled device at this hall, enrolled on first use and remembered (also
    across a restart of the hall on the same database)."""
    key = (str(hall_db(server)), station_id)
    with _IDENTITIES_LOCK:  # threads racing to post must not enrol (and revoke) each other
        found = _IDENTITIES.get(key)
        if found is None:
            found = _IDENTITIES[key] = enrol_station(server, station_id)
    return found


# Stations enrolled by station_identity, per (hall database, station id): every test's hall has
# a database of its own, so a later test never finds an earlier hall's device here.
_IDENTITIES: dict[tuple[str, str], DeviceIdentity] = {}
_IDENTITIES_LOCK = threading.Lock()


def hall_public_key(server: Any) -> HallPublicKey:
    """The running hall's sealing public key, read once per database (the key file outlives a
    restart): threads racing to post must not each open the store (and run its migrations)."""
    db = str(hall_db(server))
    with _HALL_KEYS_LOCK:
        found = _HALL_KEYS.get(db)
        if found is None:
            found = _HALL_KEYS[db] = hall_keys(db).public
    return found


_HALL_KEYS: dict[str, HallPublicKey] = {}
_HALL_KEYS_LOCK = threading.Lock()


def post_submission(
    server: HallServer, body: Any, identity: DeviceIdentity | None = None
) -> requests.Response:
    """POST ``body`` (in clear; sealed here to the hall's key as a kiosk does) signed by
    ``identity``, by default the enrolled device of the body's station (of ``QH001`` when the
    body names none usable: validation tests)."""
    if identity is None:
        named = body.get("station_id") if isinstance(body, dict) else None
        station = named if isinstance(named, str) and named else "QH001"
        identity = station_identity(server, station)
    sealed = seal_body(hall_public_key(server), body)
    return signed_session(identity).post(server.url + "/api/v1/submissions", json=sealed, timeout=5)


def seal_blob(server: Any, data: bytes, sha256: str | None = None) -> bytes:
    """``data`` sealed to the running hall's key under the name ``sha256`` (by default its own
    hash), as the kiosk's blob store seals an attachment for ``PUT /api/v1/blobs/{sha256}``."""
    name = sha256 or hashlib.sha256(data).hexdigest()
    return hall_public_key(server).seal(data, blob_context(name))


def audit_rows(
    server: HallServer, *, subject_kind: str | None = None, subject_id: str | None = None
) -> list[tuple[str, str, str, str]]:
    """(actor, action, subject id, outcome) of the hall's audit log, oldest first."""
    store = SubmissionStore(server.db_path)
    try:
        staff = StaffStore(store.engine, FakeClock(START), cheap_hasher())
        entries = staff.audit_entries(subject_kind=subject_kind, subject_id=subject_id)
    finally:
        store.close()
    return [(e.actor, e.action, e.subject_id, e.outcome) for e in reversed(entries)]


# Personal data the tests' filings carry: none of it may reach a public answer or the log.
BUNDLE_FORM = {
    "applicant_name": "王小明",
    "applicant_id_number": "320505199001011234",
    "mobile": "13912345678",
    "company_name": "苏州启航测试科技有限公司",
    "enterprise_type": "llc",
    "registered_capital": "100",
    "business_address": "苏州高新区科技城锦峰路8号",
    "business_scope": "软件开发",
    "power_capacity_kw": "50",
    "power_start_date": "2026-12-01",
}
EV_FORM = {
    "applicant_name": "李四",
    "applicant_id_number": "320505199202021234",
    "mobile": "13812345678",
    "community_name": "狮山花园",
    "parking_space_no": "B2-118",
    "property_confirmation": "yes",
}
DEMAND_FORM = {
    "enterprise_name": "苏州诉求测试有限公司",
    "uscc": "91320505MA1XXXXXXX",
    "contact_name": "赵经理",
    "mobile": "13700001111",
    "demand_category": "human_resources",
    "description": "希望协助招聘二十名数控操作工，急需对接人才市场",
}
SECRETS = (
    "王小明",
    "320505199001011234",
    "13912345678",
    "启航测试",
    "锦峰路",
    "李四",
    "13812345678",
    "B2-118",
    "诉求测试",
    "赵经理",
    "13700001111",
    "数控操作工",
)


# A flood test's tables: the hall keeps 10,000 keys per tier; proving a bound needs one more key
# than it holds, and 10,001 requests over HTTP took a minute and more per test.
FLOOD_CAPACITY = 500


def shrink_attempt_tables(limits: AttemptLimiter, capacity: int = FLOOD_CAPACITY) -> None:
    """Hold at most ``capacity`` keys per tier in ``limits`` (a running hall's limiter), so a
    flood of ``2 * capacity + 1`` requests overflows every tier, as 10,001 would the real ones."""
    for table in limits._tables.values():
        table.policy = dataclasses.replace(table.policy, capacity=capacity)
