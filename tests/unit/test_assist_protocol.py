"""The remote-assist wire protocol: round trips, strict rejection, and junk from Hypothesis.

The peer is untrusted, so whatever arrives the parser either returns a message or raises
ProtocolError — never KeyError, TypeError, RecursionError or anything else.
"""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from remote_assist import protocol as P
from remote_assist.protocol import (
    FROM_HELPER,
    FROM_KIOSK,
    MAX_MESSAGE_CHARS,
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    End,
    HelpRequested,
    Message,
    Ping,
    ProtocolError,
    QueuePosition,
    dump,
    parse,
    parse_envelope,
)

EXAMPLES: list[Message] = [
    HelpRequested(station_id="SND-001", service_id="business-license-change"),
    HelpRequested(station_id="站点一", service_id=""),
    QueuePosition(position=0),
    QueuePosition(position=17),
    Ping(),
    End(reason="helper_left"),
    End(reason=""),
    P.SessionOpened(session_id="a1"),
    P.Resume(session_id="a1", last_seq=0),
    P.Resumed(session_id="a1", last_seq=12),
    P.HelperJoined(helper_name="林"),
    P.HelperLeft(reason="hung_up"),
    P.ConsentGranted(),
    P.ConsentRevoked(),
    P.FormSnapshot(
        service_id="svc",
        service_name="开办",
        masked=True,
        fields=[{"name": "mobile", "label": "手机", "value": "", "by": "walk_in"}],
        materials=[{"id": "id_front", "label": "身份证", "captured": "yes"}],
    ),
    P.FormSnapshot(service_id="svc", service_name="", masked=False, fields=[], materials=[]),
    P.FormSnapshot(
        service_id="svc",
        service_name="开办",
        masked=False,
        fields=[{"name": "kind", "label": "企业类型", "value": "llc", "by": "walk_in"}],
        materials=[],
        choices={"kind": [["llc", "有限责任公司"], ["sole", "个人独资企业"]]},
    ),
    P.FieldChanged(name="mobile", value="139", by="walk_in", masked=False),
    P.FieldChanged(name="mobile", value="", by="helper", masked=True),
    P.FieldProposed(name="mobile", value="13912345678"),
    P.HighlightField(name="mobile"),
    P.Guidance(text="请核对手机号"),
    P.Chat(sender="helper", text="您好"),
    P.CaptureRequested(material_id="id_front"),
    P.CaptureAttached(material_id="id_front", sha256="ab" * 32, media_type="image/jpeg"),
    P.SubmitProposed(),
    P.FrameRefused(refused="field_proposed", reason="NO_CONSENT"),
    P.SubmitConfirmed(tracking_number=""),
    P.SubmitDeclined(reason="walk_in_declined"),
    P.RtcOffer(sdp="v=0"),
    P.RtcAnswer(sdp="v=0"),
    P.IceCandidate(
        candidate="candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdp_mid="0", sdp_mline_index=0
    ),
]


def frame(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"type": "queue_position", "v": 1, "seq": 3, "body": {"position": 2}}
    base.update(overrides)
    return base


def text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


# --- round trips -----------------------------------------------------------------------------


def test_every_type_has_an_example_and_a_sender() -> None:
    assert {type(m).TYPE for m in EXAMPLES} == set(MESSAGE_TYPES)
    # Every message but the hall's own answers can be sent by one of the two sides.
    hall_only = {
        "queue_position", "session_opened", "resumed", "helper_joined", "helper_left",
        "frame_refused",
    }  # fmt: skip
    assert FROM_KIOSK | FROM_HELPER | hall_only == set(MESSAGE_TYPES)
    # Only the walk-in's side can consent or confirm; only the helper proposes values.
    assert not {"consent_granted", "submit_confirmed", "form_snapshot"} & FROM_HELPER
    assert not {"field_proposed", "submit_proposed"} & FROM_KIOSK


@pytest.mark.parametrize("msg", EXAMPLES, ids=lambda m: type(m).__name__)
def test_round_trip(msg: Message) -> None:
    wire = dump(msg, seq=42)
    assert parse(wire) == msg
    envelope = parse_envelope(wire)
    assert envelope.seq == 42
    assert envelope.message == msg


