"""Request-body limits and strict JSON for the whole hall: a pure ASGI middleware.

Every HTTP request is matched against :data:`ROUTE_LIMITS` (method and path): a content-addressed
blob may be up to :data:`contracts.wire.MAX_BLOB_BYTES`, a diagnostics bundle up to
:data:`MAX_BUNDLE_BYTES`, a published catalog up to :data:`MAX_CATALOG_BYTES`, and anything else
up to :data:`MAX_JSON_BYTES`. A declared ``Content-Length`` over the limit is answered 413 before
the app runs; a chunked body is counted as it arrives and refused with 413 the moment it passes
the limit, so nothing larger than the limit is ever held (the review pushed a 300 MiB chunked
login body through the hall and watched it grow by 600 MB).

Bodies of the small JSON routes (``application/json``, ``*+json`` or no content type, as FastAPI
reads them) are read here, within their limit, and parsed once with a parser that refuses
``NaN``, ``Infinity`` and numbers that overflow to infinity: Python's ``json`` accepts them, and
a payload carrying one reached ``json.dumps(allow_nan=False)`` deep inside the intake as a 500.
Such a body is answered 422 with a reason; otherwise the bytes go on to the app unchanged.
Streamed routes (blobs, bundles) pass through chunk by chunk.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import HTTPException

from contracts.sealing import OVERHEAD as SEAL_OVERHEAD
from contracts.wire import MAX_BLOB_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_JSON_BYTES: Final = 64 * 1024
MAX_CATALOG_BYTES: Final = 2 * 1024 * 1024
MAX_BUNDLE_BYTES: Final = 20 * 1024 * 1024
MAX_REGISTER_IMPORT_BYTES: Final = 64 * 1024 * 1024
# The console's content workbook (hall.content_routes): a 272-service catalog is well under 1 MB.
MAX_CONTENT_WORKBOOK_BYTES: Final = 16 * 1024 * 1024


@dataclass(frozen=True)
class RouteLimit:
    method: str
    path: re.Pattern[str]
    max_bytes: int
    streamed: bool  # passed through chunk by chunk (not JSON-checked)


ROUTE_LIMITS: Final = (
    RouteLimit(
        "PUT", re.compile(r"/api/v1/blobs/[^/]*"), MAX_BLOB_BYTES + SEAL_OVERHEAD, streamed=True
    ),
    RouteLimit(
        "POST", re.compile(r"/api/v1/stations/[^/]*/diagnostics"), MAX_BUNDLE_BYTES, streamed=True
    ),
    RouteLimit("PUT", re.compile(r"/api/v1/catalog"), MAX_CATALOG_BYTES, streamed=False),
    # The enterprise register's .xlsx import (hall.register_routes reads it within the limit).
    RouteLimit(
        "POST", re.compile(r"/api/v1/register/import"), MAX_REGISTER_IMPORT_BYTES, streamed=True
    ),
    # A document on file for the register (hall.register_routes reads it within the limit).
    RouteLimit(
        "PUT", re.compile(r"/api/v1/register/materials/[^/]*/file"), MAX_BLOB_BYTES, streamed=True
    ),
    RouteLimit(
        "POST",
        re.compile(r"/api/v1/content/[a-z_]+/(check|publish|preview/[^/]*)"),
        MAX_CONTENT_WORKBOOK_BYTES,
        streamed=True,
    ),
)


def limit_for(method: str, path: str) -> RouteLimit:
    """The limit for a request (:data:`MAX_JSON_BYTES`, not streamed, unless a route says)."""
    for limit in ROUTE_LIMITS:
        if limit.method == method and limit.path.fullmatch(path):
            return limit
    return RouteLimit(method, re.compile(re.escape(path)), MAX_JSON_BYTES, streamed=False)


class BodyTooLarge(HTTPException):
    """Raised into the app when a streamed body passes its limit: an HTTP 413 with its reason
    wherever the app lets it out (FastAPI re-raises HTTP errors met while reading a body)."""

    def __init__(self, limit: RouteLimit) -> None:
        super().__init__(413, detail=_too_large(limit))


class NonFiniteNumber(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise NonFiniteNumber(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses to inf without passing parse_constant
        raise NonFiniteNumber(text)
    return value


def check_json(body: bytes) -> str | None:
    """Why ``body`` must be refused (NaN/Infinity, nesting too deep), or None to let the app
    judge it (valid JSON, or not JSON at all: FastAPI answers that with its own 422)."""
    try:
        json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except NonFiniteNumber:
        return "NaN and Infinity are not valid JSON numbers"
    except RecursionError:
        return "the JSON document is nested too deeply"
    except ValueError:  # malformed JSON, bad UTF-8, an integer over 4300 digits
        return None
    return None


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
    return True  # FastAPI parses a body without a content type as JSON


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # Whatever the client still sends of its body is not read: close after answering.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: RouteLimit) -> str:
    return f"request body larger than {limit.max_bytes} bytes, the limit for this route"


class BodyLimits:
    """The middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(str(scope.get("method", "")), str(scope.get("path", "")))
        headers = list(scope.get("headers", []))
        declared = _declared_length(headers)
        if declared is not None and declared > limit.max_bytes:
            await _answer(send, 413, _too_large(limit))
            return
        if not limit.streamed and _is_json(headers):
            await self._json_route(scope, receive, send, limit)
            return
        await self._streamed(scope, receive, send, limit)

    async def _json_route(
        self, scope: Scope, receive: Receive, send: Send, lim: RouteLimit
    ) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > lim.max_bytes:
                await _answer(send, 413, _too_large(lim))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        reason = check_json(body) if body else None
        if reason is not None:
            await _answer(send, 422, reason)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # http.disconnect, when it comes

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, lim: RouteLimit) -> None:
        size = 0
        started = exceeded = False

        async def counted() -> Message:
            nonlocal size, exceeded
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > lim.max_bytes:
                    exceeded = True
                    raise BodyTooLarge(lim)
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if exceeded:  # the app answered the 413 itself: still do not read the rest
                    headers = [*message.get("headers", []), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge:
            if started:
                raise
            await _answer(send, 413, _too_large(lim))
