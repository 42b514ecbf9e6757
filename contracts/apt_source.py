"""What the hall's apt repository and a station agree on (issue 20, updates).

The hall serves a signed apt repository at ``/apt/`` (:mod:`hall.apt_repo`): the suite
:data:`SUITE` holds the newest of each package, and every published version stays installable in
its own signed snapshot suite, :func:`pin_suite`. Its public key reaches the station once, in the
enrolment answer (:class:`AptKey`, field ``apt``), where the station pins it
(:mod:`kiosk.updater`). The console pins a station to a version; the heartbeat answer then
carries ``"software": {"pin": "1.2.0"}`` (:class:`SoftwareAnswer`; no ``software`` field: no
pin).
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StrictStr

SUITE: Final = "stable"
COMPONENT: Final = "main"
KIOSK_PACKAGE: Final = "qihang-kiosk"
REPO_PATH: Final = "/apt"
# Debian's version syntax (an epoch and a revision allowed), bounded.
VERSION_PATTERN: Final = r"^(?:[0-9]{1,4}:)?[0-9][A-Za-z0-9.+~-]{0,62}$"
_VERSION: Final = re.compile(VERSION_PATTERN, re.ASCII)
Version = Annotated[StrictStr, Field(pattern=VERSION_PATTERN)]


def version_ok(version: object) -> bool:
    return isinstance(version, str) and _VERSION.fullmatch(version) is not None


def snapshot_name(package: str, version: str) -> str:
    """The frozen suite of one published version (an epoch's ``:`` is no path character)."""
    return f"{package}-{version.replace(':', '_')}"


def pin_suite(package: str, version: str) -> str:
    """The apt suite a station pinned to ``version`` adds to its source."""
    return f"{SUITE}/snapshots/{snapshot_name(package, version)}"


class AptKey(BaseModel):
    """The enrolment answer's ``apt``: the repository's armoured public key and fingerprint."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Annotated[StrictStr, Field(min_length=100, max_length=16_000)]
    fingerprint: Annotated[StrictStr, Field(pattern=r"^[0-9A-F]{40}$")]
    path: Annotated[StrictStr, Field(pattern=r"^/[a-z0-9/_-]{1,64}$")] = REPO_PATH


class SoftwareAnswer(BaseModel):
    """The heartbeat answer's ``software``: the version this station is pinned to."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    pin: Version | None = None
