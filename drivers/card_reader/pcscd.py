"""Starting and stopping Debian's pcscd for tests and the demo (production runs it as a service).

`PcscdProcess` runs ``pcscd --foreground`` as a child (so it dies with its owner and never
daemonises out of reach), waits until a PC/SC context can be established, and stops it by its
own pid. If the binaries are missing it fails with the exact apt command instead of skipping.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
APT_COMMAND = (
    "apt-get update && apt-get install -y --no-install-recommends "
    "pcscd libpcsclite-dev vsmartcard-vpcd"
)


class PcscdMissing(RuntimeError):
    """pcscd or vsmartcard-vpcd is not installed; the message holds the apt command."""


def pcscd_binary() -> str:
    found = shutil.which("pcscd") or (
        "/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists() else None
    )
    missing = []
    if found is None:
        missing.append("pcscd")
    if not VPCD_DRIVER.exists() or not VPCD_CONF.exists():
        missing.append("vsmartcard-vpcd")
    if missing or found is None:
        raise PcscdMissing(f"missing {', '.join(missing)}; install with: {APT_COMMAND}")
    return found


def service_available() -> bool:
    """True if a pcscd answers (establishing a context works)."""
    from smartcard import scard

    try:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    except scard.error:
        return False
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    scard.SCardReleaseContext(context)
    return True


_LISTEN, _TIME_WAIT = "0A", "06"  # socket states as /proc/net/tcp writes them


def _tcp_ports(state: str | None) -> set[int]:
    """Local TCP ports in /proc/net/tcp{,6}: in ``state``, or (None) in any state but TIME_WAIT,
    which vpcd's SO_REUSEADDR bind gets past."""
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) <= 3:
                    continue
                if fields[3] == state or (state is None and fields[3] != _TIME_WAIT):
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def vpcd_listening() -> bool:
    """Does vpcd wait for a card on its reader-0 port? Read from the kernel's socket table, not
    by connecting: vpcd would take a connection for a card."""
    from drivers.card_reader.vpcd_card import VPCD_PORT

    return VPCD_PORT in _tcp_ports(_LISTEN)


def _vpcd_port_busy() -> bool:
    """Another socket (say, a client that drew vpcd's port as its ephemeral port) holds it, so
    vpcd's bind inside a new pcscd would fail and the reader would silently not exist."""
    from drivers.card_reader.vpcd_card import VPCD_PORT

    return VPCD_PORT in _tcp_ports(None)


class PcscdProcess:
    """A pcscd child process. `start()` is a no-op if one is already serving (`owned` False)."""

    def __init__(self, *, debug: bool = False, log_path: Path | None = None) -> None:
        self._debug = debug
        self._log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self.owned = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self, timeout_s: float = 10.0) -> PcscdProcess:
        if service_available():
            log.info("pcscd already running; using it")
            return self
        vpcd = VPCD_CONF.exists()
        for attempt in range(3):
            if vpcd:
                # vpcd's port sits in the ephemeral range: wait until no socket holds it.
                deadline = time.monotonic() + timeout_s
                while _vpcd_port_busy() and time.monotonic() < deadline:
                    time.sleep(0.1)
            self._start_once(timeout_s)
            if not vpcd:
                return self
            deadline = time.monotonic() + 3.0
            while not vpcd_listening() and time.monotonic() < deadline:
                time.sleep(0.05)
            if vpcd_listening():
                return self
            log.warning("pcscd up but vpcd not listening (attempt %d); restarting", attempt + 1)
            self.stop()
        raise RuntimeError("pcscd started, but vpcd never listened on its port")

    def _start_once(self, timeout_s: float) -> None:
        binary = pcscd_binary()
        args = [binary, "--foreground"]
        if self._debug:
            args += ["--debug", "--apdu"]
        out = open(self._log_path, "ab") if self._log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        finally:
            if self._log_path:
                out.close()  # type: ignore[union-attr]
        self.owned = True
        deadline = time.monotonic() + timeout_s
        while not service_available():
            if self._proc.poll() is not None:
                raise RuntimeError(f"pcscd exited with status {self._proc.returncode} at start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pcscd did not come up within {timeout_s:g} s")
            time.sleep(0.05)
        log.info("pcscd started (pid %d)", self._proc.pid)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the pcscd this object started (SIGTERM, then SIGKILL); others are left alone."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout_s)
        # A killed pcscd leaves its socket and pid file; a new one removes stale ones itself,
        # but clients probing the socket path would be misled meanwhile.
        if proc.returncode not in (0, -15):
            with contextlib.suppress(OSError):
                SOCKET.unlink()
        log.info("pcscd stopped (pid %d, status %s)", proc.pid, proc.returncode)

    def kill(self) -> None:
        """SIGKILL, as a crash would (for the restart test)."""
        if self._proc is not None:
            os.kill(self._proc.pid, 9)
            self._proc.wait(10)
            self._proc = None
            with contextlib.suppress(OSError):
                SOCKET.unlink()

    def __enter__(self) -> PcscdProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
