"""The remote-assist wire protocol, shared by the kiosk (client) and the hall (assist broker).

Every WebSocket text frame is one JSON envelope ``{"type", "v", "seq", "body"}``: ``type`` names
the message, ``v`` is the protocol version, ``seq`` a per-sender counter (≥ 0) so the receiver
can spot loss and reordering, ``body`` the message's fields. Each message is defined once here as
a frozen dataclass. Parsing is strict — unknown type, other version, missing or extra field,
wrong JSON type (``true`` is not an int), duplicate key, oversize frame — and every such problem
raises :class:`ProtocolError`, never another exception, because the peer is untrusted input.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

PROTOCOL_VERSION = 1
# Assist messages are small (form edits, signalling); anything bigger is a broken or hostile peer.
MAX_MESSAGE_CHARS = 64 * 1024
_ENVELOPE_KEYS = frozenset({"type", "v", "seq", "body"})


class ProtocolError(ValueError):
    """A frame that does not follow this protocol; the message is safe to log."""


def _short(value: object) -> str:
    """A bounded repr of peer-supplied data, so an error message stays small enough to log."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _names(keys: set[str] | frozenset[str]) -> str:
    shown = [_short(k) for k in sorted(keys)[:5]]
    return "[" + ", ".join(shown) + (", ...]" if len(keys) > 5 else "]")


_FIELD_TYPES: dict[type, dict[str, type]] = {}


def _field_types(cls: type) -> dict[str, type]:
    """Declared field types of a message class, resolved once (annotations are strings here)."""
    types = _FIELD_TYPES.get(cls)
    if types is None:
        hints = typing.get_type_hints(cls)
        types = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
        _FIELD_TYPES[cls] = types
    return types


def _check_fields(msg: object) -> None:
    """Each field must be exactly its declared type (``bool`` is not an ``int`` here)."""
    for name, expected in _field_types(type(msg)).items():
        value = getattr(msg, name)
        if type(value) is not expected:
            raise ProtocolError(
                f"{type(msg).__name__}.{name}: expected {expected.__name__}, "
                f"got {type(value).__name__}"
            )


@dataclass(frozen=True)
class HelpRequested:
    """Kiosk → hall: a walk-in pressed "ask the hall for help"."""

    TYPE: ClassVar[str] = "help_requested"
    station_id: str
    service_id: str

    def __post_init__(self) -> None:
        _check_fields(self)
        if not self.station_id:
            raise ProtocolError("help_requested.station_id must not be empty")


@dataclass(frozen=True)
class QueuePosition:
    """Hall → kiosk: how many walk-ins wait for a helper ahead of this one."""

    TYPE: ClassVar[str] = "queue_position"
    position: int

    def __post_init__(self) -> None:
        _check_fields(self)
        if self.position < 0:
            raise ProtocolError("queue_position.position must be >= 0")


@dataclass(frozen=True)
class Ping:
    """Either way: keep-alive; the peer answers with its own ping."""

    TYPE: ClassVar[str] = "ping"

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class End:
    """Either way: the assist session is over (``reason`` is a code, e.g. ``helper_left``)."""

    TYPE: ClassVar[str] = "end"
    reason: str

    def __post_init__(self) -> None:
        _check_fields(self)


Message = HelpRequested | QueuePosition | Ping | End

MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.TYPE: cls for cls in (HelpRequested, QueuePosition, Ping, End)
}


@dataclass(frozen=True)
class Envelope:
    seq: int
    message: Message


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ProtocolError(f"duplicate key {_short(key)}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ProtocolError(f"{name} is not valid JSON")


def parse_envelope(text: str | bytes) -> Envelope:
    """Parse one frame into its sequence number and message; raise ProtocolError if invalid."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"frame longer than {MAX_MESSAGE_CHARS} characters")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except ProtocolError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError is what a
        # frame of 100,000 nested brackets gives.
        raise ProtocolError(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ProtocolError("frame must be a JSON object")
    keys = set(data)
    if keys != _ENVELOPE_KEYS:
        raise ProtocolError(
            f"envelope keys: missing {_names(_ENVELOPE_KEYS - keys)}, "
            f"unexpected {_names(keys - _ENVELOPE_KEYS)}"
        )
    kind, version, seq, body = data["type"], data["v"], data["seq"], data["body"]
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise ProtocolError(f"unsupported protocol version {_short(version)}")
    if type(seq) is not int or seq < 0:
        raise ProtocolError("seq must be a non-negative integer")
    if type(kind) is not str or kind not in MESSAGE_TYPES:
        raise ProtocolError(f"unknown message type {_short(kind)}")
    if not isinstance(body, dict):
        raise ProtocolError(f"{kind}: body must be a JSON object")
    cls = MESSAGE_TYPES[kind]
    names = frozenset(_field_types(cls))
    if set(body) != names:
        raise ProtocolError(
            f"{kind}: missing fields {_names(names - set(body))}, "
            f"unexpected {_names(set(body) - names)}"
        )
    # Field types are checked by the dataclass itself (__post_init__ raises ProtocolError).
    return Envelope(seq=seq, message=cls(**body))


def parse(text: str | bytes) -> Message:
    """Parse one frame into its message; raise ProtocolError if it is not a valid frame."""
    return parse_envelope(text).message


def dump(msg: Message, seq: int) -> str:
    """Serialise ``msg`` as a frame with sequence number ``seq``."""
    if type(seq) is not int or seq < 0:
        raise ProtocolError("seq must be a non-negative integer")
    if type(msg) not in MESSAGE_TYPES.values():
        raise ProtocolError(f"not a protocol message: {type(msg).__name__}")
    frame = {"type": msg.TYPE, "v": PROTOCOL_VERSION, "seq": seq, "body": dataclasses.asdict(msg)}
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
