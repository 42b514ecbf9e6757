"""HTTP client for the kiosk's calls to the central hall (blobs, submissions, health, the
published catalog, progress look-ups).

It is the one place that imports ``requests``: a network failure leaves here as the builtin
``TimeoutError`` (the hall did not answer in time) or ``ConnectionError`` (anything else on the
way: refused, reset, DNS, TLS, a connection closed mid-answer), raised ``from`` the requests
exception, so the outbox sender and the rest of the core never depend on the HTTP library. HTTP
statuses are returned as :class:`offline_queue.transport.Answer` (with a parsed ``Retry-After``),
not raised: what a 409 or a 503 means is the sender's decision. The walk-in's own look-ups
(补正, 好差评) are different: a 429 there means "too many attempts", not an outage, and leaves as
:class:`kiosk.errors.HallRateLimited` with the hall's ``Retry-After`` for the screen to say.

Every answer is read with a size cap, and the JSON ones (catalog, progress, health) are parsed by
:func:`kiosk.net_json.loads_bounded`: a body over its cap, too deeply nested, with an over-long
number or NaN leaves as :class:`kiosk.net_json.BadDocument` (``HALL_BAD_DOCUMENT``); an answer
that only counts for its status and is over its cap is a ``ConnectionError``.

Kept-alive connections: the hall (uvicorn) closes a connection idle for 5 s. A request sent on
it just as it closes fails without the hall having read it, so the client drops connections
idle for longer than ``idle_reuse_s`` (4 s) and opens a fresh one, and sends an idempotent
request (GET, HEAD, PUT of a blob under its hash) once more when its connection fails. A POST is
never repeated here: the outbox repeats a submission under its idempotency key, and a walk-in's
look-up shows "hall unreachable" with the next step.

Authentication: an enrolled terminal passes ``auth`` (:meth:`kiosk.device_identity.DeviceIdentity
.requests_auth`), which signs every request with the device key and a fresh nonce. Without it
only the public reads work (health, catalog, progress); the hall refuses anything a station
files (401) until the terminal is enrolled (``python main.py provision``).

:meth:`HallClient.get_catalog` is a :data:`kiosk.services.catalog_cache.Fetch` and
:meth:`HallClient.get_progress` a :data:`kiosk.progress.FetchStatus`: plug them in as they are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import requests
import requests.auth

from kiosk.errors import HallRateLimited
from kiosk.net_json import (
    ANSWER_MAX_BYTES,
    CATALOG,
    HEALTH,
    STATUS,
    BadDocument,
    Limits,
    loads_bounded,
)
from offline_queue.transport import Answer

log = logging.getLogger(__name__)

SUBMISSIONS_PATH = "/api/v1/submissions"
BLOBS_PATH = "/api/v1/blobs"
HEALTH_PATH = "/healthz"
CATALOG_PATH = "/api/v1/catalog"
PROGRESS_PATH = "/api/v1/progress"
_CHUNK = 64 * 1024
IDLE_REUSE_S = 4.0  # under the hall's (uvicorn's) 5 s keep-alive timeout
_REPEATABLE = frozenset({"GET", "HEAD", "PUT"})
# An e-archive lists up to 200 items (a few hundred bytes each): more room than a status.
REGISTER = Limits(max_bytes=512 * 1024, max_depth=16)
# A document on file printed from the e-archive (a scanned licence: a few MB at most).
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Reply:
    """An answer read in full, within its cap."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _raise_if_rate_limited(reply: _Reply, route: str) -> None:
    if reply.status == 429:
        raise HallRateLimited(route, parse_retry_after(reply.headers.get("Retry-After")))


