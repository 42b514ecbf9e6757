"""The pcscd helper reads the kernel's socket table to see whether vpcd listens (a probe
connection would look like a card to vpcd) and whether something else holds its port."""

from __future__ import annotations

import socket

from drivers.card_reader.pcscd import _LISTEN, _tcp_ports


def test_listening_and_connected_ports_are_seen() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port in _tcp_ports(_LISTEN)
        with socket.create_connection(("127.0.0.1", port)) as client:
            ephemeral = client.getsockname()[1]
            assert ephemeral in _tcp_ports(None)  # a client's port blocks a bind there
            assert ephemeral not in _tcp_ports(_LISTEN)
    assert port not in _tcp_ports(_LISTEN)
