"""A simulated ID card reader: a real CardReader backend for the demo, tests and journeys.

It behaves like a GA/T 467 reader seen from the core: `read_identity` blocks until a card lies on
the reader, reading takes a moment (`delay_s`), a card lifted mid-read fails the read, and faults
can be injected. Tests and the UI demo drive it with `place_card` / `remove_card` /
`inject_fault` from any thread; with `auto_place` (the demo default) every read finds the sample
card, which is "lifted" again once read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from drivers.card_reader.base import Identity
from drivers.card_reader.options import IdentityOverrides, SimulatedCardReaderOptions
from drivers.errors import CardReaderError, CardReadFailed, NoCard, ReaderUnavailable
from drivers.health import Health

log = logging.getLogger(__name__)

SAMPLE_IDENTITY = Identity(
    name="张三丰",
    id_number="11010519491231002X",
    sex="男",
    nation="汉",
    birth_date=dt.date(1949, 12, 31),
    address="江苏省苏州市高新区狮山路88号",
    issuer="苏州市公安局高新区分局",
    valid_from=dt.date(2015, 1, 1),
    valid_to=dt.date(2035, 1, 1),
)


def sample_with(overrides: IdentityOverrides | None) -> Identity:
    """The sample identity, with the fields a config's `identity` table sets instead."""
    # The model checked names and types (dates included), so the fields go in as they are.
    return (
        SAMPLE_IDENTITY
        if overrides is None
        else dataclasses.replace(SAMPLE_IDENTITY, **overrides.fields())
    )


class SimulatedCardReader:
    """CardReader backend with no hardware. Thread-safe: one reader thread, any number of drivers.

    Faults fire at the next read (or wake a read that is waiting) and are one-shot, except that
    an injected `ReaderUnavailable` is the reader going away: it stays down until `close()`.
    """

    def __init__(
        self,
        *,
        delay_s: float = 0.3,
        identity: Identity | None = None,
        auto_place: bool = True,
        fail_next: int = 0,
    ) -> None:
        if delay_s < 0:
            raise ValueError("card reader option 'delay_s' must be >= 0")
        if fail_next < 0:
            raise ValueError("card reader option 'fail_next' must be >= 0")
        self._delay_s = delay_s
        self._sample = identity if identity is not None else SAMPLE_IDENTITY
        self._auto_place = auto_place
        self._cond = threading.Condition()
        self._card: Identity | None = None
        # Bumped on every place/remove, so a read notices a card swapped or lifted mid-read.
        self._card_generation = 0
        self._faults: list[type[CardReaderError]] = [CardReadFailed] * fail_next
        self._unavailable = False
        self._closed = False
        self._last_error: CardReaderError | None = None
        self._reading = False  # a read holds a card and is "reading" it (delay_s)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SimulatedCardReader:
        """From `[devices.card_reader.options]`; DriverOptionsError names a bad option."""
        opts = SimulatedCardReaderOptions.parse(options)
        return cls(
            delay_s=opts.delay_s,
            identity=sample_with(opts.identity),
            auto_place=opts.auto_place,
            fail_next=opts.fail_next,
        )

    # -- driving the simulator (tests, demo) ------------------------------------------------

    @property
    def sample_identity(self) -> Identity:
        return self._sample

    def place_card(self, identity: Identity | None = None) -> None:
        """Lay a card on the reader (the sample card unless one is given)."""
        with self._cond:
            self._card = identity if identity is not None else self._sample
            self._card_generation += 1
            self._cond.notify_all()
        log.info("card placed")

    def remove_card(self) -> None:
        """Lift the card; a read in progress fails with CardReadFailed."""
        with self._cond:
            self._card = None
            self._card_generation += 1
            self._cond.notify_all()
        log.info("card removed")

    def inject_fault(self, exc_class: type[CardReaderError] = CardReadFailed) -> None:
        """Make the next read raise `exc_class` (ReaderUnavailable: the reader stays down)."""
        if not (isinstance(exc_class, type) and issubclass(exc_class, CardReaderError)):
            raise TypeError(f"inject_fault needs a CardReaderError subclass, not {exc_class!r}")
        with self._cond:
            self._faults.append(exc_class)
            self._cond.notify_all()
        log.info("fault injected: %s", exc_class.__name__)

    def wait_until_reading(self, timeout_s: float) -> bool:
        """Block until a read has found a card and is reading it (to lift it mid-read)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._reading, timeout_s)

    # -- CardReader ---------------------------------------------------------------------------

    def read_identity(self, timeout_s: float) -> Identity:
        try:
            identity = self._read(timeout_s)
        except CardReaderError as exc:
            with self._cond:
                self._last_error = exc
            log.info("read failed: %s", exc.code)
            raise
        with self._cond:
            self._last_error = None
        log.info("read ok (card_type=%s)", identity.card_type)
        return identity

    def _read(self, timeout_s: float) -> Identity:
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._cond:
            self._raise_if_down()
            if self._auto_place and self._card is None:
                self._card = self._sample
                self._card_generation += 1
                auto_placed = True
            else:
                auto_placed = False
            # Wait for a card (or a fault, or close).
            while self._card is None and not self._faults:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NoCard(f"no card within {timeout_s:g} s")
                self._cond.wait(remaining)
                self._raise_if_down()
            self._raise_if_down()
            self._raise_injected()
            card, generation = self._card, self._card_generation
            # Reading takes time on a real reader (~0.3-1 s); a lifted card or close cuts it short.
            read_deadline = time.monotonic() + self._delay_s
            self._reading = True
            self._cond.notify_all()
            try:
                while True:
                    remaining = read_deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                    self._raise_if_down()
                    self._raise_injected()
                    if self._card_generation != generation:
                        raise CardReadFailed("card moved during the read; place it again")
            finally:
                self._reading = False
            if auto_placed:
                # The demo walk-in takes the card back after each read.
                self._card = None
                self._card_generation += 1
            assert card is not None
            return card

    def _raise_if_down(self) -> None:
        if self._closed:
            raise ReaderUnavailable("card reader closed")
        if self._unavailable:
            raise ReaderUnavailable("simulated reader unavailable")

    def _raise_injected(self) -> None:
        if not self._faults:
            return
        exc_class = self._faults.pop(0)
        if issubclass(exc_class, ReaderUnavailable):
            self._unavailable = True
        raise exc_class(f"injected fault: {exc_class.__name__}")

    def health(self) -> Health:
        with self._cond:
            if self._closed:
                return Health.down(ReaderUnavailable.code, "closed")
            if self._unavailable:
                return Health.down(ReaderUnavailable.code, "simulated reader unavailable")
            if isinstance(self._last_error, CardReadFailed):
                return Health.degraded(CardReadFailed.code, "last read failed")
            return Health.ok()

    def close(self) -> None:
        """Stop the reader; a read waiting on another thread wakes and raises ReaderUnavailable."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        log.info("closed")
