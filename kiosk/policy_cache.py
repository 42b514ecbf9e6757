"""The policies the kiosk matches against: the hall's published ``policies`` kind, else the
shipped set.

:class:`PolicyCache` keeps the last good published version (:class:`kiosk.published_cache.
PublishedCache`: signature verified under the ``policies`` context, the document checked by
:func:`contracts.policies.compile_policies`, the bytes kept in ``policies.cache.json``, refusals
coded ``CATALOG_UNSIGNED`` / ``CATALOG_BAD_SIGNATURE`` / ``CATALOG_KEY_MISSING`` /
``HALL_BAD_DOCUMENT``). Until the hall's first version arrives, :meth:`PolicyCache.policy_set`
is the shipped 2,147-policy set (:func:`kiosk.policies.shipped_policies`), built once.

A :class:`~contracts.policies.PolicySet` is immutable: a consult session takes one at its
first policy question and keeps it to its end (:mod:`kiosk.session.consult`), so a version
published meanwhile reaches the next walk-in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from contracts.content_signature import ContentPublicKey
from kiosk.policies import PolicySet, compile_policies, shipped_policies
from kiosk.published_cache import FetchPublished, PublishedCache, Refresh

__all__ = ["KIND", "PolicyCache"]

KIND: Final = "policies"


def _parse(data: Any) -> PolicySet:
    return compile_policies(data, source="published policies")


class PolicyCache:
    """The hall's published policies in ``state_dir``, else the shipped set."""

    def __init__(
        self,
        state_dir: Path,
        *,
        content_key: ContentPublicKey | None = None,
        shipped: Callable[[], PolicySet] = shipped_policies,
    ) -> None:
        self._published = PublishedCache(state_dir, KIND, _parse, content_key=content_key)
        self._shipped_of = shipped
        self._shipped: PolicySet | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._published.path

    @property
    def version(self) -> str | None:
        """The published version in use; None while the shipped set is."""
        current = self._published.current
        return None if current is None else current.version

    def policy_set(self) -> PolicySet:
        """The published policies, else the shipped set (may block: run off the GUI thread)."""
        current = self._published.current
        if current is not None:
            return current.content
        with self._lock:
            if self._shipped is None:
                self._shipped = self._shipped_of()
            return self._shipped

    def refresh(
        self, fetch: FetchPublished, *, fetch_key: Callable[[], ContentPublicKey] | None = None
    ) -> Refresh:
        """Ask the hall for a newer version (``HallClient.get_published("policies", etag)``)."""
        return self._published.refresh(fetch, fetch_key=fetch_key)
