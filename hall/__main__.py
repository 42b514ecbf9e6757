"""Run the hall, e.g. ``python -m hall --port 8700 --db var/hall/hall.db``, or administer it:
``python -m hall [--db DB] staff add NAME --role helper``, ``python -m hall [--db DB] catalog
publish FILE``, ``python -m hall enrol-code --station ID``, ``python -m hall devices revoke ID`` and
``python -m hall register-import FILE.xlsx`` (see :mod:`hall.cli`); ``python -m hall apt init`` and
``python -m hall apt publish FILE.deb`` (:mod:`hall.apt_repo`).

Serving prints the URL it listens on (useful with ``--port 0``) and serves until Ctrl-C or
SIGTERM, which uvicorn handles here because it runs on the main thread.

The applicant's texts (:mod:`hall.notify_wiring`) go out when a backend is named:
``--smpp HOST:PORT --smpp-system-id ID --smpp-password-file F`` (the district's SMS centre, or
``python -m hall.smsc_sim``) or ``--sms-gateway URL --sms-secret-file F``, with
``--public-url https://…`` (what the links in the texts point at). Secrets come from files (0600),
never from the command line, which ``ps`` shows.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from hall.assist_routes import MAX_OPEN_CALLS
from hall.migrations.legacy import DuplicateTrackingNumbers
from hall.sealing import SealKeyError
from hall.server import bind_socket, make_config, url_for

if TYPE_CHECKING:
    from hall.notify_wiring import NotifySettings

_ADMIN_AREAS = frozenset({"staff", "catalog", "enrol-code", "devices", "register-import"})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # An administration command names its area; anything else is the server's options, as
    # before (main.py starts the hall with --host/--port/--db).
    if _area(argv) == "apt":  # the apt repository stations update from (hall.apt_repo)
        from hall.apt_repo import main as apt_main

        return apt_main(argv)
    if _area(argv) in _ADMIN_AREAS:
        from hall.cli import main as admin_main

        logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
        return admin_main(argv)
    return serve(argv)


def _area(argv: list[str]) -> str | None:
    """The first word that is neither an option nor the value of ``--db``."""
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        if word == "--db":
            rest = rest[1:]
        elif not word.startswith("-"):
            return word
    return None


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m hall", description="Qihang hall server")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8700, help="TCP port (0 = any free port)")
    parser.add_argument(
        "--db",
        default="var/hall/hall.db",
        help="SQLite file, or a database URL such as postgresql+psycopg://user@host/db",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, …")
    parser.add_argument(
        "--offline-after-min",
        type=_minutes,
        default=5.0,
        help="a station silent this many minutes shows as offline on the fleet page (default 5)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        type=_proxy,
        help="a reverse proxy (address or network) whose X-Forwarded-For names the client; "
        "repeat for several (default: none, the TCP peer is the client)",
    )
    parser.add_argument(
        "--max-help-calls",
        type=int,
        default=MAX_OPEN_CALLS,
        help=f"help calls waiting or live across all stations (default {MAX_OPEN_CALLS}); "
        "each station has at most one",
    )
    parser.add_argument(
        "--seal-key",
        type=Path,
        default=None,
        metavar="FILE",
        help="the hall's sealing key pair (stations seal filings to its public half; made on "
        "first start, 0600; back it up with the database). Default: beside a SQLite file "
        "(hall.db -> hall.keys/seal.key), else under $XDG_DATA_HOME/qihang-hall",
    )
    parser.add_argument(
        "--preview-command",
        metavar="COMMAND",
        help="the program that draws a service with the kiosk's screens for the content page's "
        'preview, e.g. "/opt/qihang/venv/bin/python -m ui.preview" (run without a shell; '
        "default: none, the console says the hall has no preview)",
    )
    sms = parser.add_argument_group("SMS to applicants (hall.notify_wiring)")
    sms.add_argument("--public-url", metavar="URL", help="https:// address the texts link to")
    sms.add_argument("--smpp", metavar="HOST:PORT", help="the SMS centre (SMPP 3.4)")
    sms.add_argument("--smpp-system-id", metavar="ID", default="", help="SMPP system_id")
    sms.add_argument("--smpp-password-file", metavar="FILE", type=Path, help="SMPP password")
    sms.add_argument("--sms-source-addr", metavar="NUMBER", default="106900",
                     help="the sender's number (default 106900)")  # fmt: skip
    sms.add_argument("--sms-gateway", metavar="URL", help="an HTTPS SMS web service instead")
    sms.add_argument("--sms-secret-file", metavar="FILE", type=Path, help="its signing secret")
    args = parser.parse_args(argv)
    if args.max_help_calls < 1:
        parser.error("--max-help-calls must be at least 1")
    try:
        notify_settings = _notify_settings(args)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    from hall.content_preview import PreviewSettings

    try:
        preview = (
            None
            if args.preview_command is None
            else PreviewSettings.from_command_line(args.preview_command)
        )
    except ValueError as exc:  # empty, or an unclosed quote
        parser.error(f"--preview-command: {exc}")

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        parser.exit(2, f"cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
    from hall.fleet import FleetSettings

    fleet_settings = FleetSettings(offline_after=timedelta(minutes=args.offline_after_min))
    try:
        config = make_config(
            args.db,
            access_log=True,
            app_options={
                "fleet_settings": fleet_settings,
                "trusted_proxies": args.trusted_proxy,
                "max_help_calls": args.max_help_calls,
                "seal_key_path": args.seal_key,
                "notify_settings": notify_settings,
                "preview": preview,
            },
        )
    except DuplicateTrackingNumbers as exc:  # an old database that breaks the unique index
        parser.exit(2, f"the hall cannot start: {exc}\n")
    except SealKeyError as exc:  # e.g. a key file others can read
        parser.exit(2, f"the hall cannot start: {exc}\n")
    server = uvicorn.Server(config)
    # Everything made so far (modules, the app, its schemas and stores: some 170,000 tracked
    # objects) lives as long as the process. Frozen out of the collector's reach, a full
    # collection walks only what requests made since: 30-70 ms pauses of the event loop instead
    # of 100-170 ms with 100 help calls relaying (each pause is every socket's latency).
    gc.freeze()
    # Only the kind of database: a URL may carry a password.
    where = args.db if "://" not in args.db else args.db.split("://", 1)[0]
    print(f"hall listening on {url_for(sock)} (db {where})", flush=True)
    print(f"staff console: {url_for(sock)}/console/", flush=True)
    server.run(sockets=[sock])
    return 0 if server.started else 1


def _notify_settings(args: argparse.Namespace) -> NotifySettings | None:
    """The SMS options as settings; None when no backend is named. Raises ``ValueError``."""
    from hall.notify_wiring import NotifySettings
    from hall.sms_gateway import GatewayConfig
    from hall.sms_smpp import SmppConfig

    if args.smpp and args.sms_gateway:
        raise ValueError("name one SMS backend: --smpp or --sms-gateway")
    if not (args.smpp or args.sms_gateway):
        return None
    if not args.public_url:
        raise ValueError("texts need --public-url https://… (their links point there)")
    backend: SmppConfig | GatewayConfig
    if args.smpp:
        host, _, port = args.smpp.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("--smpp takes HOST:PORT, e.g. 127.0.0.1:2775")
        if not args.smpp_system_id or args.smpp_password_file is None:
            raise ValueError("--smpp needs --smpp-system-id and --smpp-password-file")
        password = args.smpp_password_file.read_text(encoding="utf-8").strip()
        backend = SmppConfig(
            host, int(port), args.smpp_system_id, password, source_addr=args.sms_source_addr
        )
    else:
        if args.sms_secret_file is None:
            raise ValueError("--sms-gateway needs --sms-secret-file")
        secret = args.sms_secret_file.read_bytes().strip()
        backend = GatewayConfig(args.sms_gateway, secret)
    return NotifySettings(args.public_url, backend)


def _proxy(text: str) -> str:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError("give an IP address or network, e.g. 10.0.0.5") from None
    return text


def _minutes(text: str) -> float:
    # Under two minutes a station would flicker offline between its 60-s heartbeats.
    value = float(text)
    if not 2 <= value <= 24 * 60:
        raise argparse.ArgumentTypeError("give 2 to 1440 minutes")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
