"""``python -m hall.smsc_sim``: run the SMSC simulator until interrupted, or list what it holds.

python -m hall.smsc_sim [--port 2775] [--http-port 2776]    # serve SMPP and the JSON window
python -m hall.smsc_sim list [--http-port 2776]              # print the stored messages
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import urllib.request

from hall.smsc_sim.server import SmscSimulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hall.smsc_sim")
    parser.add_argument("command", nargs="?", choices=["serve", "list"], default="serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2775, help="SMPP port (0: any free one)")
    parser.add_argument("--http-port", type=int, default=2776, help="the JSON listing's port")
    parser.add_argument("--system-id", default=None, help="refuse binds under another id")
    parser.add_argument("--password", default=None, help="refuse binds with another password")
    args = parser.parse_args(argv)
    if args.command == "list":
        url = f"http://{args.host}:{args.http_port}/messages"
        with urllib.request.urlopen(url, timeout=5) as answer:
            for m in json.load(answer):
                print(f"{m['seq']:>5} {m['received_at']} {m['destination']:>15} "
                      f"[{m['parts']} part(s), dc {m['data_coding']}] {m['text']}")  # fmt: skip
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sim = SmscSimulator(
        args.host,
        args.port,
        http_port=args.http_port,
        system_id=args.system_id,
        password=args.password,
    ).start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print(f"SMSC simulator: SMPP {args.host}:{sim.port}, messages {sim.http_url}/messages",
          flush=True)  # fmt: skip
    done.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
