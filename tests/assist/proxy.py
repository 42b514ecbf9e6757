"""A loopback TCP relay that a test can cut: the network blip, at the OS edge.

``TcpProxy(target_port)`` listens on 127.0.0.1; every accepted connection is piped to the
target. ``cut()`` drops every live connection at once and refuses new ones until ``restore()``,
as a switch that reboots or a Wi-Fi that drops would.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.support.loopback_listener import LoopbackListener


class TcpProxy(LoopbackListener):
    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._lock = threading.Lock()
        self._live: list[socket.socket] = []
        self._open = True
        self.connections = 0
        super().__init__()

    def accepted(self, client: socket.socket) -> None:
        with self._lock:
            if not self._open:
                client.close()
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target), timeout=5)
            except OSError:
                client.close()
                return
            upstream.settimeout(None)
            self._live += [client, upstream]
            self.connections += 1
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every live connection and refuse new ones."""
        with self._lock:
            self._open = False
            live, self._live = self._live, []
        for s in live:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        self.cut()
        super().close()
