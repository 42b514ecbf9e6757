"""Qihang Station Kiosk — composition root and command line. Wiring only; no logic lives here.

python main.py kiosk [--config FILE]      the kiosk on this machine's devices
python main.py hall [--port N]            the hall service on 127.0.0.1
python main.py demo                       hall + kiosk on simulated devices
python main.py screenshots DIR            every screen in zh, en and care mode, to PNG
python main.py preview --catalog F --service ID --out DIR   a service's screens (hall's preview)
python main.py outbox status [--json]     what waits in the outbox (technicians)
python main.py technician-pin             argon2 hash of a technician PIN for kiosk.toml
python main.py provision --hall URL --code CODE   enrol this terminal with the hall (technicians)
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime
    from ui.app import KioskUi

ROOT = Path(__file__).resolve().parent
# The kiosk uses no pydantic plugins: skip the entry-point scan on every start.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
DEFAULT_CONFIG = Path("/etc/qihang/kiosk.toml")
EXAMPLE_CONFIG = ROOT / "packaging" / "kiosk.example.toml"
NO_DISPLAY_HELP = """\
No display found (neither DISPLAY nor WAYLAND_DISPLAY is set).
The kiosk needs a screen. Without one you can still:
  - render every screen to PNG:   make screenshots   (or: python main.py screenshots DIR)
  - run the kiosk offscreen:      QT_QPA_PLATFORM=offscreen python main.py kiosk
  - use the hall alone:           python main.py hall   (then open the printed URL)
"""


def _config_data(
    path: Path | None, overrides: dict[str, object] | None = None
) -> tuple[Path, dict[str, object]]:
    """The config file's mapping with what enrolment provisioned (``station.json`` in the state
    directory: station, hall URL, ICE servers) and then ``overrides`` applied on top."""
    import tomllib

    from kiosk.station_file import provisioned_overrides

    path = path or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else EXAMPLE_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        _config_unusable(path, exc)
    _apply(data, overrides or {})
    _apply(data, provisioned_overrides(_state_dir(data)))
    _apply(data, overrides or {})
    return path, data


def _config_unusable(path: Path, reason: object) -> NoReturn:
    """Stop with exit code 2 and the file and reason on stderr: the installer's one message."""
    print(f"config {path}: {reason}", file=sys.stderr)
    sys.exit(2)


def _apply(data: dict[str, object], overrides: dict[str, object]) -> None:
    for dotted, value in overrides.items():
        node = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})  # type: ignore[assignment]
        node[leaf] = value


def _state_dir(data: dict[str, object]) -> Path:
    paths = data.get("paths")
    return Path(
        str(paths.get("state_dir", "var/kiosk")) if isinstance(paths, dict) else "var/kiosk"
    )


def _load_config(path: Path | None, overrides: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    from kiosk.config import ConfigError, parse_config

    path, data = _config_data(path, overrides)
    try:
        return parse_config(data)
    except ConfigError as exc:
        _config_unusable(path, exc)


def cmd_kiosk(args: argparse.Namespace, overrides: dict[str, object] | None = None) -> int:
    # The config file before the UI: PySide6 reads the source of every module imported after it.
    path, data = _config_data(args.config, overrides)
    from ui.app import create_application, has_display

    if not has_display():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2

    app = create_application()
    if "station" not in data:
        # First boot: no station yet. The enrolment screen provisions it, then the kiosk starts.
        from ui.first_boot import run_first_boot

        hall = data.get("hall")
        ui_cfg = data.get("ui")
        if not run_first_boot(
            _state_dir(data),
            hall_url=str(hall.get("url", "")) if isinstance(hall, dict) else "",
            language=str(ui_cfg.get("language", "zh_CN")) if isinstance(ui_cfg, dict) else "zh_CN",
        ):
            return 1
        path, data = _config_data(args.config, overrides)  # with what enrolment stored
    ui = kiosk_ui(path, data)
    try:
        return app.exec()
    finally:
        ui.close()
        if ui.runtime is not None:
            ui.runtime.close()


def kiosk_ui(path: Path, data: dict[str, object]) -> KioskUi:
    """The kiosk's window, shown from the display settings alone (no pydantic on the way to the
    first frame); right after it the whole config is validated and the runtime built. A bad
    config then stops the kiosk with exit code 2 and the key named, as ConfigError words it."""
    from kiosk.display_settings import disagreements, peek

    display = peek(data)
    from ui.app import KioskUi

    def load_runtime() -> KioskRuntime:
        from kiosk.config import ConfigError, parse_config
        from kiosk.runtime import KioskRuntime

        try:
            config = parse_config(data)
            if problems := disagreements(data, config):
                raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))
        except ConfigError as exc:
            raise ConfigError(f"config {path}: {exc}") from None
        runtime = KioskRuntime(config, start=False)  # the UI starts it in the background
        runtime.config_file = path  # what a remote reload_config reads again
        return runtime

    return KioskUi(display=display, load_runtime=load_runtime)


