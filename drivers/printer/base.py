"""The receipt printer role: the Receipt value (built by the core), the Protocols, its errors.

`ReceiptPrinter` is what every backend offers. `RecoverableReceiptPrinter` adds the reprint
journal of the ESC/POS backends: a receipt that did not come out whole (refused for paper out or
an open cover, cut short by paper running out or a dropped connection) is kept, and printed in
full exactly once when the printer is back, unless the session discards it first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from drivers.errors import PrinterError
from drivers.health import Health


class CutterError(PrinterError):
    """The autocutter jammed (DLE EOT 3, bit 3): the paper cannot be cut until staff clear it."""

    code = "PRINTER_CUTTER_ERROR"


@dataclass(frozen=True, slots=True)
class ReceiptCode:
    """A further QR code at the foot of a receipt (the enterprise's 一企一码): a bold heading,
    lines above the symbol, a caption under it. Printed smaller than the receipt's own QR.

    The caption's phrases print as one line where the roll is wide enough, else one a line
    (never broken inside a phrase's parenthesis)."""

    heading: str
    payload: str
    lines: tuple[str, ...] = ()
    caption: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Receipt:
    """A receipt in domain terms; the core fills it, a backend lays it out for its device.

    No personal data goes on a receipt beyond what the walk-in needs (a masked name at most).
    """

    title: str
    station_name: str
    service_name: str
    tracking_number: str
    issued_at: str
    lines: tuple[str, ...] = ()
    qr_payload: str = ""
    footer: tuple[str, ...] = field(default_factory=tuple)
    codes: tuple[ReceiptCode, ...] = ()  # after the footer, each under a rule


@runtime_checkable
class ReceiptPrinter(Protocol):
    """Prints receipts. Blocking; run off the GUI thread."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt or raise PaperOut / CoverOpen / PrinterUnavailable."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


@runtime_checkable
class RecoverableReceiptPrinter(ReceiptPrinter, Protocol):
    """A ReceiptPrinter that keeps a receipt that failed to print whole, to reprint it once."""

    def pending_reprint(self) -> Receipt | None:
        """The receipt waiting to be printed again, if any (no I/O)."""
        ...

    def reprint_if_pending(self) -> bool:
        """Print the pending receipt in full if the printer is ready now.

        False (no I/O) when nothing is pending; True once it printed whole; raises the printer's
        error (PaperOut, CoverOpen, ...) while it is still not ready, keeping the receipt pending.
        Serialised with jobs: two callers can never print it twice.
        """
        ...

    def discard_pending(self) -> None:
        """Forget the pending receipt (the walk-in has left); no I/O, never blocks."""
        ...

    def check_status(self) -> object:
        """One status round trip; updates health() and tells the health listeners."""
        ...

    def add_health_listener(self, listener: Callable[[Health], None]) -> Callable[[], None]:
        """Call `listener(health)` on every change (from the I/O thread); returns an unsubscribe."""
        ...
