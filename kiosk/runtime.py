"""KioskRuntime: the kiosk's parts built from config, with no Qt — drivers, outbox, sender, hall.

``main.py`` builds one of these and hands it to the UI. Everything here is started and stopped in
one place so tests, the demo and the screenshot tool run the same composition.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.errors import DeviceError
from drivers.health import Health
from kiosk import __version__ as _VERSION
from kiosk.config import KioskConfig
from kiosk.device_identity import DeviceIdentity, load_identity
from kiosk.errors import reason_for
from kiosk.health_history import HealthHistory
from kiosk.net_json import BadDocument
from kiosk.updater import note_software

if TYPE_CHECKING:
    from collections.abc import Sequence

    from contracts.catalog import Catalog
    from contracts.sealing import HallPublicKey
    from contracts.wire import AttachmentRef, Submission
    from kiosk.hall_client import HallClient
    from kiosk.session.flow import Timeouts
    from offline_queue.outbox import Attachment, Outbox

log = logging.getLogger(__name__)


class SharedOutbox:
    """Enqueues through one Outbox connection shared by every thread, one call at a time.

    Not one connection per thread, kept until shutdown: that was bounded only by who calls
    (today the session's four workers), and any short-lived thread that filed would have left
    its connection open for good. Submissions are human-paced; a lock costs nothing here.
    Filings are sealed to the hall's key pinned at enrolment (``hall_key``; None when the station
    is not enrolled: then an enqueue raises :class:`offline_queue.hall_key.HallKeyMissing`).
    """

    def __init__(self, path: Path, station_id: str, hall_key: HallPublicKey | None = None) -> None:
        self._path, self._station_id, self._hall_key = path, station_id, hall_key
        self._box: Outbox | None = None
        self._lock = threading.Lock()

    def _outbox(self) -> Outbox:
        """The connection, opened on first use (callers hold the lock or are single-threaded)."""
        from offline_queue.outbox import Outbox

        if self._box is None:
            self._box = Outbox(self._path, self._station_id, hall_key=self._hall_key, shared=True)
        return self._box

    def enqueue(
        self,
        service_id: str,
        payload: dict[str, Any],
        *,
        attachments: Sequence[Attachment | AttachmentRef] = (),
    ) -> Submission:
        with self._lock:
            return self._outbox().enqueue(service_id, payload, attachments=attachments)

    def close(self) -> None:
        with self._lock:
            box, self._box = self._box, None
        if box is not None:
            box.close()


def _every(n: int, probe: Callable[[], object]) -> Callable[[], object]:
    """A probe that runs on the first call and then on every n-th."""
    calls = 0

    def maybe() -> object:
        nonlocal calls
        calls += 1
        return probe() if calls % n == 1 else None

    return maybe


class HallMonitor:
    """Pings the hall's /healthz in the background so the status bar can say online/offline,
    and asks idle devices for their status (a printer reloaded with paper reports it only when
    asked), so health is current without anyone printing."""

    def __init__(
        self,
        client: HallClient,
        interval_s: float = 15.0,
        device_probes: tuple[Callable[[], object], ...] = (),
    ) -> None:
        self._client, self._interval = client, interval_s
        self._probes = device_probes
        self.online = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hall-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.online = self._client.healthy()
            for probe in self._probes:
                try:
                    probe()
                except (DeviceError, OSError) as exc:
                    # The device's health() already says what is wrong; an offline hall is the
                    # status bar's to show.
                    log.debug("device probe: %s", type(exc).__name__)
                except Exception as exc:
                    # Anything else (a bad document from the hall, a bug) is named, not hidden.
                    log.warning("monitor task failed: %s (%s)", reason_for(exc), type(exc).__name__)
            self._stop.wait(self._interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@dataclass
class Status:
    online: bool
    outbox_depth: int
    last_sync: dt.datetime | None
    devices: dict[str, Health]


STARTING = Health.degraded("DEVICE_STARTING", "starting")


class _Deferred:
    """Stands in for a part built by `KioskRuntime.start()`; using it waits until it exists.

    The flow holds these from the first frame on, but only touches them inside background jobs,
    so a walk-in who taps within the first second simply waits a moment longer for the reader.
    """

    def __init__(self, runtime: KioskRuntime, name: str) -> None:
        self._runtime, self._name = runtime, name
        # Lets a caller on the GUI thread ask "is it there yet?" without waiting for it.
        self.ready = runtime.ready

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._runtime.part(self._name), attr)


class KioskRuntime:
    """The Qt-free parts. `start()` builds devices, outbox and sender; with `start=False` the UI
    calls `start_in_background()` after its first frame, keeping heavy imports (python-escpos,
    sqlite-utils with NumPy, requests) off the path to the attract screen."""

    def __init__(self, config: KioskConfig, *, start: bool = True, start_sender: bool = True):
        self.config = config
        self.state_dir = Path(config.paths.state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # The enrolled device (kiosk.device_identity): reads a small JSON file, no crypto yet.
        self.identity: DeviceIdentity | None = load_identity(self.state_dir)
        self._catalog: Catalog | None = None
        self._started_at = time.monotonic()
        # Device level changes and failure codes shown, for the heartbeat and technicians.
        self.health_history = HealthHistory(self.state_dir / "health-history.jsonl")
        self._catalog_cache_obj: Any = None
        self._knowledge_cache_obj: Any = None
        self._taxonomy_cache_obj: Any = None
        self._policy_cache_obj: Any = None
        self._catalog_lock = threading.Lock()
        self.outbox_path = self.state_dir / "outbox.sqlite3"
        self.ready = threading.Event()
        self.start_error: BaseException | None = None
        self._parts: dict[str, Any] = {}
        self._start_sender = start_sender
        self.reader: Any = _Deferred(self, "reader")
        self.printer: Any = _Deferred(self, "printer")
        self.camera: Any = _Deferred(self, "camera")
        self.speaker: Any = _Deferred(self, "speaker")
        self.queue: Any = _Deferred(self, "queue")
        self.sender: Any = _Deferred(self, "sender")
        # Remote commands from the hall's console (kiosk.remote_commands): they run only while
        # ``in_session()`` says no walk-in is being served (the UI sets it; a runtime without a
        # UI serves nobody) and ``restart_hook`` restarts the application (the UI's to give).
        self.in_session: Callable[[], bool] = lambda: False
        self.restart_hook: Callable[[], None] | None = None
        # The kiosk.toml this runtime's config came from (main.py sets it): what a remote
        # reload_config reads again; None re-applies only what the console set.
        self.config_file: Path | None = None
        self.remote = self._remote_commands()
        self._applying = threading.Lock()
        if start:
            self.start()
            if self.start_error is not None:
                raise self.start_error

    def part(self, name: str, timeout_s: float = 30.0) -> Any:
        if not self.ready.wait(timeout_s):
            raise TimeoutError(f"kiosk parts not started after {timeout_s:.0f} s")
        if self.start_error is not None:
            raise RuntimeError("kiosk parts failed to start") from self.start_error
        return self._parts[name]

    def start(self) -> None:
        """Build and start every part; errors are kept in `start_error` (config mistakes)."""
        from drivers import registry
        from kiosk.hall_client import HallClient
        from offline_queue.sender import Sender

        try:
            devices = self.config.devices
            parts: dict[str, Any] = {}
            parts["reader"] = registry.build_card_reader(
                devices.card_reader.backend, devices.card_reader.options
            )
            parts["printer"] = registry.build_printer(
                devices.printer.backend, devices.printer.options
            )
            parts["camera"] = registry.build_camera(devices.camera.backend, devices.camera.options)
            parts["speaker"] = self._build_speaker()
            hall_key = self._pinned_hall_key()
            parts["queue"] = SharedOutbox(self.outbox_path, self.config.station.id, hall_key)
            hall = HallClient(
                self.config.hall.url,
                self.config.hall.timeout_s,
                # An enrolled terminal signs with its device key; an unenrolled one is refused.
                auth=None if self.identity is None else self.identity.requests_auth(),
            )
            parts["hall"] = hall
            parts["sender"] = Sender(
                self.outbox_path, self.config.station.id, hall, hall_key=hall_key
            )
            check_printer = getattr(parts["printer"], "check_status", None)
            probes = (
                *((check_printer,) if check_printer is not None else ()),
                self.status,  # notes device changes in the health history even with no UI
                _every(4, lambda: self.send_heartbeat(hall)),  # every 60 s
                # With the heartbeat: a version published at the hall reaches the station
                # within one heartbeat (an unchanged one is a 304 per kind).
                _every(4, self.refresh_catalog),
            )
            parts["monitor"] = HallMonitor(hall, device_probes=probes)
            if self._start_sender:
                parts["sender"].start()
                parts["monitor"].start()
            self._parts = parts
        except Exception as exc:
            log.error("kiosk parts failed to start: %s", exc)
            self.start_error = exc
        finally:
            self.ready.set()

    def _build_speaker(self, config: KioskConfig | None = None) -> Any:
        """Care mode's voice at the technician's volume (else the station's)."""
        from drivers import registry
        from kiosk.technician.speech_volume import load_volume

        config = config or self.config
        speaker = registry.build_speaker(
            config.devices.speaker.backend, config.devices.speaker.options
        )
        speaker.volume = load_volume(self.state_dir, config.speech.volume)
        return speaker

    def _pinned_hall_key(self) -> HallPublicKey | None:
        from offline_queue.hall_key import HallKeyMissing, load_pinned

        try:
            return load_pinned(self.state_dir)
        except HallKeyMissing as exc:
            # The station runs (devices, look-ups); filings cannot be sealed until it enrols.
            log.warning("no hall key: %s", exc)
            return None

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.start, name="kiosk-start", daemon=True)
        thread.start()
        return thread

    @property
    def catalog(self) -> Catalog:
        """The service catalog in use: the last good one the hall published (cached in the state
        directory, so it works offline), else the shipped sample. Loaded on first use — the
        attract screen does not need it."""
        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = self._catalog_cache().load().catalog
            return self._catalog

    def _catalog_cache(self) -> Any:
        from kiosk.services.catalog_cache import CatalogCache

        if self._catalog_cache_obj is None:
            self._catalog_cache_obj = CatalogCache(self.state_dir)
        return self._catalog_cache_obj

    def refresh_catalog(self) -> None:
        """Ask the hall for a newer catalog (ETag); a bad one is rejected and the last good one
        stays. The UI swaps it in between sessions. Worker threads only."""
        from kiosk.provision import fetch_content_key

        hall = self.part("hall")
        # A station enrolled before the hall signed its catalog fetches the content key once.
        result = self._catalog_cache().refresh(
            hall.get_catalog,
            fetch_key=lambda: fetch_content_key(self.state_dir, hall.post_content_key),
        )
        if result.code is not None:
            # For the heartbeat's last codes and the technician: the hall sends a bad catalog.
            self.health_history.record_failure(result.code)
        if result.outcome == "rejected":
            log.warning(
                "published catalog rejected (%s): %s",
                result.code or "invalid catalog",
                "; ".join(result.reasons),
            )
        if result.changed:
            log.info("catalog updated to %s", result.current.catalog.version)
            with self._catalog_lock:
                self._catalog = result.current.catalog
        # The knowledge base the hall publishes, on the same schedule (kiosk.knowledge).
        knowledge = self.knowledge_cache().refresh(
            lambda etag: hall.get_published("knowledge", etag),
            fetch_key=lambda: fetch_content_key(self.state_dir, hall.post_content_key),
        )
        if knowledge.code is not None:
            self.health_history.record_failure(knowledge.code)
        # This station's most used services, for the home's 本站常用 (kiosk.services.service_usage).
        from kiosk.services.service_usage import ServiceUsage

        station = self.config.station.id
        ServiceUsage(self.state_dir).refresh(lambda: hall.get_service_usage(station))
        # The demand taxonomy the hall publishes (kiosk.demands): the next walk-in's demand form.
        taxonomy = self.taxonomy_cache().refresh(
            lambda etag: hall.get_published("demand_taxonomy", etag),
            fetch_key=lambda: fetch_content_key(self.state_dir, hall.post_content_key),
        )
        if taxonomy.code is not None:
            self.health_history.record_failure(taxonomy.code)
        # The policies the hall publishes (kiosk.policy_cache): the next walk-in matches on them.
        policies = self.policy_cache().refresh(
            lambda etag: hall.get_published("policies", etag),
            fetch_key=lambda: fetch_content_key(self.state_dir, hall.post_content_key),
        )
        if policies.code is not None:
            self.health_history.record_failure(policies.code)

    def knowledge_cache(self) -> Any:
        """The hall's published Q&A (:class:`kiosk.knowledge.KnowledgeCache`); its
        ``knowledge_base`` is what a consult session searches (the shipped sample until the
        hall has published one)."""
        from kiosk.knowledge import KnowledgeCache

        if self._knowledge_cache_obj is None:
            self._knowledge_cache_obj = KnowledgeCache(self.state_dir)
        return self._knowledge_cache_obj

    def taxonomy_cache(self) -> Any:
        """The demand taxonomy a session suggests categories from
        (:class:`kiosk.demands.TaxonomyCache`): the hall's published, verified version, else the
        shipped sample."""
        from kiosk.demands import TaxonomyCache

        if self._taxonomy_cache_obj is None:
            self._taxonomy_cache_obj = TaxonomyCache(self.state_dir)
        return self._taxonomy_cache_obj

    def policy_cache(self) -> Any:
        """The policies a consult session matches on (:class:`kiosk.policy_cache.PolicyCache`):
        the hall's published, verified set, else the shipped 2,147-policy set."""
        from kiosk.policy_cache import PolicyCache

        if self._policy_cache_obj is None:
            self._policy_cache_obj = PolicyCache(self.state_dir)
        return self._policy_cache_obj

    @property
    def timeouts(self) -> Timeouts:
        from kiosk.session.flow import Timeouts

        t = self.config.timeouts
        return Timeouts(t.idle_s, t.warning_s, t.receipt_s, t.card_read_s)

    def heartbeat(self) -> dict[str, Any]:
        """What the hall's fleet page shows of this station: devices (with the backend each is
        configured with: a simulator on a real station is an alarm there), outbox, version,
        configuration digest, uptime, free space where the outbox lives, and the last trouble
        codes. Nothing personal."""
        from offline_queue.outbox import Outbox

        status = self.status()
        with Outbox(self.outbox_path, self.config.station.id) as box:
            # From the database itself, not the sender's last status: one consistent snapshot.
            depth, oldest = box.depth(), box.oldest_pending_age_s()
        disk = shutil.disk_usage(self.state_dir)
        return {
            "version": _VERSION,
            "station_name": self.config.station.name,
            "uptime_s": round(time.monotonic() - self._started_at, 1),
            "outbox_depth": depth,
            "oldest_pending_s": None if oldest is None else round(oldest, 1),
            "disk_free_bytes": disk.free,
            "disk_free_pct": round(100 * disk.free / disk.total, 1) if disk.total else 0.0,
            "last_error_codes": self.health_history.recent_codes(5),
            "config_version": self._config_version(),
            "devices": {
                name: {"level": h.level.value, "code": h.code, **self._backend_of(name)}
                for name, h in status.devices.items()
            },
        }

    def _config_version(self) -> str:
        """A digest of the effective configuration (the file with what enrolment stored): two
        stations set up alike show the same, a changed setting shows as a new one."""
        return hashlib.sha256(self.config.model_dump_json().encode()).hexdigest()[:12]

    def _backend_of(self, device: str) -> dict[str, str]:
        found = getattr(self.config.devices, device, None)
        backend = getattr(found, "backend", None)
        return {"backend": backend} if isinstance(backend, str) else {}

    def send_heartbeat(self, hall: HallClient) -> None:
        """Report health; take the remote commands the answer carries and run them now if no
        walk-in is being served (else they wait for :meth:`between_sessions`)."""
        code, answer = hall.post_heartbeat_answer(self.config.station.id, self.heartbeat())
        if code not in (200, 204):
            log.warning("heartbeat answered HTTP %d", code)
        if answer is not None:
            self.remote.inbox.receive(answer.get("commands", []))
        if code in (200, 204) and not self.in_session():
            # The console's version pin rides on the same answer, a field of its own; noted
            # between walk-ins only: the root updater it wakes restarts this app (kiosk.updater).
            note_software(self.state_dir, answer)
        self.apply_commands()

    def _remote_commands(self) -> Any:
        from contracts.content_signature import load_pinned
        from kiosk.remote_commands import CommandInbox, RemoteCommands

        inbox = CommandInbox(
            self.state_dir,
            self.config.station.id,
            key=lambda: load_pinned(self.state_dir),
            on_refused=self.health_history.record_failure,
        )
        return RemoteCommands(self, inbox)

    def apply_commands(self) -> int:
        """Run the remote commands waiting, unless a walk-in is being served (then none run);
        how many ran. Blocking (devices, the hall): worker threads only."""
        if self.in_session():
            return 0
        with self._applying:
            ran: int = self.remote.apply_pending()
        return ran

    def between_sessions(self) -> None:
        """A walk-in's session ended (the UI calls this at idle): run what waited, in the
        background (even the look at the queue: it reads a file, never on the GUI thread)."""
        threading.Thread(target=self.apply_commands, name="remote-commands", daemon=True).start()

    def can_restart(self) -> bool:
        return self.restart_hook is not None

    def restart(self) -> None:
        """Ask the application to restart (a remote ``restart`` command, answered first)."""
        if self.restart_hook is not None:
            self.restart_hook()

    def reopen_devices(self, config: KioskConfig, sections: Sequence[str]) -> None:
        """Use ``config`` from now on, with the devices of ``sections`` (``card_reader``,
        ``printer``, ``camera``, ``speaker``) opened anew from it. Each new device is opened
        before any old one is closed: if one fails, this raises and nothing changed."""
        from drivers import registry
        from kiosk.remote_commands import DEVICE_PARTS

        builders: dict[str, Callable[[], Any]] = {
            "card_reader": lambda: registry.build_card_reader(
                config.devices.card_reader.backend, config.devices.card_reader.options
            ),
            "printer": lambda: registry.build_printer(
                config.devices.printer.backend, config.devices.printer.options
            ),
            "camera": lambda: registry.build_camera(
                config.devices.camera.backend, config.devices.camera.options
            ),
            "speaker": lambda: self._build_speaker(config),
        }
        fresh: dict[str, Any] = {}
        try:
            for section in sections:
                fresh[DEVICE_PARTS[section]] = builders[section]()
        except BaseException:
            for device in fresh.values():
                device.close()
            raise
        self.config = config
        if not self._parts:
            return
        for name, device in fresh.items():
            old, self._parts[name] = self._parts[name], device
            try:
                old.close()
            except Exception:
                log.exception("closing the old %s failed", name)
            log.info("%s reopened with backend settings from a remote command", name)

    def fetch_progress(self, tracking_number: str) -> Any:
        """The hall's status document for a receipt (None: the hall does not know it). Raises
        ConnectionError/TimeoutError when the hall cannot be reached and BadDocument when its
        answer is not a usable document (noted in the health history). Worker threads only."""
        try:
            return self.part("hall").get_progress(tracking_number)
        except BadDocument as exc:
            self.health_history.record_failure(exc.code)
            raise

    def outbox_stub(self, tracking_number: str) -> Any:
        """What this station's outbox knows of a filing not yet confirmed by the hall."""
        import datetime as _dt

        from kiosk.progress import OutboxStub
        from offline_queue.outbox import Outbox

        with Outbox(self.outbox_path, self.config.station.id) as box:
            row = box.stub(tracking_number)
        if row is None:
            return None
        return OutboxStub(
            tracking_number=row["tracking_number"],
            service_id=row["service_id"],
            status=row["status"],
            created_at=_dt.datetime.fromisoformat(row["created_at"]),
        )

    def wake_sender(self) -> None:
        if self.ready.is_set() and "sender" in self._parts:
            self._parts["sender"].wake()

    def status(self) -> Status:
        if not self.ready.is_set() or not self._parts:
            names = ("card_reader", "printer", "camera")
            return Status(False, 0, None, dict.fromkeys(names, STARTING))
        p = self._parts
        s = p["sender"].status()
        devices = {
            "card_reader": p["reader"].health(),
            "printer": p["printer"].health(),
            "camera": p["camera"].health(),
        }
        for name, health in devices.items():
            self._note_health(name, health)
        return Status(
            online=p["monitor"].online or s.online,
            outbox_depth=s.depth,
            last_sync=s.last_success_at,
            devices=devices,
        )

    def _note_health(self, name: str, health: Health) -> None:
        # Only a change is written (the status bar polls every second); a driver code that is not
        # a plain upper-case code is a driver bug, not a reason to stop reporting status.
        try:
            self.health_history.record_device(name, health.level.value, health.code)
        except ValueError as exc:
            log.warning("health of %s not recorded: %s", name, exc)

    def close(self) -> None:
        self.ready.wait(30)
        p = self._parts
        if not p:
            return
        p["sender"].stop()
        p["monitor"].stop()
        for name in ("reader", "printer", "camera", "speaker"):
            try:
                p[name].close()
            except Exception:
                log.exception("closing the %s failed", name)
        p["queue"].close()
        p["hall"].close()