def cmd_hall(args: argparse.Namespace) -> int:
    from hall.__main__ import main as hall_main

    extra = [a for a in args.hall_options if a != "--"]
    hall_main(["--host", args.host, "--port", str(args.port), "--db", str(args.db), *extra])
    return 0


def cmd_preview(options: list[str]) -> int:
    from ui.preview import main as preview_main

    return preview_main(options)


DEMO_SMSC_ID = "qihang-demo"


def _start_smsc(data_dir: Path, hall_url: str) -> tuple[subprocess.Popen[bytes], list[str]]:
    """The SMSC simulator beside the demo's hall, and the hall options that send texts to it.

    The texts' links point at the demo's hall itself (``hall_url``, plain http on loopback, which
    the hall accepts for this machine only): a link read on the console's 短信记录 page opens the
    phone page on the machine that runs the demo."""
    import functools
    import secrets
    import socket

    smpp = 2775 if not _port_taken(2775) else _any_port()
    http = 2776 if not _port_taken(2776) and smpp != 2776 else _any_port()
    password = secrets.token_urlsafe(6)  # SMPP passwords are at most 8 characters
    password_file = data_dir / "smsc.password"
    password_file.touch(mode=0o600)
    password_file.write_text(password + "\n", encoding="utf-8")
    smsc = subprocess.Popen(
        [sys.executable, "-m", "hall.smsc_sim", "--port", str(smpp), "--http-port", str(http),
         "--system-id", DEMO_SMSC_ID, f"--password={password}"],  # "=": it may start with "-"
        cwd=ROOT,
        preexec_fn=functools.partial(_die_with_parent, os.getpid()),
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", smpp)) == 0:
                break
        if smsc.poll() is not None or time.monotonic() > deadline:
            smsc.kill()
            sys.exit("the SMSC simulator did not start")
        time.sleep(0.05)
    options = ["--public-url", hall_url, "--smpp", f"127.0.0.1:{smpp}",
               "--smpp-system-id", DEMO_SMSC_ID,
               "--smpp-password-file", str(password_file)]  # fmt: skip
    return smsc, options


def _any_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cmd_demo(args: argparse.Namespace) -> int:
    import functools
    import shlex

    from kiosk.technician.pin import DEMO_PIN_HASH
    from ui.app import has_display

    port = args.port
    if _port_taken(port):
        # Starting anyway would leave our hall unable to bind while the kiosk talked to whatever
        # holds the port (typically the hall of a demo that was killed).
        print(
            f"port {port} is already in use on 127.0.0.1: another hall (perhaps one a killed demo "
            f"left behind) is listening there. Stop it (`ss -ltnp 'sport = :{port}'` shows its "
            "pid) or start the demo on another port with --port N.",
            file=sys.stderr,
        )
        return 1
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    signals = _DemoSignals()
    # The applicant's texts go to the SMSC simulator; the console lists them (短信记录).
    smsc, sms_options = _start_smsc(data_dir, f"http://127.0.0.1:{port}")
    hall = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "hall",
            "--port",
            str(port),
            "--db",
            str(data_dir / "hall.sqlite3"),
            "--",
            *sms_options,
            # The content page's preview draws services with this checkout's kiosk screens.
            "--preview-command",
            f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'main.py'))} preview",
        ],
        # preexec_fn is unsafe with threads; none are running in this process yet.
        preexec_fn=functools.partial(_die_with_parent, os.getpid()),
    )
    try:
        _wait_for_hall(f"http://127.0.0.1:{port}", hall)
        print(f"Hall running at http://127.0.0.1:{port}  (health: /healthz)", flush=True)
        # Every station enrols, the demo's too: it does so through the hall's own commands.
        _enrol_demo_station(data_dir, f"http://127.0.0.1:{port}")
        if args.district_catalog:
            _publish_district_catalog(data_dir)
        if not has_display():
            print(NO_DISPLAY_HELP, file=sys.stderr)
            print("The hall keeps running; press Ctrl+C to stop.", flush=True)
            hall.wait()
            return 0
        overrides: dict[str, object] = {
            "hall.url": f"http://127.0.0.1:{port}",
            "paths.state_dir": str(data_dir / "kiosk"),
            "ui.fullscreen": False,
            # Technician mode on the demo: five taps top-left on the attract screen, PIN 246810.
            "technician.pin_hash": DEMO_PIN_HASH,
        }
        signals.enter_qt()
        return cmd_kiosk(argparse.Namespace(config=EXAMPLE_CONFIG), overrides)
    except (KeyboardInterrupt, _DemoStop):
        return 0
    finally:
        signals.close()  # a second signal must not cut the hall's stop short
        hall.terminate()
        try:
            hall.wait(timeout=10)
        except subprocess.TimeoutExpired:
            hall.kill()
            hall.wait()
        smsc.terminate()  # after the hall: its last texts may still be going out
        try:
            smsc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            smsc.kill()
            smsc.wait()
        signals.restore()


