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


def _conforms(value: object, hint: Any) -> bool:
    """Does ``value`` (decoded JSON) have exactly the declared type? ``bool`` is not ``int``."""
    origin = typing.get_origin(hint)
    if origin is None:
        return type(value) is hint
    args = typing.get_args(hint)
    if origin is list:
        return type(value) is list and all(_conforms(v, args[0]) for v in value)
    if origin is dict:
        return type(value) is dict and all(
            _conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items()
        )
    return False


def _check_fields(msg: object) -> None:
    """Each field must be exactly its declared type (``bool`` is not an ``int`` here)."""
    for name, expected in _field_types(type(msg)).items():
        value = getattr(msg, name)
        if not _conforms(value, expected):
            shown = expected.__name__ if typing.get_origin(expected) is None else str(expected)
            raise ProtocolError(
                f"{type(msg).__name__}.{name}: expected {shown}, got {type(value).__name__}"
            )


def _nonempty(msg: object, *names: str) -> None:
    for name in names:
        if not getattr(msg, name):
            raise ProtocolError(f"{getattr(msg, 'TYPE', '?')}.{name} must not be empty")


def _one_of(msg: object, name: str, allowed: frozenset[str]) -> None:
    if getattr(msg, name) not in allowed:
        raise ProtocolError(f"{getattr(msg, 'TYPE', '?')}.{name}: not one of {sorted(allowed)}")


# Who last filled a field, as the helper's console shows it: nobody, the walk-in, the helper.
FILLED_BY = frozenset({"", "walk_in", "helper"})
SNAPSHOT_FIELD_KEYS = frozenset({"name", "label", "value", "by"})
SNAPSHOT_MATERIAL_KEYS = frozenset({"id", "label", "captured"})
CHAT_SENDERS = frozenset({"walk_in", "helper"})


@dataclass(frozen=True)
class _Message:
    """What every message checks on construction (parsing included): each field exactly its
    declared type, the ``NONEMPTY`` fields not empty, then the class's own :meth:`_check`."""

    TYPE: ClassVar[str] = ""
    NONEMPTY: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        _check_fields(self)
        _nonempty(self, *self.NONEMPTY)
        self._check()

    def _check(self) -> None:
        """Rules beyond types and non-empty fields (none by default)."""


@dataclass(frozen=True)
class HelpRequested(_Message):
    """Kiosk → hall: a walk-in pressed "ask the hall for help"."""

    TYPE: ClassVar[str] = "help_requested"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("station_id",)
    station_id: str
    service_id: str


@dataclass(frozen=True)
class QueuePosition(_Message):
    """Hall → kiosk: how many walk-ins wait for a helper ahead of this one."""

    TYPE: ClassVar[str] = "queue_position"
    position: int

    def _check(self) -> None:
        if self.position < 0:
            raise ProtocolError("queue_position.position must be >= 0")


@dataclass(frozen=True)
class SessionOpened(_Message):
    """Hall → kiosk: the help request is queued as this assist session (the key to resume it)."""

    TYPE: ClassVar[str] = "session_opened"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("session_id",)
    session_id: str


@dataclass(frozen=True)
class Resume(_Message):
    """Kiosk or helper → hall, first frame after a reconnect: continue ``session_id``;
    ``last_seq`` is the highest seq received from the hall (0: nothing yet)."""

    TYPE: ClassVar[str] = "resume"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("session_id",)
    session_id: str
    last_seq: int

    def _check(self) -> None:
        if self.last_seq < 0:
            raise ProtocolError("resume.last_seq must be >= 0")


@dataclass(frozen=True)
class Resumed(_Message):
    """Hall → the reconnected side: ``last_seq`` is the highest seq the hall holds from it, so
    it re-sends only what came after (no lost and no duplicated edits)."""

    TYPE: ClassVar[str] = "resumed"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("session_id",)
    session_id: str
    last_seq: int

    def _check(self) -> None:
        if self.last_seq < 0:
            raise ProtocolError("resumed.last_seq must be >= 0")


@dataclass(frozen=True)
class HelperJoined(_Message):
    """Hall → kiosk: a helper accepted the request (``helper_name``: the name shown on screen)."""

    TYPE: ClassVar[str] = "helper_joined"
    helper_name: str


