"""The diagnostics bundle: one zip a technician takes away on a USB stick or sends to the hall.

It holds versions, the config without secrets, device health now and its history, failure
codes, outbox counts (never payloads), the technician audit log and the recent log lines, which
``kiosk/technician/log_buffer.py`` keeps in memory (installed on the root logger at start).

The kiosk's logs never carry names or ID numbers by design; the bundle is still scrubbed as a
second line of defence before anything is written: ID numbers (GB 11643, 18 and 15 digits),
mobile numbers, passport and travel-permit numbers, machine readable zones (ICAO 9303 TD1/TD2/
TD3 lines), the values of a session that happens to be live, and — in the log lines, which are
English by design — every run of Chinese characters. ``zipfile`` is imported on first use.

The scrubber matches on a normalised view of the text, which is also what it returns: JSON
``\\uXXXX`` escapes decoded, NFKC (full-width ``１１０…`` and ``Ｅ`` become ASCII), invisible format
characters dropped and every script's decimal digits made ASCII. Boundaries are never ``\\b``,
which does not fall between a letter and a digit (``ID11010519491231002X``): any run of 15 or
more digits is an ID number whatever it is glued to, a mobile number is found inside longer
digit runs too, and a passport number is one or two letters followed by seven or more digits.
Over-redacting a long number in a diagnostics bundle costs little; leaking one is the failure.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

BUNDLE_FORMAT = 1

# After normalisation every digit is ASCII, so the patterns are ASCII-only (re.ASCII).
# A JSON \uXXXX escape, a surrogate pair first; a lone surrogate stays escaped (not UTF-8).
_JSON_ESCAPE = re.compile(
    r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})", re.IGNORECASE
)
# An MRZ line is 30, 36 or 44 characters of A-Z 0-9 and the filler "<"; from 20 on with a
# filler, or 28 capitals and digits without one (TD3's second line can be full). Lower case
# too, as a walk-in or a log may have typed it.
_MRZ_RUN = re.compile(r"[A-Za-z0-9<]{20,}", re.ASCII)
_MRZ_FULL_LINE = re.compile(r"[A-Z0-9]{28,}", re.ASCII)
# Any run of 15+ digits (an ID number glued to other digits is still one), X for the check
# digit; and the 6-8-4 grouping people type with spaces or dashes.
_ID_NUMBER = re.compile(r"\d{15,}[Xx]?|\d{6}[ -]\d{8}[ -]\d{3}[\dXx]", re.ASCII)
# Passports (E12345678, EA1234567, G12345678), travel permits (C…, H…, M…) and the like: one or
# two letters, then seven or more digits. A letter glued in front is taken with it.
_PASSPORT = re.compile(r"[A-Za-z]{1,2}\d{7,}", re.ASCII)
# Anywhere in a digit run, and then the whole run (digits glued to a mobile number do not
# hide it), also grouped 3-4-4 with spaces or dashes; a +86/0086 prefix identifies no one.
# Runs of 15+ digits are gone by then, so the backtracking stays short.
_MOBILE = re.compile(r"\d*1[3-9]\d[ -]?\d{4}[ -]?\d{4}\d*", re.ASCII)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_SECRET_KEY = re.compile(r"token|secret|passw|credential|pin|key|cookie|auth", re.IGNORECASE)


def normalise(value: str) -> str:
    """The view the scrubber matches on and returns (see the module docstring)."""
    # Twice: an escape can stand for a full-width digit, and NFKC can make a full-width "\\".
    for _ in range(2):
        before = value
        if "\\" in value:
            value = _JSON_ESCAPE.sub(_unescape, value)
        if not value.isascii():
            value = "".join(_plain(ch) for ch in unicodedata.normalize("NFKC", value))
        if value == before:
            break
    return value


def _unescape(match: re.Match[str]) -> str:
    high, low, single = match.groups()
    if single is None:
        return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
    code = int(single, 16)
    return match.group() if 0xD800 <= code <= 0xDFFF else chr(code)


def _plain(ch: str) -> str:
    if ch.isascii():
        return ch
    category = unicodedata.category(ch)
    if category == "Cf":  # zero-width spaces and joiners, soft hyphens, BOMs: split nothing
        return ""
    if category == "Nd":  # Arabic-Indic, Devanagari, … digits
        return str(unicodedata.decimal(ch))
    return ch


def _mrz_run(match: re.Match[str]) -> str:
    return "[MRZ]" if "<" in match.group() else match.group()


class Scrubber:
    """Removes personal data from text: ID, mobile and passport numbers, MRZ lines, and any value
    it was told of."""

    def __init__(self, known_values: Iterable[str] = ()) -> None:
        values = {v for v in known_values if v and len(v.strip()) >= 2}
        values |= {normalise(v) for v in values}
        # Longest first, so "张三丰" goes before a shorter value inside it could split it.
        self._known = sorted(values, key=len)[::-1]

    def text(self, value: str, *, cjk: bool = False) -> str:
        value = normalise(value)
        for known in self._known:
            value = value.replace(known, "[REDACTED]")
        # MRZ first: its second line holds a passport number and dates that the narrower
        # patterns would take apart, leaving the rest of the line readable.
        value = _MRZ_RUN.sub(_mrz_run, value)
        value = _MRZ_FULL_LINE.sub("[MRZ]", value)
        value = _ID_NUMBER.sub("[ID-NUMBER]", value)
        value = _MOBILE.sub("[MOBILE]", value)
        value = _PASSPORT.sub("[PASSPORT]", value)
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
            "scrubbed": [
                "id_numbers",
                "mobile_numbers",
                "passport_numbers",
                "mrz_lines",
                "session_values",
                "cjk_in_logs",
            ],
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