def _enrol_demo_station(data_dir: Path, hall_url: str) -> None:
    """Enrol the demo's kiosk with the demo's hall, unless its device is already active there.

    Idempotent across restarts: the kiosk state folder keeps its identity and the hall database
    its device. A fresh hall database (or a revoked device) gets a new one-time code from
    ``python -m hall enrol-code`` — the code path a supervisor uses — and the kiosk exchanges it
    as a technician's ``provision`` would."""
    import tomllib

    from contracts.content_signature import PIN_FILE as CONTENT_PIN_FILE
    from kiosk.device_identity import load_identity
    from kiosk.provision import provision

    db = str(data_dir / "hall.sqlite3")
    state_dir = data_dir / "kiosk"
    station = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))["station"]

    def hall_cli(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "hall", "--db", db, *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"demo enrolment: `python -m hall {argv[0]}` failed: {done.stderr.strip()}")
        return done.stdout

    identity = load_identity(state_dir)
    # A station enrolled before the hall signed its catalog has no content key: enrol it again.
    if identity is not None and (state_dir / CONTENT_PIN_FILE).exists():
        active = f"{identity.device_id}\t{station['id']}\t"
        for line in hall_cli("devices", "list").splitlines():
            if line.startswith(active) and line.endswith("\tactive"):
                return
    out = hall_cli("enrol-code", "--station", station["id"], "--name", station["name"])
    code = out.splitlines()[0].rsplit(": ", 1)[1]
    enrolled = provision(state_dir, hall_url, code)
    print(f"demo station {enrolled.station_id} enrolled as device {enrolled.device_id}")


