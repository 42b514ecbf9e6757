"""The diagnostics bundle: one zip a technician takes away on a USB stick or sends to the hall.

It holds versions, the config without secrets, device health now and its history, failure
codes, outbox counts (never payloads), the technician audit log and the recent log lines, which
``kiosk/technician/log_buffer.py`` keeps in memory (installed on the root logger at start).

The kiosk's logs never carry names or ID numbers by design; the bundle is still scrubbed as a
second line of defence before anything is written: ID numbers (GB 11643, 18 and 15 digits),
mobile numbers, the values of a session that happens to be live, and — in the log lines, which
are English by design — every run of Chinese characters. ``zipfile`` is imported on first use.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

BUNDLE_FORMAT = 1

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_SECRET_KEY = re.compile(r"token|secret|passw|credential|pin|key|cookie|auth", re.IGNORECASE)


class Scrubber:
    """Removes personal data from text: ID and mobile numbers, and any value it was told of."""

    def __init__(self, known_values: Iterable[str] = ()) -> None:
        # Longest first, so "张三丰" goes before a shorter value inside it could split it.
        self._known = sorted({v for v in known_values if v and len(v.strip()) >= 2}, key=len)[::-1]

    def text(self, value: str, *, cjk: bool = False) -> str:
        for known in self._known:
            value = value.replace(known, "[REDACTED]")
        value = _ID_NUMBER.sub("[ID-NUMBER]", value)
        value = _MOBILE.sub("[MOBILE]", value)
        if cjk:
            value = _CJK.sub("[CJK]", value)
        return value

    def data(self, value: Any) -> Any:
        """The same over a JSON-ready structure (keys and strings)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value


def config_without_secrets(config: dict[str, Any]) -> dict[str, Any]:
    """The config as JSON with every secret-looking key blanked and URLs without credentials."""

    def clean(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: clean(v, str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [clean(v, key) for v in node]
        if key and _SECRET_KEY.search(key):
            return "<set>" if node not in ("", None, [], {}) else ""
        if isinstance(node, str) and "://" in node:
            return _strip_userinfo(node)
        return node

    cleaned: dict[str, Any] = clean(config)
    return cleaned


def _strip_userinfo(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def package_versions(names: Iterable[str]) -> dict[str, str | None]:
    from importlib import metadata

    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


@dataclass
class BundleInputs:
    """Everything the bundle holds, gathered by the caller (no I/O in here except the zip)."""

    station_id: str
    created_at: dt.datetime
    versions: dict[str, Any]
    config: dict[str, Any]
    health: dict[str, Any]
    history: list[dict[str, Any]]
    failure_codes: dict[str, Any]
    outbox: dict[str, Any]
    audit: list[dict[str, Any]]
    logs: list[str]
    known_values: list[str] = field(default_factory=list)


def bundle_name(station_id: str, at: dt.datetime) -> str:
    return f"qihang-diagnostics-{station_id}-{at:%Y%m%d-%H%M%S}.zip"


def build_bundle(inputs: BundleInputs) -> bytes:
    """The zip's bytes; every file is scrubbed first (see the module docstring)."""
    import io
    import zipfile

    scrub = Scrubber(inputs.known_values)

    def as_json(value: Any) -> str:
        return json.dumps(scrub.data(value), ensure_ascii=False, indent=2, default=str) + "\n"

    files: dict[str, str] = {
        "versions.json": as_json(inputs.versions),
        "config.json": as_json(config_without_secrets(inputs.config)),
        "health.json": as_json({"now": inputs.health, "history": inputs.history}),
        "failure_codes.json": as_json(inputs.failure_codes),
        "outbox.json": as_json(inputs.outbox),
        "audit.jsonl": "".join(
            json.dumps(scrub.data(e), ensure_ascii=False) + "\n" for e in inputs.audit
        ),
        "logs.txt": "".join(scrub.text(line, cjk=True) + "\n" for line in inputs.logs),
    }
    files["manifest.json"] = as_json(
        {
            "format": BUNDLE_FORMAT,
            "station_id": inputs.station_id,
            "created_at": inputs.created_at.isoformat(timespec="seconds"),
            "files": sorted(files),
            "scrubbed": ["id_numbers", "mobile_numbers", "session_values", "cjk_in_logs"],
        }
    )
    buffer = io.BytesIO()
    stamp = inputs.created_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


class ExportError(Exception):
    """The bundle could not be written; ``code`` says why (TECH_EXPORT_NO_DIR/_FAILED)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def export_bundle(data: bytes, export_dir: Path | None, name: str) -> Path:
    """Write the bundle into ``export_dir`` (a mounted USB stick), durably; return its path."""
    if export_dir is None or not Path(export_dir).is_dir():
        raise ExportError("TECH_EXPORT_NO_DIR")
    target = Path(export_dir) / name
    try:
        atomic_write(target, data)  # durable: a stick pulled right after "done" keeps the file
    except OSError as exc:
        log.warning("diagnostics export failed: %s", type(exc).__name__)
        raise ExportError("TECH_EXPORT_FAILED") from exc
    return target
