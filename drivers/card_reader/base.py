"""The card reader role: values, the Protocol every backend implements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from drivers.health import Health


@dataclass(frozen=True, slots=True)
class Identity:
    """What a card says about its holder. Personal data: lives only in SessionContext."""

    name: str
    id_number: str
    sex: str = ""
    nation: str = ""
    birth_date: dt.date | None = None
    address: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None  # None = long-term (长期)
    card_type: str = "resident_id"
    photo: bytes = field(default=b"", repr=False)

    def __repr__(self) -> str:  # never leak personal data into logs or tracebacks
        return f"Identity(card_type={self.card_type!r}, <redacted>)"

    def is_expired(self, today: dt.date) -> bool:
        return self.valid_to is not None and self.valid_to < today


@runtime_checkable
class CardReader(Protocol):
    """Reads an identity from whatever card the walk-in places. Blocking; run off the GUI thread."""

    def read_identity(self, timeout_s: float) -> Identity:
        """Wait up to timeout_s for a card and read it. Raises NoCard, CardReadFailed, ..."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...
