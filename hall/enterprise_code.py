"""一企一码: the token an enterprise's QR holds, MAC'd by the hall, revocable, never the USCC.

A token is ``QHE1.<token id>.<mac>``: the id names an ``enterprise_codes`` row (random, 16
characters), the MAC is the first 12 bytes of ``HMAC-SHA256(code key, "QHE1." + id)`` in
url-safe base64, the key the hall derives from its own secret (:class:`hall.register.
RegisterSecrets`). A token whose MAC does not match is forged (answered without a database
read); one whose row is gone is forged too; one whose row is revoked is revoked. Revoking a code
and issuing another is how a leaked QR is withdrawn: the enterprise keeps its record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Final

PREFIX: Final = "QHE1"
_MAC_BYTES: Final = 12
_TOKEN: Final = re.compile(r"QHE1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{16})")


class CodeForged(Exception):
    """Not a token this hall made (wrong form or MAC)."""


def new_token_id() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def _mac(code_key: bytes, token_id: str) -> str:
    digest = hmac.new(code_key, f"{PREFIX}.{token_id}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).decode("ascii")


def token_for(code_key: bytes, token_id: str) -> str:
    """The token (what the QR holds) for the code row ``token_id``."""
    return f"{PREFIX}.{token_id}.{_mac(code_key, token_id)}"


def token_id_of(code_key: bytes, token: str) -> str:
    """The code row a token names; :class:`CodeForged` when it is not one this hall made."""
    found = _TOKEN.fullmatch(token.strip())
    if found is None:
        raise CodeForged("not a 一企一码 token")
    token_id, mac = found.groups()
    if not hmac.compare_digest(_mac(code_key, token_id), mac):
        raise CodeForged("MAC does not match")
    return token_id
