"""Speech through eSpeak NG (Debian package `espeak-ng`), one process per utterance.

Mandarin uses the voice `cmn-latn-pinyin`: on Debian 12 the plain `cmn` voice reads the tone
digits of its own pinyin as English numbers ("你好" comes out as "ni three hao three").
`espeak-ng -v cmn-latn-pinyin -x -q 你好` gives `n'i35 X'Au214`.

Audio goes out through espeak-ng itself (the default sound server or ALSA), or, with the
`player` option, as WAV on a pipe into a player such as `aplay -q`. A worker thread starts and
ends the processes: `say` only hands over the text, so the GUI thread never waits for a fork,
and a new utterance kills the processes of the one before (SIGKILL: silence now, not after a
sentence).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from drivers.health import Health
from drivers.speech.base import SpeechLanguage, Utterance, clamp_volume
from drivers.speech.options import EspeakSpeakerOptions

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install -y --no-install-recommends espeak-ng"


class EspeakSpeaker:
    def __init__(self, options: EspeakSpeakerOptions, volume: int = 80) -> None:
        self._options = options
        self._exe = shutil.which(options.executable)
        self._volume = clamp_volume(volume)
        self._cond = threading.Condition()
        self._pending: Utterance | None = None
        self._cut = False
        self._closed = False
        self._procs: list[subprocess.Popen[bytes]] = []
        self._started = 0
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> EspeakSpeaker:
        return cls(EspeakSpeakerOptions.parse(options))

    # -- the Speaker role ----------------------------------------------------------------------
    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, value: int) -> None:
        self._volume = clamp_volume(value)

    def say(self, text: str, language: SpeechLanguage) -> None:
        if self._exe is None:
            log.warning("speech dropped: %s not found (%s)", self._options.executable, INSTALL_HINT)
            return
        with self._cond:
            self._pending = Utterance(text, language, self._volume)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._pending = None
            self._cut = True
            self._cond.notify_all()

    def health(self) -> Health:
        if self._exe is None:
            return Health.down("SPEECH_UNAVAILABLE", f"{self._options.executable} not found")
        return Health.ok()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify_all()
        self._thread.join(timeout=5)

    # -- for tests and the technician ----------------------------------------------------------
    def command(self, text: str, language: SpeechLanguage, wav: Path | None = None) -> list[str]:
        """The espeak-ng command line for `text`: to the player's pipe, to `wav`, or played."""
        o = self._options
        voice = o.voice_zh if language == "zh" else o.voice_en
        argv = [self._exe or o.executable, "-b", "1", "-v", voice, "-s", str(o.rate_wpm)]
        argv += ["-a", str(2 * self._volume)]  # espeak-ng's amplitude is 0-200, 100 its default
        if wav is not None:
            argv += ["-w", str(wav)]
        elif o.player:
            argv.append("--stdout")
        return [*argv, "--", text]

    def running_pids(self) -> list[int]:
        """The processes of the utterance being spoken now (espeak-ng, then the player)."""
        with self._cond:
            return [p.pid for p in self._procs if p.poll() is None]

    @property
    def started(self) -> int:
        """How many utterances have been started (each after the one before was cut)."""
        with self._cond:
            return self._started

    # -- the worker ----------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._cut and not self._closed:
                    self._cond.wait()
                utterance, self._pending = self._pending, None
                self._cut = False
                closed = self._closed
                old, self._procs = self._procs, []
            _end(old)
            if closed:
                return
            if utterance is None or utterance.volume == 0:
                continue
            procs = self._start(utterance)
            with self._cond:
                self._procs = procs
                self._started += 1
                self._cond.notify_all()

    def _start(self, utterance: Utterance) -> list[subprocess.Popen[bytes]]:
        argv = self.command(utterance.text, utterance.language)
        quiet = subprocess.DEVNULL
        try:
            if not self._options.player:
                return [subprocess.Popen(argv, stdin=quiet, stdout=quiet, stderr=quiet)]
            synth = subprocess.Popen(argv, stdin=quiet, stdout=subprocess.PIPE, stderr=quiet)
            assert synth.stdout is not None
            try:
                player = subprocess.Popen(
                    self._options.player, stdin=synth.stdout, stdout=quiet, stderr=quiet
                )
            except OSError:
                _end([synth])
                raise
            finally:
                synth.stdout.close()  # the player holds the pipe now
            return [synth, player]
        except OSError as exc:
            # Never the text: it is what a screen says, but logs are not the place for it.
            log.warning("speech not started: %s", type(exc).__name__)
            return []


def _end(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("speech process %d did not end", proc.pid)