def _publish_district_catalog(data_dir: Path) -> None:
    """Publish the generated 272-service catalog (kiosk.services.catalog_synthetic) at the demo's
    hall, through the hall's own command, for the service home at district scale. The kiosk
    fetches it with its first catalog refresh; it applies from the next walk-in on."""
    import json

    from kiosk.services.catalog_synthetic import synthetic_catalog_document

    path = data_dir / "district_catalog.json"
    path.write_text(json.dumps(synthetic_catalog_document(), ensure_ascii=False), encoding="utf-8")
    db = str(data_dir / "hall.sqlite3")
    done = subprocess.run(
        [sys.executable, "-m", "hall", "--db", db, "catalog", "publish", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"demo: publishing the 272-service catalog failed: {done.stderr.strip()}")
    print("demo hall publishes the generated 272-service catalog", flush=True)


class _DemoStop(Exception):
    """SIGTERM or SIGHUP (or SIGINT) while the demo waits outside Qt's event loop."""


class _DemoSignals:
    """SIGINT, SIGTERM and SIGHUP end the demo as Ctrl+C does: the kiosk closes, then the hall.

    Before Qt's loop the handler raises `_DemoStop` (caught in `cmd_demo`, whose `finally` stops
    the hall). Inside the loop an exception raised in a slot would never reach `cmd_demo`, so the
    handler asks the loop to quit instead, and `cmd_kiosk` returns normally. Python runs signal
    handlers only when the main thread runs Python code, which Qt's loop may not do for long: a
    wakeup socket watched by a QSocketNotifier wakes it. Without this, `kill` of the demo ended
    the process at once and left `main.py hall` running on the port.
    """

    SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self) -> None:
        import signal

        self._in_qt = False
        self._keep: list[object] = []  # the wakeup sockets and their notifier
        self._previous = {
            name: signal.signal(getattr(signal, name), self._on_signal) for name in self.SIGNALS
        }

    def _on_signal(self, signum: int, frame: object) -> None:
        if not self._in_qt:
            raise _DemoStop(signum)
        from PySide6.QtCore import QCoreApplication, QTimer

        # Posted, not called: quit() before exec() has started would be lost.
        QTimer.singleShot(0, QCoreApplication.quit)

    def enter_qt(self) -> None:
        """From here on a signal quits the kiosk's event loop (the application is made here)."""
        import signal
        import socket

        from PySide6.QtCore import QSocketNotifier

        from ui.app import create_application

        create_application()  # cmd_kiosk reuses this instance
        wake_read, wake_write = socket.socketpair()
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        notifier = QSocketNotifier(wake_read.fileno(), QSocketNotifier.Type.Read)
        # Reading is all it takes: the Python-level handler runs as this slot is entered.
        notifier.activated.connect(lambda: wake_read.recv(64))
        self._keep = [wake_read, wake_write, notifier]
        self._in_qt = True

    def close(self) -> None:
        """Ignore these signals while the demo stops its hall (bounded by the hall's stop)."""
        import signal

        for name in self.SIGNALS:
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        if self._keep:
            signal.set_wakeup_fd(-1)

    def restore(self) -> None:
        import signal

        for name, previous in self._previous.items():
            signal.signal(getattr(signal, name), previous)


