"""HTTP client for the kiosk's calls to the central hall (blobs, submissions, health, the
published catalog, progress look-ups).

It is the one place that imports ``requests``: a network failure leaves here as the builtin
``TimeoutError`` (the hall did not answer in time) or ``ConnectionError`` (anything else on the
way: refused, reset, DNS, TLS, a connection closed mid-answer), raised ``from`` the requests
exception, so the outbox sender and the rest of the core never depend on the HTTP library. HTTP
statuses are returned as :class:`offline_queue.transport.Answer` (with a parsed ``Retry-After``),
not raised: what a 409 or a 503 means is the sender's decision.

Authentication: an enrolled terminal passes ``auth`` (:meth:`kiosk.device_identity.DeviceIdentity
.requests_auth`), which signs every request with the device key; otherwise the station's legacy
``token`` goes out as a bearer token.

:meth:`HallClient.get_catalog` is a :data:`kiosk.services.catalog_cache.Fetch` and
:meth:`HallClient.get_progress` a :data:`kiosk.progress.FetchStatus`: plug them in as they are.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import requests
import requests.auth

from offline_queue.transport import Answer

log = logging.getLogger(__name__)

SUBMISSIONS_PATH = "/api/v1/submissions"
BLOBS_PATH = "/api/v1/blobs"
HEALTH_PATH = "/healthz"
CATALOG_PATH = "/api/v1/catalog"
PROGRESS_PATH = "/api/v1/progress"


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


class HallClient:
    """A keep-alive session to one hall; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float,
        token: str = "",
        auth: requests.auth.AuthBase | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "qihang-kiosk"
        if auth is not None:
            self._session.auth = auth
        elif token:
            self._session.headers["Authorization"] = f"Bearer {token}"
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
        response = self._request("GET", self.base_url + CATALOG_PATH, headers=headers)
        return response.status_code, response.headers.get("ETag"), response.content

    def get_progress(self, tracking_number: str) -> dict[str, Any] | None:
        """The hall's status document for a tracking number; None when the hall does not know
        it (404). Other HTTP errors and undecodable answers raise ``ConnectionError`` (the
        kiosk then shows the last known status); network failures raise as usual."""
        url = f"{self.base_url}{PROGRESS_PATH}/{quote(tracking_number, safe='')}"
        response = self._request("GET", url, headers={"Accept": "application/json"})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ConnectionError(f"hall answered HTTP {response.status_code} for progress")
        try:
            doc = response.json()
        except ValueError as exc:
            raise ConnectionError("hall answered progress with something not JSON") from exc
        if not isinstance(doc, dict):
            raise ConnectionError("hall answered progress with something not an object")
        return doc

    def post_heartbeat(self, station_id: str, report: dict[str, Any]) -> int:
        """Send this station's health (devices, outbox, version; nothing personal)."""
        url = f"{self.base_url}/api/v1/stations/{quote(station_id, safe='')}/heartbeat"
        return self._send("POST", url, json=report).status

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
        response = self._request(method, url, **kwargs)
        return Answer(response.status_code, parse_retry_after(response.headers.get("Retry-After")))

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            with self._lock:
                # No redirects: a redirected POST may turn into a GET and "succeed" with a 200.
                # The body is read in full before the status counts: a connection closed
                # mid-answer is a failure, not a success.
                response = self._session.request(
                    method, url, timeout=self.timeout_s, allow_redirects=False, **kwargs
                )
                response.close()
        except requests.Timeout as exc:
            # Checked first: ConnectTimeout is both a Timeout and a ConnectionError.
            raise TimeoutError(f"hall did not answer within {self.timeout_s} s: {url}") from exc
        except requests.RequestException as exc:
            raise ConnectionError(f"cannot reach hall at {url}: {type(exc).__name__}") from exc
        return response

    def healthy(self) -> bool:
        """True when the hall answers ``GET /healthz`` with 200; False on any failure."""
        try:
            with self._lock:
                response = self._session.get(
                    self.base_url + HEALTH_PATH, timeout=self.timeout_s, allow_redirects=False
                )
                ok = response.status_code == 200 and response.json().get("status") == "ok"
                response.close()
        except Exception as exc:
            log.debug("hall health check failed: %s", type(exc).__name__)
            return False
        return bool(ok)

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