@dataclass(frozen=True)
class HelperLeft(_Message):
    """Hall → kiosk: the helper hung up or lost the connection (``reason`` is a code)."""

    TYPE: ClassVar[str] = "helper_left"
    reason: str


# --- consent and form ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentGranted(_Message):
    """Kiosk → hall: the walk-in agreed on screen that the helper may see the form's values."""

    TYPE: ClassVar[str] = "consent_granted"


@dataclass(frozen=True)
class ConsentRevoked(_Message):
    """Kiosk → hall: the walk-in took consent back; values are masked again from now on."""

    TYPE: ClassVar[str] = "consent_revoked"


@dataclass(frozen=True)
class FormSnapshot(_Message):
    """Kiosk → helper: the form as the walk-in sees it. Each field is ``{name, label, value,
    by}``; ``masked`` snapshots carry no values at all (the protocol refuses one that does).
    ``materials`` are the documents the kiosk can photograph: ``{id, label, captured}`` with
    ``captured`` ``"yes"`` or ``""``. ``choices`` gives, per choice field, its ``[value,
    label]`` pairs in the walk-in's order, so the helper reads "有限责任公司", not "llc", and
    proposes a value the form accepts (labels are catalog text, never personal data)."""

    TYPE: ClassVar[str] = "form_snapshot"
    service_id: str
    service_name: str
    masked: bool
    fields: list[dict[str, str]]
    materials: list[dict[str, str]]
    choices: dict[str, list[list[str]]] = dataclasses.field(default_factory=dict)

    def _check(self) -> None:
        names = {entry.get("name") for entry in self.fields}
        for name, pairs in self.choices.items():
            if name not in names or any(len(pair) != 2 for pair in pairs):
                raise ProtocolError("form_snapshot choices must be [value, label] pairs of a field")
        for material in self.materials:
            if set(material) != SNAPSHOT_MATERIAL_KEYS or material["captured"] not in ("", "yes"):
                raise ProtocolError("form_snapshot material must be {id, label, captured}")
        for entry in self.fields:
            if set(entry) != SNAPSHOT_FIELD_KEYS:
                raise ProtocolError(
                    f"form_snapshot field keys must be {sorted(SNAPSHOT_FIELD_KEYS)}"
                )
            if entry["by"] not in FILLED_BY:
                raise ProtocolError("form_snapshot field 'by' is not a known filler")
            if self.masked and entry["value"]:
                raise ProtocolError("a masked form_snapshot must not carry values")


@dataclass(frozen=True)
class FieldChanged(_Message):
    """Kiosk → helper: one field changed (``by`` who); ``masked``: no value before consent."""

    TYPE: ClassVar[str] = "field_changed"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("name",)
    name: str
    value: str
    by: str
    masked: bool

    def _check(self) -> None:
        _one_of(self, "by", FILLED_BY)
        if self.masked and self.value:
            raise ProtocolError("a masked field_changed must not carry a value")


@dataclass(frozen=True)
class FieldProposed(_Message):
    """Helper → kiosk: fill ``name`` with ``value`` (arrives as the walk-in's own edit would)."""

    TYPE: ClassVar[str] = "field_proposed"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("name",)
    name: str
    value: str


@dataclass(frozen=True)
class HighlightField(_Message):
    """Helper → kiosk: draw the walk-in's eye to one field."""

    TYPE: ClassVar[str] = "highlight_field"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("name",)
    name: str


@dataclass(frozen=True)
class Guidance(_Message):
    """Helper → kiosk: a short instruction shown in a banner on the kiosk."""

    TYPE: ClassVar[str] = "guidance"
    text: str


@dataclass(frozen=True)
class Chat(_Message):
    """Either way: one chat line; ``sender`` is ``walk_in`` or ``helper``."""

    TYPE: ClassVar[str] = "chat"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("text",)
    sender: str
    text: str

    def _check(self) -> None:
        _one_of(self, "sender", CHAT_SENDERS)


# --- captures and submit -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureRequested(_Message):
    """Helper → kiosk: please photograph the material ``material_id``."""

    TYPE: ClassVar[str] = "capture_requested"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("material_id",)
    material_id: str


@dataclass(frozen=True)
class CaptureAttached(_Message):
    """Kiosk → helper: the photo is uploaded to the hall as blob ``sha256`` (bytes never ride
    on this socket: the helper fetches them through the broker, consent permitting)."""

    TYPE: ClassVar[str] = "capture_attached"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("material_id",)
    material_id: str
    sha256: str
    media_type: str

    def _check(self) -> None:
        if len(self.sha256) != 64 or any(c not in "0123456789abcdef" for c in self.sha256):
            raise ProtocolError("capture_attached.sha256 must be a lower-case hex sha256")


