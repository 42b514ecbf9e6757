"""The seam between the hall's notification dispatcher and whatever carries an SMS.

Two backends implement :class:`SmsBackend`: :class:`hall.sms_smpp.SmppSmsBackend` (SMPP 3.4 to
the district's SMS centre, or to the shipped simulator :mod:`hall.smsc_sim`) and
:class:`hall.sms_gateway.HttpsSmsBackend` (an HTTPS SMS web service). The dispatcher sees only
this module's values and error tree::

    SmsError
    ├── SmsThrottled     the carrier asks us to slow down (ESME_RTHROTTLED, HTTP 429): retry later
    ├── SmsUnavailable   no link, link lost, carrier down or answering garbage: retry later
    └── SmsRefused       this message will never go (bad number, refused number): give up on it

A message is sent in parts (an SMPP concatenated SMS; one part for a web gateway); each accepted
part is reported at once through ``on_part`` so the dispatcher can store its message id before
the next part goes (and, with the last part, that the message is sent), and a retry sends only
the parts not yet accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class SmsError(Exception):
    """Base of the errors a backend raises; vendor errors are chained as ``__cause__``."""


class SmsThrottled(SmsError):
    pass


class SmsUnavailable(SmsError):
    pass


class SmsRefused(SmsError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OutgoingSms:
    """One queued notification as a backend sees it.

    ``ref`` is stable across retries and restarts (the queue's sequence number): it picks the
    concatenation reference and the idempotency key, so a re-sent part is recognisably the same.
    ``accepted`` maps part number (1-based) to the message id the carrier gave it already.
    """

    ref: int
    to_number: str
    text: str
    accepted: Mapping[int, str]


@dataclass(frozen=True)
class DeliveryReceipt:
    message_id: str
    state: str  # DELIVRD, UNDELIV, EXPIRED, REJECTD, ...
    error: str


PartAccepted = Callable[[int, str, bool], None]  # (part number, message id, the last part?)
ReceiptHandler = Callable[[DeliveryReceipt], None]


@runtime_checkable
class SmsBackend(Protocol):
    name: str

    def send(self, sms: OutgoingSms, on_part: PartAccepted, on_receipt: ReceiptHandler) -> None:
        """Send every part of ``sms`` not in ``sms.accepted``; raises :class:`SmsError`.

        Receipts of earlier messages that arrive meanwhile go to ``on_receipt``.
        """
        ...

    def idle(self, seconds: float, on_receipt: ReceiptHandler) -> None:
        """Wait up to ``seconds`` while serving the link (receipts, keep-alive)."""
        ...

    def close(self) -> None: ...
