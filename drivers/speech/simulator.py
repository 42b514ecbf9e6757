"""A speaker that records what it would say instead of making a sound (tests, demo, screenshots).

Every simulator also adds to one process-wide transcript (`transcript()`), so a test can read
what a kiosk built by a tool it does not control (the screenshot staging) said.
"""

from __future__ import annotations

import threading
from typing import Any

from drivers.health import Health
from drivers.speech.base import SpeechLanguage, Utterance, clamp_volume
from drivers.speech.options import SimulatedSpeakerOptions

_TRANSCRIPT: list[Utterance] = []
_TRANSCRIPT_LOCK = threading.Lock()


def transcript() -> list[Utterance]:
    """Every utterance of every simulator in this process, oldest first."""
    with _TRANSCRIPT_LOCK:
        return list(_TRANSCRIPT)


def clear_transcript() -> None:
    with _TRANSCRIPT_LOCK:
        _TRANSCRIPT.clear()


class SimulatedSpeaker:
    def __init__(self, volume: int = 80) -> None:
        self._lock = threading.Lock()
        self._volume = clamp_volume(volume)
        self.spoken: list[Utterance] = []
        self.stops = 0

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> SimulatedSpeaker:
        SimulatedSpeakerOptions.parse(options)
        return cls()

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, value: int) -> None:
        self._volume = clamp_volume(value)

    def say(self, text: str, language: SpeechLanguage) -> None:
        utterance = Utterance(text, language, self._volume)
        with self._lock:
            self.spoken.append(utterance)
        with _TRANSCRIPT_LOCK:
            _TRANSCRIPT.append(utterance)

    def texts(self) -> list[str]:
        with self._lock:
            return [u.text for u in self.spoken]

    def stop(self) -> None:
        with self._lock:
            self.stops += 1

    def health(self) -> Health:
        return Health.ok()

    def close(self) -> None:
        pass
