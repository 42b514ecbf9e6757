"""The kiosk's copy of the hall's published catalog: last good version on disk, offline first.

The hall publishes the catalog as JSON with an ETag. :class:`CatalogCache` keeps the last
document that passed :func:`~contracts.catalog.parse_catalog` in one envelope file in the
state directory (``catalog.cache.json``: ETag, when it was saved, the document), written
atomically, so a power cut leaves either the old or the new version, never half of one.

- :meth:`CatalogCache.load` gives the cached catalog, or the shipped sample when there is no
  usable cache (first start, or a cache written by an older schema that no longer validates).
- :meth:`CatalogCache.refresh` asks the hall through an injected ``fetch(etag)`` callable that
  returns ``(http_status, etag, body)``; the hall client plugs in there later, tests pass a
  function. 304 keeps the current catalog; a 200 whose body does not validate is *rejected*
  with the reasons and the last good catalog stays; a network failure (``ConnectionError``,
  ``TimeoutError``, any ``OSError``) is *offline* and changes nothing. The body is parsed by
  :func:`kiosk.net_json.loads_bounded` (size, depth, numbers): a hostile document is *rejected*
  with the code ``HALL_BAD_DOCUMENT`` and never raises out of here.

Every catalog is signed by the hall's content key (:mod:`contracts.content_signature`; the
signature rides in the ETag): a 200 is used only when the signature verifies against the key the
station pinned at enrolment (``keys/hall_content.json``, or ``content_key`` for tests). An
unsigned or badly signed catalog, or none pinned, is *rejected* with the code
``CATALOG_UNSIGNED``, ``CATALOG_BAD_SIGNATURE`` or ``CATALOG_KEY_MISSING`` and the last good
catalog stays. The cache keeps the exact bytes served, so it is verified again when read.
A station enrolled before the hall had a content key pinned none: :meth:`CatalogCache.refresh`
then calls its ``fetch_key`` once (the runtime passes :func:`kiosk.provision.fetch_content_key`,
which asks the hall over the device-signed channel and checks the answer against the pinned
sealing key) and pins what it returns; only if that fails is the catalog refused as
``CATALOG_KEY_MISSING``.

One version per session: :attr:`CatalogCache.current` changes only in :meth:`refresh`, and a
:class:`CachedCatalog` is immutable, so whoever took it at a session's start (the runtime swaps
it in between sessions) keeps that one version to the end.

Nothing here imports an HTTP library, so the kiosk start path stays light.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from contracts.catalog import Catalog, CatalogError, parse_catalog
from contracts.clock import SYSTEM_CLOCK, Clock
from contracts.content_signature import (
    KEY_MISSING,
    ContentPublicKey,
    SignatureRefused,
    load_pinned,
)
from kiosk.net_json import BAD_DOCUMENT_CODE, CATALOG, BadDocument, loads_bounded
from kiosk.services.catalog import DEFAULT_CATALOG_PATH, load_catalog
from offline_queue.durable import atomic_write

__all__ = [
    "CACHE_FILE_NAME",
    "CachedCatalog",
    "CatalogCache",
    "Fetch",
    "FetchKey",
    "RefreshOutcome",
    "RefreshResult",
]

log = logging.getLogger(__name__)

CACHE_FILE_NAME: Final = "catalog.cache.json"

# fetch(etag or None) -> (HTTP status, ETag header or None, body bytes). The caller sends the
# ETag as If-None-Match; a 304 body is ignored.
Fetch = Callable[[str | None], tuple[int, str | None, bytes]]

# fetch_key() -> the hall's content key, fetched and pinned (raises SignatureRefused when the hall
# does not prove it, ConnectionError/TimeoutError when it cannot be reached).
FetchKey = Callable[[], ContentPublicKey]

RefreshOutcome = Literal["updated", "not_modified", "rejected", "offline", "failed"]


@dataclass(frozen=True, slots=True)
class CachedCatalog:
    """The catalog in use and where it came from."""

    catalog: Catalog
    source: Literal["cache", "sample"]
    etag: str | None
    saved_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one refresh did; ``current`` is the catalog to use afterwards either way. ``code``
    is a failure code when the hall's answer was not a usable document (``HALL_BAD_DOCUMENT``).
    """

    outcome: RefreshOutcome
    current: CachedCatalog
    reasons: tuple[str, ...] = ()
    code: str | None = None

    @property
    def changed(self) -> bool:
        return self.outcome == "updated"


