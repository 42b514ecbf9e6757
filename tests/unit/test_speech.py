"""Speech: what care mode says and refuses to say, the simulator, and the real espeak-ng (the
Mandarin voice with its tones, a WAV of the receipt sentence, a new utterance cutting the last)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers import registry
from drivers.speech.base import Speaker
from drivers.speech.espeak import INSTALL_HINT, EspeakSpeaker
from drivers.speech.options import EspeakSpeakerOptions
from drivers.speech.simulator import SimulatedSpeaker, transcript
from kiosk.config import ConfigError, parse_config
from kiosk.speech_script import (
    PrivacyGuard,
    countdown_warning,
    looks_personal,
    receipt_line,
    screen_line,
    spell,
)
from kiosk.technician.speech_volume import load_volume, save_volume

TRACKING = "SND-SS-001-20261206-0001"
ID_NUMBER, MOBILE = "11010519491231002X", "13912345678"


def wait_for(condition: Callable[[], bool], what: str, limit_s: float = 20.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.01)


def espeak() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        pytest.fail(f"espeak-ng is not installed: {INSTALL_HINT} (or `make system-deps`)")
    return found


# -- the script --------------------------------------------------------------------------------
def test_tracking_number_is_spelled_in_groups() -> None:
    assert spell("SND-SS-001", "zh") == "S N D，S S，零 零 一"
    assert spell("SND-SS-001", "en") == "S N D, S S, 0 0 1"
    line = receipt_line(TRACKING, "zh")
    assert "二 零 二 六 一 二 零 六" in line and line.startswith("您的申请已受理。")
    assert "Your tracking number is: S N D, S S" in receipt_line(TRACKING, "en")


def test_screens_speak_in_the_session_language() -> None:
    assert screen_line("Identify", "zh") == "请把身份证平放在读卡区。"
    assert "social security card" in screen_line("Identify", "en", "contactless")
    assert screen_line("Attract", "zh") == ""  # nobody is there yet
    assert "20秒" in countdown_warning(20, "zh") and "20 seconds" in countdown_warning(20, "en")


@pytest.mark.parametrize(
    "text",
    [
        ID_NUMBER,
        "身份证号11010519491231002x。",
        "110105194912310",  # the first-generation card's 15 digits
        MOBILE,
        "+86 139 1234 5678",
        "一三九一二三四五六七八",
        "幺三九 幺二三四 五六七八",
        "1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 X",
        "139-1234-5678",
    ],
)
def test_the_guard_refuses_what_looks_like_an_id_or_a_mobile(text: str) -> None:
    guard = PrivacyGuard()
    assert looks_personal(text)
    assert not guard.allows(f"您好，{text}")
    assert guard.refused == 1


def test_the_guard_lets_the_scripts_lines_through() -> None:
    guard = PrivacyGuard()
    for language in ("zh", "en"):
        assert guard.allows(receipt_line(TRACKING, language))
        assert guard.allows(countdown_warning(40, language))
        assert guard.allows("如有疑问请拨打0512-12345。")
    assert guard.refused == 0


# -- config, simulator, volume -----------------------------------------------------------------
def _config(**extra: object) -> dict[str, object]:
    return {
        "station": {"id": "ST-1", "name": "站点"},
        "hall": {"url": "http://127.0.0.1:9"},
        **extra,
    }


def test_config_speech_section_and_speaker_backend() -> None:
    config = parse_config(_config())
    assert config.speech.enabled and config.speech.volume == 80
    assert config.devices.speaker.backend == "simulator"
    config = parse_config(
        _config(
            speech={"enabled": False, "volume": 30},
            devices={"speaker": {"backend": "espeak_ng", "options": {"rate_wpm": 130}}},
        )
    )
    assert not config.speech.enabled and config.speech.volume == 30
    with pytest.raises(ConfigError, match=r"speech\.volume"):
        parse_config(_config(speech={"volume": 101}))
    with pytest.raises(ConfigError, match=r"devices\.speaker\.backend: 'festival' is not accepted"):
        parse_config(_config(devices={"speaker": {"backend": "festival"}}))
    with pytest.raises(ConfigError, match=r"devices\.speaker\.options\.rate_wpm"):
        parse_config(
            _config(devices={"speaker": {"backend": "espeak_ng", "options": {"rate_wpm": 5}}})
        )


def test_simulator_records_and_is_a_speaker() -> None:
    speaker = registry.build_speaker("simulator", {})
    assert isinstance(speaker, Speaker) and isinstance(speaker, SimulatedSpeaker)
    speaker.volume = 140
    assert speaker.volume == 100
    speaker.say("请把身份证平放在读卡区。", "zh")
    assert speaker.texts() == ["请把身份证平放在读卡区。"]
    assert transcript()[-1].text == "请把身份证平放在读卡区。" and transcript()[-1].volume == 100


def test_the_technicians_volume_outlives_a_restart(tmp_path: Path) -> None:
    assert load_volume(tmp_path, 80) == 80
    save_volume(tmp_path, 35)
    assert load_volume(tmp_path, 80) == 35
    (tmp_path / "speech-volume.json").write_text('{"volume": "loud"}', encoding="utf-8")
    assert load_volume(tmp_path, 80) == 80


# -- the real espeak-ng ------------------------------------------------------------------------
def test_receipt_sentence_is_mandarin_with_tones(tmp_path: Path) -> None:
    espeak()
    speaker = EspeakSpeaker(EspeakSpeakerOptions())
    try:
        assert speaker.health().level == "ok"
        sentence = receipt_line(TRACKING, "zh")
        wav = tmp_path / "receipt.wav"
        subprocess.run(speaker.command(sentence, "zh", wav), check=True, timeout=60)
        with wave.open(str(wav)) as w:
            seconds = w.getnframes() / w.getframerate()
        # 60-odd syllables at 150 words a minute: some 10 to 20 s, never a blip or a hang.
        assert 6 < seconds < 40, seconds
        argv = speaker.command(sentence, "zh")
        phonemes = subprocess.run(
            [argv[0], "-x", "-q", *argv[1:]], capture_output=True, text=True, check=True
        ).stdout
    finally:
        speaker.close()
    assert "(en)" not in phonemes and "(zh)" not in phonemes  # no English fallback
    syllables = [s for s in re.split(r"_\|\s*", phonemes) if s.strip()]
    assert len(syllables) >= 30  # letters of a group may run into one token
    untoned = [s for s in syllables if not re.search(r"(55|35|214|21|51|33)", s)]
    assert untoned == [], untoned
    assert "n'i35n" in phonemes  # 您 (nín, second tone)


def test_a_new_utterance_cuts_the_one_playing() -> None:
    espeak()
    # A player that never reads: espeak-ng blocks on the full pipe, so the first utterance is
    # still under way when the second arrives, for as long as the test needs.
    speaker = EspeakSpeaker(EspeakSpeakerOptions(player=["sleep", "600"]))
    try:
        speaker.say(receipt_line(TRACKING, "zh") * 4, "zh")
        wait_for(lambda: speaker.started == 1 and len(speaker.running_pids()) == 2, "the first")
        first = speaker.running_pids()
        speaker.say(countdown_warning(20, "zh"), "zh")
        wait_for(lambda: speaker.started == 2, "the second utterance")
        for pid in first:
            assert not _alive(pid), f"process {pid} of the cut utterance still runs"
        second = speaker.running_pids()
        assert second and not set(second) & set(first)
        speaker.stop()
        wait_for(lambda: speaker.running_pids() == [], "stop")
        for pid in second:
            assert not _alive(pid)
    finally:
        speaker.close()


def _alive(pid: int) -> bool:
    """A process with that id exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return "\nState:\tZ" not in status
