"""Remote commands on the kiosk: what the hall's console asked, checked, queued and run between
walk-ins (:mod:`contracts.remote_commands` says what each side speaks).

Commands arrive in the heartbeat's answer (:meth:`kiosk.runtime.KioskRuntime.send_heartbeat`).
:meth:`CommandInbox.receive` takes each one only if it parses strictly, carries the hall's
signature under the content key this station pinned at enrolment (or fetched, as for content),
names this station and is not past its ``expires_at`` (an expired one is answered ``expired``);
an id seen before — a repeated answer, a replay — is ignored. What passes waits in
``remote_commands.json`` (it survives a restart) until no walk-in is being served:
:meth:`RemoteCommands.apply_pending` runs them only while the runtime says no session is on, so
a command that arrives mid-session waits until that session ends. Each result goes to the hall
at once (``POST .../commands/{id}/result``) and, if the hall cannot be reached, with the next
heartbeat.

What each command does: ``set`` checks the key against the allow-list, builds the whole new
configuration (so a backend the kiosk does not know or a value out of range is refused with the
configuration's own reason), opens the affected device with it and only then keeps the value
(``remote_settings.json``, :mod:`kiosk.station_file`) and swaps the device in; ``reload_config``
reads ``kiosk.toml`` again (:func:`reread_config`) and re-opens every device; ``self_test``
reports each device's health and the hall link; ``upload_diagnostics`` sends a technician
bundle; ``restart`` answers first, then asks the application to restart; ``technician_code`` and
``set_fallback_pin`` keep what :mod:`kiosk.technician.codes` needs. Failure codes for the
technician and the heartbeat: ``REMOTE_COMMAND_BAD_SIGNATURE``, ``REMOTE_COMMAND_WRONG_STATION``,
``REMOTE_COMMAND_EXPIRED``, ``REMOTE_COMMAND_KEY_MISSING``, ``REMOTE_COMMAND_INVALID``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from contracts.clock import SYSTEM_CLOCK, Clock
from contracts.content_signature import ContentPublicKey
from contracts.remote_commands import CommandResult, SignedCommand, set_problem, signature_ok
from offline_queue.durable import atomic_write

log = logging.getLogger(__name__)

INBOX_FILE: Final = "remote_commands.json"
_SEEN_KEPT: Final = 500  # ids remembered against replays (commands live minutes to days)
MAX_PER_ANSWER: Final = 20

BAD_SIGNATURE: Final = "REMOTE_COMMAND_BAD_SIGNATURE"
WRONG_STATION: Final = "REMOTE_COMMAND_WRONG_STATION"
EXPIRED: Final = "REMOTE_COMMAND_EXPIRED"
KEY_MISSING: Final = "REMOTE_COMMAND_KEY_MISSING"
INVALID: Final = "REMOTE_COMMAND_INVALID"

# Configuration section of a device -> the runtime's part for it.
DEVICE_PARTS: Final = {
    "card_reader": "reader",
    "printer": "printer",
    "camera": "camera",
    "speaker": "speaker",
}


# Kept as running on a reload: what the station's identity and its start fixed (the enrolment's
# station and hall, the state folder, the technician PIN a demo passes on the command line).
KEPT_ON_RELOAD: Final = ("station", "hall", "paths", "technician")


def put(data: dict[str, Any], dotted: str, value: object) -> None:
    """Set ``a.b.c`` in a nested configuration mapping."""
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def reread_config(path: Path | None, running: Any) -> Any:
    """The configuration again: ``kiosk.toml`` at ``path`` (None: the running one) with what
    enrolment and the console stored (:func:`kiosk.station_file.provisioned_overrides`), the
    :data:`KEPT_ON_RELOAD` sections as running. :class:`kiosk.config.ConfigError` says why not."""
    import tomllib

    from kiosk.config import ConfigError, parse_config
    from kiosk.station_file import provisioned_overrides, remote_settings

    current = running.model_dump(mode="json")
    if path is None:
        data, stored = current, remote_settings(running.paths.state_dir)
    else:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        stored = provisioned_overrides(running.paths.state_dir)
    for key, value in stored.items():
        put(data, key, value)
    for section in KEPT_ON_RELOAD:
        data[section] = current[section]
    return parse_config(data)


class CommandInbox:
    """``<state>/remote_commands.json``: ids seen, commands waiting, results not yet sent."""

    def __init__(
        self,
        state_dir: Path,
        station_id: str,
        key: Callable[[], ContentPublicKey | None],
        clock: Clock = SYSTEM_CLOCK,
        on_refused: Callable[[str], None] = lambda code: None,
    ) -> None:
        self.path = Path(state_dir) / INBOX_FILE
        self._station, self._key, self.clock = station_id, key, clock
        self._on_refused = on_refused
        self._lock = threading.Lock()

    def receive(self, docs: object) -> list[str]:
        """Check the commands of one heartbeat answer; returns the ids now waiting."""
        if not isinstance(docs, list):
            self._on_refused(INVALID)
            return []
        taken: list[str] = []
        with self._lock:
            state = self._load()
            for doc in docs[:MAX_PER_ANSWER]:
                command = self._check(doc, state)
                if command is not None:
                    state["pending"].append(command.model_dump(mode="json"))
                    taken.append(command.id)
            self._save(state)
        return taken

    def _check(self, doc: object, state: dict[str, Any]) -> SignedCommand | None:
        try:
            command = SignedCommand.model_validate(doc)
        except ValidationError:
            log.warning("remote command refused: not a well-formed command")
            self._on_refused(INVALID)
            return None
        if command.id in state["seen"]:
            log.info("remote command %s already seen: ignored", command.id)
            return None
        key = self._key()
        if key is None:
            # Not marked seen: the hall sends it again once this station has a key.
            log.warning("remote command %s: no content key pinned", command.id)
            self._on_refused(KEY_MISSING)
            return None
        if not signature_ok(key, command):
            # Not marked seen either: its id is not the hall's word, so it may not block one.
            log.warning("remote command %s refused: bad signature", command.id)
            self._on_refused(BAD_SIGNATURE)
            return None
        state["seen"] = [*state["seen"], command.id][-_SEEN_KEPT:]
        if command.station_id != self._station:
            log.warning("remote command %s refused: for station %s", command.id, command.station_id)
            self._on_refused(WRONG_STATION)
            self._result(state, command.id, "failed", f"{WRONG_STATION}: not for this station")
            return None
        if self.expired(command):
            log.warning("remote command %s dropped: expired at %s", command.id, command.expires_at)
            self._on_refused(EXPIRED)
            self._result(state, command.id, "expired", f"{EXPIRED}: {command.expires_at}")
            return None
        log.info(
            "remote command %s (%s) from %s queued", command.id, command.kind, command.issued_by
        )
        return command

    def expired(self, command: SignedCommand) -> bool:
        try:
            until = dt.datetime.fromisoformat(command.expires_at)
        except ValueError:
            return True
        if until.tzinfo is None:
            return True
        return until <= self.clock.now()

    def pending(self) -> list[SignedCommand]:
        with self._lock:
            return [SignedCommand.model_validate(d) for d in self._load()["pending"]]

    def finish(self, command_id: str, status: str, detail: str) -> None:
        """Take a command off the queue with its result (to be sent)."""
        with self._lock:
            state = self._load()
            state["pending"] = [d for d in state["pending"] if d["id"] != command_id]
            self._result(state, command_id, status, detail)
            self._save(state)

    def unsent(self) -> list[tuple[str, CommandResult]]:
        with self._lock:
            results = self._load()["results"]
        return [(cid, CommandResult.model_validate(r)) for cid, r in results.items()]

    def sent(self, command_id: str) -> None:
        with self._lock:
            state = self._load()
            state["results"].pop(command_id, None)
            self._save(state)

    @staticmethod
    def _result(state: dict[str, Any], command_id: str, status: str, detail: str) -> None:
        state["results"][command_id] = {"status": status, "detail": detail[:300]}

    def _load(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            return {
                "seen": list(doc["seen"]),
                "pending": list(doc["pending"]),
                "results": dict(doc["results"]),
            }
        except FileNotFoundError:
            return {"seen": [], "pending": [], "results": {}}
        except (OSError, ValueError, KeyError, TypeError):
            log.error("%s unreadable: starting an empty command queue", self.path.name)
            return {"seen": [], "pending": [], "results": {}}

    def _save(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(state).encode("utf-8"), mode=0o600)


class RemoteCommands:
    """Runs the inbox's commands over a :class:`kiosk.runtime.KioskRuntime` (duck-typed:
    ``config``, ``state_dir``, ``status()``, ``part()``, ``reopen_devices()``, ``in_session``,
    ``restart``)."""

    def __init__(self, runtime: Any, inbox: CommandInbox) -> None:
        self.runtime, self.inbox = runtime, inbox
        self._run_lock = threading.Lock()

    def apply_pending(self) -> int:
        """Run the waiting commands while no walk-in is served; returns how many ran."""
        ran = 0
        with self._run_lock:
            for command in self.inbox.pending():
                if self.runtime.in_session():
                    log.info("a walk-in is being served: remote commands wait until the end")
                    break
                if self.inbox.expired(command):
                    self.inbox.finish(command.id, "expired", f"{EXPIRED}: {command.expires_at}")
                    continue
                status, detail = self._run(command)
                log.info("remote command %s (%s): %s", command.id, command.kind, status)
                self.inbox.finish(command.id, status, detail)
                ran += 1
                if command.kind == "restart" and status == "done":
                    self.send_results()
                    self.runtime.restart()
                    break
        self.send_results()
        return ran

    def send_results(self) -> None:
        """Report every result not yet reported; what cannot go now goes next time."""
        try:
            hall = self.runtime.part("hall", timeout_s=1.0)
        except (TimeoutError, RuntimeError):
            return
        for command_id, result in self.inbox.unsent():
            try:
                code = hall.post_command_result(
                    self.runtime.config.station.id, command_id, result.model_dump()
                )
            except (ConnectionError, TimeoutError) as exc:
                log.info("command result not sent now: %s", type(exc).__name__)
                return
            if code in (200, 404, 422):  # kept, or the hall will never take it
                self.inbox.sent(command_id)

    def _run(self, command: SignedCommand) -> tuple[str, str]:
        handler: Callable[[SignedCommand], tuple[str, str]] = getattr(self, f"_do_{command.kind}")
        try:
            return handler(command)
        except Exception as exc:  # a command must answer, whatever went wrong
            log.exception("remote command %s failed", command.id)
            return "failed", f"{type(exc).__name__}"

    # -- the commands ----------------------------------------------------------------------------
    def _do_set(self, command: SignedCommand) -> tuple[str, str]:
        from kiosk.config import ConfigError, parse_config
        from kiosk.station_file import save_remote_setting

        args = dict(command.args)
        problem = set_problem(args)
        if problem is not None:
            return "failed", str(problem)
        key, value = args["key"], args["value"]
        data = self.runtime.config.model_dump(mode="json")
        put(data, key, value)
        try:
            config = parse_config(data)
        except ConfigError as exc:
            return "failed", " ".join(str(exc).split())
        parents = key.split(".")
        section = parents[1] if parents[0] == "devices" else None
        try:
            self.runtime.reopen_devices(config, [section] if section else [])
        except Exception as exc:  # the old device stays; the value is not kept
            return "failed", f"{key}: the device did not open: {type(exc).__name__}"
        save_remote_setting(self.runtime.state_dir, key, value)
        shown = json.dumps(value, ensure_ascii=False)[:120]
        if section:
            return "done", f"{key} = {shown}; {section} reopened"
        return "done", f"{key} = {shown}; kept (applies to the next session or restart)"

    def _do_reload_config(self, command: SignedCommand) -> tuple[str, str]:
        from kiosk.config import ConfigError

        source: Path | None = self.runtime.config_file
        try:
            config = reread_config(source, self.runtime.config)
        except ConfigError as exc:
            return "failed", " ".join(str(exc).split())
        self.runtime.reopen_devices(config, list(DEVICE_PARTS))
        where = source.name if source is not None else "the values kept from set commands"
        return "done", f"configuration reloaded from {where}; devices reopened"

    def _do_self_test(self, command: SignedCommand) -> tuple[str, str]:
        devices = self.runtime.status().devices
        words = [
            f"{name}={h.level.value}" + (f"/{h.code}" if h.code else "")
            for name, h in sorted(devices.items())
        ]
        hall_ok = bool(self.runtime.part("hall").healthy())
        words.append(f"hall={'ok' if hall_ok else 'down'}")
        fine = hall_ok and all(h.level.value == "ok" for h in devices.values())
        return ("done" if fine else "failed"), " ".join(words)

    def _do_upload_diagnostics(self, command: SignedCommand) -> tuple[str, str]:
        from kiosk.technician.service import TechnicianService

        # Between walk-ins: no session's values to scrub beyond the usual rules. The station's
        # technician audit names who asked at the hall.
        service = TechnicianService(self.runtime)
        service.who = command.issued_by
        code = service.upload()
        service.ship_audit()  # what cannot go now goes with the next technician action
        return ("failed", code) if code else ("done", "diagnostics bundle uploaded")

    def _do_restart(self, command: SignedCommand) -> tuple[str, str]:
        if not self.runtime.can_restart():
            return "failed", "this kiosk process cannot restart itself (no application)"
        return "done", "restarting the kiosk application"

    def _do_technician_code(self, command: SignedCommand) -> tuple[str, str]:
        from kiosk.technician.codes import TechnicianCodes
        from kiosk.technician.service import technician_dir

        name, verifier = command.args.get("technician"), command.args.get("verifier")
        if not isinstance(name, str) or not isinstance(verifier, str):
            return "failed", "a technician code needs 'technician' and 'verifier'"
        codes = TechnicianCodes(technician_dir(self.runtime.state_dir), self.inbox.clock)
        codes.add(command.id, name, verifier, command.expires_at)
        return "done", f"code for {name} until {command.expires_at}"

    def _do_set_fallback_pin(self, command: SignedCommand) -> tuple[str, str]:
        from kiosk.technician.codes import save_fallback_pin
        from kiosk.technician.service import technician_dir

        pin_hash = str(command.args.get("pin_hash", ""))
        save_fallback_pin(technician_dir(self.runtime.state_dir), pin_hash)
        return "done", "fallback PIN rotated"
