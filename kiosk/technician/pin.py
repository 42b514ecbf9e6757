"""The technician PIN: an argon2 hash in the config and a failure counter that survives restarts.

Five wrong PINs in a row lock the gate for ``lockout_minutes`` (wall-clock time, stored in the
state folder, so pulling the plug does not reset it). Every failure and every lockout is logged
without the PIN; the caller audits the outcome. argon2-cffi is imported on first use only: the
attract screen never needs it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contracts.clock import SYSTEM_CLOCK, Clock
from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

MAX_FAILURES = 5
PIN_DIGITS = (4, 12)  # shortest and longest PIN the pad and `technician-pin` accept

# The demo station's PIN (`main.py demo`, the screenshot tool, UI tests); never on a real station.
DEMO_PIN = "246810"
DEMO_PIN_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$PSySYZuJkDhi+NojMYHNyg"
    "$OSU5oNfY3W0jVnG/CGovWacrj6Nmx0hRtFnkadRe3FQ"
)


@dataclass(frozen=True, slots=True)
class PinStatus:
    """What the PIN pad shows: attempts left before the lockout, or until when it is locked."""

    configured: bool
    attempts_left: int
    locked_until: dt.datetime | None

    def locked_for_s(self, now: dt.datetime) -> float:
        if self.locked_until is None:
            return 0.0
        return max(0.0, (self.locked_until - now).total_seconds())


@dataclass(frozen=True, slots=True)
class PinResult:
    ok: bool
    # "" when ok; TECH_PIN_WRONG, TECH_PIN_LOCKED or TECH_PIN_NOT_SET otherwise.
    code: str
    status: PinStatus


def hash_pin(pin: str) -> str:
    """The argon2id hash to paste into ``[technician] pin_hash``."""
    if not pin.isdigit() or not PIN_DIGITS[0] <= len(pin) <= PIN_DIGITS[1]:
        raise ValueError(f"the PIN must be {PIN_DIGITS[0]}-{PIN_DIGITS[1]} digits")
    from argon2 import PasswordHasher

    return PasswordHasher().hash(pin)


class PinGate:
    """Checks PINs against ``pin_hash``; the counter lives in ``state_path`` (JSON, 0600)."""

    def __init__(
        self,
        state_path: Path,
        pin_hash: str,
        *,
        lockout: dt.timedelta = dt.timedelta(minutes=15),
        clock: Clock = SYSTEM_CLOCK,
        rotated: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._path, self._configured = Path(state_path), pin_hash
        self._lockout, self._clock = lockout, clock
        # The fallback PIN the hall rotated (kiosk.technician.codes), preferred when there is one.
        self._rotated = rotated
        self._lock = threading.Lock()

    @property
    def _hash(self) -> str:
        return self._rotated() or self._configured

    @property
    def configured(self) -> bool:
        return bool(self._hash)

    def status(self) -> PinStatus:
        with self._lock:
            failures, locked_until = self._load()
        return self._status(failures, locked_until)

    def check(self, pin: str) -> PinResult:
        """Verify one PIN (slow on purpose: argon2). Run off the GUI thread."""
        if not self._hash:
            return PinResult(False, "TECH_PIN_NOT_SET", self.status())
        with self._lock:
            failures, locked_until = self._load()
            if locked_until is not None:
                log.warning("technician PIN tried while locked out")
                return PinResult(False, "TECH_PIN_LOCKED", self._status(failures, locked_until))
            if self._verify(pin):
                self._save(0, None)
                log.info("technician PIN accepted")
                return PinResult(True, "", self._status(0, None))
            failures += 1
            if failures >= MAX_FAILURES:
                locked_until = self._clock.now() + self._lockout
                self._save(0, locked_until)
                log.warning(
                    "technician PIN refused %d times: locked until %s",
                    MAX_FAILURES,
                    locked_until.isoformat(timespec="seconds"),
                )
                return PinResult(False, "TECH_PIN_LOCKED", self._status(0, locked_until))
            self._save(failures, None)
            log.warning("technician PIN refused (%d of %d)", failures, MAX_FAILURES)
            return PinResult(False, "TECH_PIN_WRONG", self._status(failures, None))

    def reset(self) -> None:
        """Clear the failure count (a technician's one-time code opened the mode)."""
        with self._lock:
            self._save(0, None)

    def _verify(self, pin: str) -> bool:
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return bool(PasswordHasher().verify(self._hash, pin))
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            log.error("technician pin_hash in the config is not a usable argon2 hash")
            return False

    def _status(self, failures: int, locked_until: dt.datetime | None) -> PinStatus:
        if locked_until is not None and locked_until <= self._clock.now():
            locked_until, failures = None, 0
        left = 0 if locked_until is not None else MAX_FAILURES - failures
        return PinStatus(bool(self._hash), left, locked_until)

    def _load(self) -> tuple[int, dt.datetime | None]:
        try:
            doc = json.loads(self._path.read_text(encoding="utf-8"))
            failures = int(doc.get("failures", 0))
            until = doc.get("locked_until")
            locked_until = dt.datetime.fromisoformat(until) if until else None
        except FileNotFoundError:
            return 0, None
        except (OSError, ValueError, TypeError, AttributeError):
            # A damaged counter must not open the gate: treat it as a fresh lockout.
            log.error("technician PIN counter unreadable; locking")
            return 0, self._clock.now() + self._lockout
        if locked_until is not None and locked_until <= self._clock.now():
            return 0, None
        return max(0, failures), locked_until

    def _save(self, failures: int, locked_until: dt.datetime | None) -> None:
        doc = {
            "failures": failures,
            "locked_until": None if locked_until is None else locked_until.isoformat(),
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self._path, json.dumps(doc).encode("utf-8"), mode=0o600)