@dataclass(frozen=True)
class SubmitProposed(_Message):
    """Helper → kiosk: the form looks complete; ask the walk-in to confirm the submit."""

    TYPE: ClassVar[str] = "submit_proposed"


@dataclass(frozen=True)
class SubmitConfirmed(_Message):
    """Kiosk → helper: the walk-in confirmed on screen; the kiosk submits (``tracking_number``
    once known, else empty)."""

    TYPE: ClassVar[str] = "submit_confirmed"
    tracking_number: str


@dataclass(frozen=True)
class SubmitDeclined(_Message):
    """Kiosk → helper: the walk-in said no, or the form is not complete (``reason`` code)."""

    TYPE: ClassVar[str] = "submit_declined"
    reason: str


# --- WebRTC signalling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RtcOffer(_Message):
    """Either way: a WebRTC session description offer."""

    TYPE: ClassVar[str] = "rtc_offer"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("sdp",)
    sdp: str


@dataclass(frozen=True)
class RtcAnswer(_Message):
    """Either way: the answer to an :class:`RtcOffer`."""

    TYPE: ClassVar[str] = "rtc_answer"
    NONEMPTY: ClassVar[tuple[str, ...]] = ("sdp",)
    sdp: str


@dataclass(frozen=True)
class IceCandidate(_Message):
    """Either way: one trickled ICE candidate (empty ``candidate``: end of candidates)."""

    TYPE: ClassVar[str] = "ice_candidate"
    candidate: str
    sdp_mid: str
    sdp_mline_index: int

    def _check(self) -> None:
        if self.sdp_mline_index < 0:
            raise ProtocolError("ice_candidate.sdp_mline_index must be >= 0")


# --- keep-alive and end --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ping(_Message):
    """Either way: keep-alive; the peer answers with its own ping."""

    TYPE: ClassVar[str] = "ping"


@dataclass(frozen=True)
class End(_Message):
    """Either way: the assist session is over (``reason`` is a code, e.g. ``helper_left``)."""

    TYPE: ClassVar[str] = "end"
    reason: str


Message = (
    HelpRequested
    | QueuePosition
    | SessionOpened
    | Resume
    | Resumed
    | HelperJoined
    | HelperLeft
    | ConsentGranted
    | ConsentRevoked
    | FormSnapshot
    | FieldChanged
    | FieldProposed
    | HighlightField
    | Guidance
    | Chat
    | CaptureRequested
    | CaptureAttached
    | SubmitProposed
    | SubmitConfirmed
    | SubmitDeclined
    | RtcOffer
    | RtcAnswer
    | IceCandidate
    | Ping
    | End
)

MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.TYPE: cls
    for cls in (
        HelpRequested,
        QueuePosition,
        SessionOpened,
        Resume,
        Resumed,
        HelperJoined,
        HelperLeft,
        ConsentGranted,
        ConsentRevoked,
        FormSnapshot,
        FieldChanged,
        FieldProposed,
        HighlightField,
        Guidance,
        Chat,
        CaptureRequested,
        CaptureAttached,
        SubmitProposed,
        SubmitConfirmed,
        SubmitDeclined,
        RtcOffer,
        RtcAnswer,
        IceCandidate,
        Ping,
        End,
    )
}
# Who may send what: the broker refuses a frame from the wrong side (a helper cannot claim the
# walk-in's consent or confirmation; a kiosk cannot propose values).
FROM_KIOSK: frozenset[str] = frozenset(
    {
        "help_requested", "resume", "consent_granted", "consent_revoked", "form_snapshot",
        "field_changed", "chat", "capture_attached", "submit_confirmed", "submit_declined",
        "rtc_offer", "rtc_answer", "ice_candidate", "ping", "end",
    }
)  # fmt: skip
FROM_HELPER: frozenset[str] = frozenset(
    {
        "resume", "field_proposed", "highlight_field", "guidance", "chat", "capture_requested",
        "submit_proposed", "rtc_offer", "rtc_answer", "ice_candidate", "ping", "end",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Envelope:
    """One parsed frame: the sender's sequence number and the message."""

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
