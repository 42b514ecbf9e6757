"""The remote-assist wire protocol, shared by the kiosk (client) and the hall (assist broker).

Every WebSocket text frame is one JSON envelope ``{"type", "v", "seq", "body"}``: ``type`` names
the message, ``v`` is the protocol version, ``seq`` a per-sender counter (≥ 0) so the receiver
can spot loss and reordering, ``body`` the message's fields. Each message is one strict, frozen
pydantic model here; the frames form one union discriminated by ``type``, parsed by one
``TypeAdapter``. Parsing is strict — unknown type, other version, missing or extra field, wrong
JSON type (``true`` is not an int), duplicate key, oversize frame — and every such problem raises
:class:`ProtocolError` (pydantic's ``ValidationError`` is its ``__cause__``), never another
exception, because the peer is untrusted input.

Building the 52 models costs ~55 ms on top of pydantic: the kiosk imports this module with the
assist client, after its first frame (tests/assist/test_start_path.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Union, cast

from annotated_types import Ge, Len, MinLen
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
    with_config,
)
from pydantic_core import ErrorDetails
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

PROTOCOL_VERSION = 1
# Assist messages are small (form edits, signalling); anything bigger is a broken or hostile peer.
MAX_MESSAGE_CHARS = 64 * 1024

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
# Parse-time context: on the wire every field is required, even one the constructor defaults.
_WIRE = {"wire": True}


class ProtocolError(ValueError):
    """A frame that does not follow this protocol; the message is safe to log."""


def _short(value: object) -> str:
    """A bounded repr of peer-supplied data, so an error message stays small enough to log."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _path(loc: tuple[int | str, ...]) -> str:
    """``form_snapshot.fields[0].by`` from a pydantic location (peer-chosen keys bounded)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += "." + (part if part.isidentifier() and len(part) <= 40 else _short(part))
    return out.lstrip(".")


def _what(err: ErrorDetails) -> str:
    """What is wrong at one location, in words that never echo the peer's data."""
    if err["type"] == "missing":
        return "missing field"
    if err["type"] == "extra_forbidden":
        return "unexpected field"
    return err["msg"].removeprefix("Value error, ")


def _reason(errors: list[ErrorDetails], describe: Callable[[ErrorDetails], str]) -> str:
    """The first problem, described; how many more there were."""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return describe(errors[0]) + more


NonEmpty = Annotated[str, MinLen(1)]
Count = Annotated[int, Ge(0)]
# Who last filled a field, as the helper's console shows it: nobody, the walk-in, the helper.
FilledBy = Literal["", "walk_in", "helper"]
ChatSender = Literal["walk_in", "helper"]
# A capture is a photo: the hall shows it to the helper inline, so nothing else may be named.
CaptureMediaType = Literal["image/jpeg", "image/png"]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ChoicePair = Annotated[list[str], Len(2, 2)]  # [value, label]


@with_config(ConfigDict(strict=True, extra="forbid"))
class SnapshotField(TypedDict):
    """One form field as the helper sees it (``value`` is empty while masked)."""

    name: str
    label: str
    value: str
    by: FilledBy


@with_config(ConfigDict(strict=True, extra="forbid"))
class SnapshotMaterial(TypedDict):
    """One document the kiosk can photograph; ``captured`` is ``"yes"`` or ``""``."""

    id: str
    label: str
    captured: Literal["", "yes"]


class _Message(BaseModel):
    """Every message: strict (``true`` is not an int, ``"3"`` not an int), no extra fields,
    immutable. Building one with bad values raises pydantic's ``ValidationError`` (our own
    code's mistake, not the peer's); only :func:`parse` turns errors into ProtocolError, as a
    custom ``__init__`` would also run, and re-wrap, inside every parse."""

    model_config = _STRICT
    TYPE: ClassVar[str] = ""


class HelpRequested(_Message):
    """Kiosk → hall: a walk-in pressed "ask the hall for help"."""

    TYPE: ClassVar[str] = "help_requested"
    station_id: NonEmpty
    service_id: str


class QueuePosition(_Message):
    """Hall → kiosk: how many walk-ins wait for a helper ahead of this one."""

    TYPE: ClassVar[str] = "queue_position"
    position: Count


class SessionOpened(_Message):
    """Hall → kiosk: the help request is queued as this assist session (the key to resume it)."""

    TYPE: ClassVar[str] = "session_opened"
    session_id: NonEmpty


class Resume(_Message):
    """Kiosk or helper → hall, first frame after a reconnect: continue ``session_id``;
    ``last_seq`` is the highest seq received from the hall (0: nothing yet)."""

    TYPE: ClassVar[str] = "resume"
    session_id: NonEmpty
    last_seq: Count


class Resumed(_Message):
    """Hall → the reconnected side: ``last_seq`` is the highest seq the hall holds from it, so
    it re-sends only what came after (no lost and no duplicated edits)."""

    TYPE: ClassVar[str] = "resumed"
    session_id: NonEmpty
    last_seq: Count


