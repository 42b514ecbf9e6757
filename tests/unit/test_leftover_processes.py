"""The session-end check in tests/conftest.py: a process a test leaves running fails the run.

An inner pytest session loads tests/conftest.py as a plugin and runs a throwaway test file: one
that leaves a child running (a `sleep` adopted by init, as a daemon detaches) must fail with its
pid and command line named, and the child must be gone afterwards; one that stops its child
must pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LEAKY = """
import subprocess


def test_leaves_a_detached_child():
    # The shell exits at once and its `sleep` is adopted by init, as a daemon detaches: only
    # the environment mark still ties it to this run.
    subprocess.run(["sh", "-c", "sleep 417 >/dev/null 2>&1 &"], check=True)
"""

TIDY = """
import subprocess


def test_stops_its_child():
    child = subprocess.Popen(["sleep", "417"])
    child.terminate()
    child.wait()
"""


def _inner_pytest(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(body)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
         str(tmp_path / "test_inner.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, QIHANG_LEFTOVER_GRACE_S="1"),
    )  # fmt: skip


def _sleepers() -> list[int]:
    """Live `sleep 417` processes (the inner tests' children), zombies excluded."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if cmdline == b"sleep\x00417\x00" and state != "Z":
            found.append(int(entry))
    return found


def test_a_child_left_running_fails_the_session_and_is_killed(tmp_path: Path) -> None:
    done = _inner_pytest(tmp_path, LEAKY)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed" in done.stdout  # the test itself passed: the check failed the run
    assert "LEFTOVER PROCESSES" in done.stdout
    assert "sleep 417" in done.stdout
    # Killed by pid; it may take a moment to be reaped by init.
    deadline = time.monotonic() + 5
    while _sleepers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sleepers() == []


def test_a_session_that_stops_its_children_passes(tmp_path: Path) -> None:
    done = _inner_pytest(tmp_path, TIDY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "LEFTOVER PROCESSES" not in done.stdout
