"""systemd readiness and watchdog notifications (``sd_notify``), spoken directly, without Qt.

systemd runs the kiosk inside ``cage`` with ``Type=notify``, ``NotifyAccess=all`` and
``WatchdogSec``: the kiosk says ``READY=1`` once its first frame is on the glass and then
``WATCHDOG=1`` at half the watchdog interval from a timer on the GUI thread, so a hung event loop
stops the pings and systemd restarts the whole unit. The protocol is one datagram per message to
the AF_UNIX socket named by ``$NOTIFY_SOCKET`` (a leading ``@`` means Linux's abstract namespace);
no dependency needed. Without ``$NOTIFY_SOCKET`` (tests, the demo, a developer's desktop) every
function is a no-op.

``WATCHDOG_PID`` is deliberately not checked (``sd_watchdog_enabled`` would): systemd sets it to
the unit's main PID, which is ``cage``, while the pings come from its child, the Python process.
``NotifyAccess=all`` is what lets systemd accept them.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def _address(env: Mapping[str, str]) -> str | None:
    """The socket address from ``$NOTIFY_SOCKET``: a path, or an abstract name as ``\\0name``."""
    path = env.get("NOTIFY_SOCKET", "")
    if not path:
        return None
    if path.startswith("@"):
        return "\0" + path[1:]
    if path.startswith("/"):
        return path
    # systemd >= 254 can also name a vsock address; a kiosk on Debian 12 never gets one.
    log.warning("NOTIFY_SOCKET %r is not an AF_UNIX address; notifications disabled", path)
    return None


def notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    """Send one ``KEY=VALUE`` message (lines separated by newlines). True when it was sent.

    A failure is logged, never raised: a kiosk must not stop serving walk-ins because systemd
    could not be told something (the watchdog will act if it is really hung).
    """
    address = _address(os.environ if env is None else env)
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), address)
    except OSError as exc:
        log.warning("sd_notify %s failed: %s", message.split("=", 1)[0], exc)
        return False
    return True


def notify_ready(env: Mapping[str, str] | None = None) -> bool:
    """Tell systemd the kiosk is up (``Type=notify`` units count as started from here)."""
    return notify("READY=1\nSTATUS=attract screen shown", env)


def notify_watchdog(env: Mapping[str, str] | None = None) -> bool:
    """One watchdog keep-alive."""
    return notify("WATCHDOG=1", env)


def notify_stopping(env: Mapping[str, str] | None = None) -> bool:
    """Tell systemd a clean shutdown has begun (so a slow exit is not taken for a hang)."""
    return notify("STOPPING=1", env)


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """How often to ping: half of ``$WATCHDOG_USEC`` (as systemd recommends), in seconds.

    None when there is no watchdog (unset, empty, zero or not a number) or nowhere to send to.
    """
    env = os.environ if env is None else env
    if _address(env) is None:
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    return usec / 2 / 1_000_000
