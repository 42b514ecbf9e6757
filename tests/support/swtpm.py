"""A real software TPM 2.0 for tests: Debian's ``swtpm`` on two free loopback ports.

Each :class:`SoftwareTpm` is one machine's TPM: its state folder holds the seeds it made at
first start, so the same folder started again is the same TPM (after a reboot), and another
folder is another machine's TPM. ``--flags not-need-init,startup-clear`` makes swtpm power on and
run TPM2_Startup itself, so the code under test talks to it like to ``/dev/tpmrm0``. The process
is stopped by its own pid.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

START_TIMEOUT_S = 10.0


def free_port_pair() -> int:
    """A port P with P and P+1 both free on 127.0.0.1 (swtpm's server and control ports)."""
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = int(a.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no two adjacent free ports on 127.0.0.1")


class SoftwareTpm:
    """``swtpm socket --tpm2`` with its state in ``state_dir``; a context manager."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def tcti(self) -> str:
        """The TCTI string tpm2-pytss and tpm2-tools take for this TPM."""
        return f"swtpm:host=127.0.0.1,port={self.port}"

    def start(self) -> SoftwareTpm:
        binary = shutil.which("swtpm")
        if binary is None:
            raise RuntimeError("swtpm is not installed (apt-get install swtpm swtpm-tools)")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(5):  # another process may take a port between the probe and the bind
            self.port = free_port_pair()
            log = self.state_dir.parent / f"{self.state_dir.name}.swtpm.log"
            # fmt: off
            command = [
                binary, "socket", "--tpm2",
                "--server", f"type=tcp,port={self.port},bindaddr=127.0.0.1",
                "--ctrl", f"type=tcp,port={self.port + 1},bindaddr=127.0.0.1",
                "--tpmstate", f"dir={self.state_dir}",
                "--flags", "not-need-init,startup-clear",
                "--log", f"file={log}",
            ]
            # fmt: on
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_listening():
                return self
            self.stop()
        raise RuntimeError(f"swtpm did not start (see {self.state_dir.name}.swtpm.log)")

    def _wait_listening(self) -> bool:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            # The control port answers once the TPM is up; probing it leaves the server port's
            # one client slot to the code under test.
            try:
                with socket.create_connection(("127.0.0.1", self.port + 1), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Power off: SIGTERM by pid (swtpm keeps its state in the folder), SIGKILL if stuck."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> SoftwareTpm:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
