"""SpeechBridge: care mode reads the screen aloud (关怀版朗读), hooked to the session from outside.

It listens to the session bridge (a new screen, the error and banner texts, the countdown), the
settings (care mode on or off, the language) and the other bridges' error signals, and turns what
they show into sentences from kiosk.speech_script — never the walk-in's own data. Everything said
in one turn of the event loop is joined into one utterance and spoken at the end of it (a new
utterance cuts the one before, so the screen's title and its error must go out together). The
speaker's `say` only hands the text to its own thread or process: nothing here waits for audio.

In care mode it speaks by itself; otherwise only when the walk-in taps 朗读 (the screen as it is
now). 重听 repeats the last utterance (on the receipt: the tracking number). A station with
`[speech] enabled = false` never speaks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, QTimer, Signal, SignalInstance, Slot

from kiosk import speech_script as script
from kiosk.speech_script import PrivacyGuard, ReaderKind, SpeechLanguage
from ui.bridge.failures import failure_text

if TYPE_CHECKING:
    from drivers.health import Health
    from drivers.speech.base import Speaker
    from ui.bridge.session_bridge import SessionBridge
    from ui.bridge.settings_bridge import SettingsBridge

log = logging.getLogger(__name__)
REFUSED_CODE = "SPEECH_REFUSED_PERSONAL"
VOLUME_STEP = 10
_MARKED_FIELDS_SCREENS = frozenset({"Form", "Review", "Delivery"})

# Another bridge's error to read out: (its property, how to read it). "code": a failure code
# (words from failure_text); "count": fields marked in red.
Watch = tuple[QObject, SignalInstance, str, str]


class SpeechBridge(QObject):
    changed = Signal()

    def __init__(
        self,
        settings: SettingsBridge,
        session: SessionBridge,
        reader_kind: ReaderKind = "id_card",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings, self._session, self._reader = settings, session, reader_kind
        self._speaker_source: Callable[[], Speaker | None] = lambda: None
        self._enabled = False
        self._state_dir: Path | None = None
        self._on_refused: Callable[[str], None] = lambda code: None
        self.guard = PrivacyGuard()
        self._pending: list[str] = []
        self._last = ""
        self._shown: dict[str, str] = {}  # what each error source shows now: only news is read
        self._care = settings.care_mode
        self._language = settings.current_language
        self._watches: list[Watch] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._speak_pending)
        session.screenChanged.connect(self._on_screen)
        session.changed.connect(self._on_session_changed)
        settings.changed.connect(self._on_settings_changed)

    def attach(
        self,
        speaker_source: Callable[[], Speaker | None],
        *,
        enabled: bool,
        state_dir: Path | None = None,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        """The speaker (None until the runtime has built it), the station's switch, where the
        technician's volume is kept, and who hears of a refused utterance (the code only)."""
        self._speaker_source, self._enabled, self._state_dir = speaker_source, enabled, state_dir
        if on_refused is not None:
            self._on_refused = on_refused
        self.changed.emit()

    def watch(self, bridge: QObject, changed: SignalInstance, prop: str, kind: str) -> None:
        """Read out another bridge's error (`kind` "code" or "count") whenever it is new."""
        self._watches.append((bridge, changed, prop, kind))
        changed.connect(self._on_session_changed)

    # -- what QML sees -------------------------------------------------------------------------
    def _get_available(self) -> bool:
        return self._enabled

    def _get_volume(self) -> int:
        speaker = self._speaker_source()
        return speaker.volume if speaker is not None else 0

    def _get_refused(self) -> int:
        return self.guard.refused

    def health(self) -> Health | None:
        """The voice for the status bar: None when speech is off at this station (or the speaker
        is not built yet), else the speaker's health, degraded SPEECH_MUTED at volume 0."""
        speaker = self._speaker_source()
        if speaker is None:
            return None
        return script.speaker_health(speaker.health(), speaker.volume, self._enabled)

    available = Property(bool, _get_available, notify=changed)
    volume = Property(int, _get_volume, notify=changed)
    refused = Property(int, _get_refused, notify=changed)

    @Slot()
    def readAloud(self) -> None:
        """朗读: the screen as it is now, its errors included (normal mode; care mode too)."""
        self._queue(self._screen_text(), *self._current_errors().values(), force=True)

    @Slot()
    def repeat(self) -> None:
        """重听: the last utterance again."""
        if self._last:
            self._say(self._last)

    @Slot()
    def stop(self) -> None:
        self._pending.clear()
        speaker = self._speaker_source()
        if speaker is not None:
            speaker.stop()

    @Slot(int)
    def setVolume(self, volume: int) -> None:
        """The technician's volume: applied now and kept across restarts."""
        speaker = self._speaker_source()
        if speaker is None:
            return
        speaker.volume = volume
        if self._state_dir is not None:
            from kiosk.technician.speech_volume import save_volume

            try:
                save_volume(self._state_dir, speaker.volume)
            except OSError as exc:
                log.warning("speech volume not saved: %s", type(exc).__name__)
        self.changed.emit()

    @Slot()
    def louder(self) -> None:
        self.setVolume(self._get_volume() + VOLUME_STEP)

    @Slot()
    def quieter(self) -> None:
        self.setVolume(self._get_volume() - VOLUME_STEP)

    @Slot()
    def testVoice(self) -> None:
        """The technician's sample: the card prompt, at the volume set (care mode or not)."""
        self._say(script.card_prompt(self._lang(), self._reader))

    # -- the session, the settings -------------------------------------------------------------
    def _lang(self) -> SpeechLanguage:
        return "en" if self._settings.current_language == "en_US" else "zh"

    def _speaking(self) -> bool:
        return self._enabled and self._settings.care_mode

    def _screen_text(self) -> str:
        screen = str(self._session.property("screen"))
        if screen == "Receipt":
            tracking = str(self._session.property("trackingNumber") or "")
            return script.receipt_line(tracking, self._lang())
        return script.screen_line(screen, self._lang(), self._reader)

    def _current_errors(self) -> dict[str, str]:
        """Every error and warning the screen shows now, as sentences, by where it comes from."""
        s, lang = self._session, self._lang()
        out: dict[str, str] = {}
        screen = str(s.property("screen"))
        status = str(s.property("cardStatus") or "")
        if screen == "Identify" and status == "reading":
            out["card"] = script.card_reading(lang)
        elif screen == "Identify" and status:
            out["card"] = self._failure(status)
        for key, title_prop, step_prop in (
            ("notice", "notice", "noticeNextStep"),
            ("failure", "failureTitle", "failureNextStep"),
            ("print", "printMessage", "printNextStep"),
        ):
            title = str(s.property(title_prop) or "")
            if title:
                out[key] = script.error_line(title, str(s.property(step_prop) or ""), lang)
        if int(s.property("errorCount") or 0) > 0:
            out["fields"] = script.fix_marked(lang)
        if bool(s.property("warning")):
            out["warning"] = script.countdown_warning(int(s.property("secondsLeft") or 0), lang)
        for i, (bridge, _changed, prop, kind) in enumerate(self._watches):
            value = bridge.property(prop)
            if kind == "code" and value:
                out[f"w{i}"] = self._failure(str(value))
            elif kind == "count" and int(value or 0) > 0:
                out[f"w{i}"] = script.fix_marked(lang)
        return out

    def _failure(self, code: str) -> str:
        title, step = failure_text(code)
        return script.error_line(title, step, self._lang())

    @Slot()
    def _on_screen(self) -> None:
        errors = self._current_errors()
        self._shown = errors
        if self._session.property("screen") == "Attract":
            # The walk-in has gone: silence, and nothing of theirs left for 重听.
            self._last = ""
            self.stop()
        else:
            # What the screen before had to say is moot now (the flow moves on faster than
            # speech when one tap leads through several screens).
            self._pending.clear()
            # The countdown is not carried over (a new screen means someone touched it), nor
            # fields marked on a screen that does not show them.
            marked = str(self._session.property("screen")) in _MARKED_FIELDS_SCREENS
            carried = (v for k, v in errors.items() if k not in ("warning", "fields") or marked)
            self._queue(self._screen_text(), *carried)

    @Slot()
    def _on_session_changed(self) -> None:
        errors = self._current_errors()
        # Only what is new (or changed) is read; the countdown once when it starts.
        news = [
            v
            for k, v in errors.items()
            if self._shown.get(k) != v and not (k == "warning" and "warning" in self._shown)
        ]
        self._shown = errors
        if news and self._speaking():
            self._queue(*news)

    @Slot()
    def _on_settings_changed(self) -> None:
        care, language = self._settings.care_mode, self._settings.current_language
        turned_on = care and not self._care
        other_language = care and language != self._language
        self._care, self._language = care, language
        if not care and self._last:
            self.stop()
        elif (turned_on or other_language) and self._speaking():
            self.readAloud()  # care mode switched on (or another language): this screen now

    # -- speaking ------------------------------------------------------------------------------
    def _queue(self, *texts: str, force: bool = False) -> None:
        if not (self._speaking() or (force and self._enabled)):
            return
        for text in texts:
            if text and text not in self._pending:
                self._pending.append(text)
        if self._pending:
            self._flush.start()

    @Slot()
    def _speak_pending(self) -> None:
        texts, self._pending = self._pending, []
        if texts:
            joiner = "" if self._lang() == "zh" else " "
            self._say(joiner.join(texts))

    def _say(self, text: str) -> None:
        if not self._enabled or not text:
            return
        if not self.guard.allows(text):
            # Never the text itself: it is what must not be heard, nor logged.
            log.warning("%s: an utterance that looks personal was not spoken", REFUSED_CODE)
            self._on_refused(REFUSED_CODE)
            self.changed.emit()
            return
        speaker = self._speaker_source()
        if speaker is None:
            return  # the devices are still starting
        self._last = text
        speaker.say(text, self._lang())

    def close(self) -> None:
        self._flush.stop()
        self._session.screenChanged.disconnect(self._on_screen)
        self._session.changed.disconnect(self._on_session_changed)
        self._settings.changed.disconnect(self._on_settings_changed)
        for _bridge, changed, _prop, _kind in self._watches:
            changed.disconnect(self._on_session_changed)
        self._watches.clear()
