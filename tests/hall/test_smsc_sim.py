"""The SMSC simulator as an SMSC: smpplib (a real SMPP 3.4 client) talks to it over TCP.

Binds, submit_sm with UCS-2 and concatenated parts (stored decoded and reassembled), delivery
receipts, enquire_link, unbind, each fault switch, the JSON window and the command line; the codec
is checked against what smpplib writes and against arbitrary bytes (Hypothesis).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.smpp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hall.sms_smpp import DC_UCS2, encode_parts
from hall.smsc_sim import pdu
from hall.smsc_sim.server import SmscSimulator

ROOT = Path(__file__).resolve().parents[2]
LONG_ZH = (
    "【企航政务】您的企业开办申请需补正材料：营业执照副本、法定代表人身份证明、住所使用证明。" * 2
)


@pytest.fixture
def sim() -> Iterator[SmscSimulator]:
    with SmscSimulator(http_port=0, system_id="hall", password="secret") as running:
        yield running


def bound(sim: SmscSimulator, password: str = "secret") -> smpplib.client.Client:
    client = smpplib.client.Client("127.0.0.1", sim.port, timeout=5, allow_unknown_opt_params=True)
    client.connect()
    client.bind_transceiver(system_id="hall", password=password)
    return client


def submit(
    client: smpplib.client.Client,
    to: str,
    short_message: bytes,
    receipts: list[Any] | None = None,
    **extra: int,
) -> Any:
    """submit_sm, then its submit_sm_resp; receipts read on the way are answered and kept."""
    sent = client.send_message(
        source_addr="106900", destination_addr=to, short_message=short_message, **extra
    )
    while True:
        answer = client.read_pdu()
        if answer.command == "submit_sm_resp" and answer.sequence == sent.sequence:
            return answer
        if answer.command == "deliver_sm":
            ack(client, answer)
            if receipts is not None:
                receipts.append(answer)


def ack(client: smpplib.client.Client, deliver_sm: Any) -> None:
    answer = smpplib.smpp.make_pdu("deliver_sm_resp", client=client)
    answer.sequence = deliver_sm.sequence
    client.send_pdu(answer)


def test_a_long_chinese_text_is_stored_reassembled_with_a_receipt_per_part(
    sim: SmscSimulator,
) -> None:
    coding, parts = encode_parts(LONG_ZH, ref=7)
    assert coding == DC_UCS2 and len(parts) == 2
    client = bound(sim)
    try:
        ids: list[str] = []
        receipts: list[Any] = []
        for part in parts:
            answer = submit(
                client, "8613812345678", part, receipts, data_coding=coding, esm_class=0x40,
                registered_delivery=1,
            )  # fmt: skip
            assert answer.status == 0
            ids.append(answer.message_id.decode())
        while len(receipts) < 2:
            got = client.read_pdu()
            if got.command == "deliver_sm":
                ack(client, got)
                receipts.append(got)
        assert sorted(r.receipted_message_id.decode() for r in receipts) == sorted(ids)
        assert all(b"stat:DELIVRD" in r.short_message and r.esm_class & 0x04 for r in receipts)
    finally:
        client.unbind()
        client.disconnect()
    [message] = sim.messages()
    assert (message.text, message.parts, message.data_coding) == (LONG_ZH, 2, 0x08)
    assert message.destination == "8613812345678" and message.message_ids == ids
    assert sim.stats()["duplicates"] == 0


def read_receipt(client: smpplib.client.Client, *, answer: bool = True) -> Any:
    while True:
        got = client.read_pdu()
        if got.command == "deliver_sm":
            if answer:
                ack(client, got)
            return got


def test_a_receipt_echoes_the_user_message_reference_and_waits_for_its_answer(
    sim: SmscSimulator,
) -> None:
    """SMPP 3.4: the receipt's deliver_sm carries receipted_message_id (0x001E), message_state
    and the submit_sm's user_message_reference (0x0204); one left unanswered when its link
    closes comes again on the next bind."""
    client = bound(sim)
    answer = submit(client, "8613812345678", b"hello", registered_delivery=1,
                    user_message_reference=0x0102)  # fmt: skip
    message_id = answer.message_id.decode()
    first = read_receipt(client, answer=False)  # the ESME dies before answering it
    assert (first.receipted_message_id.decode(), first.user_message_reference) == (
        message_id,
        0x0102,
    )
    assert first.source_addr.decode() == "8613812345678" and int(first.message_state) == 2
    client.disconnect()
    wait = time.monotonic() + 5
    while sim.stats()["receipts_waiting"] != 1 or sim.stats()["binds"] != 1:
        assert time.monotonic() < wait
        time.sleep(0.01)
    again = bound(sim)
    try:
        second = read_receipt(again)
        assert (second.receipted_message_id.decode(), second.user_message_reference) == (
            message_id,
            0x0102,
        )
        again.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=again))
        assert again.read_pdu().command == "enquire_link_resp"  # nothing else was owed
        assert sim.stats()["receipts_waiting"] == 0
    finally:
        again.unbind()
        again.disconnect()
    assert sim.stats()["duplicates"] == 0


def test_held_answers_leave_the_message_taken_and_its_receipt_for_the_next_bind(
    sim: SmscSimulator,
) -> None:
    sim.hold_responses(1)
    client = bound(sim)
    client.send_message(source_addr="106900", destination_addr="8613800000001",
                        short_message=b"taken", registered_delivery=1,
                        user_message_reference=7)  # fmt: skip
    wait = time.monotonic() + 5
    while sim.stats()["held"] != 1:
        assert time.monotonic() < wait
        time.sleep(0.01)
    [taken] = sim.messages()  # stored before any answer
    client.disconnect()  # the ESME goes without its submit_sm_resp
    again = bound(sim)
    try:
        receipt = read_receipt(again)
        assert (receipt.receipted_message_id.decode(), receipt.user_message_reference) == (
            taken.message_ids[0],
            7,
        )
        assert submit(again, "8613800000001", b"next").status == 0  # answered again
    finally:
        again.unbind()
        again.disconnect()
    assert sim.stats()["held"] == 0 and [m.text for m in sim.messages()] == ["taken", "next"]


def test_enquire_link_unbind_and_a_wrong_password(sim: SmscSimulator) -> None:
    client = bound(sim)
    client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=client))
    assert client.read_pdu().command == "enquire_link_resp"
    assert client.unbind().command == "unbind_resp"
    client.disconnect()
    with pytest.raises(smpplib.exceptions.PDUError):
        bound(sim, password="wrong")


def test_a_submit_before_binding_is_refused(sim: SmscSimulator) -> None:
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as s:
        body = pdu.cstring("") + bytes(2) + pdu.cstring("1") + bytes(2) + pdu.cstring("2")
        body += bytes(3) + pdu.cstring("") + pdu.cstring("") + bytes(5)
        s.sendall(pdu.encode(pdu.SUBMIT_SM, 0, 9, body))
        header = pdu.parse_header(s.recv(16))
    assert (header.command_id, header.status) == (pdu.SUBMIT_SM | pdu.RESP, pdu.ESME_RINVBNDSTS)
    assert sim.messages() == []


def test_throttle_refuse_and_drop_switches(sim: SmscSimulator) -> None:
    client = bound(sim)
    sim.throttle(1)
    assert submit(client, "8613800000001", b"a").status == 0x58
    assert submit(client, "8613800000001", b"a").status == 0
    sim.refuse("13800000002")
    assert submit(client, "8613800000002", b"b").status == 0x0B
    sim.accept("13800000002")
    assert submit(client, "8613800000002", b"b").status == 0
    sim.drop_link(after=1)
    assert submit(client, "8613800000003", b"c").status == 0
    with pytest.raises(smpplib.exceptions.ConnectionError):
        submit(client, "8613800000003", b"d")
    client.disconnect()
    assert [m.text for m in sim.messages()] == ["a", "b", "c"]
    assert sim.stats()["throttled"] == 1


def test_down_refuses_connections_and_up_serves_again_keeping_its_messages(
    sim: SmscSimulator,
) -> None:
    client = bound(sim)
    submit(client, "8613800000001", b"before")
    sim.go_down()
    with pytest.raises(smpplib.exceptions.ConnectionError):
        submit(client, "8613800000001", b"lost")
    client.disconnect()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", sim.port), timeout=2).close()
    sim.come_up()
    client = bound(sim)
    submit(client, "8613800000001", b"after")
    client.unbind()
    client.disconnect()
    assert [m.text for m in sim.messages()] == ["before", "after"]


def test_the_json_window_lists_messages_and_takes_orders(sim: SmscSimulator) -> None:
    client = bound(sim)
    submit(client, "8613800000001", "你好".encode("utf-16-be"), data_coding=8)
    order = urllib.request.Request(
        f"{sim.http_url}/control", data=json.dumps({"throttle": 1}).encode(), method="POST"
    )
    with urllib.request.urlopen(order, timeout=5) as answer:
        assert json.load(answer)["messages"] == 1
    assert submit(client, "8613800000001", b"x").status == 0x58
    client.disconnect()
    with urllib.request.urlopen(f"{sim.http_url}/messages", timeout=5) as answer:
        listed = json.load(answer)
    assert [(m["destination"], m["text"]) for m in listed] == [("8613800000001", "你好")]


def test_python_m_hall_smsc_sim_serves_and_lists(tmp_path: Path) -> None:
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "hall.smsc_sim", "--port", str(ports[0]),
         "--http-port", str(ports[1])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and "SMSC simulator" in proc.stdout.readline()
        client = smpplib.client.Client("127.0.0.1", ports[0], allow_unknown_opt_params=True)
        client.connect()
        client.bind_transceiver(system_id="any", password="any")
        submit(client, "8613800000009", b"hello from the demo")
        client.unbind()
        client.disconnect()
        listed = subprocess.run(
            [sys.executable, "-m", "hall.smsc_sim", "list", "--http-port", str(ports[1])],
            cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        assert "hello from the demo" in listed.stdout and "8613800000009" in listed.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@settings(max_examples=200, deadline=None)
@given(
    to=st.from_regex(r"^86 1[3-9][0-9]{9}$".replace(" ", ""), fullmatch=True),
    message=st.binary(min_size=0, max_size=254),
    coding=st.sampled_from([0, 8]),
    esm=st.sampled_from([0, 0x40]),
)
def test_the_codec_reads_what_smpplib_writes(
    to: str, message: bytes, coding: int, esm: int
) -> None:
    written = smpplib.smpp.make_pdu(
        "submit_sm",
        client=smpplib.client.SimpleSequenceGenerator(), source_addr="106900",
        destination_addr=to, short_message=message, data_coding=coding, esm_class=esm,
        registered_delivery=1,
    ).generate()  # fmt: skip
    header = pdu.parse_header(written[:16])
    assert header.command_id == pdu.SUBMIT_SM and header.length == len(written)
    sm = pdu.parse_submit_sm(written[16:])
    assert (sm.source_addr, sm.destination_addr) == ("106900", to)
    assert (sm.short_message, sm.data_coding, sm.esm_class) == (message, coding, esm)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bodies_fail_only_as_pdu_errors(body: bytes) -> None:
    try:
        sm = pdu.parse_submit_sm(body)
        pdu.split_udh(sm)
    except pdu.PduError:
        pass
    with contextlib.suppress(pdu.PduError):
        pdu.parse_bind(body)


def test_garbage_on_the_wire_gets_a_generic_nack_and_the_link_closes(sim: SmscSimulator) -> None:
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as s:
        s.sendall(b"\x00\x00\x00\x05" + bytes(12))  # a length below the header's own
        header = pdu.parse_header(s.recv(16))
        assert header.command_id == pdu.GENERIC_NACK
        assert s.recv(16) == b""
    time.sleep(0.05)
    assert sim.stats()["submits"] == 0


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=1, max_size=600), ref=st.integers(0, 10_000))
@example(text="`", ref=1)
@example(text="\x1b", ref=1)
@example(text="{[€]}" * 40, ref=2)
@example(text="🙂" * 80, ref=3)
def test_any_text_split_by_the_hall_is_reassembled_whole_by_the_simulator(
    text: str, ref: int
) -> None:
    coding, parts = encode_parts(text, ref)
    assert all(len(p) <= 140 or (coding == 0 and len(p) <= 160) for p in parts)
    octets = b""
    for i, part in enumerate(parts, start=1):
        sm = pdu.SubmitSm("106900", "8613800000000", 0x40 if len(parts) > 1 else 0, 1, coding, part)
        concat, chunk = pdu.split_udh(sm)
        if len(parts) > 1:
            assert concat == pdu.Concat(ref % 256, len(parts), i)
            if coding == DC_UCS2:  # no part ends inside a surrogate pair
                assert not 0xD8 <= chunk[-2] <= 0xDB
        octets += chunk
    assert pdu.decode_text(coding, octets) == text
