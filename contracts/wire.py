"""The submission wire format: what a kiosk PUTs as a blob and POSTs as a submission.

``PUT /api/v1/blobs/{sha256}`` carries one attachment sealed to the hall's key
(:mod:`contracts.sealing`, :func:`blob_context`), named by the sha256 of its bytes
(:data:`SHA256_PATTERN`, at most :data:`MAX_BLOB_BYTES`). ``POST /api/v1/submissions`` carries
:class:`SealedSubmission` as JSON: the readable columns in clear and :class:`SealedContent` (the
payload and the attachment list) sealed; the hall opens it into a :class:`Submission`. The hall
refuses a body or content that does not match exactly (unknown fields included), so a kiosk and a
hall that disagree find out at once.

:func:`canonical_json` is the one JSON spelling the outbox seals and the hall hashes: the hall
judges a re-sent id by the sha256 of it (:meth:`Submission.content_sha256`), so the bytes must
never change. Payloads are personal data: reprs leave them out.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator
from pydantic.dataclasses import dataclass

from contracts.ids import STATION_ID_PATTERN, canonical_uuid

SHA256_PATTERN: Final = r"^[0-9a-f]{64}$"
MAX_BLOB_BYTES: Final = 20 * 1024 * 1024
MAX_ATTACHMENTS: Final = 50
# A sealed submission body fits the hall's 64 KiB JSON limit (hall.body_limits).
MAX_SEALED_B64: Final = 60 * 1024


def canonical_json(value: Any) -> bytes:
    """The one JSON spelling the outbox seals and the hall hashes: sorted keys, no spaces."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


# A pydantic dataclass, not a model: the outbox builds refs positionally from its blob store.
# Strict per field (a strict dataclass would refuse the dicts a JSON body carries).
@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class AttachmentRef:
    """An attachment as the submission names it: the hall looks the blob up by ``sha256``."""

    sha256: Annotated[StrictStr, Field(pattern=SHA256_PATTERN)]
    size: Annotated[StrictInt, Field(ge=0, le=MAX_BLOB_BYTES)]
    media_type: Annotated[StrictStr, Field(min_length=1, max_length=100)] = (
        "application/octet-stream"
    )
    name: Annotated[StrictStr, Field(max_length=255)] = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "name": self.name,
        }

    def __repr__(self) -> str:
        # The file name may carry a person's name.
        return f"AttachmentRef(sha256={self.sha256[:12]!r}…, size={self.size})"


class Submission(BaseModel):
    """One filing as the kiosk sends it and the hall stores it (``payload`` is personal data).

    Strings and numbers are strict (no number-to-string coercion); the id and the creation time
    are brought to one spelling, so ``"ABC…"``/``"abc…"`` and ``"+08:00"``/``"Z"`` spellings of
    the same submission hash the same.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr = Field(description="client-generated UUID (v7), the idempotency key")
    station_id: Annotated[StrictStr, Field(pattern=STATION_ID_PATTERN)]
    service_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    created_at: StrictStr = Field(description="ISO 8601 with a UTC offset")
    payload: dict[StrictStr, Any]
    attachments: Annotated[tuple[AttachmentRef, ...], Field(max_length=MAX_ATTACHMENTS)] = ()

    @field_validator("id")
    @classmethod
    def _id_is_uuid(cls, v: str) -> str:
        return canonical_uuid(v)

    @field_validator("created_at")
    @classmethod
    def _created_at_is_iso(cls, v: str) -> str:
        try:
            parsed = datetime.fromisoformat(v)
        except ValueError:
            raise ValueError("must be an ISO 8601 date-time") from None
        if parsed.tzinfo is None:
            raise ValueError("must carry a UTC offset")
        return parsed.astimezone(UTC).isoformat(timespec="microseconds")

    def to_body(self) -> dict[str, Any]:
        """The JSON body of ``POST /api/v1/submissions`` (``attachments`` only when there are)."""
        body: dict[str, Any] = {
            "id": self.id,
            "station_id": self.station_id,
            "service_id": self.service_id,
            "tracking_number": self.tracking_number,
            "created_at": self.created_at,
            "payload": self.payload,
        }
        # Only when present, so submissions stored before attachments existed keep their hash.
        if self.attachments:
            body["attachments"] = [a.to_json() for a in self.attachments]
        return body

    def content_sha256(self) -> str:
        """sha256 of the canonical JSON of every field: key order and whitespace do not count."""
        return hashlib.sha256(canonical_json(self.to_body())).hexdigest()

    def __repr__(self) -> str:
        # Keep the payload out of reprs: they end up in logs and tracebacks.
        return f"Submission(id={self.id!r}, tracking_number={self.tracking_number!r})"

    __str__ = __repr__


def submission_context(
    sub_id: str, station_id: str, service_id: str, tracking_number: str, created_at: str
) -> bytes:
    """The associated data binding a sealed submission to its readable columns."""
    return "\x1f".join((sub_id, station_id, service_id, tracking_number, created_at)).encode()


def blob_context(sha256: str) -> bytes:
    """The associated data binding a sealed attachment to its name."""
    return b"blob\x1f" + sha256.encode("ascii")


class SealedContent(BaseModel):
    """What a sealed submission's envelope holds: the personal part of :class:`Submission`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    payload: dict[StrictStr, Any]
    attachments: Annotated[tuple[AttachmentRef, ...], Field(max_length=MAX_ATTACHMENTS)] = ()

    def __repr__(self) -> str:
        return f"SealedContent(attachments={len(self.attachments)})"

    __str__ = __repr__


class SealedSubmission(BaseModel):
    """``POST /api/v1/submissions`` as a kiosk sends it: readable columns in clear (nothing
    personal: ids, the service, the tracking number, the time) and the rest sealed to the hall's
    key (:mod:`contracts.sealing`), with the readable columns as associated data.

    ``created_at`` is kept exactly as sealed (it is part of the associated data); the hall
    normalises it when it opens the envelope into a :class:`Submission`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr = Field(description="client-generated UUID (v7), the idempotency key")
    station_id: Annotated[StrictStr, Field(pattern=STATION_ID_PATTERN)]
    service_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    created_at: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    sealed: Annotated[
        StrictStr,
        Field(
            description="base64 of the envelope over SealedContent's canonical JSON",
            max_length=MAX_SEALED_B64,
        ),
    ]

    @field_validator("id")
    @classmethod
    def _id_is_uuid(cls, v: str) -> str:
        # Checked, not rewritten: the id as sealed is part of the associated data.
        canonical_uuid(v)
        return v

    def context(self) -> bytes:
        return submission_context(
            self.id, self.station_id, self.service_id, self.tracking_number, self.created_at
        )

    def envelope(self) -> bytes:
        """The envelope's bytes; ValueError when ``sealed`` is not base64."""
        return base64.b64decode(self.sealed, validate=True)

    def to_body(self) -> dict[str, Any]:
        return self.model_dump()

    def opened(self, content: SealedContent) -> Submission:
        """The submission this envelope's ``content`` belongs to."""
        return Submission(
            id=self.id,
            station_id=self.station_id,
            service_id=self.service_id,
            tracking_number=self.tracking_number,
            created_at=self.created_at,
            payload=content.payload,
            attachments=content.attachments,
        )

    def __repr__(self) -> str:
        return f"SealedSubmission(id={self.id!r}, tracking_number={self.tracking_number!r})"

    __str__ = __repr__
