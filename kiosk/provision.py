"""Enrolling this terminal with the hall: a code in, a device credential and station config out.

``python main.py provision --hall URL --code CODE`` and the first-boot screen both call
:func:`provision`: it checks the typed code's shape, makes an Ed25519 key pair
(:class:`kiosk.device_identity.DeviceKey`), posts ``{code, public_key, proof}`` to the hall's
``POST /api/v1/enrolment`` and stores what comes back under the state directory, every file 0600:
``keys/device.key``, ``keys/device.json`` (device id and credential), ``keys/hall_seal.json``
(the hall's sealing public key, pinned: :mod:`offline_queue.hall_key`), ``keys/hall_content.json``
(the hall's content key, which signs the catalog: :mod:`contracts.content_signature`) and
``keys/hall_apt.asc`` (the key of the hall's apt repository, when it has one:
:mod:`kiosk.updater`) and ``station.json`` (the
station's id and name, the hall URL this terminal reached, assist ICE servers).
:func:`kiosk.station_file.provisioned_overrides` turns ``station.json`` into config overrides,
so the packaged ``kiosk.toml`` needs no per-station values.

Errors (the tree)::

    ProvisionError                  .reason is the FailureReason shown to people
     ├─ CodeUnknown                 ENROL_CODE_UNKNOWN   malformed, or the hall does not know it
     ├─ CodeUsed                    ENROL_CODE_USED      already exchanged (a replay is this)
     ├─ CodeExpired                 ENROL_CODE_EXPIRED
     ├─ TooManyAttempts             ENROL_TOO_MANY_ATTEMPTS (.retry_after_s)
     ├─ HallUnreachable             ENROL_HALL_UNREACHABLE network, TLS, timeout
     ├─ HallRefused                 ENROL_REFUSED        any other answer
     └─ StorageFailed               ENROL_STORAGE_FAILED the state directory is not writable

A station enrolled before the hall signed its catalog pinned no content key. The catalog cache
then calls :func:`fetch_content_key` once (``CatalogCache.refresh``): a device-signed request
with a fresh challenge sealed to the pinned sealing key; the hall's answer counts only with the
HMAC that proves it opened the challenge (:mod:`contracts.content_signature`).

The code and the credential never reach the log.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.content_signature import (
    CHALLENGE_BYTES,
    KEY_CHALLENGE_CONTEXT,
    KEY_MISSING,
    ContentPublicKey,
    SignatureRefused,
    proof_ok,
)
from contracts.content_signature import PIN_FILE as CONTENT_PIN_FILE
from contracts.device_auth import code_well_formed, enrolment_proof_input
from contracts.sealing import HallPublicKey
from kiosk.device_identity import (
    DeviceCredential,
    DeviceKey,
    save_identity,
    write_secret,
)
from kiosk.errors import FailureReason
from kiosk.net_json import STATUS, BadDocument, loads_bounded
from kiosk.station_file import STATION_FILE
from kiosk.updater import parse_apt_key, pin_apt_key
from offline_queue.hall_key import HallKeyMissing
from offline_queue.hall_key import load_pinned as load_hall_key
from offline_queue.hall_key import pin as pin_hall_key

log = logging.getLogger(__name__)

ENROL_PATH = "/api/v1/enrolment"
_URL = re.compile(r"^https?://[^\s/]+(:\d+)?(/.*)?$")


class ProvisionError(Exception):
    reason = FailureReason.ENROL_REFUSED

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class CodeUnknown(ProvisionError):
    reason = FailureReason.ENROL_CODE_UNKNOWN


class CodeUsed(ProvisionError):
    reason = FailureReason.ENROL_CODE_USED


class CodeExpired(ProvisionError):
    reason = FailureReason.ENROL_CODE_EXPIRED


class TooManyAttempts(ProvisionError):
    reason = FailureReason.ENROL_TOO_MANY_ATTEMPTS


class HallUnreachable(ProvisionError):
    reason = FailureReason.ENROL_HALL_UNREACHABLE


class HallRefused(ProvisionError):
    reason = FailureReason.ENROL_REFUSED


class StorageFailed(ProvisionError):
    reason = FailureReason.ENROL_STORAGE_FAILED


_BY_CODE: dict[str, type[ProvisionError]] = {
    "unknown_code": CodeUnknown,
    "code_used": CodeUsed,
    "code_expired": CodeExpired,
    "too_many_attempts": TooManyAttempts,
}

# For the command line (the screen words them through ui/bridge/failures.py).
MESSAGES: dict[FailureReason, str] = {
    FailureReason.ENROL_CODE_UNKNOWN: "The hall does not know this code. Check it letter by "
    "letter (16 characters; there is no O, I, L, 0 or 1).",
    FailureReason.ENROL_CODE_USED: "This code has already been used. Ask the hall for a new code.",
    FailureReason.ENROL_CODE_EXPIRED: "This code has expired. Ask the hall for a new code.",
    FailureReason.ENROL_TOO_MANY_ATTEMPTS: "Too many wrong codes from this terminal. Wait, then "
    "try again with a code from the hall.",
    FailureReason.ENROL_HALL_UNREACHABLE: "The hall cannot be reached at this address. Check the "
    "URL and the station's network.",
    FailureReason.ENROL_REFUSED: "The hall refused the enrolment. Ask the hall's support staff.",
    FailureReason.ENROL_STORAGE_FAILED: "The terminal could not store its credential. Check the "
    "state directory's permissions and free space.",
}


@dataclass(frozen=True)
class ProvisionedStation:
    device_id: str
    station_id: str
    station_name: str
    hall_url: str
    ice_servers: tuple[str, ...] = ()


def hall_url_ok(url: str) -> bool:
    return _URL.match(url.strip()) is not None


def provision(
    state_dir: Path, hall_url: str, code: str, *, timeout_s: float = 10.0
) -> ProvisionedStation:
    """Enrol this terminal; see the module docstring. Blocking (network): not on the GUI
    thread."""
    hall_url = hall_url.strip().rstrip("/")
    if not hall_url_ok(hall_url):
        raise HallUnreachable("the hall URL must look like https://hall.example")
    if not code_well_formed(code):
        raise CodeUnknown("not an enrolment code")
    key = DeviceKey.generate()
    public_key = key.public_key_b64
    body = {
        "code": code,
        "public_key": public_key,
        "proof": key.sign(enrolment_proof_input(code, public_key)),
    }
    answer = _post(hall_url + ENROL_PATH, body, timeout_s)
    try:
        station = answer["station"]
        credential = DeviceCredential(
            device_id=str(answer["device_id"]),
            station_id=str(answer["station_id"]),
            credential=str(answer["credential"]),
            hall_url=hall_url,
        )
        result = ProvisionedStation(
            device_id=credential.device_id,
            station_id=credential.station_id,
            station_name=str(station.get("name") or credential.station_id),
            hall_url=hall_url,
            ice_servers=tuple(str(s) for s in answer.get("assist", {}).get("ice_servers", [])),
        )
        hall_key = HallPublicKey.from_json(answer["sealing"])
        content_key = ContentPublicKey.from_json(answer["content_key"])
        # A hall with an apt repository sends its key (kiosk.updater).
        apt_key = parse_apt_key(answer["apt"]) if "apt" in answer else None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise HallRefused("the hall's answer is incomplete") from exc
    try:
        save_identity(state_dir, key, credential)
        # Pinned here, once per enrolment: the outbox seals every filing to it.
        pin_hall_key(state_dir, hall_key)
        # And the content key: every published catalog is verified with it (catalog_cache).
        pin_content_key(state_dir, content_key)
        # And the apt repository's key: the only one the station's updates are trusted with.
        if apt_key is not None:
            pin_apt_key(state_dir, apt_key)
        _save_station(state_dir, result)
    except OSError as exc:
        raise StorageFailed(f"cannot write under {state_dir}: {exc.strerror}") from exc
    log.info("enrolled as device %s for station %s", result.device_id, result.station_id)
    return result


def pin_content_key(state_dir: Path, key: ContentPublicKey) -> None:
    """Pin the hall's content key (0600): every published catalog is verified with it."""
    write_secret(Path(state_dir) / CONTENT_PIN_FILE, json.dumps(key.to_json()).encode())


