"""好差评 at the kiosk: once the ID card is read, the parts awaiting the holder's rating are offered
before the service list.

Right after ``card_read`` (the service list is up) the kiosk asks the hall, in the background,
which parts of this card holder's filings are done and not yet rated
(:data:`contracts.ratings.PENDING_PATH`, with a :class:`~contracts.ratings.HolderProof`: a salt
and the HMAC of the ID number under it — the number itself never leaves the kiosk). If some are
and the walk-in has not moved on meanwhile (the answer is dropped otherwise), the session enters
``rating`` (``rating_offered``) in front of the service list. None, or the hall cannot be asked:
nothing changes — rating is the walk-in's right, never a gate in front of a filing. Each part
is shown in turn: one of the five levels (which also sets the four indicators, each adjustable),
an optional comment (意见建议, at most :data:`~contracts.rating_scale.MAX_COMMENT` characters,
typed on the on-screen keyboard), then submit or skip; ``rating_closed`` returns to the service
list. The hall's refusal (a part no longer rateable, …) is shown in its own words; a 429 (too
many requests) as a wait with the hall's ``Retry-After``, not as an outage. After the last part
a thank-you, then the service list.

The state lives in :class:`RatingOffer`, wiped when the offer closes and when the session ends;
the proof is kept for this session's requests only. The comment is the walk-in's own words
(personal data): held there until sent, never logged, gone with the next part or the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from contracts.rating_scale import INDICATORS, LEVELS, MAX_COMMENT
from contracts.ratings import PENDING_PATH, RATE_PATH, HolderProof, PendingPart
from kiosk.errors import HallRateLimited

log = logging.getLogger(__name__)

# call(path, body) -> (HTTP status, JSON object); raises ConnectionError/TimeoutError when the
# hall cannot be asked. Blocks: run in the background.
RatingCall = Callable[[str, dict[str, Any]], tuple[int, Mapping[str, Any]]]


def no_hall(path: str, body: dict[str, Any]) -> tuple[int, Mapping[str, Any]]:
    """The rating call while the runtime has no hall: it cannot be asked."""
    raise ConnectionError("no hall configured")


@dataclass
class RatingOffer:
    """One card holder's pending ratings in this session (wiped with it)."""

    proof: HolderProof | None = None
    items: list[PendingPart] = field(default_factory=list)
    current: int = 0
    level: int = 0  # 0: not chosen yet
    scores: dict[str, int] = field(default_factory=dict)
    comment: str = ""  # the walk-in's words, at most MAX_COMMENT characters
    sending: bool = False
    done: bool = False  # every offered part rated or skipped: the thank-you
    rated: int = 0
    refusal: tuple[str, str] = ("", "")  # the hall's words (zh, en), or a network failure
    network_failed: bool = False
    rate_limited: bool = False  # the hall answered 429: wait, then try again
    retry_after_s: float | None = None  # its Retry-After, when it sent one

    @property
    def item(self) -> PendingPart | None:
        return self.items[self.current] if 0 <= self.current < len(self.items) else None


