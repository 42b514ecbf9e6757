"""What the kiosk's outbox and the hall's intake must agree on byte for byte: the canonical JSON a
submission is sealed and hashed in, and how a submission names an attachment. One definition,
imported by both sides (offline_queue.outbox, hall.store), so they cannot drift apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def canonical_json(value: Any) -> bytes:
    """The one JSON spelling the outbox seals and the hall hashes: sorted keys, no spaces."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


@dataclass(frozen=True)
class AttachmentRef:
    """An attachment as the submission names it: the hall looks the blob up by ``sha256``."""

    sha256: str
    size: int
    media_type: str = "application/octet-stream"
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "name": self.name,
        }

    def __repr__(self) -> str:
        # The file name may carry a person's name.
        return f"AttachmentRef(sha256={self.sha256[:12]!r}…, size={self.size})"
