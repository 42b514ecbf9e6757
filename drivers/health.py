"""Device health as every driver reports it: a level plus a failure code for technicians."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HealthLevel(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Health:
    """One device's health. `code` is a FailureReason-style code (e.g. PRINTER_PAPER_OUT)."""

    level: HealthLevel
    code: str = ""
    detail: str = ""

    @classmethod
    def ok(cls) -> Health:
        return cls(HealthLevel.OK)

    @classmethod
    def down(cls, code: str, detail: str = "") -> Health:
        return cls(HealthLevel.DOWN, code, detail)

    @classmethod
    def degraded(cls, code: str, detail: str = "") -> Health:
        return cls(HealthLevel.DEGRADED, code, detail)