# post(body) -> (HTTP status, JSON object): HallClient.post_content_key.
PostKeyRequest = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def fetch_content_key(state_dir: Path, post: PostKeyRequest) -> ContentPublicKey:
    """Ask the hall for its content key and pin it; for a station enrolled before the hall had
    one. The answer counts only if it proves the hall opened a challenge sealed to the sealing key
    this station pinned at enrolment.

    Raises :class:`SignatureRefused` (``CATALOG_KEY_MISSING``) when the hall refuses or its answer
    does not prove it; network failures raise ``ConnectionError``/``TimeoutError``, an unreadable
    answer :class:`kiosk.net_json.BadDocument`.
    """
    try:
        sealing = load_hall_key(state_dir)
    except HallKeyMissing:
        raise SignatureRefused(KEY_MISSING, "no hall key pinned: enrol this station") from None
    challenge = os.urandom(CHALLENGE_BYTES)
    sealed = sealing.seal(challenge, KEY_CHALLENGE_CONTEXT)
    status, doc = post({"challenge": base64.b64encode(sealed).decode("ascii")})
    if status != 200:
        raise SignatureRefused(
            KEY_MISSING, f"the hall refused the content key request (HTTP {status})"
        )
    try:
        key = ContentPublicKey.from_json(doc.get("content_key"))
    except ValueError:
        raise SignatureRefused(KEY_MISSING, "the hall's content key answer is incomplete") from None
    if not proof_ok(challenge, key, doc.get("proof")):
        raise SignatureRefused(
            KEY_MISSING, "the content key answer does not prove the hall's sealing key"
        )
    pin_content_key(state_dir, key)
    log.info("content key fetched from the hall and pinned")
    return key