def test_wire_format() -> None:
    wire = dump(HelpRequested(station_id="SND-001", service_id="svc"), seq=0)
    assert json.loads(wire) == {
        "type": "help_requested",
        "v": PROTOCOL_VERSION,
        "seq": 0,
        "body": {"station_id": "SND-001", "service_id": "svc"},
    }
    assert json.loads(dump(Ping(), seq=1)) == {"type": "ping", "v": 1, "seq": 1, "body": {}}


def test_bytes_are_accepted_as_utf8() -> None:
    wire = dump(End(reason="结束"), seq=5)
    assert parse(wire.encode("utf-8")) == End(reason="结束")


@given(
    station_id=st.text(min_size=1, max_size=40),
    service_id=st.text(max_size=40),
    seq=st.integers(min_value=0, max_value=2**63),
)
def test_round_trip_any_text(station_id: str, service_id: str, seq: int) -> None:
    msg = HelpRequested(station_id=station_id, service_id=service_id)
    envelope = parse_envelope(dump(msg, seq))
    assert (envelope.seq, envelope.message) == (seq, msg)


@given(position=st.integers(min_value=0, max_value=10**30))
def test_round_trip_any_position(position: int) -> None:
    assert parse(dump(QueuePosition(position=position), seq=0)) == QueuePosition(position=position)


# --- strict rejection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (frame(type="screen_share"), "unknown message type"),
        (frame(type=7), "unknown message type"),
        (frame(v=2), "version"),
        (frame(v=0), "version"),
        (frame(v="1"), "version"),
        (frame(v=True), "version"),  # bool is an int in Python, not on this wire
        (frame(v=1.0), "version"),
        (frame(seq=-1), "seq"),
        (frame(seq="3"), "seq"),
        (frame(seq=False), "seq"),
        (frame(seq=1.5), "seq"),
        (frame(body=[]), "body must be a JSON object"),
        (frame(body=None), "body must be a JSON object"),
        (frame(body={}), "queue_position.position: missing field"),
        (frame(body={"position": 2, "extra": 1}), "queue_position.extra: unexpected field"),
        (frame(body={"position": "2"}), "position: Input should be a valid integer"),
        (frame(body={"position": True}), "position: Input should be a valid integer"),
        (frame(body={"position": 2.0}), "position: Input should be a valid integer"),
        (frame(body={"position": None}), "position: Input should be a valid integer"),
        (frame(body={"position": -1}), "position: Input should be greater than or equal to 0"),
        (frame(type="ping", body={"x": 1}), "unexpected"),
        (frame(type="end", body={"reason": 3}), "end.reason: Input should be a valid string"),
        (frame(type="help_requested", body={"station_id": "S"}), "service_id: missing field"),
        (
            frame(type="help_requested", body={"station_id": "", "service_id": "x"}),
            "station_id: String should have at least 1 character",
        ),
        (frame(type="consent_granted", body={"yes": True}), "unexpected"),
        (
            frame(type="chat", body={"sender": "hall", "text": "x"}),
            "sender: Input should be 'walk_in' or 'helper'",
        ),
        (
            frame(type="chat", body={"sender": "helper", "text": ""}),
            "text: String should have at least 1",
        ),
        (
            frame(type="field_changed", body={"name": "m", "value": "1", "by": "", "masked": True}),
            "masked",
        ),
        (
            frame(type="field_changed", body={"name": "m", "value": "1", "by": "", "masked": 1}),
            "masked: Input should be a valid boolean",
        ),
        (frame(type="resume", body={"session_id": "s", "last_seq": -1}), "last_seq: .* equal to 0"),
        (
            frame(
                type="capture_attached",
                body={"material_id": "m", "sha256": "AB" * 32, "media_type": "x"},
            ),
            "sha256",
        ),
        (
            frame(
                type="ice_candidate",
                body={"candidate": "", "sdp_mid": "0", "sdp_mline_index": True},
            ),
            "sdp_mline_index: Input should be a valid integer",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": True,
                    "fields": [{"name": "m", "label": "", "value": "secret", "by": ""}],
                    "materials": [],
                    "choices": {},
                },
            ),
            "masked",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": False,
                    "fields": [{"name": "m", "label": "", "value": "", "by": "", "x": ""}],
                    "materials": [],
                    "choices": {},
                },
            ),
            r"form_snapshot.fields\[0\].x: unexpected field",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": False,
                    "fields": [{"name": "m", "label": "", "value": 3, "by": ""}],
                    "materials": [],
                    "choices": {},
                },
            ),
            r"fields\[0\].value: Input should be a valid string",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": False,
                    "fields": {},
                    "materials": [],
                    "choices": {},
                },
            ),
            "form_snapshot.fields: Input should be a valid list",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": False,
                    "fields": [],
                    "materials": [{"id": "x", "label": "", "captured": "maybe"}],
                    "choices": {},
                },
            ),
            "material",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": False,
                    "fields": [{"name": "kind", "label": "", "value": "", "by": ""}],
                    "materials": [],
                    "choices": {"kind": [["llc"]]},
                },
            ),
            "choices",
        ),
        (
            frame(
                type="form_snapshot",
                body={
                    "service_id": "s",
                    "service_name": "",
                    "masked": False,
                    "fields": [],
                    "materials": [],
                    "choices": {"nosuchfield": [["llc", "有限责任公司"]]},
                },
            ),
            "choices",
        ),
        ({"type": "ping", "v": 1, "body": {}}, "missing"),
        ({**frame(), "extra": True}, "unexpected"),
        ([], "JSON object"),
        ("ping", "JSON object"),
        (None, "JSON object"),
    ],
)
def test_rejects(data: Any, why: str) -> None:
    with pytest.raises(ProtocolError, match=why):
        parse(text(data))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "{",
        "not json",
        '{"type": "ping", "type": "end", "v": 1, "seq": 0, "body": {}}',  # duplicate key
        '{"type": "queue_position", "v": 1, "seq": 0, "body": {"position": NaN}}',
        '{"type": "ping", "v": 1, "seq": Infinity, "body": {}}',
        "[" * 30_000 + "]" * 30_000,  # under the size cap, deep enough to overflow recursion
        "1" * 5000,  # an integer past Python's int-from-string digit limit
        b"\xff\xfe not utf-8",
        " " * (MAX_MESSAGE_CHARS + 1),
    ],
)
def test_rejects_malformed_text(raw: str | bytes) -> None:
    with pytest.raises(ProtocolError):
        parse(raw)


