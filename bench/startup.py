"""Startup: process start to the attract screen's first frame, and RSS then, vs a bare QML window.

Each figure is the median of N fresh processes, offscreen with the software renderer, measured
in the same run for the kiosk and the yardstick (a QML ApplicationWindow with one Label). The
CPU-time figures (the process's own CPU time, all threads, until its first frame) are the
steadier ones on a busy machine. The project's modules are byte-compiled first, as the .deb
installs them: a station never starts from source.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KEYS = (
    "runs",
    "first_frame_s",
    "first_frame_cpu_s",
    "rss_mb",
    "bare_first_frame_s",
    "bare_first_frame_cpu_s",
    "bare_rss_mb",
    "first_frame_ratio",
    "first_frame_cpu_ratio",
    "rss_ratio",
)


# What the kiosk probe imports (its first frame, and the runtime right after).
PACKAGES = ("kiosk", "ui", "contracts", "drivers", "offline_queue", "remote_assist")


def _compile_sources() -> None:
    """Byte-compile the kiosk's modules as packaging/deb/venv.sh does at install. Without it a
    module edited since its last .pyc, or any module under PYTHONDONTWRITEBYTECODE (a developer's
    shell), is compiled from source in every probe and that time lands on the first frame."""
    import compileall

    compileall.compile_file(ROOT / "main.py", quiet=1)
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


def _probe(mode: str) -> dict[str, float]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QT_QUICK_BACKEND="software",
        QT_IM_MODULE="qtvirtualkeyboard",
    )
    env["BENCH_T0"] = repr(time.monotonic())
    proc = subprocess.run(
        [sys.executable, "-m", "ui.startup_probe", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"probe {mode!r} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    result: dict[str, float] = json.loads(last)
    return result


def run(runs: int = 5, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: no warm-up pair (the first measured pair then includes a cold file cache)."""
    _compile_sources()
    if not quick:
        _probe("bare")  # warm the OS file cache so the first measured run is not an outlier
        _probe("app")
    app, bare = [], []
    for _ in range(runs):  # interleaved, so drift on the machine hits both alike
        bare.append(_probe("bare"))
        app.append(_probe("app"))

    def median(rows: list[dict[str, float]], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 3)

    out = {
        "runs": runs,
        "first_frame_s": median(app, "first_frame_s"),
        "first_frame_cpu_s": median(app, "first_frame_cpu_s"),
        "rss_mb": median(app, "rss_mb"),
        "bare_first_frame_s": median(bare, "first_frame_s"),
        "bare_first_frame_cpu_s": median(bare, "first_frame_cpu_s"),
        "bare_rss_mb": median(bare, "rss_mb"),
    }
    out["first_frame_ratio"] = round(out["first_frame_s"] / out["bare_first_frame_s"], 2)
    out["first_frame_cpu_ratio"] = round(
        out["first_frame_cpu_s"] / out["bare_first_frame_cpu_s"], 2
    )
    out["rss_ratio"] = round(out["rss_mb"] / out["bare_rss_mb"], 2)
    return out
