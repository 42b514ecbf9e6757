"""The client address behind a request: X-Forwarded-For counts only from a trusted proxy."""

from __future__ import annotations

import contextlib
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.client_address import TrustedProxies, resolve

PROXIES = TrustedProxies(["10.0.0.5", "192.168.8.0/24"])


@given(header=st.lists(st.text(max_size=60), max_size=4))
def test_an_untrusted_peer_is_the_client_whatever_it_sends(header: list[str]) -> None:
    assert resolve("203.0.113.7", header, PROXIES) == "203.0.113.7"
    assert resolve("127.0.0.1", header, TrustedProxies()) == "127.0.0.1"


@given(header=st.lists(st.text(max_size=60), max_size=4))
def test_a_trusted_peer_yields_an_address_it_or_a_proxy_vouched_for(header: list[str]) -> None:
    found = resolve("10.0.0.5", header, PROXIES)
    # Always an address (never the header's free text): the peer's or one a hop named.
    named = set()
    for hop in (h for value in header for h in value.split(",")):
        with contextlib.suppress(ValueError):
            named.add(str(ipaddress.ip_address(hop.strip())))
    assert found in named | {"10.0.0.5"}


@pytest.mark.parametrize(
    ("header", "client"),
    [
        ([], "10.0.0.5"),
        (["198.51.100.1"], "198.51.100.1"),
        (["1.2.3.4, 198.51.100.1"], "198.51.100.1"),  # the left hop is the client's own claim
        (["198.51.100.1, 192.168.8.20"], "198.51.100.1"),  # a second trusted proxy is skipped
        (["198.51.100.1", "192.168.8.20"], "198.51.100.1"),  # the header sent twice
        (["junk, 192.168.8.20"], "192.168.8.20"),  # stop at the last hop a proxy vouched for
        (["192.168.8.20"], "192.168.8.20"),
    ],
)
def test_forwarded_hops_are_read_right_to_left(header: list[str], client: str) -> None:
    assert resolve("10.0.0.5", header, PROXIES) == client


def test_a_bad_proxy_entry_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        TrustedProxies(["not-an-address"])
