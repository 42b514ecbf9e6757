"""Attachments at the hall: receiving a streamed blob, and sweeping the ones nobody filed.

A blob is uploaded before the submission that names it (``PUT /api/v1/blobs/{sha256}``, signed
by an enrolled device: :func:`hall.device_auth.authenticate_digest` checks the signature over the
name, which is the body's sha256, before a byte is read). :meth:`BlobStore.receive` streams it to
disk through :mod:`hall.blob_files` and notes it in the ``blobs`` table with the hall clock's
time.

A blob that no accepted submission names is inert, but it still takes disk: an enrolled kiosk
that crashed between upload and filing, or a compromised one filling the disk. :meth:`sweep`
removes blobs older than the grace period (default :data:`DEFAULT_GRACE_S`, 24 h) that no
submission names and no material of the enterprise register keeps; the hall sweeps at start
(also removing uploads a previous run left unfinished) and every :data:`SWEEP_INTERVAL_S` while
it runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import and_, delete, exists, select

from contracts.clock import Clock
from hall import blob_files
from hall.clock import iso
from hall.register_schema import enterprise_materials
from hall.store import BlobOutcome, SubmissionStore, blobs, submissions

log = logging.getLogger(__name__)

DEFAULT_GRACE_S: Final = 24 * 3600.0
SWEEP_INTERVAL_S: Final = 3600.0


class BlobStore:
    """Blob files and their rows for one hall; thread-safe."""

    def __init__(
        self, store: SubmissionStore, clock: Clock, grace_s: float = DEFAULT_GRACE_S
    ) -> None:
        if grace_s < 0:
            raise ValueError("grace_s must not be negative")
        self._store, self._clock, self.grace_s = store, clock, grace_s

    async def receive(self, sha256: str, chunks: AsyncIterator[bytes]) -> BlobOutcome:
        """Stream one blob to disk; :class:`hall.blob_files.BlobHashMismatch` if it hashes
        otherwise (nothing kept)."""
        size = await blob_files.receive(self._store.blob_dir, sha256, chunks)
        received_at = iso(self._clock.now())
        return await run_in_threadpool(self._store.record_blob, sha256, size, received_at)

    def sweep(self, *, at_start: bool = False) -> int:
        """Remove unreferenced blobs older than the grace period; return how many went.

        ``at_start``: also remove unfinished uploads (nothing is uploading before the hall
        serves).
        """
        folder = self._store.blob_dir
        if at_start:
            for part in (folder / blob_files.INCOMING).glob("*.part"):
                part.unlink(missing_ok=True)
        cutoff = iso(self._clock.now() - timedelta(seconds=self.grace_s))
        with self._store.engine.connect() as conn:
            old = [
                str(v)
                for v in conn.execute(
                    select(blobs.c.sha256).where(blobs.c.received_at < cutoff)
                ).scalars()
            ]
        removed = 0
        for sha256 in old:
            # The reference test and the delete are one statement: a submission stored meanwhile
            # keeps its blob. Attachments are stored as canonical JSON naming each sha256.
            named = exists().where(submissions.c.attachments.like(f'%"{sha256}"%'))
            # A document the enterprise register keeps (hall.register_routes) is named too.
            on_file = exists().where(enterprise_materials.c.blob_sha256 == sha256)
            with self._store.engine.begin() as conn:
                gone = conn.execute(
                    delete(blobs).where(
                        and_(
                            blobs.c.sha256 == sha256,
                            blobs.c.received_at < cutoff,
                            ~named,
                            ~on_file,
                        )
                    )
                ).rowcount
            if gone:
                blob_files.remove(folder, sha256)
                removed += 1
        if removed:
            log.info("removed %d unreferenced blob(s) older than %.0f s", removed, self.grace_s)
        return removed
