"""Hall administration from the command line: staff accounts, catalog publication, terminal
enrolment.

``python -m hall staff add NAME --role helper`` (or ``--role officer --department tax``: an
officer belongs to one department the published catalog lists, the other roles to the hall) asks
for the password (twice, hidden) on a terminal, or reads one line from stdin when piped
(``printf '%s\\n' "$PW" | python -m hall staff add …``); a password is never taken from argv,
which ``ps`` and shell history show to others. ``python -m hall staff departments`` lists the
departments an officer may belong to.
``python -m hall catalog publish FILE`` runs the same checks as ``PUT /api/v1/catalog`` and
prints every reason a bad catalog is refused. ``python -m hall enrol-code --station ID`` prints a
single-use enrolment code and its expiry for the technician (:mod:`hall.enrolment`); ``python -m
hall devices list`` and ``python -m hall devices revoke DEVICE_ID`` manage enrolled terminals. Each
command works on the database the hall uses
(``--db``), without the hall running; actions are written to the audit log as the ``cli`` actor.
``python -m hall register-import FILE.xlsx`` imports enterprises into the register
(:mod:`hall.register_import`: all rows or none; every refused row printed with its sheet, row,
column and reason); ``--seal-key FILE`` when the hall runs with one (the register's keys derive
from it).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from contracts.catalog import CatalogError
from contracts.clock import SYSTEM_CLOCK
from hall.auth import ROLES, StaffError, StaffStore
from hall.catalog_publish import CatalogStore, VersionClash
from hall.enrolment import CODE_TTL, MAX_TTL, STATION_PATTERN, EnrolmentStore, UnknownDevice
from hall.store import SubmissionStore

DEFAULT_DB = "var/hall/hall.db"


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise StaffError("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hall", description="Qihang hall administration"
    )
    parser.add_argument("--db", default=DEFAULT_DB, help="SQLite file or database URL")
    sub = parser.add_subparsers(dest="area", required=True)

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(dest="cmd", required=True)
    add = staff.add_parser("add", help="create an account (password from the terminal or stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="helper")
    add.add_argument(
        "--department", default=None, help="department id (officers only; see staff departments)"
    )
    passwd = staff.add_parser("passwd", help="set a new password (ends the account's sessions)")
    passwd.add_argument("name")
    disable = staff.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("name")
    enable = staff.add_parser("enable", help="enable an account again")
    enable.add_argument("name")
    staff.add_parser("list", help="list accounts")
    staff.add_parser("departments", help="list departments (from the published catalog)")

    catalog = sub.add_parser("catalog", help="service catalog").add_subparsers(
        dest="cmd", required=True
    )
    publish = catalog.add_parser("publish", help="check and publish a catalog JSON file")
    publish.add_argument("file", type=Path)
    catalog.add_parser("versions", help="list published versions")

    code = sub.add_parser("enrol-code", help="make a single-use enrolment code for a station")
    code.add_argument("--station", required=True, help="station id, e.g. SND-SS-001")
    code.add_argument("--name", default="", help="station name shown on the kiosk")
    code.add_argument(
        "--ice-server", action="append", default=[], help="STUN/TURN URL for assist video"
    )
    code.add_argument(
        "--ttl-minutes", type=int, default=int(CODE_TTL.total_seconds() // 60), help="validity"
    )
    devices = sub.add_parser("devices", help="enrolled terminals").add_subparsers(
        dest="cmd", required=True
    )
    devices.add_parser("list", help="list enrolled devices")
    revoke = devices.add_parser("revoke", help="revoke a device: refused from its next request")
    revoke.add_argument("device_id")

    reg = sub.add_parser("register-import", help="import enterprises from an .xlsx workbook")
    reg.add_argument("file", type=Path)
    reg.add_argument(
        "--seal-key", type=Path, default=None, help="the hall's key file, if not the default"
    )
    return parser


def main(argv: list[str], stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run one administration command; returns the exit status. ``stdin``/``out`` default to
    the process's streams as they are at the call (not at import: tests capture them)."""
    stdin = stdin if stdin is not None else sys.stdin
    out = out if out is not None else sys.stdout
    args = build_parser().parse_args(argv)
    store = SubmissionStore(args.db)
    try:
        if args.area == "staff":
            # Departments come from the published catalog: a new hall has the shipped sample.
            CatalogStore(store.engine, SYSTEM_CLOCK).publish_sample_if_empty()
            return _staff(args, StaffStore(store.engine, SYSTEM_CLOCK), stdin, out)
        if args.area == "register-import":
            return _register_import(args, store, out)
        if args.area in ("enrol-code", "devices"):
            enrolment = EnrolmentStore(store.engine, SYSTEM_CLOCK)
            return _enrolment(args, enrolment, StaffStore(store.engine, SYSTEM_CLOCK), out)
        catalogs = CatalogStore(store.engine, SYSTEM_CLOCK)
        return _catalog(args, catalogs, StaffStore(store.engine, SYSTEM_CLOCK), out)
    finally:
        store.close()


