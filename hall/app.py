"""The hall's HTTP API (FastAPI): health and the idempotent intake of kiosk submissions.

``POST /api/v1/submissions`` answers 201 for a new id, 200 when the same id comes again with the
same content (a kiosk re-sending after a lost answer), 409 when the id comes with different
content, and 422 when the body does not match :class:`SubmissionIn` exactly (unknown fields are
refused, not ignored: a kiosk and a hall that disagree about the format should find out at once).
``GET /api/v1/submissions/{id}`` reports status only; payloads never leave the hall through this
API and never reach the log.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from hall.store import Submission, SubmissionStore

log = logging.getLogger(__name__)


def _canonical_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("must be a UUID") from None


class SubmissionIn(BaseModel):
    """The intake body. Strings are strict (no number-to-string coercion)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr = Field(description="client-generated UUID (v7), the idempotency key")
    station_id: Annotated[
        StrictStr, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    ]
    service_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    created_at: StrictStr = Field(description="ISO 8601 with a UTC offset")
    payload: dict[str, Any]

    @field_validator("id")
    @classmethod
    def _id_is_uuid(cls, v: str) -> str:
        # Canonical form, so "ABC…" and "abc…" are the same submission.
        return _canonical_uuid(v)

    @field_validator("created_at")
    @classmethod
    def _created_at_is_iso(cls, v: str) -> str:
        try:
            parsed = datetime.fromisoformat(v)
        except ValueError:
            raise ValueError("must be an ISO 8601 date-time") from None
        if parsed.tzinfo is None:
            raise ValueError("must carry a UTC offset")
        # Normalised to UTC, so "+08:00" and "Z" spellings of one instant hash the same.
        return parsed.astimezone(UTC).isoformat(timespec="microseconds")

    def to_submission(self) -> Submission:
        return Submission(
            id=self.id,
            station_id=self.station_id,
            service_id=self.service_id,
            tracking_number=self.tracking_number,
            created_at=self.created_at,
            payload=self.payload,
        )


class IntakeReceipt(BaseModel):
    id: str
    status: str


class SubmissionStatus(BaseModel):
    id: str
    tracking_number: str
    status: str
    received_at: str


class Health(BaseModel):
    status: str


def create_app(db_path: Path) -> FastAPI:
    """Build the hall app on the SQLite file at ``db_path`` (created if missing)."""
    store = SubmissionStore(db_path)
    app = FastAPI(title="Qihang hall", version="1")
    app.state.store = store

    @app.exception_handler(RequestValidationError)
    async def validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default 422 echoes the offending input back, which for a bad submission is
        # the walk-in's answers: report where and why only.
        errors = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type")}
            for err in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    # Plain `def` endpoints: FastAPI runs them on its thread pool, so blocking SQLite calls do
    # not stall the event loop.

    @app.get("/healthz")
    def healthz() -> Health:
        return Health(status="ok")

    @app.post(
        "/api/v1/submissions",
        status_code=status.HTTP_201_CREATED,
        responses={
            200: {"model": IntakeReceipt, "description": "already received (same content)"},
            409: {"description": "id already used with different content"},
        },
    )
    def post_submission(body: SubmissionIn, response: Response) -> IntakeReceipt:
        outcome = store.put(body.to_submission())
        if outcome == "conflict":
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="submission id already used with other content"
            )
        if outcome == "duplicate":
            response.status_code = status.HTTP_200_OK
        return IntakeReceipt(id=body.id, status="received")

    @app.get("/api/v1/submissions/{sub_id}")
    def get_submission(sub_id: str) -> SubmissionStatus:
        try:
            key = _canonical_uuid(sub_id)
        except ValueError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such submission") from None
        record = store.get(key)
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such submission")
        return SubmissionStatus(
            id=record.id,
            tracking_number=record.tracking_number,
            status=record.status,
            received_at=record.received_at,
        )

    return app