def test_error_messages_stay_short_for_hostile_input() -> None:
    huge = "x" * 10_000
    with pytest.raises(ProtocolError) as info:
        parse(text(frame(type=huge)))
    assert len(str(info.value)) < 200
    with pytest.raises(ProtocolError) as info:
        parse(text({**frame(), **{f"{huge}{i}": 1 for i in range(3)}}))
    assert len(str(info.value)) < 400


def test_messages_refuse_wrong_types_when_built_too() -> None:
    # Our own code's mistake, not the peer's: pydantic's error, at once.
    with pytest.raises(ValidationError):
        QueuePosition(position="3")
    with pytest.raises(ValidationError):
        End(reason=None)
    with pytest.raises(ValidationError, match="masked"):
        P.FieldChanged(name="m", value="1", by="walk_in", masked=True)
    with pytest.raises(ValidationError):
        P.Chat(sender="hall", text="x")


def test_messages_are_immutable() -> None:
    msg = QueuePosition(position=1)
    with pytest.raises(ValidationError):
        msg.position = 2


def test_protocol_error_keeps_pydantics_reason_as_its_cause() -> None:
    with pytest.raises(ProtocolError) as info:
        parse(text(frame(body={"position": "2"})))
    assert isinstance(info.value.__cause__, ValidationError)


def test_choices_default_when_built_but_are_required_on_the_wire() -> None:
    built = P.FormSnapshot(service_id="s", service_name="", masked=False, fields=[], materials=[])
    assert built.choices == {}
    assert json.loads(dump(built, 1))["body"]["choices"] == {}
    body = {"service_id": "s", "service_name": "", "masked": False, "fields": [], "materials": []}
    with pytest.raises(ProtocolError, match="form_snapshot: choices: missing field"):
        parse(text(frame(type="form_snapshot", body=body)))


