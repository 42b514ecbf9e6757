"""Every benchmark runs: `python -m bench NAME --quick --json` for each module found in bench/.

A broken import, a crash or a renamed figure fails here instead of on the day someone wants the
numbers. Each bench module declares the figures it always reports in a literal `KEYS` tuple,
read here from its source (no import: cv2, Qt and the hall stay out of the test process), and
the JSON it prints must hold every one of them. Quick mode only: the figures are not checked,
speed goals live in the benches' full runs.
"""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "bench"
NAMES = sorted(m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if not m.name.startswith("_"))
QT_ENV = {
    "QT_QPA_PLATFORM": "offscreen",
    "QT_QUICK_BACKEND": "software",
    "QT_IM_MODULE": "qtvirtualkeyboard",
}
RUN_LIMIT_S = 180  # a bound on a hung bench, not a speed assertion


def declared_keys(name: str) -> tuple[str, ...]:
    """The literal `KEYS = (...)` of bench/<name>.py."""
    tree = ast.parse((BENCH_DIR / f"{name}.py").read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "KEYS"
        ):
            keys = ast.literal_eval(node.value)
            assert isinstance(keys, tuple) and keys, f"bench/{name}.py: KEYS must be a tuple"
            return keys
    raise AssertionError(f"bench/{name}.py declares no KEYS tuple")


def test_every_bench_the_issue_names_is_found() -> None:
    # Finding by name must not silently lose one (a file renamed, an underscore added).
    expected = {"startup", "outbox", "card", "printer", "vision", "services", "soak", "assist"}
    expected |= {"ui"}  # issue 19
    expected |= {"hall"}  # issue 20
    expected |= {"push"}  # issue 18
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_bench_quick_prints_one_json_object_with_its_keys(name: str) -> None:
    keys = declared_keys(name)
    done = subprocess.run(
        [sys.executable, "-m", "bench", name, "--quick", "--json"],
        cwd=ROOT,
        env=dict(os.environ, **QT_ENV),
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT_S,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr[-4000:]}"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one JSON line on stdout, got:\n{done.stdout[-4000:]}"
    result = json.loads(lines[0])
    assert isinstance(result, dict)
    missing = [key for key in keys if key not in result]
    assert missing == [], f"bench {name} lacks {missing}"
