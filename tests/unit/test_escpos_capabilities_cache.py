"""python-escpos' capabilities cache is written by drivers.printer, whole and atomically, before
python-escpos is imported: python-escpos then only reads it (its own write truncates the file in
place, and a second process starting meanwhile read half a pickle: ``EOFError``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import drivers.printer
import escpos.capabilities as c
print(c.full_load, c.pickle_path)
"""


def _start(cache_home: Path) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    full_load, path = done.stdout.split()
    return full_load, path


def test_escpos_finds_a_complete_cache_at_its_first_import(tmp_path: Path) -> None:
    full_load, path = _start(tmp_path)
    assert full_load == "False"  # python-escpos wrote nothing itself
    assert Path(path).parent == tmp_path / "qihang-kiosk"
    assert Path(path).stat().st_size > 10_000
    assert [p.name for p in (tmp_path / "qihang-kiosk").iterdir()] == [Path(path).name]
    assert _start(tmp_path) == (full_load, path)  # the next start reads the same file
