"""Catalog publication: the hall keeps every published version and serves the latest with an ETag.

A supervisor publishes a catalog document (``PUT /api/v1/catalog`` or ``python -m hall catalog
publish FILE``); it is checked with :func:`contracts.catalog.parse_catalog`, the same check
the kiosk runs, and a bad one is refused with every reason (HTTP 422), so a kiosk never receives
a catalog it would reject. Publishing the same document again changes nothing; publishing other
content under a version string already used is refused (409): kiosks and staff talk about
catalogs by version, so one version must mean one content.

``GET /api/v1/catalog`` serves the stored bytes with a strong ETag
(:func:`catalog_etag`) and answers ``If-None-Match`` with 304, so a
kiosk polling an unchanged catalog transfers a header. The shipped sample is published at the
first start of an empty hall.

The parsed latest catalog is cached in memory and re-read when another hall instance (same
PostgreSQL) has published a newer one: fan-out at intake uses it on every submission.

Every catalog served is signed with the hall's content key (:mod:`hall.content_key`): the ETag
kiosks see is the content hash followed by the Ed25519 signature of the exact body
(:func:`contracts.content_signature.signed_etag`), and a kiosk refuses a catalog whose signature
does not verify against the key it pinned at enrolment. Staff publish from spreadsheets too
(:mod:`hall.content_routes`): :meth:`CatalogStore.next_version` names such a version, and a roll
back publishes an earlier version's content again as the newest (:meth:`CatalogStore.document`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy import Column, Engine, Integer, String, Table, Text, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from contracts.catalog import Catalog, CatalogError, parse_catalog
from contracts.clock import Clock
from contracts.content_signature import signed_etag
from hall.auth import StaffDep, SupervisorDep, audit
from hall.clock import iso
from hall.content_key import ContentKey
from hall.store import metadata

log = logging.getLogger(__name__)

PublishOutcome = Literal["published", "unchanged"]

# Published at the first start of an empty hall; the kiosk ships the same sample as its offline
# fallback (kiosk/services/content/catalog.json; a test keeps the two equal).
SAMPLE_CATALOG_PATH: Final = Path(__file__).with_name("content") / "sample_catalog.json"

# A catalog is a few hundred KB at most; 5 MB means someone uploaded the wrong file.
MAX_CATALOG_BYTES = 5 * 1024 * 1024


def catalog_etag(body: bytes) -> str:
    """A strong ETag for a published catalog body (kiosks treat it as opaque)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


