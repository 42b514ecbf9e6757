"""The receipt printer role: the Receipt value (built by the core) and the Protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from drivers.health import Health


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


@runtime_checkable
class ReceiptPrinter(Protocol):
    """Prints receipts. Blocking; run off the GUI thread."""

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt or raise PaperOut / CoverOpen / PrinterUnavailable."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...
