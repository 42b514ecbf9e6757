"""AssistBridge: remote help (远程帮办) on the kiosk, between QML, the session flow and the
:class:`~remote_assist.client.AssistClient`.

The client calls back on its own thread; the bridge re-posts every callback through a queued
signal, so all work (and every ``flow.set_field(..., by_helper=...)``) happens on the GUI thread,
as a touch would. The bridge forwards the walk-in's form to the helper — snapshots and per-field
changes — and the client masks values until the walk-in consents. It keeps no copy of the answers:
to notice which field changed it remembers a keyed digest per field, with a key drawn per call.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.session.context import AssistRef
from remote_assist.phases import ACTIVE_PHASES, Phase


class _Protocol:
    """`remote_assist.protocol`, imported on first use (it is not needed for the first frame)."""

    def __getattr__(self, name: str) -> object:
        from remote_assist import protocol

        return getattr(protocol, name)


if TYPE_CHECKING:  # the checker sees the module itself; at run time, the lazy stand-in
    from remote_assist import protocol as p
else:
    p = _Protocol()

if TYPE_CHECKING:
    from contracts.sealing import HallPublicKey
    from kiosk.session.flow import SessionFlow
    from remote_assist.client import AssistClient, RequestSigner, Status
    from ui.bridge.settings_bridge import SettingsBridge

log = logging.getLogger(__name__)

MAX_CHAT_LINES = 30
# End reasons after which the walk-in is offered to ask again (the helper went away).
HELPER_GONE = frozenset({"helper_lost", "helper_ended"})
# End reasons the walk-in caused themselves: nothing to tell them.
QUIET_ENDS = frozenset({"walk_in_ended", "session_over"})


class AssistBridge(QObject):
    changed = Signal()
    _status_arrived = Signal(object)
    _message_arrived = Signal(object)
    _media_state_arrived = Signal(str)
    _helper_frame_arrived = Signal()
    helperFrameChanged = Signal()

    def __init__(
        self,
        settings: SettingsBridge,
        *,
        hall_url: str,
        station_id: str,
        on_unavailable: Callable[[], None],
        ice_servers: Sequence[str] = (),
        client_factory: Callable[..., AssistClient] | None = None,
        frame_source: Callable[[], Any] | None = None,
        hold_timeout_s: float = 900.0,
        microphone: str = "",
        speaker: str = "",
        auth_headers: RequestSigner | None = None,
        hall_key: HallPublicKey | None = None,
    ) -> None:
        super().__init__()
        # While a call waits or runs, the session's idle countdown is held (bounded): waiting in
        # the queue or listening to a helper is not walking away.
        self._hold_timeout_s = hold_timeout_s
        self._holding = False
        self.changed.connect(self._sync_hold)
        # The helper's video: the client's thread parks the newest frame here and signals once;
        # frames arriving before the screen took the last one replace it (never a backlog).
        self._frame_lock = threading.Lock()
        self._pending_frame: tuple[int, int, bytes] | None = None
        self._helper_image = QImage()
        self._helper_frames = 0
        self._settings = settings
        self._on_unavailable = on_unavailable
        self._flow: SessionFlow | None = None
        self._unsubscribe: Callable[[], None] = lambda: None
        # The client (asyncio, websockets, requests: ~120 ms to import) is made when the session
        # attaches, just after the first frame, and only when the station can get help at all.
        self._client: AssistClient | None = None
        self._make_client: Callable[[], AssistClient] | None = None
        if auth_headers is not None:  # only an enrolled device can ask the hall for help

            def make() -> AssistClient:
                factory: Callable[..., AssistClient]
                if client_factory is not None:
                    factory = client_factory
                else:
                    from remote_assist.client import AssistClient as default_factory

                    factory = default_factory
                return factory(
                    hall_url,
                    station_id,
                    on_status=self._status_arrived.emit,
                    on_message=self._message_arrived.emit,
                    on_media_state=self._media_state_arrived.emit,
                    ice_servers=ice_servers,
                    frame_source=frame_source,
                    on_remote_frame=self._receive_frame,
                    microphone=microphone,
                    speaker=speaker,
                    auth_headers=auth_headers,
                    hall_key=hall_key,
                )

            self._make_client = make
        self._clear()

    def _clear(self) -> None:
        self._phase = Phase.IDLE
        self._position = 0
        self._helper_name = ""
        self._session_id = ""  # the live call's id at the hall, for the filing's record
        self._end_reason = ""
        self._consent = False
        self._consent_asked = False
        self._submit_asked = False
        self._capture_material = ""
        self._guidance = ""
        self._highlight = ""
        self._chat: list[dict[str, str]] = []
        self._video = ""
        self._drop_helper_picture()
        self._key = secrets.token_bytes(16)
        self._sent_service = ""
        self._digests: dict[str, tuple[bytes, str]] = {}
        self._attachments: dict[str, int] = {}

    def replace_client(self, client: AssistClient) -> None:
        """Use another client (the screenshot tool's offline one); closes the current one."""
        if self._client is not None:
            self._client.close()
        self._client = client
        self.changed.emit()

    def attach(self, flow: SessionFlow) -> None:
        # Queued even when the client calls back on this thread: no re-entrant UI updates. Done
        # here, after the first frame: touching `Qt` builds ~100 Python enums (~15 ms).
        from PySide6.QtCore import Qt

        queued = Qt.ConnectionType.QueuedConnection
        self._status_arrived.connect(self._on_status, queued)
        self._message_arrived.connect(self._on_message, queued)
        self._media_state_arrived.connect(self._on_media_state, queued)
        self._helper_frame_arrived.connect(self._on_helper_frame, queued)
        if self._client is None and self._make_client is not None:
            self._client = self._make_client()
        self._flow = flow
        self._unsubscribe = flow.subscribe(self._on_flow_changed)
        self.changed.emit()  # `available` may have just become true

    def close(self) -> None:
        self._unsubscribe()
        if self._client is not None:
            self._client.close()

    # --- properties -------------------------------------------------------------------------

    def _get_phase(self) -> str:
        return self._phase.value

    def _get_position(self) -> int:
        return self._position

    def _get_helper_name(self) -> str:
        return self._helper_name

    def _get_end_reason(self) -> str:
        return self._end_reason

    def _get_consent(self) -> bool:
        return self._consent

    def _get_consent_asked(self) -> bool:
        return self._consent_asked

    def _get_submit_asked(self) -> bool:
        return self._submit_asked

    def _get_capture_label(self) -> str:
        flow = self._flow
        item = flow.service if flow is not None else None
        if not self._capture_material or item is None:
            return ""
        for m in item.materials:
            if m.id == self._capture_material:
                zh = self._settings.property("language") != "en_US"
                return str(m.name_zh if zh else m.name_en)
        return self._capture_material

    def _get_guidance(self) -> str:
        return self._guidance

    def _get_highlight(self) -> str:
        return self._highlight

    def _get_chat(self) -> list[dict[str, str]]:
        return list(self._chat)

    def _get_video(self) -> str:
        return self._video

    def _get_helper_frame(self) -> int:
        return self._helper_frames

    def _get_available(self) -> bool:
        return self._client is not None

    def _get_active(self) -> bool:
        return self._phase in ACTIVE_PHASES

    def _get_notice(self) -> str:
        """What to tell the walk-in after a call that did not end by their hand ("" if none)."""
        if self._phase == Phase.UNREACHABLE:
            return "unreachable"
        if self._phase == Phase.ENDED and self._end_reason in HELPER_GONE:
            return "helper_left"
        if self._phase == Phase.ENDED and self._end_reason not in QUIET_ENDS:
            return "lost"
        return ""

    phase = Property(str, _get_phase, notify=changed)
    position = Property(int, _get_position, notify=changed)
    helperName = Property(str, _get_helper_name, notify=changed)
    endReason = Property(str, _get_end_reason, notify=changed)
    consent = Property(bool, _get_consent, notify=changed)
    consentAsked = Property(bool, _get_consent_asked, notify=changed)
    submitAsked = Property(bool, _get_submit_asked, notify=changed)
    captureLabel = Property(str, _get_capture_label, notify=changed)
    guidance = Property(str, _get_guidance, notify=changed)
    highlightField = Property(str, _get_highlight, notify=changed)
    chat = Property(list, _get_chat, notify=changed)
    active = Property(bool, _get_active, notify=changed)
    available = Property(bool, _get_available, notify=changed)
    videoState = Property(str, _get_video, notify=changed)
    # Counts the helper's frames shown; 0 = no picture yet. QML asks the "assist" image provider
    # for image://assist/helper/<n>, so each new number fetches the newest frame.
    helperFrame = Property(int, _get_helper_frame, notify=helperFrameChanged)
    notice = Property(str, _get_notice, notify=changed)

    # --- intents from QML -------------------------------------------------------------------

    @Slot()
    def requestHelp(self) -> None:
        flow = self._flow
        if flow is not None:
            flow.touch()
        if self._client is None:
            self._on_unavailable()  # not enrolled: the "not available" notice
            return
        if self._phase in ACTIVE_PHASES:
            return
        self._clear()
        self._phase = Phase.CONNECTING
        service_id = flow.context.service_id if flow is not None else ""
        self._client.request_help(service_id)
        self._send_form(force=True)
        self.changed.emit()

    @Slot()
    def hangUp(self) -> None:
        """Cancel while waiting, or hang up a live call: back to the form, answers intact."""
        if self._client is not None and self._phase in ACTIVE_PHASES:
            self._client.hang_up("walk_in_ended")
        self._clear()
        self.changed.emit()

    @Slot()
    def dismiss(self) -> None:
        """Close a notice (hall unreachable, helper left): continue alone."""
        self._clear()
        self.changed.emit()

    @Slot()
    def grantConsent(self) -> None:
        if self._client is None or self._phase not in ACTIVE_PHASES:
            return
        self._consent, self._consent_asked = True, False
        self._client.grant_consent()
        self._send_form(force=True)  # the helper now sees the values
        self._send_captures()
        self.changed.emit()

    @Slot()
    def declineConsent(self) -> None:
        self._consent_asked = False
        self.changed.emit()

    @Slot()
    def revokeConsent(self) -> None:
        if self._client is None or not self._consent:
            return
        self._consent = False
        # A pending submit proposal or photo request came under the consent just taken back.
        self._submit_asked, self._capture_material = False, ""
        self._client.revoke_consent()
        self.changed.emit()

    @Slot(str)
    def sendChat(self, text: str) -> None:
        text = text.strip()
        if self._client is None or self._phase != Phase.LIVE or not text:
            return
        self._client.send(p.Chat(sender="walk_in", text=text))
        self._add_chat("walk_in", text)

    @Slot()
    def confirmSubmit(self) -> None:
        """The walk-in's own yes to the helper's submit proposal: the only way it submits."""
        flow, client = self._flow, self._client
        self._submit_asked = False
        if flow is None or client is None:
            return
        if flow.state == "filling_form" and not flow.complete_form():
            client.send(p.SubmitDeclined(reason="form_incomplete"))
            self.changed.emit()
            return
        if flow.state == "reviewing":
            flow.confirm()
            client.send(p.SubmitConfirmed(tracking_number=flow.context.tracking_number))
        self.changed.emit()

    @Slot()
    def declineSubmit(self) -> None:
        self._submit_asked = False
        if self._client is not None:
            self._client.send(p.SubmitDeclined(reason="walk_in_declined"))
        self.changed.emit()

    @Slot()
    def takePhoto(self) -> None:
        material, self._capture_material = self._capture_material, ""
        flow = self._flow
        if flow is not None and material and flow.state == "filling_form":
            try:
                flow.open_capture(material)
            except KeyError:
                log.info("assist: capture of unknown material %s ignored", material)
        self.changed.emit()

    @Slot()
    def dismissCapture(self) -> None:
        self._capture_material = ""
        self.changed.emit()

    # --- from the client (GUI thread, via the queued signals) ------------------------------

    @Slot(object)
    def _on_status(self, status: Status) -> None:
        if self._phase == Phase.IDLE and status.phase != Phase.UNREACHABLE:
            return  # a call the walk-in already left (hang-up, wipe)
        self._phase = status.phase
        self._position = status.position
        if status.phase == Phase.LIVE:
            if not self._helper_name:
                self._consent_asked = not self._consent
            self._helper_name = status.helper_name
            self._session_id = status.session_id
        if status.phase in (Phase.ENDED, Phase.UNREACHABLE):
            self._end_reason = status.reason
            self._consent = self._consent_asked = self._submit_asked = False
            self._capture_material = self._guidance = self._highlight = ""
            self._chat.clear()
            if status.reason in QUIET_ENDS:
                self._clear()
        self.changed.emit()

    @Slot(object)
    def _on_message(self, msg: p.Message) -> None:
        if self._phase not in ACTIVE_PHASES:
            return
        if not self._consent and msg.TYPE in p.NEEDS_CONSENT:
            return  # queued before the walk-in revoked: the client let it through, too early
        flow = self._flow
        match msg:
            case p.FieldProposed(name=name, value=value):
                if flow is not None and flow.state == "filling_form":
                    try:
                        # The same intent a touch sends; the flow marks it "filled by helper"
                        # and records which helper, in which call (the filing carries both).
                        helper = AssistRef(self._helper_name, self._session_id)
                        flow.set_field(name, value, by_helper=helper)
                    except KeyError:
                        log.info("assist: proposal for unknown field %s ignored", name)
            case p.HighlightField(name=name):
                self._highlight = name
            case p.Guidance(text=text):
                self._guidance = text
            case p.Chat(text=text):
                self._add_chat("helper", text)
                return
            case p.CaptureRequested(material_id=material):
                self._capture_material = material
            case p.SubmitProposed():
                self._submit_asked = True
            case _:
                pass  # WebRTC signalling: media is not wired on the kiosk yet
        self.changed.emit()

    @Slot(str)
    def _on_media_state(self, state: str) -> None:
        if self._phase not in ACTIVE_PHASES and state != "closed":
            return
        self._video = "" if state == "closed" else state
        if state in ("closed", "failed"):
            self._drop_helper_picture()
        self.changed.emit()

    # --- the helper's video -----------------------------------------------------------------

    def _receive_frame(self, width: int, height: int, rgb: bytes) -> None:
        """On the client's thread: keep only the newest frame; wake the GUI thread once."""
        with self._frame_lock:
            idle = self._pending_frame is None
            self._pending_frame = (width, height, rgb)
        if idle:
            self._helper_frame_arrived.emit()

    @Slot()
    def _on_helper_frame(self) -> None:
        with self._frame_lock:
            frame, self._pending_frame = self._pending_frame, None
        if frame is None or self._phase not in ACTIVE_PHASES:
            return
        width, height, rgb = frame
        # QImage does not own a Python buffer: copy.
        self._helper_image = QImage(
            rgb, width, height, 3 * width, QImage.Format.Format_RGB888
        ).copy()
        self._helper_frames += 1
        self.helperFrameChanged.emit()

    def _drop_helper_picture(self) -> None:
        with self._frame_lock:
            self._pending_frame = None
        self._helper_image = QImage()
        if self._helper_frames:
            self._helper_frames = 0
            self.helperFrameChanged.emit()

    def image_for(self, kind: str) -> QImage:
        """The "assist" image provider's picture: the helper's latest frame."""
        return self._helper_image if kind == "helper" else QImage()

    def _add_chat(self, sender: str, text: str) -> None:
        self._chat.append({"sender": sender, "text": text})
        del self._chat[:-MAX_CHAT_LINES]
        self.changed.emit()

    # --- the form, to the helper ------------------------------------------------------------

    @Slot()  # declared: see session_bridge._on_settings_changed
    def _sync_hold(self) -> None:
        flow = self._flow
        active = self._phase in ACTIVE_PHASES
        if flow is None or active == self._holding:
            return
        self._holding = active
        if active:
            flow.hold_timeout(self._hold_timeout_s)
        else:
            flow.release_timeout()

    def _on_flow_changed(self) -> None:
        flow = self._flow
        if flow is None:
            return
        if flow.state in ("wiping", "idle"):
            # The session's wipe ends the call too; nothing of it survives for the next person.
            if self._client is not None and self._phase in ACTIVE_PHASES:
                self._client.hang_up("session_over")
            if self._phase != Phase.IDLE:
                self._clear()
                self.changed.emit()
            return
        if self._phase in ACTIVE_PHASES:
            self._send_form()
            self._send_captures()

    def _digest(self, value: str) -> bytes:
        return hashlib.blake2b(value.encode(), key=self._key, digest_size=16).digest()

    def _rows(self) -> list[dict[str, str]]:
        flow = self._flow
        item = flow.service if flow is not None else None
        if flow is None or item is None:
            return []
        zh = self._settings.property("language") != "en_US"
        ctx = flow.context
        rows = []
        for f in item.form.fields:
            value = ctx.values.get(f.name, "")
            by = "helper" if f.name in ctx.helper_filled else ("walk_in" if value else "")
            label = f.label_zh if zh else f.label_en
            rows.append({"name": f.name, "label": label, "value": value, "by": by})
        return rows

    def _choices(self) -> dict[str, list[list[str]]]:
        """Each choice field's options as the walk-in sees them: [value, label] pairs."""
        flow = self._flow
        item = flow.service if flow is not None else None
        if item is None:
            return {}
        zh = self._settings.property("language") != "en_US"
        return {
            f.name: [[c.value, c.label_zh if zh else c.label_en] for c in f.choices]
            for f in item.form.fields
            if f.choices
        }

    def _materials(self) -> list[dict[str, str]]:
        flow = self._flow
        item = flow.service if flow is not None else None
        if flow is None or item is None:
            return []
        zh = self._settings.property("language") != "en_US"
        return [
            {
                "id": m.id,
                "label": m.name_zh if zh else m.name_en,
                "captured": "yes" if m.id in flow.context.attachments else "",
            }
            for m in item.captured_materials
        ]

    def _send_form(self, force: bool = False) -> None:
        client, flow = self._client, self._flow
        if client is None or flow is None:
            return
        rows = self._rows()
        service_id = flow.context.service_id
        if force or service_id != self._sent_service:
            item = flow.service
            zh = self._settings.property("language") != "en_US"
            name = (item.name_zh if zh else item.name_en) if item is not None else ""
            client.send(
                p.FormSnapshot(
                    service_id=service_id,
                    service_name=name,
                    masked=False,
                    fields=rows,
                    materials=self._materials(),
                    choices=self._choices(),
                )
            )
            self._sent_service = service_id
            self._digests = {r["name"]: (self._digest(r["value"]), r["by"]) for r in rows}
            return
        for row in rows:
            now = (self._digest(row["value"]), row["by"])
            if self._digests.get(row["name"]) != now:
                self._digests[row["name"]] = now
                client.send(
                    p.FieldChanged(name=row["name"], value=row["value"], by=row["by"], masked=False)
                )

    def _send_captures(self) -> None:
        client, flow = self._client, self._flow
        # A photo is personal: it leaves the kiosk for the helper only with consent.
        if client is None or flow is None or not self._consent:
            return
        for material, image in flow.context.attachments.items():
            if self._attachments.get(material) != id(image):
                self._attachments[material] = id(image)
                client.attach_capture(material, bytes(image))
                self._send_form(force=True)  # the helper sees the material as photographed