def test_wire_bytes_are_pinned() -> None:
    # The console (JavaScript) and older kiosks read these bytes: field order and separators.
    snapshot = P.FormSnapshot(
        service_id="svc",
        service_name="开办",
        masked=False,
        fields=[{"name": "kind", "label": "企业类型", "value": "llc", "by": "walk_in"}],
        materials=[],
        choices={"kind": [["llc", "有限责任公司"], ["sole", "个人独资企业"]]},
    )
    assert dump(snapshot, 9) == (
        '{"type":"form_snapshot","v":1,"seq":9,"body":{"service_id":"svc","service_name":"开办",'
        '"masked":false,"fields":[{"name":"kind","label":"企业类型","value":"llc","by":"walk_in"}],'
        '"materials":[],"choices":{"kind":[["llc","有限责任公司"],["sole","个人独资企业"]]}}}'
    )
    assert dump(P.IceCandidate(candidate="", sdp_mid="0", sdp_mline_index=1), 0) == (
        '{"type":"ice_candidate","v":1,"seq":0,"body":{"candidate":"","sdp_mid":"0",'
        '"sdp_mline_index":1}}'
    )


@pytest.mark.parametrize("seq", [-1, True, 1.0, "1"])
def test_dump_rejects_bad_seq(seq: Any) -> None:
    with pytest.raises(ProtocolError):
        dump(Ping(), seq)


def test_dump_rejects_non_messages() -> None:
    with pytest.raises(ProtocolError):
        dump({"type": "ping"}, 0)  # type: ignore[arg-type]


# --- junk from Hypothesis --------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


# Any valid message of any type. Hypothesis builds most from their annotations (it honours the
# MinLen and Ge constraints); the three with cross-field rules or a pattern are drawn by hand.
short_text = st.text(max_size=12)
fillers: st.SearchStrategy[P.FilledBy] = st.sampled_from(get_args(P.FilledBy))


@st.composite
def form_snapshots(draw: st.DrawFn) -> P.FormSnapshot:
    masked = draw(st.booleans())
    names = draw(st.lists(st.text(min_size=1, max_size=12), max_size=4, unique=True))
    fields: list[P.SnapshotField] = [
        {
            "name": name,
            "label": draw(short_text),
            "value": "" if masked else draw(short_text),
            "by": draw(fillers),
        }
        for name in names
    ]
    materials: list[P.SnapshotMaterial] = draw(
        st.lists(
            st.builds(
                P.SnapshotMaterial,
                id=short_text,
                label=short_text,
                captured=st.sampled_from(["", "yes"]),
            ),
            max_size=3,
        )
    )
    pairs = st.lists(st.lists(short_text, min_size=2, max_size=2), max_size=3)
    choices = draw(st.dictionaries(st.sampled_from(names), pairs)) if names else {}
    return P.FormSnapshot(
        service_id=draw(short_text),
        service_name=draw(short_text),
        masked=masked,
        fields=fields,
        materials=materials,
        choices=choices,
    )


@st.composite
def field_changes(draw: st.DrawFn) -> P.FieldChanged:
    masked = draw(st.booleans())
    value = "" if masked else draw(short_text)
    name = draw(st.text(min_size=1, max_size=12))
    return P.FieldChanged(name=name, value=value, by=draw(fillers), masked=masked)


HAND_DRAWN: dict[type[Message], st.SearchStrategy[Any]] = {
    P.FormSnapshot: form_snapshots(),
    P.FieldChanged: field_changes(),
    P.CaptureAttached: st.builds(
        P.CaptureAttached,
        material_id=st.text(min_size=1, max_size=12),
        sha256=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
        media_type=st.sampled_from(["image/jpeg", "image/png"]),
    ),
}
messages: st.SearchStrategy[Message] = st.one_of(
    [HAND_DRAWN.get(cls, st.from_type(cls)) for cls in MESSAGE_TYPES.values()]
)
seqs = st.integers(min_value=0, max_value=2**64)


@settings(max_examples=400)
@given(msg=messages, seq=seqs)
def test_any_valid_message_round_trips(msg: Message, seq: int) -> None:
    wire = dump(msg, seq)
    envelope = parse_envelope(wire)
    assert (envelope.seq, envelope.message) == (seq, msg)
    assert type(envelope.message) is type(msg)
    assert dump(envelope.message, seq) == wire  # the same bytes again


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        found = [path] if path else []
        for key, item in value.items():
            found += _leaves(item, (*path, key))
        return found
    if isinstance(value, list):
        found = [path] if path else []
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
        return found
    return [path]


