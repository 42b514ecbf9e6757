"""kiosk.speech_script.speaker_health: what the status bar and the technician see of the voice."""

from __future__ import annotations

from drivers.health import Health
from kiosk.speech_script import MUTED_CODE, speaker_health


def test_the_voice_is_shown_only_where_the_station_speaks() -> None:
    assert speaker_health(Health.ok(), 80, enabled=False) is None
    assert speaker_health(None, 80, enabled=True) is None  # not built yet
    assert speaker_health(Health.ok(), 80, enabled=True) == Health.ok()


def test_muted_and_unavailable_are_told_apart() -> None:
    muted = speaker_health(Health.ok(), 0, enabled=True)
    assert muted is not None and (muted.level.value, muted.code) == ("degraded", MUTED_CODE)
    gone = Health.down("SPEECH_UNAVAILABLE", "espeak-ng not found")
    assert speaker_health(gone, 0, enabled=True) == gone  # the cause, not the volume
