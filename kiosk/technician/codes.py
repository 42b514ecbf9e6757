"""One-time technician codes and the rotated fallback PIN, as the hall sent them.

A technician asks the hall's console for a code for this station (:mod:`hall.technicians`); the
hall sends this station alone, in a signed remote command (:mod:`kiosk.remote_commands`), the
technician's name, an argon2 verifier of the code (never the code) and until when it holds.
:meth:`TechnicianCodes.redeem` accepts a code once, before then, and says whose it is, so the
technician audit names them. A code that opened the mode is spent, here and for good (its id is
kept); a code for another station never arrives here at all.

The **fallback PIN** works with no hall at all: the argon2 hash in ``[technician] pin_hash``,
or the newer one a supervisor sent (``set_fallback_pin``), kept in ``fallback_pin.json`` beside
the codes and preferred by :class:`kiosk.technician.pin.PinGate`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path
from typing import Any

from contracts.clock import SYSTEM_CLOCK, Clock
from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

CODES_FILE = "codes.json"
FALLBACK_PIN_FILE = "fallback_pin.json"
_USED_KEPT = 200  # ids of spent codes remembered (a code lives 30 minutes)


class TechnicianCodes:
    """``<state>/technician/codes.json``: the codes the hall sent and the ids already spent."""

    def __init__(self, folder: Path, clock: Clock = SYSTEM_CLOCK) -> None:
        self.path = Path(folder) / CODES_FILE
        self._clock = clock
        self._lock = threading.Lock()

    def add(self, code_id: str, technician: str, verifier: str, expires_at: str) -> None:
        """Keep a code the hall sent (its verifier only); a spent or known id is ignored."""
        if not verifier.startswith("$argon2"):
            raise ValueError("a technician code's verifier must be an argon2 hash")
        with self._lock:
            doc = self._load()
            if code_id in doc["used"] or any(c["id"] == code_id for c in doc["codes"]):
                return
            doc["codes"].append(
                {"id": code_id, "technician": technician, "verifier": verifier,
                 "expires_at": expires_at}
            )  # fmt: skip
            self._save(doc)
        log.info("technician code %s for %s kept until %s", code_id, technician, expires_at)

    def active(self) -> int:
        """How many codes could open the mode now."""
        with self._lock:
            return len(self._live(self._load()))

    def redeem(self, code: str) -> tuple[str, str] | None:
        """``(technician, code id)`` when ``code`` matches a live code (which is then spent);
        None otherwise. Slow on purpose (argon2); run off the GUI thread."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        hasher = PasswordHasher()
        with self._lock:
            doc = self._load()
            for entry in self._live(doc):
                try:
                    hasher.verify(entry["verifier"], code)
                except VerifyMismatchError:
                    continue
                except (VerificationError, InvalidHashError):
                    log.error("technician code %s has an unusable verifier", entry["id"])
                    continue
                doc["codes"] = [c for c in doc["codes"] if c["id"] != entry["id"]]
                doc["used"] = [*doc["used"], entry["id"]][-_USED_KEPT:]
                self._save(doc)
                log.info("technician code %s redeemed by %s", entry["id"], entry["technician"])
                return str(entry["technician"]), str(entry["id"])
        return None

    def _live(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        now = self._clock.now()
        return [c for c in doc["codes"] if dt.datetime.fromisoformat(c["expires_at"]) > now]

    def _load(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            return {"codes": list(doc["codes"]), "used": list(doc["used"])}
        except FileNotFoundError:
            return {"codes": [], "used": []}
        except (OSError, ValueError, KeyError, TypeError):
            log.error("%s unreadable: no technician code holds until the hall sends one", self.path)
            return {"codes": [], "used": []}

    def _save(self, doc: dict[str, Any]) -> None:
        now = self._clock.now()
        doc["codes"] = [c for c in doc["codes"] if dt.datetime.fromisoformat(c["expires_at"]) > now]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(doc).encode("utf-8"), mode=0o600)


def save_fallback_pin(folder: Path, pin_hash: str) -> None:
    """Keep the fallback PIN's new hash (a signed command from the hall)."""
    if not pin_hash.startswith("$argon2"):
        raise ValueError("the fallback PIN must come as an argon2 hash")
    Path(folder).mkdir(parents=True, exist_ok=True)
    doc = json.dumps({"pin_hash": pin_hash}).encode("utf-8")
    atomic_write(Path(folder) / FALLBACK_PIN_FILE, doc, mode=0o600)
    log.info("technician fallback PIN rotated")


def load_fallback_pin(folder: Path) -> str | None:
    """The rotated fallback PIN's hash; None when the hall never rotated it."""
    try:
        found = json.loads((Path(folder) / FALLBACK_PIN_FILE).read_text(encoding="utf-8"))
        value = found["pin_hash"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.error("%s unreadable; the configured PIN holds", FALLBACK_PIN_FILE)
        return None
    return value if isinstance(value, str) and value.startswith("$argon2") else None
