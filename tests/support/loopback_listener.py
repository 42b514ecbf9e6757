"""A TCP listener on 127.0.0.1 for the tests' own network parts (a proxy that can be cut, an
HTTP server that drops requests): an ephemeral port, an accept thread, ``close()``."""

from __future__ import annotations

import socket
import threading


class LoopbackListener:
    """Hands each accepted connection to :meth:`accepted` on the accept thread. A subclass sets
    its own state before calling ``super().__init__()``: the thread starts there."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.port: int = self._listener.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept, daemon=True)
        self._accept_thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def accepted(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            self.accepted(conn)

    def close(self) -> None:
        self._listener.close()
