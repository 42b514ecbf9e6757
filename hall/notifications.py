"""The hall's SMS notifications: a durable queue in the hall database and the thread that drains it.

Whoever changes a filing's status calls :func:`enqueue_in` on the connection of that change's own
transaction: the notification exists exactly when the change committed, and exactly once per
``dedupe_key`` (a unique index; a repeat is ignored). Its text is rendered there and then from
:mod:`hall.notify_templates` (no personal data can reach it). Phone numbers live only here, at the
hall; everything meant for the console (:func:`recent`) shows them masked (138****5678).

:class:`NotificationDispatcher` sends the queue through an :class:`~hall.sms_backend.SmsBackend`
(SMPP or an HTTPS gateway) on its own thread:

- **Order per number**: only the oldest unsent message of each number is ever a candidate, so a
  number's messages go in the order they were queued; a message refused for good (``failed``)
  stops blocking the ones after it.
- **Rate per number**: at most one message per ``per_number_gap_s`` to one number.
- **Retries**: throttling (``ESME_RTHROTTLED``), a lost link and an SMSC that is down all pause
  the whole dispatcher with exponential back-off (``backoff_base_s`` doubling up to
  ``backoff_max_s``) and then retry the same message; nothing transient ever gives a message up,
  so an SMSC down for an hour loses nothing.
- **Across an outage and a restart**: each part's SMSC message id is committed as soon as its
  ``submit_sm_resp`` arrives, before the next part is submitted, and the message is marked sent
  only when every part has one. A retry, in this process or after a restart, submits only the parts
  without a stored id, so no part the SMSC acknowledged is ever submitted again.
- **In flight, in doubt**: before a part's ``submit_sm`` goes, the row records it "in flight"
  (``in_flight_part``) with the ``user_message_reference`` it carries (``in_flight_ref``); its
  ``submit_sm_resp`` clears that in the commit that stores the id. A part still in flight when
  the link or the hall died (``submit_sm`` out, answer never stored) is *in doubt*: the SMSC may
  have taken it. It is not sent again at once. Its message waits, and so do the later messages
  of its number (order), while the link is held open for up to ``in_doubt_grace_s`` (120 s) of
  link time; a delivery receipt that echoes its reference from its number, for a message id no
  part holds yet, proves the SMSC took it: the part is stored with that id and never resent.
  Only when no receipt comes within the grace is it submitted again (at-least-once fallback, for
  an SMSC that does not echo the reference or sends no receipts): logged as a possible duplicate
  and counted in ``resent_in_doubt``, which the console shows. SMPP 3.4 has no idempotency key,
  and ``query_sm`` needs the very message id that was lost; the receipt is the SMSC's own word.
  The last part's id and "sent" share one commit. The HTTPS backend needs none of this: its
  ``Idempotency-Key`` lets the gateway drop a repeat, so a lost answer is simply retried.

Delivery receipts (``deliver_sm``) are stored on the part they name (``sms_parts``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from contracts.clock import SYSTEM_CLOCK, Clock
from hall.clock import iso
from hall.notify_templates import Event, Language, render
from hall.sms_backend import (
    DeliveryReceipt,
    OutgoingSms,
    SmsBackend,
    SmsError,
    SmsInDoubt,
    SmsRefused,
    SmsThrottled,
)
from hall.store import metadata

log = logging.getLogger(__name__)

# Live mirrors of hall/migrations/versions/rev_0005_notifications.py (a test keeps them equal).
notifications = Table(
    "notifications",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(128), nullable=False, unique=True),
    Column("event", String(32), nullable=False),
    Column("to_number", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    Column("backend", String(16), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("sent_at", String(40), nullable=True),
    # rev_0008: the part whose submit_sm may be out with its answer not stored, and its reference.
    Column("in_flight_part", Integer, nullable=True),
    Column("in_flight_ref", Integer, nullable=True),
    Column("in_flight_at", String(40), nullable=True),
    Column("resent_in_doubt", Integer, nullable=False, server_default="0"),
)
Index("notifications_queue", notifications.c.state, notifications.c.to_number, notifications.c.seq)

# One row per part the carrier accepted: its message id, then its delivery receipt.
sms_parts = Table(
    "sms_parts",
    metadata,
    Column("notification_seq", Integer, nullable=False),
    Column("part", Integer, nullable=False),
    Column("message_id", String(65), nullable=False),
    Column("accepted_at", String(40), nullable=False),
    Column("receipt_state", String(16), nullable=True),
    Column("receipt_error", String(16), nullable=True),
    Column("receipt_at", String(40), nullable=True),
    PrimaryKeyConstraint("notification_seq", "part"),
)
Index("sms_parts_message", sms_parts.c.message_id)

_MOBILE: Final = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS: Final = re.compile(r"[\s()-]")


class InvalidNumber(ValueError):
    """Not a mainland mobile number (11 digits, optionally +86)."""


def normalize_number(raw: str) -> str:
    """``raw`` as the 11 digits the queue stores; raises :class:`InvalidNumber`."""
    number = _SEPARATORS.sub("", raw)
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == 11 + len(prefix):
            number = number[len(prefix) :]
            break
    if not _MOBILE.match(number):
        raise InvalidNumber("not a mainland mobile number")
    return number


def mask_number(number: str) -> str:
    """138****5678: what the console and the log may show of a number."""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def _language(value: str) -> Language:
    short = value[:2].lower()
    if short == "zh":
        return "zh"
    if short == "en":
        return "en"
    raise ValueError(f"no SMS templates in {value!r}")


def _insert_ignoring(conn: Connection, table: Table, keys: list[str], **values: object) -> Any:
    """INSERT … ON CONFLICT (keys) DO NOTHING, on SQLite or PostgreSQL."""
    if conn.dialect.name == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values)
    elif conn.dialect.name == "sqlite":
        stmt = sqlite.insert(table).values(**values)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {conn.dialect.name}")
    return stmt.on_conflict_do_nothing(index_elements=keys)


def enqueue_in(
    conn: Connection,
    event: Event,
    to_number: str,
    params: Mapping[str, object],
    language: str,
    dedupe_key: str,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> bool:
    """Queue one SMS inside the caller's transaction; True if new, False for a known key.

    Raises :class:`InvalidNumber`, :class:`~hall.notify_templates.TemplateParamsError` or
    ``ValueError`` (unknown language, over-long key) before anything is written.
    """
    if not 1 <= len(dedupe_key) <= 128:
        raise ValueError("dedupe_key must be 1..128 characters")
    lang = _language(language)
    number = normalize_number(to_number)
    values = {
        "dedupe_key": dedupe_key,
        "event": event,
        "to_number": number,
        "language": lang,
        "body": render(event, lang, dict(params)),
        "state": "pending",
        "attempts": 0,
        "created_at": iso(clock.now()),
    }
    stmt = _insert_ignoring(conn, notifications, ["dedupe_key"], **values)
    row = conn.execute(stmt.returning(notifications.c.seq)).first()
    if row is not None:
        log.info("notification %d queued: %s to %s", row.seq, event, mask_number(number))
    return row is not None


@dataclass(frozen=True)
class NotificationView:
    """A queued or sent SMS as the console may show it (the number masked)."""

    seq: int
    event: str
    to_masked: str
    language: str
    body: str
    state: str
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None
    parts: int
    delivered_parts: int
    in_doubt: bool  # a part submitted whose answer never came: waiting for its receipt
    resent_in_doubt: int  # parts sent again after no receipt owned them: possible duplicates


def recent(engine: Engine, limit: int = 50) -> list[NotificationView]:
    """The newest ``limit`` notifications, newest first, numbers masked."""
    parts = (
        select(
            sms_parts.c.notification_seq,
            func.count().label("parts"),
            func.count(sms_parts.c.receipt_state)
            .filter(sms_parts.c.receipt_state == "DELIVRD")
            .label("delivered"),
        )
        .group_by(sms_parts.c.notification_seq)
        .subquery()
    )
    query = (
        select(notifications, parts.c.parts, parts.c.delivered)
        .outerjoin(parts, parts.c.notification_seq == notifications.c.seq)
        .order_by(notifications.c.seq.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        NotificationView(
            seq=r.seq,
            event=r.event,
            to_masked=mask_number(r.to_number),
            language=r.language,
            body=r.body,
            state=r.state,
            attempts=r.attempts,
            last_error=r.last_error,
            created_at=r.created_at,
            sent_at=r.sent_at,
            parts=r.parts or 0,
            delivered_parts=r.delivered or 0,
            in_doubt=r.in_flight_part is not None and r.state == "pending",
            resent_in_doubt=r.resent_in_doubt,
        )
        for r in rows
    ]


class NotificationDispatcher:
    """Drains the queue through one backend on a thread of its own (``start``/``stop``)."""

    def __init__(
        self,
        engine: Engine,
        backend: SmsBackend,
        clock: Clock = SYSTEM_CLOCK,
        *,
        per_number_gap_s: float = 1.0,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        poll_interval_s: float = 0.5,
        idle_slice_s: float = 0.05,
        batch: int = 100,
        in_doubt_grace_s: float = 120.0,
    ) -> None:
        self._engine, self._backend, self._clock = engine, backend, clock
        self._gap, self._poll, self._slice, self._batch = (
            per_number_gap_s,
            poll_interval_s,
            idle_slice_s,
            batch,
        )
        self._backoff_base, self._backoff_max = backoff_base_s, backoff_max_s
        self._grace = in_doubt_grace_s
        self._doubt_until: dict[int, float] = {}  # seq in doubt -> monotonic end of its grace
        self._backoff = 0.0
        self._paused_until = 0.0
        self._last_sent: dict[str, float] = {}  # number -> monotonic time of its last message
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="notify-dispatcher", daemon=True)
        self._thread.start()
        log.info("notification dispatcher started (%s)", self._backend.name)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._backend.close()
        log.info("notification dispatcher stopped")

    def wake(self) -> None:
        """Look at the queue now (call after committing an :func:`enqueue_in`)."""
        self._wake.set()

    def _run(self) -> None:
        last_look = -1e9
        while not self._stop.is_set():
            now = self._clock.monotonic()
            if now < self._paused_until:
                self._backend.idle(min(self._slice, self._paused_until - now), self.on_receipt)
                continue
            if self._wake.is_set() or now - last_look >= self._poll:
                self._wake.clear()
                last_look = now
                try:
                    if self.drain_once():
                        last_look = -1e9  # more may be due at once
                except Exception:  # the thread must outlive a database hiccup
                    log.exception("notification dispatcher: drain failed")
                    self._pause("SMS_DISPATCH_ERROR")
                continue
            self._backend.idle(self._slice, self.on_receipt)

    def drain_once(self) -> int:
        """Send what is due now; returns how many messages were finished (sent or failed)."""
        done = 0
        heads = self._heads()
        if not self._hold_link_for_doubts(heads):
            return 0
        for row in heads:
            if self._stop.is_set():
                break
            last = self._last_sent.get(row.to_number)
            if last is not None and self._clock.monotonic() - last < self._gap:
                continue  # this number's rate: its next message waits
            if row.in_flight_part is not None:
                if self._clock.monotonic() < self._doubt_until[row.seq]:
                    continue  # in doubt: its receipt may yet come (its number waits behind it)
                self._give_up_doubt(row)
            try:
                finished = self._send(row)
            except SmsRefused as e:
                self._finish(row.seq, "failed", e.reason)
                log.warning("notification %d refused for good: %s", row.seq, e.reason)
                done += 1
            except SmsError as e:
                in_doubt = isinstance(e, SmsInDoubt)
                self._note_attempt(row.seq, str(e), settled=not in_doubt)
                if in_doubt:
                    self._doubt_until[row.seq] = self._clock.monotonic() + self._grace
                    log.info("notification %d in doubt: its part may be at the SMSC", row.seq)
                self._pause(str(e), throttled=isinstance(e, SmsThrottled))
                break
            else:
                if not finished:  # every part was taken before (nothing was left to send)
                    self._finish(row.seq, "sent", None)
                self._last_sent[row.to_number] = self._clock.monotonic()
                self._backoff = 0.0
                done += 1
        return done

    def _hold_link_for_doubts(self, heads: list[Any]) -> bool:
        """Start the grace of each head in doubt and keep the link up for its receipt.

        False when the link cannot be had (nothing can be sent either); the grace then starts
        again, since no receipt can arrive without a link.
        """
        doubtful = {r.seq for r in heads if r.in_flight_part is not None}
        for seq in set(self._doubt_until) - doubtful:
            del self._doubt_until[seq]  # settled: its receipt came, or it was sent again
        if not doubtful:
            return True
        now = self._clock.monotonic()
        for seq in doubtful:
            self._doubt_until.setdefault(seq, now + self._grace)
        try:
            self._backend.open()
        except SmsError as e:
            for seq in doubtful:
                self._doubt_until[seq] = now + self._grace
            self._pause(str(e), throttled=isinstance(e, SmsThrottled))
            return False
        return True

    def _give_up_doubt(self, row: Any) -> None:
        """No receipt owned the part in doubt within the grace: send it again (at least once)."""
        del self._doubt_until[row.seq]
        with self._engine.begin() as conn:
            still = conn.execute(
                update(notifications)
                .where(
                    notifications.c.seq == row.seq,
                    notifications.c.in_flight_part.is_not(None),  # no receipt came meanwhile
                )
                .values(
                    in_flight_part=None,
                    in_flight_ref=None,
                    in_flight_at=None,
                    resent_in_doubt=notifications.c.resent_in_doubt + 1,
                )
            ).rowcount
        if still:
            log.warning(
                "notification %d part %d: no receipt within %.0f s; sending it again "
                "(a possible duplicate)",
                row.seq,
                row.in_flight_part,
                self._grace,
            )

    def _heads(self) -> list[Any]:
        # The oldest pending message of each number: nothing younger may overtake it.
        oldest = (
            select(func.min(notifications.c.seq))
            .where(notifications.c.state == "pending")
            .group_by(notifications.c.to_number)
        )
        query = (
            select(
                notifications.c.seq,
                notifications.c.to_number,
                notifications.c.body,
                notifications.c.in_flight_part,
            )
            .where(notifications.c.seq.in_(oldest.scalar_subquery()))
            .order_by(notifications.c.seq)
            .limit(self._batch)
        )
        with self._engine.connect() as conn:
            return list(conn.execute(query).all())

    def _send(self, row: Any) -> bool:
        """Send ``row``'s untaken parts; True if the last part's commit also marked it sent."""
        with self._engine.connect() as conn:
            accepted = {
                r.part: r.message_id
                for r in conn.execute(
                    select(sms_parts.c.part, sms_parts.c.message_id).where(
                        sms_parts.c.notification_seq == row.seq
                    )
                )
            }
        sms = OutgoingSms(ref=row.seq, to_number=row.to_number, text=row.body, accepted=accepted)

        finished = False

        def on_submit(part: int, reference: int) -> None:
            # Committed before the submit_sm is written: a crash from here on leaves it in doubt.
            with self._engine.begin() as conn:
                conn.execute(
                    update(notifications)
                    .where(notifications.c.seq == row.seq)
                    .values(
                        in_flight_part=part,
                        in_flight_ref=reference,
                        in_flight_at=iso(self._clock.now()),
                    )
                )

        def on_part(part: int, message_id: str, last: bool) -> None:
            # Committed before the next part is submitted: a retry skips this part. The last
            # part's row and "sent" go in one commit (one fsync fewer per message). A receipt
            # that overtook the answer may have stored the part already.
            nonlocal finished
            with self._engine.begin() as conn:
                conn.execute(
                    _insert_ignoring(
                        conn,
                        sms_parts,
                        ["notification_seq", "part"],
                        notification_seq=row.seq,
                        part=part,
                        message_id=message_id,
                        accepted_at=iso(self._clock.now()),
                    )
                )
                if last:
                    self._finish(row.seq, "sent", None, conn)
                    finished = True
                else:
                    conn.execute(
                        update(notifications)
                        .where(notifications.c.seq == row.seq)
                        .values(in_flight_part=None, in_flight_ref=None, in_flight_at=None)
                    )

        self._backend.send(sms, on_part, self.on_receipt, on_submit)
        return finished

    def _finish(
        self, seq: int, state: str, error: str | None, conn: Connection | None = None
    ) -> None:
        if conn is None:
            with self._engine.begin() as own:
                self._finish(seq, state, error, own)
            return
        conn.execute(
            update(notifications)
            .where(notifications.c.seq == seq)
            .values(
                state=state,
                attempts=notifications.c.attempts + 1,
                last_error=error,
                backend=self._backend.name,
                sent_at=iso(self._clock.now()) if state == "sent" else None,
                in_flight_part=None,
                in_flight_ref=None,
                in_flight_at=None,
            )
        )

    def _note_attempt(self, seq: int, error: str, *, settled: bool) -> None:
        """Count a failed attempt; ``settled``: the SMSC answered, so nothing is left in flight."""
        values: dict[str, Any] = {"attempts": notifications.c.attempts + 1, "last_error": error}
        if settled:
            values.update(in_flight_part=None, in_flight_ref=None, in_flight_at=None)
        with self._engine.begin() as conn:
            conn.execute(update(notifications).where(notifications.c.seq == seq).values(**values))

    def _pause(self, reason: str, *, throttled: bool = False) -> None:
        self._backoff = min(
            self._backoff_max, self._backoff * 2 if self._backoff else self._backoff_base
        )
        self._paused_until = self._clock.monotonic() + self._backoff
        log.info(
            "notifications paused %.2f s: %s%s",
            self._backoff,
            reason,
            " (throttled)" if throttled else "",
        )

    def on_receipt(self, receipt: DeliveryReceipt) -> None:
        """Store a delivery receipt on its part, or let it settle the part in doubt it echoes."""
        now = iso(self._clock.now())
        receipt_values = {
            "receipt_state": receipt.state[:16],
            "receipt_error": receipt.error[:16],
            "receipt_at": now,
        }
        owner = None
        with self._engine.begin() as conn:
            found = conn.execute(
                update(sms_parts)
                .where(sms_parts.c.message_id == receipt.message_id)
                .values(**receipt_values)
                .returning(sms_parts.c.notification_seq)
            ).first()
            if found is None and receipt.user_ref is not None and receipt.number:
                # A message id no part holds, echoing the reference of a part in flight to the
                # same handset: the SMSC took that part, and this is its id.
                owner = conn.execute(
                    select(notifications.c.seq, notifications.c.in_flight_part).where(
                        notifications.c.state == "pending",
                        notifications.c.to_number == receipt.number,
                        notifications.c.in_flight_ref == receipt.user_ref,
                        notifications.c.in_flight_part.is_not(None),
                    )
                ).first()
            if owner is not None:
                conn.execute(
                    _insert_ignoring(
                        conn,
                        sms_parts,
                        ["notification_seq", "part"],
                        notification_seq=owner.seq,
                        part=owner.in_flight_part,
                        message_id=receipt.message_id[:65],
                        accepted_at=now,
                        **receipt_values,
                    )
                )
                conn.execute(
                    update(notifications)
                    .where(notifications.c.seq == owner.seq)
                    .values(in_flight_part=None, in_flight_ref=None, in_flight_at=None)
                )
        if owner is not None:
            log.info(
                "notification %d part %d: its receipt (message id %s) shows the SMSC took it; "
                "not sent again",
                owner.seq,
                owner.in_flight_part,
                receipt.message_id,
            )
            self._wake.set()
        elif found is None:
            log.warning("delivery receipt for an unknown message id %s", receipt.message_id)