@settings(max_examples=400)
@given(msg=messages, seq=seqs, pick=st.integers(min_value=0), junk=json_values)
def test_any_message_with_any_value_replaced_only_raises_protocol_error(
    msg: Message, seq: int, pick: int, junk: Any
) -> None:
    data = json.loads(dump(msg, seq))
    paths = _leaves(data)
    path = paths[pick % len(paths)]
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = junk
    _parse_or_protocol_error(text(data))


def _parse_or_protocol_error(raw: str | bytes) -> None:
    try:
        result = parse(raw)
    except ProtocolError:
        return
    # Anything accepted must be a real message that survives a round trip.
    assert parse(dump(result, 0)) == result


@given(st.text(max_size=200))
def test_random_text_only_raises_protocol_error(raw: str) -> None:
    _parse_or_protocol_error(raw)


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_protocol_error(raw: bytes) -> None:
    _parse_or_protocol_error(raw)


@given(json_values)
def test_random_json_only_raises_protocol_error(value: Any) -> None:
    _parse_or_protocol_error(text(value))


@settings(max_examples=300)
@given(
    kind=st.sampled_from(["help_requested", "queue_position", "ping", "end", "nope"]) | st.text(),
    version=st.just(1) | json_values,
    seq=st.integers(min_value=-2, max_value=2**70) | json_values,
    body=st.fixed_dictionaries(
        {},
        optional={
            "station_id": json_values,
            "service_id": json_values,
            "position": json_values,
            "reason": json_values,
        },
    )
    | json_values,
    drop=st.sampled_from([None, "type", "v", "seq", "body"]),
    extra=st.dictionaries(st.text(max_size=8), json_values, max_size=2),
)
def test_near_miss_envelopes_only_raise_protocol_error(
    kind: Any, version: Any, seq: Any, body: Any, drop: str | None, extra: dict[str, Any]
) -> None:
    data: dict[str, Any] = {"type": kind, "v": version, "seq": seq, "body": body}
    if drop is not None:
        del data[drop]
    data.update(extra)
    _parse_or_protocol_error(text(data))


@given(
    messages,
    st.integers(min_value=0, max_value=2**40),
    st.integers(min_value=0),
    st.sampled_from(["}", "x", '"', "\\", "\x00", "]"]),
)
def test_corrupted_valid_frames_only_raise_protocol_error(
    msg: Message, seq: int, at: int, junk: str
) -> None:
    wire = dump(msg, seq)
    pos = at % (len(wire) + 1)
    _parse_or_protocol_error(wire[:pos] + junk + wire[pos:])


# --- every type: strict rejection of a dropped, an extra and a mistyped field ------------------


@settings(max_examples=300)
@given(
    msg=messages,
    seq=st.integers(min_value=0, max_value=2**40),
    action=st.sampled_from(["drop", "extra", "retype"]),
    pick=st.integers(min_value=0),
    extra_key=st.text(min_size=1, max_size=12),
    junk=json_values,
)
def test_every_type_rejects_missing_extra_and_mistyped_fields(
    msg: Message, seq: int, action: str, pick: int, extra_key: str, junk: Any
) -> None:
    data = json.loads(dump(msg, seq))
    body: dict[str, Any] = data["body"]
    names = sorted(body)
    if action == "extra":
        if extra_key in body:
            return
        body[extra_key] = junk
    elif not names:
        body["unexpected"] = junk
    elif action == "drop":
        del body[names[pick % len(names)]]
    else:
        name = names[pick % len(names)]
        if type(junk) is type(body[name]):
            return  # same JSON type: may well be valid
        body[name] = junk
    with pytest.raises(ProtocolError):
        parse(text(data))


@given(msg=st.sampled_from(EXAMPLES), seq=st.integers(min_value=0, max_value=2**40))
def test_every_type_round_trips_with_its_seq(msg: Message, seq: int) -> None:
    envelope = parse_envelope(dump(msg, seq))
    assert (envelope.seq, envelope.message) == (seq, msg)