def _die_with_parent(parent: int) -> None:
    """In the hall child before exec: the kernel sends it SIGTERM when the demo dies, SIGKILL
    included (no handler runs then): the backstop against an orphaned hall on the demo's port."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the demo died before prctl took effect
        os._exit(1)


def _port_taken(port: int) -> bool:
    """Is something listening on 127.0.0.1:``port`` (or otherwise holding it)?"""
    import socket

    with socket.socket() as sock:
        # SO_REUSEADDR as the hall binds: a TIME_WAIT left by a clean stop does not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _wait_for_hall(url: str, hall: subprocess.Popen[bytes], timeout_s: float = 20.0) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if hall.poll() is not None:
            # Never go on with some other process answering on the port.
            sys.exit(f"the hall exited with status {hall.returncode} before answering at {url}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    sys.exit(f"the hall did not start at {url}")


def cmd_screenshots(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    # A developer tool built on the test doubles (robot user, fake clock): it lives in tests/,
    # which a source checkout has and an installed station does not.
    try:
        from tests.support.screenshots import render_all
    except ModuleNotFoundError as exc:
        if exc.name not in ("tests", "tests.support", "tests.support.screenshots"):
            raise
        sys.exit("screenshots needs a source checkout (tests/support/); run it from the repository")

    paths = render_all(Path(args.dir))
    print(f"wrote {len(paths)} screenshots to {args.dir}")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    import json

    from offline_queue.status import format_status, outbox_path_for, read_status

    config = _load_config(args.config)
    report = read_status(outbox_path_for(config.paths.state_dir))
    print(json.dumps(report, ensure_ascii=False) if args.json else format_status(report))
    return 0


# Exit codes of `provision`, for scripts: 0 enrolled, 2 usage, 3 the code (unknown, used,
# expired, too many tries), 4 the hall could not be reached, 5 refused or not stored.
_PROVISION_EXIT = {
    "ENROL_CODE_UNKNOWN": 3,
    "ENROL_CODE_USED": 3,
    "ENROL_CODE_EXPIRED": 3,
    "ENROL_TOO_MANY_ATTEMPTS": 3,
    "ENROL_HALL_UNREACHABLE": 4,
}


def cmd_provision(args: argparse.Namespace) -> int:
    from kiosk.device_identity import load_identity
    from kiosk.provision import MESSAGES, ProvisionError, hall_url_ok, provision

    if not hall_url_ok(args.hall):
        print(
            f"error: --hall must be a URL such as https://hall.example, not {args.hall!r}",
            file=sys.stderr,
        )
        return 2
    _, data = _config_data(args.config)
    state_dir = _state_dir(data)
    existing = load_identity(state_dir)
    if existing is not None and not args.force:
        print(
            f"error: this terminal is already enrolled (device {existing.device_id}, station "
            f"{existing.credential.station_id}); add --force to enrol it again",
            file=sys.stderr,
        )
        return 2
    # "-" keeps the code out of the process list and the shell history.
    code = sys.stdin.readline().strip() if args.code == "-" else args.code
    try:
        station = provision(state_dir, args.hall, code)
    except ProvisionError as exc:
        print(f"error [{exc.reason}]: {MESSAGES[exc.reason]}", file=sys.stderr)
        print(f"  ({exc})", file=sys.stderr)
        return _PROVISION_EXIT.get(exc.reason, 5)
    print(
        f"enrolled: station {station.station_id} ({station.station_name}), "
        f"device {station.device_id}"
    )
    print(f"credential and station config stored in {state_dir} (mode 0600)")
    return 0


def cmd_technician_pin(args: argparse.Namespace) -> int:
    """Read a PIN (twice on a terminal, never from argv) and print its argon2 hash."""
    import getpass

    from kiosk.technician.pin import hash_pin

    if sys.stdin.isatty():
        pin = getpass.getpass("technician PIN (4-12 digits): ")
        if getpass.getpass("again: ") != pin:
            print("error: the two PINs differ", file=sys.stderr)
            return 2
    else:
        pin = sys.stdin.readline().strip()
    try:
        hashed = hash_pin(pin)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f'[technician]\npin_hash = "{hashed}"')
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["preview"]:  # the hall runs it: quiet, its own options
        return cmd_preview(argv[1:])
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser = argparse.ArgumentParser(prog="main.py", description="Qihang Station Kiosk")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("kiosk", help="run the kiosk")
    p.add_argument("--config", type=Path, default=None)
    p = sub.add_parser("hall", help="run the hall service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--db", default=str(ROOT / "var" / "hall" / "hall.sqlite3"), help="file or URL")
    p.add_argument(
        "hall_options",
        nargs=argparse.REMAINDER,
        help="after --: more options of python -m hall (e.g. --smpp HOST:PORT …)",
    )
    p = sub.add_parser("demo", help="hall + kiosk on simulated devices")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument(
        "--data-dir", type=Path, default=ROOT / "var" / "demo", help="hall database, kiosk state"
    )
    p.add_argument(
        "--district-catalog",
        action="store_true",
        help="publish the generated 272-service catalog (the service home at district scale)",
    )
    p = sub.add_parser("screenshots", help="render every screen to PNG (offscreen)")
    p.add_argument("dir")
    # Its options are ui.preview's own (main() hands them over before parsing).
    sub.add_parser("preview", help="one service's screens to PNG (the hall's preview)")
    p = sub.add_parser("outbox", help="inspect the outbox (technicians)")
    p.add_argument("action", choices=["status"])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--config", type=Path, default=None)
    p = sub.add_parser("provision", help="enrol this terminal with the hall (technicians)")
    p.add_argument("--hall", required=True, help="the hall's URL, e.g. https://hall.example")
    p.add_argument(
        "--code", required=True, help="the enrolment code from the hall ('-': read it from stdin)"
    )
    p.add_argument("--force", action="store_true", help="enrol again over an existing identity")
    p.add_argument("--config", type=Path, default=None)
    sub.add_parser("technician-pin", help="hash a technician PIN for kiosk.toml (reads stdin)")
    args = parser.parse_args(argv)
    handlers = {
        "kiosk": cmd_kiosk,
        "hall": cmd_hall,
        "demo": cmd_demo,
        "screenshots": cmd_screenshots,
        "outbox": cmd_outbox,
        "technician-pin": cmd_technician_pin,
        "provision": cmd_provision,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
