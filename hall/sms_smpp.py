"""SMS over SMPP 3.4 to an SMS centre, through ``smpplib`` (the only module that imports it).

The hall binds as a transceiver (``bind_transceiver``: one link both submits and receives the
delivery receipts), submits each message with ``submit_sm`` and asks for a receipt on every part
(``registered_delivery`` 1). Text that the GSM 7-bit default alphabet holds goes as data coding
0x00 (one septet per octet, as SMPP carries it); anything else, Chinese in particular, as UCS-2
(0x08, UTF-16BE). A text longer than one SMS (160 GSM characters, 70 UCS-2 units) goes as
concatenated parts, each led by a user data header (``esm_class`` 0x40, IEI 0x00: reference,
total, index); the reference is the queue's sequence number modulo 256, so a part re-sent after
a retry carries the same header. A surrogate pair is never split across parts.

Every ``submit_sm`` waits for its own ``submit_sm_resp`` before the next part goes (one message
in flight per link: the per-number order the queue promises needs nothing cleverer, and the
loopback round trip is well under a millisecond). Receipts (``deliver_sm`` with ``esm_class``
0x04) may arrive between them; they are answered and handed to the dispatcher. The link is kept
alive with ``enquire_link`` when idle.

Each ``submit_sm`` carries the ``user_message_reference`` TLV (0x0204, SMPP 3.4 §5.3.2.17:
ESME-assigned, 2 octets; :func:`~hall.sms_backend.user_reference`), announced to the dispatcher
through ``on_submit`` before the PDU is written. An SMSC that echoes it in the delivery receipt's
``deliver_sm`` (beside ``receipted_message_id``, 0x001E) lets the dispatcher recognise a part whose
``submit_sm_resp`` was lost with the link or the hall; a link lost after the whole PDU was
written and before its answer raises :class:`~hall.sms_backend.SmsInDoubt` (one lost while
writing it is a plain :class:`~hall.sms_backend.SmsUnavailable`: ``sendall`` failed, so no
complete PDU reached the SMSC). The receipt also names the handset (its ``source_addr``),
which the match requires.

smpplib's errors are translated here: ``ESME_RTHROTTLED`` / ``ESME_RMSGQFUL`` →
:class:`~hall.sms_backend.SmsThrottled`; a refused address → :class:`~hall.sms_backend.SmsRefused`;
a dropped link, a refused connection, a timeout or a PDU that does not parse →
:class:`~hall.sms_backend.SmsUnavailable` (the link is closed and opened again on the next send).
"""

from __future__ import annotations

import contextlib
import logging
import re
import select
import time
from dataclasses import dataclass
from typing import Any, Final

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp

from hall.sms_backend import (
    DeliveryReceipt,
    OutgoingSms,
    PartAccepted,
    ReceiptHandler,
    SmsInDoubt,
    SmsRefused,
    SmsThrottled,
    SmsUnavailable,
    SubmitStarting,
    user_reference,
)

log = logging.getLogger(__name__)
# smpplib logs every PDU in hex at DEBUG, numbers and texts included: never let that through.
_WIRE_LOG: Final = f"{__name__}.wire"
logging.getLogger(_WIRE_LOG).setLevel(logging.INFO)

DC_DEFAULT: Final = 0x00
DC_UCS2: Final = 0x08
ESM_UDHI: Final = 0x40
ESM_RECEIPT: Final = 0x04
_SINGLE: Final = {DC_DEFAULT: 160, DC_UCS2: 140}  # octets (GSM: one character per octet)
_PART: Final = {DC_DEFAULT: 153, DC_UCS2: 134}  # octets left beside the 6-octet header
_THROTTLED: Final = {smpplib.consts.SMPP_ESME_RTHROTTLED, smpplib.consts.SMPP_ESME_RMSGQFUL}
# Statuses that say "this message, as it is, will never be taken": give up on it.
_REFUSED: Final = {
    smpplib.consts.SMPP_ESME_RINVDSTADR,
    smpplib.consts.SMPP_ESME_RINVSRCADR,
    smpplib.consts.SMPP_ESME_RINVMSGLEN,
    smpplib.consts.SMPP_ESME_RINVESMCLASS,
    smpplib.consts.SMPP_ESME_RINVDSTTON,
    smpplib.consts.SMPP_ESME_RINVDSTNPI,
    smpplib.consts.SMPP_ESME_RINVNUMDESTS,
    smpplib.consts.SMPP_ESME_RINVDFTMSGID,
}
# smpplib's table fills unassigned GSM positions with "`" and keeps ESC itself as a character:
# neither survives the trip, so a text holding one goes as UCS-2.
_NOT_GSM: Final = frozenset("`\x1b")
_LINK_ERRORS: Final = (smpplib.exceptions.ConnectionError, OSError, smpplib.exceptions.PDUError)
_RECEIPT_TEXT: Final = re.compile(rb"id:(\S+).*?stat:(\w+)(?:\s+err:(\w+))?", re.S)