def _post(url: str, body: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    import requests

    try:
        response = requests.post(url, json=body, timeout=timeout_s, allow_redirects=False)
    except requests.RequestException as exc:
        log.warning("enrolment: hall unreachable (%s)", type(exc).__name__)
        raise HallUnreachable(f"cannot reach the hall: {type(exc).__name__}") from exc
    try:
        # Bounded like every hall answer (kiosk.net_json): a hostile one is "incomplete".
        doc = loads_bounded(
            response.content, max_bytes=STATUS.max_bytes, max_depth=STATUS.max_depth
        )
    except BadDocument:
        doc = None
    if response.status_code == 201 and isinstance(doc, dict):
        return doc
    detail = doc.get("detail") if isinstance(doc, dict) else None
    code = detail.get("code") if isinstance(detail, dict) else None
    log.warning("enrolment refused: HTTP %d %s", response.status_code, code or "")
    cls = _BY_CODE.get(str(code), HallRefused)
    retry = response.headers.get("Retry-After", "")
    raise cls(
        f"the hall answered HTTP {response.status_code} ({code or 'no reason given'})",
        retry_after_s=float(retry) if retry.isdigit() else None,
    )


def _save_station(state_dir: Path, station: ProvisionedStation) -> None:
    doc = {
        "station": {"id": station.station_id, "name": station.station_name},
        "hall": {"url": station.hall_url},
        "assist": {"ice_servers": list(station.ice_servers)},
        "device_id": station.device_id,
    }
    write_secret(
        Path(state_dir) / STATION_FILE, json.dumps(doc, ensure_ascii=False, indent=1).encode()
    )
