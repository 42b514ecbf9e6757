"""Remote-assist sound devices through FFmpeg: ALSA's `file` plugin as the speaker (real ALSA,
no sound card needed) and FFmpeg's lavfi tone generator as the microphone."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import numpy as np
import pytest

from remote_assist.audio import RATE, Speaker, open_microphone, parse_device


def test_device_specs() -> None:
    assert parse_device("alsa:default") == ("alsa", "default")
    assert parse_device("alsa:hw:1,0") == ("alsa", "hw:1,0")
    for bad in ("default", "alsa:", ":default"):
        with pytest.raises(ValueError, match="alsa:default"):
            parse_device(bad)


def test_missing_devices_cost_the_sound_not_the_call() -> None:
    assert Speaker.open("") is None
    assert open_microphone("") is None
    assert Speaker.open("alsa:qihang_no_such_pcm") is None
    assert open_microphone("alsa:qihang_no_such_pcm") is None


def test_the_microphone_tone_plays_on_the_speaker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = tmp_path / "speaker.raw"
    conf = tmp_path / "asound.conf"
    conf.write_text(
        f'pcm.qihang_unit_speaker {{ type file slave.pcm "null" file "{played}" format "raw" }}\n'
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{conf}")

    async def pipe() -> int:
        microphone = open_microphone("lavfi:sine=frequency=440:sample_rate=48000")
        assert microphone is not None
        speaker = Speaker.open("alsa:qihang_unit_speaker")
        assert speaker is not None
        try:
            for _ in range(25):  # half a second of 20 ms frames
                speaker.play(await microphone.audio.recv())
        finally:
            microphone.audio.stop()
            await asyncio.get_running_loop().run_in_executor(None, speaker.close)
        return speaker.frames_played

    # On a thread of its own: Playwright's sync API (the e2e tests) keeps a loop running here.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, pipe()).result(30) > 0
    samples = np.frombuffer(played.read_bytes(), np.int16).astype(float)
    assert samples.size > RATE // 10
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum[1:]) * RATE / samples.size
    assert abs(peak_hz - 440) < 10, peak_hz
