"""HTTP client for the kiosk's calls to the central hall (submission intake and health).

It is the one place that imports ``requests``: a network failure leaves here as the builtin
``TimeoutError`` (the hall did not answer in time) or ``ConnectionError`` (anything else on the
way: refused, reset, DNS, TLS), raised ``from`` the requests exception, so the outbox sender and
the rest of the core never depend on the HTTP library. HTTP statuses are returned, not raised:
what a 409 or a 503 means is the sender's decision.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

import requests

log = logging.getLogger(__name__)

SUBMISSIONS_PATH = "/api/v1/submissions"
HEALTH_PATH = "/healthz"


class HallClient:
    """A keep-alive session to one hall; safe to share between threads."""

    def __init__(self, base_url: str, timeout_s: float, token: str = "") -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "qihang-kiosk"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        # requests.Session is not documented as thread-safe; the sender thread posts while the
        # status bar may probe health, so calls take turns.
        self._lock = threading.Lock()

    def post_submission(self, body: dict[str, Any]) -> int:
        """POST one submission; return the HTTP status. Network failures raise (see module doc)."""
        url = self.base_url + SUBMISSIONS_PATH
        try:
            with self._lock:
                # No redirects: a redirected POST may turn into a GET and "succeed" with a 200.
                response = self._session.post(
                    url, json=body, timeout=self.timeout_s, allow_redirects=False
                )
                response.close()
        except requests.Timeout as exc:
            # Checked first: ConnectTimeout is both a Timeout and a ConnectionError.
            raise TimeoutError(f"hall did not answer within {self.timeout_s} s: {url}") from exc
        except requests.RequestException as exc:
            raise ConnectionError(f"cannot reach hall at {url}: {type(exc).__name__}") from exc
        return response.status_code

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
