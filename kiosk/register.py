"""The enterprise register (企业档案, issue 17) from the kiosk's side: the station's look-ups.

After the ID card is read the kiosk asks the hall which enterprises the card holder may act for
(:data:`contracts.register.MINE_PATH`), or opens one by a scanned 一企一码 or e-licence QR, or a
typed USCC; later it reads the chosen enterprise's e-archive and fetches a document on file to
print. Every request is device signed (the runtime's :class:`kiosk.hall_client.HallClient`) and
carries the card holder as :func:`contracts.register.seal_holder`: the ID number sealed to the
hall's pinned key with this station's id, so only the hall opens it, for this station only.

:class:`Register` blocks (run it in the background); it raises :class:`RegisterRefused` with the
hall's reason code (mapped to the kiosk's translated words by the UI), ``ConnectionError`` /
``TimeoutError`` when the hall cannot be asked, :class:`kiosk.errors.HallRateLimited` on a 429.
Nothing here logs an answer, a name or a number, and nothing is cached: every walk-in asks anew.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from contracts.register import (
    ARCHIVE_PATH,
    BY_CODE_PATH,
    BY_USCC_PATH,
    DOCUMENTS_PATH,
    MINE_PATH,
    EnterpriseAnswer,
    MineAnswer,
    seal_holder,
)
from contracts.uscc import USCC_ALPHABET, uscc_check_char
from kiosk.uscc import HIGH_TECH_DISTRICT_REGION, uscc_from_qr

if TYPE_CHECKING:
    from contracts.sealing import HallPublicKey

log = logging.getLogger(__name__)

# call(path, body) -> (HTTP status, JSON object); document(path, body) -> (status, media type,
# bytes). Both block and raise ConnectionError/TimeoutError when the hall cannot be asked.
RegisterCall = Callable[[str, dict[str, Any]], tuple[int, Mapping[str, Any]]]
DocumentCall = Callable[[str, dict[str, Any]], tuple[int, str, bytes]]
# The card holder's ID number -> the sealed holder of one request.
Sealer = Callable[[str], str]

# A 一企一码 as its QR holds it (hall/enterprise_code.py), alone or inside a link.
_CODE = re.compile(r"QHE1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16}")
_USCC_CHARS: Final = frozenset(USCC_ALPHABET)


class RegisterRefused(Exception):
    """The hall (or the kiosk's own check) said no: ``code`` names why, with the hall's words.

    Codes: the hall's ``not_authorised``, ``no_authorised_people``, ``code_forged``,
    ``code_revoked``, ``uscc_invalid``, ``not_registered``, ``holder_invalid``; the kiosk's
    ``other_district`` (an e-licence of an enterprise registered elsewhere, not in the register),
    ``qr_foreign`` (a QR that holds neither), ``uscc_length``, ``uscc_characters``,
    ``uscc_check`` (typed, checked before asking), ``no_file`` (a document without a file).
    """

    def __init__(self, code: str, zh: str = "", en: str = "", status: int = 0) -> None:
        super().__init__(code)
        self.code, self.zh, self.en, self.status = code, zh, en, status


def no_hall(path: str, body: dict[str, Any]) -> tuple[int, Mapping[str, Any]]:
    """The register call while the runtime has no hall: it cannot be asked."""
    raise ConnectionError("no hall configured")


def no_documents(path: str, body: dict[str, Any]) -> tuple[int, str, bytes]:
    raise ConnectionError("no hall configured")


def sealer(key: HallPublicKey, station_id: str) -> Sealer:
    """Seal each request's card holder to the hall's pinned key, for this station."""
    return lambda id_number: seal_holder(key, station_id, id_number)


def uscc_problem(text: str) -> str:
    """Why a typed USCC cannot be one (GB 32100-2015), checked before the hall is asked: "" when
    it can, else ``uscc_length``, ``uscc_characters`` or ``uscc_check`` (wrong check character)."""
    code = text.strip().upper()
    if len(code) != 18:
        return "uscc_length"
    if any(ch not in _USCC_CHARS for ch in code):
        return "uscc_characters"  # I, O, S, V, Z are not used
    return "" if uscc_check_char(code[:17]) == code[17] else "uscc_check"


def read_qr(payload: str) -> tuple[str, str] | None:
    """What an enterprise QR holds: ``("code", token)`` for a 一企一码, ``("uscc", code)`` for
    an electronic business licence carrying the USCC; None for anything else."""
    found = _CODE.search(payload)
    if found is not None:
        return "code", found.group(0)
    uscc = uscc_from_qr(payload)
    return None if uscc is None else ("uscc", uscc)


def in_district(uscc: str) -> bool:
    """Whether the USCC's registering authority is this district's (positions 3-8)."""
    return uscc.strip().upper()[2:8] == HIGH_TECH_DISTRICT_REGION


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One line of an enterprise's e-archive (filing, demand, document issued, rating)."""

    kind: str
    at: str  # ISO 8601
    tracking_number: str
    title_zh: str
    title_en: str
    status: str
    status_zh: str
    status_en: str
    material_id: str  # "" unless a document on file
    printable: bool

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ArchiveEntry:
        def text(key: str) -> str:
            value = doc.get(key)
            return value if isinstance(value, str) else ""

        return cls(
            kind=text("kind"),
            at=text("at"),
            tracking_number=text("tracking_number"),
            title_zh=text("title_zh"),
            title_en=text("title_en") or text("title_zh"),
            status=text("status"),
            status_zh=text("status_zh"),
            status_en=text("status_en") or text("status_zh"),
            material_id=text("material_id"),
            printable=doc.get("printable") is True and bool(text("material_id")),
        )


class Register:
    """The station's register look-ups for one card holder at a time (blocking)."""

    def __init__(
        self, call: RegisterCall, seal: Sealer, document: DocumentCall = no_documents
    ) -> None:
        self._call, self._seal, self._document = call, seal, document

    @property
    def available(self) -> bool:
        return self._call is not no_hall

    def mine(self, id_number: str) -> list[EnterpriseAnswer]:
        doc = self._ask(MINE_PATH, id_number, {})
        return list(MineAnswer.model_validate(doc).items)

    def by_code(self, id_number: str, code: str) -> EnterpriseAnswer:
        return EnterpriseAnswer.model_validate(self._ask(BY_CODE_PATH, id_number, {"code": code}))

    def by_uscc(self, id_number: str, uscc: str) -> EnterpriseAnswer:
        uscc = uscc.strip().upper()
        try:
            doc = self._ask(BY_USCC_PATH, id_number, {"uscc": uscc})
        except RegisterRefused as exc:
            if exc.code == "not_registered" and not in_district(uscc):
                # An e-licence (or code) of an enterprise registered elsewhere: say so.
                raise RegisterRefused("other_district", status=exc.status) from None
            raise
        return EnterpriseAnswer.model_validate(doc)

    def archive(
        self, id_number: str, enterprise_id: str
    ) -> tuple[EnterpriseAnswer, list[ArchiveEntry]]:
        """The enterprise (fresh) and its e-archive, newest first."""
        doc = self._ask(ARCHIVE_PATH, id_number, {"enterprise_id": enterprise_id})
        items = doc.get("items")
        entries = (
            [ArchiveEntry.from_json(i) for i in items if isinstance(i, Mapping)]
            if isinstance(items, list)
            else []
        )
        entries.sort(key=lambda e: e.at, reverse=True)
        return EnterpriseAnswer.model_validate(doc.get("enterprise")), entries

    def document(self, id_number: str, enterprise_id: str, material_id: str) -> tuple[str, bytes]:
        """A document on file: ``(media type, bytes)`` for the A4 printer."""
        body = {
            "holder": self._seal(id_number),
            "enterprise_id": enterprise_id,
            "material_id": material_id,
        }
        status, media, data = self._document(DOCUMENTS_PATH, body)
        if status == 404:
            raise RegisterRefused("no_file", status=404)
        if status != 200:
            raise RegisterRefused(f"http_{status}", status=status)
        return media, data

    def _ask(self, path: str, id_number: str, extra: dict[str, str]) -> Mapping[str, Any]:
        status, doc = self._call(path, {"holder": self._seal(id_number), **extra})
        if status == 200:
            return doc
        detail = doc.get("detail")
        if isinstance(detail, Mapping) and isinstance(detail.get("code"), str):
            log.info("register look-up refused: %s (HTTP %d)", detail["code"], status)
            raise RegisterRefused(
                str(detail["code"]),
                str(detail.get("message_zh", "")),
                str(detail.get("message_en", "")),
                status,
            )
        log.warning("register look-up: hall answered HTTP %d without a reason", status)
        raise ConnectionError(f"hall answered HTTP {status} for a register look-up")