@dataclass(frozen=True)
class SmppConfig:
    host: str
    port: int
    system_id: str
    password: str
    source_addr: str = "106900"  # the district's SMS service number
    system_type: str = ""
    timeout_s: float = 5.0
    enquire_link_s: float = 30.0


def encode_parts(text: str, ref: int) -> tuple[int, list[bytes]]:
    """``(data_coding, short_message of each part)`` for ``text``; UDH-led when more than one."""
    try:
        if _NOT_GSM.intersection(text):
            raise UnicodeError("not in the GSM alphabet")
        payload = smpplib.gsm.gsm_encode(text)
        coding = DC_DEFAULT
    except UnicodeError:
        payload, coding = text.encode("utf-16-be"), DC_UCS2
    if len(payload) <= _SINGLE[coding]:
        return coding, [payload]
    chunks = _split(payload, _PART[coding], coding)
    if len(chunks) > 255:
        raise SmsRefused("SMS_TOO_LONG")
    header = bytes((0x05, 0x00, 0x03, ref % 256, len(chunks)))
    return coding, [header + bytes((i,)) + c for i, c in enumerate(chunks, start=1)]


def _split(payload: bytes, size: int, coding: int) -> list[bytes]:
    chunks: list[bytes] = []
    start = 0
    while start < len(payload):
        end = min(start + size, len(payload))
        if coding == DC_UCS2 and end < len(payload) and 0xD8 <= payload[end - 2] <= 0xDB:
            end -= 2  # a high surrogate ends this chunk: keep the pair together
        elif coding == DC_DEFAULT and end < len(payload) and payload[end - 1] == 0x1B:
            end -= 1  # an escape ends this chunk: keep it with the character it escapes
        chunks.append(payload[start:end])
        start = end
    return chunks