class HallClient:
    """A keep-alive session to one hall; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float,
        *,
        auth: requests.auth.AuthBase | None = None,
        idle_reuse_s: float = IDLE_REUSE_S,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.idle_reuse_s = idle_reuse_s
        self._last_used: float | None = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "qihang-kiosk"
        if auth is not None:
            self._session.auth = auth
        # requests.Session is not documented as thread-safe; the sender thread posts while the
        # status bar may probe health, so calls take turns.
        self._lock = threading.Lock()

    def post_submission(self, body: dict[str, Any]) -> Answer:
        """POST one submission; return the answer. Network failures raise (see module doc)."""
        return self._send("POST", self.base_url + SUBMISSIONS_PATH, json=body)

    def put_blob(self, sha256: str, data: bytes) -> Answer:
        """PUT one attachment under its sha256 (idempotent; the hall verifies the hash)."""
        return self._send(
            "PUT",
            f"{self.base_url}{BLOBS_PATH}/{sha256}",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def get_catalog(self, etag: str | None) -> tuple[int, str | None, bytes]:
        """GET the published catalog, sending ``etag`` as If-None-Match.

        Returns ``(status, ETag header or None, body)`` — a 304 has an empty body — as
        :meth:`kiosk.services.catalog_cache.CatalogCache.refresh` expects. Network failures
        raise ``ConnectionError``/``TimeoutError``.
        """
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        reply = self._request(
            "GET", self.base_url + CATALOG_PATH, max_bytes=CATALOG.max_bytes, headers=headers
        )
        return reply.status, reply.headers.get("ETag"), reply.body

    def get_progress(self, tracking_number: str) -> dict[str, Any] | None:
        """The hall's status document for a tracking number; None when the hall does not know
        it (404). Other HTTP errors raise ``ConnectionError`` (the kiosk then shows the last
        known status); an answer that is not a bounded JSON object raises :class:`BadDocument`;
        network failures raise as usual."""
        url = f"{self.base_url}{PROGRESS_PATH}/{quote(tracking_number, safe='')}"
        headers = {"Accept": "application/json"}
        reply = self._request("GET", url, max_bytes=STATUS.max_bytes, headers=headers)
        if reply.status == 404:
            return None
        if reply.status != 200:
            raise ConnectionError(f"hall answered HTTP {reply.status} for progress")
        doc = loads_bounded(reply.body, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth)
        if not isinstance(doc, dict):
            raise BadDocument("the progress answer is not a JSON object")
        return doc

    def post_supplement_lookup(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Ask the hall what a filing still lacks (:mod:`contracts.supplement`, device signed);
        None for 404 (unknown, or not proven). 429 (too many look-ups that found nothing) raises
        :class:`HallRateLimited`, other HTTP errors ``ConnectionError``, an unreadable answer
        :class:`BadDocument`; network failures raise as usual. The body holds
        the receipt's token or the ID-card proof: a POST body, never a URL, never logged."""
        from contracts.supplement import LOOKUP_PATH

        headers = {"Accept": "application/json"}
        reply = self._request(
            "POST", self.base_url + LOOKUP_PATH, max_bytes=STATUS.max_bytes, json=body,
            headers=headers,
        )  # fmt: skip
        if reply.status == 404:
            return None
        _raise_if_rate_limited(reply, "a supplement look-up")
        if reply.status != 200:
            raise ConnectionError(f"hall answered HTTP {reply.status} for a supplement look-up")
        doc = loads_bounded(reply.body, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth)
        if not isinstance(doc, dict):
            raise BadDocument("the supplement answer is not a JSON object")
        return doc

    def post_rating(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST to a 好差评 route (:mod:`contracts.ratings`, device signed): the card holder's
        pending parts, or their rating. Returns ``(status, JSON object)``: a 4xx is an answer (the
        hall says why in ``detail``) but a 429, which raises :class:`HallRateLimited` (a proxy's
        429 need not be JSON, and its Retry-After is what counts); a 5xx raises
        ``ConnectionError``, an unreadable answer :class:`BadDocument`; network failures raise as
        usual. The body holds the salted
        holder digest, never the ID number."""
        headers = {"Accept": "application/json"}
        reply = self._request(
            "POST", self.base_url + path, max_bytes=STATUS.max_bytes, json=body, headers=headers
        )
        _raise_if_rate_limited(reply, "a rating request")
        if reply.status >= 500:
            raise ConnectionError(f"hall answered HTTP {reply.status} for a rating request")
        doc = loads_bounded(reply.body, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth)
        if not isinstance(doc, dict):
            raise BadDocument("the rating answer is not a JSON object")
        return reply.status, doc

    def post_register(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST to an enterprise register route (:mod:`contracts.register`, device signed): the
        card holder's enterprises, one by its 一企一码 or USCC, its e-archive. Returns ``(status,
        JSON object)``: a 4xx is an answer (the hall's reason in ``detail``) but a 429, which
        raises :class:`HallRateLimited`; a 5xx raises ``ConnectionError``, an unreadable answer
        :class:`BadDocument`; network failures raise as usual. The body holds the card holder
        sealed to the hall, never the ID number in clear; answers are never logged."""
        headers = {"Accept": "application/json"}
        reply = self._request(
            "POST", self.base_url + path, max_bytes=REGISTER.max_bytes, json=body,
            headers=headers,
        )  # fmt: skip
        _raise_if_rate_limited(reply, "a register look-up")
        if reply.status >= 500:
            raise ConnectionError(f"hall answered HTTP {reply.status} for a register look-up")
        doc = loads_bounded(reply.body, max_bytes=REGISTER.max_bytes, max_depth=REGISTER.max_depth)
        if not isinstance(doc, dict):
            raise BadDocument("the register answer is not a JSON object")
        return reply.status, doc

    def post_register_document(self, path: str, body: dict[str, Any]) -> tuple[int, str, bytes]:
        """POST for a document on file (the e-archive's print): ``(status, media type, bytes)``;
        a document is read within :data:`DOCUMENT_MAX_BYTES`. Errors as
        :meth:`post_register`."""
        reply = self._request("POST", self.base_url + path, max_bytes=DOCUMENT_MAX_BYTES, json=body)
        _raise_if_rate_limited(reply, "a register document")
        if reply.status >= 500:
            raise ConnectionError(f"hall answered HTTP {reply.status} for a register document")
        media = reply.headers.get("Content-Type", "application/octet-stream")
        return reply.status, media.split(";")[0].strip(), reply.body

    def post_heartbeat(self, station_id: str, report: dict[str, Any]) -> int:
        """Send this station's health (devices, outbox, version; nothing personal)."""
        return self.post_heartbeat_answer(station_id, report)[0]

    def post_heartbeat_answer(
        self, station_id: str, report: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | None]:
        """:meth:`post_heartbeat` with the hall's answer: ``(status, JSON object)`` when it
        carries remote commands (200), ``(status, None)`` otherwise (204, or an error status).
        An answer over its cap is a ``ConnectionError``, a 200 that is no JSON object
        :class:`BadDocument`; network failures raise as usual."""
        url = f"{self.base_url}/api/v1/stations/{quote(station_id, safe='')}/heartbeat"
        try:
            reply = self._request("POST", url, max_bytes=STATUS.max_bytes, json=report)
        except BadDocument as exc:  # over its cap: a failure on the way, as for any status
            raise ConnectionError(f"unreadable answer from {url}: {exc}") from exc
        if reply.status != 200:
            return reply.status, None
        doc = loads_bounded(reply.body, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth)
        if not isinstance(doc, dict):
            raise BadDocument("the heartbeat answer is not a JSON object")
        return reply.status, doc

    def post_command_result(self, station_id: str, command_id: str, body: dict[str, Any]) -> int:
        """Report what a remote command did (:class:`contracts.remote_commands.CommandResult`)."""
        from contracts.remote_commands import result_path

        path = result_path(quote(station_id, safe=""), quote(command_id, safe=""))
        return self._send("POST", self.base_url + path, json=body).status

    def get_service_usage(self, station_id: str) -> tuple[int, bytes]:
        """This station's most filed services (:mod:`hall.service_usage`): ``(status, body)``.
        Network failures raise ``ConnectionError``/``TimeoutError``; an oversized answer
        :class:`BadDocument`."""
        url = f"{self.base_url}/api/v1/stations/{quote(station_id, safe='')}/service-usage"
        reply = self._request("GET", url, max_bytes=STATUS.max_bytes)
        return reply.status, reply.body

    def post_diagnostics(self, station_id: str, bundle: bytes) -> int:
        """Upload a technician's diagnostics bundle (a zip, scrubbed of personal data)."""
        url = f"{self.base_url}/api/v1/stations/{quote(station_id, safe='')}/diagnostics"
        headers = {"Content-Type": "application/zip"}
        return self._send("POST", url, data=bundle, headers=headers).status

    def post_technician_audit(self, station_id: str, entries: list[dict[str, Any]]) -> int:
        """Send technician audit entries (codes only); the hall keeps each ``seq`` once."""
        url = f"{self.base_url}/api/v1/stations/{quote(station_id, safe='')}/technician-audit"
        return self._send("POST", url, json={"entries": entries}).status

    def _send(self, method: str, url: str, **kwargs: Any) -> Answer:
        try:
            reply = self._request(method, url, max_bytes=ANSWER_MAX_BYTES, **kwargs)
        except BadDocument as exc:
            # The sender's contract: a failure on the way is an OSError, retried later.
            raise ConnectionError(f"unreadable answer from {url}: {exc}") from exc
        return Answer(reply.status, parse_retry_after(reply.headers.get("Retry-After")))

    def _request(self, method: str, url: str, *, max_bytes: int, **kwargs: Any) -> _Reply:
        """One request; the body is read in full but never beyond ``max_bytes``
        (:class:`BadDocument`), so a hostile hall cannot fill the kiosk's memory."""
        with self._lock:
            now = time.monotonic()
            if self._last_used is not None and now - self._last_used > self.idle_reuse_s:
                self._session.close()  # the hall may be closing them right now: start afresh
            try:
                try:
                    return self._request_once(method, url, max_bytes, kwargs)
                except requests.ConnectionError as exc:
                    if method not in _REPEATABLE or isinstance(exc, requests.Timeout):
                        raise
                    # A kept-alive connection the hall closed as we sent: once more, fresh.
                    log.debug("%s: connection failed (%s); once more", method, type(exc).__name__)
                    self._session.close()
                    return self._request_once(method, url, max_bytes, kwargs)
            except requests.Timeout as exc:
                # Checked first: ConnectTimeout is both a Timeout and a ConnectionError.
                raise TimeoutError(f"hall did not answer within {self.timeout_s} s: {url}") from exc
            except requests.RequestException as exc:
                raise ConnectionError(f"cannot reach hall at {url}: {type(exc).__name__}") from exc
            finally:
                self._last_used = time.monotonic()

    def _request_once(
        self, method: str, url: str, max_bytes: int, kwargs: dict[str, Any]
    ) -> _Reply:
        # No redirects: a redirected POST may turn into a GET and "succeed" with a 200.
        # The body is read in full before the status counts: a connection closed
        # mid-answer is a failure, not a success.
        response = self._session.request(
            method, url, timeout=self.timeout_s, allow_redirects=False, stream=True, **kwargs
        )
        try:
            body = bytearray()
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise BadDocument(f"answer larger than {max_bytes} bytes")
        finally:
            response.close()
        return _Reply(response.status_code, response.headers, bytes(body))

    def healthy(self) -> bool:
        """True when the hall answers ``GET /healthz`` with 200; False on any failure."""
        try:
            reply = self._request("GET", self.base_url + HEALTH_PATH, max_bytes=HEALTH.max_bytes)
            if reply.status != 200:
                return False
            doc = loads_bounded(reply.body, max_bytes=HEALTH.max_bytes, max_depth=HEALTH.max_depth)
        except BadDocument as exc:
            log.warning("hall health check: %s: %s", exc.code, exc)
            return False
        except (ConnectionError, TimeoutError) as exc:
            log.debug("hall health check failed: %s", type(exc).__name__)
            return False
        return isinstance(doc, dict) and doc.get("status") == "ok"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def post_content_key(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Ask the hall for its content key (device signed; :mod:`contracts.content_signature`,
        ``KEY_PATH``): ``(status, JSON object)``, for a station enrolled before the hall signed
        its catalog (:func:`kiosk.provision.fetch_content_key` checks the answer). A 5xx raises
        ``ConnectionError``, an unreadable answer :class:`BadDocument`."""
        from contracts.content_signature import KEY_PATH

        headers = {"Accept": "application/json"}
        reply = self._request(
            "POST", self.base_url + KEY_PATH, max_bytes=STATUS.max_bytes, json=body,
            headers=headers,
        )  # fmt: skip
        if reply.status >= 500:
            raise ConnectionError(f"hall answered HTTP {reply.status} for the content key")
        doc = loads_bounded(reply.body, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth)
        if not isinstance(doc, dict):
            raise BadDocument("the content key answer is not a JSON object")
        return reply.status, doc

    def get_published(self, kind: str, etag: str | None) -> tuple[int, str | None, bytes]:
        """GET the hall's published content of ``kind`` (``knowledge``; signed like the catalog,
        :mod:`hall.content_kinds`), sending ``etag`` as If-None-Match: ``(status, ETag, body)``
        as :meth:`get_catalog`, read within the catalog's cap. Network failures raise."""
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        url = f"{self.base_url}/api/v1/published/{quote(kind, safe='')}"
        reply = self._request("GET", url, max_bytes=CATALOG.max_bytes, headers=headers)
        return reply.status, reply.headers.get("ETag"), reply.body
