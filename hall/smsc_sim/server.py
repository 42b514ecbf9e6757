"""The SMSC simulator's server: SMPP on TCP, the store of messages, the fault switches, and a
small JSON-over-HTTP window onto them (``GET /messages``, ``GET /stats``, ``POST /control``).

Fault switches (methods, or ``POST /control`` with the same names):

- ``throttle(n)``: the next ``n`` ``submit_sm`` are answered ``ESME_RTHROTTLED``;
- ``drop_link(after=0)``: after ``after`` more ``submit_sm`` are taken, the next one closes its
  connection unanswered and is not stored (an SMSC that fails before taking it);
- ``refuse(number)`` / ``accept(number)``: ``submit_sm`` to a number answered ``ESME_RINVDSTADR``;
- ``go_down()`` / ``come_up()``: the listener and every link closed, then open again on the same
  port (an SMSC outage; what it had stored is kept);
- ``hold_responses(count=None)`` / ``release_responses()``: the next ``count`` (or all)
  ``submit_sm`` are taken (stored, an id given) but their ``submit_sm_resp`` and receipt wait for
  the release: the window in which an ESME that dies, or loses its link, has sent a message
  without hearing it was taken. When the link closes meanwhile its responses are dropped and its
  receipts go out (the message was taken: the handset gets it and reports).

Delivery receipts behave as an SMSC's do: each waits in an outbox until a link bound as receiver
or transceiver answers its ``deliver_sm`` with ``deliver_sm_resp``; unanswered ones on a link that
closes go back to the outbox and out again on the next bind (any ``system_id``: one ESME here).
Each receipt echoes the ``user_message_reference`` its ``submit_sm`` carried (SMPP 3.4 TLV 0x0204)
beside ``receipted_message_id`` (0x001E) and ``message_state`` (0x0427).

``duplicates`` counts ``submit_sm`` whose destination and user data it had already taken: a
message the ESME sent twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hall.smsc_sim import pdu

log = logging.getLogger(__name__)


@dataclass
class StoredMessage:
    """One whole message as the handset would show it."""

    seq: int
    source: str
    destination: str
    text: str
    data_coding: int
    parts: int
    message_ids: list[str]
    received_at: str  # wall time of the first part, ISO 8601 UTC
    received_mono: float  # time.monotonic() of the first part (for latency figures)


@dataclass(frozen=True)
class _Receipt:
    source: str  # the ESME's address (the receipt goes to it)
    destination: str  # the handset (the receipt comes from it)
    message_id: str
    date: str
    user_message_reference: int | None


@dataclass
class _Assembly:
    source: str
    destination: str
    data_coding: int
    total: int
    chunks: dict[int, bytes] = field(default_factory=dict)
    message_ids: dict[int, str] = field(default_factory=dict)
    received_at: str = ""
    received_mono: float = 0.0


class SmscSimulator:
    """An SMPP 3.4 SMSC on ``host:port`` (0 picks a free port); ``start``/``stop``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        http_port: int | None = None,
        system_id: str | None = None,
        password: str | None = None,
        receipts: bool = True,
    ) -> None:
        self.host, self.port, self._http_port = host, port, http_port
        self._credentials = (system_id, password)
        self._receipts = receipts
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._links: set[socket.socket] = set()
        self._http: ThreadingHTTPServer | None = None
        self._messages: list[StoredMessage] = []
        self._assemblies: dict[tuple[str, int, int], _Assembly] = {}
        self._seen: set[tuple[str, bytes]] = set()
        self._next_id = 1
        self._throttle = 0
        self._drop_after: int | None = None
        self._refused: set[str] = set()
        self._hold: int | None = 0  # submit_sm whose answers to hold (None: all)
        self._held: list[tuple[_Link, int, str, _Receipt | None]] = []
        self._outbox: list[_Receipt] = []  # receipts no link has answered yet
        self._receivers: list[_Link] = []  # live links bound as receiver or transceiver
        self.submits = 0
        self.duplicates = 0
        self.throttled = 0
        self.dropped = 0
        self.binds = 0

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> SmscSimulator:
        self.come_up()
        if self._http_port is not None:
            self._http = ThreadingHTTPServer((self.host, self._http_port), _handler(self))
            self._http_port = self._http.server_address[1]
            threading.Thread(target=self._http.serve_forever, name="smsc-http", daemon=True).start()
        return self

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self._http_port}"

    def stop(self) -> None:
        self.go_down()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> SmscSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def come_up(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(16)
            self.port = listener.getsockname()[1]
            self._listener = listener
        threading.Thread(
            target=self._accept, args=(listener,), name="smsc-accept", daemon=True
        ).start()
        log.info("SMSC simulator listening on %s:%d", self.host, self.port)

    def go_down(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            links, self._links = self._links, set()
        for s in [*links, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    # --- switches -----------------------------------------------------------------------------

    def throttle(self, count: int) -> None:
        with self._lock:
            self._throttle = count

    def drop_link(self, after: int = 0) -> None:
        with self._lock:
            self._drop_after = after

    def refuse(self, number: str) -> None:
        with self._lock:
            self._refused.add(number)

    def accept(self, number: str) -> None:
        with self._lock:
            self._refused.discard(number)

    def hold_responses(self, count: int | None = None) -> None:
        with self._lock:
            self._hold = count

    def release_responses(self) -> None:
        with self._lock:
            self._hold = 0
            held, self._held = self._held, []
        for link, seq, message_id, receipt in held:
            ok = pdu.ESME_ROK
            answer = pdu.encode(pdu.SUBMIT_SM | pdu.RESP, ok, seq, pdu.cstring(message_id))
            with contextlib.suppress(OSError):
                if not link.closed:
                    link.send(answer)
            if receipt is not None:
                with self._lock:
                    self._outbox.append(receipt)
        self._flush_any()

    # --- what it holds ------------------------------------------------------------------------

    def messages(self) -> list[StoredMessage]:
        with self._lock:
            return list(self._messages)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "messages": len(self._messages),
                "incomplete": len(self._assemblies),
                "submits": self.submits,
                "duplicates": self.duplicates,
                "throttled": self.throttled,
                "dropped": self.dropped,
                "binds": self.binds,
                "held": len(self._held),
                "receipts_waiting": len(self._outbox)
                + sum(len(link.unacked) for link in self._receivers),
            }

    # --- SMPP ---------------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # went down
            with self._lock:
                if self._listener is not listener:
                    conn.close()
                    return
                self._links.add(conn)
            threading.Thread(
                target=self._serve, args=(conn,), name="smsc-link", daemon=True
            ).start()

    def _serve(self, conn: socket.socket) -> None:
        link = _Link(conn)
        try:
            while True:
                raw = _recv_exact(conn, pdu.HEADER.size)
                if raw is None:
                    return
                try:
                    header = pdu.parse_header(raw)
                except pdu.PduError:
                    link.send(pdu.encode(pdu.GENERIC_NACK, pdu.ESME_RINVCMDLEN, 0))
                    return  # framing lost: nothing after this can be read
                body = _recv_exact(conn, header.length - pdu.HEADER.size)
                if body is None:
                    return
                if not self._handle(link, header, body):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._links.discard(conn)
                link.closed = True
                if link in self._receivers:
                    self._receivers.remove(link)
                # Receipts it never answered go to the next link that can take them, and so do
                # those of messages it sent whose answers were held.
                self._outbox[:0] = list(link.unacked.values())
                link.unacked.clear()
                self._outbox += [r for held, _, _, r in self._held if held is link and r]
                self._held = [h for h in self._held if h[0] is not link]
            conn.close()
            self._flush_any()

    def _handle(self, link: _Link, header: pdu.Header, body: bytes) -> bool:
        """Answer one PDU; False closes the link."""
        cid, seq = header.command_id, header.sequence
        if cid in pdu.BINDS:
            try:
                system_id, password = pdu.parse_bind(body)
            except pdu.PduError:
                link.send(pdu.encode(cid | pdu.RESP, pdu.ESME_RINVCMDLEN, seq))
                return True
            wanted_id, wanted_password = self._credentials
            if (wanted_id is not None and system_id != wanted_id) or (
                wanted_password is not None and password != wanted_password
            ):
                link.send(pdu.encode(cid | pdu.RESP, pdu.ESME_RBINDFAIL, seq))
                return True
            link.bound = True
            with self._lock:
                self.binds += 1
                if cid != pdu.BIND_TRANSMITTER:
                    self._receivers.append(link)
            link.send(pdu.encode(cid | pdu.RESP, pdu.ESME_ROK, seq, pdu.cstring("QIHANGSMSC")))
            self._flush(link)  # receipts that waited for a link
        elif cid == pdu.ENQUIRE_LINK:
            link.send(pdu.encode(pdu.ENQUIRE_LINK | pdu.RESP, pdu.ESME_ROK, seq))
        elif cid == pdu.UNBIND:
            link.send(pdu.encode(pdu.UNBIND | pdu.RESP, pdu.ESME_ROK, seq))
            return False
        elif cid == pdu.SUBMIT_SM:
            if not link.bound:
                link.send(pdu.encode(pdu.SUBMIT_SM | pdu.RESP, pdu.ESME_RINVBNDSTS, seq))
                return True
            return self._submit(link, seq, body)
        elif cid == pdu.DELIVER_SM | pdu.RESP:
            with self._lock:
                link.unacked.pop(seq, None)  # that receipt is delivered
        elif cid & pdu.RESP:
            pass  # enquire_link_resp: nothing to do
        else:
            link.send(pdu.encode(pdu.GENERIC_NACK, pdu.ESME_RINVCMDID, seq))
        return True

    def _submit(self, link: _Link, seq: int, body: bytes) -> bool:
        try:
            sm = pdu.parse_submit_sm(body)
            concat, octets = pdu.split_udh(sm)
            reference = sm.user_message_reference
        except pdu.PduError:
            link.send(pdu.encode(pdu.SUBMIT_SM | pdu.RESP, pdu.ESME_RINVCMDLEN, seq))
            return True
        now = datetime.now(UTC)
        mono = time.monotonic()
        receipt: _Receipt | None = None
        with self._lock:
            if self._drop_after == 0:
                self._drop_after = None
                self.dropped += 1
                return False
            self.submits += 1
            if self._throttle > 0:
                self._throttle -= 1
                self.throttled += 1
                status: int | None = pdu.ESME_RTHROTTLED
            elif _national(sm.destination_addr) in self._refused:
                status = pdu.ESME_RINVDSTADR
            else:
                status = None
            if status is None:
                if self._drop_after is not None:
                    self._drop_after -= 1
                key = (sm.destination_addr, sm.user_data)
                if key in self._seen:
                    self.duplicates += 1
                self._seen.add(key)
                message_id = f"{self._next_id:010X}"
                self._next_id += 1
                self._store(sm, concat, octets, message_id, now, mono)
                if self._receipts and sm.registered_delivery & 0x01:
                    receipt = _Receipt(
                        sm.source_addr,
                        sm.destination_addr,
                        message_id,
                        now.strftime("%y%m%d%H%M"),
                        reference,
                    )
                if self._hold is None or self._hold > 0:
                    if self._hold is not None:
                        self._hold -= 1
                    self._held.append((link, seq, message_id, receipt))
                    return True
        if status is not None:
            link.send(pdu.encode(pdu.SUBMIT_SM | pdu.RESP, status, seq))
            return True
        # The response first, then the receipt: it never overtakes the response on this link.
        link.send(pdu.encode(pdu.SUBMIT_SM | pdu.RESP, pdu.ESME_ROK, seq, pdu.cstring(message_id)))
        if receipt is not None:
            with self._lock:
                self._outbox.append(receipt)
            self._flush(link)
        return True

    def _flush(self, link: _Link) -> None:
        """Send ``link`` every receipt waiting; each stays owed until its deliver_sm_resp."""
        with self._lock:
            if link.closed or link not in self._receivers or not self._outbox:
                return
            frames = []
            for r in self._outbox:
                sequence = link.next_sequence()
                link.unacked[sequence] = r
                frames.append(
                    pdu.deliver_receipt(sequence, r.source, r.destination, r.message_id,
                                        "DELIVRD", r.date, r.user_message_reference)
                )  # fmt: skip
            self._outbox = []
        for frame in frames:
            link.send(frame)  # a failure closes the link, which puts them back in the outbox

    def _flush_any(self) -> None:
        with self._lock:
            receivers = list(self._receivers)
        for link in receivers:
            with contextlib.suppress(OSError):
                self._flush(link)
                return

    def _store(
        self,
        sm: pdu.SubmitSm,
        concat: pdu.Concat | None,
        octets: bytes,
        message_id: str,
        now: datetime,
        mono: float,
    ) -> None:
        stamp = now.isoformat(timespec="milliseconds")
        if concat is None or concat.total == 1:
            self._complete(sm.source_addr, sm.destination_addr, sm.data_coding, [octets],
                           [message_id], stamp, mono)  # fmt: skip
            return
        key = (sm.destination_addr, concat.ref, concat.total)
        assembly = self._assemblies.setdefault(
            key,
            _Assembly(sm.source_addr, sm.destination_addr, sm.data_coding, concat.total,
                      received_at=stamp, received_mono=mono),
        )  # fmt: skip
        assembly.chunks[concat.index] = octets
        assembly.message_ids[concat.index] = message_id
        if len(assembly.chunks) == assembly.total:
            del self._assemblies[key]
            order = sorted(assembly.chunks)
            self._complete(
                assembly.source,
                assembly.destination,
                assembly.data_coding,
                [assembly.chunks[i] for i in order],
                [assembly.message_ids[i] for i in order],
                assembly.received_at,
                assembly.received_mono,
            )

    def _complete(
        self,
        source: str,
        destination: str,
        data_coding: int,
        chunks: list[bytes],
        message_ids: list[str],
        received_at: str,
        mono: float,
    ) -> None:
        message = StoredMessage(
            seq=len(self._messages) + 1,
            source=source,
            destination=destination,
            text=pdu.decode_text(data_coding, b"".join(chunks)),
            data_coding=data_coding,
            parts=len(chunks),
            message_ids=message_ids,
            received_at=received_at,
            received_mono=mono,
        )
        self._messages.append(message)


class _Link:
    """One ESME connection: its socket, whether it bound, and its own outgoing sequence."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.bound = False
        self.closed = False
        self.unacked: dict[int, _Receipt] = {}  # deliver_sm sequence -> its receipt
        self._sequence = 0
        self._write = threading.Lock()

    def send(self, data: bytes) -> None:
        with self._write:
            self.conn.sendall(data)

    def next_sequence(self) -> int:
        self._sequence = self._sequence % 0x7FFFFFFF + 1
        return self._sequence


def _recv_exact(conn: socket.socket, n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = conn.recv(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _national(address: str) -> str:
    return address[2:] if address.startswith("86") and len(address) == 13 else address


def _handler(sim: SmscSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/messages":
                self._json([asdict(m) for m in sim.messages()])
            elif self.path == "/stats":
                self._json(sim.stats())
            else:
                self._json({"error": "not found"}, 404)

        def do_POST(self) -> None:
            if self.path != "/control":
                self._json({"error": "not found"}, 404)
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 <= length <= 4096:
                    raise ValueError("body too large")
                order: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(order, dict):
                    raise ValueError("an object, please")
                if "throttle" in order:
                    sim.throttle(int(order["throttle"]))
                if "drop_link" in order:
                    sim.drop_link(int(order["drop_link"]))
                if "refuse" in order:
                    sim.refuse(str(order["refuse"]))
                if "accept" in order:
                    sim.accept(str(order["accept"]))
                if order.get("down"):
                    sim.go_down()
                if order.get("up"):
                    sim.come_up()
                if "hold" in order:
                    sim.hold_responses(None if order["hold"] is True else int(order["hold"]))
                if order.get("release"):
                    sim.release_responses()
            except (ValueError, TypeError) as e:
                self._json({"error": str(e)}, 400)
                return
            self._json(sim.stats())

        def _json(self, value: object, status: int = 200) -> None:
            data = json.dumps(value, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("smsc http: " + format, *args)

    return Handler
