"""Staff accounts belong to a department or to the hall; four roles; admins manage accounts.

Through the real hall: an admin creates a department's officer over ``/api/v1/staff``, who logs
in as that department's; the account rules are refused with their reason; only an admin reaches
the account routes; the hall's cross-department routes keep working for helpers and supervisors
as before and refuse an officer; the command line creates officers with ``--department``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import requests

from hall.cli import main as cli
from tests.hall.conftest import ConsoleHall
from tests.hall.helpers import PASSWORD, add_staff, audit_rows, login

STAFF = "/api/v1/staff"


def officer(**fields: Any) -> dict[str, Any]:
    return {"name": "zhou.grid", "role": "officer", "department": "state_grid",
            "password": PASSWORD, **fields}  # fmt: skip


def admin_session(hall: ConsoleHall) -> requests.Session:
    add_staff(hall.server, "root.admin", "admin")
    return login(hall.server, "root.admin")


def test_an_admin_creates_a_departments_officer_who_logs_in_as_theirs(
    console_hall: ConsoleHall,
) -> None:
    admin = admin_session(console_hall)
    url = console_hall.url
    departments = admin.get(f"{url}{STAFF}/departments", timeout=5).json()
    grid = next(d for d in departments if d["id"] == "state_grid")
    assert grid == {
        "id": "state_grid",
        "name_zh": "国网苏州供电公司",
        "name_en": "State Grid Suzhou Power Supply Company",
        "listed": True,
    }
    made = admin.post(url + STAFF, json=officer(), timeout=5)
    assert made.status_code == 201, made.text
    assert made.json() == {
        "name": "zhou.grid", "role": "officer", "department": "state_grid", "active": True,
    }  # fmt: skip

    me = login(console_hall.server, "zhou.grid").get(f"{url}/api/v1/auth/me", timeout=5)
    assert me.json() == {"name": "zhou.grid", "role": "officer", "department": "state_grid"}
    listed = {a["name"]: a for a in admin.get(url + STAFF, timeout=5).json()}
    assert listed["zhou.grid"]["department"] == "state_grid"
    assert listed["root.admin"] == {
        "name": "root.admin", "role": "admin", "department": None, "active": True,
    }  # fmt: skip
    assert ("root.admin", "staff.add", "zhou.grid", "ok") in audit_rows(console_hall.server)


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (officer(department="treasury"), 422, "unknown department 'treasury'; use one of: "),
        (officer(department=None), 422, "an officer belongs to a department"),
        (officer(role="helper"), 422, "a helper belongs to the hall: give no department"),
        (officer(role="supervisor"), 422, "a supervisor belongs to the hall"),
        (officer(name="root.admin"), 409, "already exists"),
        (officer(role="director"), 422, "role"),
        (officer(password="short"), 422, "password"),
    ],
)
def test_account_rules_are_refused_with_the_reason(
    sqlite_hall: ConsoleHall, body: dict[str, Any], status: int, reason: str
) -> None:
    admin = admin_session(sqlite_hall)
    refused = admin.post(sqlite_hall.url + STAFF, json=body, timeout=5)
    assert refused.status_code == status
    assert reason in refused.text
    names = [a["name"] for a in admin.get(sqlite_hall.url + STAFF, timeout=5).json()]
    assert names == ["root.admin"]


def test_only_an_admin_reaches_the_account_routes(sqlite_hall: ConsoleHall) -> None:
    url = sqlite_hall.url
    for path in (STAFF, f"{STAFF}/departments"):
        assert requests.get(url + path, timeout=5).status_code == 401
    assert requests.post(url + STAFF, json=officer(), timeout=5).status_code == 401
    admin = admin_session(sqlite_hall)
    assert admin.post(url + STAFF, json=officer(), timeout=5).status_code == 201
    for name, role in (("lin.helper", "helper"), ("wu.super", "supervisor")):
        add_staff(sqlite_hall.server, name, role)
    for name in ("lin.helper", "wu.super", "zhou.grid"):
        session = login(sqlite_hall.server, name)
        assert session.get(url + STAFF, timeout=5).status_code == 403, name
        made = session.post(url + STAFF, json=officer(name=f"x.{name}"), timeout=5)
        assert made.status_code == 403, name
    assert ("zhou.grid", "auth.refused", STAFF, "needs_admin") in audit_rows(sqlite_hall.server)


def test_the_halls_routes_keep_their_roles_and_refuse_an_officer(sqlite_hall: ConsoleHall) -> None:
    url = sqlite_hall.url
    admin = admin_session(sqlite_hall)
    assert admin.post(url + STAFF, json=officer(), timeout=5).status_code == 201
    add_staff(sqlite_hall.server, "lin.helper")
    add_staff(sqlite_hall.server, "wu.super", "supervisor")
    helper = login(sqlite_hall.server, "lin.helper")
    supervisor = login(sqlite_hall.server, "wu.super")
    grid = login(sqlite_hall.server, "zhou.grid")
    cross_department = ["/api/v1/demands", "/api/v1/assist/queue", "/api/v1/catalog/versions"]
    for path in cross_department:
        assert requests.get(url + path, timeout=5).status_code == 401, path
        for session in (helper, supervisor, admin):
            assert session.get(url + path, timeout=5).status_code == 200, path
        # Parts of every department: an officer must wait for routes that check theirs.
        assert grid.get(url + path, timeout=5).status_code == 403, path
    # The desk's routes take officers; a helper is refused there.
    move = f"{url}/api/v1/desk/parts/00000000-0000-0000-0000-000000000000/power_supply/moves"
    assert helper.post(move, json={"to": "accepted", "version": 1}, timeout=5).status_code == 403
    assert grid.post(move, json={"to": "accepted", "version": 1}, timeout=5).status_code == 404
    # Supervisor routes: the supervisor and the admin, never a helper or an officer.
    enrol = f"{url}/api/v1/enrolment/codes"
    code = {"station_id": "QH009"}
    for session, expected in ((helper, 403), (grid, 403), (supervisor, 201), (admin, 201)):
        assert session.post(enrol, json=code, timeout=5).status_code == expected


def test_the_command_line_creates_an_officer_of_a_department(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hall.db")
    add = ["--db", db, "staff", "add", "zhou.grid", "--role", "officer"]
    assert cli([*add, "--department", "state_grid"], stdin=io.StringIO(PASSWORD + "\n")) == 0
    assert "created zhou.grid (officer, state_grid)" in capsys.readouterr().out
    assert cli([*add[:4], "x.grid", *add[5:]], stdin=io.StringIO(PASSWORD + "\n")) == 1
    assert "an officer belongs to a department; use one of: approval," in capsys.readouterr().err
    bad = [*add[:4], "y.grid", *add[5:], "--department", "treasury"]
    assert cli(bad, stdin=io.StringIO(PASSWORD + "\n")) == 1
    assert "unknown department 'treasury'" in capsys.readouterr().err
    assert cli(["--db", db, "staff", "add", "lin.helper"], stdin=io.StringIO(PASSWORD)) == 0
    assert cli(["--db", db, "staff", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "lin.helper\thelper\tactive\thall",
        "zhou.grid\tofficer\tactive\tstate_grid",
    ]
    assert cli(["--db", db, "staff", "departments"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "state_grid\t国网苏州供电公司\tState Grid Suzhou Power Supply Company\tlisted" in lines
    assert len(lines) == 14