class RatingFlow:
    """The rating intents; results arrive through the session's guarded background runner."""

    def __init__(
        self,
        *,
        call: RatingCall,
        send: Callable[[str], Any],
        state: Callable[[], str],
        run: Callable[
            [Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None
        ],
        changed: Callable[[], None],
    ) -> None:
        self._call = call
        self._send, self._state, self._run, self._changed = send, state, run, changed
        self.data = RatingOffer()

    @property
    def available(self) -> bool:
        """Whether a hall can be asked at all (a kiosk without one offers nothing)."""
        return self._call is not no_hall

    # -- the offer -----------------------------------------------------------------------------
    def offer(self, id_number: str) -> None:
        """Just after the card was read: ask the hall what this holder may rate."""
        if not self.available or not id_number:
            return
        proof = HolderProof.of(id_number)
        self.data = RatingOffer(proof=proof)
        body = proof.model_dump()
        self._run(lambda: self._call(PENDING_PATH, body), self._on_pending, self._on_pending_error)

    def _on_pending(self, answer: tuple[int, Mapping[str, Any]]) -> None:
        status, doc = answer
        items: list[PendingPart] = []
        if status == 200 and isinstance(doc.get("items"), list):
            try:
                items = [PendingPart.model_validate(i) for i in doc["items"]]
            except ValidationError:
                log.warning("pending ratings: the hall's answer does not parse; not offered")
        else:
            log.warning("pending ratings: hall answered HTTP %d; not offered", status)
        log.info("%d part(s) await the card holder's rating", len(items))
        if not items or self._state() != "choosing_service":
            self.wipe()
            return
        self.data.items = items
        self._send("rating_offered")

    def _on_pending_error(self, exc: Exception) -> None:
        log.info("pending ratings not asked (%s): the services as usual", type(exc).__name__)
        self.wipe()

    def wipe(self) -> None:
        """Forget the offer (the proof and the list): the session ended or moved on."""
        self.data = RatingOffer()

    def close(self) -> None:
        """On to the service list (skip all, or after the thank-you)."""
        self.wipe()
        if self._state() == "rating":
            self._send("rating_closed")

    # -- rating one part -----------------------------------------------------------------------
    def choose_level(self, level: int) -> None:
        """One of the five levels; the four indicators follow it until changed one by one."""
        if level not in LEVELS:
            raise ValueError(f"level {level} is not 1-5")
        self.data.level = level
        self.data.scores = {name: level for name in INDICATORS}
        self._clear_problem()
        self._changed()

    def set_score(self, indicator: str, score: int) -> None:
        if indicator not in INDICATORS or score not in LEVELS:
            raise ValueError(f"{indicator}={score}")
        if not self.data.level:
            raise ValueError("choose a level first")
        self.data.scores[indicator] = score
        self._changed()

    def set_comment(self, text: str) -> None:
        """The optional comment as typed; cut at MAX_COMMENT characters (the hall's limit)."""
        if self.data.item is None:
            raise ValueError("no part is being rated")
        self.data.comment = text[:MAX_COMMENT]
        self._changed()

    def submit(self) -> None:
        data, item = self.data, self.data.item
        if item is None or data.proof is None or not data.level or data.sending:
            return
        body = {
            **data.proof.model_dump(),
            "submission_id": item.submission_id,
            "part_id": item.part_id,
            "level": data.level,
            "indicators": dict(data.scores),
            "comment": data.comment.strip(),
        }
        data.sending = True
        self._clear_problem()
        self._changed()
        self._run(lambda: self._call(RATE_PATH, body), self._on_rated, self._on_rate_error)

    def _on_rated(self, answer: tuple[int, Mapping[str, Any]]) -> None:
        status, doc = answer
        self.data.sending = False
        if status == 200:
            self.data.rated += 1
            log.info("part rated at the kiosk (level %d)", self.data.level)
            self._next()
            return
        detail = doc.get("detail")
        if isinstance(detail, dict) and "message_zh" in detail:
            self.data.refusal = (str(detail["message_zh"]), str(detail.get("message_en", "")))
        else:
            self.data.refusal = ("评价未能提交，请稍后再试", "Not accepted; please try later")
        log.info("rating refused by the hall: HTTP %d", status)
        self._changed()

    def _on_rate_error(self, exc: Exception) -> None:
        self.data.sending = False
        if isinstance(exc, HallRateLimited):
            self.data.rate_limited, self.data.retry_after_s = True, exc.retry_after_s
            log.warning("rating not sent: %s", exc)
        else:
            self.data.network_failed = True
            log.info("rating not sent (%s)", type(exc).__name__)
        self._changed()

    def _clear_problem(self) -> None:
        data = self.data
        data.refusal, data.network_failed = ("", ""), False
        data.rate_limited, data.retry_after_s = False, None

    def skip(self) -> None:
        """Not this one (rating is the walk-in's right, not a duty)."""
        if self.data.item is not None and not self.data.sending:
            self._next()

    def _next(self) -> None:
        data = self.data
        data.current += 1
        data.level, data.scores, data.comment = 0, {}, ""
        self._clear_problem()
        if data.item is None:
            data.done = True
        self._changed()
