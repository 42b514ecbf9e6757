"""The kiosk's copy of one kind of content the hall publishes (``GET /api/v1/published/<kind>``):
verified, parsed, kept on disk, offline first.

:class:`PublishedCache` asks through an injected ``fetch(etag)`` (``HallClient.get_published``)
and takes a 200 only when the signature in the ETag verifies against the pinned content key under
the kind's own context (:mod:`contracts.content_signature`) and the kind's ``parse`` accepts the
document. 304 keeps what it has; a network failure is *offline* and changes nothing; a refused
answer is *rejected* with the catalog's codes (``CATALOG_UNSIGNED``, ``CATALOG_BAD_SIGNATURE``,
``CATALOG_KEY_MISSING``, ``HALL_BAD_DOCUMENT``) for the technician and the heartbeat, and the last
good version stays. The exact bytes served are kept in ``<kind>.cache.json`` (written
atomically) and checked again when read, so a copy changed on disk is not used.

What :attr:`PublishedCache.current` holds is immutable: whoever took it keeps that version (a
consult session takes one at its first use and keeps it to its end). The policies use it
(:mod:`kiosk.policy_cache`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar

from contracts.content_signature import KEY_MISSING, ContentPublicKey, SignatureRefused, load_pinned
from kiosk.net_json import BAD_DOCUMENT_CODE, CATALOG, BadDocument, loads_bounded
from offline_queue.durable import atomic_write

__all__ = ["FetchPublished", "Published", "PublishedCache", "Refresh", "RefreshOutcome"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# fetch(etag or None) -> (HTTP status, ETag or None, body): HallClient.get_published(kind, etag).
FetchPublished = Callable[[str | None], tuple[int, str | None, bytes]]
RefreshOutcome = Literal["updated", "not_modified", "rejected", "offline", "failed"]
# The envelope adds the ETag and JSON escapes to the body.
_ENVELOPE_BYTES: Final = 2 * CATALOG.max_bytes


@dataclass(frozen=True, slots=True)
class Published(Generic[T]):
    """One verified published version: its name, ETag and the parsed content."""

    version: str
    etag: str | None
    content: T


@dataclass(frozen=True, slots=True)
class Refresh:
    """What one refresh did; ``code`` is a failure code for the technician when refused."""

    outcome: RefreshOutcome
    version: str | None
    code: str | None = None
    reason: str = ""

    @property
    def changed(self) -> bool:
        return self.outcome == "updated"


class PublishedCache(Generic[T]):
    """The last good published version of ``kind`` in ``state_dir``; refresh from a worker
    thread. ``parse`` turns the JSON document into the content (raising ``ValueError``)."""

    def __init__(
        self,
        state_dir: Path,
        kind: str,
        parse: Callable[[Any], T],
        *,
        content_key: ContentPublicKey | None = None,
    ) -> None:
        self.kind = kind
        self._state_dir = Path(state_dir)
        self.path = self._state_dir / f"{kind}.cache.json"
        self._parse_document = parse
        self._content_key = content_key
        self._lock = threading.Lock()
        self._current: Published[T] | None = None
        self._loaded = False

    @property
    def current(self) -> Published[T] | None:
        """The published version in use; None until the hall's first one arrives."""
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._current = self._read()
                    self._loaded = True
        return self._current

    def refresh(
        self, fetch: FetchPublished, *, fetch_key: Callable[[], ContentPublicKey] | None = None
    ) -> Refresh:
        """Ask the hall for a newer version and keep it if it verifies and parses."""
        current = self.current
        with self._lock:
            version = None if current is None else current.version
            try:
                status, etag, body = fetch(None if current is None else current.etag)
            except (ConnectionError, TimeoutError, OSError) as exc:
                return Refresh("offline", version, reason=f"hall unreachable: {exc}")
            except BadDocument as exc:  # an answer over the size cap, refused while reading
                return Refresh("rejected", version, BAD_DOCUMENT_CODE, str(exc))
            if status == 304:
                return Refresh("not_modified", version)
            if status != 200:
                return Refresh("failed", version, reason=f"the hall answered HTTP {status}")
            try:
                key = self._key()
                if key is None and fetch_key is not None:
                    key = fetch_key()
                if key is None:
                    raise SignatureRefused(KEY_MISSING, "no content key pinned: enrol this station")
                published = self._parse(key, etag, body)
            except (ConnectionError, TimeoutError, OSError) as exc:  # the key fetch, on the way
                return Refresh("offline", version, reason=f"hall unreachable: {exc}")
            except SignatureRefused as exc:
                log.warning("%s refresh rejected: %s: %s", self.kind, exc.code, exc)
                return Refresh("rejected", version, exc.code, str(exc))
            except (BadDocument, ValueError) as exc:
                log.warning("%s refresh rejected: %s: %s", self.kind, BAD_DOCUMENT_CODE, exc)
                return Refresh("rejected", version, BAD_DOCUMENT_CODE, str(exc))
            self._write(etag, body)
            self._current = published
            log.info("%s updated: %s -> %s", self.kind, version or "shipped", published.version)
            return Refresh("updated", published.version)

    def _key(self) -> ContentPublicKey | None:
        return self._content_key or load_pinned(self._state_dir)

    def _parse(self, key: ContentPublicKey, etag: str | None, body: bytes) -> Published[T]:
        key.verify(etag, body, self.kind)
        data = loads_bounded(body, max_bytes=CATALOG.max_bytes, max_depth=CATALOG.max_depth)
        if not isinstance(data, dict):
            raise BadDocument(f"the published {self.kind} is not a JSON object")
        return Published(str(data.get("version", "")), etag, self._parse_document(data))

    def _read(self) -> Published[T] | None:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        key = self._key()
        if key is None:  # nothing to check the copy with: not used
            return None
        try:
            envelope = loads_bounded(raw, max_bytes=_ENVELOPE_BYTES, max_depth=4)
            etag = envelope.get("etag")
            return self._parse(key, etag, str(envelope["body"]).encode("utf-8"))
        except (BadDocument, SignatureRefused, KeyError, TypeError, AttributeError,
                ValueError) as exc:  # fmt: skip
            log.warning("%s cache not usable, using the shipped content: %s", self.kind, exc)
            return None

    def _write(self, etag: str | None, body: bytes) -> None:
        envelope = {"etag": etag, "body": body.decode("utf-8")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