class CatalogCache:
    """Last good published catalog in ``state_dir``; safe to refresh from a worker thread."""

    def __init__(
        self,
        state_dir: Path,
        *,
        sample_path: Path | None = None,
        clock: Clock = SYSTEM_CLOCK,
        content_key: ContentPublicKey | None = None,
    ) -> None:
        self.path = Path(state_dir) / CACHE_FILE_NAME
        self._state_dir = Path(state_dir)
        self._content_key = content_key
        self._sample_path = DEFAULT_CATALOG_PATH if sample_path is None else sample_path
        self._clock = clock
        self._lock = threading.Lock()
        self._current: CachedCatalog | None = None

    @property
    def current(self) -> CachedCatalog:
        """The catalog in use, loading it on first access."""
        current = self._current
        return current if current is not None else self.load()

    def load(self) -> CachedCatalog:
        """Read the cached catalog, falling back to the shipped sample. Never raises for a bad
        cache file (it is logged and ignored); raises :class:`CatalogError` only if the shipped
        sample itself is broken, which is a packaging bug that must stop the start."""
        cached = self._read_cache()
        if cached is None:
            cached = CachedCatalog(load_catalog(self._sample_path), "sample", None, None)
        self._current = cached
        log.info("catalog %s in use (from %s)", cached.catalog.version, cached.source)
        return cached

    def refresh(self, fetch: Fetch, *, fetch_key: FetchKey | None = None) -> RefreshResult:
        """Ask the hall for a newer catalog and keep it if it is good (see the module doc).
        ``fetch_key`` gets the hall's content key when none is pinned."""
        with self._lock:
            current = self.current
            try:
                status, etag, body = fetch(current.etag)
            except (ConnectionError, TimeoutError, OSError) as exc:
                log.info("catalog refresh: hall unreachable (%s)", type(exc).__name__)
                return RefreshResult("offline", current, (f"hall unreachable: {exc}",))
            except BadDocument as exc:  # an answer over the size cap, refused while reading
                return self._bad_document(current, exc)
            if status == 304:
                return RefreshResult("not_modified", current)
            if status != 200:
                log.warning("catalog refresh: hall answered HTTP %d", status)
                return RefreshResult("failed", current, (f"the hall answered HTTP {status}",))
            key = self._key()
            try:
                if key is None and fetch_key is not None:
                    key = fetch_key()
                if key is None:
                    raise SignatureRefused(KEY_MISSING, "no content key pinned: enrol this station")
                key.verify(etag, body)
                data = loads_bounded(body, max_bytes=CATALOG.max_bytes, max_depth=CATALOG.max_depth)
                catalog = parse_catalog(data, source="hall")
            except (ConnectionError, TimeoutError, OSError) as exc:  # the key fetch, on the way
                log.info("catalog refresh: content key not fetched (%s)", type(exc).__name__)
                return RefreshResult("offline", current, (f"hall unreachable: {exc}",))
            except SignatureRefused as exc:
                log.warning("catalog refresh rejected: %s: %s", exc.code, exc)
                return RefreshResult("rejected", current, (str(exc),), exc.code)
            except BadDocument as exc:
                return self._bad_document(current, exc)
            except CatalogError as exc:
                # The last good catalog stays; the reasons go to the log and the technician.
                log.warning(
                    "catalog refresh rejected (%d problems): %s", len(exc.reasons), exc.reasons[0]
                )
                return RefreshResult("rejected", current, exc.reasons)
            saved_at = self._clock.now()
            self._write_cache(body, etag, saved_at)
            self._current = CachedCatalog(catalog, "cache", etag, saved_at)
            log.info("catalog updated: %s -> %s", current.catalog.version, catalog.version)
            return RefreshResult("updated", self._current)

    def _key(self) -> ContentPublicKey | None:
        return self._content_key or load_pinned(self._state_dir)

    @staticmethod
    def _bad_document(current: CachedCatalog, exc: BadDocument) -> RefreshResult:
        reason = f"the published catalog is not a usable JSON document: {exc}"
        log.warning("catalog refresh rejected: %s: %s", BAD_DOCUMENT_CODE, reason)
        return RefreshResult("rejected", current, (reason,), BAD_DOCUMENT_CODE)

    # -- the envelope file -------------------------------------------------------------------

    def _read_cache(self) -> CachedCatalog | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("catalog cache unreadable, using the shipped sample: %s", exc)
            return None
        try:
            # The hall's document re-serialised (", " and ": " may make it a little longer).
            envelope: Any = loads_bounded(
                raw, max_bytes=2 * CATALOG.max_bytes, max_depth=CATALOG.max_depth + 1
            )
            body = envelope["body"].encode("utf-8")
            etag = envelope.get("etag")
            key = self._key()
            if key is not None:  # written after a verified refresh; checked again all the same
                key.verify(etag, body)
            catalog = parse_catalog(
                loads_bounded(body, max_bytes=CATALOG.max_bytes, max_depth=CATALOG.max_depth),
                source=str(self.path),
            )
            saved_at = datetime.fromisoformat(envelope["saved_at"])
        except (
            BadDocument,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            CatalogError,
            SignatureRefused,
        ) as exc:
            # A torn write cannot happen (atomic replace), but a schema change in a software
            # update can make an old cache invalid: the sample is the safe fallback, and the
            # next refresh fetches in full because the ETag is dropped with the cache.
            log.warning("catalog cache not usable, using the shipped sample: %s", exc)
            return None
        return CachedCatalog(catalog, "cache", etag if isinstance(etag, str) else None, saved_at)

    def _write_cache(self, body: bytes, etag: str | None, saved_at: datetime) -> None:
        # The exact bytes served (the signature covers them), as text.
        envelope = {"etag": etag, "saved_at": saved_at.isoformat(), "body": body.decode("utf-8")}
        data = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, data)
