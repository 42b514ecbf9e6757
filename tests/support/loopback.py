"""HTTP sessions that come from another loopback address (127.0.0.2, 127.0.0.3 …).

Linux routes all of 127.0.0.0/8 to the loopback interface, so a test can play a second client
machine, or a reverse proxy that is not on 127.0.0.1, against a hall listening on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter


class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source: str) -> requests.Session:
    """A requests session whose connections leave from ``source`` (a 127.x.y.z address)."""
    session = requests.Session()
    adapter = _SourceAddressAdapter(source)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
