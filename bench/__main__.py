"""Benchmarks: `python -m bench NAME [--json]`. Figures are printed, never asserted."""

from __future__ import annotations

import argparse
import json
import sys

from bench import startup

BENCHES = {"startup": startup.run}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=sorted(BENCHES))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=5, help="repetitions (median reported)")
    args = parser.parse_args(argv)
    result = BENCHES[args.name](args.runs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
