"""Run the hall in the foreground, e.g. ``python -m hall --port 8700 --db var/hall/hall.db``.

Prints the URL it listens on (useful with ``--port 0``) and serves until Ctrl-C or SIGTERM, which
uvicorn handles here because it runs on the main thread.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from hall.server import bind_socket, make_config, url_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hall", description="Qihang hall server")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8700, help="TCP port (0 = any free port)")
    parser.add_argument("--db", type=Path, default=Path("var/hall/hall.db"), help="SQLite file")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, …")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        parser.exit(2, f"cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
    server = uvicorn.Server(make_config(args.db, access_log=True))
    print(f"hall listening on {url_for(sock)} (db {args.db})", flush=True)
    server.run(sockets=[sock])
    return 0 if server.started else 1


if __name__ == "__main__":
    raise SystemExit(main())
