"""Who is on the other end: the one place the hall decides a request's client address.

Everything that keys on the address (login and enrolment-code limits, audit rows) calls
:func:`client_address`. The TCP peer is the answer unless that peer is one of the hall's
configured ``trusted_proxies`` (``python -m hall --trusted-proxy 10.0.0.5``; default none): only
then is ``X-Forwarded-For`` read, right to left, skipping further trusted proxies, and the first
address not among them is the client. A header from anyone else is ignored, so a caller cannot
pick a fresh address per request. uvicorn's own proxy-header handling is switched off
(:func:`hall.server.make_config`): it trusts 127.0.0.1 by default, which let any local caller
choose its address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final

from starlette.requests import HTTPConnection

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN: Final = "-"


class TrustedProxies:
    """The proxy addresses (or networks) whose ``X-Forwarded-For`` the hall believes."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        # ValueError for a bad entry: the operator finds out at start, not on the first request.
        self.networks: tuple[IpNetwork, ...] = tuple(
            ipaddress.ip_network(entry.strip(), strict=False) for entry in entries
        )

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, address: IpAddress) -> bool:
        return any(address in network for network in self.networks)


NO_PROXIES: Final = TrustedProxies()


def _parse(text: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def resolve(peer: str | None, forwarded_for: list[str], proxies: TrustedProxies) -> str:
    """The client address given the TCP ``peer``, the ``X-Forwarded-For`` values in order and
    the trusted proxies (pure, for :func:`client_address`)."""
    if not peer:
        return UNKNOWN
    current = _parse(peer)
    if current is None or not proxies.trusts(current):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A hop we cannot read was written by someone we do not trust: stop at the last
            # address a trusted proxy vouched for.
            break
        current = address
        if not proxies.trusts(address):
            break
    return str(current)


def client_address(connection: HTTPConnection) -> str:
    """The address of the client behind ``connection`` (a request or a WebSocket)."""
    proxies: TrustedProxies = connection.app.state.trusted_proxies
    peer = connection.client.host if connection.client else None
    return resolve(peer, connection.headers.getlist("x-forwarded-for"), proxies)