class HelperJoined(_Message):
    """Hall → kiosk: a helper accepted the request (``helper_name``: the name shown on screen)."""

    TYPE: ClassVar[str] = "helper_joined"
    helper_name: str


class HelperLeft(_Message):
    """Hall → kiosk: the helper hung up or lost the connection (``reason`` is a code)."""

    TYPE: ClassVar[str] = "helper_left"
    reason: str


# --- consent and form ----------------------------------------------------------------------------


class ConsentGranted(_Message):
    """Kiosk → hall: the walk-in agreed on screen that the helper may see the form's values."""

    TYPE: ClassVar[str] = "consent_granted"


class ConsentRevoked(_Message):
    """Kiosk → hall: the walk-in took consent back; values are masked again from now on."""

    TYPE: ClassVar[str] = "consent_revoked"


class FormSnapshot(_Message):
    """Kiosk → helper: the form as the walk-in sees it. ``masked`` snapshots carry no values at
    all (the protocol refuses one that does). ``materials`` are the documents the kiosk can
    photograph. ``choices`` gives, per choice field, its ``[value, label]`` pairs in the
    walk-in's order, so the helper reads "有限责任公司", not "llc", and proposes a value the form
    accepts (labels are catalog text, never personal data). The constructor defaults
    ``choices`` to none; on the wire the key is required like every other."""

    TYPE: ClassVar[str] = "form_snapshot"
    service_id: str
    service_name: str
    masked: bool
    fields: list[SnapshotField]
    materials: list[SnapshotMaterial]
    choices: dict[str, list[ChoicePair]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _choices_on_the_wire(cls, data: Any, info: ValidationInfo) -> Any:
        if info.context == _WIRE and isinstance(data, dict) and "choices" not in data:
            raise ValueError("choices: missing field")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> FormSnapshot:
        if self.masked and any(entry["value"] for entry in self.fields):
            raise ValueError("a masked form_snapshot must not carry values")
        names = {entry["name"] for entry in self.fields}
        if not set(self.choices) <= names:
            raise ValueError("form_snapshot choices must belong to a field")
        return self


class FieldChanged(_Message):
    """Kiosk → helper: one field changed (``by`` who); ``masked``: no value before consent."""

    TYPE: ClassVar[str] = "field_changed"
    name: NonEmpty
    value: str
    by: FilledBy
    masked: bool

    @model_validator(mode="after")
    def _masked_means_no_value(self) -> FieldChanged:
        if self.masked and self.value:
            raise ValueError("a masked field_changed must not carry a value")
        return self


class FieldProposed(_Message):
    """Helper → kiosk: fill ``name`` with ``value`` (arrives as the walk-in's own edit would)."""

    TYPE: ClassVar[str] = "field_proposed"
    name: NonEmpty
    value: str


class HighlightField(_Message):
    """Helper → kiosk: draw the walk-in's eye to one field."""

    TYPE: ClassVar[str] = "highlight_field"
    name: NonEmpty


class Guidance(_Message):
    """Helper → kiosk: a short instruction shown in a banner on the kiosk."""

    TYPE: ClassVar[str] = "guidance"
    text: str


class Chat(_Message):
    """Either way: one chat line; ``sender`` is ``walk_in`` or ``helper``."""

    TYPE: ClassVar[str] = "chat"
    sender: ChatSender
    text: NonEmpty


# --- captures and submit -------------------------------------------------------------------------


class CaptureRequested(_Message):
    """Helper → kiosk: please photograph the material ``material_id``."""

    TYPE: ClassVar[str] = "capture_requested"
    material_id: NonEmpty


class CaptureAttached(_Message):
    """Kiosk → helper: the photo is uploaded to the hall as blob ``sha256`` (lower-case hex;
    bytes never ride on this socket: the helper fetches them through the broker, consent
    permitting)."""

    TYPE: ClassVar[str] = "capture_attached"
    material_id: NonEmpty
    sha256: Sha256Hex
    media_type: CaptureMediaType


class SubmitProposed(_Message):
    """Helper → kiosk: the form looks complete; ask the walk-in to confirm the submit."""

    TYPE: ClassVar[str] = "submit_proposed"


class SubmitConfirmed(_Message):
    """Kiosk → helper: the walk-in confirmed on screen; the kiosk submits (``tracking_number``
    once known, else empty)."""

    TYPE: ClassVar[str] = "submit_confirmed"
    tracking_number: str


class SubmitDeclined(_Message):
    """Kiosk → helper: the walk-in said no, or the form is not complete (``reason`` code)."""

    TYPE: ClassVar[str] = "submit_declined"
    reason: str


# --- WebRTC signalling ---------------------------------------------------------------------------


class RtcOffer(_Message):
    """Either way: a WebRTC session description offer."""

    TYPE: ClassVar[str] = "rtc_offer"
    sdp: NonEmpty


class RtcAnswer(_Message):
    """Either way: the answer to an :class:`RtcOffer`."""

    TYPE: ClassVar[str] = "rtc_answer"
    sdp: NonEmpty


class IceCandidate(_Message):
    """Either way: one trickled ICE candidate (empty ``candidate``: end of candidates)."""

    TYPE: ClassVar[str] = "ice_candidate"
    candidate: str
    sdp_mid: str
    sdp_mline_index: Count


# --- keep-alive and end --------------------------------------------------------------------------


class FrameRefused(_Message):
    """Hall → the side that sent a frame the broker dropped: ``refused`` is the dropped frame's
    type, ``reason`` a code (``NO_CONSENT``, ``WRONG_SENDER``, ``CAPTURE_NOT_IMAGE``, …). Sent
    as a control frame (seq 0): it is news for that connection, not part of the call."""

    TYPE: ClassVar[str] = "frame_refused"
    refused: str
    reason: str


class Ping(_Message):
    """Either way: keep-alive; the peer answers with its own ping."""

    TYPE: ClassVar[str] = "ping"


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
    | FrameRefused
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
        FrameRefused,
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
# What a helper's frame may do to the walk-in's form only once the walk-in consented (and not
# again after a revoke): the broker drops these before consent and the kiosk ignores them.
NEEDS_CONSENT: frozenset[str] = frozenset(
    {"field_proposed", "submit_proposed", "capture_requested"}
)


# --- frames ------------------------------------------------------------------------------------


def _known_version(version: int) -> int:
    if version != PROTOCOL_VERSION:
        raise ValueError("unsupported protocol version")
    return version


# ``Literal[1]`` would take ``true`` and ``1.0`` even in strict mode: a strict int, then equality.
Version = Annotated[int, AfterValidator(_known_version)]


def _frame_model(cls: type[Message]) -> type[BaseModel]:
    """The envelope of one message type: ``type`` is its tag in the frame union."""
    return create_model(
        f"{cls.__name__}Frame",
        __config__=_STRICT,
        type=(cast(Any, Literal)[cls.TYPE], ...),  # a tag made at run time: Any to mypy
        v=(Version, ...),
        seq=(Count, ...),
        body=(cls, ...),
    )


_FRAME_UNION: Any = cast(Any, Union)[tuple(_frame_model(cls) for cls in MESSAGE_TYPES.values())]
# The one parser of every frame: the union of the 26 frame models, discriminated by "type".
_FRAMES: TypeAdapter[Any] = TypeAdapter(Annotated[_FRAME_UNION, Field(discriminator="type")])


@dataclass(frozen=True)
class Envelope:
    """One parsed frame: the sender's sequence number and the message."""

    seq: int
    message: Message


def _describe_frame_error(err: ErrorDetails) -> str:
    """One frame error in words: the envelope's problems by name, the body's by field path."""
    loc = err["loc"]
    if err["type"] == "union_tag_invalid":
        data = err["input"]
        return f"unknown message type {_short(data.get('type') if isinstance(data, dict) else '')}"
    if err["type"] == "union_tag_not_found":
        return "envelope: missing field 'type'"
    if len(loc) < 2:
        return "frame must be a JSON object"
    kind, key, inner = str(loc[0]), loc[1], loc[2:]
    if inner:
        return f"{_path((kind, *inner))}: {_what(err)}"
    if err["type"] in ("missing", "extra_forbidden"):
        return f"envelope: {_what(err)} {_short(key)}"
    if key == "v":
        return f"unsupported protocol version {_short(err['input'])}"
    if key == "seq":
        return "seq must be a non-negative integer"
    if err["type"] == "model_type":
        return f"{kind}: body must be a JSON object"
    return f"{kind}: {_what(err)}"


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
        # The standard library's parser, for its duplicate-key and NaN hooks: a frame with two
        # "type" keys could mean one thing here and another in the console's JavaScript.
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except ProtocolError:
        raise
    except (ValueError, TypeError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError is what a
        # frame of 100,000 nested brackets gives.
        raise ProtocolError(f"not JSON: {type(exc).__name__}") from None
    try:
        frame = _FRAMES.validate_python(data, strict=True, context=_WIRE)
    except ValidationError as exc:
        raise ProtocolError(_reason(exc.errors(include_url=False), _describe_frame_error)) from exc
    return Envelope(seq=frame.seq, message=frame.body)


def parse(text: str | bytes) -> Message:
    """Parse one frame into its message; raise ProtocolError if it is not a valid frame."""
    return parse_envelope(text).message


def dump(msg: Message, seq: int) -> str:
    """Serialise ``msg`` as a frame with sequence number ``seq``."""
    if type(seq) is not int or seq < 0:
        raise ProtocolError("seq must be a non-negative integer")
    if type(msg) not in MESSAGE_TYPES.values():
        raise ProtocolError(f"not a protocol message: {type(msg).__name__}")
    frame = {"type": msg.TYPE, "v": PROTOCOL_VERSION, "seq": seq, "body": msg.model_dump()}
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