class SmppSmsBackend:
    """One transceiver link to an SMSC, opened on first use and again after a failure."""

    name = "smpp"

    def __init__(self, config: SmppConfig) -> None:
        self._config = config
        self._client: smpplib.client.Client | None = None
        self._last_traffic = 0.0
        self._on_receipt: ReceiptHandler | None = None

    def send(
        self,
        sms: OutgoingSms,
        on_part: PartAccepted,
        on_receipt: ReceiptHandler,
        on_submit: SubmitStarting | None = None,
    ) -> None:
        self._on_receipt = on_receipt
        coding, parts = encode_parts(sms.text, sms.ref)
        esm_class = ESM_UDHI if len(parts) > 1 else 0
        for number, short_message in enumerate(parts, start=1):
            if number in sms.accepted:
                continue  # taken before a retry or a restart: never sent twice by us
            client = self._link()
            reference = user_reference(sms.ref, number)
            if on_submit is not None:
                on_submit(number, reference)  # durably "in flight" before a byte goes
            try:
                pdu = client.send_message(
                    source_addr_ton=smpplib.consts.SMPP_TON_ALNUM,
                    source_addr_npi=smpplib.consts.SMPP_NPI_UNK,
                    source_addr=self._config.source_addr,
                    dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr="86" + sms.to_number,
                    short_message=short_message,
                    data_coding=coding,
                    esm_class=esm_class,
                    registered_delivery=smpplib.consts.SMPP_SMSC_DELIVERY_RECEIPT_BOTH,
                    user_message_reference=reference,
                )
            except _LINK_ERRORS as e:
                # sendall failed: at most a fragment of the PDU left, which no SMSC can take.
                self._drop()
                raise SmsUnavailable("SMS_LINK_LOST") from e
            try:
                resp = self._await_resp(client, pdu.sequence)
            except _LINK_ERRORS as e:
                self._drop()
                # The whole PDU went: the SMSC may have taken it, and only its receipt can tell.
                raise SmsInDoubt("SMS_LINK_LOST") from e
            status = int(resp.status)
            if status in _THROTTLED:
                raise SmsThrottled(f"SMS_THROTTLED 0x{status:02X}")
            if status in _REFUSED:
                raise SmsRefused(f"SMS_REFUSED 0x{status:02X}")
            if status != smpplib.consts.SMPP_ESME_ROK:
                raise SmsUnavailable(f"SMS_SMSC_ERROR 0x{status:02X}")
            on_part(number, _text(resp.message_id), number == len(parts))

    def idle(self, seconds: float, on_receipt: ReceiptHandler) -> None:
        self._on_receipt = on_receipt
        client = self._client
        if client is None:
            time.sleep(seconds)
            return
        try:
            if time.monotonic() - self._last_traffic > self._config.enquire_link_s:
                client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=client))
                self._last_traffic = time.monotonic()
            readable, _, _ = select.select([client._socket], [], [], seconds)
            while readable:
                self._serve(client, client.read_pdu())
                readable, _, _ = select.select([client._socket], [], [], 0)
        except _LINK_ERRORS as e:
            log.warning("SMPP link lost while idle: %s", type(e).__name__)
            self._drop()

    def open(self) -> None:
        self._link()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        # The SMSC may already be gone; the socket is closed below either way.
        with contextlib.suppress(*_LINK_ERRORS):
            client.unbind()
        client.disconnect()

    def _link(self) -> smpplib.client.Client:
        if self._client is not None:
            return self._client
        client = smpplib.client.Client(
            self._config.host,
            self._config.port,
            timeout=self._config.timeout_s,
            allow_unknown_opt_params=True,
            logger_name=_WIRE_LOG,
        )
        try:
            client.connect()
            client.bind_transceiver(
                system_id=self._config.system_id,
                password=self._config.password,
                system_type=self._config.system_type,
            )
        except _LINK_ERRORS as e:
            client.disconnect()
            if isinstance(e, smpplib.exceptions.PDUError) and _status(e) in _THROTTLED:
                raise SmsThrottled("SMS_BIND_THROTTLED") from e
            raise SmsUnavailable("SMS_BIND_FAILED") from e
        log.info("SMPP bound to %s:%d", self._config.host, self._config.port)
        self._client = client
        self._last_traffic = time.monotonic()
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()

    def _await_resp(self, client: smpplib.client.Client, sequence: int) -> Any:
        while True:
            pdu = client.read_pdu()
            self._last_traffic = time.monotonic()
            if pdu.command == "submit_sm_resp" and pdu.sequence == sequence:
                return pdu
            if pdu.command == "generic_nack":
                raise smpplib.exceptions.PDUError("generic_nack", int(pdu.status))
            self._serve(client, pdu)

    def _serve(self, client: smpplib.client.Client, pdu: Any) -> None:
        self._last_traffic = time.monotonic()
        if pdu.command == "deliver_sm":
            receipt = _receipt(pdu)
            if receipt is not None and self._on_receipt is not None:
                try:
                    self._on_receipt(receipt)
                except Exception:  # not stored: unanswered, the SMSC delivers it again
                    log.exception("delivery receipt not stored; left unanswered")
                    return
            # Answered only once stored: a hall dying in between hears it again on its next bind.
            answer = smpplib.smpp.make_pdu("deliver_sm_resp", client=client)
            answer.sequence = pdu.sequence
            client.send_pdu(answer)
        elif pdu.command == "enquire_link":
            answer = smpplib.smpp.make_pdu("enquire_link_resp", client=client)
            answer.sequence = pdu.sequence
            client.send_pdu(answer)
        elif pdu.command in ("unbind", "outbind"):
            raise smpplib.exceptions.ConnectionError("SMSC unbound")
        # enquire_link_resp and stray responses need nothing


def _receipt(pdu: Any) -> DeliveryReceipt | None:
    if not (int(pdu.esm_class or 0) & ESM_RECEIPT):
        return None  # a mobile-originated message: the hall takes none
    found = _RECEIPT_TEXT.search(bytes(pdu.short_message or b""))
    message_id = _text(pdu.receipted_message_id) if pdu.receipted_message_id else ""
    if not message_id and found:
        message_id = found.group(1).decode("ascii", "replace")
    if not message_id:
        return None
    state = found.group(2).decode("ascii", "replace") if found else "UNKNOWN"
    error = found.group(3).decode("ascii", "replace") if found and found.group(3) else ""
    reference = pdu.user_message_reference
    return DeliveryReceipt(
        message_id=message_id,
        state=state,
        error=error,
        number=_national(_text(pdu.source_addr)),  # a receipt comes from the handset
        user_ref=int(reference) if reference is not None else None,
    )


def _national(address: str) -> str:
    for prefix in ("+86", "0086", "86"):
        if address.startswith(prefix) and len(address) == 11 + len(prefix):
            return address[len(prefix) :]
    return address


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.rstrip(b"\0").decode("ascii", "replace")
    return value or ""


def _status(exc: smpplib.exceptions.PDUError) -> int:
    return int(exc.args[1]) if len(exc.args) > 1 else -1
