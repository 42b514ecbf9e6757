"""SMS through an HTTPS SMS gateway, for districts that buy SMS as a web service.

One ``POST`` of canonical JSON per message (``{"reference", "text", "to"}``, the number as
``+86…``); the gateway splits long texts itself. Each request is signed: ``X-Timestamp`` (Unix
seconds) and ``X-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``, and
carries ``Idempotency-Key`` (:func:`idempotency_key`: ``qihang-sms-<queue sequence>-<16 hex of
SHA-256 over number and text>``), the same on every retry and after a hall restart, so a gateway
that honours it never sends a message twice even when its answer was lost; the digest keeps two
halls sharing a gateway account, or a hall restored from a backup (its sequence numbers used
again), from having a new message dropped as a repeat of another. The body's ``reference`` is the
same key. This is the gateway's counterpart of the SMPP receipt correlation: no message is held
"in flight" here, a retry after a lost answer simply carries the same key.

Answers: 2xx with ``{"message_id": …}`` (409 with one: "already have it") → accepted; 429 →
:class:`~hall.sms_backend.SmsThrottled`; 5xx, a timeout, a refused connection or an answer that
does not parse → :class:`~hall.sms_backend.SmsUnavailable`; any other 4xx →
:class:`~hall.sms_backend.SmsRefused`. Plain ``http://`` is taken only for a loopback address (a
local relay, the tests); the secret never leaves the hall in any other form than the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from hall.sms_backend import (
    OutgoingSms,
    PartAccepted,
    ReceiptHandler,
    SmsRefused,
    SmsThrottled,
    SmsUnavailable,
    SubmitStarting,
)

log = logging.getLogger(__name__)

_LOOPBACK: Final = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class GatewayConfig:
    url: str
    secret: bytes = field(repr=False)
    timeout_s: float = 10.0
    ca_file: str | None = None  # the gateway's CA, when it is not in the system's store

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            raise ValueError("the SMS gateway URL must be https:// (http:// only on loopback)")
        if len(self.secret) < 16:
            raise ValueError("the SMS gateway's signing secret must be at least 16 bytes")


def idempotency_key(sms: OutgoingSms) -> str:
    """What names ``sms`` to the gateway: the same on every attempt (its number and text never
    change)."""
    digest = hashlib.sha256(f"{sms.to_number}\n{sms.text}".encode()).hexdigest()[:16]
    return f"qihang-sms-{sms.ref}-{digest}"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class HttpsSmsBackend:
    """Posts each message to the gateway; no link to keep, no receipts (the gateway keeps them)."""

    name = "https"

    def __init__(self, config: GatewayConfig) -> None:
        self._config = config
        self._context = (
            ssl.create_default_context(cafile=config.ca_file)
            if urlsplit(config.url).scheme == "https"
            else None
        )

    def send(
        self,
        sms: OutgoingSms,
        on_part: PartAccepted,
        on_receipt: ReceiptHandler,
        on_submit: SubmitStarting | None = None,
    ) -> None:
        if 1 in sms.accepted:
            return
        key = idempotency_key(sms)
        body = json.dumps(
            {"reference": key, "text": sms.text, "to": "+86" + sms.to_number},
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        ).encode("utf-8")
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            self._config.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": key,
                "X-Timestamp": timestamp,
                "X-Signature": signature(self._config.secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(
                request, timeout=self._config.timeout_s, context=self._context
            ) as answer:
                status, raw = answer.status, answer.read(64 * 1024)
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read(64 * 1024)
        except (urllib.error.URLError, OSError) as e:
            raise SmsUnavailable("SMS_GATEWAY_UNREACHABLE") from e
        if status == 429:
            raise SmsThrottled("SMS_THROTTLED 429")
        if status >= 500:
            raise SmsUnavailable(f"SMS_GATEWAY_ERROR {status}")
        if 400 <= status < 500 and status != 409:
            raise SmsRefused(f"SMS_GATEWAY_REFUSED {status}")
        try:
            message_id = json.loads(raw)["message_id"]
            if not isinstance(message_id, str) or not 0 < len(message_id) <= 65:
                raise ValueError("message_id")
        except (ValueError, KeyError, TypeError) as e:
            raise SmsUnavailable("SMS_GATEWAY_BAD_ANSWER") from e
        on_part(1, message_id, True)

    def idle(self, seconds: float, on_receipt: ReceiptHandler) -> None:
        time.sleep(seconds)

    def open(self) -> None:
        pass  # no link to hold: nothing is ever in flight here

    def close(self) -> None:
        pass