def _staff(args: argparse.Namespace, staff: StaffStore, stdin: TextIO, out: TextIO) -> int:
    try:
        if args.cmd == "add":
            who = staff.add(args.name, args.role, _read_password(stdin), args.department)
            staff.audit("cli", "staff.add", "staff", who.name)
            print(f"created {who.name} ({who.role}, {who.department or 'hall'})", file=out)
        elif args.cmd == "passwd":
            staff.set_password(args.name, _read_password(stdin))
            staff.audit("cli", "staff.passwd", "staff", args.name)
            print(f"password of {args.name} changed", file=out)
        elif args.cmd in ("disable", "enable"):
            staff.set_active(args.name, args.cmd == "enable")
            staff.audit("cli", f"staff.{args.cmd}", "staff", args.name)
            print(f"{args.name} {args.cmd}d", file=out)
        elif args.cmd == "departments":
            for dep in staff.departments.all():
                listed = "listed" if dep.listed else "no longer listed"
                print(f"{dep.id}\t{dep.name_zh}\t{dep.name_en}\t{listed}", file=out)
        else:
            for who, active in staff.accounts():
                state = "active" if active else "disabled"
                print(f"{who.name}\t{who.role}\t{state}\t{who.department or 'hall'}", file=out)
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _catalog(
    args: argparse.Namespace, catalogs: CatalogStore, staff: StaffStore, out: TextIO
) -> int:
    if args.cmd == "versions":
        for row in catalogs.history():
            print(
                f"{row['version']}\t{row['etag']}\t{row['published_at']}\t{row['published_by']}",
                file=out,
            )
        return 0
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        outcome, latest = catalogs.publish(raw, "cli")
    except CatalogError as exc:
        staff.audit("cli", "catalog.publish", "catalog", "-", "rejected")
        print(f"error: {args.file} was not published:", file=sys.stderr)
        for reason in exc.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return 1
    except VersionClash as exc:
        staff.audit("cli", "catalog.publish", "catalog", str(exc), "version_clash")
        print(
            f"error: version {exc} was already published with other content; bump the version",
            file=sys.stderr,
        )
        return 1
    staff.audit("cli", "catalog.publish", "catalog", latest.version, outcome)
    print(f"catalog {latest.version}: {outcome} (ETag {latest.etag})", file=out)
    return 0


def _enrolment(
    args: argparse.Namespace, enrolment: EnrolmentStore, staff: StaffStore, out: TextIO
) -> int:
    if args.area == "enrol-code":
        if re.fullmatch(STATION_PATTERN, args.station) is None:
            print("error: a station id is 1-32 letters, digits, - or _", file=sys.stderr)
            return 1
        if not 1 <= args.ttl_minutes <= MAX_TTL.total_seconds() // 60:
            print("error: --ttl-minutes must be between 1 and 1440", file=sys.stderr)
            return 1
        issued = enrolment.create_code(
            args.station,
            "cli",
            station_name=args.name,
            ice_servers=args.ice_server,
            ttl=timedelta(minutes=args.ttl_minutes),
        )
        staff.audit("cli", "enrolment.code", "station", args.station)
        print(f"enrolment code for {issued.station_id}: {issued.code}", file=out)
        print(f"valid once, until {issued.expires_at} (UTC)", file=out)
        return 0
    if args.cmd == "list":
        for d in enrolment.devices():
            state = f"revoked {d.revoked_at}" if d.revoked else "active"
            print(f"{d.device_id}\t{d.station_id}\t{d.enrolled_at}\t{state}", file=out)
        return 0
    try:
        device = enrolment.revoke(args.device_id, "cli")
    except UnknownDevice:
        print(f"error: no device {args.device_id}", file=sys.stderr)
        return 1
    staff.audit("cli", "enrolment.revoke", "device", device.device_id)
    print(f"{device.device_id} (station {device.station_id}) revoked", file=out)
    return 0


def _register_import(args: argparse.Namespace, store: SubmissionStore, out: TextIO) -> int:
    from hall import sealing
    from hall.register import RegisterSecrets
    from hall.register_import import import_workbook

    if not args.file.is_file():
        print(f"error: cannot read {args.file}", file=sys.stderr)
        return 1
    key_path = args.seal_key or sealing.default_key_path(store.url)
    try:
        keys = RegisterSecrets.from_seal_keys(sealing.load_or_create(key_path))
    except sealing.SealKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = import_workbook(store.engine, SYSTEM_CLOCK, keys, args.file)
    staff = StaffStore(store.engine, SYSTEM_CLOCK)
    outcome = "ok" if report.ok else "refused"
    staff.audit("cli", "register.import", "register", f"{report.rows} rows", outcome)
    if not report.ok:
        print(f"error: {args.file} was not imported ({report.error_count} problem(s)):",
              file=sys.stderr)  # fmt: skip
        for error in report.errors:
            print(f"  - {error.text()}", file=sys.stderr)
        if report.error_count > len(report.errors):
            print(f"  … and {report.error_count - len(report.errors)} more", file=sys.stderr)
        return 1
    print(
        f"imported {report.rows} row(s): {report.created} new, {report.updated} updated "
        f"in {report.seconds:.1f} s",
        file=out,
    )
    return 0
