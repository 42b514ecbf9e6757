"""The seam between the hall's notification dispatcher and whatever carries an SMS.

Two backends implement :class:`SmsBackend`: :class:`hall.sms_smpp.SmppSmsBackend` (SMPP 3.4 to
the district's SMS centre, or to the shipped simulator :mod:`hall.smsc_sim`) and
:class:`hall.sms_gateway.HttpsSmsBackend` (an HTTPS SMS web service). The dispatcher sees only
this module's values and error tree::

    SmsError
    ├── SmsThrottled     the carrier asks us to slow down (ESME_RTHROTTLED, HTTP 429): retry later
    ├── SmsUnavailable   no link, link lost, carrier down or answering garbage: retry later
    │   └── SmsInDoubt   the link died between a part's submission and its answer: the carrier
    │                    may have taken it (the dispatcher waits for a receipt before resending)
    └── SmsRefused       this message will never go (bad number, refused number): give up on it

A message is sent in parts (an SMPP concatenated SMS; one part for a web gateway); each accepted
part is reported at once through ``on_part`` so the dispatcher can store its message id before
the next part goes (and, with the last part, that the message is sent), and a retry sends only
the parts not yet accepted. A backend whose submission can be taken with its answer lost and no
way to ask again (SMPP) first reports each part through ``on_submit`` with the reference the
carrier will echo in that part's delivery receipt (:func:`user_reference`), so the dispatcher can
hold it "in flight" durably and, after a crash, recognise its receipt instead of sending it again.
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


class SmsInDoubt(SmsUnavailable):
    """The link was lost after a part was submitted and before its answer: maybe taken."""


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
    number: str = ""  # the handset it is from (11 digits), when the carrier says
    user_ref: int | None = None  # the reference the part was submitted with, when echoed


def user_reference(ref: int, part: int) -> int:
    """The 16-bit reference part ``part`` of message ``ref`` is submitted with, on every attempt.

    The high octet is the queue sequence modulo 256 (as the concatenation reference), the low one
    the part number: only one part per number is ever in flight, and a receipt is matched on the
    number too, so two messages to one number 256 apart never meet in doubt.
    """
    return (ref % 256) << 8 | part % 256


PartAccepted = Callable[[int, str, bool], None]  # (part number, message id, the last part?)
SubmitStarting = Callable[[int, int], None]  # (part number, its user reference): about to go
ReceiptHandler = Callable[[DeliveryReceipt], None]


@runtime_checkable
class SmsBackend(Protocol):
    name: str

    def send(
        self,
        sms: OutgoingSms,
        on_part: PartAccepted,
        on_receipt: ReceiptHandler,
        on_submit: SubmitStarting | None = None,
    ) -> None:
        """Send every part of ``sms`` not in ``sms.accepted``; raises :class:`SmsError`.

        Receipts of earlier messages that arrive meanwhile go to ``on_receipt``. ``on_submit``
        hears of each part just before it goes, when the backend correlates receipts (SMPP).
        """
        ...

    def open(self) -> None:
        """Have the link up now, to hear receipts with nothing to send; raises :class:`SmsError`."""
        ...

    def idle(self, seconds: float, on_receipt: ReceiptHandler) -> None:
        """Wait up to ``seconds`` while serving the link (receipts, keep-alive)."""
        ...

    def close(self) -> None: ...
