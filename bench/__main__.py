"""Benchmarks: `python -m bench NAME [--json]`. Figures are printed, never asserted.

Each benchmark is a module `bench/<name>.py` with `run(runs: int) -> dict`; new ones are found
by name, so adding one touches no shared file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

NAMES = sorted(
    m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_")
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=NAMES)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=5, help="repetitions (median reported)")
    args, extra = parser.parse_known_args(argv)
    module = importlib.import_module(f"bench.{args.name}")
    result = module.run(args.runs, *extra) if extra else module.run(args.runs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>32}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
