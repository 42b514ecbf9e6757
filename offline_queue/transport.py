"""What the outbox sender needs from the hall, as a Protocol, and the answer value it gets back.

Kept apart from ``sender.py`` so the hall client (``kiosk/hall_client.py``) can return
:class:`Answer` without importing the outbox and its SQLite stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Answer:
    """The hall's answer to one request: the HTTP status and, for 429/503, its Retry-After."""

    status: int
    retry_after_s: float | None = None


class HallTransport(Protocol):
    """The hall as the sender sees it; network failures raise ``OSError`` (``ConnectionError``,
    ``TimeoutError``), HTTP statuses come back as answers (a bare ``int`` is accepted too)."""

    def post_submission(self, body: dict[str, Any]) -> Answer | int: ...

    def put_blob(self, sha256: str, data: bytes) -> Answer | int: ...
