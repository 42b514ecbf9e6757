"""Qihang Station Kiosk — composition root and command line. Wiring only; no logic lives here.

python main.py kiosk [--config FILE]      the kiosk on this machine's devices
python main.py hall [--port N]            the hall service on 127.0.0.1
python main.py demo                       hall + kiosk on simulated devices
python main.py screenshots DIR            every screen in zh, en and care mode, to PNG
python main.py outbox status [--json]     what waits in the outbox (technicians)
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

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


def _load_config(path: Path | None, overrides: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    import tomllib

    from kiosk.config import ConfigError, parse_config

    path = path or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else EXAMPLE_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        sys.exit(f"config {path}: {exc}")
    for dotted, value in (overrides or {}).items():
        node = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    try:
        return parse_config(data)
    except ConfigError as exc:
        sys.exit(f"config {path}: {exc}")


def cmd_kiosk(args: argparse.Namespace, overrides: dict[str, object] | None = None) -> int:
    from ui.app import has_display

    if not has_display():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    config = _load_config(args.config, overrides)
    from kiosk.runtime import KioskRuntime
    from ui.app import KioskUi, create_application

    app = create_application()
    runtime = KioskRuntime(config, start=False)  # the UI starts it after the first frame
    ui = KioskUi(runtime)
    try:
        return app.exec()
    finally:
        ui.close()
        runtime.close()


def cmd_hall(args: argparse.Namespace) -> int:
    from hall.__main__ import main as hall_main

    hall_main(["--host", args.host, "--port", str(args.port), "--db", str(args.db)])
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ui.app import has_display

    port = args.port
    hall = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "hall",
            "--port",
            str(port),
            "--db",
            str(ROOT / "var" / "demo" / "hall.sqlite3"),
        ],
    )
    try:
        _wait_for_hall(f"http://127.0.0.1:{port}")
        print(f"Hall running at http://127.0.0.1:{port}  (health: /healthz)", flush=True)
        if not has_display():
            print(NO_DISPLAY_HELP, file=sys.stderr)
            print("The hall keeps running; press Ctrl+C to stop.", flush=True)
            hall.wait()
            return 0
        overrides: dict[str, object] = {
            "hall.url": f"http://127.0.0.1:{port}",
            "paths.state_dir": str(ROOT / "var" / "demo" / "kiosk"),
            "ui.fullscreen": False,
            # The demo station can ask the demo hall for help (stations get real tokens).
            "hall.token": "demo-station-token",
        }
        return cmd_kiosk(argparse.Namespace(config=EXAMPLE_CONFIG), overrides)
    except KeyboardInterrupt:
        return 0
    finally:
        hall.terminate()
        hall.wait(timeout=10)


def _wait_for_hall(url: str, timeout_s: float = 20.0) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    sys.exit(f"the hall did not start at {url}")


def cmd_screenshots(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    from ui.screenshots import render_all

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


def main(argv: list[str] | None = None) -> int:
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
    p = sub.add_parser("demo", help="hall + kiosk on simulated devices")
    p.add_argument("--port", type=int, default=8700)
    p = sub.add_parser("screenshots", help="render every screen to PNG (offscreen)")
    p.add_argument("dir")
    p = sub.add_parser("outbox", help="inspect the outbox (technicians)")
    p.add_argument("action", choices=["status"])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--config", type=Path, default=None)
    args = parser.parse_args(argv)
    handlers = {
        "kiosk": cmd_kiosk,
        "hall": cmd_hall,
        "demo": cmd_demo,
        "screenshots": cmd_screenshots,
        "outbox": cmd_outbox,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
