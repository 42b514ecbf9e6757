"""The speaker role: what every speech backend offers, and the languages it speaks.

A backend gets plain text that the core has already checked (kiosk.speech_script: no personal
data). `say` never blocks: synthesis and playback run on the backend's own thread or process,
so the GUI thread only hands the text over. A new utterance cuts the one still playing: a walk-in
who taps on while a screen is being read wants to hear the new screen, not the end of the old.
Another engine (a neural TTS, a vendor SDK) is one more class with these methods plus an entry
in drivers/registry.py and its options model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from drivers.health import Health

SpeechLanguage = Literal["zh", "en"]
MAX_VOLUME = 100


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str
    language: SpeechLanguage
    volume: int


@runtime_checkable
class Speaker(Protocol):
    """Speaks short texts. Non-blocking; thread-safe."""

    @property
    def volume(self) -> int:
        """Loudness 0-100 (0 = silent)."""
        ...

    @volume.setter
    def volume(self, value: int) -> None: ...

    def say(self, text: str, language: SpeechLanguage) -> None:
        """Start speaking `text`, cutting whatever is being said now. Returns at once."""
        ...

    def stop(self) -> None:
        """Stop speaking now (the session ended, the walk-in left)."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


def clamp_volume(value: int) -> int:
    return max(0, min(MAX_VOLUME, int(value)))
