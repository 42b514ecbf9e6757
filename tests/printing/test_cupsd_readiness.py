"""The private CUPS scheduler's readiness check: a cupsd that dies is reported with its own words.

Debian's cupsd 2.4.2-3+deb12u11 rejects a bare `Printcap` line and exits; the fixture used to
keep polling `lpstat -r` (which exits 0 while printing "scheduler is not running") and the
first sign was lpadmin's "Bad file descriptor". Here a real cupsd gets that config.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from tests.printing.conftest import (
    STARTUP_LIMIT_S,
    CupsdFailed,
    start_cupsd,
    stop_cupsd,
    wait_until_ready,
    write_config,
)


def test_a_cupsd_that_rejects_its_config_fails_readiness_with_its_error() -> None:
    if shutil.which("cupsd") is None:
        pytest.fail("cupsd is not installed: run `make test` (packaging/system-deps.sh)")
    root = Path(tempfile.mkdtemp(prefix="qihang-cups-bad-"))
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        write_config(root, port)
        files = root / "cups-files.conf"
        files.write_text(files.read_text().replace("Printcap /dev/null", "Printcap"))
        proc = start_cupsd(root)
        try:
            env = {"CUPS_SERVER": f"127.0.0.1:{port}", "LC_ALL": "C", "PATH": "/usr/bin:/bin"}
            with pytest.raises(CupsdFailed) as failed:
                wait_until_ready(proc, root, env, STARTUP_LIMIT_S)
        finally:
            stop_cupsd(proc)
        # "exited", not "not ready after": the death was noticed, not waited out.
        assert "cupsd exited with" in str(failed.value)
        assert "Missing value for Printcap" in str(failed.value)
    finally:
        shutil.rmtree(root, ignore_errors=True)
