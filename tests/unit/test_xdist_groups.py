"""`make test`'s two workers: a file's tests on one worker, pcscd's files on one worker.

A real inner run (``pytest -n 2 --dist loadgroup``) over a made-up tree with the project's own
grouping plugin; each test writes down the worker it ran on. Before the fix (pytest 9 ignored
xdist's way of naming the group) the tests were dealt out one by one to either worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST = """
import os
from pathlib import Path

import pytest

@pytest.mark.parametrize("kind", ["card", "hall"])
def test_{n}(kind):
    with Path(os.environ["WHERE"]).open("a") as out:
        out.write(f"{{__file__}} {{kind}} {{os.environ['PYTEST_XDIST_WORKER']}}\\n")
"""


def test_each_file_and_pcscds_files_run_on_one_worker(tmp_path: Path) -> None:
    files = {
        "tests/pcsc/test_reader.py": 6,
        "tests/contract/test_card_reader.py": 6,
        "tests/bench/test_bench_smoke.py": 6,
        "tests/unit/test_a.py": 6,
        "tests/unit/test_b.py": 6,
        "tests/hall/test_c.py": 6,
    }
    for name, count in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(TEST.format(n=n) for n in range(count)))
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.support.xdist_groups"]\n')
    where = tmp_path / "where.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WHERE": str(where)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
         "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(tmp_path), "tests"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    workers: dict[str, set[str]] = defaultdict(set)
    for line in where.read_text().splitlines():
        file, kind, worker = line.rsplit(" ", 2)
        name = str(Path(file).relative_to(tmp_path))
        # Of the bench smoke test only the card bench starts pcscd (it joins pcscd's group).
        bench_card = name == "tests/bench/test_bench_smoke.py" and kind == "card"
        workers[f"{name}[card]" if bench_card else name].add(worker)
    assert sum(1 for _ in where.read_text().splitlines()) == 2 * sum(files.values())
    assert all(len(w) == 1 for w in workers.values()), dict(workers)
    pcscd = workers["tests/pcsc/test_reader.py"] | workers["tests/contract/test_card_reader.py"]
    assert pcscd == workers["tests/bench/test_bench_smoke.py[card]"], dict(workers)
    assert len(pcscd) == 1, dict(workers)
    assert len(set().union(*workers.values())) == 2  # and both workers had work
