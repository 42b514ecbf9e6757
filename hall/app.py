"""The hall's HTTP API (FastAPI): health and the idempotent intake of kiosk submissions.

Both intake routes carry what the station sealed to the hall's key (:mod:`contracts.sealing`,
:mod:`hall.sealing`); the hall opens it here and stores the plaintext.
``PUT /api/v1/blobs/{sha256}`` takes one sealed attachment: 201 new, 200 already held, 422 when
it does not open or the opened bytes do not hash to the name (or the name is not a sha256), 413
when too large.
``POST /api/v1/submissions`` takes a :class:`contracts.wire.SealedSubmission` and answers 201 for
a new id, 200 when the same id comes again with the same content (a kiosk re-sending after a lost
answer), 409 when the id comes with different content, and 422 when the body or the opened
content does not match the contract exactly (unknown fields are refused, not ignored: a kiosk and
a hall that disagree about the format should find out at once), when the envelope does not open,
or when an attachment it names has not been uploaded (``detail.missing_blobs``), or when an intake
hook refuses the content (a delivery the service does not offer or that fails its check:
``detail.reasons``, field codes only).
``GET /api/v1/submissions/{id}`` reports status only; payloads never leave the hall through this
API and never reach the log.

Around the intake, :func:`create_app` wires the rest of the hall, each in its own module: staff
accounts, sessions and the audit log (:mod:`hall.auth`), catalog publication
(:mod:`hall.catalog_publish`), per-part tracking and the public progress
(:mod:`hall.tracking`, :mod:`hall.progress_page`), the demand desk (:mod:`hall.demand_desk`) and
the static staff console at ``/console``. A new submission's parts and demand are created inside
the intake's own transaction (``SubmissionStore.intake_hooks``), so the idempotency contract
above is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from argon2 import PasswordHasher
from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from contracts.clock import SYSTEM_CLOCK, Clock
from contracts.demands import Taxonomy
from contracts.ids import canonical_uuid, tracking_number_is_stations
from contracts.sealing import OVERHEAD as SEAL_OVERHEAD
from contracts.wire import MAX_BLOB_BYTES, SHA256_PATTERN, SealedSubmission
from hall import (
    applicant_schema,  # noqa: F401  # the applicant loop's tables on the shared metadata
    applicant_view,
    apt_repo,
    assist,
    assist_routes,
    auth,
    bookings,
    catalog_publish,
    content_key,
    content_kinds,
    content_routes,
    demand_desk,
    desk_moves,
    desk_schema,  # noqa: F401  # the filings desk's tables on the shared metadata
    desk_views,
    device_auth,
    diagnostics,
    enrolment,
    fleet,
    forwarding,
    notifications,  # noqa: F401  # the SMS queue's tables on the shared metadata
    notify_wiring,
    policy_push,
    policy_push_routes,
    progress_page,
    rating_page,
    ratings,
    register,
    register_filings,
    register_routes,
    remote_commands,
    sealing,
    service_usage,
    software,
    supplements,
    technicians,
    tracking,
)
from hall.blob_files import BlobHashMismatch
from hall.blob_store import DEFAULT_GRACE_S, SWEEP_INTERVAL_S, BlobStore
from hall.body_limits import BodyLimits
from hall.client_address import TrustedProxies
from hall.content_preview import PreviewRunner, PreviewSettings
from hall.demand_content import (
    PublishedCalendar,
    PublishedTaxonomy,
    WorkCalendar,
    load_calendar,
    load_taxonomy,
)
from hall.store import DEFAULT_BUSY_TIMEOUT_MS, IntakeRefused, MissingBlobs, SubmissionStore

log = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).with_name("console")
# Seconds a caller is asked to wait when the database is busy (a 503).
BUSY_RETRY_AFTER_S: Final = 5

# Pages a browser renders get a strict Content-Security-Policy: the console loads only its own
# files; the progress page has no script at all and only its inline style.
_CSP = {
    "/console": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'",
    "/progress/": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'",
    # The applicant's page (receipt QR, SMS link): no script; its own forms may post to it.
    "/p/": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'",
}


class SecurityHeaders:
    """Pure ASGI middleware adding security headers (no request-body buffering, so the blob
    upload keeps streaming)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = next((v for k, v in _CSP.items() if path.startswith(k)), None)

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if csp is not None:
                    headers += [
                        (b"content-security-policy", csp.encode("ascii")),
                        (b"x-frame-options", b"DENY"),
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class IntakeReceipt(BaseModel):
    id: str
    status: str


class SubmissionStatus(BaseModel):
    id: str
    tracking_number: str
    status: str
    received_at: str


class BlobReceipt(BaseModel):
    sha256: str
    status: str


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


class Health(BaseModel):
    status: str


def create_app(
    db: Path | str,
    *,
    clock: Clock = SYSTEM_CLOCK,
    taxonomy: Taxonomy | None = None,
    calendar: WorkCalendar | None = None,
    password_hasher: PasswordHasher | None = None,
    fleet_settings: fleet.FleetSettings | None = None,
    blob_dir: Path | None = None,
    blob_grace_s: float = DEFAULT_GRACE_S,
    max_help_calls: int = assist_routes.MAX_OPEN_CALLS,
    trusted_proxies: Iterable[str] = (),
    seal_key_path: Path | None = None,
    forwarding_settings: forwarding.ForwardingSettings | None = None,
    notify_settings: notify_wiring.NotifySettings | None = None,
    db_busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    preview: PreviewSettings | None = None,
) -> FastAPI:
    """Build the hall app on ``db``: a SQLite file (created if missing) or a database URL.

    ``clock`` is the hall's time for deadlines, sessions and audit rows (tests pass a fake one);
    ``taxonomy`` and ``calendar`` default to the shipped demand content; ``password_hasher``
    to argon2-cffi's defaults (tests pass cheaper parameters); ``fleet_settings`` are the
    station alert thresholds (offline after 5 minutes, …); ``max_help_calls`` caps the help
    calls waiting or live across all stations (:mod:`hall.assist_routes`); ``trusted_proxies``
    the addresses whose ``X-Forwarded-For`` names the client (:mod:`hall.client_address`);
    ``seal_key_path`` the hall's sealing key pair (:mod:`hall.sealing`; created if missing);
    ``forwarding_settings`` how accepted parts are delivered to department systems (timeouts,
    attempts, back-off: :mod:`hall.forwarding`; tests pass short ones); ``notify_settings`` the
    public URL and SMS backend the applicant's texts use (:mod:`hall.notify_wiring`; None: no
    texts are queued); ``preview`` the program that draws the kiosk's screens for the content
    page's preview (:mod:`hall.content_preview`; None: the hall answers that it has none).
    """
    store = SubmissionStore(db, blob_dir, busy_timeout_ms=db_busy_timeout_ms)
    seal_key_file = seal_key_path or sealing.default_key_path(store.url)
    seal_keys = sealing.load_or_create(seal_key_file)
    blob_store = BlobStore(store, clock, blob_grace_s)
    staff_store = auth.StaffStore(store.engine, clock, password_hasher)
    # Beside the sealing key: the catalog is signed with it (hall.content_key).
    content_signing = content_key.load_or_create(content_key.path_beside(seal_key_file))
    catalog_store = catalog_publish.CatalogStore(store.engine, clock, content_signing)
    catalog_store.publish_sample_if_empty()
    # The knowledge base, demand taxonomy and holidays staff publish (hall.content_kinds); the
    # hall counts deadlines in the published taxonomy and calendar.
    content_store = content_kinds.ContentStore(store.engine, clock, content_signing)
    content_store.publish_shipped_if_empty()
    work_calendar = calendar or PublishedCalendar(content_store, load_calendar())
    tracking_store = tracking.TrackingStore(store.engine, clock, catalog_store, work_calendar)
    desk = demand_desk.DemandDesk(
        store.engine,
        clock,
        taxonomy=taxonomy or PublishedTaxonomy(content_store, load_taxonomy()),
        calendar=work_calendar,
        catalogs=catalog_store,
        tracking=tracking_store,
    )
    # A 补正 hand-in adds material to another filing's part: no parts of its own.
    store.intake_hooks += [supplements.unless_supplement(tracking_store.on_intake), desk.on_intake]
    booking_desk = bookings.BookingDesk(store.engine, clock)
    store.intake_hooks.append(booking_desk.on_intake)
    fleet_store = fleet.FleetStore(store.engine, clock, fleet_settings)
    forwarder = forwarding.Forwarder(store.engine, clock, forwarding_settings)
    # The receipt's access token is kept at intake; with it the filing shows its whole story.
    store.intake_hooks.append(lambda conn, sub: applicant_view.on_intake(conn, sub, clock))
    applicant_view.redact_access_log()
    notify = (
        notify_wiring.NotifyWiring(store.engine, clock, catalog_store, notify_settings)
        if notify_settings is not None
        else None
    )
    if notify is not None:
        store.intake_hooks.append(notify.on_intake)
        tracking_store.status_hooks.append(notify.on_status)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Help calls a previous run left open resume if their sides come back (hall.assist).
        await app.state.assist.restore()
        await run_in_threadpool(blob_store.sweep, at_start=True)
        sweeper = asyncio.create_task(_sweep_blobs_periodically())
        # Deliveries a previous run left pending go out now (hall.forwarding).
        forwarder.start()
        if notify is not None:  # texts a previous run left unsent go out now
            notify.start()
        # 补正 hand-ins a previous run stored but did not apply (hall.supplements).
        await run_in_threadpool(app.state.supplements.apply_pending)
        # The register indexed for policy push before the first publication asks (a thread).
        app.state.policy_push.warm_in_background()
        yield
        sweeper.cancel()
        await run_in_threadpool(forwarder.stop)
        if notify is not None:
            await run_in_threadpool(notify.stop)
        # Close pooled connections when uvicorn stops (a PostgreSQL server counts them).
        await app.state.assist.aclose()
        await run_in_threadpool(app.state.heartbeat_writer.close)
        fleet_store.close()
        store.close()

    async def _sweep_blobs_periodically() -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            try:
                await run_in_threadpool(blob_store.sweep)
            except Exception:  # a failed sweep must not stop the next one
                log.exception("blob sweep failed")

    app = FastAPI(title="Qihang hall", version="1", lifespan=lifespan)
    app.state.blob_store = blob_store
    app.state.seal_keys = seal_keys
    app.state.store = store
    app.state.staff_store = staff_store
    app.state.catalog_store = catalog_store
    app.state.content_store = content_store
    app.state.preview = None if preview is None else PreviewRunner(preview)
    app.state.tracking_store = tracking_store
    app.state.demand_desk = desk
    app.state.calendar = work_calendar
    app.state.ratings = ratings.RatingDesk(
        store.engine, clock, work_calendar, catalog_store, notify
    )
    # The filings desk's moves (hall.desk_moves); forwarding adds to desk.accepted_hooks.
    app.state.desk = desk_moves.PartDesk(
        store.engine, clock, catalog_store, work_calendar, tracking_store.managed_services
    )
    app.state.desk.accepted_hooks.append(forwarder.enqueue)
    app.state.applicant_view = applicant_view.ApplicantView(
        store.engine, clock, catalog_store, tracking_store
    )
    app.state.notify = notify
    if notify is not None:
        app.state.desk.moved_hooks.append(notify.on_moved)
        app.state.desk.waybill_hooks.append(notify.on_waybill)
    app.state.forwarder = forwarder
    # The enterprise register (hall.register): approvals keep it current, stations look it up.
    app.state.register = register.EnterpriseRegister(
        store.engine, clock, register.RegisterSecrets.from_seal_keys(seal_keys), catalog_store
    )
    app.state.desk.moved_hooks.append(app.state.register.on_moved)
    # Policy push (免申即享): each published policies version matched against the register.
    app.state.policy_push = policy_push.PolicyPush(
        store.engine,
        clock,
        public_url=notify_settings.public_url if notify_settings is not None else None,
        latest=policy_push.published(content_store),
    )
    content_store.on_publish(app.state.policy_push.on_publish)
    app.state.supplements = supplements.SupplementDesk(
        store.engine, clock, catalog_store, app.state.desk
    )
    store.intake_hooks.append(app.state.supplements.on_intake)
    # A filing naming the register's enterprise and materials on file: checked, linked (its
    # parts exist by now, hall.register_filings).
    store.intake_hooks.append(register_filings.RegisterFilings(store.engine, clock).on_intake)
    app.state.bookings = booking_desk
    app.state.fleet_store = fleet_store
    app.state.heartbeat_writer = fleet.HeartbeatWriter(app)
    # The signed apt repository stations update from, and their version pins (issue 20).
    app.state.apt_repo = apt_repo.AptRepo(apt_repo.path_beside(seal_key_file))
    app.state.software_pins = software.SoftwarePins(store.engine, clock)
    # Console commands to stations, signed and delivered in heartbeat answers (issue 20).
    app.state.remote_commands = remote_commands.CommandStore(store.engine, clock, content_signing)
    app.state.enrolment = enrolment.EnrolmentStore(store.engine, clock)
    app.state.nonces = device_auth.NonceStore(store.engine, clock)
    app.state.max_help_calls = max_help_calls
    app.state.clock = clock
    app.state.trusted_proxies = TrustedProxies(trusted_proxies)
    app.state.assist = assist.AssistBroker(store.engine, clock, staff_store, store)
    # Body limits and strict JSON (no NaN/Infinity) for every route, before any body is buffered.
    app.add_middleware(BodyLimits)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, exc: Exception) -> JSONResponse:
        # The database is locked past its wait, out of connections, or unreachable: not the
        # caller's fault and nothing lost (no transaction committed). 503 with a time to retry:
        # a kiosk's outbox sends again, a browser says so; never a bare 500.
        log.warning(
            "database busy on %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return JSONResponse(
            status_code=503,
            headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
            content={
                "detail": {
                    "code": "busy",
                    "message_zh": "服务大厅繁忙，请稍后重试",
                    "message_en": "The hall is busy: please try again shortly",
                }
            },
        )

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

    @app.put(
        "/api/v1/blobs/{sha256}",
        status_code=status.HTTP_201_CREATED,
        responses={
            200: {"model": BlobReceipt, "description": "already held"},
            413: {"description": "larger than the hall accepts"},
            422: {"description": "the bytes do not hash to the name"},
        },
    )
    async def put_blob(sha256: str, request: Request, response: Response) -> BlobReceipt:
        if re.fullmatch(SHA256_PATTERN, sha256) is None:
            raise HTTPException(422, detail="the name must be a lower-case hex sha256")
        try:
            # The name is the body's sha256, so the device signature (over the body's hash) is
            # checked before a byte is read, and the bytes are held to the name as they stream.
            await run_in_threadpool(
                device_auth.authenticate_digest,
                request.app,
                request.method,
                device_auth.request_path(request.scope),
                request.headers,
                sha256,
            )
        except device_auth.DeviceAuthError as exc:
            raise exc.http() from None
        # The body is the attachment sealed to the hall's key (contracts.sealing); it is opened
        # whole (AES-GCM authenticates only at the end) and held to its name once opened.
        # hall.body_limits stops the stream past the blob limit (413).
        envelope = bytearray()
        async for chunk in request.stream():
            envelope += chunk
            if len(envelope) > MAX_BLOB_BYTES + SEAL_OVERHEAD:
                raise HTTPException(413, detail="larger than the hall accepts")
        try:
            data = await run_in_threadpool(sealing.open_blob, seal_keys, sha256, bytes(envelope))
        except sealing.EnvelopeRefused as exc:
            raise HTTPException(422, detail=exc.reason) from None
        del envelope
        try:
            outcome = await blob_store.receive(sha256, _one_chunk(data))
        except BlobHashMismatch:
            raise HTTPException(422, detail="the bytes do not hash to the name") from None
        if outcome == "duplicate":
            response.status_code = status.HTTP_200_OK
        return BlobReceipt(sha256=sha256, status="received")

    @app.post(
        "/api/v1/submissions",
        status_code=status.HTTP_201_CREATED,
        responses={
            200: {"model": IntakeReceipt, "description": "already received (same content)"},
            401: {"description": "no valid device signature (every station enrols)"},
            403: {"description": "revoked device, another station, or its tracking number"},
            409: {"description": "id already used with different content, or tracking number"},
            422: {"description": "invalid body, or an attachment was not uploaded"},
        },
    )
    def post_submission(
        sealed: SealedSubmission,
        request: Request,
        response: Response,
        who: device_auth.CallerDep,
    ) -> IntakeReceipt:
        # Only an enrolled device files, only for its own station, only under its own numbers.
        device_auth.admit_http(request, who, sealed.station_id)
        try:
            body = sealing.open_submission(seal_keys, sealed)
        except sealing.EnvelopeRefused as exc:
            log.warning("submission %s refused: %s", sealed.id, exc.reason)
            raise HTTPException(422, detail=exc.errors or exc.reason) from None
        if not tracking_number_is_stations(body.tracking_number, who.station_id):
            log.warning(
                "submission %s from station %s refused: tracking number of another station",
                body.id,
                who.station_id,
            )
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="the tracking number must start with this station's id",
            )
        try:
            outcome = store.put(body)
        except MissingBlobs as exc:
            raise HTTPException(
                422, detail={"msg": "attachments not received", "missing_blobs": exc.missing}
            ) from None
        except IntakeRefused as exc:  # e.g. a delivery the service does not offer (field codes)
            raise HTTPException(422, detail=exc.detail()) from None
        if outcome == "conflict":
            raise HTTPException(
                status.HTTP_409_CONFLICT, detail="submission id already used with other content"
            )
        if outcome == "tracking_taken":
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail="tracking number already used by another submission",
            )
        if outcome == "duplicate":
            response.status_code = status.HTTP_200_OK
        # A 补正 hand-in moves its part after the intake committed (again on a repeat, in case
        # the first attempt was cut short): hall.supplements.
        supplements_desk: supplements.SupplementDesk = request.app.state.supplements
        supplements_desk.apply(body.id)
        return IntakeReceipt(id=body.id, status="received")

    @app.get("/api/v1/submissions/{sub_id}")
    def get_submission(sub_id: str) -> SubmissionStatus:
        try:
            key = canonical_uuid(sub_id)
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

    # Routes are matched in order, one by one: the busiest (every station's heartbeat) first.
    # Only its own two paths match it, so the order changes nothing else.
    app.include_router(fleet.router())
    fleet.serve_regular_heartbeats(app)
    app.include_router(auth.router())
    app.include_router(catalog_publish.router())
    app.include_router(content_routes.router())
    app.include_router(tracking.router())
    app.include_router(demand_desk.router())
    app.include_router(desk_moves.router())
    app.include_router(desk_views.router())
    app.include_router(service_usage.router())
    app.include_router(software.router())
    app.include_router(apt_repo.router())
    app.include_router(remote_commands.router())
    app.include_router(technicians.router())
    app.include_router(diagnostics.router())
    app.include_router(enrolment.router())
    app.include_router(progress_page.router())
    app.include_router(notify_wiring.router())
    app.include_router(rating_page.router())
    app.include_router(ratings.router())
    app.include_router(assist_routes.router())
    app.include_router(forwarding.router())
    app.include_router(bookings.router())
    app.include_router(supplements.router())
    app.include_router(register_routes.router())
    app.include_router(policy_push_routes.router())

    # html=True serves index.html for /console/ and redirects /console there.
    app.mount("/console", StaticFiles(directory=CONSOLE_DIR, html=True), name="console")
    return app
