"""The card reader role: values, the Protocol every backend implements.

`Identity` is what any card yields; `card_type` names its source: ``resident_id`` (GA/T 467),
``hmt_residence_permit`` (港澳台居民居住证, flag J), ``foreign_permanent_resident`` (flags I and Y),
``social_security`` (社保卡 over PC/SC) and ``emrtd`` (passport/travel permit chip). `CardEvent`s
(card placed/lifted, reader plugged/unplugged) go out through a listener callback that the UI
bridge re-emits as queued Qt signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from drivers.card_reader.mrz import MrzKey
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
    # "wlt" (GA/T 467 compressed, needs a vendor decoder), "bmp", "jpeg", "jp2" or "" (none).
    photo_format: str = ""
    english_name: str = ""  # permits and passports
    nationality: str = ""  # ISO 3166 alpha-3 (permits, passports); resident IDs leave it empty
    pass_number: str = ""  # J permit: the 通行证 number; eMRTD: empty (id_number is the doc no.)
    issue_count: str = ""  # J permit 签发次数 / Y card renewal count
    appended_address: str = ""  # GA/T 467 追加住址, when asked for and present
    card_number: str = ""  # the card's own number when it differs from id_number (社保卡卡号)

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


@runtime_checkable
class MrzCardReader(CardReader, Protocol):
    """A reader that opens a passport or travel-permit chip (eMRTD, BAC) with the MRZ key the
    walk-in typed in: a contactless (ISO 14443) reader, hence ``read_uid``.

    ``isinstance`` against a runtime-checkable Protocol only sees member names, and every reader
    has ``read_identity``; ``read_uid`` is what tells a contactless reader from a GA/T 467 one.
    """

    def read_identity(self, timeout_s: float, mrz: MrzKey | None = None) -> Identity:
        """As CardReader.read_identity; with ``mrz``, the chip is opened with that key."""
        ...

    def read_uid(self, timeout_s: float) -> object:
        """The contactless card's UID and ATR, without reading any file."""
        ...


class CardEventKind(StrEnum):
    CARD_PLACED = "card_placed"
    CARD_REMOVED = "card_removed"
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    # After any read (or a failed one) a GA/T 467 card must be lifted before it can be read again.
    REPLACE_CARD = "replace_card"


@dataclass(frozen=True, slots=True)
class CardEvent:
    """A fact about the reader, never personal data: safe to log and to send to the UI."""

    kind: CardEventKind
    reader: str = ""


CardEventListener = Callable[[CardEvent], None]


class PhotoDecoder(Protocol):
    """Turns a card's compressed photo (GA/T 467 WLT, 1024 bytes) into an image file's bytes.

    No decoder ships: the WLT codec is licensed per vendor. Plug one in through the reader option
    ``photo_decoder = "package.module:factory"``; raise ValueError on data it cannot decode.
    """

    @property
    def output_format(self) -> str:
        """e.g. "bmp" or "png"; becomes Identity.photo_format."""
        ...

    def decode(self, data: bytes) -> bytes: ...
