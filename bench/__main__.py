"""Benchmarks: `python -m bench NAME [--json] [--quick]`. Figures are printed, never asserted.

Each benchmark is a module `bench/<name>.py` with `run(runs: int, *extra, quick: bool) -> dict`
and a literal `KEYS` tuple naming the figures it always reports; new ones are found by name, so
adding one touches no shared file. `--quick` runs few iterations on small sizes and reports the
same keys (a smoke run for CI: the figures mean little); without it the full figures are taken.
A result missing one of its module's `KEYS` exits 1, so a renamed figure cannot go unnoticed.
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
FULL_RUNS = 5
QUICK_RUNS = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=NAMES)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--quick", action="store_true", help="few iterations, small sizes (a smoke run)"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"repetitions, median reported (default {FULL_RUNS}, {QUICK_RUNS} with --quick)",
    )
    args, extra = parser.parse_known_args(argv)
    runs = args.runs if args.runs is not None else (QUICK_RUNS if args.quick else FULL_RUNS)
    module = importlib.import_module(f"bench.{args.name}")
    result = module.run(runs, *extra, quick=args.quick)
    missing = [key for key in module.KEYS if key not in result]
    if missing:
        print(f"bench {args.name}: result lacks its KEYS {missing}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>32}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
