"""TechnicianService: every technician action, audited, over the kiosk's real parts.

The UI bridge calls these from background jobs (they block on devices, disks and the network)
and shows what they return. Each public action appends one audit entry (who — the technician
whose one-time code opened the mode, else "technician" for the fallback PIN — what, when,
outcome) before it returns, and then tries to ship unsent entries to the hall
(``POST /api/v1/stations/{id}/technician-audit``, idempotent by sequence number); entries that
cannot be sent now go with the next action or the next diagnostics upload.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from contracts.clock import SYSTEM_CLOCK, Clock
from kiosk import __version__ as KIOSK_VERSION
from kiosk.device_identity import keys_dir
from kiosk.device_key_store import key_protection
from kiosk.technician.audit import WHO, AuditLog
from kiosk.technician.codes import TechnicianCodes, load_fallback_pin
from kiosk.technician.pin import PinGate, PinResult, PinStatus

log = logging.getLogger(__name__)

# The app exits with this code to be started again: the unit has Restart=always, so any exit
# restarts it; a distinct code says in the journal that a technician asked for it.
RESTART_EXIT_CODE = 75
CARD_TEST_TIMEOUT_S = 20.0
PACKAGES = (
    "PySide6", "pydantic", "python-escpos", "pyscard", "pyserial", "opencv-python-headless",
    "sqlite-utils", "cryptography", "requests", "argon2-cffi", "aiortc", "python-statemachine",
)  # fmt: skip


def technician_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "technician"


class TechnicianService:
    """Built from a KioskRuntime (duck-typed: config, status(), reader, printer, outbox_path,
    part("hall"), wake_sender(), and ``health_history`` when the runtime has one)."""

    def __init__(
        self,
        runtime: Any,
        *,
        clock: Clock = SYSTEM_CLOCK,
        recent_logs: Callable[[], list[str]] | None = None,
        session_values: Callable[[], Iterable[str]] = lambda: (),
    ) -> None:
        cfg = runtime.config
        self.runtime, self.config, self._clock = runtime, cfg, clock
        folder = technician_dir(runtime.state_dir)
        self.pin = PinGate(
            folder / "pin_state.json",
            cfg.technician.pin_hash,
            lockout=dt.timedelta(minutes=cfg.technician.lockout_minutes),
            clock=clock,
            rotated=lambda: load_fallback_pin(folder),
        )
        # One-time codes the hall sent for named technicians (kiosk.technician.codes).
        self.codes = TechnicianCodes(folder, clock)
        self.audit = AuditLog(folder / "audit.jsonl", clock)
        self.who = WHO  # whose hands: a technician's name once their code opened the mode
        if recent_logs is None:
            from kiosk.technician.log_buffer import install_log_buffer

            recent_logs = install_log_buffer().lines
        self._recent_logs = recent_logs
        self._session_values = session_values

    # -- entry -------------------------------------------------------------------------------
    def pin_status(self) -> PinStatus:
        return self.pin.status()

    def enter(self, pin: str) -> PinResult:
        """A technician's one-time code (their name goes into the audit) or the fallback PIN.
        Wrong entries of either count towards the same lockout, and a locked gate takes
        neither."""
        status = self.pin.status()
        if status.locked_until is None:
            found = self.codes.redeem(pin)
            if found is not None:
                self.who, code_id = found
                self.pin.reset()
                self._audit("enter", "ok", f"code:{code_id}")
                return PinResult(True, "", self.pin.status())
        self.who = WHO
        result = self.pin.check(pin)
        if result.ok:
            self._audit("enter", "ok")
        elif result.code == "TECH_PIN_LOCKED":
            self._audit("enter", "locked_out", result.code)
        else:
            self._audit("enter", "refused", result.code)
        return result

    def leave(self, why: str = "exit") -> None:
        self._audit("leave", "ok", why)
        self.who = WHO

    # -- health ------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """Devices now, online, outbox depth, last sync, how the device key is kept (``tpm-sealed``,
        ``file`` or ``none``); and the history when there is one."""
        status = self.runtime.status()
        history = getattr(self.runtime, "health_history", None)
        return {
            "device_key": key_protection(keys_dir(self.runtime.state_dir)).value,
            "online": bool(status.online),
            "outbox_depth": int(status.outbox_depth),
            "last_sync": status.last_sync.isoformat(timespec="seconds")
            if status.last_sync
            else None,
            "devices": {
                name: {"level": h.level.value, "code": h.code}
                for name, h in self._devices(status.devices).items()
            },
            "history": list(history.entries()) if history is not None else [],
        }

    def _devices(self, devices: dict[str, Any]) -> dict[str, Any]:
        """The runtime's devices and, where the station speaks, the voice (muted or not)."""
        from kiosk.speech_script import speaker_health

        out = dict(devices)
        speaker = getattr(self.runtime, "speaker", None)
        if speaker is not None:
            voice = speaker_health(speaker.health(), speaker.volume, self.config.speech.enabled)
            if voice is not None:
                out["speaker"] = voice
        return out

    # -- device tests ------------------------------------------------------------------------
    def print_test(self) -> Any:
        from kiosk.technician.device_tests import printer_test

        now = self._clock.now().astimezone()
        result = printer_test(self.runtime.printer, self.config.station.name, KIOSK_VERSION, now)
        self._audit("test_print", "ok" if result.ok else "failed", result.code)
        return result

    def card_test(self, timeout_s: float = CARD_TEST_TIMEOUT_S) -> Any:
        from kiosk.technician.device_tests import card_test

        result = card_test(self.runtime.reader, timeout_s)
        self._audit("test_card", "ok" if result.ok else "failed", result.code or result.card_type)
        return result

    def camera_opened(self) -> None:
        self._audit("test_camera", "started")

    def camera_closed(self, code: str = "") -> None:
        self._audit("test_camera", "failed" if code else "ok", code)

    def network_test(self) -> Any:
        from kiosk.technician.device_tests import network_test

        hall = self.runtime.part("hall")
        result = network_test(self.config.hall.url, self.config.hall.timeout_s, hall.healthy)
        self._audit("test_network", "ok" if result.ok else "failed", result.code)
        return result

    # -- outbox ------------------------------------------------------------------------------
    def outbox(self) -> dict[str, Any]:
        from kiosk.technician.outbox_view import outbox_view

        view = outbox_view(self.runtime.outbox_path)
        self._audit("outbox_view", "ok", f"quarantined={len(view['quarantined'])}")
        return view

    def retry(self, sub_id: str) -> bool:
        from kiosk.technician.outbox_view import retry_quarantined

        try:
            retry_quarantined(self.runtime.outbox_path, self.config.station.id, sub_id)
        except KeyError:
            self._audit("outbox_retry", "failed", sub_id[:64])
            return False
        self._audit("outbox_retry", "ok", sub_id[:64])
        self.runtime.wake_sender()
        return True

    # -- diagnostics -------------------------------------------------------------------------
    def bundle(self) -> tuple[str, bytes]:
        """(file name, zip bytes) of a fresh diagnostics bundle; see diagnostics.py."""
        from kiosk.technician import diagnostics as d
        from kiosk.technician.outbox_view import outbox_view

        now = self._clock.now()
        history = getattr(self.runtime, "health_history", None)
        health = self.health()
        sender = getattr(self.runtime, "_parts", {}).get("sender")
        sender_status = sender.status() if sender is not None else None
        recent = list(history.recent_codes(50)) if history is not None else []
        inputs = d.BundleInputs(
            station_id=self.config.station.id,
            created_at=now,
            versions={
                "kiosk": KIOSK_VERSION,
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "sqlite": __import__("sqlite3").sqlite_version,
                "packages": d.package_versions(PACKAGES),
            },
            config=self.config.model_dump(mode="json"),
            health={k: v for k, v in health.items() if k != "history"},
            history=health["history"],
            failure_codes={
                "devices": {n: h["code"] for n, h in health["devices"].items() if h["code"]},
                "recent": recent,
                "sender_last_error": None
                if sender_status is None
                else sender_status.last_error_code,
            },
            outbox=outbox_view(self.runtime.outbox_path),
            audit=self.audit.entries(),
            logs=self._recent_logs(),
            known_values=[str(v) for v in self._session_values()],
        )
        return d.bundle_name(self.config.station.id, now), d.build_bundle(inputs)

    def export(self) -> str:
        """Write a bundle to the configured USB folder; returns the file name. Raises
        ExportError (code TECH_EXPORT_NO_DIR / TECH_EXPORT_FAILED)."""
        from kiosk.technician.diagnostics import ExportError, export_bundle

        try:
            name, data = self.bundle()
            path = export_bundle(data, self.config.technician.export_dir, name)
        except ExportError as exc:
            self._audit("diagnostics_export", "failed", exc.code)
            raise
        self._audit("diagnostics_export", "ok", path.name)
        return path.name

    def upload(self) -> str:
        """Send a bundle to the hall; returns "" when it arrived, else a failure code."""
        name, data = self.bundle()
        code = self._post(lambda hall: hall.post_diagnostics(self.config.station.id, data))
        self._audit("diagnostics_upload", "failed" if code else "ok", code or name)
        return code

    # -- restart -----------------------------------------------------------------------------
    def restart_requested(self) -> int:
        self._audit("restart", "ok")
        return RESTART_EXIT_CODE

    # -- audit shipping ----------------------------------------------------------------------
    def ship_audit(self) -> str:
        """Send unsent audit entries to the hall; "" when all arrived, else a failure code."""
        entries = self.audit.unsent()
        if not entries:
            return ""
        code = self._post(lambda hall: hall.post_technician_audit(self.config.station.id, entries))
        if not code:
            self.audit.mark_sent(max(int(e["seq"]) for e in entries))
        return code

    def _post(self, send: Callable[[Any], int]) -> str:
        try:
            status = send(self.runtime.part("hall"))
        except TimeoutError:
            return "NETWORK_TIMEOUT"
        except (ConnectionError, OSError, RuntimeError):
            return "NETWORK_UNREACHABLE"
        return "" if status in (200, 201) else f"HTTP_{status}"

    def _audit(self, action: str, outcome: str, detail: str = "") -> None:
        self.audit.record(action, outcome, detail, who=self.who)


def result_dict(result: Any) -> dict[str, Any]:
    """A device test result as a plain dict (for the bridge)."""
    return asdict(result)


def session_personal_values(context: Any) -> list[str]:
    """Every personal value a live SessionContext holds (to scrub from a bundle made meanwhile)."""
    if context is None:
        return []
    values = [str(v) for v in getattr(context, "values", {}).values()]
    identity = getattr(context, "identity", None)
    if identity is not None:
        for name in ("name", "id_number", "english_name", "address", "pass_number", "card_number"):
            values.append(str(getattr(identity, name, "") or ""))
    consult = getattr(context, "consult", None)
    if consult is not None:
        values.append(str(getattr(consult, "query", "") or ""))
        values += [str(v) for v in getattr(consult, "profile", {}).values()]
    delivery = getattr(context, "delivery", None)  # the EMS address being typed at review
    if delivery is not None:
        values += [str(getattr(delivery, k, "") or "") for k in ("street", "recipient", "mobile")]
    return [v for v in values if v]
