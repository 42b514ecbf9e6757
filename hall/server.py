"""Run the hall app under uvicorn, in a background thread (tests, the demo) or in the foreground.

:class:`HallServer` binds its listening socket itself before uvicorn starts, so port 0 gives a
real free port that is known (``.url``) before the first request, and ``start()`` returns only
once uvicorn has finished its startup and is accepting connections — tests never race the server.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from hall.app import create_app

# An ASGI app wrapper (middleware): tests put faults between uvicorn and the hall with it.
AppWrapper = Callable[[Any], Any]

log = logging.getLogger(__name__)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0 = any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it every keep-alive request waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # Same as uvicorn: a restarted hall can take its port back while old connections sit in
    # TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def make_config(
    db: Path | str,
    *,
    access_log: bool = False,
    wrap: AppWrapper | None = None,
    app_options: Mapping[str, Any] | None = None,
) -> uvicorn.Config:
    """uvicorn settings for the hall on ``db`` (a SQLite file or a database URL);
    ``app_options`` go to :func:`hall.app.create_app` (a fake clock, a cheap password hasher)."""
    app: Any = create_app(db, **(app_options or {}))
    if wrap is not None:
        app = wrap(app)
    # log_config=None: uvicorn must not replace the process's logging setup with its own.
    return uvicorn.Config(
        app,
        log_config=None,
        access_log=access_log,
        lifespan="on",
        # C parser and loop, by name rather than uvicorn's "auto" (which falls back to h11 and
        # asyncio when they are missing): the tests' hostile requests meet the parser the hall
        # serves with, and a hall without them fails at start, not at 70% of its heartbeat rate.
        http="httptools",
        loop="uvloop",
        timeout_graceful_shutdown=2,
        # The hall reads X-Forwarded-For itself, from configured proxies only
        # (hall.client_address); uvicorn's own handling believes any local caller.
        proxy_headers=False,
    )


class _NotifyingServer(uvicorn.Server):
    """A uvicorn server that says when its startup is complete."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self._ready.set()


class HallServer:
    """The hall on ``host:port`` in a daemon thread; a context manager.

    ``db_path`` is a SQLite file or a database URL (``postgresql+psycopg://…``); ``wrap`` puts an
    ASGI middleware around the app (fault injection in tests); further keyword arguments go to
    :func:`hall.app.create_app` (``clock=``, ``password_hasher=``, …).
    """

    def __init__(
        self,
        db_path: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        wrap: AppWrapper | None = None,
        **app_options: Any,
    ) -> None:
        self.app_options = app_options
        self.db_path: Path | str = (
            db_path if isinstance(db_path, str) and "://" in db_path else Path(db_path)
        )
        self._wrap = wrap
        self.host = host
        self.port = port
        self.url = ""
        # The ASGI app being served once started (the wrapper, when ``wrap`` is given): tests
        # read the hall's in-memory state (its attempt limits) through ``app.state``.
        self.app: Any = None
        self._ready = threading.Event()
        self._server: _NotifyingServer | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    def start(self, timeout_s: float = 10.0) -> HallServer:
        """Start serving; return when requests are accepted. Raises if it cannot start."""
        if self._thread is not None:
            raise RuntimeError("HallServer already started")
        self._ready = threading.Event()
        sock = bind_socket(self.host, self.port)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self.url = url_for(sock)
        try:
            server = _NotifyingServer(
                make_config(self.db_path, wrap=self._wrap, app_options=self.app_options),
                self._ready,
            )
        except BaseException:
            self.stop()
            raise
        self._server = server
        self.app = server.config.app
        self._thread = threading.Thread(
            target=self._serve, args=(server, sock), name="hall-server", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout_s) or not server.started:
            self.stop()
            raise RuntimeError(f"hall did not start on {self.url} (see log)")
        log.info("hall serving on %s (db %s)", self.url, self.db_path)
        return self

    def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            server.run(sockets=[sock])
        except BaseException:
            # uvicorn reports a failed startup with sys.exit(); in a thread that would vanish
            # silently, so log it and let start() see `started` is still False.
            log.exception("hall server stopped with an error")
        finally:
            self._ready.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop serving and join the thread; open connections get a short grace period."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("hall server thread did not stop within %.1f s", timeout_s)
        if self._sock is not None:
            self._sock.close()
        self._server = None
        self._thread = None
        self._sock = None

    def __enter__(self) -> HallServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