catalogs = Table(
    "catalogs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False, unique=True),
    Column("etag", String(80), nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", String(40), nullable=False),
    Column("published_by", String(64), nullable=False),
)


class VersionClash(Exception):
    """Other content was already published under this version string."""


@dataclass(frozen=True, slots=True)
class Published:
    """One published catalog: its bytes as served, their ETag, and the parsed catalog."""

    seq: int
    version: str
    etag: str
    body: bytes
    catalog: Catalog
    published_at: str
    published_by: str
    # What GET /api/v1/catalog sends as ETag: ``etag`` with the content key's signature.
    served_etag: str = ""


def _decode(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise CatalogError("upload", ["the file is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise CatalogError(
            "upload", [f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from None


class CatalogStore:
    """Published catalogs in the hall's database; safe to use from many threads."""

    def __init__(self, engine: Engine, clock: Clock, content_key: ContentKey | None = None) -> None:
        self.engine = engine
        self.clock = clock
        # Without a key file (a store built in a test), a key for this process only.
        self.content_key = content_key or ContentKey(Ed25519PrivateKey.generate())
        metadata.create_all(engine, tables=[catalogs])
        self._lock = threading.Lock()
        self._latest: Published | None = None

    def publish(self, raw: bytes | str, actor: str) -> tuple[PublishOutcome, Published]:
        """Check and publish a catalog document (JSON text).

        Raises :class:`CatalogError` (with ``reasons``) for a document the kiosks would reject
        and :class:`VersionClash` for other content under a version already published.
        """
        if len(raw) > MAX_CATALOG_BYTES:
            raise CatalogError("upload", [f"larger than {MAX_CATALOG_BYTES // 1024 // 1024} MB"])
        data = _decode(raw)
        catalog = parse_catalog(data, source="upload")
        # Stored re-serialised: whitespace and key order of the upload do not make a new ETag.
        body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
            "utf-8"
        )
        etag = catalog_etag(body)
        outcome: PublishOutcome = "published"
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(catalogs).values(
                        version=catalog.version,
                        etag=etag,
                        body=body.decode("utf-8"),
                        published_at=iso(self.clock.now()),
                        published_by=actor,
                    )
                )
        except IntegrityError:
            # The version is taken (the unique index decides, also between hall instances).
            with self.engine.connect() as conn:
                same = conn.execute(
                    select(catalogs.c.etag).where(catalogs.c.version == catalog.version)
                ).scalar_one_or_none()
            if same != etag:
                raise VersionClash(catalog.version) from None
            outcome = "unchanged"
        log.info("catalog %s by %s: %s (%s)", catalog.version, actor, outcome, etag)
        latest = self.latest()
        assert latest is not None  # one was just stored or already there
        return outcome, latest

    def publish_sample_if_empty(self) -> None:
        """Publish the shipped sample when no catalog was ever published (first start)."""
        with self.engine.connect() as conn:
            any_row = conn.execute(select(catalogs.c.seq).limit(1)).first()
        if any_row is None:
            # Another hall instance may have published it first: then there is nothing to do.
            with contextlib.suppress(VersionClash):
                self.publish(SAMPLE_CATALOG_PATH.read_bytes(), "system")

    def latest(self, conn: Connection | None = None) -> Published | None:
        """The latest published catalog (cached; re-read when a newer one exists).

        Pass ``conn`` when calling inside a transaction (the intake's): the read then uses it
        rather than taking a second pooled connection while the first one is held.
        """
        if conn is None:
            with self.engine.connect() as own:
                return self.latest(own)
        head = conn.execute(
            select(catalogs.c.seq).order_by(catalogs.c.seq.desc()).limit(1)
        ).scalar_one_or_none()
        if head is None:
            return None
        with self._lock:
            cached = self._latest
        if cached is not None and cached.seq == head:
            return cached
        row = conn.execute(select(catalogs).where(catalogs.c.seq == head)).one()
        body = row.body.encode("utf-8")
        published = Published(
            seq=row.seq,
            version=row.version,
            etag=row.etag,
            body=body,
            catalog=parse_catalog(json.loads(body), source=f"published {row.version}"),
            published_at=row.published_at,
            published_by=row.published_by,
            served_etag=signed_etag(row.etag, self.content_key.sign(body)),
        )
        with self._lock:
            self._latest = published
        return published

    def next_version(self) -> str:
        """A fresh version name for content published from the console: the day and a number
        (``2026.12.06-4``; the number is the next publication's, so it is never taken)."""
        with self.engine.connect() as conn:
            head = conn.execute(select(func.max(catalogs.c.seq))).scalar_one_or_none() or 0
        return f"{self.clock.now():%Y.%m.%d}-{head + 1}"

    def document(self, version: str) -> dict[str, Any] | None:
        """The decoded document published under ``version``; None if there is none."""
        with self.engine.connect() as conn:
            body = conn.execute(
                select(catalogs.c.body).where(catalogs.c.version == version)
            ).scalar_one_or_none()
        if body is None:
            return None
        found: dict[str, Any] = json.loads(body)
        return found

    def history(self) -> list[dict[str, Any]]:
        """Every published version, newest first (no bodies)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    catalogs.c.seq,
                    catalogs.c.version,
                    catalogs.c.etag,
                    catalogs.c.published_at,
                    catalogs.c.published_by,
                ).order_by(catalogs.c.seq.desc())
            ).all()
        return [dict(r._mapping) for r in rows]


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison against a list of tags, or ``*``."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def router() -> APIRouter:
    """``/api/v1/catalog``: the latest catalog for kiosks; publication for supervisors."""
    api = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])

    def store(request: Request) -> CatalogStore:
        found: CatalogStore = request.app.state.catalog_store
        return found

    @api.get("", responses={304: {"description": "the kiosk's copy is current"}})
    def get_catalog(request: Request) -> Response:
        latest = store(request).latest()
        if latest is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no catalog published")
        # no-cache: a proxy may keep it but must ask (with the ETag) before serving it.
        headers = {"ETag": latest.served_etag, "Cache-Control": "no-cache"}
        inm = request.headers.get("if-none-match")
        if inm is not None and _matches(inm, latest.served_etag):
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(latest.body, media_type="application/json; charset=utf-8", headers=headers)

    @api.put(
        "",
        responses={
            201: {"description": "published"},
            200: {"description": "the same document was already published"},
            409: {"description": "other content under a version already published"},
            422: {"description": "the document is not a usable catalog; detail.reasons"},
        },
        status_code=status.HTTP_201_CREATED,
    )
    async def put_catalog(
        request: Request, response: Response, who: SupervisorDep
    ) -> dict[str, Any]:
        raw = await request.body()
        try:
            outcome, latest = store(request).publish(raw, who.name)
        except CatalogError as exc:
            audit(request, who, "catalog.publish", "catalog", "-", "rejected")
            raise HTTPException(
                422, detail={"msg": "catalog rejected", "reasons": list(exc.reasons)}
            ) from None
        except VersionClash as exc:
            audit(request, who, "catalog.publish", "catalog", str(exc), "version_clash")
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"version {exc} was already published with other content; "
                "give the new content a new version",
            ) from None
        audit(request, who, "catalog.publish", "catalog", latest.version, outcome)
        if outcome == "unchanged":
            response.status_code = status.HTTP_200_OK
        response.headers["ETag"] = latest.served_etag
        return {"version": latest.version, "etag": latest.served_etag, "outcome": outcome}

    @api.get("/versions")
    def versions(request: Request, who: StaffDep) -> list[dict[str, Any]]:
        return store(request).history()

    return api
