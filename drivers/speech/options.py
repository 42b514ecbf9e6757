"""Options of the speech backends (`[devices.speaker.options]`), one model per backend.

Pydantic and the standard library only, so `kiosk.config` can check them at start; see
`drivers.options` for the error they raise. Loudness is not a driver option: it is the station's
(`[speech] volume`) and the technician's to set.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from drivers.options import DriverOptions

Word = Annotated[str, Field(min_length=1, pattern=r"^\S+$")]


class SimulatedSpeakerOptions(DriverOptions):
    KIND: ClassVar[str] = "speaker"
    BACKEND: ClassVar[str] = "simulator"


class EspeakSpeakerOptions(DriverOptions):
    KIND: ClassVar[str] = "speaker"
    BACKEND: ClassVar[str] = "espeak_ng"

    executable: str = Field(default="espeak-ng", min_length=1, description="a program name or path")
    # Debian 12's plain `cmn` voice reads its own pinyin's tone digits as English numbers.
    voice_zh: str = Field(default="cmn-latn-pinyin", pattern=r"^[A-Za-z0-9_+-]+$")
    voice_en: str = Field(default="en-us", pattern=r"^[A-Za-z0-9_+-]+$")
    rate_wpm: int = Field(default=150, ge=80, le=450, description="words per minute, 80-450")
    player: list[Word] = Field(
        default_factory=list,
        description="a command reading WAV on stdin (e.g. ['aplay', '-q'] or ['paplay']); "
        "[] = espeak-ng plays through the default sound server or ALSA itself",
    )
