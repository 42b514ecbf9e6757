"""SessionContext: the ONLY in-memory home of a walk-in's personal data.

Everything personal (identity, form answers, receipt details) is held here and nowhere else, so
that one ``wipe()`` at the end of every session path forgets it. Bridges read from it; they keep no
copies of their own.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from drivers.card_reader.base import Identity


@dataclass
class SessionContext:
    identity: Identity | None = None
    language: str = ""
    service_id: str = ""
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    helper_filled: set[str] = field(default_factory=set)
    submission_id: str = ""
    tracking_number: str = ""
    progress_url: str = ""
    print_status: str = ""  # "", "printing", "printed", or a FailureReason code
    failure: str = ""  # FailureReason code shown on the error screen

    def wipe(self) -> None:
        """Forget everything. Containers are cleared in place so no alias keeps old data alive."""
        self.values.clear()
        self.errors.clear()
        self.helper_filled.clear()
        for f in fields(self):
            setattr(self, f.name, _empty(f))

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) == _empty(f) for f in fields(self))

    def __repr__(self) -> str:  # never leak personal data into logs or tracebacks
        return f"SessionContext(service_id={self.service_id!r}, <redacted>)"


def _empty(f: Any) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default
